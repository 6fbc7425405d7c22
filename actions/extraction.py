"""Structure from free text: legal form, sector, country, city, size, stage and need.

Users often describe themselves in one long message ("Som una cooperativa de
12 sòcies a Girona que fa formatges i volem exportar a França"). This module
reads such text with spaCy's blank pipeline for the message's language (no
trained pipeline can be downloaded), the lemma lookup tables of
spacy-lookups-data where the language has one, and PhraseMatchers built from
the language packs (nlu/<lang>/terms.yml) and Babel's country names in all
nine languages. Everything is pure functions over text: testable without Rasa.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import spacy
from babel import Locale
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from actions.name_forms import ARTICLE, detach_particles, greek_forms, phrase_index
from catalog.languages import pack_file
from catalog.vocabulary import LANGUAGES

# Countries users of this service name most; others are accepted by ISO code too.
COUNTRY_CODES = ("ES", "FR", "IT", "PT", "GR", "TR", "MA", "DZ", "TN", "LY", "EG", "LB", "SY",
                 "IL", "PS", "JO", "CY", "MT", "HR", "SI", "BA", "ME", "AL", "MC", "AD", "DE",
                 "GB", "BE", "NL", "CH", "AT", "US", "SN", "MR", "RS", "MK", "BG", "RO",
                 # Where members of the network's diasporas and partners also write from
                 # (a Recife cooperative answered "Brasil" and was told the country was
                 # unknown). Names that are common words elsewhere stay out ("Mali" is
                 # Italian for ills, "Chile" a Spanish pepper, NO/CA are words as codes).
                 "BR", "IQ", "SD", "SA", "YE", "AE", "QA", "KW", "OM", "IE", "PL", "CZ",
                 "HU", "LU", "DK", "SE", "FI", "UA", "MX", "CV", "AO", "MZ", "CI", "CM",
                 "GN", "BF", "VE", "UY")
_NUMBER = re.compile(r"\d[\d.,\s]*")
_WORD_NUMBERS = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20},
    "es": {"dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
           "nueve": 9, "diez": 10, "once": 11, "doce": 12, "quince": 15, "veinte": 20},
    "ca": {"dues": 2, "dos": 2, "tres": 3, "quatre": 4, "cinc": 5, "sis": 6, "set": 7,
           "vuit": 8, "nou": 9, "deu": 10, "onze": 11, "dotze": 12, "quinze": 15, "vint": 20},
    "fr": {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
           "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20},
    "it": {"due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7, "otto": 8,
           "nove": 9, "dieci": 10, "undici": 11, "dodici": 12, "quindici": 15, "venti": 20},
    "pt": {"dois": 2, "duas": 2, "três": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7,
           "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "quinze": 15, "vinte": 20},
}


@dataclass
class Extracted:
    """What a message says about the organisation and its need (codes, not words)."""

    legal_form: str | None = None
    sector: str | None = None
    country: str | None = None
    city: str | None = None
    stage: str | None = None
    members: int | None = None
    need_category: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)


def fold(text: str) -> str:
    """Lower-case and strip accents (Greek tonos included) for tolerant matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(lang: str) -> dict[str, Any]:
    """Return the language pack's terms.yml (empty if the language has none)."""
    return pack_file(lang, "terms.yml")


@cache
def country_names() -> dict[str, str]:
    """Map every known country name (any of the nine languages, folded) to its ISO code.

    Greek names come in their cases too ("Ιταλίας", "στον Λίβανο", "του Μαρόκου"): a form
    that would name another country as well, or is already a name, is not added.
    """
    names: dict[str, str] = {}
    greek: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        territories = Locale.parse(lang).territories
        for code in COUNTRY_CODES:
            if code in territories:
                names[fold(territories[code])] = code
                if lang == "el":
                    greek.setdefault(code, set()).add(fold(territories[code]))
        for code, extra in (terms(lang).get("countries") or {}).items():
            for name in extra or []:
                names[fold(str(name))] = str(code)
                if lang == "el":
                    greek.setdefault(str(code), set()).add(fold(str(name)))
    declined: dict[str, set[str]] = {}
    for code, nominatives in greek.items():
        for nominative in nominatives:
            for form in greek_forms(nominative):
                declined.setdefault(form, set()).add(code)
    for form, codes in declined.items():
        if len(codes) == 1 and form not in names:
            names[form] = next(iter(codes))
    return names


@cache
def _attachable() -> Mapping[str, tuple[str, ...]]:
    """The Arabic country names a particle may be attached to ("بالمغرب", "وتونس").

    A bare form of a name that takes the article ("مغرب", "جزائر" beside "المغرب",
    "الجزائر") is left out: after a particle it is the common noun ("وجزائر": and islands).
    """
    names = country_names()
    firsts = {name.split()[0] for name in names if name.split()}
    return phrase_index(tuple(name for name in names if name.startswith(ARTICLE)
                              or ARTICLE + name.split()[0] not in firsts))


def detach_countries(folded: str) -> str:
    """Folded text with the Arabic particles attached to a country name set apart.

    As long as ``folded``, so that a country found in it is where it is in the text.
    """
    return detach_particles(folded, _attachable())


def country_code(text: str) -> str | None:
    """Return the ISO code of a country named in any supported language, or given as a code."""
    stripped = text.strip().strip(".!?")
    if re.fullmatch(r"[A-Za-z]{2}", stripped) and stripped.upper() in COUNTRY_CODES:
        return stripped.upper()
    names = country_names()
    return names.get(fold(stripped)) or names.get(detach_countries(fold(stripped)).strip())


@cache
def _pipeline(lang: str) -> Language:
    """Return spaCy's blank pipeline for ``lang`` (its tokenizer)."""
    return spacy.blank(lang if lang in LANGUAGES else "xx")


@cache
def _member_forms(lang: str) -> frozenset[str]:
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
def _matchers(lang: str) -> tuple[Language, dict[str, PhraseMatcher]]:
    """Build one PhraseMatcher per field, on folded text, from the language pack."""
    nlp = _pipeline(lang)
    pack = terms(lang)
    english = terms("en") if lang != "en" else {}
    matchers: dict[str, PhraseMatcher] = {}
    for section in ("legal_form", "sector", "stage", "need_category"):
        matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for source in (pack, english):
            for code, synonyms in (source.get(section) or {}).items():
                patterns = [nlp.make_doc(fold(str(s))) for s in synonyms or [] if str(s).strip()]
                if patterns:
                    matcher.add(str(code), patterns)
        matchers[section] = matcher
    countries = PhraseMatcher(nlp.vocab, attr="NORM")
    for name, code in country_names().items():
        countries.add(code, [nlp.make_doc(name)])
    matchers["country"] = countries
    return nlp, matchers


def _folded_doc(nlp: Language, text: str) -> Any:
    doc = nlp.make_doc(fold(text))
    for token in doc:
        token.norm_ = token.text
    return doc


def _best(matcher: PhraseMatcher, doc: Any, nlp: Language) -> tuple[str, str] | None:
    """Return (code, matched words) of the longest match, earliest first."""
    matches = matcher(doc)
    if not matches:
        return None
    match_id, start, end = max(matches, key=lambda m: (m[2] - m[1], -m[1]))
    return nlp.vocab.strings[match_id], doc[start:end].text


@cache
def _member_words(lang: str) -> frozenset[str]:
    """Return the folded nouns that follow a head count, in ``lang`` and English."""
    return frozenset(fold(str(w)) for source in (terms(lang), terms("en"))
                     for w in (source.get("member_words") or []))


def members_count(text: str, lang: str) -> int | None:
    """Return the number of members/workers stated in ``text`` ("12 sòcies", "forty members")."""
    nlp = _pipeline(lang)
    words = _member_words(lang)
    doc = nlp(text)
    numbers = _WORD_NUMBERS.get(lang, {})
    for i, token in enumerate(doc[:-1]):
        value: int | None = None
        raw = token.text.replace(".", "").replace(",", "")
        if raw.isdigit():
            value = int(raw)
        elif fold(token.text) in numbers:
            value = numbers[fold(token.text)]
        if value is None or value <= 0 or value > 1_000_000:
            continue
        for follower in doc[i + 1:i + 3]:
            if fold(follower.text) in words or follower.text in _member_forms(lang):
                return value
    return None


# The form's validator reads every prefillable field from the same message each turn
# (seven calls): the message is read once. Callers never change what they get.
@lru_cache(maxsize=64)
def extract(text: str, lang: str) -> Extracted:
    """Read what ``text`` (in ``lang``) says about the organisation and its need."""
    result = Extracted()
    if not text or not text.strip():
        return result
    text = text[:2000]
    nlp, matchers = _matchers(lang if lang in LANGUAGES else "en")
    doc = _folded_doc(nlp, text)
    for section in ("legal_form", "sector", "stage", "need_category", "country"):
        # "مقرنا بالمغرب": the country's doc has the particle set apart from the name.
        found = _best(matchers[section], doc if section != "country"
                      else _folded_doc(nlp, detach_countries(fold(text))), nlp)
        if found:
            setattr(result, section, found[0])
            result.evidence[section] = found[1]
    result.members = members_count(text, lang)
    result.city = _city(text, result, lang)
    return result


def _city(text: str, known: Extracted, lang: str = "en") -> str | None:
    """Where the organisation is, if the text says it (actions/city_reading.py)."""
    from actions.city_reading import city_in  # it reads countries with this module

    return city_in(text, known, lang)


def warm_up() -> None:
    """Build every language's matchers and member forms ahead of the first message.

    The first message in a language otherwise waits for them (a second or more on two
    cores). Started by the action server's worker when IESMED_WARM_UP=1 (set by the
    launcher: it runs while Rasa loads its model).
    """
    for lang in LANGUAGES:
        _matchers(lang)
        _member_forms(lang)


if os.environ.get("IESMED_WARM_UP") == "1" and os.environ.get("SANIC_WORKER_NAME"):
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
