"""How soon and how long, in words: the timeline and stage questions answered in a sentence.

"non c'è fretta", "before summer", "σε δυο τρεις μήνες", "2019'dan beri", "since 2005",
"we've been going for over 20 years": the answer names a hurry (or its absence), a span of
time, a month or a season, or how long the organisation has existed. The words are data in
each language pack (nlu/<lang>/terms.yml, sections `timeline`, `stage` and `time_words`);
month names come from Babel. Pure functions over text, with today's date as an argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from babel import Locale

from actions.folding import fold, terms
from actions.mentions import stage_meant
from catalog.vocabulary import LANGUAGES

URGENT, SOON, WITHIN_YEAR, NO_RUSH = "urgent", "3_months", "12_months", "no_rush"
UNIT_MONTHS = {"day": 1 / 30, "week": 0.25, "month": 1.0, "year": 12.0}
MANY_YEARS = 10.0  # "for years", "da anni": long enough to be consolidated
STARTING_YEARS, GROWING_YEARS = 2.0, 7.0  # below 2 years starting, below 7 growing
_WINDOW = 3  # words between a negation and the hurry it denies, or a number and its unit
_TOKEN = re.compile(r"\w+|[,.;:!?¿¡،؛]")  # "c'è", "2019'dan": apostrophes split words
_STOPS = frozenset(",.;:!?¿¡،؛")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
# Arabic joins "and", "so", "in", "with" to the next word: "فالبداية", "وبنكبر".
_ARABIC_CLITICS = ("و", "ف", "ب", "ل", "ك")
SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}


def _norm(text: str) -> str:
    """Fold for matching; the Turkish dotless i as a plain i ("yıl", "yil")."""
    return fold(text).replace("ı", "i")


def tokens(text: str, lang: str) -> list[str]:
    """The words of ``text``, folded; in Arabic a joined conjunction is cut off a word when
    what remains is a word of the vocabulary ("فالبداية" → "البداية")."""
    words = _TOKEN.findall(_norm(text))
    if lang != "ar":
        return words
    known = _known_ar()
    return [w[1:] if len(w) > 3 and w[0] in _ARABIC_CLITICS and w not in known
            and w[1:] in known else w for w in words]


@cache
def _known_ar() -> frozenset[str]:
    """The Arabic words of the pack's time, stage and website vocabulary."""
    pack = terms("ar")
    phrases: list[str] = []
    for section in ("timeline", "stage"):
        for values in (pack.get(section) or {}).values():
            phrases += [str(v) for v in values or []]
    words = pack.get("time_words") or {}
    phrases += [str(w) for w in words.get("numbers") or {}]
    for key in ("few", "many_years", "decades", "centuries", "negations"):
        phrases += [str(w) for w in words.get(key) or []]
    for key in ("units", "one", "dual", "seasons"):
        for values in (words.get(key) or {}).values():
            phrases += [str(v) for v in values or []]
    web = pack.get("web") or {}
    phrases += [str(w) for w in web.get("none") or []]
    for values in (web.get("social") or {}).values():
        phrases += [str(v) for v in values or []]
    return frozenset(w for p in phrases for w in _TOKEN.findall(_norm(p)))


def split_phrase(phrase: str) -> list[str]:
    """A phrase's words as :func:`tokens` gives them (Arabic clitics left on)."""
    return _TOKEN.findall(_norm(phrase))


def _split(phrase: str) -> tuple[str, ...]:
    return tuple(w for w in _TOKEN.findall(_norm(phrase)) if w not in _STOPS)


@cache
def _phrases(lang: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Timeline and stage phrases per code ("timeline:urgent" → token tuples), lang + English."""
    table: dict[str, set[tuple[str, ...]]] = {}
    for source in (terms(lang), terms("en")):
        for section in ("timeline", "stage"):
            for code, phrases in (source.get(section) or {}).items():
                key = f"{section}:{code}"
                table.setdefault(key, set()).update(
                    p for p in (_split(str(s)) for s in phrases or []) if p)
    return {key: tuple(sorted(v, key=len, reverse=True)) for key, v in table.items()}


@cache
def _words(lang: str) -> dict[str, frozenset[str]]:
    """Single-word lists of `time_words` (units, quantities, negations), lang + English."""
    table: dict[str, set[str]] = {}
    for source in (terms(lang), terms("en")):
        words = source.get("time_words") or {}
        for key in ("few", "couple", "connectors", "many_years", "decades", "centuries"):
            table.setdefault(key, set()).update(_norm(str(w)) for w in words.get(key) or [])
        for unit in UNIT_MONTHS:
            for kind in ("units", "dual", "one"):
                table.setdefault(f"{kind}:{unit}", set()).update(
                    _norm(str(w)) for w in (words.get(kind) or {}).get(unit) or [])
    # Negations only in the user's own language: "no" is "in the" in Portuguese.
    table["negations"] = {_norm(str(w)) for w in
                          (terms(lang).get("time_words") or {}).get("negations") or []}
    return {key: frozenset(v) for key, v in table.items()}


@cache
def _numbers(lang: str) -> dict[str, int]:
    """Number words of the user's language ("three", "τρεις", "üç", "تلاتة")."""
    words = (terms(lang).get("time_words") or {}).get("numbers") or {}
    return {_norm(str(word)): int(value) for word, value in words.items()}


@cache
def _calendar(lang: str) -> dict[tuple[str, ...], int]:
    """Month names (Babel, every form it has) and season words → the month they start in."""
    names: dict[tuple[str, ...], int] = {}
    for code in {lang if lang in LANGUAGES else "en", "en"}:
        months = Locale.parse(code).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in (months.get(context, {}).get(width) or {}).items():
                    key = _split(str(name).strip("."))
                    if key and len("".join(key)) >= 4:  # "may", "mar" are other words too
                        names[key] = int(number)
    for source in (terms("en"), terms(lang)):
        for season, words in ((source.get("time_words") or {}).get("seasons") or {}).items():
            for word in words or []:
                if _split(str(word)):
                    names[_split(str(word))] = SEASON_START[str(season)]
    return names


@dataclass(frozen=True)
class _Match:
    key: str
    start: int
    end: int


@cache
def _candidates(lang: str, prefix: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    """The phrases whose key starts with ``prefix``, longest first (ties in pack order)."""
    candidates = [(phrase, key) for key, phrases in _phrases(lang).items()
                  if key.startswith(prefix) for phrase in phrases if phrase]
    candidates.sort(key=lambda item: len(item[0]), reverse=True)
    return tuple(candidates)


def _find(words: list[str], lang: str, prefix: str) -> list[_Match]:
    """Longest phrases first, never overlapping: "not urgent" wins over "urgent"."""
    found: list[_Match] = []
    taken: set[int] = set()
    # A phrase can only start where its first word is (read at every answer: the pack's
    # phrases are tried at those places only, not at every word of the message).
    at: dict[str, list[int]] = {}
    for index, word in enumerate(words):
        at.setdefault(word, []).append(index)
    for phrase, key in _candidates(lang, prefix):
        size = len(phrase)
        for start in at.get(phrase[0], ()):
            if start + size > len(words):
                break
            span = set(range(start, start + size))
            if tuple(words[start:start + size]) == phrase and not span & taken:
                found.append(_Match(key.split(":", 1)[1], start, start + size))
                taken |= span
    return found


def _negated(words: list[str], start: int, lang: str) -> bool:
    """Whether a negation comes just before ``start`` ("not urgent", "non c'è fretta")."""
    negations = _words(lang)["negations"]
    return any(w in negations for w in _before(words, start))


def _before(words: list[str], index: int) -> list[str]:
    """The few words before ``index`` in the same clause (no comma or full stop between)."""
    window = words[max(0, index - _WINDOW):index]
    stops = [i for i, w in enumerate(window) if w in _STOPS]
    return window[stops[-1] + 1:] if stops else window


def _count_before(words: list[str], index: int, lang: str) -> float | None:
    """The number said right before a unit word ("2 o 3 mesos": the largest), if any."""
    numbers = _numbers(lang)
    table = _words(lang)
    values: list[float] = []
    for word in reversed(_before(words, index)):
        if word.isdigit():
            values.append(float(int(word)))
        elif word in numbers:
            values.append(float(numbers[word]))
        elif word in table["couple"]:
            values.append(2.0)
        elif word in table["few"]:
            values.append(3.0)
        elif word not in table["connectors"]:
            break  # "un any mes o menys": "mes" has no number of its own
    return max(values) if values else None


def spans(text: str, lang: str) -> list[float]:
    """Every span of time ``text`` states, in months ("dos meses" 2, "a year" 12).

    A unit counts with a number before it, as a dual ("شهرين"), as a bare word that means
    one in languages without an article ("خلال سنة"), or, for years, as a plural meaning
    many ("for years", "da anni").
    """
    words = tokens(text, lang)
    table = _words(lang)
    found: list[float] = []
    for index, word in enumerate(words):
        for unit, months in UNIT_MONTHS.items():
            if word in table[f"dual:{unit}"]:
                found.append(2 * months)
            elif word in table[f"units:{unit}"]:
                count = _count_before(words, index, lang)
                if count is None and unit == "year" and word in table["many_years"]:
                    count = MANY_YEARS
                elif count is None and word in table[f"one:{unit}"]:
                    count = 1.0
                if count is not None:
                    found.append(count * months)
    return found


def months_until(text: str, lang: str, today: date) -> list[float]:
    """Months from ``today`` to each month or season named ("a settembre", "before summer")."""
    words = tokens(text, lang)
    found: list[float] = []
    for name, month in _calendar(lang).items():
        size = len(name)
        if any(tuple(words[i:i + size]) == name for i in range(len(words) - size + 1)):
            found.append(float((month - today.month) % 12 or 12))
    return found


def _bucket(months: float) -> str:
    if months <= 1:
        return URGENT
    if months <= 3:
        return SOON
    if months <= 12:
        return WITHIN_YEAR
    return NO_RUSH


def read_timeline(text: str, lang: str, today: date | None = None) -> str | None:
    """The timeline code a sentence means, or None.

    A hurry said and not denied is urgent; an explicit "within the year" or "in a few
    months" phrase comes next; then the shortest span, month or season named ("in two
    months", "before summer"); a denied hurry ("no rush", "non c'è fretta") with no span
    under a year is no rush.
    """
    today = today or date.today()
    words = tokens(text, lang)
    matches = _find(words, lang, "timeline:")
    codes = set()
    for match in matches:
        if match.key == URGENT and _negated(words, match.start, lang):
            codes.add(NO_RUSH)
        else:
            codes.add(match.key)
    if URGENT in codes:
        return URGENT
    for code in (SOON, WITHIN_YEAR):
        if code in codes:
            return code
    found = spans(text, lang) + months_until(text, lang, today)
    if found:
        shortest = min(found)
        if NO_RUSH in codes and shortest >= 12:
            return NO_RUSH
        return _bucket(shortest)
    return NO_RUSH if NO_RUSH in codes else None


def years_active(text: str, lang: str, today: date | None = None) -> float | None:
    """How long the organisation has existed, in years, from a sentence, or None.

    "since 2005", "fundada en 1998", "2019'dan beri": the year; "20 years", "ha 2 anos",
    "٨ سنين": the span; "for years", "da anni": many; "decades", "centuries": more.
    """
    today = today or date.today()
    years = [today.year - int(y) for y in _YEAR.findall(text) if int(y) <= today.year]
    spans_said = [m / 12 for m in spans(_YEAR.sub(" ", text), lang)]
    words = tokens(text, lang)
    table = _words(lang)
    if any(w in table["centuries"] for w in words):
        spans_said.append(100.0)
    elif any(w in table["decades"] for w in words):
        spans_said.append(20.0)
    elif not years and not spans_said and any(w in table["many_years"] for w in words):
        spans_said.append(MANY_YEARS)
    found = [float(y) for y in years] + spans_said
    return max(found) if found else None


def stage_from_age(years: float) -> str:
    """The stage an organisation of that age is usually at."""
    if years < STARTING_YEARS:
        return "starting"
    if years < GROWING_YEARS:
        return "growing"
    return "consolidated"


def _stages_meant(text: str, lang: str) -> tuple[list[_Match], list[_Match]]:
    """The stage phrases of ``text``, and what each means in its sentence (denied, wanted:
    actions/mentions.py), those that mean no stage left out."""
    words = tokens(text, lang)
    found = _find(words, lang, "stage:")
    meant = [_Match(code, m.start, m.end) for m in found
             if (code := stage_meant(words, m.start, m.end, m.key, lang, split_phrase))]
    return found, meant


def read_stage(text: str, lang: str, today: date | None = None) -> str | None:
    """The stage a sentence means: its words first ("still on paper"), then its age."""
    _, matches = _stages_meant(text, lang)
    if matches:
        return matches[0].key if len({m.key for m in matches}) == 1 else \
            max(matches, key=lambda m: m.start).key  # "started in 2010, now growing": the latest
    age = years_active(text, lang, today)
    return stage_from_age(age) if age is not None else None


def stage_said(text: str, lang: str) -> str | None:
    """The stage a message says in words, when it says one only (an opening message: its
    years may be anything, "a loan over 5 years")."""
    _, matches = _stages_meant(text, lang)
    codes = {m.key for m in matches}
    return next(iter(codes)) if len(codes) == 1 else None


def stage_named(text: str, lang: str) -> bool:
    """Whether a stage phrase occurs in ``text`` at all (meant or not)."""
    return bool(_find(tokens(text, lang), lang, "stage:"))
