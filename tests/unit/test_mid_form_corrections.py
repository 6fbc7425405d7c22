"""An earlier answer corrected in the middle of the questions (actions/midform.py): the field
changes and the open question is asked again; the message is not taken for its answer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.corrections import value_for
from actions.extraction import extract
from actions.intake import ValidateIntakeForm
from actions.midform import correction_mid_form
from tests.support.trackers import make_tracker, run

HELD = {"consent": True, "org_name": "Cal Ferrer", "legal_form": "cooperative",
        "country": "ES", "city": "Terrassa", "sector": "crafts", "members": 52,
        "stage": "growing", "need_category": "funding", "amount": 12000, "currency": "EUR"}


def _form(lang: str, text: str, intent: str, requested: str, **slots: Any):
    tracker = make_tracker(language=lang, text=text, intent=intent,
                           slots={**HELD, **slots, "requested_slot": requested},
                           active_loop="intake_form")
    return run(ValidateIntakeForm(), tracker)


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "désolée, nous sommes 25 et non 52"),
    ("en", "my mistake, it's 25 of us, not 52"),
    ("it", "errore mio: 25, non 52"),
    ("ca", "ai, som 25 i no 52"),
    ("es", "uy, no 52: somos 25"),
])
def test_a_head_count_put_right_at_a_later_question_changes_and_the_question_stays(lang, text):
    ran = _form(lang, text, "correct_answer", "timeline")
    assert ran.slots == {"members": 25, "timeline": None}
    assert ran.messages == []  # no "please choose one of the options": the form asks again


def test_the_held_count_said_as_the_right_one_changes_nothing():
    tracker = make_tracker(language="en", text="no, we are 52, not 25", intent="correct_answer",
                           slots={**HELD, "requested_slot": "timeline"},
                           active_loop="intake_form")
    assert correction_mid_form(tracker) is None


@pytest.mark.parametrize(("lang", "text", "intent", "need"), [
    ("en", "to be honest we need mentoring rather than a loan", "correct_answer",
     "consultancy"),
    ("es", "en vez de un préstamo queremos una consultoría", "need_funding", "consultancy"),
    ("ca", "més que un préstec, ens cal una mentoria", "correct_answer", "consultancy"),
    ("it", "ci serve innovazione sociale più che un finanziamento", "need_funding",
     "innovation"),
])
def test_a_need_changed_in_the_middle_of_the_questions(lang, text, intent, need):
    ran = _form(lang, text, intent, "website")
    assert ran.slots.get("need_category") == need
    assert ran.slots.get("website", "unset") is None


def test_a_need_named_at_the_description_question_is_the_description():
    tracker = make_tracker(language="en", text="advice on our statutes rather than a loan",
                           intent="need_consultancy",
                           slots={**HELD, "requested_slot": "need_description"},
                           active_loop="intake_form")
    assert correction_mid_form(tracker) is None


@pytest.mark.parametrize(("lang", "text", "need"), [
    ("en", "we need a grant more than coaching", "funding"),
    ("fr", "c'est de l'accompagnement plutôt qu'un prêt", "consultancy"),
    ("es", "necesitamos financiación, más que asesoría", "funding"),
    ("el", "για την ακρίβεια, περισσότερο συμβουλές χρειαζόμαστε παρά λεφτά", "consultancy"),
    ("pt", "precisamos mais de consultoria do que de um empréstimo", "consultancy"),
    ("pt", "em vez de um empréstimo queremos consultoria", "consultancy"),
    ("ar", "نحتاج استشارة بدلا من قرض", "consultancy"),
])
def test_of_two_needs_the_one_put_second_is_not_the_need(lang, text, need):
    assert extract(text, lang).need_category == need


def test_a_short_description_naming_another_need_changes_the_need():
    tracker = make_tracker(language="es", text="lo que necesitamos es financiación",
                           intent="correct_answer",
                           slots={**HELD, "need_category": "consultancy"})
    found = value_for("need_description", "financiación", tracker, "es")
    assert found.updates == {"need_category": "funding"}


@pytest.mark.parametrize(("lang", "text", "members"), [
    ("en", "we are an association of 35, in Leeds", 35),
    ("es", "una cooperativa de 6 en Huesca", 6),
    ("it", "un'associazione di 40 a Lecce", 40),
    ("ca", "som una coope de 9 a Vic", 9),
    ("fr", "une association de 1998", None),  # a year
    ("es", "una cooperativa de 30 hectáreas", None),  # a unit follows
])
def test_a_number_said_with_the_legal_form_is_the_head_count(lang, text, members):
    assert extract(text, lang).members == members


def test_an_answer_read_as_a_correction_at_its_own_question_is_still_the_answer():
    ran = _form("fr", "aucune idée exacte, une quinzaine, mettons 15", "correct_answer",
                "members", members=None)
    assert ran.slots.get("members") == 15


def test_the_words_of_an_organisation_name_give_no_town():
    tracker = make_tracker(language="es", text="Huertos de Moratalaz", intent="inform",
                           slots={"requested_slot": "org_name", "consent": True},
                           active_loop="intake_form")
    found = asyncio.run(ValidateIntakeForm().extract_city(CollectingDispatcher(), tracker, {}))
    assert found == {}


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "on aimerait vendre nos confitures en Belgique"),
    ("it", "vogliamo aumentare le vendite dell'olio in Germania"),
])
def test_a_country_where_they_want_to_sell_is_not_home(lang, text):
    tracker = make_tracker(language=lang, text=text, intent="need_internationalisation",
                           slots={"requested_slot": None, "consent": True},
                           active_loop="intake_form")
    found = asyncio.run(ValidateIntakeForm().extract_country(CollectingDispatcher(), tracker,
                                                             {}))
    assert found.get("country") is None


def test_answers_the_model_heard_a_need_in_are_answers_not_changes():
    # A head count whose word also means partner, a description naming a place word, and
    # the held need heard again in a timeline: each is the open question's answer.
    from actions.midform import correction_mid_form
    from tests.support.trackers import make_tracker

    cases = [
        ("tr", "42 ortak", "search_partners", "members", "funding"),
        ("it", "rifare i bagni del locale avuto in comodato dal comune", "correct_answer",
         "need_description", "funding"),
        ("it", "entro tre mesi, prima dell'assemblea dei soci", "need_consultancy",
         "timeline", "consultancy"),
    ]
    for lang, text, intent, question, need in cases:
        tracker = make_tracker(language=lang, text=text, intent=intent,
                               slots={"requested_slot": question, "need_category": need,
                                      "city": "Napoli", "members": 40},
                               active_loop="intake_form")
        assert correction_mid_form(tracker) is None, text
