"""Typed answers to a choice question, matched to the options by meaning; "other" as a way out.

Buttons are a shortcut, not a cage: "a cleaning cooperative" is in services, "we have
just started" is a stage, "cooprative" is a cooperative. An answer that fits none of the
options of a question that has "other" (legal form, sector, kind of need) is kept as
"other" with the user's own words, which reach the broker with the case.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from actions.cleaning import find, words
from actions.durations import read_stage, read_timeline, stage_named
from actions.extraction import answered_form, extract, fold, terms
from actions.validators import parse_choice
from catalog.vocabulary import OTHER

# Sections the free-text reader (actions.extraction) knows.
_EXTRACTED = frozenset({"legal_form", "sector", "stage", "need_category"})
INFORMAL = "informal_group"
MIN_FUZZY_LENGTH = 5  # shorter words are too alike to tell a typo from another word
FUZZY_RATIO = 0.84
MAX_OWN_WORDS = 12  # a longer answer is a sentence, not the name of an option
# Sections whose answers are read as sentences first: "not urgent" is no rush, "since 2005"
# a consolidated organisation (actions.durations); the words alone come after.
_SENTENCE_READERS = {"timeline": read_timeline, "stage": read_stage}


@cache
def _vocabulary(section: str, lang: str) -> tuple[tuple[str, str], ...]:
    """(folded single word, code) pairs of the section's synonyms and labels."""
    pairs: set[tuple[str, str]] = set()
    for source in (terms(lang), terms("en")):
        entries = dict(source.get(section) or {})
        for code, label in ((source.get("labels") or {}).get(section) or {}).items():
            entries.setdefault(code, [])
            entries[code] = [*entries[code], label]
        for code, synonyms in entries.items():
            for synonym in [code, *(synonyms or [])]:
                folded = fold(str(synonym))
                if len(folded) >= MIN_FUZZY_LENGTH and " " not in folded:
                    pairs.add((folded, str(code)))
    return tuple(sorted(pairs))


def _fuzzy(text: str, section: str, lang: str) -> str | None:
    """The option a word of ``text`` is a misspelling or a form of ("cooprative", "limpiezas")."""
    vocabulary = _vocabulary(section, lang)
    best: tuple[float, str] | None = None
    for word in re.findall(r"\w+", fold(text)):
        if len(word) < MIN_FUZZY_LENGTH:
            continue
        for known, code in vocabulary:
            ratio = difflib.SequenceMatcher(None, word, known).ratio()
            if ratio >= FUZZY_RATIO and (best is None or ratio > best[0]):
                best = (ratio, code)
    return best[1] if best else None


def says_other(text: str, lang: str) -> bool:
    """Tell whether ``text`` says "none of these" ("other", "otra cosa", "غير ذلك")."""
    folded = fold(text.strip().strip(".!"))
    words = [fold(str(w)) for source in (terms(lang), terms("en"))
             for w in source.get("other_choice") or []]
    return folded in words


def match_choice(text: str, section: str, lang: str, known: frozenset[str]) -> str | None:
    """Map a typed answer to one of ``known``: words, then meaning, then spelling."""
    if not text.strip() or text.startswith("/"):
        return None
    if OTHER in known and says_other(text, lang):
        return OTHER
    candidates: list[str | None] = []
    if section == "legal_form":  # "an association, we'd like to become a cooperative"
        candidates.append(answered_form(text, lang))
        if candidates[-1] is None and INFORMAL in known and find(text, words(lang, "loose_forms")):
            # The answer to "what legal form?" is a group and no form the group has:
            # "solo un gruppo di mamme", "un grupo que quiere ser cooperativa".
            return INFORMAL
        if candidates[-1] is None and "legal_form" in extract(text, lang).evidence:
            return None  # only forms planned or denied: no word of it is the answer
    if section in _SENTENCE_READERS:
        candidates.append(_SENTENCE_READERS[section](text, lang))
        if section == "stage" and candidates[-1] is None and stage_named(text, lang):
            return None  # "non ne ho idea": a stage word that means no stage
    candidates.append(parse_choice(text, section, lang))
    if section in _EXTRACTED:
        candidates.append(getattr(extract(text, lang), section))
    candidates.append(_fuzzy(text, section, lang))
    for code in candidates:
        if code in known:
            return code
    return None


def own_words(text: str) -> str | None:
    """The user's answer kept as written, if it can stand for an option (short, not a command)."""
    words = " ".join(text.split())
    if not words or words.startswith("/") or not re.search(r"\w", words) or \
            len(words.split()) > MAX_OWN_WORDS:
        return None
    return words[:200]
