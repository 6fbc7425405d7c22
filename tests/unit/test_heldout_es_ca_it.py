"""What the held-out es/ca/it replay showed the product getting wrong (issue 16, session 11).

Each test uses sentences of its own, not the held-out corpus's: Latin American countries and
pesos, "the old value is wrong" at the summary, a person described before being named, a
group answered to the legal-form question, a destination taken for home in an introduction,
"how long" asked with a verb in between.
"""

from __future__ import annotations

import pytest

from actions.amounts import currency_for_country, parse_amount
from actions.choices import match_choice
from actions.cleaning import clean_org_name, clean_person_name
from actions.corrections import named_field, read_correction
from actions.extraction import extract
from actions.introduction import ActionUnderstandIntro, understood
from actions.validators import parse_country
from catalog.vocabulary import CASE_LEGAL_FORMS
from nlu.faq import FaqMatcher
from tests.support.trackers import make_tracker, run

# -- a Latin American organisation says where it is -----------------------------------------


@pytest.mark.parametrize(("answer", "code"), [
    ("Argentina", "AR"), ("colombia", "CO"), ("Bolivia", "BO"), ("Paraguay", "PY"),
    ("Costa Rica", "CR"), ("Guatemala", "GT"), ("Honduras", "HN"), ("Nicaragua", "NI"),
    ("República Dominicana", "DO"), ("Panamá", "PA"), ("Xile", "CL"), ("Cile", "CL"),
    ("chile", "CL"), ("Arequipa, Perú", "PE"), ("Cuba", "CU"), ("El Salvador", "SV"),
    ("Ecuador", "EC"),
])
def test_a_latin_american_country_answered_is_known(answer, code):
    assert parse_country(answer) == code


@pytest.mark.parametrize("text", [
    "salsas con chile y mole",              # a pepper, not a country
    "criamos peru e frango no quintal",     # a turkey (pt), not Peru
    "Salvador",                              # the Brazilian city, not El Salvador
])
def test_names_that_are_also_words_are_no_country_inside_a_sentence(text):
    assert parse_country(text) is None


@pytest.mark.parametrize(("text", "country", "currency"), [
    ("unos 4 millones de pesos", "CL", "CLP"),
    ("800 mil pesos", "CO", "COP"),
    ("2,5 millones", "AR", "ARS"),
    ("120.000 pesos uruguayos", None, "UYU"),
    ("30.000 €", "MX", "EUR"),
])
def test_pesos_are_the_country_s_own(text, country, currency):
    parsed = parse_amount(text, "es", country)
    assert parsed is not None and parsed[1] == currency


# -- at the summary: "the X is wrong, it's Y" ----------------------------------------------


@pytest.mark.parametrize(("lang", "text", "field", "value"), [
    ("es", "el nombre de la cooperativa está mal escrito, es Tierra Fértil S.Coop. de Lorca",
     "org_name", "Tierra Fértil S.Coop. de Lorca"),
    ("es", "la persona de contacto es incorrecta: es Lucía Ortega",
     "contact_name", "Lucía Ortega"),
    ("ca", "el nom de l'entitat està malament, és Fruita Neta SCCL",
     "org_name", "Fruita Neta SCCL"),
    ("ca", "la persona de contacte no és correcta, és la Joana Vidal",
     "contact_name", "Joana Vidal"),
    ("it", "il nome dell'organizzazione è sbagliato, è Terra Viva APS",
     "org_name", "Terra Viva APS"),
    ("it", "la persona di contatto non è quella: è Paolo Greco",
     "contact_name", "Paolo Greco"),
])
def test_a_field_said_to_be_wrong_gets_the_value_after(lang, text, field, value):
    named = named_field(text, lang)
    assert named is not None and named[0] == field
    clean = clean_person_name if field == "contact_name" else clean_org_name
    assert clean(named[1], lang) == value


def test_a_phone_said_to_be_wrong_is_replaced_at_the_summary():
    tracker = make_tracker(language="es", text="el teléfono está mal, es el 622 41 87 30",
                           intent="correct_answer", slots={"country": "ES"})
    assert read_correction(tracker, lambda value, country: "EUR").updates == {
        "phone": "+34622418730"}


@pytest.mark.parametrize(("lang", "text", "name"), [
    ("es", "nuestra tesorera, Amparo Blasco", "Amparo Blasco"),
    ("ca", "la nostra coordinadora: Rosa Mir i Pons", "Rosa Mir i Pons"),
    ("it", "il mio collega, Davide Russo", "Davide Russo"),
    ("es", "andrea pinto, la coordinadora", "andrea pinto"),  # written in lower case
    ("es", "Andrea Pinto, la coordinadora", "Andrea Pinto"),
])
def test_a_person_described_first_is_the_name_written_after(lang, text, name):
    assert clean_person_name(text, lang) == name


# -- a group is an informal group ----------------------------------------------------------


@pytest.mark.parametrize(("lang", "answer", "form"), [
    ("es", "solo somos un grupo de amigas, nada legal todavía", "informal_group"),
    ("ca", "de moment un grup de pares i mares", "informal_group"),
    ("it", "siamo un gruppo di genitori, niente di ufficiale", "informal_group"),
    ("es", "un grupo, queremos ser asociación", "informal_group"),
    ("es", "un grupo de cooperativas de segundo grado", "cooperative"),
    ("it", "un gruppo di associazioni", "association"),
])
def test_a_group_answered_to_the_legal_form_question_is_an_informal_group(lang, answer, form):
    assert match_choice(answer, "legal_form", lang, CASE_LEGAL_FORMS) == form


# -- an introduction: where they want to sell is not where they are ------------------------


def test_an_introduction_keeps_destinations_out_of_the_home_country():
    text = ("Somos una asociación de apicultores de Tucumán y queremos exportar la miel "
            "a Francia y Alemania")
    tracker = make_tracker(language="es", text=text, intent="inform",
                           entities={"country": "FR"}, slots={"country": "FR"})
    assert "country" not in understood(tracker)
    ran = run(ActionUnderstandIntro(), tracker)
    assert ran.slots.get("country", "unset") is None  # the model's guess is taken back


def test_an_introduction_still_keeps_a_home_country():
    tracker = make_tracker(language="it", text="Siamo una cooperativa di Bari, in Italia",
                           intent="inform")
    assert understood(tracker)["country"] == "IT"


# -- "how long" with words in between ------------------------------------------------------


@pytest.mark.parametrize(("lang", "text"), [
    ("es", "¿cuánto os suele tardar una respuesta?"),
    ("ca", "quant us sol trigar, una resposta?"),
    ("it", "quanto impiegate di solito a ricontattarci?"),
])
def test_how_long_with_words_in_between_is_the_duration_question(lang, text):
    assert FaqMatcher.load().topic(text, lang) == "duration"


# -- an amount in pesos said before the country ---------------------------------------------


@pytest.mark.parametrize(("currency", "country", "becomes"), [
    ("MXN", "CL", "CLP"),   # "15 millones de pesos", then "Chile"
    ("MXN", "CO", "COP"),
    ("TND", "DZ", "DZD"),   # dinars said before "Algeria"
    ("MXN", "MX", None),    # already the country's
    ("EUR", "CL", None),    # euros named: kept
    ("MXN", "ES", None),    # no peso in Spain: kept as said
])
def test_a_family_currency_said_before_the_country_becomes_the_country_s(currency, country,
                                                                          becomes):
    assert currency_for_country(currency, country) == becomes


def test_the_country_answer_turns_earlier_pesos_into_the_country_s():
    import asyncio

    from actions.intake import ValidateIntakeForm
    tracker = make_tracker(language="es", text="Chile", intent="inform",
                           slots={"requested_slot": "country", "amount": 9000000.0,
                                  "currency": "MXN"}, active_loop="intake_form")
    found = asyncio.run(ValidateIntakeForm().validate_country("Chile", None, tracker, {}))
    assert found["country"] == "CL" and found["currency"] == "CLP"


def test_a_country_code_held_in_the_slots_is_read_back():
    assert parse_country("CL") == "CL"
    assert parse_country("cl") is None  # two lower-case letters are no country


def test_the_amount_checked_again_takes_the_country_s_pesos():
    import asyncio

    from actions.intake import ValidateIntakeForm
    # Same turn as the country answer: the slot still holds the words ("Colombia").
    tracker = make_tracker(language="es", text="Colombia", intent="inform",
                           slots={"requested_slot": "country", "country": "Colombia",
                                  "amount": 40000000.0, "currency": "MXN"},
                           active_loop="intake_form")
    found = asyncio.run(ValidateIntakeForm().validate_amount(40000000.0, None, tracker, {}))
    assert found == {"amount": 40000000.0, "currency": "COP"}


def test_a_saved_case_holds_the_country_s_pesos():
    from actions.intake_summary import _clean
    cleaned = _clean({"country": "AR", "amount": 3000000.0, "currency": "MXN"}, "es")
    assert cleaned["currency"] == "ARS"


# -- at the summary: a town the message does not hold is no town ----------------------------


def test_a_town_entity_that_is_not_in_the_message_changes_no_town():
    tracker = make_tracker(language="ca", text="el nom bo és Horta Viva de Cooperativa",
                           intent="nlu_fallback", entities={"city": "agrifood"},
                           slots={"city": "Manresa", "country": "ES"})
    updates = read_correction(tracker, lambda value, country: "EUR").updates
    assert "city" not in updates


@pytest.mark.parametrize(("text", "lang"), [
    ("Somos 40 familias cafetaleras de la sierra y queremos vender en Europa", "es"),
    ("Somos uma associação de produtores de café da Zona da Mata", "pt"),
    ("Nous regroupons des producteurs de café du Kivu", "fr"),
])
def test_coffee_growers_are_agrifood_not_a_cafe(text: str, lang: str):
    # The English "café" (a place to eat) is tourism; coffee grown is agriculture.
    assert extract(text, lang).sector == "agrifood"


@pytest.mark.parametrize(("text", "lang"), [
    ("Café Lacandona Sociedad Cooperativa", "es"),
    ("Associação Café da Serra", "pt"),
])
def test_coffee_in_a_name_is_not_a_place_to_eat(text: str, lang: str):
    # "café" is coffee in most of the nine languages: the name says no sector.
    assert extract(text, lang).sector is None
