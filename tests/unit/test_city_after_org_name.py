"""An organisation's name closed by its legal form, then "in" a town: the town is where the
organisation is ("Hope Cooperative in Bradford"), not the name; "in" inside a name that
does not end with its form stays part of the name ("Mani in Pasta")."""

from __future__ import annotations

import pytest

from actions.extraction import extract


@pytest.mark.parametrize(("lang", "text", "city"), [
    ("en", "Hello, this is Dana from Green Roots Association in Swansea, we need some money",
     "Swansea"),
    ("en", "we are Hope Cooperative in Bradford and would like advice on governance",
     "Bradford"),
    ("en", "I'm Sam, treasurer of Harbour Lights Co-op in Plymouth", "Plymouth"),
])
def test_the_town_after_a_name_closed_by_its_form(lang, text, city):
    assert extract(text, lang).city == city


@pytest.mark.parametrize(("lang", "text"), [
    ("it", "Mani in Pasta cerca un finanziamento"),
    ("it", "siamo la Cooperativa in Rete, cerchiamo partner"),
])
def test_in_inside_a_name_is_no_town(lang, text):
    assert extract(text, lang).city is None
