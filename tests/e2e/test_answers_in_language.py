"""An answer to an open question stays in the conversation's language, even when the
all-language detector calls it something else ("ok per me va bene, procediamo" reads as
Slovak to langdetect); a foreign sentence with no question open still gets the language menu."""

from __future__ import annotations

import pytest

from bot.core.locales import text as locale_text
from tests.e2e.test_intake import Chat

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
