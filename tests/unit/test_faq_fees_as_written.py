"""The fee question as people type it: SMS French ("c combien ?"), "vous prenez combien",
"do u charge": a plain question about fees, answered, not a need."""

from __future__ import annotations

import pytest

from nlu.faq import FaqMatcher

MATCHER = FaqMatcher.load()


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "c combien pour etre accompagnés ?"),
    ("fr", "vous prenez combien pour monter un dossier ?"),
    ("fr", "combien vous facturez l'heure de conseil ?"),
    ("fr", "bonjour, vous demandez combien aux associations ?"),
    ("en", "do you charge small charities anything?"),
    ("en", "how much do u charge for the mentoring?"),
])
def test_the_fee_question_as_written(lang, text):
    assert MATCHER.topic(text, lang) == "fees"


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "on est combien dans le groupe ?"),
    ("fr", "combien de salariés faut-il pour être une SCOP ?"),
])
def test_other_questions_with_combien_are_not_about_fees(lang, text):
    assert MATCHER.topic(text, lang) != "fees"
