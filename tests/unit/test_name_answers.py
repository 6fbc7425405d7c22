"""A bare name typed to the name questions is the answer, even when the model takes it for a
request: "Aina Mas Pons" is not "show more" (más), "Giuseppe Lo Bue" not "skip"."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import looks_like_a_name
from actions.intake import ValidateIntakeForm
from tests.support.trackers import make_tracker


def _extract(slot: str, lang: str, text: str, intent: str):
    tracker = make_tracker(language=lang, text=text, intent=intent,
                           slots={"requested_slot": slot}, active_loop="intake_form")
    return asyncio.run(getattr(ValidateIntakeForm(), f"extract_{slot}")(
        CollectingDispatcher(), tracker, {}))


@pytest.mark.parametrize(("slot", "lang", "text", "intent"), [
    ("contact_name", "ca", "Aina Mas Pons", "show_more"),
    ("contact_name", "it", "Giuseppe Lo Bue", "skip_question"),
    ("contact_name", "pt", "Maria da Graça Costa", "go_back"),
    ("contact_name", "el", "Μαρία Παπαδοπούλου", "ask_events"),
    ("org_name", "es", "Más Que Pan SCoop", "show_more"),
    ("org_name", "fr", "Le Relais de Lyon", "change_language"),
])
def test_a_bare_name_misread_as_a_request_is_the_answer(slot, lang, text, intent):
    assert _extract(slot, lang, text, intent) == {slot: text}


@pytest.mark.parametrize(("text", "intent"), [
    ("skip this question", "skip_question"),
    ("show me more", "show_more"),
    ("Can I Skip This?", "skip_question"),
    ("Go back please", "go_back"),
])
def test_requests_stay_requests(text, intent):
    assert _extract("contact_name", "en", text, intent) == {}


def test_what_a_name_looks_like():
    assert looks_like_a_name("Laia Serrat i Coll")
    assert looks_like_a_name("Jean-Pierre Dupont")
    assert not looks_like_a_name("Dupont")  # one word: could be anything
    assert not looks_like_a_name("Pau 2 Martí")
    assert not looks_like_a_name("quiero saltar esta pregunta")


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("pt", "nao, prefiro e-mail", "correct_answer"),
    ("el", "τηλέφωνο δεν δίνω, συγγνώμη", "correct_answer"),
    ("tr", "telefon vermek istemiyorum", "deny"),
])
def test_a_reply_without_digits_declines_the_optional_phone(lang, text, intent):
    assert _extract("phone", lang, text, intent) == {"phone": "skipped"}


@pytest.mark.parametrize(("text", "intent"), [
    ("+34 612 345 678", "correct_answer"),  # a number: validated as the answer
    ("why do you need my phone?", "correct_answer"),  # a question: explained
    ("I want to talk to a person", "request_human"),
])
def test_numbers_questions_and_requests_are_not_a_decline(text, intent):
    assert _extract("phone", "en", text, intent) == {}


def _validate_org_name(lang: str, text: str, intent: str, confidence: float = 0.95):
    tracker = make_tracker(language=lang, text=text, intent=intent,
                           slots={"requested_slot": "org_name"}, active_loop="intake_form")
    tracker.latest_message["intent"]["confidence"] = confidence
    return asyncio.run(ValidateIntakeForm().validate_org_name(
        text, CollectingDispatcher(), tracker, {}))


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("en", "thanks", "thank"), ("es", "vale gracias", "thank"), ("fr", "bonjour", "greet"),
    ("it", "ok", "affirm"), ("tr", "teşekkürler", "thank"), ("ar", "شكرا", "thank"),
    ("es", "Buenas tardes", "greet"), ("fr", "Merci beaucoup", "thank"),
])
def test_manners_are_not_the_organisation_name_the_question_comes_again(lang, text, intent):
    assert _validate_org_name(lang, text, intent) == {"org_name": None}


@pytest.mark.parametrize(("text", "intent", "confidence"), [
    ("Gracias Cooperativa de Vigo", "thank", 0.95),  # more than two words: a name
    ("Merci", "thank", 0.5),  # the model is unsure: taken as typed
    ("Hola Barri", "affirm", 0.6),
    # Two capitalised words are written as a name, however sure the model is of a greeting.
    ("Huerta Viva", "greet", 0.81), ("Ciao Bella", "greet", 0.99), ("Salam Coop", "greet", 0.98),
    ("Bona Vida", "greet", 0.86),
])
def test_a_name_that_sounds_like_manners_is_kept(text, intent, confidence):
    assert _validate_org_name("es", text, intent, confidence) == {"org_name": text}


@pytest.mark.parametrize(("lang", "text", "intent", "count"), [
    ("ar", "إحنا ١٥ موظف في الجمعية", "request_human", 15),  # "staff member" is in the words
    ("en", "22 staff and volunteers", "request_human", 22),
    ("fr", "on est 8 salariés", "ask_faq", 8),
])
def test_a_count_read_as_a_request_answers_the_count_question(lang, text, intent, count):
    assert _extract("members", lang, text, intent) == {"members": text}
    tracker = make_tracker(language=lang, text=text, intent=intent,
                           slots={"requested_slot": "members"}, active_loop="intake_form")
    validated = asyncio.run(ValidateIntakeForm().validate_members(
        text, CollectingDispatcher(), tracker, {}))
    assert validated == {"members": count}


def test_a_question_with_a_number_at_the_count_question_is_not_the_answer():
    assert _extract("members", "en", "do the 3 trainees count?", "ask_faq") == {}


@pytest.mark.parametrize(("lang", "text", "section", "guess"), [
    ("ca", "Associació La Moneda de l'Horta", "sector", "agrifood"),  # a currency, not a garden
    ("es", "Café Lacandón Sociedad Cooperativa", "sector", "tourism"),
    ("en", "Fresh Start Bakery", "stage", "starting"),
])
def test_the_words_of_a_name_settle_no_sector_or_stage(lang, text, section, guess):
    # The model's guess from the name's words is dropped: the question will be asked.
    tracker = make_tracker(language=lang, text=text, intent="inform",
                           slots={"requested_slot": "org_name"}, active_loop="intake_form")
    validate = getattr(ValidateIntakeForm(), f"validate_{section}")
    assert asyncio.run(validate(guess, CollectingDispatcher(), tracker, {})) == {section: None}


def test_a_legal_form_word_in_a_name_still_settles_the_legal_form():
    tracker = make_tracker(language="ca", text="Associació La Moneda de l'Horta", intent="inform",
                           slots={"requested_slot": "org_name"}, active_loop="intake_form")
    assert asyncio.run(ValidateIntakeForm().validate_legal_form(
        "association", CollectingDispatcher(), tracker, {})) == {"legal_form": "association"}


@pytest.mark.parametrize(("lang", "text", "intent", "kept"), [
    ("tr", "kız öğrencilere eğitim bursu veriyoruz", "ask_events", True),  # education
    ("es", "limpieza y mantenimiento de edificios", "request_human", True),
    ("en", "which events are on next month?", "ask_events", False),  # a question: aside
    ("fr", "je voudrais parler à quelqu'un", "request_human", False),  # no sector named
])
def test_a_sector_named_in_answer_to_the_sector_question_is_the_answer(lang, text, intent,
                                                                       kept):
    assert _extract("sector", lang, text, intent) == ({"sector": text} if kept else {})
