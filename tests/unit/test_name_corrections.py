"""A contact named at the summary with the words people use ("my full name is", "the person
to contact will be … not me") changes the contact to just the name (actions/corrections.py)."""

from __future__ import annotations

import pytest

from actions.cleaning import clean_person_name
from actions.corrections import named_field


@pytest.mark.parametrize(("lang", "text", "name"), [
    ("ca", "el meu nom complet és Pere Vidal i Puig, gràcies", "Pere Vidal i Puig"),
    ("es", "la persona de contacto será Lucía Gómez Prieto, no yo", "Lucía Gómez Prieto"),
    ("fr", "la personne à contacter c'est Claire Petit, pas moi", "Claire Petit"),
    ("it", "la persona da contattare sarà Marco Rinaldi", "Marco Rinaldi"),
    ("pt", "o meu nome completo é Ana Sofia Lopes", "Ana Sofia Lopes"),
    ("el", "το ονοματεπώνυμό μου είναι Νίκος Αντωνίου", "Νίκος Αντωνίου"),
    ("tr", "benim adim Elif Kaya, soyadımı tam yazın", "Elif Kaya"),
    ("en", "the person to contact will be Sam Lee, not me", "Sam Lee"),
])
def test_the_contact_named_at_the_summary_is_just_the_name(lang, text, name):
    found = named_field(text, lang)
    assert found is not None and found[0] == "contact_name"
    assert clean_person_name(found[1], lang) == name


@pytest.mark.parametrize(("text", "field", "value"), [
    ("ortak sayısı 11 değil, 13 kişiyiz, iki yeni ortak girdi", "members", "13 kişiyiz"),
    ("şehir İzmir değil, Manisa", "city", "Manisa"),
])
def test_turkish_not_after_the_old_value_keeps_the_new_one(text, field, value):
    found = named_field(text, "tr")
    assert found is not None and found[0] == field and found[1].startswith(value)


def test_not_before_the_old_value_still_keeps_the_first_one():
    assert named_field("la ciudad es Girona, no Barcelona", "es") == ("city", "Girona")
