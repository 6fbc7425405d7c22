"""Pure parsers for intake answers: e-mail, phone, country, counts, choices.

Amounts of money have their own module, `actions.amounts`.
"""

from __future__ import annotations

import re

import phonenumbers

from actions.extraction import country_code, fold, terms

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


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
    code = country_code(text)
    if code:
        return code
    for word in re.split(r"[\s,;]+", text):
        code = country_code(word)
        if code:
            return code
    return None


def parse_positive_int(text: str, lang: str = "en") -> int | None:
    """Return a whole number greater than zero written in ``text``, or None."""
    from actions.extraction import _WORD_NUMBERS

    match = re.search(r"-?\d[\d.,\s]*", text)
    if match:
        if match.group(0).startswith("-"):
            return None
        digits = re.sub(r"[.,\s]", "", match.group(0))
        if digits.isdigit() and 0 < int(digits) < 10_000_000:
            return int(digits)
        return None
    for word in re.findall(r"\w+", fold(text)):
        value = _WORD_NUMBERS.get(lang, {}).get(word) or _WORD_NUMBERS["en"].get(word)
        if value:
            return value
    return None


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
