"""A country typed at the country question is the answer: the nations of the United Kingdom
and the Portuguese-speaking countries of Africa are countries, and a country name the model
took for a request to change language ("Wales" sounds like a language) does not open the
language menu."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.destinations import destinations_in
from actions.intake import ValidateIntakeForm
from actions.language import ActionChangeLanguage
from actions.validators import parse_country
from tests.support.trackers import make_tracker, run


@pytest.mark.parametrize(("text", "code"), [
    ("Scotland", "GB"), ("wales", "GB"), ("Northern Ireland", "GB"), ("Great Britain", "GB"),
    ("Pays de Galles", "GB"), ("Écosse", "GB"), ("Irlanda do Norte", "GB"), ("Inglaterra", "GB"),
    ("Ireland", "IE"), ("Guinea-Bissau", "GW"), ("Guinée-Bissau", "GW"), ("Guine Bissau", "GW"),
    ("Guinée", "GN"), ("São Tomé e Príncipe", "ST"),
])
def test_countries_people_name(text, code):
    assert parse_country(text) == code


def test_a_destination_with_a_hyphen_is_the_whole_country():
    text = "somos uma associação de Luanda e queremos exportar para a Guiné-Bissau"
    assert destinations_in(text, "pt") == ["GW"]


def _country_turn(lang: str, text: str, intent: str):
    return make_tracker(language=lang, text=text, intent=intent,
                        slots={"requested_slot": "country"}, active_loop="intake_form")


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "Wales"), ("en", "scotland"), ("fr", "Angleterre"), ("pt", "Inglaterra"),
])
def test_a_country_taken_for_a_language_request_is_the_answer(lang, text):
    tracker = _country_turn(lang, text, "change_language")
    form = ValidateIntakeForm()
    extracted = asyncio.run(form.extract_country(CollectingDispatcher(), tracker, {}))
    assert extracted == {"country": text}
    validated = asyncio.run(form.validate_country(text, CollectingDispatcher(), tracker, {}))
    assert validated["country"] == "GB"
    # No language menu before the form reads it.
    ran = run(ActionChangeLanguage(), tracker)
    assert ran.messages == [] and ran.events == []


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "vous parlez anglais ?"),
    ("en", "can we change the language"),
])
def test_a_language_request_at_the_country_question_still_offers_the_languages(lang, text):
    tracker = _country_turn(lang, text, "change_language")
    ran = run(ActionChangeLanguage(), tracker)
    assert ran.responses[0] == "utter_choose_language"


def test_a_country_named_outside_the_questions_is_no_answer():
    tracker = make_tracker(language="en", text="Wales", intent="change_language")
    ran = run(ActionChangeLanguage(), tracker)
    assert ran.responses[0] == "utter_choose_language"
