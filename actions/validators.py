"""Pure parsers for intake answers: e-mail, phone, country, counts, choices.

Amounts of money have their own module, `actions.amounts`.
"""

from __future__ import annotations

import re

import phonenumbers

from actions.extraction import answer_only_country, country_code, fold, terms
from actions.number_words import ROUND, ascii_digits, number_in_words, rounded, scale_after

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A count in digits: thousands grouped by ".", ",", an apostrophe or a space before exactly
# three digits ("1.200", "1,200", "1 200"); a minus sign right before it makes it negative.
_COUNT = re.compile(r"(?P<sign>(?<![\w.,])[-\u2212])?(?<![\d.,])"
                    r"(?P<number>\d{1,3}(?:[.,'\u2019 \u00a0\u202f]\d{3})+(?!\d)|\d+)")


def parse_email(text: str) -> str | None:
    """Return the e-mail address in ``text``, lower-cased domain, or None."""
    found = _EMAIL_IN_TEXT.search(text.strip())
    if not found or len(found.group(0)) > 254:
        return None
    local, domain = found.group(0).rsplit("@", 1)
    address = f"{local}@{domain.lower()}"
    return address if _EMAIL.match(address) else None


def parse_phone(text: str, country: str | None = None) -> str | None:
    """Return the phone number in international (E.164) form, or None if it is not valid."""
    candidate = re.sub(r"[^\d+()\s./-]", " ", text).strip()
    if not re.search(r"\d{6,}", re.sub(r"\D", "", candidate)):
        return None
    try:
        number = phonenumbers.parse(candidate, country if country else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_country(text: str) -> str | None:
    """Return the ISO code of a country named in any of the nine languages."""
    code = country_code(text) or answer_only_country(text)
    if code:
        return code
    for word in re.split(r"[\s,;]+", text):
        # Inside a sentence a two-letter word is a code only in capitals ("IT"): "de",
        # "at", "in", "no", "es" are words of the nine languages first.
        if len(word.strip(".!?")) == 2 and not word.strip(".!?").isupper():
            continue
        code = country_code(word)
        if code:
            return code
    return None


def parse_positive_int(text: str, lang: str = "en") -> int | None:
    """Return a whole number greater than zero (below ten million) written in ``text``, or None.

    The first number written counts: digits in any script ("12", "٢٥", "1.200", "1 200",
    "2 mil"), or words in ``lang`` or English ("veinticinco", "a dozen": see
    `actions.number_words`). A number in words before the digits wins ("veinte socios y 3
    voluntarios"), unless it may be another word ("una cooperativa de 12") or is a round
    one the digits make exact ("una trentena de socis, 31 exactament"). A negative
    number, zero, a decimal number or no number at all is None.
    """
    digits = ascii_digits(text)
    match = _COUNT.search(digits)
    if match is None:
        value = _in_words(text, lang)
    elif (worded := number_in_words(digits[:match.start()], lang, weak=False)) is not None:
        exact = int(re.sub(r"\D", "", match.group("number")))
        # "una trentena de socis, 31 exactament": the digits make a round number exact.
        close = rounded(digits[:match.start()], lang) and abs(exact - worded) <= worded * ROUND
        value = exact if close else worded
    elif match.group("sign") or re.match(r"[.,]\d", digits[match.end():]):
        return None  # "-3", "2,5": no head count
    else:
        rest = digits[match.end():]
        value = int(re.sub(r"\D", "", match.group("number"))) * max(
            scale_after(rest, lang), scale_after(rest, "en") if lang != "en" else 1)
    return value if value is not None and 0 < value < 10_000_000 else None


def _in_words(text: str, lang: str) -> int | None:
    """A number in words in ``lang``, else in English (people answer in either)."""
    value = number_in_words(text, lang)
    if value is None and lang != "en":
        value = number_in_words(text, "en")
    return value


def parse_choice(text: str, section: str, lang: str) -> str | None:
    """Map a typed answer to a canonical value (legal form, sector, stage, need...)."""
    folded = fold(text.strip())
    for source in (terms(lang), terms("en")):
        for code, synonyms in (source.get(section) or {}).items():
            if folded == fold(str(code)) or any(folded == fold(str(s)) for s in synonyms or []):
                return str(code)
        for code, label in ((source.get("labels") or {}).get(section) or {}).items():
            if folded == fold(str(label)):
                return str(code)
    for source in (terms(lang), terms("en")):
        for code, synonyms in (source.get(section) or {}).items():
            if any(re.search(r"\b" + re.escape(fold(str(s))) + r"\b", folded)
                   for s in synonyms or [] if len(str(s)) > 3):
                return str(code)
    return None
