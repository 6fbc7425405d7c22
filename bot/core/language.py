"""Language resolution: which of the nine languages a user is writing in, in context.

Evidence, strongest first: an explicit request ("parles català?", a language
button, /language), the writing system (Greek, Arabic), a short message that is
a known phrase of exactly one language, and a statistical detector (langdetect
restricted to the supported languages) on longer messages. The conversation's
language is sticky: short or ambiguous messages never change it. The client's
hint (Telegram's language_code, a phone's country) is a weak prior for the
first message only. The same input in the same context always gives the same
answer (langdetect is seeded).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

from catalog.languages import NLU_DIR
from catalog.vocabulary import LANGUAGES

SUPPORTED = frozenset(LANGUAGES)
DEFAULT = "en"
CUES_FILE = Path(__file__).with_name("language_cues.yml")

# Minimum evidence before a longer message may switch the conversation's language.
SWITCH_MIN_WORDS = 4
SWITCH_MIN_LETTERS = 18
SWITCH_MIN_PROBABILITY = 0.70
# ... or a clear leader while the current language is unlikely.
SWITCH_MIN_LEAD = 0.45
SWITCH_MAX_CURRENT = 0.15
UNSUPPORTED_MIN_PROBABILITY = 0.95
# ... unless the nine-language reading is at least this sure and a function word agrees.
PLAINLY_OURS = 0.6
LANGDETECT_WEIGHT = 0.35
# On a first message (no context) langdetect weighs less and the function words
# (language_cues.yml) count: fitted on the corpora's chat text and the packs' 3+ word
# examples (`./iesmed evaluate --chat`, docs/DECISIONS.md 2026-12-04).
FIRST_LANGDETECT_WEIGHT = 0.2
FUNCTION_WORD_WEIGHT = 0.6
# Below this lead a first message's language is a guess: measured on the same sets, 0.3
# flags 2 % of the chat corpus's detector decisions (its one miss among them) and 8 % of
# the packs' (16 of their 17 misses).
UNCERTAIN_MARGIN = 0.3
_FOREIGN_SCRIPTS = ("CYRILLIC", "HEBREW", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "DEVANAGARI",
                    "THAI", "ARMENIAN", "GEORGIAN", "BENGALI", "TAMIL", "ETHIOPIC")
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066,
     0x2067, 0x2068, 0x2069, 0xFEFF]
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Resolution:
    """The language to answer in, and why."""

    language: str
    reason: str  # explicit | script | phrase | detector | sticky | hint | default
    switched: bool = False
    unsupported: bool = False
    # How far the chosen language leads the next one (detector decisions; 1.0 otherwise).
    margin: float = 1.0
    # A first message the detectors decided by less than UNCERTAIN_MARGIN: offer the menu.
    uncertain: bool = False
    # A switch by the detectors with no word of the new language's own (function words):
    # an answer to an open question ("financas solidarias") stays in the conversation's.
    tentative: bool = False


def strip_invisible(text: str) -> str:
    """Remove bidi marks and zero-width characters that only disturb analysis."""
    return text.translate(_INVISIBLE)


def fold(text: str) -> str:
    """Lower-case ``text`` and drop accents (Greek tonos included) for lenient matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# "in <language>" in the nine languages (Turkish and Arabic attach it to the word).
_IN = frozenset({"in", "en", "em", "σε", "στα", "na", "a", "al"})


def words(text: str) -> list[str]:
    """Return the words of ``text`` (letters only; numbers, e-mails and URLs dropped)."""
    return _WORD.findall(_EMAIL_OR_URL.sub(" ", text))


class LanguageResolver:
    """Decide the reply language of each message from the text and its context."""

    def __init__(self, *, phrases: Mapping[str, frozenset[str]] | None = None) -> None:
        cues = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
        self._names: dict[str, str] = {}
        for lang, names in cues["names"].items():
            for name in names:
                # Exact (lower-case) spelling: folding accents would make "Itàlia" the
                # country read as "italià" the language.
                self._names[name.casefold()] = lang
        self._cues = {c.casefold() for c in cues["cues"]}
        self._function_words: dict[str, frozenset[str]] = {
            lang: frozenset(fold(str(w)) for w in listed)
            for lang, listed in cues.get("function_words", {}).items() if lang in SUPPORTED}
        self._phrases = phrases if phrases is not None else training_phrases()
        self._supported_factory = _factory(tuple(sorted(SUPPORTED)))
        self._all_factory = _factory(None)

    def resolve(self, text: str, *, current: str | None = None,
                hint: str | None = None) -> Resolution:
        """Return the language to use for ``text`` given the conversation's ``current`` one."""
        clean = strip_invisible(text).strip()
        base = current if current in SUPPORTED else None
        fallback = base or (hint if hint in SUPPORTED else None) or DEFAULT
        fallback_reason = "sticky" if base else ("hint" if hint in SUPPORTED else "default")
        tokens = words(clean)
        if not tokens:
            return Resolution(fallback, fallback_reason)

        explicit = self.explicit_request(clean)
        if explicit:
            return Resolution(explicit, "explicit", switched=explicit != base)

        script = _script_language(clean)
        if script == "foreign" and len(tokens) >= 2:
            return Resolution(fallback, fallback_reason, unsupported=True)
        if script in SUPPORTED:
            return Resolution(script, "script", switched=base is not None and script != base)

        phrase_langs = self._phrase_languages(clean)
        if base is not None and (base in phrase_langs or not self._strong(tokens)
                                 or _is_a_name(clean, tokens)):
            return Resolution(base, "sticky")
        if base is None and phrase_langs:
            chosen = _pick(phrase_langs, hint, self._probabilities(clean))
            return Resolution(chosen, "phrase")

        probabilities = self._probabilities(clean, first=base is None)
        if not probabilities:
            return Resolution(fallback, fallback_reason)
        best, p_best = max(probabilities.items(), key=lambda kv: (kv[1], kv[0] == hint))
        margin = p_best - max((p for lang, p in probabilities.items() if lang != best),
                              default=0.0)
        # The all-language detector (all of langdetect's 55 profiles) is the costly check:
        # asked only of a message that none of the nine plainly is.
        if self._strong(tokens) and not self._plainly_ours(best, p_best, tokens) \
                and self._is_unsupported(clean):
            return Resolution(fallback, fallback_reason, unsupported=True)
        if base is None:
            if hint in SUPPORTED and probabilities.get(hint, 0.0) >= 0.2 and p_best < 0.9:
                return Resolution(hint, "hint", margin=margin)
            return Resolution(best, "detector", margin=margin,
                              uncertain=margin < UNCERTAIN_MARGIN)
        if best != base and (p_best >= SWITCH_MIN_PROBABILITY or (
                p_best >= SWITCH_MIN_LEAD and probabilities.get(base, 0.0) <= SWITCH_MAX_CURRENT)):
            return Resolution(best, "detector", switched=True,
                              tentative=not self._own_word(best, base, tokens))
        return Resolution(base, "sticky")

    def _own_word(self, new: str, current: str, tokens: list[str]) -> bool:
        """Whether a message has a function word of ``new`` that ``current`` does not use.

        "financas solidarias, banco comunitario" (a Portuguese answer typed without its
        accents) reads as Spanish to both detectors, but no word of it is Spanish rather
        than Portuguese: the switch is tentative (`Resolution.tentative`), and the
        conversation keeps its language when the message answers an open question. A
        language with no list is never tentative.
        """
        listed = self._function_words.get(new)
        if not listed:
            return True
        others = self._function_words.get(current, frozenset())
        return any(fold(t) in listed and fold(t) not in others for t in tokens)

    def explicit_request(self, text: str) -> str | None:
        """Return the language a message explicitly asks for, if it does."""
        folded = fold(text)
        command = re.match(r"^/(?:language|lang|idioma|langue|lingua|dil)\s+([a-z]{2})\b", folded)
        if command and command.group(1) in SUPPORTED:
            return command.group(1)
        tokens = [w.casefold() for w in words(text)]
        if not tokens or len(tokens) > 8:
            return None
        named = [self._names[t] for t in tokens if t in self._names]
        if len(set(named)) != 1:
            return None
        others = [t for t in tokens if t not in self._names]
        # A name alone ("Ελληνικά"), after "in" ("en español"), or with a cue ("parli
        # greco?"); "Marta Greco" answering the name question is a person.
        if len(tokens) == 1 or (len(tokens) == 2 and others[0] in _IN) or any(
                t in self._cues for t in others):
            return named[0]
        return None

    def _strong(self, tokens: list[str]) -> bool:
        return (len(tokens) >= SWITCH_MIN_WORDS
                and sum(len(t) for t in tokens) >= SWITCH_MIN_LETTERS)

    def _phrase_languages(self, text: str) -> frozenset[str]:
        key = _phrase_key(text)
        return self._phrases.get(key, frozenset())

    def _probabilities(self, text: str, *, first: bool = False) -> dict[str, float]:
        """Blend langdetect's and lingua's probabilities, and on a ``first`` message the
        function words' shares.

        Lingua, better on chat, weighs more than langdetect; the function words correct
        both on short, accent-less first messages (in context the sticky rules, measured
        at 99.9 %, stay as they were). The result sums to 1.
        """
        first_p = _detect(self._supported_factory, text)
        second = _lingua(text)
        weight = FIRST_LANGDETECT_WEIGHT if first else LANGDETECT_WEIGHT
        if second:
            blend = {lang: weight * first_p.get(lang, 0.0)
                     + (1 - weight) * second.get(lang, 0.0) for lang in SUPPORTED}
        else:
            blend = dict(first_p)
        tokens = [fold(w) for w in words(text)]
        if not first or not blend or not tokens or not self._function_words:
            return blend
        for lang, listed in self._function_words.items():
            share = sum(t in listed for t in tokens) / len(tokens)
            blend[lang] = blend.get(lang, 0.0) + FUNCTION_WORD_WEIGHT * share
        total = sum(blend.values())
        return {lang: p / total for lang, p in blend.items()} if total else blend

    def _plainly_ours(self, best: str, p_best: float, tokens: list[str]) -> bool:
        """Whether one of the nine languages is clearly meant, whatever the all-language
        detector says: the nine-language reading is sure of it and the message has one of
        its function words. "kooperatifimiz icin kredi lazim" (Turkish without its letters)
        is Croatian to the all-language detector, Turkish at 0.69 to the nine-language one,
        and "icin" is Turkish; Polish or Croatian has no such word."""
        listed = self._function_words.get(best, frozenset())
        return p_best >= PLAINLY_OURS and any(fold(t) in listed for t in tokens)

    def _is_unsupported(self, text: str) -> bool:
        probabilities = _detect(self._all_factory, text)
        if not probabilities:
            return False
        best, p_best = max(probabilities.items(), key=lambda kv: kv[1])
        return best not in SUPPORTED and p_best >= UNSUPPORTED_MIN_PROBABILITY


# A name: a few words, each longer one capitalised ("Jeunes Verts de Tunis", "Cooperativa
# Sociale Il Ponte"). It is in the language it was given in, not the one the user writes.
# Words of two letters ("de", "il", "of") may stay lower-case; a comma makes it a sentence
# ("a Lecce, in Puglia" answers where, in Italian).
NAME_MAX_WORDS = 6
NAME_MIN_LETTERS = 3


def _is_a_name(text: str, tokens: list[str]) -> bool:
    """Return whether ``text`` (its words ``tokens``) reads as a proper name, not a sentence."""
    long_words = [t for t in tokens if len(t) >= NAME_MIN_LETTERS]
    return (len(tokens) <= NAME_MAX_WORDS and len(long_words) >= 2 and "," not in text
            and all(t[0].isupper() for t in long_words))


def _pick(candidates: Iterable[str], hint: str | None, probabilities: Mapping[str, float]) -> str:
    """Choose among phrase candidates: the hint first, then the detector, then a fixed order."""
    pool = sorted(candidates, key=LANGUAGES.index)
    if hint in pool:
        return hint
    if DEFAULT in pool:
        # Words shared with English ("hello", "ok") are English first: the lingua franca.
        return DEFAULT
    return max(pool, key=lambda lang: probabilities.get(lang, 0.0))


def _phrase_key(text: str) -> str:
    return " ".join(fold(w) for w in words(text))


def _script_language(text: str) -> str | None:
    """Return el/ar when Greek/Arabic letters dominate, 'foreign' for other non-Latin scripts."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        script = ("GREEK" if name.startswith("GREEK") else "ARABIC" if name.startswith("ARABIC")
                  else "LATIN" if name.startswith("LATIN")
                  else "FOREIGN" if name.startswith(_FOREIGN_SCRIPTS) else "OTHER")
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n * 2 <= sum(counts.values()):
        return None
    return {"GREEK": "el", "ARABIC": "ar", "FOREIGN": "foreign"}.get(script)


@cache
def _factory(languages: tuple[str, ...] | None) -> DetectorFactory:
    import json
    import os

    factory = DetectorFactory()
    available = tuple(sorted(os.listdir(PROFILES_DIRECTORY)))
    # Only the languages langdetect has a profile for (a new pack's may have none).
    names = tuple(n for n in languages if n in available) if languages else available
    profiles = []
    for name in names:
        with open(os.path.join(PROFILES_DIRECTORY, name), encoding="utf-8") as handle:
            profiles.append(json.dumps(json.load(handle)))
    factory.load_json_profile(profiles)
    factory.set_seed(0)
    return factory


def _detect(factory: DetectorFactory, text: str) -> dict[str, float]:
    detector = factory.create()
    detector.append(_EMAIL_OR_URL.sub(" ", text))
    try:
        return {lang.lang: lang.prob for lang in detector.get_probabilities()}
    except LangDetectException:
        return {}


@cache
def _lingua_detector() -> object | None:
    """Build lingua's detector for the nine languages once per process (second opinion)."""
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder
    except ImportError:  # pragma: no cover - lingua is optional
        return None
    # Only the languages lingua knows: a new pack's language may not be among them.
    codes = [getattr(IsoCode639_1, code.upper()) for code in sorted(SUPPORTED)
             if hasattr(IsoCode639_1, code.upper())]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def _lingua(text: str) -> dict[str, float]:
    detector = _lingua_detector()
    if detector is None:
        return {}
    values = detector.compute_language_confidence_values(  # type: ignore[attr-defined]
        _EMAIL_OR_URL.sub(" ", text))
    return {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values}


@cache
def training_phrases() -> dict[str, frozenset[str]]:
    """Map short phrases (1-3 words) from the training data to the languages using them."""
    found: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        path = NLU_DIR / lang / "nlu.yml"
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                example = re.sub(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))", r"\1", line.lstrip("- "))
                key = _phrase_key(example)
                if key and len(key.split()) <= 3:
                    found.setdefault(key, set()).add(lang)
    return {key: frozenset(langs) for key, langs in found.items()}
