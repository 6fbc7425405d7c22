"""How many members or workers a sentence states: a number right before a member word.

"12 sòcies", "forty members", "είμαστε εννέα μέλη", "on iki üyemiz var", "٧ أعضاء": the number
in digits or in words (actions/number_words.py, all nine languages), then a member word of the
pack (terms.yml `member_words`) or a form spaCy's lookup lemmatizer reads as one ("miembras").
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from actions.folding import fold, terms
from actions.number_words import ROUND, number_in_words, rounded
from catalog.vocabulary import LANGUAGES

MAX_COUNT = 1_000_000
_REACH = 4  # words a number in words may take before the member word ("hundred and twenty")
_HYPHENS = frozenset("-‐‑")


@cache
def pipeline(lang: str) -> Language:
    """Return spaCy's blank pipeline for ``lang`` (its tokenizer)."""
    return spacy.blank(lang if lang in LANGUAGES else "xx")


@cache
def member_forms(lang: str) -> frozenset[str]:
    """Return the word forms that spaCy's lookup lemmatizer reads as a member word.

    The same answer as `token.lemma_` from the lookup lemmatizer (its table maps a form to
    its lemma; a form not in it is its own lemma), without keeping the table in memory:
    the nine languages' tables took about 1.1 GB and several seconds each on the first
    message in a language (docs/DECISIONS.md). Computed once per table and member-word
    list, then read from the user cache. Empty where spaCy has no table (el, ar).
    """
    words = _member_words(lang)
    try:
        import spacy_lookups_data

        source = Path(str(spacy_lookups_data.get_file(f"{lang}_lemma_lookup.json.gz")))
        version = f"{spacy_lookups_data.__version__}:{source.stat().st_size}"
    except (ImportError, OSError):
        return frozenset()
    key = hashlib.sha256(json.dumps([version, lang, sorted(words)]).encode()).hexdigest()
    cached = _cache_dir() / f"member-forms-{lang}-{key[:16]}.json"
    try:
        return frozenset(json.loads(cached.read_text("utf-8")))
    except (OSError, ValueError):
        pass
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        table: dict[str, Any] = json.load(handle)
    # A form with several lemmas is read as its first one, as the lemmatizer does.
    first = {form: lemma[0] if isinstance(lemma, list) and lemma else lemma
             for form, lemma in table.items()}
    lemmas = {lemma for lemma in set(first.values()) if isinstance(lemma, str)
              and fold(lemma) in words}
    forms = frozenset(form for form, lemma in first.items() if lemma in lemmas)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(sorted(forms), ensure_ascii=False), "utf-8")
    except OSError:
        pass  # read-only home: computed again by the next process
    return forms


def _cache_dir() -> Path:
    """Return the user cache folder (IESMED_CACHE_DIR, else $XDG_CACHE_HOME/iesmed)."""
    base = os.environ.get("IESMED_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "iesmed")
    return Path(base) / "lemma-forms"



@cache
def _member_words(lang: str) -> frozenset[str]:
    """Return the folded nouns that follow a head count, in ``lang`` and English."""
    return frozenset(fold(str(w)) for source in (terms(lang), terms("en"))
                     for w in (source.get("member_words") or []))


def members_count(text: str, lang: str) -> int | None:
    """Return the number of members/workers stated in ``text`` ("12 sòcies", "forty members").

    The number ends right before the member word or one word before it ("12 persones
    sòcies"), within the same clause; the first such count in the text is the one.
    """
    doc = pipeline(lang)(text)
    words = _member_words(lang)
    forms = member_forms(lang)
    for j, token in enumerate(doc):
        if j and (fold(token.text) in words or token.text in forms):
            for end in (j, j - 1):
                value = _count_ending_at(doc, end, lang)
                if value is not None:
                    return value
    return None


def _count_ending_at(doc: Any, end: int, lang: str) -> int | None:
    """The count whose last word is ``doc[end - 1]``, in digits or in words, if any.

    A round number in words ("una trentena") gives way to digits close to it written later
    in the text ("…, 31 exactament").
    """
    if end < 1 or doc[end - 1].is_punct:
        return None
    raw = doc[end - 1].text.replace(".", "").replace(",", "")
    if raw.isdigit():
        value: int | None = int(raw)
    elif number_in_words(doc[end - 1].text, lang) is None \
            and number_in_words(doc[end - 1].text, "en") is None:
        return None
    else:
        start = end - 1
        while start > max(0, end - _REACH) and not doc[start - 1].text.isdigit() \
                and (not doc[start - 1].is_punct or doc[start - 1].text in _HYPHENS):
            start -= 1  # "forty-one": the hyphen joins the number's words
        value = _number(doc[start:end].text, lang)
        if value is not None and rounded(doc[start:end].text, lang):
            value = next((int(t.text) for t in doc[end:] if t.text.isdigit()
                          and abs(int(t.text) - value) <= value * ROUND), value)
    return value if value is not None and 0 < value <= MAX_COUNT else None


def _number(text: str, lang: str) -> int | None:
    """A number written in words in ``lang`` (or English), never a word that may be another
    ("una", "nou")."""
    value = number_in_words(text, lang, weak=False)
    if value is None and lang != "en":
        value = number_in_words(text, "en", weak=False)
    return value
