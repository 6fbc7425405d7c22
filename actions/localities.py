"""Which town: the town a user names over the region or district around it, spelt properly.

"في منزل تميم، ولاية نابل" (in Menzel Temime, Nabeul governorate) and "a Vittoria,
provincia di Ragusa" name the town first and the region after a region word
(nlu/<lang>/fields.yml `regions:`): the town is the organisation's place, even when only the
region is in the gazetteer. A district of a city ("de Nou Barris", "Kadıköy") gives the city
(catalog/places_more.py), and a known town typed without its accents or capital is stored as
the gazetteer writes it ("Καρδιτσα" → "Καρδίτσα").

Word-level functions over text, on the same folding as the gazetteer; the language packs
are read for the region words only. Imported by actions/extraction.py: nothing here imports
from the actions that import it.
"""

from __future__ import annotations

import re
from functools import cache

from catalog.languages import pack_file
from catalog.places import district_city, fold, proper_name
from catalog.vocabulary import LANGUAGES

# Words before a town that say "in" (Arabic "في" and the prepositions written onto a word
# are handled apart); "de/da/di" also open a town's name after a comma ("X, de Y").
_LOCATIVES = frozenset({"in", "a", "en", "em", "na", "no", "nel", "nella", "nello",
                        "στην", "στη", "στο", "στον", "σε", "de", "da", "di", "do", "from",
                        "dalla", "dal", "des", "du", "del", "από", "في", "فى", "من", "ب"})
# Words between a region word and the region's name ("provincia di Ragusa", "région de").
_LINKS = frozenset({"di", "de", "del", "della", "dello", "of", "the", "du", "des", "la", "le",
                    "do", "da", "dos", "das", "d'", "του", "της", "τον", "την"})
_CLAUSE = re.compile(r"[.;!?\n؟]")
_PIECE = re.compile(r"[,،(]")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_MAX_TOWN_WORDS = 3


@cache
def region_words(lang: str) -> tuple[tuple[str, ...], ...]:
    """The region words of the pack and English, folded, as word tuples, longest first."""
    langs = (lang, "en") if lang in LANGUAGES and lang != "en" else ("en",)
    found = {tuple(fold(str(w)).split()) for code in langs
             for w in pack_file(code, "fields.yml").get("regions") or []}
    return tuple(sorted((w for w in found if w), key=len, reverse=True))


def _folded_words(text: str) -> list[str]:
    return [fold(w) for w in _WORD.findall(text)]


def _ends_with_region(words: list[str], lang: str) -> bool:
    """Whether the words end with a region word, maybe followed by "of" words."""
    while words and words[-1] in _LINKS:
        words = words[:-1]
    return any(len(words) >= len(r) and tuple(words[-len(r):]) == r
               for r in region_words(lang))


def _starts_with_region(words: list[str], lang: str) -> bool:
    return any(tuple(words[:len(r)]) == r for r in region_words(lang))


def after_region_word(text: str, name: str, lang: str) -> bool:
    """Whether ``name`` is written right after a region word ("ولاية نابل", "provincia di
    Ragusa"): then it names the region, not the town."""
    at = text.find(name)
    if at < 0:
        return False
    before = _PIECE.split(_CLAUSE.split(text[:at])[-1])[-1]
    words = _folded_words(before)
    # Arabic writes the region word's article and particles onto it: "بولاية".
    if words and words[-1][:1] in ("ب", "و", "ف", "ل") and _ends_with_region(
            [*words[:-1], words[-1][1:]], lang):
        return True
    return _ends_with_region(words, lang)


def town_before_region(text: str, lang: str) -> str | None:
    """The town named just before a region in ``text``, as written; None when there is none.

    "عندنا تعاونية في منزل تميم، ولاية نابل" → "منزل تميم"; "siamo a Vittoria, provincia di
    Ragusa" → "Vittoria"; "Vittoria (provincia di Ragusa)" → "Vittoria". The town is the words
    after the last "in" word of the piece before the region (one to three words), or that
    piece itself when the message is only the town and its region (an answer). In scripts
    with capitals it starts with one.
    """
    for number, clause in enumerate(_CLAUSE.split(text)):
        pieces = _PIECE.split(clause)
        for index in range(1, len(pieces)):
            if not _starts_with_region(_folded_words(pieces[index]), lang):
                continue
            alone = number == 0 and index == 1 and not any(
                _WORD.search(rest) for rest in [*pieces[2:], *_CLAUSE.split(text)[1:]])
            town = _last_place(pieces[index - 1], whole=alone)
            if town is not None:
                return town
    return None


def _last_place(piece: str, whole: bool) -> str | None:
    """The one to three words after the piece's last "in" word; or, when the piece opens
    the message (``whole``: an answer such as "Scicli, provincia di Ragusa"), the piece."""
    words = _WORD.findall(piece)
    folded = [fold(w) for w in words]
    cue = max((i for i, w in enumerate(folded) if w in _LOCATIVES), default=-1)
    if cue < 0 and not whole:
        return None
    town = words[cue + 1:]
    first = town[0] if town else ""
    cased = first[:1].lower() != first[:1].upper()
    if not 1 <= len(town) <= (_MAX_TOWN_WORDS if cased or cue >= 0 else 2):
        return None  # a sentence in a script without capitals is no town
    if cased and not first[0].isupper():
        return None  # a lower-case word in a cased script: no name ("a casa")
    start = piece.rfind(first) if cue >= 0 else piece.find(first)
    return piece[start:].strip(" ,.;:-–—)") or None


def settled(name: str) -> str:
    """A town as the case keeps it: a district's city, a known town's proper spelling."""
    return district_city(name) or proper_name(name)
