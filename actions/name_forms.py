"""How Arabic and Greek change a name in a sentence, so that a list of names still finds it.

Arabic writes the conjunctions و and ف and the prepositions ب, ل and ك attached to the word
that follows: "في فرنسا وإيطاليا", "التصدير لفرنسا", "مقرنا بالمغرب"; ل before the article
drops the article's alif ("للمغرب": ل + المغرب). `detach_particles` blanks such a prefix out
of a word, in place, when what is left is the start of a known phrase, so that every match
keeps its position in the text. A word that is a known phrase itself ("لبنان", "بلغاريا")
is left whole, and so is a word whose rest is no known phrase ("بنان", "لغاريا").

Greek declines names: "η Ιταλία, της Ιταλίας", "ο Λίβανος, στον Λίβανο, του Λιβάνου",
"το Μαρόκο, του Μαρόκου". `greek_forms` gives the accusative and genitive of a folded
nominative (accents and final sigma folded away, as the matchers fold the text).

Pure functions over folded text: no language pack, no Rasa.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache

ARTICLE = "ال"
_ARABIC_WORD = re.compile(r"[\u0620-\u064a\u066e-\u06d3]+")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3]")
_LETTER = re.compile(r"[^\W\d_]")
# A conjunction, then a preposition, each optional: و ف / ب ل ك ("وبفرنسا", "فلتونس").
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
_PREFIXES = tuple(sorted((c + p for c in _CONJUNCTIONS for p in _PREPOSITIONS if c + p),
                         key=len))


def is_arabic(phrase: str) -> bool:
    """Whether ``phrase`` is written in Arabic script (its first letter is)."""
    first = _LETTER.search(phrase)
    return bool(first and _ARABIC_LETTER.fullmatch(first.group()))


@cache
def phrase_index(phrases: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    """The Arabic phrases of ``phrases`` (folded) by their first word, longest first."""
    index: dict[str, list[str]] = {}
    for phrase in sorted(set(phrases), key=len, reverse=True):
        if phrase.split() and is_arabic(phrase):
            index.setdefault(phrase.split()[0], []).append(phrase)
    return {word: tuple(found) for word, found in index.items()}


def _begins_phrase(text: str, index: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether ``text`` starts with one of the indexed phrases, ending at a word's end."""
    first = _ARABIC_WORD.match(text)
    if first is None:
        return False
    for phrase in index.get(first.group(), ()):
        if text.startswith(phrase) and not _LETTER.match(text[len(phrase):len(phrase) + 1]):
            return True
    return False


def _readings(word: str) -> Iterable[str]:
    """The word with a prefix of particles blanked out, fewest particles first.

    Each reading is as long as the word: a particle becomes a space, except the ل that
    stands for the article's ل in "للمغرب", which becomes the article's alif ("المغرب").
    """
    for prefix in _PREFIXES:
        rest = word[len(prefix):]
        if not word.startswith(prefix) or len(rest) < 2:
            continue
        yield " " * len(prefix) + rest
        if prefix.endswith("ل") and rest.startswith("ل"):
            yield " " * (len(prefix) - 1) + "ا" + rest


def detach_particles(folded: str, index: Mapping[str, tuple[str, ...]]) -> str:
    """``folded`` with the particles attached to a known phrase blanked out, in place.

    ``index`` comes from `phrase_index`. The result is exactly as long as ``folded`` and
    differs from it only inside Arabic words that begin with particles and go on with a
    phrase of the index: "نبحث عن شركاء في فرنسا وإيطاليا" keeps every letter where it was.
    """
    out = list(folded)
    for match in _ARABIC_WORD.finditer(folded):
        following = folded[match.end():]
        if _begins_phrase(folded[match.start():], index):
            continue
        for reading in _readings(match.group()):
            if _begins_phrase(reading.lstrip() + following, index):
                out[match.start():match.end()] = reading
                break
    return "".join(out)


def greek_forms(name: str) -> set[str]:
    """The accusative and genitive of a folded Greek nominative, word by word.

    "ιταλια" → "ιταλιασ"; "λιβανοσ" → "λιβανο", "λιβανου"; "μαροκο" → "μαροκου";
    "βορεια μακεδονια" → "βορειασ μακεδονιασ"; "ηνωμενεσ πολιτειεσ" → "ηνωμενων πολιτειων".
    Words of an adjective and a noun agree, so they take the same case together.
    """
    words = name.split()
    if not words:
        return set()
    cases: list[list[str]] = [[], []]  # accusative, genitive
    for word in words:
        accusative, genitive = _declined(word)
        cases[0].append(accusative)
        cases[1].append(genitive)
    return {" ".join(forms) for forms in cases} - {name}


def _declined(word: str) -> tuple[str, str]:
    """A folded Greek word's accusative and genitive (itself when it does not decline)."""
    if len(word) < 3 or not re.fullmatch(r"[α-ω]+", word):
        return word, word
    if word.endswith("οσ"):  # ο Λίβανος, η Κύπρος, η Αίγυπτος
        return word[:-1], word[:-1] + "υ"
    if word.endswith("εσ"):  # οι Ηνωμένες Πολιτείες, οι Κάτω Χώρες
        return word, word[:-2] + "ων"
    if word.endswith(("α", "η")):  # η Ιταλία, η Λιβύη, η Βόρεια Μακεδονία
        return word, word + "σ"
    if word.endswith("ο"):  # το Μαρόκο, το Βέλγιο, το Ηνωμένο Βασίλειο
        return word, word + "υ"
    return word, word
