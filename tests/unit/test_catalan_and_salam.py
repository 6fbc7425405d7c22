"""Catalan texts say it in Catalan, and "salam" in any of its forms gets its answer first
(issue 17)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.returning import ActionGreet
from catalog.db import make_engine, upgrade
from tests.support.trackers import make_tracker, run

ROOT = Path(__file__).resolve().parents[2]
ANGLICISMS = yaml.safe_load(
    (ROOT / "tests" / "corpora" / "catalan_anglicisms.yml").read_text("utf-8"))


def _catalan_texts() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    responses = yaml.safe_load((ROOT / "nlu" / "ca" / "responses.yml").read_text("utf-8"))
    for name, variations in responses["responses"].items():
        for variation in variations:
            texts.append((name, str(variation.get("text", ""))))
            texts += [(f"{name}:button", str(b.get("title", "")))
                      for b in variation.get("buttons") or []]
    chrome = yaml.safe_load((ROOT / "bot" / "locales" / "ca.yml").read_text("utf-8"))
    texts += [(f"bot/locales:{k}", str(v)) for k, v in chrome.items()]
    fields = yaml.safe_load((ROOT / "nlu" / "ca" / "fields.yml").read_text("utf-8"))
    texts += [(f"fields:{k}", str(v)) for k, v in (fields.get("messages") or {}).items()]
    terms = yaml.safe_load((ROOT / "nlu" / "ca" / "terms.yml").read_text("utf-8"))

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}", inner)
        else:
            texts.append((prefix, str(value)))
    for section in ("labels", "phrases", "counts"):
        walk(f"terms:{section}", terms.get(section) or {})
    return texts


def test_catalan_texts_use_catalan_words_not_anglicisms():
    pattern = re.compile(r"(?<![\w@/.{-])(" + "|".join(map(re.escape, ANGLICISMS))
                         + r")(?![\w@}-])", re.IGNORECASE)
    # Placeholders ({email}) and payloads are not words the user reads.
    found = [(name, match.group(1)) for name, text in _catalan_texts()
             for match in pattern.finditer(re.sub(r"\{\w+\}", "", text))]
    assert found == []


def test_the_catalan_website_is_a_lloc_web():
    assert ("terms:labels.field.website", "Lloc web") in _catalan_texts()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    url = f"sqlite:///{tmp_path / 'salam.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    engine.dispose()


@pytest.mark.parametrize(("lang", "text"), [
    ("ar", "سلام"), ("ar", "سلام، لاباس؟"), ("fr", "Salam, on cherche un financement"),
    ("en", "salam"), ("en", "Salam!"), ("en", "salamu alaykum"), ("es", "salaam"),
    ("it", "slm"),
])
def test_every_salam_gets_wa_alaykum_as_salam(database, lang, text):
    ran = run(ActionGreet(), make_tracker(language=lang, text=text, intent="greet",
                                          sender_id=f"salam-{lang}"))
    assert ran.responses[:2] == ["utter_salam_reply", "utter_greet"]
    assert ran.texts("ar")[0].startswith("وعليكم السلام")


@pytest.mark.parametrize("text", ["somos de Salamanca", "hello", "salamat"])
def test_no_salam_no_salam_reply(database, text):
    ran = run(ActionGreet(), make_tracker(language="en", text=text, intent="greet",
                                          sender_id="salam-none"))
    assert "utter_salam_reply" not in ran.responses
