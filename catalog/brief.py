"""Readable, language-neutral descriptions of a case: summaries for users, briefs for brokers.

Field and value labels come from the language packs (nlu/<lang>/terms.yml,
`labels:`), country names from Babel, so no sentence lives in Python.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import format_currency, format_decimal

from catalog.languages import pack_file
from catalog.vocabulary import LANGUAGES

CASE_FIELDS = ("org_name", "legal_form", "country", "destinations", "city", "sector", "members",
               "stage", "website", "need_category", "need_description", "amount", "timeline",
               "contact_name", "email", "phone")
CODED = {"legal_form", "sector", "stage", "need_category", "timeline"}
RTL = frozenset({"ar"})
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: keeps Latin values intact in Arabic


@cache
def labels(lang: str) -> dict[str, dict[str, str]]:
    """Return the `labels:` section of a language pack (English for unknown languages)."""
    data = pack_file(lang if lang in LANGUAGES else "en", "terms.yml")
    return {k: {str(a): str(b) for a, b in (v or {}).items()}
            for k, v in (data.get("labels") or {}).items()}


def isolate(text: str, lang: str) -> str:
    """Wrap ``text`` in a bidi isolate when ``lang`` is written right to left.

    Latin names, amounts and addresses then keep their order inside Arabic text.
    """
    return f"{FSI}{text}{PDI}" if lang in RTL and text else text


def money_label(amount: Decimal | float | int | str, currency: str, lang: str) -> str:
    """Format an amount the way ``lang`` writes money, without cents for whole amounts.

    "270.000 €" in Greek and Spanish, "€270,000" in English, "₺15.000" in Turkish.
    """
    value = Decimal(str(amount))
    locale = lang if lang in LANGUAGES else "en"
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
        pattern = pattern.replace(".00", "")
    return format_currency(value, currency, format=pattern, locale=locale,
                           currency_digits=False)


def value_label(field: str, value: Any, lang: str) -> str:
    """Return how ``value`` of ``field`` reads in ``lang``."""
    if value is None or value == "":
        return "—"
    if field == "destinations":  # ISO codes: "Italy, France" in the reader's language
        return ", ".join(value_label("country", code, lang) for code in value or []) or "—"
    if field == "country":
        return str(Locale.parse(lang if lang in LANGUAGES else "en").territories.get(
            str(value), str(value)))
    if field in CODED:
        return labels(lang).get(field, {}).get(str(value)) or \
            labels("en").get(field, {}).get(str(value), str(value))
    if field == "members":
        return format_decimal(int(value), locale=lang)
    if isinstance(value, Decimal | float | int) and field == "amount":
        return format_decimal(value, locale=lang)
    return str(value)


def summary_lines(case: dict[str, Any], lang: str) -> list[str]:
    """Return "Label: value" lines for every filled field, in the user's language."""
    field_labels = labels(lang).get("field", {}) or labels("en").get("field", {})
    lines = []
    for field in CASE_FIELDS:
        value = case.get(field)
        if value in (None, "", "skipped", []):
            continue
        if field == "amount" and case.get("currency"):
            shown = money_label(value, str(case["currency"]), lang)
        else:
            shown = value_label(field, value, lang)
        lines.append(f"{field_labels.get(field, field)}: {isolate(str(shown), lang)}")
    return lines


def summary(case: dict[str, Any], lang: str) -> str:
    """Return the multi-line summary of a case in ``lang``."""
    return "\n".join(summary_lines(case, lang))
