"""The user's own words about the need are the answer, even when they sound like a question
about events, fees or data; a real question asked there is answered and the question asked
again (actions/asides.py, validate_need_description)."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.intake import ValidateIntakeForm
from tests.support.trackers import make_tracker, seeded_catalogue


@pytest.fixture
def catalogue(tmp_path_factory, tmp_path, monkeypatch):
    return seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)


def _describe(lang: str, text: str, intent: str):
    tracker = make_tracker(language=lang, text=text, intent=intent,
                           slots={"requested_slot": "need_description", "consent": True},
                           active_loop="intake_form")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateIntakeForm().validate_need_description(
        text, dispatcher, tracker, {}))
    return result, dispatcher.messages


@pytest.mark.parametrize(("lang", "text", "intent"), [
    ("el", "ένα βαν για τις εκδρομές", "ask_events"),
    ("es", "un local para organizar ferias y eventos de productores", "ask_events"),
    ("fr", "nous voulons réduire nos frais bancaires et trouver un prêt", "ask_faq"),
    ("en", "a data protection audit for our members' records", "ask_privacy"),
])
def test_a_description_that_sounds_like_a_question_is_kept(catalogue, lang, text, intent):
    result, said = _describe(lang, text, intent)
    assert result == {"need_description": text}
    assert said == []


@pytest.mark.parametrize(("lang", "text"), [
    ("el", "τι εκδηλώσεις έχετε;"),
    ("es", "¿qué eventos hay?"),
    ("it", "eventi?"),
])
def test_a_question_about_events_is_answered_and_the_question_stays_open(catalogue, lang, text):
    result, said = _describe(lang, text, "ask_events")
    assert result["need_description"] is None
    assert len(said) >= 2  # the events listed (a heading and at least one event)


def test_a_question_about_data_gets_the_privacy_answer(catalogue):
    result, said = _describe("pt", "quem vê os meus dados?", "ask_privacy")
    assert result == {"need_description": None}
    assert [m.get("response") for m in said] == ["utter_privacy"]
