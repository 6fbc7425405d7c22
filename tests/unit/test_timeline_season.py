"""Cooperatives of fishers, farmers, tourism and theatre count in seasons: "by next
season" is within the year, as a broker would file it (Turkish, Greek, Arabic).
"""

from __future__ import annotations

import pytest

from actions.durations import read_timeline


@pytest.mark.parametrize(("lang", "text"), [
    ("tr", "gelecek sezona kadar olsa yeter"),
    ("tr", "yeni sezona yetişmesi lazım"),
    ("el", "την επόμενη σεζόν αν γίνεται"),
    ("ar", "في الموسم القادم إن شاء الله"),
    ("ar", "قبل الموسم الجاي"),
])
def test_next_season_is_within_the_year(lang, text):
    assert read_timeline(text, lang) == "12_months"


def test_a_hurry_before_the_season_is_still_urgent():
    assert read_timeline("acil, yeni sezondan önce lazım", "tr") == "urgent"
