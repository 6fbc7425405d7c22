"""What a legal form or a stage named in a sentence is to the organisation: now, planned, or not.

"Somos una asociación y queremos convertirnos en cooperativa" names an association (the
cooperative is a plan); "no somos una cooperativa" and "kooperatif değiliz" deny one; "un
groupement d'agriculteurs en coopérative" is a cooperative (a group word gives way to the
legal form named with it), and a company word beside another form only says what kind of
company it is ("impresa sociale srl" is a social enterprise). For stages: "no estamos
creciendo todavía" (not growing yet) is the stage before growing, "non abbiamo idea di
come…" (no idea how) is no stage at all, and "volem posar en marxa…" (we want to launch) is
still an idea.

The words are data: `becomes`, `becomes_after`, `recently`, `wishes`, `wishes_after`,
`still`, `denials_after` and `loose_forms` in nlu/<lang>/fields.yml, and `rather_than` and
the negations of `time_words` in terms.yml (the negations in the user's language only:
Portuguese "no" is "in the"); `rather_than` puts the need after it second. Callers pass the
message as a list of folded words, and tell how to split a phrase the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from actions.folding import fold, terms
from catalog.languages import pack_file
from catalog.vocabulary import LANGUAGES

STAGES = ("idea", "starting", "growing", "consolidated")  # in the order organisations go
PLAN_GAP = 2  # words between "become"/"want to" and what follows ("set up a new coop")
NEGATION_REACH = 4  # words between a negation and what it denies ("non ne ho proprio idea")
STILL_REACH = 3  # words between "yet"/"still" and the stage ("no estamos creciendo todavía")

Phrase = tuple[str, ...]
Splitter = Callable[[str], list[str]]


def plain(word: str) -> str:
    """A folded word as the cues compare it: without apostrophes ("n'" is "n")."""
    return word.replace("'", "").replace("’", "").replace("ı", "i")


def is_stop(word: str) -> bool:
    """Whether a token ends a clause (punctuation: no letter or digit in it)."""
    return not re.search(r"\w", word)


@dataclass(frozen=True)
class Cues:
    """The context words of a language, split like the text they are compared with."""

    negations: frozenset[str]
    denials_after: tuple[Phrase, ...]
    becomes: tuple[Phrase, ...]
    becomes_after: tuple[Phrase, ...]
    wishes: tuple[Phrase, ...]
    wishes_after: tuple[Phrase, ...]
    still: tuple[Phrase, ...]
    recently: tuple[Phrase, ...]
    loose_forms: frozenset[Phrase]
    rather_than: tuple[Phrase, ...]


@cache
def cues(lang: str, split: Splitter) -> Cues:
    """The cues of ``lang`` (phrases before the word: also English; after it: own only)."""
    own = pack_file(lang, "fields.yml") if lang in LANGUAGES else {}
    english = pack_file("en", "fields.yml")

    def phrases(key: str, *, with_english: bool = True) -> tuple[Phrase, ...]:
        sources = (own, english) if with_english else (own,)
        found = {tuple(plain(w) for w in split(fold(str(p)))) for source in sources
                 for p in source.get(key) or []}
        return tuple(sorted((p for p in found if p), key=len, reverse=True))

    negations = (terms(lang).get("time_words") or {}).get("negations") or [] \
        if lang in LANGUAGES else []
    return Cues(
        negations=frozenset(plain(fold(str(w))) for w in negations),
        denials_after=phrases("denials_after", with_english=False),
        becomes=phrases("becomes"),
        becomes_after=phrases("becomes_after", with_english=False),
        wishes=phrases("wishes"),
        wishes_after=phrases("wishes_after", with_english=False),
        still=phrases("still"),
        recently=phrases("recently"),
        loose_forms=frozenset(phrases("loose_forms")),
        rather_than=tuple(sorted({tuple(plain(w) for w in split(fold(str(p))))
                                  for code in {lang if lang in LANGUAGES else "en", "en"}
                                  for p in terms(code).get("rather_than") or []},
                                 key=len, reverse=True)),
    )


def _clause_before(words: Sequence[str], start: int, reach: int) -> list[str]:
    """Up to ``reach`` words before ``start``, in the same clause."""
    window = list(words[max(0, start - reach):start])
    stops = [i for i, w in enumerate(window) if is_stop(w)]
    return window[stops[-1] + 1:] if stops else window


def _clause_after(words: Sequence[str], end: int, reach: int) -> list[str]:
    """Up to ``reach`` words after ``end``, in the same clause."""
    window = list(words[end:end + reach])
    stops = [i for i, w in enumerate(window) if is_stop(w)]
    return window[:stops[0]] if stops else window


def _cue_before(window: Sequence[str], phrases: tuple[Phrase, ...], gap: int) -> int | None:
    """Where a phrase starts that ends at most ``gap`` words before the end of ``window``."""
    for phrase in phrases:
        size = len(phrase)
        for end in range(len(window), max(len(window) - gap, 0) - 1, -1):
            if end >= size and tuple(window[end - size:end]) == phrase:
                return end - size
    return None


def _ends_in(window: Sequence[str], phrases: tuple[Phrase, ...], gap: int) -> bool:
    """Whether a phrase ends at most ``gap`` words before the end of ``window``."""
    return _cue_before(window, phrases, gap) is not None


def _starts_in(window: Sequence[str], phrases: tuple[Phrase, ...], gap: int) -> bool:
    """Whether a phrase starts at most ``gap`` words after the start of ``window``."""
    return any(tuple(window[begin:begin + len(phrase)]) == phrase
               for phrase in phrases for begin in range(min(gap, len(window)) + 1))


def _contains(window: Sequence[str], phrases: tuple[Phrase, ...]) -> bool:
    return any(tuple(window[i:i + len(p)]) == p for p in phrases for i in range(len(window)))


def denied(words: Sequence[str], start: int, end: int, found: Cues) -> bool:
    """Whether the words at ``start:end`` are denied ("not a cooperative", "kooperatif değiliz").

    Words that are a negative statement themselves ("pas de statut juridique", "sin
    registrar") are not denied by the other half of their negation ("nous n'avons pas…").
    """
    before = _clause_before(words, start, NEGATION_REACH)
    after = _clause_after(words, end, PLAN_GAP + 1)
    negative = start < len(words) and words[start] in found.negations
    return (not negative and any(w in found.negations for w in before)) or \
        _starts_in(after, found.denials_after, PLAN_GAP)


def compared_away(words: Sequence[str], start: int, lang: str, split: Splitter) -> bool:
    """Whether the words at ``start`` are what the sentence puts second to something else
    ("more advice than money", "più che soldi ci serve una consulenza": not the money)."""
    found = cues(lang, split)
    before = _clause_before([plain(w) for w in words], start, PLAN_GAP + 3)
    return _ends_in(before, found.rather_than, PLAN_GAP)


def planned(words: Sequence[str], start: int, end: int, found: Cues) -> bool:
    """Whether a legal form at ``start:end`` is one to become ("convertirnos en cooperativa")."""
    before = _clause_before(words, start, PLAN_GAP + 6)
    after = _clause_after(words, end, PLAN_GAP + 4)
    cue = _cue_before(before, found.becomes, PLAN_GAP)
    if cue is not None and not _ends_in(before[:cue], found.recently, 0):
        return True  # "to create an association", not "we have just created one"
    return _starts_in(after, found.becomes_after, PLAN_GAP)


def wished(words: Sequence[str], start: int, end: int, found: Cues) -> bool:
    """Whether the words at ``start:end`` say what they want to do ("we want to launch")."""
    before = _clause_before(words, start, PLAN_GAP + 4)
    after = _clause_after(words, end, PLAN_GAP + 4)
    return _ends_in(before, found.wishes, PLAN_GAP) or \
        _starts_in(after, found.wishes_after, PLAN_GAP)


def stage_meant(words: Sequence[str], start: int, end: int, code: str, lang: str,
                split: Splitter) -> str | None:
    """The stage a stage phrase at ``start:end`` means in its sentence, or None for none.

    Denied with "yet"/"still" it is the stage before ("not growing yet": starting; "not
    started yet": an idea); denied without, it says nothing ("no idea how", "we're not
    growing"). A start that is wanted ("we want to launch") is an idea today.
    """
    found = cues(lang, split)
    words = [plain(w) for w in words]
    if denied(words, start, end, found):
        near = [*_clause_before(words, start, STILL_REACH), ";",
                *_clause_after(words, end, STILL_REACH)]
        if code in STAGES and STAGES.index(code) > 0 and _contains(near, found.still):
            return STAGES[STAGES.index(code) - 1]
        return None
    if code == "starting" and wished(words, start, end, found):
        return "idea"
    return code


@dataclass(frozen=True)
class Span:
    """Where a phrase of a section's vocabulary was found, and its code."""

    code: str
    start: int
    end: int


def settled_forms(words: Sequence[str], spans: Sequence[Span], lang: str,
                  split: Splitter, *, loose: bool = True) -> list[Span]:
    """The legal forms a sentence says the organisation is: not denied, not a plan, and
    group words ("groupement", "مجموعة") only when no other form is named (never, with
    ``loose`` False)."""
    found = cues(lang, split)
    words = [plain(w) for w in words]
    kept = [s for s in spans if not denied(words, s.start, s.end, found)
            and not planned(words, s.start, s.end, found)]
    firm = [s for s in kept if tuple(words[s.start:s.end]) not in found.loose_forms]
    firm = [s for s in firm if not _qualified(s, firm)]
    return firm or (kept if loose else [])


COMPANY = "company"


def _qualified(span: Span, spans: Sequence[Span]) -> bool:
    """Whether a company word stands right beside another legal form, which says what kind
    of company it is ("شركة تعاونية", "impresa sociale srl", "SL empresa social")."""
    return span.code == COMPANY and any(
        other.code != COMPANY and (0 <= other.start - span.end <= 1
                                   or 0 <= span.start - other.end <= 1)
        for other in spans)
