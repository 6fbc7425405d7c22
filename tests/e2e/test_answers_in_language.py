"""An answer to an open question stays in the conversation's language, even when the
all-language detector calls it something else ("ok per me va bene, procediamo" reads as
Slovak to langdetect); a foreign sentence with no question open still gets the language menu."""

from __future__ import annotations

import pytest

from bot.core.locales import text as locale_text
from tests.e2e.test_intake import Chat, _case

pytestmark = pytest.mark.e2e


def test_an_italian_yes_to_the_consent_question_is_an_answer(stack):
    chat = Chat(stack, "it")
    chat.say("Buongiorno, siamo una cooperativa sociale di Bologna e ci servirebbe un "
             "finanziamento per un furgone")
    assert chat.question() == "consent"
    replies = chat.say("ok per me va bene, procediamo")
    assert locale_text("unsupported_language", "it") not in replies
    assert chat.last["language"] == "it"
    assert chat.question() == "org_name"


def test_a_foreign_sentence_with_no_question_open_gets_the_language_menu(stack):
    chat = Chat(stack, "it")
    chat.say("ciao")
    replies = chat.say("Wir sind eine Genossenschaft aus Berlin und suchen eine Förderung")
    assert replies == [locale_text("unsupported_language", "it")]
    assert len(chat.last["replies"][0]["buttons"]) == 9


CATALAN = {
    "consent": "/affirm", "org_name": "Formatges del Ter", "country": "Espanya",
    "stage": '/inform{"stage": "growing"}', "website": "/skip_question",
    "need_description": "Volem comprar una envasadora per vendre a botigues",
    "amount": "25.000 €", "timeline": '/inform{"timeline": "3_months"}',
    "contact_name": "Núria Puig", "email": "nuria@formatges.example.org",
    "phone": "+34 972 000 111",
}


@pytest.mark.parametrize(("reply", "saved"), [
    ("cap canvi, envia la sol·licitud", True),  # the model hears "stop"
    ("perfecte, moltes gràcies", True),  # the model hears "thanks"
    ("cancel·la-ho tot, no l'enviïs", False),
])
def test_the_words_of_a_reply_to_the_summary_decide(stack, reply, saved):
    chat = Chat(stack, "ca")
    chat.say("Som una cooperativa de 12 sòcies a Girona que fa formatges i necessitem "
             "finançament per comprar una màquina")
    chat.answer_all(CATALAN)
    assert chat.summary_shown()
    chat.say(reply)
    assert (_case(stack, chat.id) is not None) is saved
