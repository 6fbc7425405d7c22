"""Spot messages the assistant must not answer alone (complaints, disputes, distress)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import yaml

LEXICON = Path(__file__).with_name("sensitive.yml")
# Arabic attaches the conjunctions, prepositions and the article to the word ("وللمحكمة"):
# a stem may follow those at the start of a word, and nothing else ("وشكون", "who" in
# Darija, is not a complaint; "منصب", a post, is not a fraud).
_ATTACHED = {"ar": r"(?<!\w)(?:[وف]?[بلك]?(?:ال|ل)?)"}


def fold(text: str) -> str:
    """Lower-case ``text`` and drop accents and Arabic diacritics (ç→c, ş→s, ά→α)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.replace("ı", "i").replace("ـ", "")


def _compile(lang: str, stems: list[str]) -> re.Pattern[str]:
    start = _ATTACHED.get(lang, r"(?<!\w)")
    return re.compile("|".join(f"{start}(?:{fold(stem)})" for stem in stems))


def load_sensitive(path: Path = LEXICON) -> Callable[[str, str], bool]:
    """Return a check ``(text, language) -> bool`` over that language's and English stems."""
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    patterns = {str(lang): _compile(str(lang), [str(s) for s in stems])
                for lang, stems in data.items()}

    def is_sensitive(text: str, language: str) -> bool:
        folded = fold(text)
        return any(pattern.search(folded) for lang, pattern in patterns.items()
                   if lang in (language, "en"))

    return is_sensitive
