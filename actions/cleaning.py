"""Tidy values as people type them: a person's name without their job title, an organisation's
name whole (legal suffix and quoted name kept), and refusals that answer no question.

The words come from the language packs (nlu/<lang>/fields.yml, English merged in): data,
not code, and read by the action server only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from actions.folding import fold_chars, terms
from catalog.languages import pack_file
from catalog.vocabulary import LANGUAGES

_LETTER = r"[^\W\d_]"
_APOSTROPHES = str.maketrans("’‘`´", "''''")
# Where a clause ends: a comma, semicolon, bracket, dash between spaces, or a full stop
# followed by a space (a suffix such as "S. Coop." is protected separately).
# Arabic writes its own comma, semicolon and question mark ("جمعية الأمل، في سوسة").
_BREAK = re.compile(r"\s*(?:[,;:(\n،؛]|\s[-–—]\s|[.!?؟](?=\s|$))\s*")
_QUOTED = re.compile(r"[«\"“„‹'](?=\S)([^«»\"“”„‹›]{2,120}?)(?<=\S)[»\"”“›']")
NAME_LIMIT = 12  # words: a longer answer is a sentence that holds a name, not the name


@dataclass(frozen=True)
class Found:
    """A phrase of the pack found in a text: where, and which field or section it names."""

    start: int
    end: int
    phrase: str
    tag: str


# Question marks of the nine languages' scripts; Greek also writes ";" (and U+037E).
_QUESTION_MARK = re.compile(r"[?¿؟\u037e]")


def is_question(text: str, lang: str) -> bool:
    """Whether ``text`` carries a question mark of its language."""
    return bool(_QUESTION_MARK.search(text)) or (lang == "el" and ";" in text)


def fold(text: str) -> str:
    """Fold for matching (case, accents, apostrophes), keeping every character's position."""
    return fold_chars(text.translate(_APOSTROPHES))


def _load(lang: str) -> dict[str, Any]:
    return pack_file(lang, "fields.yml")


@cache
def words(lang: str, section: str) -> tuple[str, ...]:
    """Return the folded phrases of a list section, the language's and English, longest first."""
    langs = (lang, "en") if lang in LANGUAGES and lang != "en" else ("en",)
    found = {fold(str(w)).strip() for code in langs for w in (_load(code).get(section) or [])}
    return tuple(sorted((w for w in found if w), key=len, reverse=True))


@cache
def field_words(lang: str) -> tuple[tuple[str, str], ...]:
    """Return (folded phrase, field) pairs that name a field, longest first."""
    langs = (lang, "en") if lang in LANGUAGES and lang != "en" else ("en",)
    pairs = {(fold(str(w)).strip(), str(field)) for code in langs
             for field, phrases in (_load(code).get("fields") or {}).items()
             for w in phrases or []}
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as a regex that matches whole words only ("il" never inside "Sicilia").

    Compiled once per phrase: the packs hold thousands of phrases (every country in nine
    languages), far more than the ``re`` module's own cache keeps, so compiling on each
    call was a third of the action server's time per message (docs/DECISIONS.md).
    """
    body = re.escape(phrase).replace(r"\ ", r"\s+")
    head = rf"(?<!{_LETTER})" if re.match(_LETTER, phrase) else ""
    tail = "" if phrase.endswith("'") or not re.search(rf"{_LETTER}$", phrase) \
        else rf"(?!{_LETTER})"
    return re.compile(head + body + tail)


def _squashed(text: str) -> str:
    """``text`` with every run of whitespace as one space (for a quick containment test)."""
    return " ".join(text.split())


def find(text: str, phrases: tuple[str, ...] | tuple[tuple[str, str], ...]) -> list[Found]:
    """Find the phrases in ``text``; overlapping matches keep the longest."""
    folded = fold(text)
    # A phrase can only match where its words occur in order with single spaces between
    # them once whitespace is squashed: a substring test skips the regex for the others.
    squashed = f" {_squashed(folded)} "
    hits: list[Found] = []
    for item in phrases:
        phrase, tag = item if isinstance(item, tuple) else (item, item)
        if _squashed(phrase) not in squashed:
            continue
        for match in _pattern(phrase).finditer(folded):
            if not any(h.start < match.end() and match.start() < h.end for h in hits):
                hits.append(Found(match.start(), match.end(), phrase, tag))
    return sorted(hits, key=lambda h: h.start)


def strip_leading(text: str, phrases: tuple[str, ...]) -> str:
    """Remove any of ``phrases`` (and punctuation) from the start of ``text``, repeatedly."""
    for _ in range(6):
        trimmed = text.lstrip(" \t:=-–—,.")
        folded = fold(trimmed)
        for phrase in phrases:
            match = _pattern(phrase).match(folded)
            if match:
                trimmed = trimmed[match.end():]
                break
        else:
            return trimmed.strip()
        text = trimmed
    return text.strip()


def _protected(text: str, lang: str) -> list[tuple[int, int]]:
    """Spans no cut may fall into: legal suffixes ("S. Coop.", "SCCL") and quoted names."""
    spans = [(h.start, h.end) for h in find(text, words(lang, "legal_suffixes"))]
    spans += [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    return spans


def first_clause(text: str, lang: str, joined: frozenset[int] = frozenset()) -> str:
    """Return ``text`` up to the first clause break that is not inside a protected span.

    A break right before a legal suffix ("Brisa, S.Coop.") is no break either, nor one
    that ends at a position of ``joined``.
    """
    protected = _protected(text, lang)
    suffix_starts = {start for start, _ in protected} | joined
    for match in _BREAK.finditer(text):
        inside = any(start <= match.start() < end for start, end in protected)
        if inside or match.end() in suffix_starts or match.start() == 0:
            continue
        return text[:match.start()].strip()
    return text.strip()


_DASH = re.compile(r"\s[-–—]\s*")


def _dashed_forms(text: str, lang: str) -> frozenset[int]:
    """Where a legal form follows a dash: "Sul Sonoro - Associação Cultural" is one name."""
    forms = legal_form_words(lang)
    return frozenset(m.end() for m in _DASH.finditer(text)
                     if (hit := find(text[m.end():], forms)) and hit[0].start == 0)


@cache
def legal_form_words(lang: str) -> tuple[str, ...]:
    """The legal forms' words of the pack's terms.yml, ``lang`` and English, longest first."""
    langs = (lang, "en") if lang in LANGUAGES and lang != "en" else ("en",)
    found = {fold(str(w)).strip() for code in langs
             for synonyms in (terms(code).get("legal_form") or {}).values()
             for w in synonyms or []}
    return tuple(sorted((w for w in found if w), key=len, reverse=True))


def _cut_at(text: str, hits: list[Found]) -> str:
    """Return ``text`` up to the first hit that follows at least one word."""
    for hit in hits:
        if re.search(rf"{_LETTER}", text[:hit.start]):
            return text[:hit.start].strip()
    return text


def clean_person_name(text: str, lang: str) -> str:
    """Return a person's name alone: "Γιώργος Μανωλάκης, ειμαι ο προεδρος του ΔΣ" → the name.

    A lead-in ("my name is", "sóc") goes; the name ends at a clause break, a job title
    or a self-description ("I am the president").
    """
    leads = words(lang, "self") + tuple(
        p for p, field in field_words(lang) if field == "contact_name")
    whole = _without_article(strip_leading(text.strip(), leads), lang)
    name = _person_in(first_clause(whole, lang), lang)
    if name and not _capitalised(name):
        # "mi compañera, Valeria Sosa": a description first, the written name after it.
        later = _BREAK.split(whole)[1:]
        named = next((piece for piece in later if _capitalised(piece.strip()[:1])), None)
        if named is not None:
            name = _person_in(first_clause(strip_leading(named, leads), lang), lang) or name
    return name


# Catalan names a person with an article ("és la Joana Vidal", "en Marc", "na Maria"): it
# is no part of the name when a capitalised word follows it.
_PERSONAL_ARTICLES = {"ca": re.compile(r"(?:la|el|en|na)\s+(?=[A-ZÀ-Ý])|l'(?=[A-ZÀ-Ý])",
                                       re.IGNORECASE)}


def _without_article(name: str, lang: str) -> str:
    """``name`` without the personal article the language puts before a person's name."""
    article = _PERSONAL_ARTICLES.get(lang)
    match = article.match(name) if article else None
    return name[match.end():] if match and name[match.end():][:1].isupper() else name


def _person_in(clause: str, lang: str) -> str:
    """A clause cut at a self-description or a job title ("Ana Ruiz, sono la presidente")."""
    name = _cut_at(clause, find(clause, words(lang, "self")))
    name = _cut_at(name, find(name, words(lang, "job_titles")))
    return name.strip(" .,;:-–—")


def _capitalised(text: str) -> bool:
    """Whether a word of ``text`` starts with a capital letter, as written names do."""
    return any(word[:1].isupper() for word in text.split())


def clean_org_name(text: str, lang: str, entity: str | None = None) -> str:
    """Return an organisation's name whole: legal suffix and quoted name kept.

    The answer is the name once its lead-in ("we are called", "ens diem") is gone and it is
    cut at its first clause break. A sentence too long to be a name falls back on the
    model's entity, widened to the quotes and legal suffix written next to it.
    """
    naming = tuple(p for p, field in field_words(lang) if field == "org_name")
    leads = words(lang, "self") + naming
    named = [h for h in find(text, naming) if h.start > 0]
    if named and len(text[:named[0].start].split()) > 3:
        text = text[named[0].start:]  # "we are a small coop called X": the name follows
    name = strip_leading(text.strip(), leads)
    name = first_clause(name, lang, _dashed_forms(name, lang))
    if len(name.split()) > NAME_LIMIT and entity and entity in text:
        name = _widen(text, entity, lang)
    return _unquote(name.strip(" ,;:-–—")).strip()


def _widen(text: str, entity: str, lang: str) -> str:
    """Widen an entity to the quotes around it and the legal suffix right after it."""
    start = text.index(entity)
    end = start + len(entity)
    for low, high in _protected(text, lang):
        if low <= end + 2 and high >= start - 2:
            start, end = min(start, low), max(end, high)
    return text[start:end]


def _unquote(name: str) -> str:
    """Drop quotes that wrap the whole name; quotes inside it stay ("Coop «El Rebost»")."""
    match = _QUOTED.fullmatch(name)
    return match.group(1) if match else name


def is_refusal(text: str, intent: str | None, confidence: float, lang: str) -> bool:
    """Whether a message refuses to go on rather than answering the question.

    "no no, non voglio una nuova richiesta" says so in words of the pack; a bare "no" read
    as a refusal by the model says so too. "No Borders Coop" answers the question.
    """
    if find(text, words(lang, "refusals")):
        return True
    if intent not in ("deny", "stop_form") or confidence < 0.5:
        return False
    remainder = re.sub(r"[\W\d_]+", " ", fold(text)).split()
    negations = {"no", "non", "nope", "nao", "oxi", "hayir", "yok", "la", "nah", "not"}
    return all(word in negations for word in remainder)


def message(lang: str, key: str) -> str:
    """Return a text of the pack's `messages:` in ``lang`` (English when it lacks one)."""
    texts = _load(lang if lang in LANGUAGES else "en").get("messages") or {}
    return str(texts.get(key) or (_load("en").get("messages") or {}).get(key, ""))
