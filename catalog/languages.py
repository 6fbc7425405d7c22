"""The supported languages: one pack each, the folder nlu/<code>/.

A pack holds the training data (nlu.yml), the replies (responses.yml), the words users
write for canonical values (terms.yml), the words that name the intake's fields in
corrections (fields.yml) and language.yml: the language's name
in itself, its place in language menus and its writing direction. Every list of
languages in the product is read from here, so adding a language is adding its folder
(and the bot's chrome texts, bot/locales/<code>.yml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

NLU_DIR = Path(__file__).resolve().parent.parent / "nlu"
_CODE = re.compile(r"^[a-z]{2,3}$")
_PACK_FILES = ("nlu.yml", "responses.yml", "terms.yml", "fields.yml", "language.yml")


@dataclass(frozen=True)
class Language:
    """One supported language."""

    code: str  # ISO 639-1 (or 639-3 where there is no two-letter code)
    name: str  # in itself: "Català", "Ελληνικά"
    order: int
    direction: str  # "ltr" | "rtl"


def discover(nlu_dir: Path = NLU_DIR) -> tuple[Language, ...]:
    """Return the languages with a complete pack in ``nlu_dir``, in menu order."""
    found = []
    for folder in sorted(nlu_dir.iterdir()) if nlu_dir.is_dir() else []:
        if not _CODE.match(folder.name) or not all((folder / f).is_file() for f in _PACK_FILES):
            continue
        about = yaml.safe_load((folder / "language.yml").read_text("utf-8")) or {}
        direction = str(about.get("direction") or "ltr")
        found.append(Language(folder.name, str(about.get("name") or folder.name),
                              int(about.get("order") or 1000),
                              direction if direction in ("ltr", "rtl") else "ltr"))
    return tuple(sorted(found, key=lambda lang: (lang.order, lang.code)))


PACKS: tuple[Language, ...] = discover()


@cache
def pack_file(lang: str, name: str) -> dict[str, Any]:
    """Return one file of a language pack ("terms.yml"...), parsed once per process.

    Empty when the pack has no such file. Shared by every reader: treat it as read-only.
    """
    path = NLU_DIR / lang / name
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text("utf-8"))
    return data if isinstance(data, dict) else {}
