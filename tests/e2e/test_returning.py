"""Returning users and erasure through the real stack: status of a request, the greeting of
someone who already has one, and "forget me" in the middle of the questions."""

from __future__ import annotations

import pytest

from catalog.brief import labels
from catalog.db import make_engine, make_session_factory
from catalog.models import Case
from tests.e2e.test_intake import Chat, _text

pytestmark = pytest.mark.e2e


def _save_case(stack, conversation_id: str, reference: str, status: str, lang: str) -> None:
    engine = make_engine(stack.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            session.add(Case(reference=reference, conversation_id=conversation_id,
                             status=status, channel="web", language=lang, org_name="Coop"))
    finally:
        engine.dispose()


def _status(lang: str, reference: str, status: str) -> str:
    return _text(lang, "utter_case_status").format(reference=reference,
                                                   status=labels(lang)["status"][status])


def test_a_reference_shows_the_status_of_ones_own_case_and_nobody_elses_in_italian(stack):
    other = Chat(stack, "en")
    _save_case(stack, other.id, "IM-15BF3A", "new", "en")
    chat = Chat(stack, "it")
    _save_case(stack, chat.id, "IM-FF39BD", "escalated", "it")
    replies = chat.say("ciao di nuovo! volevo sapere a che punto è la mia richiesta IM-FF39BD")
    assert replies == [_status("it", "IM-FF39BD", "escalated")]
    replies = chat.say("e la richiesta IM-15BF3A?")
    assert replies == [_text("it", "utter_case_not_found").format(reference="IM-15BF3A")]


def test_a_returning_user_hears_what_they_have_before_anything_new_starts_in_english(stack):
    chat = Chat(stack, "en")
    _save_case(stack, chat.id, "IM-0C0A11", "matched", "en")
    replies = chat.say("Hello again")
    assert replies == [_text("en", "utter_welcome_returning"),
                       _status("en", "IM-0C0A11", "matched"),
                       _text("en", "utter_ask_something_new")]
    replies = chat.say("I already have a request, IM-0C0A11")
    assert replies == [_status("en", "IM-0C0A11", "matched")]
    assert chat.question() is None


def test_a_status_question_in_spanish_without_a_saved_case_offers_to_prepare_one(stack):
    chat = Chat(stack, "es")
    assert chat.say("¿en qué estado está mi solicitud?") == [_text("es", "utter_no_case")]


@pytest.mark.parametrize(("lang", "need", "forget", "yes"), [
    ("pt", "precisamos de um empréstimo para a nossa cooperativa", "esqueçam-me", "sim"),
    ("fr", "nous avons besoin d'un prêt pour notre coopérative", "effacez mes données",
     "oui"),
])
def test_forget_me_during_the_questions_asks_only_to_confirm_and_yes_erases(stack, lang, need,
                                                                           forget, yes):
    chat = Chat(stack, lang)
    chat.say(need)
    assert chat.question() == "consent"
    assert chat.say(forget) == [_text(lang, "utter_confirm_erase")]
    assert chat.say(yes)[0] == _text(lang, "utter_data_erased")


def test_after_a_declined_consent_a_new_need_does_not_ask_consent_again_in_spanish(stack):
    chat = Chat(stack, "es")
    chat.say("necesitamos un préstamo para la cooperativa")
    assert chat.question() == "consent"
    replies = chat.say("no")
    assert replies[0] == _text("es", "utter_consent_declined")
    replies = chat.say("también buscamos socios en Italia para exportar")
    assert chat.question() is None
    assert replies[0] == _text("es", "utter_consent_declined")


def test_registrations_asked_at_the_consent_question_put_the_request_aside_in_portuguese(stack):
    """Nothing is kept before the consent: the request waits (a button resumes it) and the
    registrations are shown; the consent question does not come back by itself."""
    chat = Chat(stack, "pt")
    chat.say("precisamos de um empréstimo para a cooperativa")
    assert chat.question() == "consent"
    replies = chat.say("/list_registrations")
    assert replies == [_text("pt", "utter_intake_paused"), _text("pt", "utter_no_registration")]
    assert chat.question() is None
    chat.say("/request_assistance")  # the button of the note picks the request up again
    assert chat.question() == "consent"


def test_a_returning_user_saying_hello_with_their_name_is_welcomed_back_in_french(stack):
    chat = Chat(stack, "fr")
    _save_case(stack, chat.id, "IM-R7K2-M4PQ", "new", "fr")
    replies = chat.say("bonjour, c'est encore Yasmina de l'épicerie solidaire")
    assert replies[0] == _text("fr", "utter_welcome_returning")
    assert _status("fr", "IM-R7K2-M4PQ", "new") in replies
    assert chat.question() is None
