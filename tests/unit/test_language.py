"""Language resolution in context: sticky on short messages, switches only on clear evidence."""

from __future__ import annotations

import pytest

from bot.core.language import LanguageResolver


@pytest.fixture
def resolver() -> LanguageResolver:
    return LanguageResolver()


@pytest.mark.parametrize("text", ["ok", "yes", "no", "merci", "12", "anna@example.org",
                                  "Fatima", "👍", "🙏🙏", "Tanger", "+34 600 000 000", "si"])
def test_short_or_neutral_messages_never_flip_the_language(resolver, text) -> None:
    for current in ("es", "tr", "pt"):
        assert resolver.resolve(text, current=current).language == current


@pytest.mark.parametrize("text,expected", [
    ("Nous sommes une coopérative agricole en Tunisie et nous cherchons un prêt", "fr"),
    ("Siamo un'associazione di Napoli e vorremmo partecipare a una fiera all'estero", "it"),
    ("Somos uma cooperativa de Braga e precisamos de ajuda com o plano de negócio", "pt"),
    ("Biz İzmir'de kadın kooperatifiyiz ve ihracat yapmak istiyoruz", "tr"),
    ("We are a foundation in Malta looking for partners for a cooperation project", "en"),
    ("Som una cooperativa de Girona i volem exportar formatges a França", "ca"),
])
def test_a_long_clear_message_switches_the_language(resolver, text, expected) -> None:
    other = "en" if expected != "en" else "es"
    resolution = resolver.resolve(text, current=other)
    assert resolution.language == expected
    assert resolution.switched


@pytest.mark.parametrize("text,expected", [
    ("Γεια σας", "el"), ("مرحبا", "ar"), ("ευχαριστώ", "el"), ("شكرا", "ar"),
])
def test_greek_and_arabic_script_decide_even_when_short(resolver, text, expected) -> None:
    assert resolver.resolve(text, current="en").language == expected


@pytest.mark.parametrize("text,expected", [
    ("parles català?", "ca"), ("can we speak French please", "fr"), ("en español", "es"),
    ("Türkçe konuşabilir miyiz", "tr"), ("/language it", "it"), ("english", "en"),
    ("هل تتكلم العربية", "ar"), ("μιλάτε ελληνικά;", "el"),
])
def test_explicit_requests_switch(resolver, text, expected) -> None:
    resolution = resolver.resolve(text, current="pt" if expected != "pt" else "en")
    assert resolution.language == expected
    assert resolution.reason == "explicit"


def test_a_language_named_in_a_description_is_not_a_request(resolver) -> None:
    text = "We are a Catalan cooperative of twelve members working on organic farming"
    assert resolver.resolve(text, current="en").language == "en"


def test_first_message_uses_the_client_hint_when_the_text_is_ambiguous(resolver) -> None:
    assert resolver.resolve("hola", hint="ca").language == "ca"
    assert resolver.resolve("hola", hint="es").language == "es"
    assert resolver.resolve("ok", hint="it").language == "it"


def test_first_message_phrase_of_one_language(resolver) -> None:
    assert resolver.resolve("bonjour").language == "fr"
    assert resolver.resolve("merhaba").language == "tr"
    assert resolver.resolve("bon dia").language == "ca"


def test_other_languages_are_reported_unsupported(resolver) -> None:
    german = resolver.resolve("Wir sind eine Genossenschaft aus Berlin und suchen Förderung",
                              current="en")
    assert german.unsupported and german.language == "en"
    russian = resolver.resolve("Здравствуйте, мы кооператив из Москвы", current="fr")
    assert russian.unsupported and russian.language == "fr"


def test_resolution_is_deterministic(resolver) -> None:
    text = "Necesitamos financiación para la cooperativa"
    answers = {LanguageResolver().resolve(text, current="it").language for _ in range(5)}
    answers.add(resolver.resolve(text, current="it").language)
    assert answers == {"es"}


@pytest.mark.parametrize("text", ["", "   ", "\u200f\u200e", "<script>alert(1)</script>",
                                  "x" * 10_000, "'; DROP TABLE case; --", "مرحبا hello Γεια"])
def test_hostile_or_odd_input_never_raises(resolver, text) -> None:
    assert resolver.resolve(text, current="es").language in {"es", "ar", "el", "en"}


def test_a_surname_that_is_also_a_language_name_does_not_switch():
    resolver = LanguageResolver()
    for text, current in (("Marta Greco", "it"), ("Anna Français", "it"),
                          ("Pedro Inglés", "es")):
        assert resolver.resolve(text, current=current).language == current, text
    assert resolver.resolve("in greco", current="it").language == "el"


@pytest.mark.parametrize(("text", "current"), [
    ("Association Femmes Solidaires de Sfax", "en"),
    ("Cooperativa Agricola Monte Verde", "en"),
    ("Solidarity Kitchen Network", "es"),
])
def test_an_organisation_name_in_another_language_does_not_switch(resolver, text, current):
    # The answer to "what is your organisation called?" keeps the conversation's language.
    assert resolver.resolve(text, current=current).language == current


@pytest.mark.parametrize("text", [
    "kooperatifimiz icin kredi lazim",  # Turkish typed without its letters
    "dernek icin bir hibe var mi",
])
def test_turkish_without_its_letters_is_turkish_not_another_language(resolver, text) -> None:
    found = resolver.resolve(text)
    assert not found.unsupported and found.language == "tr"


@pytest.mark.parametrize("text", [
    "Dobar dan, trebamo kredit za zadrugu",
    "Dzien dobry, szukamy kredytu dla spoldzielni",
])
def test_languages_close_to_ours_without_our_words_stay_unsupported(resolver, text) -> None:
    assert resolver.resolve(text).unsupported
