"""Folding text for tolerant matching, and the language packs' terms.yml.

Kept apart from actions.extraction so that the readers it uses (stages, legal forms, head
counts) can use them too without importing it back.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from catalog.languages import pack_file

# Arabic-Indic and Persian digits and separators, as ASCII.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")


def fold(text: str) -> str:
    """Lower-case and strip accents (Greek tonos included) for tolerant matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(lang: str) -> dict[str, Any]:
    """Return the language pack's terms.yml (empty if the language has none)."""
    return pack_file(lang, "terms.yml")


def fold_chars(text: str) -> str:
    """Lower-case, strip accents and map Arabic/Persian digits, keeping every position."""
    out = []
    for char in text.translate(DIGITS):
        folded = "".join(c for c in unicodedata.normalize("NFKD", char.casefold())
                         if not unicodedata.combining(c))
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)
