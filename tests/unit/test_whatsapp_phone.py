"""On WhatsApp the intake does not ask for a phone: the case keeps the number they write from.

Measured on the replayed conversations, a typical case took 10.7 questions; the phone is one
that a WhatsApp user has already answered by writing. The summary shows the number, so it
can still be corrected, and a number the user gave anyway is kept.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.intake import ValidateIntakeForm
from actions.intake_slots import ORDER
from actions.intake_summary import ActionShowSummary, ActionSubmitCase
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Case, Consent, Conversation

WA_ID = "306912345678"
ANSWERS = {"consent": True, "org_name": "Κύκλος Κοιν.Σ.Επ.", "legal_form": "social_enterprise",
           "country": "GR", "city": "Θεσσαλονίκη", "sector": "services", "members": 7,
           "stage": "growing", "website": "skipped", "need_category": "consultancy",
           "need_description": "οργάνωση λογιστηρίου", "amount": None, "currency": None,
           "timeline": "no_rush", "contact_name": "Ελένη Παππά", "email": "eleni@example.org",
           "phone": None, "language": "el"}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'wa.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for conversation_id, channel, user_id in (("wa-1", "whatsapp", WA_ID),
                                                   ("web-1", "web", None)):
            session.add(Conversation(id=conversation_id, channel=channel, language="el",
                                     state="bot", channel_user_id=user_id))
            session.flush()
            session.add(Consent(conversation_id=conversation_id, granted=True, text_shown="…",
                                language="el"))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("ALWAYS_BROKER_NEEDS", raising=False)
    yield sessions
    engine.dispose()


def _tracker(sender: str, channel: str, slots: dict[str, Any]) -> Tracker:
    return Tracker(sender_id=sender, slots={**slots, "channel": channel},
                   latest_message={"text": "ναι", "intent": {"name": "affirm"},
                                   "metadata": {"language": "el", "channel": channel}},
                   events=[], paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def _required(channel: str, slots: dict[str, Any]) -> list[str]:
    return asyncio.run(ValidateIntakeForm().required_slots(
        list(ORDER), CollectingDispatcher(), _tracker("x", channel, slots), {}))


@pytest.mark.parametrize("lang", ["el", "ar", "es"])
def test_the_phone_is_asked_on_the_web_but_not_on_whatsapp(lang):
    slots = {"consent": True, "need_category": "consultancy", "language": lang}
    assert "phone" in _required("web", slots)
    assert "phone" in _required("telegram", slots)
    assert "phone" not in _required("whatsapp", slots)


def test_the_whatsapp_summary_shows_the_number_and_the_case_keeps_it(database):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionShowSummary().run(dispatcher, _tracker("wa-1", "whatsapp", ANSWERS), {}))
    assert f"+{WA_ID}" in dispatcher.messages[0]["summary"]
    asyncio.run(ActionSubmitCase().run(CollectingDispatcher(),
                                       _tracker("wa-1", "whatsapp", ANSWERS), {}))
    with database() as session:
        case = session.scalar(select(Case).where(Case.conversation_id == "wa-1"))
        assert case.phone == f"+{WA_ID}"


def test_a_number_given_anyway_wins_and_the_web_gets_no_phone_it_did_not_give(database):
    given = {**ANSWERS, "phone": "+302310000000"}
    asyncio.run(ActionSubmitCase().run(CollectingDispatcher(),
                                       _tracker("wa-1", "whatsapp", given), {}))
    asyncio.run(ActionSubmitCase().run(CollectingDispatcher(),
                                       _tracker("web-1", "web", {**ANSWERS, "phone": "skipped"}),
                                       {}))
    with database() as session:
        phones = dict(session.execute(select(Case.conversation_id, Case.phone)).all())
    assert phones == {"wa-1": "+302310000000", "web-1": None}
