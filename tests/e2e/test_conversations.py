"""Conversations the way people start and answer them (issue 16), through the real stack.

An introduction and a need in one message, an introduction alone, a question about a
question, an answer that fits no button, a town instead of a country, and proposals that
respect the amount asked for.
"""

from __future__ import annotations

import pytest

from catalog.models import Case
from tests.e2e.test_intake import Chat, _case, _text
from tests.e2e.test_matching_chat import _buttons, _session

pytestmark = pytest.mark.e2e

DEFAULT = "utter_default"


def _answer_until(chat: Chat, answers: dict[str, str], stop_at: str) -> list[str]:
    """Answer from ``answers`` until ``stop_at`` is asked; return the questions asked."""
    asked: list[str] = []
    for _ in range(20):
        slot = chat.question()
        if slot == stop_at:
            return asked
        assert slot in answers, f"unexpected question {slot}; replies: {chat.last}"
        asked.append(slot)
        chat.say(answers[slot])
    raise AssertionError(f"{stop_at} was never asked")


def _said(chat: Chat, lang: str, response: str) -> bool:
    """Whether one of the last replies is ``response`` (its fixed part, before a placeholder)."""
    fixed = _text(lang, response).split("{")[0].strip()
    return any(r["text"].startswith(fixed) for r in chat.last["replies"])


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "we are a cooperative from Zaragoza, we need funding"),
    ("es", "Somos una asociación de mujeres en Tánger, queremos formación en marketing"),
    ("pt", "Olá! Chamo-me Rui, somos da cooperativa Terra Nossa em Braga e queríamos apoio "
           "para exportar"),
    ("en", "Hi! We are Terra Viva, an association of farmers in Sousse. We would like to sell "
           "our olive oil in France"),
])
def test_an_introduction_then_a_need_starts_the_intake_and_keeps_the_town(stack, lang, message):
    chat = Chat(stack, lang)
    chat.say(message)
    assert not _said(chat, lang, DEFAULT)
    assert chat.question() == "consent"  # the intake started on the first message
    chat.say("/affirm")
    asked = _answer_until(chat, {"org_name": "Terra",
                                 "legal_form": '/inform{"legal_form": "association"}',
                                 "sector": '/inform{"sector": "agrifood"}'}, stop_at="members")
    # the town said in the first message gave the country: neither is asked
    assert asked[0] == "org_name" and not {"country", "city"} & set(asked)


def test_an_introduction_alone_is_acknowledged_and_kept_for_the_case(stack):
    chat = Chat(stack, "es")
    chat.say("Hola, somos una cooperativa de limpieza de Zaragoza")
    assert not _said(chat, "es", DEFAULT)
    assert _said(chat, "es", "utter_intro_understood")
    reply = chat.last["replies"][0]["text"]
    assert "Zaragoza (España)" in reply and "Servicios" in reply and "Cooperativa" in reply
    assert "/need_funding" in [b["payload"] for b in _buttons(chat)]
    chat.say("/need_funding")
    assert chat.question() == "consent"
    chat.say("/affirm")
    # what the introduction said (legal form, town, country, sector) is not asked again
    assert _answer_until(chat, {"org_name": "Netaja"}, stop_at="members") == ["org_name"]


def test_a_question_about_a_question_is_explained_then_asked_again(stack):
    chat = Chat(stack, "es")
    chat.say("Necesitamos un microcrédito para la cooperativa")
    asked = _answer_until(chat, {"consent": "/affirm", "org_name": "Tejidos Alhambra",
                                 "country": "Granada", "sector": '/inform{"sector": "crafts"}',
                                 "members": "6"}, stop_at="stage")
    assert "country" in asked and "city" not in asked  # "Granada" answered both
    chat.say("qué significa fase del proyecto?")
    texts = [r["text"] for r in chat.last["replies"]]
    assert texts[0] == _text("es", "utter_explain_stage")
    assert chat.question() == "stage"  # asked again, not "choose one of the options"
    assert _text("es", "utter_invalid_choice") not in texts
    chat.say("acabamos de empezar")
    assert chat.question() == "website"


def test_a_sector_without_a_button_is_kept_in_the_users_words_and_saved(stack):
    chat = Chat(stack, "en")
    chat.say("We are a small group in Tarifa making surfboards. We need a loan of 20,000 euros.")
    chat.answer_all({
        "consent": "/affirm", "org_name": "Tarifa Surf Coop",
        "legal_form": "a worker cooperative", "country": "Spain", "city": "Tarifa",
        "sector": "we shape surfboards", "members": "5", "stage": "just starting",
        "website": "/skip_question", "need_description": "A workshop for the boards",
        "amount": "20000 euros", "timeline": '/inform{"timeline": "no_rush"}',
        "contact_name": "Lucia Marin", "email": "lucia@surf.example.org",
        "phone": "/skip_question"})
    assert "amount" not in chat.asked  # said in the first message
    assert chat.summary_shown()
    assert any("we shape surfboards" in r["text"] for r in chat.last["replies"])
    chat.say("/affirm")
    case = _case(stack, chat.id)
    assert isinstance(case, Case)
    assert (case.sector, case.stage, case.legal_form, case.amount, case.currency) == \
        ("other", "starting", "cooperative", 20000, "EUR")
    with _session(stack) as session:
        stored = session.get(Case, case.id)
        assert stored is not None
        assert "sector: we shape surfboards" in stored.history[0].note
    # proposals: a range below the 20,000 asked for is never shown before one that covers it
    texts = [r["text"] for r in chat.last["replies"]]
    too_small = [i for i, t in enumerate(texts) if "less than the" in t]
    covering = [i for i, t in enumerate(texts) if "amounts from" in t or "amounts up to" in t]
    assert not too_small or not covering or min(covering) < min(too_small)


def test_a_town_several_countries_share_is_asked_about(stack):
    chat = Chat(stack, "en")
    chat.say("We need funding for our association")
    _answer_until(chat, {"consent": "/affirm", "org_name": "Nour",
                         "legal_form": '/inform{"legal_form": "association"}'}, stop_at="country")
    chat.say("Tripoli")
    reply = chat.last["replies"][-1]
    assert reply["text"] == "Tripoli: in which country?"
    assert [b["payload"] for b in reply["buttons"]] == [
        '/inform{"country": "GR"}', '/inform{"country": "LB"}', '/inform{"country": "LY"}']
    chat.say('/inform{"country": "LB"}')
    assert chat.question() == "sector"  # the town is kept: not asked again
