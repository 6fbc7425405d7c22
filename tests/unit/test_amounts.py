"""Amounts as users write them, in the nine languages: number, scale word and currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.amounts import (
    default_currency,
    normalise_number,
    parse_amount,
    parse_currency,
    parse_money,
    stated_amount,
)
from actions.money_words import AMOUNT_WORDS, SCALE_WORDS
from catalog.brief import money_label, summary
from catalog.vocabulary import LANGUAGES

# (language, country of the organisation, what the user wrote, amount, ISO currency saved)
ANSWERS = [
    # the reported cases
    ("tr", "TR", "15000 euro", "15000", "EUR"),
    ("ar", "TN", "30000 يورو", "30000", "EUR"),
    ("el", "GR", "270 χιλ. ευρω", "270000", "EUR"),
    ("el", "GR", "το ποσό είναι 270000 ευρώ", "270000", "EUR"),
    ("el", "GR", "275.000 €", "275000", "EUR"),
    ("el", "GR", "χρειαζομαστε 270000 ευρω", "270000", "EUR"),
    ("it", "IT", "anzi l'importo è 80.000 euro", "80000", "EUR"),
    # Catalan
    ("ca", "ES", "25.000 €", "25000", "EUR"),
    ("ca", "ES", "uns 30 mil euros", "30000", "EUR"),
    ("ca", "ES", "1,5 milions d'euros", "1500000", "EUR"),
    ("ca", "ES", "un milió", "1000000", "EUR"),
    ("ca", "MA", "200.000 dírhams", "200000", "MAD"),
    # Spanish
    ("es", "ES", "15.000", "15000", "EUR"),
    ("es", "ES", "2,5 millones", "2500000", "EUR"),
    ("es", "ES", "unos 20 mil dólares", "20000", "USD"),
    ("es", "ES", "mil euros", "1000", "EUR"),
    ("es", "ES", "1.500,50 €", "1500.50", "EUR"),
    ("es", "MA", "necesitamos 300.000 dirhams", "300000", "MAD"),
    ("es", "ES", "1.500 millones", "1500000000", "EUR"),
    # French
    ("fr", "FR", "15 000 €", "15000", "EUR"),
    ("fr", "FR", "15\u202f000\u00a0€", "15000", "EUR"),
    ("fr", "DZ", "500 000 DA", "500000", "DZD"),
    ("fr", "TN", "40 mille dinars", "40000", "TND"),
    ("fr", "FR", "deux millions d'euros", "2000000", "EUR"),
    ("fr", "TN", "30 000 dinars algériens", "30000", "DZD"),
    ("fr", "MA", "50k", "50000", "MAD"),
    # Italian
    ("it", "IT", "1,5 milioni", "1500000", "EUR"),
    ("it", "IT", "50 mila euro", "50000", "EUR"),
    ("it", "IT", "un prestito da 50.000 euro", "50000", "EUR"),
    ("it", "IT", "mezzo milione", "500000", "EUR"),
    ("it", "IT", "1,250 milioni", "1250000", "EUR"),
    ("it", "TN", "30.000 dinari tunisini", "30000", "TND"),
    # Portuguese
    ("pt", "PT", "1,5 milhões de euros", "1500000", "EUR"),
    ("pt", "PT", "30 mil euros", "30000", "EUR"),
    ("pt", "PT", "um milhão", "1000000", "EUR"),
    ("pt", "PT", "€ 12.500", "12500", "EUR"),
    ("pt", "PT", "US$ 20.000", "20000", "USD"),
    # Greek
    ("el", "GR", "270 χιλιάδες ευρώ", "270000", "EUR"),
    ("el", "GR", "2 εκατομμύρια ευρώ", "2000000", "EUR"),
    ("el", "GR", "1,5 εκ. ευρώ", "1500000", "EUR"),
    ("el", "TN", "50.000 δηνάρια Τυνησίας", "50000", "TND"),
    ("el", "EG", "300.000 λίρες Αιγύπτου", "300000", "EGP"),
    ("el", "GR", "ΧΡΕΙΑΖΟΜΑΣΤΕ 40.000 ΕΥΡΩ", "40000", "EUR"),
    # Turkish
    ("tr", "TR", "15 bin", "15000", "TRY"),
    ("tr", "TR", "15k", "15000", "TRY"),
    ("tr", "TR", "200 bin TL", "200000", "TRY"),
    ("tr", "TR", "₺15.000", "15000", "TRY"),
    ("tr", "TR", "15 bin avroluk kredi", "15000", "EUR"),
    ("tr", "TR", "2 milyon lira", "2000000", "TRY"),
    ("tr", "TR", "20 bin dolar", "20000", "USD"),
    ("tr", "EG", "Mısır lirası olarak 500 bin", "500000", "EGP"),
    ("tr", "TR", "15.000 TL'lik", "15000", "TRY"),
    # Arabic
    ("ar", "MA", "15 ألف", "15000", "MAD"),
    ("ar", "MA", "٣٠٠٠٠", "30000", "MAD"),
    ("ar", "MA", "۳۰۰۰۰ درهم", "30000", "MAD"),
    ("ar", "TN", "30 ألف دينار", "30000", "TND"),
    ("ar", "TN", "30 ألف دينار جزائري", "30000", "DZD"),
    ("ar", "EG", "بدنا منحة ٢٠ ألف جنيه", "20000", "EGP"),
    ("ar", "TN", "١٫٥ مليون دولار", "1500000", "USD"),
    ("ar", "MA", "٣٠٬٠٠٠ درهم", "30000", "MAD"),
    ("ar", "LB", "50 مليون ليرة لبنانية", "50000000", "LBP"),
    ("ar", "TN", "10 آلاف يورو", "10000", "EUR"),
    # English
    ("en", "GB", "€270,000", "270000", "EUR"),
    ("en", "GB", "15,000", "15000", "GBP"),
    ("en", "GB", "about 50k dollars", "50000", "USD"),
    ("en", "GB", "2 mil", "2000000", "GBP"),
    ("en", "GB", "1.5M", "1500000", "GBP"),
    ("en", "GB", "3 m€", "3000000", "EUR"),
    ("en", "GB", "20 grand", "20000", "GBP"),
    ("en", "MA", "50k MAD", "50000", "MAD"),
    ("en", "MA", "50k dh", "50000", "MAD"),
    ("en", "US", "twenty thousand", "20000", "USD"),
    ("en", "GB", "half a million pounds", "500000", "GBP"),
    ("en", "EG", "100,000 Egyptian pounds", "100000", "EGP"),
    ("en", "GB", "10,000.50 USD", "10000.50", "USD"),
]


@pytest.mark.parametrize(("lang", "country", "text", "amount", "currency"), ANSWERS)
def test_an_answer_gives_the_amount_and_currency_the_user_meant(lang, country, text, amount,
                                                                 currency):
    assert parse_amount(text, lang, country) == (Decimal(amount), currency)


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "no idea yet"),
    ("en", "-5000 €"),
    ("es", "0 euros"),
    ("fr", "aucune idée"),
    ("en", "call me on +34 600 123 456"),
    ("en", "write to info2000@coop.example.org"),
    ("el", "δεν ξέρω ακόμα"),
    ("ar", "لا أعرف"),
    ("en", "10000000000000 euros"),  # ten trillion: a typo, not a request
])
def test_text_without_a_positive_amount_is_refused(lang, text):
    assert parse_amount(text, lang, "ES") is None


@pytest.mark.parametrize(("lang", "text", "amount", "currency"), [
    # the number written with a currency or a scale is the amount, not the first one
    ("it", "siamo 12 soci e ci servono 30 mila euro", "30000", "EUR"),
    ("en", "we need 5000 euros by 2027", "5000", "EUR"),
    ("es", "para 3 máquinas: 45.000 €", "45000", "EUR"),
    # words that look like currency codes are not currencies unless written as codes
    ("it", "un prestito da 5000", "5000", None),
    ("en", "we need 5000 to try it", "5000", None),
    ("en", "Mare Nostrum APS needs 5000", "5000", None),
    ("fr", "le montant est de 5000", "5000", None),
    ("en", "5000 TRY", "5000", "TRY"),
    # a range: the larger, scaled end is read (a broker sees the user's words)
    ("en", "20-30k", "30000", None),
])
def test_the_amount_is_the_number_written_with_money(lang, text, amount, currency):
    money = parse_money(text, lang)
    assert money is not None
    assert (money.amount, money.currency) == (Decimal(amount), currency)


@pytest.mark.parametrize(("raw", "lang", "scaled", "value"), [
    ("15.000", "es", False, "15000"),
    ("15,000", "es", False, "15000"),
    ("15.000", "en", False, "15000"),
    ("15,000", "en", False, "15000"),
    ("1.500.000", "it", False, "1500000"),
    ("1,500,000", "en", False, "1500000"),
    ("15 000", "fr", False, "15000"),
    ("15'000", "fr", False, "15000"),
    ("2,5", "es", True, "2.5"),
    ("1.5", "en", True, "1.5"),
    ("12,50", "pt", False, "12.50"),
    ("1.500,50", "es", False, "1500.50"),
    ("1,500.50", "en", False, "1500.50"),
    ("0,500", "it", False, "0.500"),
    ("1,250", "it", True, "1.250"),  # with a scale word, the language's decimal comma
    ("1,250", "en", True, "1250"),   # the English comma still groups thousands
    ("٣٠٠٠٠", "ar", False, "30000"),
    ("۱۲۳۴۵", "ar", False, "12345"),
    ("1.50.000", "en", False, None),
])
def test_separators_read_as_each_language_writes_them(raw, lang, scaled, value):
    expected = None if value is None else Decimal(value)
    assert normalise_number(raw, lang, scaled) == expected


def test_mil_is_a_thousand_in_iberian_languages_and_a_million_in_english():
    assert parse_amount("20 mil", "es")[0] == Decimal(20_000)
    assert parse_amount("20 mil", "pt")[0] == Decimal(20_000)
    assert parse_amount("20 mil", "ca")[0] == Decimal(20_000)
    assert parse_amount("20 mil", "en")[0] == Decimal(20_000_000)


def test_every_language_has_thousands_millions_and_a_word_for_the_amount():
    for lang in LANGUAGES:
        assert {1_000, 1_000_000} <= set(SCALE_WORDS.get(lang, {}).values()), lang
        assert AMOUNT_WORDS.get(lang), lang


@pytest.mark.parametrize(("country", "currency"), [
    ("TR", "TRY"), ("MA", "MAD"), ("TN", "TND"), ("DZ", "DZD"), ("EG", "EGP"), ("GR", "EUR"),
    ("IT", "EUR"), (None, "EUR"),
])
def test_without_a_stated_currency_the_country_decides(country, currency):
    assert default_currency(country) == currency
    assert parse_amount("20000", "en", country) == (Decimal(20000), currency)


@pytest.mark.parametrize(("lang", "text", "country", "currency"), [
    ("en", "in dirhams, not euros", "FR", "MAD"),
    ("fr", "en dinars", "DZ", "DZD"),
    ("tr", "TL olarak", "DE", "TRY"),
    ("ar", "بالدولار", "MA", "USD"),  # "in dollars": preposition and article attached
    ("ar", "بالدرهم المغربي", "FR", "MAD"),
    ("el", "σε ευρώ", "TR", "EUR"),
    ("en", "the city is Tangier", "MA", None),
])
def test_a_currency_named_alone(lang, text, country, currency):
    assert parse_currency(text, country) == currency


@pytest.mark.parametrize(("lang", "text", "amount"), [
    ("el", "το ποσό είναι 270000", "270000"),
    ("it", "l'importo è 80.000", "80000"),
    ("ca", "l'import és 30.000", "30000"),
    ("es", "el importe es 30.000", "30000"),
    ("fr", "le montant est de 40 000", "40000"),
    ("pt", "o montante é 25.000", "25000"),
    ("tr", "tutar 15000", "15000"),
    ("ar", "المبلغ 30000", "30000"),
    ("en", "the amount is 50,000", "50000"),
    ("en", "make it 60k", "60000"),
    ("en", "60,000 euros", "60000"),
])
def test_a_correction_states_an_amount_with_money_words(lang, text, amount):
    money = stated_amount(text, lang)
    assert money is not None and money.amount == Decimal(amount)


@pytest.mark.parametrize(("lang", "text"), [
    ("it", "siamo 15 soci"),
    ("en", "we are 15 now"),
    ("es", "el teléfono es +34 600 123 456"),
    ("fr", "En fait nous sommes à Tanger, pas à Tunis"),
    ("el", "είμαστε 12 μέλη"),
])
def test_a_correction_without_money_words_states_no_amount(lang, text):
    assert stated_amount(text, lang) is None


@pytest.mark.parametrize(("lang", "currency", "shown"), [
    ("el", "EUR", "270.000\u00a0€"),
    ("es", "EUR", "270.000\u00a0€"),
    ("it", "EUR", "270.000\u00a0€"),
    ("ca", "EUR", "270.000\u00a0€"),
    ("fr", "EUR", "270\u202f000\u00a0€"),
    ("pt", "EUR", "€\u00a0270.000"),
    ("en", "EUR", "€270,000"),
    ("tr", "TRY", "₺270.000"),
    ("en", "USD", "$270,000"),
])
def test_the_amount_is_shown_as_money_the_way_the_language_writes_it(lang, currency, shown):
    assert money_label(270000.0, currency, lang) == shown


def test_cents_are_shown_only_when_there_are_some():
    assert money_label(1500.5, "EUR", "es") == "1.500,50\u00a0€"
    assert money_label(Decimal("1500.00"), "EUR", "en") == "€1,500"


def test_the_summary_confirms_the_amount_with_its_currency():
    case = {"org_name": "Coop", "amount": 15000.0, "currency": "EUR", "country": "TR"}
    assert "€15.000" in summary(case, "tr")
    assert "15000" not in summary(case, "tr")
    arabic = summary({"amount": 30000.0, "currency": "MAD"}, "ar")
    assert "30,000" in arabic and "د.م." in arabic
