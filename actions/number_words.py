"""Cardinal numbers written in words, in the nine languages: "veinticinco", "vint-i-cinc",
"quatre-vingt-douze", "trentadue", "vinte e cinco", "είκοσι πέντε", "yirmibeş",
"خمسة وعشرون", "a dozen", "hundred and twenty".

Entrepreneurs answer "how many members are you?" as they would say it, and the intake
needs the number. `number_in_words` returns the first number written in words in a text
(1 to 999,999; 0 for "zero"), or None.

The words are data, one table per language in its pack: the `numbers:` section of
nlu/<lang>/fields.yml (what each key means is written in nlu/en/fields.yml). That file is
read by the action server only, so a word added there needs no retraining, and adding a
language stays adding its folder. What cannot be a list of words is here: how the kinds of
word combine (tens then units, "two hundred", "dos mil quinientos"), with three switches a
language's table may set: units before tens (Arabic "خمسة وعشرون"), counting by twenties
(French "soixante-dix") and endings written onto a number (Turkish "beşiz").

Reading is tolerant: case, accents and the Turkish dotless i are ignored (the text and the
table are folded alike with `actions.cleaning.fold`), hyphens count as spaces, and a
number written as one word is split into the table's words ("venticinque" = "venti" +
"cinque", "ثلاثمائة" = "ثلاث" + "مائة", "vinticinc" = "vint" + "i" + "cinc").

Words that are also something else are read only when nothing better is written: the
article that is also "one" ("una cooperativa", "bir kooperatif") counts as one only before
a member word ("un socio") or at the end of the answer; the table's `weak` words ("nou" is
also "new" in Catalan) and a lone "mil" ("mil gracias") count only when no other number is
written. Vague amounts ("cientos de socios", "a lot", "unos cuantos") are no number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from actions.cleaning import fold
from catalog.languages import pack_file

# What folding leaves apart that people write alike: the Turkish dotless i, Arabic alef
# maqsura and ta marbuta written as ya and ha, and the tatweel that stretches a word.
_SAME = str.maketrans({"ı": "i", "ى": "ي", "ة": "ه", "ـ": None, "‐": "-", "‑": "-"})
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s'-]")
_WORD = re.compile(r"[^\W\d_]+")
_KINDS = ("units", "teens", "tens", "hundreds", "thousands", "groups")
_SCALES = ("hundred", "thousand")
_MAX_PIECES = 8  # a number written as one word has at most this many parts
ROUND = 0.25  # how far an exact count may be from a round one it makes exact ("31", "a thirty")


@dataclass(frozen=True)
class Word:
    """One number word of a language's table."""

    kind: str  # unit, teen, ten, hundreds, hundred, thousand, thousands, group, half, zero
    value: int
    plural: bool = False  # needs a number before it: "cientos", "thousands"
    article: bool = False  # also the indefinite article: "un", "una", "bir"
    weak: bool = False  # also an ordinary word: "nou", "sei"
    bound: bool = False  # only inside a longer word: "veinti-", "vent-"


AND = Word("and", 0)


@dataclass(frozen=True)
class Table:
    """A language's number words, folded, and how they combine."""

    words: dict[str, Word]
    phrases: dict[tuple[str, ...], Word]  # several words for one: "quatre vingt"
    connectors: frozenset[str]
    suffixes: tuple[str, ...]
    units_first: bool
    vigesimal: bool


def normal(text: str) -> str:
    """Fold ``text`` for reading numbers (case, accents, the forms written alike)."""
    return fold(text).translate(_SAME)


def _forms(words: Any) -> list[str]:
    """The forms of a list in the table, folded, with hyphens as spaces."""
    return [" ".join(normal(str(w)).replace("-", " ").split()) + ("-" if str(w).endswith("-")
                                                                 else "")
            for w in words or [] if str(w).strip()]


@cache
def table(lang: str) -> Table | None:
    """Return the number words of ``lang`` (its pack's `numbers:`), or None if it has none."""
    data = pack_file(lang, "fields.yml").get("numbers")
    if not isinstance(data, dict):
        return None
    plural = set(_forms(data.get("plural")))
    articles = set(_forms(data.get("articles")))
    weak = set(_forms(data.get("weak")))
    readings: list[tuple[str, Word]] = []
    for section in _KINDS:
        for value, forms in (data.get(section) or {}).items():
            kind = {"units": "unit", "teens": "teen", "tens": "ten", "groups": "group"} \
                .get(section, section)
            readings += [(form, Word(kind, int(value))) for form in _forms(forms)]
    for section in (*_SCALES, "half", "zero"):
        value = {"hundred": 100, "thousand": 1000}.get(section, 0)
        readings += [(form, Word(section, value)) for form in _forms(data.get(section))]
    words: dict[str, Word] = {}
    phrases: dict[tuple[str, ...], Word] = {}
    for form, word in readings:
        bound = form.endswith("-")
        form = form.rstrip("-")
        word = replace(word, plural=form in plural, article=form in articles,
                       weak=form in weak, bound=bound)
        if " " in form:
            phrases.setdefault(tuple(form.split()), word)
        else:
            words.setdefault(form, word)  # the first reading wins: the kinds' order above
    return Table(words, phrases, frozenset(_forms(data.get("and"))),
                 tuple(sorted(_forms(data.get("suffixes")), key=len, reverse=True)),
                 str(data.get("order") or "") == "units-tens", bool(data.get("vigesimal")))


@dataclass
class _Count:
    """A number being read, word by word: thousands, hundreds and the rest below 100."""

    table: Table
    thousands: int = 0
    hundreds: int = 0
    small: int = 0
    last: str = ""
    words: int = 0
    half: bool = False
    done: bool = False  # after a group noun or zero nothing more belongs to the number
    first: Word | None = None

    def add(self, word: Word) -> bool:
        """Add the next word; False when it cannot belong to this number."""
        accepted = self._accept(word)
        if accepted:
            self.words += 1
            self.last = word.kind
            self.first = self.first or word
        return accepted

    def _accept(self, word: Word) -> bool:
        if self.done:
            return False
        if self.half and word.kind not in ("group", *_SCALES) and not word.article:
            return False
        kind, value = word.kind, word.value
        if kind == "zero" or kind == "half":
            if self.words:
                return False
            self.half = kind == "half"
            self.done = kind == "zero"
            return True
        if kind == "unit":
            if self.half:  # "half a dozen": the article only
                return word.article and self.small == 0
            if self.small == 0 or (self.last == "ten" and self.small % 10 == 0):
                self.small += value
                return True
            return False
        if kind == "teen":
            if self.small == 0 or self._by_twenties():
                self.small += value
                return True
            return False
        if kind == "ten":
            if self.small == 0 or (self._by_twenties() and value == 10) or (
                    self.table.units_first and self.last == "unit" and self.small < 10):
                self.small += value
                return True
            return False
        if kind == "hundreds":
            if self.hundreds or self.small:
                return False
            self.hundreds = value
            return True
        if kind == "hundred":
            return self._hundred(word)
        if kind in ("thousand", "thousands"):
            return self._thousand(word)
        return self._group(word)

    def _by_twenties(self) -> bool:
        """French "soixante-dix", "quatre-vingt-douze": 60 or 80, then 10 to 19."""
        return self.table.vigesimal and self.last == "ten" and self.small in (60, 80)

    def _hundred(self, word: Word) -> bool:
        if self.half:
            return self._halved(100)
        if self.hundreds or (word.plural and not self.small):
            return False
        self.hundreds, self.small = (self.small or 1) * 100, 0
        return True

    def _thousand(self, word: Word) -> bool:
        if self.half:
            return self._halved(1000)
        if self.thousands:
            return False
        if word.kind == "thousands":
            if self.hundreds or self.small:
                return False
            self.thousands = word.value
            return True
        below = self.hundreds + self.small
        if word.plural and not below:
            return False
        self.thousands, self.hundreds, self.small = (below or 1) * 1000, 0, 0
        return True

    def _group(self, word: Word) -> bool:
        if self.half:
            return self._halved(word.value)
        below = self.hundreds + self.small
        if self.thousands or (word.plural and not below):
            return False
        self.hundreds, self.small, self.done = 0, (below or 1) * word.value, True
        return True

    def _halved(self, value: int) -> bool:
        if value % 2:
            return False
        self.half, self.small, self.hundreds, self.done = False, value // 2, 0, True
        return True

    def value(self) -> int | None:
        """The number read so far, or None when it is no number ("half", "a" alone)."""
        if self.half or not self.words:
            return None
        return self.thousands + self.hundreds + self.small

    @property
    def alone(self) -> Word | None:
        """The single word the number is written with, if it is one word."""
        return self.first if self.words == 1 else None


@dataclass(frozen=True)
class _Found:
    """A number read in a text, and whether it may be another word."""

    value: int
    weak: bool
    article: bool  # the article alone: counts only before a member word or at the end
    end: int  # index of the token after it


@lru_cache(maxsize=4096)
def _pieces(token: str, lang: str) -> tuple[Word, ...] | None:
    """Read one written word as number words: itself, or the table's words run together."""
    tab = table(lang)
    if tab is None:
        return None
    word = tab.words.get(token)
    if word is not None and not word.bound:
        return (word,)
    return _split(token, tab)


def _split(token: str, tab: Table) -> tuple[Word, ...] | None:
    """Split a word into number words that make one number ("venticinque", "beşiz")."""
    stems = [(token, "")] + [(token[:-len(s)], s) for s in tab.suffixes
                              if token.endswith(s) and len(token) > len(s)]
    for stem, suffix in stems:
        options = sorted(_segmentations(stem, tab), key=len)
        for option in options:
            words = tuple(w for w in option if w is not AND)
            if not words or option[-1] is AND or (len(option) == 1 and not suffix):
                continue
            if len(words) == 1 and words[0].bound:
                continue
            count = _Count(tab)
            if all(count.add(w) for w in words) and count.value() is not None:
                return words
    return None


def _segmentations(text: str, tab: Table) -> list[tuple[Word, ...]]:
    """Every way to write ``text`` as table words and joining words, shortest first."""
    pieces = {**tab.words, **{c: AND for c in tab.connectors if " " not in c}}
    longest = max((len(p) for p in pieces), default=0)

    @cache
    def ways(start: int, left: int) -> tuple[tuple[Word, ...], ...]:
        if start == len(text):
            return ((),)
        if left == 0:
            return ()
        found: list[tuple[Word, ...]] = []
        for end in range(start + 1, min(len(text), start + longest) + 1):
            piece = pieces.get(text[start:end])
            if piece is not None:
                found += [(piece, *rest) for rest in ways(end, left - 1)]
        return tuple(found)

    return list(ways(0, _MAX_PIECES))


@cache
def _member_words(lang: str) -> frozenset[tuple[str, ...]]:
    """The member words of the pack, as folded words ("socios", "persona socia", "kişi")."""
    return frozenset(words for code in {lang, "en"}
                     for phrase in pack_file(code, "terms.yml").get("member_words") or []
                     if (words := tuple(_WORD.findall(normal(str(phrase))))))


def _tokens(text: str) -> list[str]:
    """Words, digits and punctuation of the folded text (hyphens and apostrophes join)."""
    return _TOKEN.findall(normal(text).replace("-", " ").replace("'", " "))


def _read(tokens: list[str], at: int, lang: str) -> tuple[tuple[Word, ...], int] | None:
    """The number words at ``tokens[at]`` and how many tokens they take, or None."""
    tab = table(lang)
    if tab is None:
        return None
    for size in sorted({len(p) for p in tab.phrases}, reverse=True):
        word = tab.phrases.get(tuple(tokens[at:at + size]))
        if word is not None:
            return (word,), size
    pieces = _pieces(tokens[at], lang) if _WORD.fullmatch(tokens[at]) else None
    return (pieces, 1) if pieces else None


def _numbers(text: str, lang: str) -> list[_Found]:
    """Every number written in words in ``text``, in order."""
    tab = table(lang)
    if tab is None:
        return []
    tokens = _tokens(text)
    found: list[_Found] = []
    count: _Count | None = None
    end = 0  # the token after the number being read

    def close() -> None:
        nonlocal count
        if count is not None and (value := count.value()) is not None:
            alone = count.alone
            weak = alone is not None and (alone.weak or alone.article or alone.kind in (
                "hundred", "thousand", "group"))
            found.append(_Found(value, weak, bool(alone and alone.article), end))
        count = None

    at = 0
    while at < len(tokens):
        read = _read(tokens, at, lang)
        if read is None:
            if not (count is not None and tokens[at] in tab.connectors):
                close()
            at += 1
            continue
        words, size = read
        if count is not None:
            trial = replace(count)
            if all(trial.add(w) for w in words):
                count, end, at = trial, at + size, at + size
                continue
            close()
        count = _Count(tab)
        if all(count.add(w) for w in words):
            end = at + size
        else:
            count = None  # "cientos" alone: no number
        at += size
    close()
    return found


def _before_member_or_end(found: _Found, tokens: list[str], lang: str) -> bool:
    """Whether an article stands before a member word ("un socio") or ends the answer."""
    after = tuple(t for t in tokens[found.end:] if _WORD.fullmatch(t))
    return not after or any(after[:len(m)] == m for m in _member_words(lang))


def number_in_words(text: str, lang: str, *, weak: bool = True) -> int | None:
    """Return the first number written in words in ``text`` (in ``lang``), or None.

    Args:
        text: what the user wrote ("somos unos veinticinco socios", "on iki kişiyiz").
        lang: the language of the text; a language without a `numbers:` table reads none.
        weak: also read words that may mean something else ("una", "nou", a lone "mil")
            when no other number is written; False reads only unambiguous numbers.

    Returns:
        The number (1 to 999,999, or 0 for "zero"), or None when none is written.
    """
    found = _numbers(text, lang)
    strong = next((f for f in found if not f.weak), None)
    if strong is not None:
        return strong.value
    if not weak:
        return None
    tokens = _tokens(text)
    for item in found:
        if not item.article or _before_member_or_end(item, tokens, lang):
            return item.value
    return None


def rounded(text: str, lang: str) -> bool:
    """Whether ``text`` writes a round, approximate number ("una trentena", "a dozen")."""
    return any(word.kind == "group" for token in _tokens(text) if _WORD.fullmatch(token)
               for word in _pieces(token, lang) or ())


def ascii_digits(text: str) -> str:
    """Write every decimal digit as an ASCII one ("٢٥", "۲۵" → "25"), and the Arabic
    thousands and decimal separators as "," and "."."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c
                   for c in text.replace("٬", ",").replace("٫", "."))


def scale_after(text: str, lang: str) -> int:
    """Return what a number is multiplied by when ``text`` follows it: 1000 for "mil",
    "bin", "χιλιάδες"; 12 for "dozen"; 1 when no such word comes next ("2 mil" is 2000)."""
    tab = table(lang)
    tokens = _tokens(text)[:1]
    word = tab.words.get(tokens[0]) if tab and tokens else None
    if word is None or word.bound or word.kind not in (*_SCALES, "group"):
        return 1
    return word.value

