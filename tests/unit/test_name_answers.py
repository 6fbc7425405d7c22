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
