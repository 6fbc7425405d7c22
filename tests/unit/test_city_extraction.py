"""Where the organisation is, read from an opening message (actions/extraction.py `_city`):
the town, not a capitalised word of the organisation's name, a destination or a verb."""

from __future__ import annotations

import pytest

from actions.extraction import extract


@pytest.mark.parametrize(("lang", "text", "city"), [
    # the organisation's name comes first after an "of" word; the town after "in"
    ("pt", "Olá, sou a Marta, da Pão Partilhado, uma padaria social na Amadora", "Amadora"),
    ("pt", "Bom dia, falo da Cooperativa Mel do Vale, em Seia. Queremos exportar", "Seia"),
    ("pt", "Chamo-me Rui e coordeno a Oficina Aberta, uma associação em Setúbal", "Setúbal"),
    # only "of/from" words: the last one names the town
    ("ca", "Sóc en Pau, de Teixits Vius SCCL, una cooperativa tèxtil de Manresa", "Manresa"),
    ("es", "Hola, soy Inés, de Huerta Común, una asociación de Huesca", "Huesca"),
    ("it", "Sono Lucia della cooperativa Mani in Pasta di Modena", "Modena"),
    # Turkish locative suffix and Greek articles
    ("tr", "Merhaba, Samsun'da Yeşil Ev Kooperatifi'nin sekreteriyim", "Samsun"),
    ("el", "Καλησπέρα, είμαστε ένας σύλλογος στη Λάρισα και θέλουμε χρηματοδότηση", "Λάρισα"),
])
def test_the_town_not_the_organisations_name(lang, text, city):
    assert extract(text, lang).city == city


@pytest.mark.parametrize(("lang", "text"), [
    ("pt", "Queremos criar uma moeda social e procuramos quem já fez isso"),  # fez: "did"
    ("el", "Εδώ και καιρό ψάχνουμε χρηματοδότηση για το εργαστήρι μας"),  # καιρό: "a while"
    ("pt", "Somos uma IPSS e queremos vender os nossos produtos na Europa"),
    ("es", "Buscamos socios en Marsella para un proyecto de reciclaje"),  # where they go
])
def test_words_that_are_not_where_the_organisation_is(lang, text):
    assert extract(text, lang).city is None
