"""Arabic writes Amman (عمّان, with a shadda) and Oman (عمان, or عُمان) with the same
letters: a town written with the marks of its own spelling is that town, and the country
its letters also spell is not read from it. Unmarked, the word stays what it was.
"""

from __future__ import annotations

import pytest

from actions.extraction import extract
from actions.places import home_countries
from actions.towns import country_of, placed_town
from catalog.places import find_towns


@pytest.mark.parametrize("text", [
    "جمعيتنا تشتغل في عمّان مع النساء اللاجئات وبدنا تمويل",
    "تعاونية صغيرة بعمّان، نبيع المنتجات الريفية",
])
def test_amman_written_with_its_shadda_is_the_town_in_jordan(text):
    town = placed_town(text, "ar")
    assert town is not None and country_of(town[0]) == "JO"
    assert extract(text, "ar").country is None  # not Oman
    assert "OM" not in home_countries(text, "ar")


def test_the_same_letters_without_the_mark_are_still_read_as_before():
    text = "نحن جمعية في عمان نعمل مع الشباب"
    assert placed_town(text, "ar") is None
    assert extract(text, "ar").country == "OM"


def test_a_word_with_harakat_is_one_word_for_the_gazetteer():
    assert [name for name, _ in find_towns("مقرّنا في عمّان")] == ["عمّان"]
