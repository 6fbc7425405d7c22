"""The case holds the amount the user said: answering the question and correcting the summary.

Trackers are built here event by event the way Rasa sends them to the action server, so the
form validator, the start of the intake and the correction run without a stack.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.cleaning import message
from actions.intake import ValidateIntakeForm
from actions.intake_navigation import ActionStartIntake
from actions.intake_slots import ORDER
from actions.intake_summary import ActionApplyCorrection
from catalog.brief import money_label

DOMAIN: dict[str, Any] = {"forms": {"intake_form": {"required_slots": list(ORDER)}}}


def _slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def _action(name: str) -> dict[str, Any]:
    return {"event": "action", "timestamp": None, "name": name}


def _case(lang: str, country: str, amount: float, currency: str) -> dict[str, Any]:
    """Answers of a funding request up to the summary."""
    return {"consent": True, "org_name": "Kooperatif", "legal_form": "cooperative",
            "country": country, "city": "Town", "sector": "agrifood", "members": 12,
            "stage": "growing", "website": "skipped", "need_category": "funding",
            "need_description": "a machine", "amount": amount, "currency": currency,
            "timeline": "3_months", "contact_name": "Ana", "email": "ana@example.org",
            "phone": "skipped", "language": lang}


class Conversation:
    """Events of one conversation, turned into the tracker an action receives."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.events: list[dict[str, Any]] = [_slot(k, v) for k, v in answers.items()]
        self.message: dict[str, Any] = {}

    def user(self, text: str, intent: str, entities: list[tuple[str, str]] = (),
             extracted: dict[str, Any] | None = None) -> None:
        """The user writes; the NLU reads ``intent`` and ``entities``; mappings fill slots."""
        lang = self.slots().get("language", "en")
        self.message = {
            "text": text, "intent": {"name": intent, "confidence": 0.9},
            "entities": [{"entity": e, "value": v} for e, v in entities],
            "metadata": {"language": lang}}
        self.events += [_action("action_listen"),
                        {"event": "user", "timestamp": None, "text": text,
                         "parse_data": self.message}]
        self.events += [_slot(k, v) for k, v in (extracted or {}).items()]

    def slots(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for event in self.events:
            if event["event"] == "slot":
                values[event["name"]] = event["value"]
        return values

    def tracker(self, loop: str | None = None) -> Tracker:
        return Tracker("u1", self.slots(), self.message, list(self.events), False, None,
                       {"name": loop} if loop else {}, "action_listen")

    def run(self, action: Any, loop: str | None = None) -> tuple[list[dict], list[dict]]:
        """Run an action on the current tracker and keep the events it returns."""
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, self.tracker(loop), DOMAIN))
        self.events += [_action(action.name()), *events]
        return events, dispatcher.messages

    def validate(self, candidates: dict[str, Any]) -> tuple[list[dict], list[dict]]:
        """Run the form's validator the way Rasa does: candidates after the form's action."""
        requested = self.slots().get("requested_slot")
        self.events += [_slot("requested_slot", requested), _action("intake_form"),
                        *[_slot(k, v) for k, v in candidates.items()]]
        dispatcher = CollectingDispatcher()
        events = asyncio.run(ValidateIntakeForm().run(dispatcher, self.tracker("intake_form"),
                                                      DOMAIN))
        self.events += events
        return events, dispatcher.messages


def _at_the_amount_question(lang: str, country: str, **earlier: Any) -> Conversation:
    before = ORDER[:ORDER.index("amount")]
    answers = {k: v for k, v in _case(lang, country, 0, "EUR").items()
               if k in before or k == "language"}
    chat = Conversation({**answers, **earlier})
    chat.events += [_action("intake_form"), _slot("requested_slot", "amount")]
    return chat


def _at_the_summary(lang: str, country: str, amount: float, currency: str) -> Conversation:
    chat = Conversation(_case(lang, country, amount, currency))
    chat.events += [_action("intake_form"), _slot("requested_slot", None),
                    _action("action_show_summary"), _slot("awaiting_confirmation", True)]
    return chat


# -- answering the amount question ----------------------------------------------------------

@pytest.mark.parametrize(("lang", "country", "text", "entity", "amount", "currency"), [
    # the entity mapping fills the slot with the number alone; the message holds the rest
    ("tr", "TR", "15000 euro", "15000", 15000.0, "EUR"),
    ("ar", "TN", "30000 يورو", "30000", 30000.0, "EUR"),
    ("el", "GR", "270 χιλ. ευρω", None, 270000.0, "EUR"),
    ("el", "GR", "270 χιλ. ευρω", "270", 270000.0, "EUR"),
    ("it", "IT", "1,5 milioni", None, 1500000.0, "EUR"),
    ("es", "ES", "2,5 millones de euros", "2,5", 2500000.0, "EUR"),
    ("ca", "MA", "300.000 dírhams", "300.000", 300000.0, "MAD"),
    ("fr", "DZ", "500 000 DA", "500 000", 500000.0, "DZD"),
    ("pt", "PT", "30 mil euros", "30", 30000.0, "EUR"),
    ("en", "GB", "€270,000", "270,000", 270000.0, "EUR"),
    ("ar", "MA", "٣٠٠٠٠", None, 30000.0, "MAD"),  # no currency: the country's own
    ("tr", "TR", "15 bin", None, 15000.0, "TRY"),
])
def test_the_answer_to_the_amount_question_keeps_the_stated_currency(lang, country, text,
                                                                     entity, amount, currency):
    chat = _at_the_amount_question(lang, country)
    chat.user(text, "inform", [("amount", entity)] if entity else [],
              extracted={"amount": entity or text})
    chat.validate({"amount": entity or text})
    assert (chat.slots()["amount"], chat.slots()["currency"]) == (amount, currency)


def test_a_currency_named_earlier_does_not_override_the_answer():
    chat = _at_the_amount_question("en", "FR", currency="EUR")  # from the opening message
    chat.user("30000 dirhams", "inform", [("amount", "30000"), ("currency", "MAD")],
              extracted={"amount": "30000", "currency": "MAD"})
    chat.validate({"amount": "30000"})
    assert (chat.slots()["amount"], chat.slots()["currency"]) == (30000.0, "MAD")


def test_the_amount_answer_still_leaves_other_fields_alone():
    chat = _at_the_amount_question("it", "IT")
    chat.user("30.000 euro per i partner in Tunisia", "inform",
              [("amount", "30000"), ("country", "TN")],
              extracted={"amount": "30000", "country": "TN"})
    chat.validate({"amount": "30000", "country": "TN"})
    assert chat.slots()["country"] == "IT"
    assert (chat.slots()["amount"], chat.slots()["currency"]) == (30000.0, "EUR")


def test_an_answer_without_an_amount_says_what_to_write_then_is_kept_in_the_users_words():
    chat = _at_the_amount_question("el", "GR")
    chat.user("αρκετά λεφτά", "inform", extracted={"amount": "αρκετά λεφτά"})
    _, messages = chat.validate({"amount": "αρκετά λεφτά"})
    (hint,) = [m["text"] for m in messages]
    assert "«αρκετά λεφτά»" in hint and "20.000 ευρώ" in hint  # what it could look like
    assert chat.slots()["amount"] is None  # asked again
    chat.user("πολλά", "inform", extracted={"amount": "πολλά"})
    _, messages = chat.validate({"amount": "πολλά"})
    assert "«πολλά»" in messages[0]["text"]  # noted as written: the form goes on
    assert chat.slots()["amount"] == "skipped"
    assert chat.slots()["own_words"] == {"amount": "πολλά"}


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("es", "de momento nada", "deny"),
    ("el", "δεν ξέρω", "inform"),
    ("tr", "henüz bilmiyoruz", "inform"),
    ("ar", "لا نعرف بعد", "inform"),
    ("fr", "on ne sait pas encore, à définir avec vous", "inform"),
    ("it", "non lo so ancora", "inform"),
    ("pt", "ainda não sabemos", "inform"),
    ("ca", "encara no ho sabem", "inform"),
    ("en", "not sure yet", "inform"),
    ("en", "no", "deny"),
])
def test_an_amount_not_known_yet_is_left_open_at_once(lang, text, intent):
    """Many groups asking for money do not know the sum yet: the form says it stays open
    for the person who takes the case, keeps their words and asks the next question."""
    chat = _at_the_amount_question(lang, "ES")
    chat.user(text, intent, extracted={"amount": text})
    _, messages = chat.validate({"amount": text})
    assert [m["text"] for m in messages] == [message(lang, "amount_left_open")]
    assert chat.slots()["amount"] == "skipped"
    assert chat.slots()["own_words"] == {"amount": text}


def test_words_of_not_knowing_with_a_figure_are_the_figure():
    chat = _at_the_amount_question("es", "ES")
    chat.user("no lo sé, unos 20.000 euros", "inform", extracted={"amount": "20.000"})
    _, messages = chat.validate({"amount": "20.000"})
    assert messages == []
    assert (chat.slots()["amount"], chat.slots()["currency"]) == (20000.0, "EUR")


# -- corrections at the summary -------------------------------------------------------------

# (language, country, amount and currency shown, what the user writes, the intent and
# entities the model gave, the amount and currency the summary must then show)
CORRECTIONS = [
    ("el", "GR", 270.0, "EUR", "το ποσό είναι 270000 ευρώ", "inform",
     [("amount", "270000"), ("currency", "EUR")], 270000.0, "EUR"),
    ("el", "GR", 270000.0, "EUR", "275.000 €", "inform", [("amount", "275.000")],
     275000.0, "EUR"),
    ("it", "IT", 120000.0, "EUR", "anzi l'importo è 80.000 euro", "inform",
     [("amount", "80000"), ("currency", "EUR")], 80000.0, "EUR"),
    ("tr", "TR", 15000.0, "TRY", "hayır, 15000 euro", "correct_answer",
     [("amount", "15000")], 15000.0, "EUR"),
    ("ar", "TN", 30000.0, "TND", "المبلغ الصحيح ٣٠٠٠٠ يورو", "correct_answer",
     [("amount", "30000"), ("currency", "EUR")], 30000.0, "EUR"),
    ("es", "ES", 20000.0, "EUR", "en realidad son 2,5 millones", "correct_answer", [],
     2500000.0, "EUR"),
    ("ca", "ES", 20000.0, "EUR", "l'import és 30.000 euros, no 20.000", "correct_answer",
     [("amount", "30000"), ("currency", "EUR"), ("amount", "20000")], 30000.0, "EUR"),
    ("fr", "MA", 40000.0, "MAD", "en fait le montant est de 40 000 €", "correct_answer",
     [("amount", "40000")], 40000.0, "EUR"),
    ("pt", "PT", 1000000.0, "EUR", "o montante é 1,5 milhões de euros", "inform", [],
     1500000.0, "EUR"),
    ("en", "GB", 50000.0, "GBP", "actually the amount is 60k", "correct_answer",
     [("amount", "60000")], 60000.0, "GBP"),
    ("en", "MA", 50000.0, "EUR", "in dirhams, not euros", "correct_answer", [],
     50000.0, "MAD"),
]


@pytest.mark.parametrize(("lang", "country", "before", "before_currency", "text", "intent",
                          "entities", "amount", "currency"), CORRECTIONS)
def test_a_correction_at_the_summary_changes_the_amount_and_its_currency(
        lang, country, before, before_currency, text, intent, entities, amount, currency):
    chat = _at_the_summary(lang, country, before, before_currency)
    chat.user(text, intent, entities)
    _, messages = chat.run(ActionApplyCorrection())
    assert (chat.slots()["amount"], chat.slots()["currency"]) == (amount, currency)
    assert messages[0]["response"] == "utter_case_summary"
    assert money_label(amount, currency, lang) in messages[0]["summary"]
    assert chat.slots()["awaiting_confirmation"] is True


def test_three_greek_corrections_in_a_row_each_change_the_summary():
    chat = _at_the_summary("el", "GR", 270.0, "EUR")
    for text, intent, amount in (("το ποσό είναι 270000 ευρώ", "inform", 270000.0),
                                 ("275.000 €", "inform", 275000.0),
                                 ("280 χιλ. ευρω", "inform", 280000.0)):
        chat.user(text, intent)
        _, messages = chat.run(ActionApplyCorrection())
        assert money_label(amount, "EUR", "el") in messages[0]["summary"]
    assert chat.slots()["amount"] == 280000.0


@pytest.mark.parametrize(("lang", "text", "field", "value"), [
    ("fr", "En fait nous sommes à Tanger, pas à Tunis", "city", "Tanger"),
    ("it", "siamo 15 soci", "members", 15),
    ("es", "cambia el correo: ana@coop.example.org", "email", "ana@coop.example.org"),
])
def test_a_correction_of_another_field_keeps_the_amount(lang, text, field, value):
    chat = _at_the_summary(lang, "ES", 20000.0, "EUR")
    chat.user(text, "correct_answer", [("city", "Tanger")] if field == "city" else [])
    events, messages = chat.run(ActionApplyCorrection())
    assert chat.slots()[field] == value
    assert not {"amount", "currency"} & {e["name"] for e in events if e["event"] == "slot"}
    assert money_label(20000.0, "EUR", lang) in messages[0]["summary"]


def test_a_need_stated_at_the_summary_corrects_the_amount_through_the_restarted_form():
    """'χρειαζομαστε 270000 ευρω' reads as need_funding: the intake rule restarts the form."""
    chat = _at_the_summary("el", "GR", 270.0, "EUR")
    chat.user("χρειαζομαστε 270000 ευρω", "need_funding", [("members", "270000")])
    chat.run(ActionStartIntake())
    # The form activates with every answer present and validates them all again
    # (consent left out: validating it records the consent in the database).
    prefilled = {k: v for k, v in chat.slots().items() if k in ORDER and k != "consent"}
    chat.validate(prefilled)
    slots = chat.slots()
    assert (slots["amount"], slots["currency"], slots["members"]) == (270000.0, "EUR", 12)


def test_a_need_at_the_summary_without_an_amount_changes_nothing():
    chat = _at_the_summary("it", "IT", 120000.0, "EUR")
    chat.user("ci serve un finanziamento", "need_funding")
    events, _ = chat.run(ActionStartIntake())
    assert not {"amount", "currency"} & {e["name"] for e in events if e["event"] == "slot"}


def test_the_saved_currency_is_an_iso_code_and_only_comes_with_an_amount():
    from actions.intake_summary import _clean

    assert _clean({"amount": 15000.0, "currency": "euro", "country": "TR"}, "tr")[
        "currency"] == "EUR"
    assert _clean({"amount": "15 bin", "currency": None, "country": "TR"}, "tr")[
        "amount"] == 15000.0
    assert _clean({"amount": None, "currency": "EUR", "country": "TR"}, "tr")[
        "currency"] is None
