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

import os
import re
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from actions.durations import stage_named, stage_said
from actions.folding import fold as fold
from actions.folding import terms as terms
from actions.head_count import member_forms, members_count, pipeline
from actions.mentions import Span, Splitter, compared_away, is_stop, plain, settled_forms
from actions.name_forms import ARTICLE, detach_particles, greek_forms, phrase_index
from catalog import heap
from catalog.places import marked_towns, town_countries
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
                 "GN", "BF", "VE", "UY",
                 # Latin America's social economy writes in Spanish too: a Rosario mutual
                 # answered "Argentina" and was told the country was unknown.
                 "AR", "CO", "BO", "PY", "CR", "PA", "GT", "HN", "NI", "DO",
                 # The other Portuguese-speaking countries of Africa ("expandir para a
                 # Guiné-Bissau" was read as Guinea, the word before the hyphen).
                 "GW", "ST")
# Countries whose names are also common words or names ("chile" and "chili" a pepper, "peru"
# a turkey in Portuguese, "cuba" a vat, "Salvador" a Brazilian city and a first name,
# "ισημερινός" the equator): a country only when it is the whole answer, or the part after
# a comma ("Valparaíso, Chile"), never found inside a sentence.
ANSWER_ONLY_CODES = ("CL", "PE", "CU", "SV", "EC")
_NUMBER = re.compile(r"\d[\d.,\s]*")


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
    # Sections the text names without settling (several options, or a plan, or a denial).
    unsure: set[str] = field(default_factory=set)


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
def answer_only_names() -> dict[str, str]:
    """Map the names of ANSWER_ONLY_CODES in the nine languages (folded) to their codes."""
    names: dict[str, str] = {}
    for lang in LANGUAGES:
        territories = Locale.parse(lang).territories
        for code in ANSWER_ONLY_CODES:
            if code in territories:
                names[fold(territories[code])] = code
    return names


def answer_only_country(text: str) -> str | None:
    """The country of ANSWER_ONLY_CODES a whole answer names ("Chile", "Lima, Perú")."""
    names = answer_only_names()
    parts = [text, *text.split(",")[1:]] if "," in text else [text]
    for part in parts:
        name = part.strip().strip(".!?")
        code = names.get(fold(name))
        if code and not town_countries(name):  # "Salvador" alone is the Brazilian city
            return code
    return None


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
    if stripped in ANSWER_ONLY_CODES:
        return stripped  # a code as the slots hold it ("CL"); never a word in lower case
    names = country_names()
    return names.get(fold(stripped)) or names.get(detach_countries(fold(stripped)).strip())


@cache
def _matchers(lang: str) -> tuple[Language, dict[str, PhraseMatcher]]:
    """Build one PhraseMatcher per field, on folded text, from the language pack."""
    nlp = pipeline(lang)
    pack = terms(lang)
    english = terms("en") if lang != "en" else {}
    matchers: dict[str, PhraseMatcher] = {}
    for section in ("legal_form", "sector", "need_category"):
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


def _spans(matcher: PhraseMatcher, doc: Any, nlp: Language) -> list[Span]:
    """Every match, longest first where they overlap, in the order of the text."""
    spans: list[Span] = []
    for match_id, start, end in sorted(matcher(doc), key=lambda m: (m[1] - m[2], m[1])):
        if all(end <= s.start or start >= s.end for s in spans):
            spans.append(Span(nlp.vocab.strings[match_id], start, end))
    return sorted(spans, key=lambda s: s.start)


def _only(spans: list[Span], section: str, result: Extracted) -> str | None:
    """The one code the spans name; with none or several left, the section is unsure when
    the text named it at all."""
    codes = {s.code for s in spans}
    if len(codes) == 1:
        return next(iter(codes))
    if codes or section in result.evidence:
        result.unsure.add(section)
    return None


def _most(spans: list[Span], section: str, result: Extracted) -> str | None:
    """The code most of the spans name ("cooperativa d'habitatge … 20 habitatges … solar"
    is housing); a tie is unsure."""
    counts = Counter(s.code for s in spans).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        result.unsure.add(section)
        return None
    return counts[0][0] if counts else None


@cache
def _splitter(lang: str) -> Splitter:
    """Split a cue phrase into words as the message is split (spaCy's tokenizer)."""
    nlp = pipeline(lang if lang in LANGUAGES else "en")
    return lambda phrase: [token.text for token in nlp.make_doc(phrase)]


def name_form(name: str, lang: str) -> str | None:
    """The legal form an organisation's name carries ("Σωματείο Γονέων …", "… Derneği"),
    when it carries one only; a group word ("مبادرة …", an initiative) is none."""
    nlp, matchers = _matchers(lang if lang in LANGUAGES else "en")
    doc = _folded_doc(nlp, name[:300])
    forms = settled_forms([token.text for token in doc],
                          _spans(matchers["legal_form"], doc, nlp), lang, _splitter(lang),
                          loose=False)
    codes = {s.code for s in forms}
    return next(iter(codes)) if len(codes) == 1 else None


def answered_form(text: str, lang: str) -> str | None:
    """The legal form an answer to the legal-form question gives: of the forms it says the
    organisation is (not planned, not denied), the longest ("srl impresa sociale")."""
    nlp, matchers = _matchers(lang if lang in LANGUAGES else "en")
    doc = _folded_doc(nlp, text[:2000])
    forms = settled_forms([token.text for token in doc],
                          _spans(matchers["legal_form"], doc, nlp), lang, _splitter(lang))
    if not forms:
        return None
    return max(forms, key=lambda s: (s.end - s.start, -s.start)).code


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
    for section in ("legal_form", "sector", "need_category", "country"):
        # "مقرنا بالمغرب": the country's doc has the particle set apart from the name.
        found = _best(matchers[section], doc if section != "country"
                      else _folded_doc(nlp, detach_countries(fold(text))), nlp)
        if found:
            setattr(result, section, found[0])
            result.evidence[section] = found[1]
    # A message that names several legal forms or sectors, or only a planned or denied one,
    # settles none: the question is asked (a wrong prefill is never asked about).
    words = [token.text for token in doc]
    forms = settled_forms(words, _spans(matchers["legal_form"], doc, nlp), lang,
                          _splitter(lang))
    result.legal_form = _only(forms, "legal_form", result)
    _needs_compared(result, words, _spans(matchers["need_category"], doc, nlp), lang)
    result.sector = _most(_spans(matchers["sector"], doc, nlp), "sector", result)
    result.stage = stage_said(text, lang)
    if result.stage is None and stage_named(text, lang):
        result.unsure.add("stage")
    result.members = members_count(text, lang) or _members_of_form(words, forms)
    result.city = _city(text, result, lang)
    if result.country and fold(result.evidence.get("country", "")) in {
            fold(town) for town in marked_towns(text)}:
        result.country = None  # "في عمّان": the town Amman, whose letters also spell Oman
    return result


_LINK = 3  # letters at most of the word joining a legal form to its head count ("of", "de")
_YEARS = range(1800, 2101)  # "una cooperativa de 1985" is a date, not a head count


def _members_of_form(words: list[str], forms: list[Span]) -> int | None:
    """The head count a legal form is said with: "a coop of 12 in Lyon", "una coope de 12",
    "une coopérative de 12 à Lyon"; not a year, not a number with its unit ("de 12 anys")."""
    for span in forms:
        after = [plain(w) for w in words[span.end:span.end + 3]]
        if len(after) < 2 or len(after[0]) > _LINK or not after[1].isdigit():
            continue
        value, rest = int(after[1]), after[2] if len(after) > 2 else ""
        if value > 0 and value not in _YEARS and (not rest or is_stop(rest)
                                                  or len(rest) <= 2):
            return value
    return None


def _needs_compared(result: Extracted, words: list[str], spans: list[Span], lang: str) -> None:
    """Of two needs named, the one put second ("more advice than money", "más que dinero,
    asesoramiento") is not the need: the other is, whatever their order."""
    if len({s.code for s in spans}) < 2:
        return
    kept = [s for s in spans if not compared_away(words, s.start, lang, _splitter(lang))]
    if kept and len(kept) < len(spans):
        best = max(kept, key=lambda s: (s.end - s.start, -s.start))
        result.need_category = best.code
        result.evidence["need_category"] = " ".join(words[best.start:best.end])


def _city(text: str, known: Extracted, lang: str = "en") -> str | None:
    """Where the organisation is, if the text says it (actions/city_reading.py)."""
    from actions.city_reading import city_in  # it reads countries with this module

    return city_in(text, known, lang)


def warm_up() -> None:
    """Build every language's matchers and member forms ahead of the first message.

    The first message in a language otherwise waits for them (a second or more on two
    cores). Started by the action server (actions/server.py) when IESMED_WARM_UP=1 (set
    by the launcher: it runs while Rasa loads its model), or by the worker of rasa-sdk's
    own server.
    """
    for lang in LANGUAGES:
        _matchers(lang)
        member_forms(lang)
    heap.settle()  # what was just built lives until the worker stops


if os.environ.get("IESMED_WARM_UP") == "1" and os.environ.get("SANIC_WORKER_NAME"):
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
