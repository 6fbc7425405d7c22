"""Asking what a question means, as people type it ("c quoi ?", "não entendi", "what do u
mean"): the question is explained, not taken for an answer or a plea for the help menu."""

from __future__ import annotations

import pytest

from actions.explain import asks_meaning
from actions.help import ActionShowHelp
from tests.support.trackers import make_tracker, run


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "c quoi ?"),
    ("fr", "cest quoi le secteur"),
    ("fr", "je comprend pas trop"),
    ("fr", "kesako ?"),
    ("pt", "não entendi a pergunta"),
    ("pt", "como assim, fase?"),
    ("en", "what do u mean by that"),
    ("en", "i dont understand this one"),
])
def test_asking_what_it_means(lang, text):
    assert asks_meaning(text, lang)


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "on a démarré il y a peu"),
    ("pt", "somos uma cooperativa"),
    ("en", "we're still working out the details"),
])
def test_answers_stay_answers(lang, text):
    assert not asks_meaning(text, lang)


def test_at_a_question_what_it_means_explains_it_instead_of_the_help_menu():
    tracker = make_tracker(language="fr", text="c quoi exactement ?", intent="ask_help",
                           slots={"requested_slot": "sector"}, active_loop="intake_form")
    ran = run(ActionShowHelp(), tracker)
    assert ran.responses == ["utter_explain_sector"]
