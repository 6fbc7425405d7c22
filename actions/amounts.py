"""Amounts of money as people write them in the nine languages: pure functions, no database.

"15k", "15 bin TL", "270 χιλ. ευρω", "1,5 milioni di euro", "٣٠٠٠٠ درهم", "€15,000",
"un millón de euros". The number, its scale word and the currency next to it are read
together, so the currency the user states wins over the default of their country.

Separators: a single "." or "," followed by exactly three digits groups thousands in every
language ("15.000" and "15,000" are both fifteen thousand: nobody asks for fifteen euros
with three decimals); one or two digits after it are decimals ("2,5 millones", "1.5k");
when both appear, the last one is the decimal mark ("1.500,50", "1,500.50"). Only with a
scale word does a three-digit tail follow the language's own decimal mark ("1,500 milioni"
is one and a half million in Italian).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_decimal_symbol, is_currency

from actions.folding import DIGITS, fold_chars
from actions.money_words import (
    ABBREVIATIONS,
    AMBIGUOUS,
    AMOUNT_WORDS,
    CAPITALS_ONLY,
    COUNTRY_CURRENCY,
    CURRENCY_WORDS,
    FAMILIES,
    FAMILY_WORDS,
    HALF_WORDS,
    OWN_LANGUAGE_ONLY,
    QUALIFIERS,
    SCALE_WORDS,
    SHORT_SCALES,
)
from actions.number_words import number_in_words

LARGEST = Decimal("1e12")  # a trillion or more is a typo, not a request

# A number: digits grouped by "." "," "'" or a space before exactly three digits. A minus
# sign counts only where it cannot be the dash of a range ("20-30k").
_NUMBER = re.compile(r"(?<![\w.,+])(-(?=\d))?(\d+(?:(?:[.,'’]|\s(?=\d{3}(?!\d)))\d+)*)(?![\d%])")
# Spans that hold digits but no amount: phone numbers, e-mail addresses, web addresses.
_NOT_AMOUNTS = re.compile(r"\+\d[\d\s().-]{5,}\d|\S+@\S+|(?:https?://|www\.)\S+")
_LETTER = r"[^\W\d_]"
# Arabic article and prepositions written onto a currency word: "بالدرهم", "اليورو".
_CLITIC = r"(?:و?(?:بال|لل|ال|ب))?"
# Turkish endings on a currency word: "avroluk", "TL'lik", "dolara", "euroyu".
_SUFFIX = r"(?:['’]?(?:l[ıiuü]k|y[aeıiuü]|d[ae]n|t[ae]n|[aeıiuü]))?"


@dataclass(frozen=True)
class Money:
    """An amount and the currency written with it (None when the user named none)."""

    amount: Decimal
    currency: str | None
    marked: bool  # a currency or a scale word is written with the number


@dataclass(frozen=True)
class _Marker:
    """A currency word, code or symbol found in the text."""

    start: int
    end: int
    code: str  # an ISO code, or a family name such as "dinar"
    kind: str  # "word" counts anywhere, "short" next to the number, "iso" close to it


@dataclass(frozen=True)
class _Number:
    """A number found in the text, its scale word applied."""

    value: Decimal
    start: int
    end: int  # after the scale word, if any
    scaled: bool


def _fold(word: str) -> str:
    """Fold one table word the way the text is folded."""
    return fold_chars(word).strip()


def _alternation(words: Iterable[str]) -> str:
    """Join words into a regex alternation, longest first so "us$" wins over "$"."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _scales(lang: str) -> dict[str, int]:
    """Return the folded scale words read in ``lang``: its own, then every unambiguous one."""
    merged: dict[str, int] = {}
    for code, words in SCALE_WORDS.items():
        if code != lang:
            merged.update({_fold(w): v for w, v in words.items()
                           if _fold(w) not in OWN_LANGUAGE_ONLY})
    merged.update({_fold(w): v for w, v in SCALE_WORDS.get(lang, {}).items()})
    merged.update(SHORT_SCALES)
    return merged


@cache
def _scale_after(lang: str) -> re.Pattern[str]:
    """Match a scale word right after a number ("15k", "270 χιλ.", "2,5 millones")."""
    return re.compile(rf"\s?({_alternation(_scales(lang))})(?!\w)\.?")


@cache
def _currency_words() -> dict[str, str]:
    """Map folded currency words to an ISO code, or to a family name ("dinar", "lira")."""
    table = {_fold(w): code for w, code in CURRENCY_WORDS.items()}
    table.update({_fold(w): family for w, family in FAMILY_WORDS.items()})
    return table


@cache
def _currency_pattern() -> re.Pattern[str]:
    """Match any currency word, code or symbol in folded text (Turkish endings allowed)."""
    words = _currency_words()
    lettered = [w for w in words if re.fullmatch(rf"{_LETTER}[^\s]*{_LETTER}", w)]
    long_words = _alternation(w for w in lettered if len(w) >= 4)
    short_words = _alternation(w for w in lettered if len(w) < 4)
    symbols = _alternation(w for w in words if w not in lettered)
    return re.compile(rf"(?<!{_LETTER}){_CLITIC}(?:({long_words}){_SUFFIX}|({short_words}))"
                      rf"(?!{_LETTER})|({symbols})")


def normalise_number(raw: str, lang: str, scaled: bool = False) -> Decimal | None:
    """Return the value of a written number ("15.000", "1,5", "1.500,50", "15 000")."""
    raw = re.sub(r"[\s'’]", "", raw.translate(DIGITS))
    marks = [c for c in raw if c in ".,"]
    try:
        if not marks:
            return Decimal(raw)
        if len(set(marks)) == 2:
            decimal_mark = raw[max(raw.rfind("."), raw.rfind(","))]
            whole, fraction = raw.rsplit(decimal_mark, 1)
            return Decimal(re.sub(r"[.,]", "", whole) + "." + fraction)
        groups = raw.split(marks[0])
        if len(groups) > 2:
            return Decimal("".join(groups)) if all(len(g) == 3 for g in groups[1:]) else None
        head, tail = groups
        own_decimal = scaled and marks[0] == get_decimal_symbol(lang)
        if len(tail) == 3 and head != "0" and not own_decimal:
            return Decimal(head + tail)
        return Decimal(f"{head}.{tail}")
    except InvalidOperation:
        return None


def _prepared(text: str) -> tuple[str, str]:
    """Return the text without phone numbers and addresses, as written and folded."""
    original = _NOT_AMOUNTS.sub(lambda m: " " * len(m.group(0)), text.translate(DIGITS))
    return original, fold_chars(original)


def _markers(original: str, folded: str) -> list[_Marker]:
    """Find every currency word, code and symbol, with their positions."""
    words = _currency_words()
    found: list[_Marker] = []
    for match in _currency_pattern().finditer(folded):
        word = match.group(1) or match.group(2) or match.group(3)
        capitals = original[match.start():match.end()].isupper()
        if word in CAPITALS_ONLY and not capitals:
            continue
        short = word in AMBIGUOUS and not capitals
        found.append(_Marker(match.start(), match.end(), words[word],
                             "short" if short else "word"))
    taken = {m.start for m in found}
    for match in re.finditer(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])", original):
        if match.start() not in taken and is_currency(match.group(0)):
            found.append(_Marker(match.start(), match.end(), match.group(0), "iso"))
    return found


def _gap(marker: _Marker, number: _Number) -> int:
    """Characters between a marker and a number (a marker after the number wins ties)."""
    if marker.start >= number.end:
        return marker.start - number.end
    return number.start - marker.end + 1


def _written_with(marker: _Marker, number: _Number, folded: str) -> bool:
    """Whether a marker belongs to the number: right next to it, or a few words away."""
    if marker.kind == "short":
        return marker.start >= number.end and not folded[number.end:marker.start].strip()
    return _gap(marker, number) <= (12 if marker.start >= number.end else 6)


def _currency_for(number: _Number, markers: list[_Marker], folded: str) -> _Marker | None:
    """Return the marker of the number's currency: the closest one that may belong to it."""
    usable = [m for m in markers if m.kind == "word" or _written_with(m, number, folded)]
    return min(usable, key=lambda m: _gap(m, number), default=None)


def _family_code(family: str, marker: _Marker, folded: str, country: str | None) -> str:
    """Resolve "dinar", "lira"... by the nearest qualifier next to it, else by the country."""
    default, by_country = FAMILIES[family]
    best: tuple[int, str] | None = None
    for code, stems in QUALIFIERS.items():
        if code not in by_country:
            continue
        for stem in stems:
            for hit in re.finditer(re.escape(_fold(stem)), folded):
                gap = hit.start() - marker.end if hit.start() >= marker.end \
                    else marker.start - hit.end()
                if gap <= 25 and (best is None or gap < best[0]):
                    best = (gap, by_country[code])
    return best[1] if best else by_country.get(country or "", default)


def _code(marker: _Marker | None, folded: str, country: str | None) -> str | None:
    """Return the ISO code a marker stands for."""
    if marker is None:
        return None
    if marker.code in FAMILIES:
        return _family_code(marker.code, marker, folded, country)
    return marker.code


def _numbers(folded: str, lang: str) -> list[_Number]:
    """Return every number in the text with its scale word applied."""
    found: list[_Number] = []
    for match in _NUMBER.finditer(folded):
        scale = _scale_after(lang).match(folded, match.end())
        value = normalise_number(match.group(2), lang, scaled=scale is not None)
        if value is None:
            continue
        if scale:
            value *= _scales(lang)[scale.group(1)]
        if match.group(1):
            value = -value  # "-5000": refused below
        found.append(_Number(value, match.start(), scale.end() if scale else match.end(),
                             scale is not None))
    return found


THOUSAND = 1000


def _worded(folded: str, lang: str) -> _Number | None:
    """Read a scale word with no digits: "mil euros", "un millón", "mezzo milione"."""
    halves = {_fold(w) for w in HALF_WORDS}
    scales = {w: v for w, v in _scales(lang).items() if w not in ABBREVIATIONS}
    pattern = rf"(?<!{_LETTER})(?:({_LETTER}+)\s+)?(?:({_LETTER}+)\s+)?" \
              rf"({_alternation(scales)})(?!{_LETTER})"
    # "un demi-million": a hyphen between words is a space (same length, same positions).
    match = re.search(pattern, re.sub(rf"(?<={_LETTER})-(?={_LETTER})", " ", folded))
    if match is None:
        return _compound(folded, lang)
    before = [w for w in (match.group(1), match.group(2)) if w]
    factor = Decimal(scales[match.group(3)])
    if halves & set(before):  # "half a million", "mezzo milione"
        return _Number(factor / 2, match.start(), match.end(), False)
    count = _count_before_scale(before, lang)
    if count is not None:  # "twenty thousand", "deux millions", "σαράντα χιλιάδες"
        return _Number(count * factor, match.start(), match.end(), False)
    return _Number(factor, match.start(3), match.end(), False)


def _compound(folded: str, lang: str) -> _Number | None:
    """A thousand or more written as one word ("ventimila", "cinquantamila", "yirmibin")."""
    for word in re.finditer(rf"{_LETTER}+", folded):
        value = number_in_words(word.group(0), lang, weak=False)
        if value is not None and value >= THOUSAND:
            return _Number(Decimal(value), word.start(), word.end(), True)
    return None


def _count_before_scale(before: list[str], lang: str) -> int | None:
    """The number in words right before a scale word: the last word ("necesitamos dos"), or
    both when both are part of it ("vingt cinq", "yirmi beş"); in ``lang`` or English."""
    def read(words: list[str], weak: bool = False) -> int | None:
        text = " ".join(words)
        value = number_in_words(text, lang, weak=weak)
        if value is None and lang != "en":
            value = number_in_words(text, "en", weak=weak)
        return value if value else None

    both = read(before) if len(before) == 2 and read(before[:1], weak=True) else None
    return both or (read(before[-1:]) if before else None)


def _pick(numbers: list[_Number], markers: list[_Marker],
          folded: str) -> tuple[_Number, _Marker | None] | None:
    """Choose the number that is the amount: the first one written with a currency or scale."""
    for number in numbers:
        marker = _currency_for(number, markers, folded)
        if number.scaled or (marker is not None and _written_with(marker, number, folded)):
            return number, marker
    if not numbers:
        return None
    return numbers[0], _currency_for(numbers[0], markers, folded)


def parse_money(text: str, lang: str = "en", country: str | None = None) -> Money | None:
    """Return the amount stated in ``text`` and the currency written with it.

    Args:
        text: what the user wrote ("15 bin TL", "270 χιλ. ευρω", "€15,000").
        lang: the conversation language, for "mil" and a scaled decimal mark.
        country: ISO code of the organisation's country, to tell which "dinar" or "lira".

    Returns:
        The first number written with a currency or a scale word (else the first number)
        and its currency, or None when there is no amount above zero and below a trillion.
    """
    original, folded = _prepared(text)
    numbers = _numbers(folded, lang)
    worded = None if numbers else _worded(folded, lang)
    markers = _markers(original, folded)
    picked = _pick(numbers or ([worded] if worded else []), markers, folded)
    if picked is None:
        return None
    number, marker = picked
    if number.value <= 0 or number.value >= LARGEST:
        return None
    marked = number.scaled or (marker is not None and _written_with(marker, number, folded))
    return Money(number.value.quantize(Decimal("0.01")), _code(marker, folded, country), marked)


def parse_currency(text: str, country: str | None = None) -> str | None:
    """Return the ISO code of the first currency named in ``text`` ("in dirhams", "TL")."""
    original, folded = _prepared(text)
    words = [m for m in _markers(original, folded) if m.kind == "word"]
    first = min(words, key=lambda m: m.start, default=None)
    return _code(first, folded, country)


def currency_for_country(currency: str | None, country: str | None) -> str | None:
    """The currency a family's default stands for once the country is known, or None.

    "nos faltan 15 millones de pesos" before the country is known reads as the family's
    default (Mexican pesos); the organisation then says it is in Chile: Chilean pesos.
    """
    for default, by_country in FAMILIES.values():
        if currency == default and country in by_country and by_country[country] != default:
            return by_country[country]
    return None


def default_currency(country: str | None) -> str:
    """Return the currency meant when none is named: the country's own, or the euro."""
    return COUNTRY_CURRENCY.get(country or "", "EUR")


def parse_amount(text: str, lang: str = "en",
                 country: str | None = None) -> tuple[Decimal, str] | None:
    """Return (amount, ISO currency): the stated currency, else the country's default."""
    money = parse_money(text, lang, country)
    if money is None:
        return None
    return money.amount, money.currency or default_currency(country)


def names_amount(text: str, lang: str) -> bool:
    """Whether ``text`` names the amount field ("l'importo è", "το ποσό", "the amount")."""
    folded = fold_chars(text)
    words = {_fold(w) for code in (lang, "en") for w in AMOUNT_WORDS.get(code, ())}
    return any(re.search(rf"(?<!{_LETTER}){re.escape(w)}(?!{_LETTER})", folded) for w in words)


def stated_amount(text: str, lang: str, country: str | None = None) -> Money | None:
    """Return the amount a correction states: with a currency, a scale or the word "amount"."""
    money = parse_money(text, lang, country)
    if money is None or not (money.marked or names_amount(text, lang)):
        return None
    return money
