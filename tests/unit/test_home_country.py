"""The home country read from an opening is where the organisation is, never only where it
wants to sell (actions/intake.py `_prefill`, actions/places.py `is_destination`)."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.intake import ValidateIntakeForm
from tests.support.trackers import make_tracker


def _country(lang: str, text: str):
    tracker = make_tracker(language=lang, text=text, intent="need_internationalisation",
                           slots={"requested_slot": None, "consent": True},
                           active_loop="intake_form")
    return asyncio.run(ValidateIntakeForm().extract_country(CollectingDispatcher(), tracker,
                                                            {})).get("country")


@pytest.mark.parametrize(("lang", "text", "home"), [
    # a known town says home; the countries beside it are destinations
    ("tr", "Merhaba, Konya'dan bir dokuma kooperatifiyiz. Ürünlerimizi Almanya ve "
           "Fransa'ya satmak istiyoruz", "TR"),
    ("ar", "نحن جمعية من صفاقس، نحبو نصدرو لإيطاليا زيت الزيتون", "TN"),
    ("es", "Somos una cooperativa de Zaragoza y queremos vender en Francia", "ES"),
    # no home said: nothing is guessed, the question will be asked
    ("el", "Φτιάχνουμε μαρμελάδες και θέλουμε να πουλάμε σε Γερμανία και Αυστρία", None),
    ("tr", "Ürünlerimizi Hollanda'ya ihraç etmek istiyoruz", None),
    # a country said as home stays home
    ("fr", "Nous sommes une association au Maroc et cherchons des partenaires en France", "MA"),
])
def test_home_is_not_where_they_want_to_sell(lang, text, home):
    assert _country(lang, text) == home


@pytest.mark.parametrize(("lang", "text", "amount"), [
    ("ca", "Tenim el terreny cedit per 75 anys i ens falten diners per a l'obra", None),
    ("en", "We have run the shop for 12 years and need a loan", None),
    ("es", "Necesitamos unos 20.000 € para la furgoneta", "20000.00 EUR"),
    ("fr", "il nous faut un demi-million d'euros", "500000.00 EUR"),
])
def test_only_a_number_written_as_money_is_an_amount_before_the_question(lang, text, amount):
    tracker = make_tracker(language=lang, text=text, intent="need_funding",
                           slots={"requested_slot": None, "consent": True},
                           active_loop="intake_form")
    found = asyncio.run(ValidateIntakeForm().extract_amount(CollectingDispatcher(), tracker, {}))
    assert found.get("amount") == amount


@pytest.mark.parametrize(("text", "code"), [
    ("Brasil", "BR"), ("Brésil", "BR"), ("Βραζιλία", "BR"), ("البرازيل", "BR"),
    ("العراق", "IQ"), ("Sudão", "SD"), ("Irlanda", "IE"), ("Cabo Verde", "CV"),
])
def test_countries_beyond_the_mediterranean_are_known(text, code):
    from actions.validators import parse_country
    assert parse_country(text) == code


@pytest.mark.parametrize(("answer", "code"), [
    ("estamos en el sur de España", "ES"),  # "de" is not Germany
    ("de Portugal, ao pé de Braga", "PT"),
    ("at Cyprus, Limassol", "CY"),  # "at" is not Austria
    ("no, in Marocco", "MA"),  # neither Norway nor India
    ("la sede è in IT", "IT"),  # a code in capitals still counts
    ("es", "ES"),  # a code given alone, as before
])
def test_two_letter_words_in_a_sentence_are_not_country_codes(answer: str, code: str):
    from actions.validators import parse_country

    assert parse_country(answer) == code
