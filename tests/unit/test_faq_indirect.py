"""Plain questions asked the way people ask them: "I'd like to know…" without a question
mark (Greek, Arabic dialects), "how much" and "do we have to pay" in Darija, "are we paying"
in Turkish. Needs that only mention paying or learning stay needs.
"""

from __future__ import annotations

import pytest

from nlu.faq import FaqMatcher

MATCHER = FaqMatcher.load()


@pytest.mark.parametrize(("lang", "text", "topic"), [
    ("el", "θέλαμε να μάθουμε αν πληρώνουμε κάτι για τη συμμετοχή", "fees"),
    ("el", "θα ήθελα να ξέρω πόσες μέρες θέλετε για μια απάντηση", "duration"),
    ("ar", "بشحال التسجيل فالمعرض؟", "fees"),
    ("ar", "واش خاصني نخلص باش نشارك؟", "fees"),
    ("ar", "بدي اعرف قديش بياخد وقت الطلب", "duration"),
    ("tr", "etkinliğe katılmak için bir şey ödüyor muyuz?", "fees"),
])
def test_indirect_and_dialect_questions_are_recognised(lang, text, topic):
    assert MATCHER.topic(text, lang) == topic


@pytest.mark.parametrize(("lang", "text"), [
    ("el", "θέλουμε να μάθουμε να κοστολογούμε σωστά τα προϊόντα μας"),
    ("ar", "نحتاج تمويل باش نخلصو الكراء ديال المحل"),
    ("tr", "kira ödüyoruz ve yeni makine için kredi lazım"),
])
def test_needs_that_mention_paying_or_learning_stay_needs(lang, text):
    assert MATCHER.topic(text, lang) is None
