"""A description of the need that begins with "help" ("help setting up a tool library",
"ajuda para abrir a loja") is the answer to the description question, not a plea for the
help menu; a short plea or a question stays one."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.help import ActionShowHelp
from actions.intake import ValidateIntakeForm
from tests.support.trackers import make_tracker, run, seeded_catalogue


@pytest.fixture
def catalogue(tmp_path_factory, tmp_path, monkeypatch):
    return seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)


def _turn(lang: str, text: str, slot: str = "need_description"):
    return make_tracker(language=lang, text=text, intent="ask_help",
                        slots={"requested_slot": slot}, active_loop="intake_form")


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "help setting up a tool library for the estate"),
    ("pt", "ajuda para abrir uma loja online de artesanato"),
    ("fr", "aide pour recruter notre premier salarié en CDI"),
])
def test_a_description_beginning_with_help_is_the_answer(lang, text):
    tracker = _turn(lang, text)
    extracted = asyncio.run(ValidateIntakeForm().extract_need_description(
        CollectingDispatcher(), tracker, {}))
    assert extracted == {"need_description": text}
    ran = run(ActionShowHelp(), tracker)
    assert ran.messages == [] and ran.events == []


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "help"),
    ("en", "help me please"),
    ("en", "what can you help me with?"),
    ("pt", "pode ajudar-me com isto?"),
])
def test_a_plea_for_help_still_shows_the_help(catalogue, lang, text):
    tracker = _turn(lang, text)
    extracted = asyncio.run(ValidateIntakeForm().extract_need_description(
        CollectingDispatcher(), tracker, {}))
    assert extracted == {}
    assert run(ActionShowHelp(), tracker).responses == ["utter_help"]


def test_at_another_question_help_is_help(catalogue):
    tracker = _turn("en", "help setting up a tool library for the estate", slot="sector")
    assert run(ActionShowHelp(), tracker).responses == ["utter_help"]
