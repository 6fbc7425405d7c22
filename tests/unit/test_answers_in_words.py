"""Timeline, stage and website answered in a sentence, in every language, and a way on.

The phrasings here are not the corpus's (tests/corpora is the measurement): they are other
ways people say the same things. Dates are fixed so months and seasons count from them.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.durations import read_stage, read_timeline, years_active
from actions.intake import ValidateIntakeForm
from actions.intake_slots import ORDER
from actions.intake_summary import in_own_words
from actions.web_presence import NONE, read_website

TODAY = date(2026, 12, 4)
DOMAIN: dict[str, Any] = {"forms": {"intake_form": {"required_slots": list(ORDER)}}}


@pytest.mark.parametrize(("lang", "text", "code"), [
    ("en", "we'd need it within a fortnight... no, within two weeks", "urgent"),
    ("en", "it isn't urgent at all", "no_rush"),
    ("en", "ideally in six or seven weeks", "3_months"),
    ("en", "by next spring", "3_months"),  # from December
    ("en", "sometime before the summer", "12_months"),
    ("en", "there is no hurry, we can wait a couple of years", "no_rush"),
    ("es", "no es nada urgente, la verdad", "no_rush"),
    ("es", "necesitamos el dinero para dentro de dos semanas", "urgent"),
    ("es", "antes del verano estaría bien", "12_months"),
    ("ca", "d'aquí a quatre o cinc setmanes", "3_months"),
    ("ca", "no tenim cap pressa", "no_rush"),
    ("fr", "idéalement avant la fin du mois de mars", "3_months"),
    ("fr", "ce n'est pas urgent du tout", "no_rush"),
    ("it", "ci servirebbe entro due mesi circa", "3_months"),
    ("it", "non abbiamo nessuna fretta", "no_rush"),
    ("pt", "precisamos disso com bastante urgência", "urgent"),
    ("pt", "lá para daqui a uns oito meses", "12_months"),
    ("el", "σε τέσσερις εβδομάδες το αργότερο", "urgent"),
    ("el", "δεν μας πιέζει κάτι, δεν βιαζόμαστε καθόλου", "no_rush"),
    ("tr", "iki ay içinde olursa iyi olur", "3_months"),
    ("tr", "hiç acil değil", "no_rush"),
    ("ar", "نحتاجه خلال أسبوعين", "urgent"),
    ("ar", "مش مستعجلين أبدا", "no_rush"),
    ("ar", "قبل نهاية السنة إن شاء الله", "12_months"),
])
def test_a_timeline_said_in_words_is_read(lang, text, code):
    assert read_timeline(text, lang, TODAY) == code


@pytest.mark.parametrize(("lang", "text", "code"), [
    ("en", "we were set up back in 1994", "consolidated"),
    ("en", "about eighteen months", "starting"),
    ("en", "four years now", "growing"),
    ("es", "la fundamos en 2021", "growing"),
    ("es", "funcionamos desde hace décadas", "consolidated"),
    ("ca", "vam néixer el 2025", "starting"),
    ("fr", "créée il y a trois ans", "growing"),
    ("fr", "depuis 1989", "consolidated"),
    ("it", "esistiamo da dodici anni", "consolidated"),
    ("pt", "fundada em 2003, somos estáveis", "consolidated"),
    ("el", "λειτουργούμε εδώ και 15 χρόνια", "consolidated"),
    ("tr", "2023'ten beri çalışıyoruz", "growing"),
    ("tr", "8 yıldır bu işi yapıyoruz", "consolidated"),
    ("ar", "تأسسنا سنة 2010", "consolidated"),
    ("ar", "نشتغل من ٣ سنين", "growing"),
    # the words win over the years: "30 years, and still growing"
    ("en", "30 years old and still growing", "growing"),
])
def test_a_stage_said_as_an_age_is_read(lang, text, code):
    assert read_stage(text, lang, TODAY) == code


def test_years_active_reads_a_year_a_span_and_many_years():
    assert years_active("since 2006", "en", TODAY) == 20
    assert years_active("desde hace años", "es", TODAY) == 10
    assert years_active("nothing about time", "en", TODAY) is None


@pytest.mark.parametrize(("lang", "text", "value"), [
    ("en", "just a facebook page", "Facebook"),
    ("en", "find us at facebook.com/greenhands.coop", "facebook.com/greenhands.coop"),
    ("es", "solo el perfil de insta @la_huerta_viva", "Instagram @la_huerta_viva"),
    ("fr", "https//www.les-jardins.example.fr", "https://www.les-jardins.example.fr"),
    ("it", "siamo solo su linkedin", "LinkedIn"),
    ("el", "έχουμε μόνο σελίδα στο φέισμπουκ", "Facebook"),
    ("tr", "facebooktan ulaşabilirsiniz", "Facebook"),
    ("ar", "عندنا بس صفحة على الفايسبوك", "Facebook"),
    ("ar", "لا يوجد لدينا", NONE),
    ("pt", "ainda não temos", NONE),
    ("ca", "de moment no", NONE),
    ("en", "nope, nothing", NONE),
    ("en", "we sell at the market", None),
    ("en", "write to ana@coop.example.org", None),  # an e-mail is not a website
])
def test_a_website_answer_is_an_address_a_page_or_none(lang, text, value):
    assert read_website(text, lang) == value


# -- through the form's validator, as Rasa calls it -----------------------------------------

def _slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def _answered_up_to(question: str, lang: str) -> list[dict[str, Any]]:
    answers = {"consent": True, "org_name": "Coop", "legal_form": "cooperative",
               "country": "ES", "city": "Town", "sector": "agrifood", "members": 8,
               "stage": "growing", "website": "skipped", "need_category": "consultancy",
               "need_description": "a plan", "timeline": "3_months", "contact_name": "Ana",
               "email": "ana@example.org"}
    events = [_slot("language", lang)]
    events += [_slot(k, v) for k, v in answers.items() if ORDER.index(k) < ORDER.index(question)]
    events += [{"event": "action", "timestamp": None, "name": "intake_form"},
               _slot("requested_slot", question)]
    return events


def _validate(events: list[dict[str, Any]], text: str, intent: str,
              candidates: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                   list[dict[str, Any]]]:
    """The user answers; Rasa's mappings give ``candidates``; the validator runs."""
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [],
               "metadata": {}}
    events = [*events, {"event": "action", "timestamp": None, "name": "action_listen"},
              {"event": "user", "timestamp": None, "text": text, "parse_data": message},
              _slot("requested_slot", next(e["value"] for e in reversed(events)
                                           if e.get("name") == "requested_slot")),
              {"event": "action", "timestamp": None, "name": "intake_form"},
              *[_slot(k, v) for k, v in candidates.items()]]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    tracker = Tracker("u1", slots, message, events, False, None, {"name": "intake_form"},
                      "action_listen")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateIntakeForm().run(dispatcher, tracker, DOMAIN))
    return ({e["name"]: e["value"] for e in result if e.get("event") == "slot"},
            dispatcher.messages, [*events, *result])


def test_no_rush_read_as_a_denial_still_answers_the_timeline():
    # The model reads "no, no hay ninguna prisa" as `deny`: no mapping fills the slot.
    slots, _, _ = _validate(_answered_up_to("timeline", "es"), "no, no hay ninguna prisa",
                            "deny", {})
    assert slots["timeline"] == "no_rush"
    assert slots["requested_slot"] == "contact_name"


def test_the_sentence_wins_over_the_word_an_entity_took_from_it():
    slots, _, _ = _validate(_answered_up_to("timeline", "it"), "non è per niente urgente",
                            "inform", {"timeline": "urgent"})
    assert slots["timeline"] == "no_rush"


def test_an_age_answers_the_stage_question():
    slots, _, _ = _validate(_answered_up_to("stage", "fr"), "on a été fondés en 1987",
                            "inform", {"stage": "on a été fondés en 1987"})
    assert slots["stage"] == "consolidated"


@pytest.mark.parametrize(("lang", "text", "intent", "stored"), [
    ("en", "only on instagram: @oliveshare", "inform", "Instagram @oliveshare"),
    ("tr", "yok", "deny", "skipped"),
    ("el", "δυστυχώς όχι ακόμα", "deny", "skipped"),
    ("pt", "www.cooperativa-aurora.example.pt", "inform", "www.cooperativa-aurora.example.pt"),
])
def test_the_website_question_takes_a_page_or_a_no(lang, text, intent, stored):
    slots, _, _ = _validate(_answered_up_to("website", lang), text, intent, {"website": text})
    assert slots["website"] == stored
    assert slots["requested_slot"] == "need_category"


def test_an_unreadable_answer_is_asked_again_with_a_hint_then_kept_in_own_words():
    events = _answered_up_to("timeline", "ca")
    slots, messages, events = _validate(events, "depèn del banc", "inform",
                                        {"timeline": "depèn del banc"})
    assert slots["timeline"] is None and slots["requested_slot"] == "timeline"
    assert "depèn del banc" in messages[0]["text"] and "sense pressa" in messages[0]["text"]
    slots, messages, _ = _validate(events, "ho decideix l'assemblea", "inform",
                                   {"timeline": "ho decideix l'assemblea"})
    assert slots["timeline"] == "skipped"
    assert slots["own_words"] == {"timeline": "ho decideix l'assemblea"}
    assert slots["requested_slot"] == "contact_name"  # a way on, not a dead end
    assert "ho decideix l'assemblea" in messages[0]["text"]


def test_the_summary_shows_a_skipped_answer_in_the_users_words():
    tracker = Tracker("u1", {"own_words": {"stage": "it depends how you count"}}, {}, [],
                      False, None, {}, "action_listen")
    shown = in_own_words({"stage": "skipped", "website": "skipped"}, tracker)
    assert shown == {"stage": "it depends how you count", "website": "skipped"}


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("es", "mejor que no, gracias", "deny"),
    ("pt", "prefiro não dar, obrigado", "inform"),
    ("ar", "ما عندناش رقم ثابت", "inform"),
    ("fr", "non, pas de téléphone", "deny"),
])
def test_a_no_to_the_phone_question_skips_it(lang, text, intent):
    slots, messages, _ = _validate(_answered_up_to("phone", lang), text, intent,
                                   {"phone": text})
    assert slots["phone"] == "skipped"
    assert messages == []


def test_an_unreadable_phone_is_asked_again_then_left_out_with_the_words_kept():
    events = _answered_up_to("phone", "en")
    slots, messages, events = _validate(events, "call the office", "inform",
                                        {"phone": "call the office"})
    assert slots["phone"] is None
    assert messages[0]["response"] == "utter_invalid_phone"
    slots, _, _ = _validate(events, "ring the office please", "inform",
                            {"phone": "ring the office please"})
    assert slots["phone"] == "skipped"
    assert slots["own_words"] == {"phone": "ring the office please"}


@pytest.mark.parametrize(("lang", "text", "city"), [
    ("pt", "Olá, sou o João Lima, da cooperativa Terra Viva em Braga", "Braga"),
    ("ca", "Bon dia, sóc na Marta Soler, d'una cooperativa a Reus", "Reus"),
    ("it", "siamo a Bologna e facciamo pane", "Bologna"),
    ("es", "somos la Asociación Mar Abierto de Cádiz", "Cádiz"),
])
def test_a_persons_name_or_the_organisations_is_not_read_as_the_town(lang, text, city):
    from actions.extraction import extract

    assert extract(text, lang).city == city


@pytest.mark.parametrize(("lang", "question", "text", "stored"), [
    ("ar", "website", "ما عندنا موقع", "skipped"),
    ("fr", "timeline", "rien ne presse vraiment", "no_rush"),
    ("el", "stage", "ιδρυθήκαμε το 2001", "consolidated"),
])
def test_an_answer_read_as_a_plea_for_help_is_stored_as_the_answer(lang, question, text,
                                                                   stored):
    from actions.help import ActionShowHelp

    message = {"text": text, "intent": {"name": "ask_help", "confidence": 0.8},
               "entities": [], "metadata": {}}
    tracker = Tracker("u1", {"language": lang, "requested_slot": question}, message, [],
                      False, None, {"name": "intake_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionShowHelp().run(dispatcher, tracker, {}))
    assert [(e["name"], e["value"]) for e in events] == [(question, stored)]
    assert dispatcher.messages == []
