"""Head counts, amounts and the need as the user writes them, and a correction the model
could not place.

"είμαστε εννέα μέλη", "σαράντα πέντε χιλιάδες ευρώ", "a thirty or so, 31 exactly", "9
workers, 4 of them from vulnerable groups", an opening about a laundry that needs "about 30
thousand euros" (funding, whatever need the model guessed) and "my full name is …" at the
summary read as nothing the model knows. The sentences are not the corpus's.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.amounts import stated_amount
from actions.extraction import extract
from actions.head_count import members_count
from actions.summary_reply import ActionSummaryReply
from actions.validators import parse_positive_int
from tests.support.intake_turns import Chat
from tests.support.trackers import make_tracker, run


@pytest.mark.parametrize(("lang", "text", "count"), [
    ("el", "είμαστε εννέα μέλη", 9),
    ("el", "δώδεκα εργαζόμενες στο εργαστήριο", 12),
    ("tr", "on iki üyemiz var", 12),
    ("ar", "نحن خمسة عشر عضوا", 15),
    ("ar", "عندنا ١٤ عضو", 14),
    ("pt", "somos vinte e dois sócios", 22),
    ("fr", "nous sommes trente-deux adhérents", 32),
    ("it", "siamo diciassette soci", 17),
    ("es", "somos catorce socias", 14),
    ("ca", "som vint-i-tres sòcies", 23),
    ("en", "we are forty-one members", 41),
    ("en", "in 2019 we were 12 members", 12),
    ("en", "we have 12 cows", None),
])
def test_a_head_count_in_words_or_digits_before_a_member_word(lang, text, count):
    assert members_count(text, lang) == count


def test_an_opening_with_a_head_count_in_greek_words_prefills_the_members():
    assert extract("Είμαστε εννέα μέλη σε έναν συνεταιρισμό στη Βέροια", "el").members == 9


@pytest.mark.parametrize(("lang", "text", "count"), [
    ("es", "una veintena de socias, 21 para ser exactos", 21),
    ("fr", "une trentaine de membres, 28 au total", 28),
    ("it", "una decina di soci, anzi 11", 11),
    ("es", "veinte socios y 3 voluntarios", 20),  # not a round number made exact
])
def test_digits_make_a_round_number_exact(lang, text, count):
    assert parse_positive_int(text, lang) == count
    assert (members_count(text, lang) or parse_positive_int(text, lang)) == count


@pytest.mark.parametrize(("lang", "text", "amount", "currency"), [
    ("el", "θα χρειαστούμε σαράντα πέντε χιλιάδες ευρώ", 45000, "EUR"),
    ("el", "κάπου 25.000€", 25000, "EUR"),
    ("el", "περίπου 35 χιλ. ευρώ", 35000, "EUR"),
    ("tr", "otuz bin lira lazım", 30000, "TRY"),
    ("ar", "نحتاج عشرين ألف دينار", 20000, "TND"),
    ("pt", "precisamos de quinze mil euros", 15000, "EUR"),
    ("fr", "il nous faut vingt-cinq mille euros", 25000, "EUR"),
    ("en", "one hundred thousand pounds", 100000, "GBP"),
])
def test_an_amount_in_words_is_read_in_every_language(lang, text, amount, currency):
    money = stated_amount(text, lang, "TN" if lang == "ar" else None)
    assert money is not None and (money.amount, money.currency) == (Decimal(amount), currency)


# -- through the intake's actions -------------------------------------------------------------

@pytest.mark.parametrize(("lang", "text", "amount"), [
    ("el", "Καλησπέρα, είμαστε μια ΚοινΣΕπ στη Βέροια με σιδερωτήριο και θέλουμε να "
           "ανοίξουμε δεύτερο μαγαζί. Θα χρειαστούμε περίπου 30 χιλιάδες ευρώ.", 30000),
    ("it", "Ciao, siamo una cooperativa di Lecce che ripara biciclette e vorremmo un furgone "
           "elettrico, servono circa ventimila euro", 20000),
])
def test_money_the_opening_needs_makes_it_a_funding_request(lang, text, amount):
    chat = Chat(lang)
    slots = chat.opening(text, "need_internationalisation", confidence=0.6)
    assert (slots["need_category"], slots["amount"], slots["currency"]) == \
        ("funding", amount, "EUR")


def test_a_need_the_model_is_sure_of_or_an_opening_without_money_is_kept():
    sure = Chat("en").opening("We are a fair-trade coop with a turnover of 200,000 euros and "
                              "want to export to Germany", "need_internationalisation",
                              confidence=0.95)
    assert sure["need_category"] == "internationalisation"
    moneyless = Chat("en").opening("We make olive soap and want to sell it in France",
                                   "need_internationalisation", confidence=0.6)
    assert moneyless["need_category"] == "internationalisation"


@pytest.mark.parametrize(("lang", "text", "mapped", "count"), [
    ("el", "11 εργαζόμενοι, από τους οποίους 3 με αναπηρία", "3", 11),
    ("it", "7 soci di cui 2 part-time", "2", 7),
    ("ca", "una vintena de persones sòcies, 22 exactament", "20", 22),
    ("es", "entre las dos tiendas somos 13 trabajadoras", "13", 13),
])
def test_the_members_answer_is_read_whole_not_from_the_models_last_number(lang, text, mapped,
                                                                          count):
    chat = Chat(lang, consent=True, org_name="Org", legal_form="cooperative", country="ES",
                city="Town", sector="services")
    chat.asked("members")
    slots = chat.answer(text, entities=[("members", mapped)], mapped={"members": mapped})
    assert slots["members"] == count


@pytest.mark.parametrize(("lang", "text", "name"), [
    ("el", "το πλήρες ονοματεπώνυμο είναι Ειρήνη Παππά", "Ειρήνη Παππά"),
    ("es", "mi nombre completo es Lucía Pardo Gil", "Lucía Pardo Gil"),
    ("tr", "adım soyadım Emre Yıldız", "Emre Yıldız"),
])
def test_a_correction_at_the_summary_the_model_could_not_place_is_applied(lang, text, name):
    slots = {"awaiting_confirmation": True, "consent": True, "org_name": "Org",
             "contact_name": name.split()[0]}
    ran = run(ActionSummaryReply(), make_tracker(language=lang, text=text,
                                                 intent="nlu_fallback", slots=slots))
    assert ran.slots["contact_name"] == name
    assert "utter_case_summary" in ran.responses


# -- sectors: the one the opening talks about most ---------------------------------------------

def test_the_sector_named_most_wins_and_a_tie_is_left_to_the_question():
    most = extract("Som una cooperativa d'habitatge en cessió d'ús; volem construir 12 "
                   "habitatges més a Sabadell", "ca")
    assert most.sector == "housing"
    tie = extract("Somos una asociación que quiere abrir una tienda de segunda mano", "es")
    assert (tie.sector, "sector" in tie.unsure) == (None, True)
    chat = Chat("es")
    slots = chat.opening("Somos una asociación que quiere abrir una tienda de segunda mano, "
                         "buscamos asesoría", "need_consultancy",
                         entities=[("sector", "retail")], mapped={"sector": "retail"})
    assert slots["sector"] is None
