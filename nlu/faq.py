"""Plain questions ("is there a fee?", "who is iesMed?") recognised by stems, not by training.

A statistical intent for these questions reached 27-38% recall: they share their words
with the intake's own answers ("we need to pay the stand"). What tells them apart is that
they are questions, and the few words each topic is about. So a message is a plain
question of a topic when it is a question (a question mark, or a question word of the
language at its start) and one of the topic's patterns occurs in it; some topics ("my
registrations") need no question form. The data, with its rules, is nlu/faq.yml.

No Rasa import: the NLU component (nlu/components/faq_matcher.py) and the app's tests and
measurement use the same matcher. It lives outside nlu/components/ on purpose: like
nlu/faq.yml it is read when the model loads, not trained into it, so changing either
needs no retraining (the model fingerprint covers nlu/components/ only).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from re import Pattern

import yaml

from nlu.components.text_features import fold

FAQ_FILE = Path(__file__).resolve().parent / "faq.yml"
UNKNOWN = "unknown"
# Arabic attaches articles and prepositions to words: its patterns match anywhere.
_ANYWHERE = frozenset({"ar"})
_MARKS = re.compile(r"[?؟¿]")
_GREEK_MARK = re.compile(r";(\s|$)")  # the Greek question mark looks like a semicolon
_LEADING = re.compile(r"^[\W_]+")


def _compile(lang: str, patterns: list[str]) -> Pattern[str] | None:
    if not patterns:
        return None
    start = "" if lang in _ANYWHERE else r"(?<!\w)"
    return re.compile("|".join(f"{start}(?:{fold(p)})" for p in patterns))


@dataclass(frozen=True)
class Topic:
    """One topic: patterns that count in any message, patterns that count in questions,
    patterns that rule it out, and patterns that say the question is about something else
    (``elsewhere``: the price of a flight) unless it names one of ours (``ours``: a stand)."""

    name: str
    anywhere: dict[str, Pattern[str]]
    question: dict[str, Pattern[str]]
    unless: dict[str, Pattern[str]]
    elsewhere: dict[str, Pattern[str]]
    ours: dict[str, Pattern[str]]

    def ruled_out(self, folded: str, languages: tuple[str, ...]) -> bool:
        """Whether the message is not of this topic whatever else it holds."""
        def found(kind: dict[str, Pattern[str]]) -> bool:
            return any(kind[lang].search(folded) for lang in languages if lang in kind)
        return found(self.unless) or (found(self.elsewhere) and not found(self.ours))


class FaqMatcher:
    """Find the plain question a message asks, in its language or in English."""

    def __init__(self, data: dict) -> None:
        self.cues: dict[str, Pattern[str]] = {}
        for lang, cues in (data.get("cues") or {}).items():
            self.cues[str(lang)] = re.compile("|".join(f"(?:{fold(c)})" for c in cues))
        self.topics: list[Topic] = []
        for name, spec in (data.get("topics") or {}).items():
            kinds = {}
            for kind in ("anywhere", "question", "unless", "elsewhere", "ours"):
                compiled = {str(lang): _compile(str(lang), list(p or []))
                            for lang, p in (spec.get(kind) or {}).items()}
                kinds[kind] = {lang: p for lang, p in compiled.items() if p is not None}
            self.topics.append(Topic(str(name), **kinds))

    @classmethod
    def load(cls, path: Path = FAQ_FILE) -> FaqMatcher:
        """Read the topics and question cues from ``path`` (nlu/faq.yml)."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def _languages(self, language: str | None) -> tuple[str, ...]:
        if language and language != "en" and (language in self.cues or any(
                language in t.question for t in self.topics)):
            return (language, "en")
        return ("en",) if language == "en" else tuple(self.cues) or ("en",)

    def is_question(self, text: str, language: str | None = None) -> bool:
        """A question mark, or a question word of the language (or English) at the start."""
        if _MARKS.search(text) or (language == "el" and _GREEK_MARK.search(text)):
            return True
        folded = _LEADING.sub("", fold(text))
        return any(self.cues[lang].match(folded) for lang in self._languages(language)
                   if lang in self.cues)

    def topic(self, text: str, language: str | None = None) -> str | None:
        """The topic the message asks about, or None.

        First in the message's language (and English), with its question words; then, since
        a short message's language is a guess ("quanto costa?" reads as Portuguese too), in
        every language, for a message with a question mark.
        """
        folded = fold(text or "")[:1000]
        if not folded.strip() or folded.lstrip().startswith("/"):
            return None
        languages = self._languages(language)
        found = self._match(folded, languages, lambda: self.is_question(text, language))
        if found is None and languages != tuple(self.cues):
            marked = bool(_MARKS.search(text) or _GREEK_MARK.search(text))
            found = self._match(folded, tuple(self.cues), lambda: marked)
        return found

    def _match(self, folded: str, languages: tuple[str, ...],
               is_question: Callable[[], bool]) -> str | None:
        question: bool | None = None
        for topic in self.topics:
            if topic.ruled_out(folded, languages):
                continue
            for lang in languages:
                pattern = topic.anywhere.get(lang)
                if pattern is not None and pattern.search(folded):
                    return topic.name
            patterns = [topic.question[lang] for lang in languages if lang in topic.question]
            if not patterns:
                continue
            if question is None:
                question = is_question()
            if question and any(p.search(folded) for p in patterns):
                return topic.name
        return None
