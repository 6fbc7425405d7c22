"""The seed catalogue speaks every language of the assistant (issue 17).

A user writing in Greek or Turkish used to get service descriptions in English with a note
saying so. Every service and event of the seed catalogue now has its title, summary and
description in each language pack, every provider its summary, and the details a user opens
are in their own language with no "text in another language" note.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from actions.matching import ActionShowDetails, written_in
from catalog.languages import PACKS
from tests.support.trackers import make_tracker, run, seeded_catalogue

SEED = Path(__file__).resolve().parents[2] / "catalog" / "seed" / "catalogue.yml"
LANGS = [pack.code for pack in PACKS]
LATIN = re.compile("[A-Za-z]")


@pytest.fixture(scope="module")
def seed() -> dict:
    return yaml.safe_load(SEED.read_text("utf-8"))


@pytest.mark.parametrize(("section", "fields"), [
    ("services", ("title", "summary", "description")),
    ("events", ("title", "summary", "description")),
    ("providers", ("summary",)),
])
def test_every_item_has_its_texts_in_every_language(seed, section, fields):
    missing = [f"{item['key']}.{lang}.{field}" for item in seed[section] for lang in LANGS
               for field in fields
               if not str(((item.get("text") or {}).get(lang) or {}).get(field) or "").strip()]
    assert not missing, missing


def test_arabic_catalogue_texts_have_no_latin_letters(seed):
    latin = [f"{item['key']}.{field}" for section in ("services", "events", "providers")
             for item in seed[section]
             for field, text in (((item.get("text") or {}).get("ar")) or {}).items()
             if LATIN.search(text)]
    assert not latin, latin


@pytest.mark.parametrize("lang", ["el", "tr", "pt", "ca"])
def test_service_details_are_in_the_users_language_without_a_note(
        tmp_path_factory, tmp_path, monkeypatch, seed, lang):
    seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)
    service = next(s for s in seed["services"] if s["key"] == "coop-microcredit-maghreb")
    ran = run(ActionShowDetails(), make_tracker(language=lang, intent="service_details",
                                                entities={"service": service["key"]}))
    ((text, _buttons),) = ran.rendered(lang)
    own = service["text"][lang]
    assert text.splitlines()[0] == own["title"]
    assert own["description"] in text
    assert written_in("en", lang) not in text and written_in("fr", lang) not in text
