"""Spellings typed without accents, tonos, hamza or Turkish letters read as the same message."""

from __future__ import annotations

import pytest

from nlu.components.text_features import fold


@pytest.mark.parametrize("typed,careful", [
    ("necesitamos financiacion", "Necesitamos FINANCIACIÓN"),
    ("cooperativa agricola de Sao Bras", "Cooperativa agrícola de São Brás"),
    ("θελουμε δανειο", "Θέλουμε δάνειο"),
    ("hibe ariyoruz icin", "Hibe arıyoruz için"),
    ("istanbul", "İSTANBUL"),
    ("اريد الغاء التسجيل", "أُرِيدُ إلغاء التسجيل"),
    ("مدرسه علي الطريق", "مدرسة على الطريق"),
    ("شكرا", "شكـــرا"),
])
def test_casual_and_careful_spellings_fold_to_the_same_text(typed, careful):
    assert fold(typed) == fold(careful)


def test_different_words_stay_different():
    assert fold("préstamo") != fold("prestación")
    assert fold("кредит") == "кредит"  # other scripts pass through, lower-cased
    assert fold("") == ""
