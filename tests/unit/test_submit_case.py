"""Saving the confirmed case, and the needs that always go to a broker (action unit tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.intake_summary import ActionSubmitCase
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Case, Consent, Conversation

ANSWERS = {"consent": True, "org_name": "Dar Al Khayr", "legal_form": "association",
           "country": "MA", "city": "Fès", "sector": "social_services", "members": 9,
           "stage": "growing", "website": "skipped", "need_category": "consultancy",
           "need_description": "a dispute with our landlord", "amount": None,
           "currency": None, "timeline": "asap", "contact_name": "Samira", "phone": "skipped",
           "email": "samira@example.org", "language": "ar", "channel": "web"}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'actions.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(Conversation(id="conv-1", channel="web", language="ar", state="bot"))
        session.flush()
        session.add(Consent(conversation_id="conv-1", granted=True, text_shown="…",
                            language="ar"))
    monkeypatch.setenv("DATABASE_URL", url)
    yield sessions
    engine.dispose()


def _submit() -> list[dict]:
    tracker = Tracker(sender_id="conv-1", slots=dict(ANSWERS),
                      latest_message={"text": "/affirm", "intent": {"name": "affirm"},
                                      "metadata": {"language": "ar", "channel": "web"}},
                      events=[], paused=False, followup_action=None, active_loop={},
                      latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSubmitCase().run(dispatcher, tracker, {}))
    return dispatcher.messages


def test_a_confirmed_case_is_saved_with_its_reference(database, monkeypatch):
    monkeypatch.delenv("ALWAYS_BROKER_NEEDS", raising=False)
    messages = _submit()
    assert [m.get("response") for m in messages] == ["utter_case_saved"]
    with database() as session:
        case = session.scalar(select(Case))
        assert (case.org_name, case.email, case.need_category) == (
            "Dar Al Khayr", "samira@example.org", "consultancy")
        assert messages[0]["reference"] == case.reference


def test_a_need_configured_for_brokers_queues_the_conversation(database, monkeypatch):
    monkeypatch.setenv("ALWAYS_BROKER_NEEDS", "legal, consultancy")
    messages = _submit()
    assert messages[0]["response"] == "utter_case_saved"
    assert messages[1]["custom"] == {"state": "waiting", "reason": "need:consultancy"}


def test_one_consent_answer_is_one_record_even_when_the_form_checks_it_again(database):
    from actions.intake import ValidateIntakeForm

    domain = {"responses": {"utter_ask_consent": [{"text": "May we keep your data?"}]}}

    def answer(value: bool) -> None:
        tracker = Tracker(sender_id="conv-1", slots={"language": "ar"},
                          latest_message={"metadata": {"language": "ar"}}, events=[],
                          paused=False, followup_action=None, active_loop={},
                          latest_action_name="action_listen")
        asyncio.run(ValidateIntakeForm().validate_consent(value, CollectingDispatcher(),
                                                          tracker, domain))

    with database.begin() as session:
        session.query(Consent).delete()
    answer(True)
    answer(True)  # the form reopened from the summary and checked the slot again
    with database() as session:
        assert [c.granted for c in session.scalars(select(Consent))] == [True]
    answer(False)
    with database() as session:
        assert [c.granted for c in session.scalars(select(Consent).order_by(Consent.id))] == [
            True, False]
