"""Console chrome exists in the nine languages, and no sentence hides in templates or code."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from bot.console import i18n
from bot.console.canned_pages import defaults, seed_defaults
from catalog import canned
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.vocabulary import LANGUAGES

CONSOLE = Path(i18n.__file__).parent
ENGLISH = yaml.safe_load((CONSOLE / "locales" / "en.yml").read_text("utf-8"))


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_console_text_exists_in_every_language_with_the_same_placeholders(lang):
    texts = yaml.safe_load((CONSOLE / "locales" / f"{lang}.yml").read_text("utf-8"))
    assert set(texts) == set(ENGLISH)
    for key, value in texts.items():
        assert value.strip(), (lang, key)
        assert _fields(value) == _fields(ENGLISH[key]), (lang, key)


def test_a_missing_text_falls_back_to_english_key_by_key(tmp_path, monkeypatch):
    (tmp_path / "en.yml").write_text("take: Take\nrelease: Release\n", "utf-8")
    (tmp_path / "it.yml").write_text("take: Prendi\n", "utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        texts = i18n.Texts("it")
        assert (texts("take"), texts("release")) == ("Prendi", "Release")
        assert i18n.Texts("ar").dir == "rtl" and texts.dir == "ltr"
    finally:
        i18n.catalogue.cache_clear()


def test_every_text_a_template_asks_for_exists():
    used = set()
    for path in (CONSOLE / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z0-9_]+)'", path.read_text("utf-8")))
    for path in CONSOLE.glob("*.py"):
        used |= set(re.findall(r'"((?:error|done|login)_[a-z_]+)"', path.read_text("utf-8")))
    assert used - set(ENGLISH) == set()


def test_templates_hold_no_words_of_their_own():
    """Everything a broker reads comes from the locale files (or the data)."""
    for path in (CONSOLE / "templates").glob("*.html"):
        text = path.read_text("utf-8")
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", text, flags=re.DOTALL)
        text = re.sub(r"<[^>]*>", " ", text, flags=re.DOTALL)
        words = re.findall(r"[^\W\d_]{2,}", text)
        assert words == [], (path.name, words)


def test_canned_replies_ship_in_every_language():
    for key, by_lang in defaults().items():
        assert set(by_lang) == set(LANGUAGES), key
        assert all(entry["title"] and entry["text"] for entry in by_lang.values()), key


def test_default_canned_replies_load_once_and_deletions_stay(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'canned.sqlite3'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    assert seed_defaults(sessions) == len(defaults()) * len(LANGUAGES)
    with sessions.begin() as session:
        canned.delete_reply(session, canned.replies(session, "ar")[0].id)
    assert seed_defaults(sessions) == 0
    with sessions() as session:
        assert len(canned.replies(session, "ar")) == len(defaults()) - 1
    engine.dispose()
