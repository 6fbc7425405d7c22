"""First messages and the turn after a status answer, through the real stack (issue 16).

A quoted case reference asks about that request even when the message also names a need; a
"which events am I signed up for?" question lists the registrations; a "no, not a new one"
after the status ends politely. An introduction with a sum written with a thousands
separator should start the funding intake (not yet: marked xfail). Phrasings are the
tests' own (not the replay corpus).
"""

from __future__ import annotations

import pytest

from tests.e2e.test_intake import Chat, _text
from tests.e2e.test_returning import _save_case, _status

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("lang", "reference", "text"), [
    ("el", "IM-K7P2-X9QD",
     "καλησπέρα, είχαμε ζητήσει δάνειο, ο κωδικός είναι IM-K7P2-X9QD, υπάρχει κάτι νέο;"),
    ("tr", "IM-H3T6-R1MW",
     "merhaba, kredi için başvurmuştuk, im-h3t6r1mw numaralı talep ne durumda?"),
])
def test_a_quoted_reference_shows_the_status_even_next_to_a_need(stack, lang, reference, text):
    chat = Chat(stack, lang)
    _save_case(stack, chat.id, reference, "new", lang)
    assert chat.say(text) == [_status(lang, reference, "new")]
    assert chat.question() is None


@pytest.mark.parametrize(("lang", "status_question", "no_new_one"), [
    ("fr", "bonjour, où en est la demande IM-W4R8-N2TB ?",
     "non, je ne veux pas en créer une autre, c'était juste pour savoir"),
    ("ca", "hola, com va la sol·licitud IM-W4R8-N2TB?",
     "no, no vull obrir-ne cap altra, només preguntava"),
])
def test_a_no_after_the_status_is_understood(stack, lang, status_question, no_new_one):
    chat = Chat(stack, lang)
    assert chat.say(status_question) == [
        _text(lang, "utter_case_not_found").format(reference="IM-W4R8-N2TB")]
    replies = chat.say(no_new_one)
    assert replies == [_text(lang, "utter_stopped")]
    assert chat.question() is None


@pytest.mark.parametrize(("lang", "text"), [
    ("es", "oye, ¿a qué jornadas me había apuntado yo?"),
    ("tr", "hangi etkinliklere kayıtlı olduğumu hatırlamıyorum, kayıtlarım neler?"),
])
def test_a_registrations_question_lists_the_registrations(stack, lang, text):
    chat = Chat(stack, lang)
    assert chat.say(text) == [_text(lang, "utter_no_registration")]


@pytest.mark.parametrize(("lang", "text"), [
    ("it", "Buongiorno, siamo una cooperativa di pescatori di Chioggia. Ci servono 45.000 euro "
           "per una nuova cella frigorifera"),
    ("pt", "Bom dia, somos uma associação de pescadores de Peniche. Precisamos de 45.000 euros "
           "para uma câmara frigorífica nova"),
])
def test_an_introduction_with_a_sum_starts_the_funding_intake(stack, lang, text):
    chat = Chat(stack, lang)
    replies = chat.say(text)
    assert _text(lang, "utter_ask_consent") in replies


@pytest.mark.parametrize(("lang", "farewell"), [
    ("fr", "Au revoir, bonne journée"),
    ("it", "Arrivederci, a presto"),
])
def test_a_farewell_formula_opening_a_conversation_is_answered_with_the_welcome(
        stack, lang, farewell):
    chat = Chat(stack, lang)
    assert chat.say(farewell)[0] == _text(lang, "utter_greet")
    # Later in the conversation the same words take leave.
    assert chat.say(farewell) == [_text(lang, "utter_goodbye")]
