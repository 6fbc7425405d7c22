"""A reply to the summary is read by its words when the model cannot place it
(actions/summary_reply.py): send words send, cancel words cancel, anything else asks again."""

from __future__ import annotations

import pytest

from actions.summary_reply import ActionSummaryReply, ranked_yes, summary_decision
from tests.support.trackers import make_tracker, run


@pytest.mark.parametrize(("lang", "text", "decision"), [
    ("ca", "cap canvi, envia la sol·licitud", "send"),
    ("it", "perfetto cosi, grazie mille", "send"),
    ("en", "all good", "send"),
    ("es", "está todo bien, mándalo", "send"),
    ("pt", "tudo certo, pode enviar", "send"),
    ("el", "όλα σωστά, στείλτε το", "send"),
    ("tr", "her şey doğru, gönderebilirsiniz", "send"),
    ("ar", "كل شيء صحيح، أرسلوا الطلب", "send"),
    ("fr", "c'est bon, envoyez", "send"),
    ("ca", "cancel·la-ho tot", "cancel"),
    ("en", "no, cancel it", "cancel"),
    ("es", "no lo envíes todavía", "cancel"),
    ("it", "annulla tutto", "cancel"),
    ("en", "thanks", "ask"),
    ("en", "don't send it, send me the list instead", "ask"),  # both: asked again
    ("fr", "bonjour ?", "ask"),
])
def test_the_words_decide(lang, text, decision):
    assert summary_decision(text, lang) == decision


def test_cancel_words_cancel_and_other_words_show_the_summary_again():
    slots = {"awaiting_confirmation": True, "consent": True, "org_name": "Formatges del Ter"}
    cancelled = run(ActionSummaryReply(), make_tracker(language="ca", text="cancel·la-ho tot",
                                                       intent="stop_form", slots=slots))
    assert cancelled.responses == ["utter_intake_cancelled"]
    assert cancelled.slots["awaiting_confirmation"] is False
    asked = run(ActionSummaryReply(), make_tracker(language="ca", text="gràcies",
                                                   intent="thank", slots=slots))
    assert "utter_case_summary" in asked.responses
    assert "awaiting_confirmation" not in asked.slots or asked.slots["awaiting_confirmation"]


@pytest.mark.parametrize(("lang", "text", "amount", "currency"), [
    ("ar", "المبلغ هو 42 ألف دينار موش 40، نسينا الضريبة", 42000, "TND"),
    ("es", "el importe son 25.000 € y no 30.000", 25000, "EUR"),
    ("it", "in realtà ci servono 18 mila euro, non 15", 18000, "EUR"),
])
def test_a_reply_the_model_cannot_place_that_changes_a_field_is_the_correction(
        lang, text, amount, currency):
    slots = {"awaiting_confirmation": True, "consent": True, "org_name": "Coop Sahel",
             "country": "TN" if lang == "ar" else "ES", "need_category": "funding",
             "amount": 40000, "currency": "TND" if lang == "ar" else "EUR"}
    ran = run(ActionSummaryReply(), make_tracker(language=lang, text=text,
                                                 intent="nlu_fallback", slots=slots))
    assert ran.responses == ["utter_case_summary"]
    assert ran.slots["amount"] == amount and ran.slots["currency"] == currency
    assert ran.slots["awaiting_confirmation"] is True  # shown again, not sent


@pytest.mark.parametrize("text", ["agora está certo, obrigado", "está bem assim, pode mandar"])
def test_portuguese_all_right_sends(text):
    assert summary_decision(text, "pt") == "send"


@pytest.mark.parametrize(("lang", "text", "field", "value"), [
    ("ca", "el nom sencer de la persona de contacte és Jordi Puig i Vila", "contact_name",
     "Jordi Puig i Vila"),
    ("en", "the phone number is +44 20 7946 0958 actually", "phone", "+442079460958"),
])
def test_a_correction_the_model_could_not_place_is_applied(lang, text, field, value):
    """Correction and information ranked alike make the message `nlu_fallback`: its words
    still name a field and a value, so it corrects the summary."""
    slots = {"awaiting_confirmation": True, "consent": True, "org_name": "Coop Serra",
             "contact_name": "Jordi Puig", "phone": "+34600000000", "country": "ES"}
    ran = run(ActionSummaryReply(), make_tracker(language=lang, text=text,
                                                 intent="nlu_fallback", slots=slots))
    assert ran.slots[field] == value
    assert "utter_case_summary" in ran.responses


@pytest.mark.parametrize(("ranking", "sends"), [
    ([("thank", 0.46), ("affirm", 0.41), ("deny", 0.05)], True),
    ([("thank", 0.8), ("affirm", 0.1)], False),
    ([("say_goodbye", 0.4), ("deny", 0.35), ("affirm", 0.32)], False),
])
def test_a_yes_ranked_close_behind_thanks_sends(ranking, sends):
    tracker = make_tracker(language="pt", text="agora sim, obrigada", intent=ranking[0][0])
    tracker.latest_message["intent_ranking"] = [{"name": n, "confidence": c}
                                                for n, c in ranking]
    assert ranked_yes(tracker) is sends
