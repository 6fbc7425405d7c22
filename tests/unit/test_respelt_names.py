"""A name the summary holds, written again at the summary with a letter changed or a word
added, is a correction of that name: the user need not say which field it is ("sorry, it's
John with an h: John Smith"), as a broker would not ask. Any other bare name still asks.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions.corrections import ASK_WHICH
from actions.intake_summary import ActionApplyCorrection
from tests.unit.test_intake_amounts import _at_the_summary, _slot


def _correct(lang: str, held: dict[str, Any], text: str,
             entities: list[tuple[str, str]] | None = None) -> tuple[dict[str, Any], str]:
    chat = _at_the_summary(lang, "GR", 20000.0, "EUR")
    chat.events += [_slot(name, value) for name, value in held.items()]
    chat.user(text, "inform", entities or [])
    events, messages = chat.run(ActionApplyCorrection())
    changed = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return changed, str(messages[0].get("utter_action") or messages[0].get("response"))


@pytest.mark.parametrize(("lang", "held", "text", "field", "value"), [
    ("en", {"contact_name": "Jon Smith"}, "sorry, it's John with an h: John Smith",
     "contact_name", "John Smith"),
    ("el", {"contact_name": "Γιάννης Παπαδάκης"}, "λάθος γράψατε το επώνυμο, Γιάννης Παπαδάκις",
     "contact_name", "Γιάννης Παπαδάκις"),
    ("tr", {"org_name": "Yeşil Vadi Kooperatifi"},
     "adımızı eksik yazdınız: Yeşil Vadi Tarım Kooperatifi", "org_name",
     "Yeşil Vadi Tarım Kooperatifi"),
    ("ar", {"contact_name": "سلمى حداد"}, "نسيتوا اللقب الثاني: سلمى حداد العلي",
     "contact_name", "سلمى حداد العلي"),
    # The same words in another order or form: the name as it should read.
    ("ca", {"org_name": "Fil de Llana Tèxtil Cooperatiu"},
     "el nom bo és Cooperativa Tèxtil Fil de Llana", "org_name",
     "Cooperativa Tèxtil Fil de Llana"),
    ("es", {"org_name": "Huerta Viva Sociedad Cooperativa"},
     "perdón, el nombre va así: Sociedad Cooperativa Huerta Viva", "org_name",
     "Sociedad Cooperativa Huerta Viva"),
])
def test_a_name_held_written_again_differently_corrects_that_name(lang, held, text, field,
                                                                  value):
    changed, reply = _correct(lang, held, text)
    assert changed == {field: value, "awaiting_confirmation": True}
    assert reply == "utter_case_summary"


@pytest.mark.parametrize(("lang", "held", "text"), [
    ("en", {"contact_name": "Jon Smith"}, "Maria Lopez"),  # another name: which field?
    ("tr", {"contact_name": "Deniz Kaya"}, "Selin Demir"),
    ("en", {"contact_name": "Harbour Lights"}, "Harbour Stones"),  # one word differs
])
def test_a_name_unlike_any_held_still_asks_which_field(lang, held, text):
    changed, reply = _correct(lang, held, text, [("contact_name", text)])
    assert changed == {} and reply == ASK_WHICH


def test_the_held_name_named_again_as_the_wrong_one_is_not_its_correction():
    # "…à Tanger, pas à Tunis": the town held, with a short word before it, is what is
    # wrong, not a new spelling of it.
    changed, _ = _correct("fr", {"city": "Tunis"}, "En fait c'est à Tanger, pas à Tunis",
                          [("city", "Tanger")])
    assert changed.get("city") == "Tanger"
