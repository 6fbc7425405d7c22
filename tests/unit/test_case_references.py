"""Case references are long enough, readable, and a collision never loses a confirmed case."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from actions.intake_summary import ActionSubmitCase
from catalog import cases
from catalog.cases import ReferenceExhausted, new_reference, save_new_case
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Case, CaseEvent, Consent, Conversation

READABLE = re.compile(r"IM-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


@pytest.fixture
def database(tmp_path):
    """Return the URL and session factory of a migrated database with one saved case."""
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add_all([Conversation(id="first", channel="web"),
                         Conversation(id="u1", channel="telegram", channel_user_id="501")])
        session.flush()
        session.add(Case(reference="IM-TAKE-N000", conversation_id="first", channel="web",
                         language="fr", org_name="Première coopérative"))
        session.add(Consent(conversation_id="u1", granted=True, text_shown="ok", language="es"))
    yield url, sessions
    engine.dispose()


def draws(*references: str):
    """Return a reference generator that hands out ``references`` in turn."""
    queue = iter(references)
    return lambda: next(queue)


def opener(sessions):
    """Return a function that opens a session as a context manager, as the actions do."""
    @contextmanager
    def open_session() -> Iterator[Session]:
        with sessions() as session:
            yield session
    return open_session


def _case(conversation_id: str, org: str):
    """Return a case builder for ``save_new_case``."""
    def build(session: Session, reference: str) -> Case:
        case = Case(reference=reference, conversation_id=conversation_id, channel="web",
                    language="es", org_name=org)
        case.history.append(CaseEvent(status="new", note="created in chat"))
        return case
    return build


def test_references_are_readable_and_carry_40_random_bits():
    drawn = {new_reference() for _ in range(2000)}
    assert all(READABLE.fullmatch(r) for r in drawn)
    assert len(drawn) == 2000
    assert all(len(r) <= Case.__table__.c.reference.type.length for r in drawn)


def test_a_taken_reference_is_drawn_again_and_both_cases_are_kept(database):
    _url, sessions = database
    reference = save_new_case(opener(sessions), _case("u1", "Olivera"),
                              draw=draws("IM-TAKE-N000", "IM-FREE-0001"))
    assert reference == "IM-FREE-0001"
    with sessions() as session:
        saved = {c.reference: c.org_name for c in session.scalars(select(Case))}
        history = session.scalars(select(CaseEvent)).all()
    assert saved == {"IM-TAKE-N000": "Première coopérative", "IM-FREE-0001": "Olivera"}
    assert len(history) == 1  # the failed attempt left nothing behind


def test_after_every_attempt_collides_the_error_says_so_and_nothing_is_written(database):
    _url, sessions = database
    with pytest.raises(ReferenceExhausted):
        save_new_case(opener(sessions), _case("u1", "Olivera"), attempts=3,
                      draw=lambda: "IM-TAKE-N000")
    with sessions() as session:
        assert session.scalars(select(Case.reference)).all() == ["IM-TAKE-N000"]


def test_other_integrity_errors_are_not_retried(database):
    _url, sessions = database
    drawn: list[str] = []

    def draw() -> str:
        drawn.append(new_reference())
        return drawn[-1]

    with pytest.raises(IntegrityError):
        save_new_case(opener(sessions), _case("no-such-conversation", "Olivera"), draw=draw)
    assert len(drawn) == 1


def test_the_intake_saves_the_confirmed_case_even_when_its_first_reference_is_taken(
        database, monkeypatch):
    url, sessions = database
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(cases, "new_reference", draws("IM-TAKE-N000", "IM-FREE-0002"))
    tracker = Tracker(
        sender_id="u1", slots={"consent": True, "language": "es", "org_name": "Olivera Coop",
                               "email": "hola@olivera.example", "need_category": "funding"},
        latest_message={"text": "/affirm", "metadata": {"language": "es",
                                                        "channel": "telegram"}},
        events=[{"event": "user", "text": "Necesitamos un préstamo"}], paused=False,
        followup_action=None, active_loop={}, latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSubmitCase().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["response"] == "utter_case_saved"
    assert dispatcher.messages[0]["reference"] == "IM-FREE-0002"
    assert {"event": "slot", "timestamp": None, "name": "case_reference",
            "value": "IM-FREE-0002"} in events
    with sessions() as session:
        case = session.scalar(select(Case).where(Case.reference == "IM-FREE-0002"))
        assert case is not None
        assert (case.conversation_id, case.org_name, case.email, case.channel_user_id) == (
            "u1", "Olivera Coop", "hola@olivera.example", "501")
        assert case.original_words == ["Necesitamos un préstamo"]
