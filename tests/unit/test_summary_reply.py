"""A reply to the summary is read by its words when the model cannot place it
(actions/summary_reply.py): send words send, cancel words cancel, anything else asks again."""

from __future__ import annotations

import pytest

from actions.summary_reply import ActionSummaryReply, summary_decision
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
