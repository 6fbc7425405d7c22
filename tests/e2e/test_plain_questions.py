"""Plain questions asked anywhere, events found by topic and name, through the real stack."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_intake import Chat, _case, _text

pytestmark = pytest.mark.e2e
CAMP = "thessaloniki-social-innovation-camp-2027"


def _texts(chat: Chat) -> list[str]:
    return [r["text"] for r in chat.last["replies"]]


def _events(chat: Chat) -> list[str]:
    return [json.loads(b["payload"][len("/register_event"):])["event"]
            for r in chat.last["replies"] for b in r.get("buttons", [])
            if b["payload"].startswith("/register_event{")]


@pytest.mark.parametrize("lang,question,answer", [
    ("en", "is there a fee for the matchmaking days?", "utter_faq_fees"),
    # These two were read as nlu_fallback (and stored as the organisation's name): the
    # classifier's second guess stayed close to the matcher's 1.0 and the fallback's
    # ambiguity check gave up.
    ("it", "quanto costa?", "utter_faq_fees"),
    ("es", "¿quién vería mis datos?", "utter_privacy"),
])
def test_a_question_in_the_middle_of_the_intake_is_answered_then_the_question_asked_again(
        stack, lang, question, answer):
    chat = Chat(stack, lang)
    chat.say("/request_assistance")
    chat.say("/affirm")
    assert chat.question() == "org_name"
    texts = chat.say(question)
    assert texts[0] == _text(lang, answer)
    assert chat.question() == "org_name"  # asked again, and the question was not stored
    chat.say("Cooperativa Mare Chiaro")
    # The name is taken and the intake goes on; "Cooperativa" may already give the legal form.
    assert chat.question() in ("legal_form", "country"), chat.last


@pytest.mark.parametrize("lang,question,answer", [
    ("en", "who is iesMed?", "utter_faq_about"),
    ("en", "can I register my friend too?", "utter_faq_friend"),
    ("en", "how long does it take?", "utter_faq_duration"),
    ("fr", "est-ce que le stand est payant ?", "utter_faq_fees"),
    ("el", "πόσο χρόνο θα πάρει;", "utter_faq_duration"),
])
def test_plain_questions_get_their_answer(stack, lang, question, answer):
    chat = Chat(stack, lang)
    assert chat.say(question)[0] == _text(lang, answer)


@pytest.mark.parametrize("lang,question", [("en", "my registrations?"),
                                           ("tr", "kayıtlarım?")])
def test_my_registrations_shows_registrations_not_services(stack, lang, question):
    chat = Chat(stack, lang)
    assert chat.say(question) == [_text(lang, "utter_no_registration")]


def test_a_question_during_a_registration_is_answered_then_consent_asked_again(stack):
    chat = Chat(stack, "pt")
    chat.say(f'/register_event{{"event": "{CAMP}"}}')
    consent = chat.last["replies"][0]["text"]
    texts = chat.say("posso inscrever também uma colega?")
    assert texts == [_text("pt", "utter_faq_friend"), consent]


@pytest.mark.parametrize("lang,text", [("en", "are there events about social innovation?"),
                                       ("ca", "esdeveniments sobre innovació social")])
def test_events_are_found_by_topic(stack, lang, text):
    chat = Chat(stack, lang)
    chat.say(text)
    assert _events(chat)[:1] == [CAMP]


@pytest.mark.parametrize("lang,text", [
    ("en", "I'd like to register for the Thessaloniki camp"),
    ("el", "θέλω να εγγραφώ στην κατασκήνωση της Θεσσαλονίκης"),
])
def test_registering_for_a_named_event_starts_its_registration(stack, lang, text):
    chat = Chat(stack, lang)
    chat.say(text)
    assert not _events(chat)  # not the list again
    assert _case(stack, chat.id) is None
    question = _text(lang, "utter_ask_registration_consent").split("{event}")[0]
    assert chat.last["replies"][0]["text"].startswith(question)
