"""No text assumes the user's gender where the language allows it (issue 17): every reply,
button, chrome text, correction message and terms label or phrase is scanned for the gendered
forms listed per language in tests/corpora/gendered_forms.yml. Nor does a text name the team
with a masculine noun ("un mediador", "un conseiller", "ένας σύμβουλος") or the English
"broker" (which takes a masculine article in the Romance languages, and stood in brackets in
Turkish): "una persona del equipo", "quelqu'un de l'équipe", "ekibimizden biri"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FORMS = yaml.safe_load((ROOT / "tests" / "corpora" / "gendered_forms.yml").read_text("utf-8"))


def _texts(lang: str) -> list[tuple[str, str]]:
    """Every text a user of ``lang`` may read, named by where it comes from."""
    texts: list[tuple[str, str]] = []
    responses = yaml.safe_load(
        (ROOT / "nlu" / lang / "responses.yml").read_text("utf-8"))["responses"]
    for name, variations in responses.items():
        for variation in variations:
            texts.append((name, str(variation.get("text", ""))))
            texts += [(f"{name}:button", str(b.get("title", "")))
                      for b in variation.get("buttons") or []]
    chrome = yaml.safe_load((ROOT / "bot" / "locales" / f"{lang}.yml").read_text("utf-8"))
    texts += [(f"bot/locales:{key}", str(value)) for key, value in chrome.items()]
    fields = yaml.safe_load((ROOT / "nlu" / lang / "fields.yml").read_text("utf-8"))
    texts += [(f"fields:{key}", str(value))
              for key, value in (fields.get("messages") or {}).items()]
    return texts


def _pattern(lang: str, section: dict[str, list[str]] | None = None) -> re.Pattern[str]:
    forms = "|".join(f"(?:{form})" for form in (section or FORMS)[lang])
    return re.compile(rf"(?<![\w·])(?:{forms})(?![\w·])", re.IGNORECASE)


@pytest.mark.parametrize("lang", ["ca", "es", "fr", "it", "pt", "el", "ar"])
def test_no_text_assumes_the_users_gender(lang):
    pattern = _pattern(lang)
    found = [(name, match.group(0)) for name, text in _texts(lang) + _terms_texts(lang)
             for match in pattern.finditer(text)]
    assert found == []


@pytest.mark.parametrize("lang", sorted(FORMS["staff"]))
def test_no_text_names_the_team_with_a_masculine_noun(lang):
    pattern = _pattern(lang, FORMS["staff"])
    found = [(name, match.group(0)) for name, text in _texts(lang) + _terms_texts(lang)
             for match in pattern.finditer(text)]
    assert found == []


def _buttons(lang: str) -> list[tuple[str, str]]:
    """Every button title of ``lang``: the replies' buttons and the terms' button phrases."""
    titles = [(name, text) for name, text in _texts(lang) if name.endswith(":button")]
    phrases = yaml.safe_load((ROOT / "nlu" / lang / "terms.yml").read_text("utf-8"))["phrases"]
    return titles + [(f"terms:phrases.{key}", str(value)) for key, value in phrases.items()
                     if key.startswith("button_")]


@pytest.mark.parametrize("lang", sorted(FORMS["buttons"]))
def test_no_button_makes_the_user_say_a_gendered_word(lang):
    pattern = _pattern(lang, FORMS["buttons"])
    found = [(name, title) for name, title in _buttons(lang) if pattern.search(title)]
    assert found == []


@pytest.mark.parametrize(("lang", "gendered", "neutral"), [
    ("ca", "Benvingut! Estàs segur?", "Et donem la benvinguda. Segur que vols esborrar-ho?"),
    ("es", "¿Estás seguro?", "¿Seguro que quieres borrarlo?"),
    ("it", "Sei sicuro?", "Ciao, ti do il benvenuto!"),
    ("fr", "Êtes-vous sûr ?", "Bonjour et bienvenue !"),
    ("pt", "Bem-vindo de volta! Aviso-o já.", "Olá de novo! Dou-lhe notícias já."),
    ("el", "Είστε σίγουρος;", "Θέλετε σίγουρα να το διαγράψω;"),
    ("ar", "هل أنت متأكد؟", "تأكيد: هل أحذف كل ما يخصكم؟"),
    ("pt", "Quer que um mediador o ajude?", "Quer ajuda de uma pessoa da equipa?"),
    ("it", "Bentornato! Sei uscito dalla lista.", "Ciao di nuovo! Non sei più in lista."),
    ("fr", "Pas encore enregistrés ? Pas pressé.", "L'organisation n'est pas encore enregistrée ?"),
    ("es", "¿La preparamos juntos?", "¿La preparamos ahora?"),
    ("ar", "اكتب «إلغاء» إذا كنت تفضّل المساعد.", "اكتبوا «إلغاء» إذا كنتم تفضّلون المساعد."),
])
def test_the_list_catches_the_gendered_forms_and_spares_the_neutral_ones(lang, gendered,
                                                                          neutral):
    assert _pattern(lang).search(gendered)
    assert not _pattern(lang).search(neutral)


@pytest.mark.parametrize(("lang", "masculine", "neutral"), [
    ("es", "también te puede ayudar un mediador", "también te puede ayudar una persona del equipo"),
    ("ca", "Ajuda el gestor a decidir", "Ajuda l'equip a decidir"),
    ("pt", "Avisar um mediador", "Avisar a equipa"),
    ("it", "Un facilitatore ti contatterà", "Una persona del team ti contatterà"),
    ("fr", "Un accompagnateur va vous contacter", "Quelqu'un de l'équipe peut vous conseiller"),
    ("el", "Ένας σύμβουλος θα επικοινωνήσει", "Ένα μέλος της ομάδας θα επικοινωνήσει"),
    ("el", "κάποιος από την ομάδα", "κάποια πριν από αυτήν"),
    ("ar", "يمكن لأحد الوسطاء أن يساعدكم", "يمكن لأحد أعضاء فريقنا أن يساعدكم"),
    ("ar", "يساعد ذلك المستشار", "الاستشارة"),
    ("tr", "bir aracı (broker) konuşmayı devralabilir", "aracılığıyla ekibimizden biri"),
])
def test_the_staff_list_catches_the_masculine_team_and_spares_the_neutral_one(lang, masculine,
                                                                               neutral):
    assert _pattern(lang, FORMS["staff"]).search(masculine)
    assert not _pattern(lang, FORMS["staff"]).search(neutral)


def _terms_texts(lang: str) -> list[tuple[str, str]]:
    """The labels, phrases and counted sentences of nlu/<lang>/terms.yml a user may read."""
    terms = yaml.safe_load((ROOT / "nlu" / lang / "terms.yml").read_text("utf-8"))
    texts: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}", inner)
        else:
            texts.append((prefix, str(value)))
    for section in ("labels", "phrases", "counts"):
        walk(f"terms:{section}", terms.get(section) or {})
    return texts


# "broker" or "brokers" as a word the user reads; a {placeholder} is no word.
BROKER = re.compile(r"(?<![\w{@/.-])brokers?(?![\w}-])", re.IGNORECASE)


@pytest.mark.parametrize("lang", ["es", "ca", "pt", "it", "fr", "el", "ar", "tr"])
def test_no_text_calls_the_team_a_broker(lang: str) -> None:
    found = [(name, text) for name, text in _texts(lang) + _terms_texts(lang)
             if BROKER.search(text)]
    assert found == []


def test_the_broker_check_reads_the_word_not_a_placeholder() -> None:
    assert BROKER.search("Sí, con un broker") and BROKER.search("los Brokers de iesMed")
    assert not BROKER.search("{broker} se ha unido") and not BROKER.search("author_brokers")
