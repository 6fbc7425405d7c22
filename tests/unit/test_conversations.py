"""Conversations the way people start and answer them (issue 16), without a stack.

A need stated after an introduction, an introduction alone, questions about a question,
answers that fit no button, towns that say the country, amounts stated early. Trackers
are built event by event the way Rasa sends them (tests/unit/test_intake_amounts.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import match_choice
from actions.explain import asks_meaning
from actions.help import ActionShowHelp
from actions.intake_slots import CHOICES, ORDER
from actions.intake_summary import ActionShowSummary, creation_note
from actions.introduction import ActionUnderstandIntro
from actions.towns import ActionAskCountry
from catalog.places import find_town, town_countries
from nlu.components.sentences import parts, prefer_need
from tests.unit.test_intake_amounts import Conversation, _action, _case, _slot

DOMAIN: dict[str, Any] = {
    "forms": {"intake_form": {"required_slots": list(ORDER)}},
    "responses": {"utter_ask_country_of_city": [
        {"text": "{city}: in which country?",
         "condition": [{"type": "slot", "name": "language", "value": "en"}]},
        {"text": "{city}: ¿en qué país?",
         "condition": [{"type": "slot", "name": "language", "value": "es"}]}]},
}


def _at(question: str, lang: str, **answers: Any) -> Conversation:
    """A conversation whose form asks ``question`` next, every earlier question answered."""
    earlier = {k: v for k, v in _case(lang, "ES", 0, "EUR").items()
               if k in ORDER[:ORDER.index(question)]}
    chat = Conversation({"language": lang, **earlier, **answers})
    chat.events += [_action("intake_form"), _slot("requested_slot", question)]
    return chat


def _answer(chat: Conversation, text: str, slot: str, intent: str = "inform",
            entities: list[tuple[str, str]] = ()) -> list[dict[str, Any]]:
    """The user answers the question with ``text`` (the from_text mapping fills ``slot``)."""
    chat.user(text, intent, entities, extracted={slot: text})
    _, messages = chat.validate({slot: text})
    return messages


def _responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") or m.get("text") for m in messages]


# -- a need after an introduction outranks it (the NLU component) ----------------------------

def _ranker(by_text: dict[str, list[tuple[str, float]]]):
    def rank(texts: list[str]) -> list[list[dict[str, Any]]]:
        return [[{"name": n, "confidence": c} for n, c in by_text.get(t, [("inform", 0.9)])]
                for t in texts]
    return rank


@pytest.mark.parametrize(("text", "need_part", "need"), [
    ("we are a cooperative from Zaragoza, we need funding", "we need funding", "need_funding"),
    ("Olá! Somos da cooperativa Terra Nossa em Braga. Queríamos apoio para exportar",
     "Queríamos apoio para exportar", "need_internationalisation"),
    ("مرحبا، نحن جمعية من صفاقس، نبحث عن شركاء في إيطاليا", "نبحث عن شركاء في إيطاليا",
     "search_partners"),
])
def test_a_need_in_one_sentence_outranks_the_introduction_in_another(text, need_part, need):
    whole = [{"name": "inform", "confidence": 0.55}, {"name": need, "confidence": 0.25},
             {"name": "greet", "confidence": 0.2}]
    ranking = prefer_need(whole, text, _ranker({need_part: [(need, 0.8), ("inform", 0.2)]}))
    assert ranking[0]["name"] == need and ranking[0]["confidence"] >= 0.8
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-9
    assert [r["name"] for r in ranking[1:]] == ["inform", "greet"] if need != "greet" else True


def test_an_introduction_without_a_need_stays_an_introduction():
    whole = [{"name": "inform", "confidence": 0.9}, {"name": "need_funding", "confidence": 0.05}]
    text = "We are a cleaning cooperative. We are based in Zaragoza"
    assert prefer_need(whole, text, _ranker({})) == whole
    # a single sentence is never split, and a need already first is left alone
    assert parts("we are in Zaragoza") == []
    first = [{"name": "need_funding", "confidence": 0.6}, {"name": "inform", "confidence": 0.4}]
    assert prefer_need(first, "we need money, we are in Tunis", _ranker({})) == first


# -- an introduction outside the questions is understood and kept ------------------------------

def test_an_introduction_is_acknowledged_kept_and_followed_by_the_needs():
    chat = Conversation({"language": "es"})
    chat.user("Hola, somos una cooperativa de limpieza de Zaragoza", "inform",
              [("legal_form", "cooperative"), ("city", "Zaragoza")])
    _, messages = chat.run(ActionUnderstandIntro())
    assert messages[0]["response"] == "utter_intro_understood"
    assert messages[0]["understood"] == "Cooperativa · Zaragoza (España) · Servicios"
    slots = chat.slots()
    assert (slots["legal_form"], slots["city"], slots["country"], slots["sector"]) == \
        ("cooperative", "Zaragoza", "ES", "services")


def test_a_message_with_nothing_understood_still_says_so():
    chat = Conversation({"language": "en"})
    chat.user("qwerty uiop", "nlu_fallback")
    events, messages = chat.run(ActionUnderstandIntro())
    assert _responses(messages) == ["utter_default"] and events == []


def test_after_a_refused_consent_an_introduction_keeps_nothing():
    chat = Conversation({"language": "fr", "consent_refused": True})
    chat.user("Nous sommes une association de Sfax", "inform")
    events, messages = chat.run(ActionUnderstandIntro())
    assert _responses(messages) == ["utter_intro_understood"] and events == []


# -- every question can be asked about --------------------------------------------------------

@pytest.mark.parametrize(("lang", "text"), [
    ("en", "what does this mean?"), ("en", "Why do you need this?"),
    ("es", "qué significa fase del proyecto?"), ("ca", "què vol dir això?"),
    ("fr", "ça veut dire quoi ?"), ("it", "cosa significa?"), ("pt", "o que é isso?"),
    ("el", "τι σημαίνει αυτό;"), ("tr", "bu ne demek?"), ("ar", "ماذا يعني هذا؟"),
])
def test_a_question_about_the_question_is_explained_then_asked_again(lang, text):
    chat = _at("stage", lang)
    messages = _answer(chat, text, "stage", intent="nlu_fallback")
    assert _responses(messages) == ["utter_explain_stage"]  # not "choose one of the options"
    slots = chat.slots()
    assert slots["stage"] is None and slots["requested_slot"] == "stage"
    assert not (slots.get("failed_attempts") or {}).get("stage")


def test_the_field_named_in_the_question_is_the_one_explained():
    chat = _at("sector", "es")
    assert _responses(_answer(chat, "qué significa fase del proyecto?", "sector")) == \
        ["utter_explain_stage"]


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "Mare Nostrum"), ("es", "no tenemos web porque somos pequeños"), ("pt", "Em arranque"),
    ("tr", "Kooperatif"), ("fr", "12 personnes"),
])
def test_an_answer_is_not_mistaken_for_a_question(lang, text):
    assert not asks_meaning(text, lang)


def test_help_during_the_questions_explains_the_question_asked():
    chat = _at("legal_form", "it")
    chat.user("non capisco, cosa vuol dire?", "ask_help")
    _, messages = chat.run(ActionShowHelp(), loop="intake_form")
    assert _responses(messages) == ["utter_explain_legal_form"]


# -- every choice has a way out ---------------------------------------------------------------

@pytest.mark.parametrize(("section", "lang", "text", "code"), [
    ("sector", "en", "a cleaning cooperative", "services"),
    ("sector", "es", "limpieza de oficinas", "services"),
    ("sector", "fr", "on fait du ménage chez les particuliers", "services"),
    ("sector", "tr", "temizlik", "services"),
    ("sector", "ar", "خدمات التنظيف", "services"),
    ("stage", "en", "we are just starting", "starting"),
    ("stage", "es", "acabamos de empezar", "starting"),
    ("legal_form", "en", "cooprative", "cooperative"),
    ("legal_form", "it", "nessuno di questi", "other"),
])
def test_typed_answers_are_matched_to_the_options_by_meaning(section, lang, text, code):
    assert match_choice(text, section, lang, CHOICES[section]) == code


def test_a_sector_that_fits_no_option_is_kept_as_other_in_the_users_words():
    chat = _at("sector", "en")
    messages = _answer(chat, "surfboard shaping", "sector")
    assert _responses(messages) == ["utter_noted_other"]
    assert messages[0]["words"] == "surfboard shaping"
    slots = chat.slots()
    assert slots["sector"] == "other" and slots["own_words"] == {"sector": "surfboard shaping"}
    # the summary shows the words, the case's history keeps them for the broker
    chat.events += [_slot("requested_slot", None)]
    _, summary = chat.run(ActionShowSummary())
    assert "surfboard shaping" in summary[0]["summary"]
    assert "sector: surfboard shaping" in creation_note(chat.tracker())


def test_a_stage_that_fits_no_option_is_still_asked_again():
    chat = _at("stage", "en")
    replies = _responses(_answer(chat, "purple", "stage"))  # a hint naming what was written
    assert len(replies) == 1 and "«purple»" in replies[0] and "just an idea" in replies[0]
    assert chat.slots()["stage"] is None


# -- what can be inferred is not asked --------------------------------------------------------

@pytest.mark.parametrize(("text", "town", "countries"), [
    ("we are in Zaragoza", "Zaragoza", ("ES",)),
    ("somos de zaragoza", "zaragoza", ("ES",)),
    ("İzmir'de bir kooperatifiz", "İzmir", ("TR",)),
    ("نحن جمعية بصفاقس", "صفاقس", ("TN",)),
    ("Είμαστε από τη Θεσσαλονίκη", "Θεσσαλονίκη", ("GR",)),
    ("based in Tripoli", "Tripoli", ("GR", "LB", "LY")),
])
def test_the_gazetteer_knows_the_towns_in_the_spellings_people_type(text, town, countries):
    assert find_town(text) == (town, countries)


def test_everyday_words_are_not_towns():
    assert find_town("nice to meet you, we want a refrigerated van") is None
    assert town_countries("Atlantis") == ()


def test_a_town_in_the_opening_message_spares_the_country_question():
    chat = Conversation({"language": "es", "consent": True})
    chat.user("Somos una cooperativa de Zaragoza y necesitamos 20.000 euros", "need_funding")
    chat.validate({})
    slots = chat.slots()
    assert (slots.get("city"), slots.get("country")) == ("Zaragoza", "ES")
    assert (slots.get("amount"), slots.get("currency")) == (20000.0, "EUR")
    assert slots.get("legal_form") == "cooperative"
    assert slots["requested_slot"] not in ("country", "city", "amount", "legal_form")


def test_a_town_answers_the_country_question():
    chat = _at("country", "en")
    assert _answer(chat, "Zaragoza", "country") == []
    assert (chat.slots()["country"], chat.slots()["city"]) == ("ES", "Zaragoza")


def test_a_town_several_countries_have_is_asked_about_with_their_names():
    chat = _at("country", "es")
    assert _answer(chat, "Trípoli", "country") == []
    assert (chat.slots()["country"], chat.slots()["city"]) == (None, "Trípoli")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskCountry().run(dispatcher, chat.tracker("intake_form"), DOMAIN))
    message = dispatcher.messages[0]
    assert message["text"] == "Trípoli: ¿en qué país?"
    assert [b["title"] for b in message["buttons"]] == ["Grecia", "Líbano", "Libia"]
    assert message["buttons"][2]["payload"] == '/inform{"country": "LY"}'
