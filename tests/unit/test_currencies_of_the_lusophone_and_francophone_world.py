"""Money as users in Brazil, Cape Verde, West Africa or Switzerland write it: "mil reais",
"escudos", or no currency at all, which means their country's own, not euros."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.amounts import default_currency, parse_amount
from catalog.brief import money_label


@pytest.mark.parametrize(("text", "lang", "country", "amount", "currency"), [
    ("precisamos de uns 35 mil reais para a horta", "pt", None, 35_000, "BRL"),
    ("2.500 reais por mês", "pt", "BR", 2_500, "BRL"),
    ("uns 40 mil", "pt", "BR", 40_000, "BRL"),
    ("cerca de 900 mil escudos", "pt", "CV", 900_000, "CVE"),
    ("3 millions", "fr", "SN", 3_000_000, "XOF"),
    ("12 000", "fr", "CI", 12_000, "XOF"),
    ("15k", "fr", "CH", 15_000, "CHF"),
    ("15k", "fr", "BE", 15_000, "EUR"),
])
def test_the_amount_and_the_currency_meant(text, lang, country, amount, currency):
    assert parse_amount(text, lang, country) == (Decimal(amount), currency)


def test_reais_as_an_adjective_names_no_currency():
    # "os custos reais" (the real costs): the word is no currency away from a number.
    assert parse_amount("os custos reais ficam em 8000", "pt", "PT") == (Decimal(8000), "EUR")


@pytest.mark.parametrize(("country", "currency"), [
    ("BR", "BRL"), ("CV", "CVE"), ("SN", "XOF"), ("CM", "XAF"), ("PT", "EUR"), ("FR", "EUR"),
])
def test_each_country_its_own_money(country, currency):
    assert default_currency(country) == currency


@pytest.mark.parametrize(("currency", "lang", "shown"), [
    ("BRL", "pt", "R$"), ("XOF", "fr", "F\u202fCFA"), ("CVE", "pt", "CVE"),
])
def test_the_summary_shows_the_currency(currency, lang, shown):
    assert shown in money_label(50_000, currency, lang)
