"""Handoff, outbox and staff accounts on SQLite and on the real local PostgreSQL."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from catalog import handoff, outbox, staff
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Case, Conversation, ConversationMessage, OutboxMessage
from tests.support.databases import database_url

T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated, empty database of each kind."""
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        yield make_session_factory(engine)
        engine.dispose()


def _conversation(sessions: sessionmaker[Session], *, language: str = "ar",
                  channel: str = "web") -> str:
    cid = secrets.token_urlsafe(8)
    with sessions.begin() as session:
        session.add(Conversation(id=cid, channel=channel, language=language, state="bot"))
    return cid


def _broker(sessions: sessionmaker[Session], email: str = "maria@iesmed.example") -> int:
    with sessions.begin() as session:
        return staff.add_staff(session, email=email, password="a long passphrase",
                               role="broker", name=email.split("@")[0]).id


def test_queue_is_oldest_first_with_positions(sessions):
    first, second, third = (_conversation(sessions) for _ in range(3))
    with sessions.begin() as session:
        handoff.escalate(session, second, reason="user_request", now=T0)
        handoff.escalate(session, first, reason="not_understood",
                         now=T0 + dt.timedelta(minutes=1))
        handoff.escalate(session, third, reason="sensitive", now=T0 + dt.timedelta(minutes=2))
    with sessions() as session:
        entries = handoff.queue(session)
        assert [e.conversation_id for e in entries] == [second, first, third]
        assert [e.reason for e in entries] == ["user_request", "not_understood", "sensitive"]
        assert handoff.queue_position(session, third) == 3
        assert handoff.queue_position(session, second) == 1


def test_escalating_twice_keeps_the_place_in_the_queue(sessions):
    cid = _conversation(sessions)
    with sessions.begin() as session:
        assert handoff.escalate(session, cid, reason="user_request", now=T0)
        assert not handoff.escalate(session, cid, reason="user_request",
                                    now=T0 + dt.timedelta(hours=1))
    with sessions() as session:
        assert session.get(Conversation, cid).waiting_since == T0
        assert [(h.from_state, h.to_state, h.actor) for h in handoff.history(session, cid)] == \
            [("bot", "waiting", "assistant")]


def test_take_reply_and_hand_back(sessions):
    cid = _conversation(sessions)
    maria = _broker(sessions)
    with sessions.begin() as session:
        session.add(Case(reference="IM-TEST01", conversation_id=cid, channel="web",
                         language="ar", status="new", org_name="Coop Tunis"))
        handoff.escalate(session, cid, reason="user_request", now=T0)
    with sessions.begin() as session:
        assert handoff.take(session, cid, staff_id=maria, now=T0 + dt.timedelta(minutes=4))
        handoff.broker_reply(session, cid, staff_id=maria, text="مرحبا، أنا ماريا")
    with sessions.begin() as session:
        assert handoff.hand_back(session, cid, staff_id=maria, notice="back to the assistant",
                                 language="ar", outcome="resolved")
    with sessions() as session:
        conversation = session.get(Conversation, cid)
        assert (conversation.state, conversation.assigned_to) == ("bot", None)
        assert session.scalar(select(Case.status).where(Case.conversation_id == cid)) == \
            "resolved"
        out = list(session.scalars(select(ConversationMessage)
                                   .where(ConversationMessage.conversation_id == cid)))
        assert [(m.author, m.text, m.delivered) for m in out] == [
            ("broker", "مرحبا، أنا ماريا", False), ("notice", "back to the assistant", False)]
        assert [h.to_state for h in handoff.history(session, cid)] == ["waiting", "human", "bot"]
        assert handoff.recent_waits(session, now=T0 + dt.timedelta(hours=1)) == \
            [dt.timedelta(minutes=4)]


def test_only_the_holder_can_reply_release_or_hand_back(sessions):
    cid = _conversation(sessions)
    maria, omar = _broker(sessions), _broker(sessions, "omar@iesmed.example")
    with sessions.begin() as session:
        handoff.escalate(session, cid, reason="user_request")
        handoff.take(session, cid, staff_id=maria)
    with sessions.begin() as session:
        with pytest.raises(handoff.NotHolder):
            handoff.broker_reply(session, cid, staff_id=omar, text="hello")
        assert not handoff.release(session, cid, staff_id=omar)
        assert not handoff.hand_back(session, cid, staff_id=omar, notice=None, language="en")
        assert handoff.release(session, cid, staff_id=maria)
    with sessions() as session:
        assert session.get(Conversation, cid).state == "waiting"
        assert session.scalar(select(OutboxMessage.id)) is None


def test_two_brokers_racing_for_one_conversation_exactly_one_wins(sessions):
    brokers = [_broker(sessions, f"b{i}@iesmed.example") for i in range(6)]
    for _round in range(5):
        cid = _conversation(sessions)
        with sessions.begin() as session:
            handoff.escalate(session, cid, reason="user_request")
        barrier = threading.Barrier(len(brokers))
        wins: list[int] = []
        errors: list[BaseException] = []

        def attempt(broker: int, cid: str = cid, barrier: threading.Barrier = barrier,
                    wins: list[int] = wins, errors: list[BaseException] = errors) -> None:
            try:
                barrier.wait()
                with sessions.begin() as session:
                    if handoff.take(session, cid, staff_id=broker):
                        wins.append(broker)
            except Exception as exc:  # a lock timeout would be a failure too
                errors.append(exc)

        threads = [threading.Thread(target=attempt, args=(b,)) for b in brokers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(wins) == 1
        with sessions() as session:
            assert session.get(Conversation, cid).assigned_to == wins[0]
            assert [h.to_state for h in handoff.history(session, cid)] == ["waiting", "human"]


def test_outbox_claims_each_message_once_and_backs_off(sessions):
    cid = _conversation(sessions)
    with sessions.begin() as session:
        outbox.enqueue(session, conversation_id=cid, text="hello", kind="notice")
    # A message is due from when it was queued (the clock's now, not the tests' T0).
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    with sessions.begin() as session:
        first = outbox.claim_due(session, now=soon)
    with sessions.begin() as session:
        assert outbox.claim_due(session, now=soon) == []
    assert [c.text for c in first] == ["hello"]
    later = soon
    with sessions.begin() as session:
        assert outbox.mark_retry(session, first[0].id, "HTTP 502", now=later)
    with sessions.begin() as session:
        assert outbox.claim_due(session, now=later) == []  # backing off
        again = outbox.claim_due(session, now=later + dt.timedelta(seconds=3))
        assert [c.id for c in again] == [first[0].id]
        outbox.mark_sent(session, again[0].id)
    with sessions() as session:
        row = session.get(OutboxMessage, first[0].id)
        assert (row.status, row.attempts) == ("sent", 2)
        assert session.get(ConversationMessage, row.transcript_id).delivered


def test_a_sender_that_died_mid_send_leaves_the_message_to_be_retried(sessions):
    cid = _conversation(sessions)
    with sessions.begin() as session:
        outbox.enqueue(session, conversation_id=cid, text="hello", kind="broker")
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        assert len(outbox.claim_due(session, now=now)) == 1
    with sessions.begin() as session:  # the lease has not run out: nobody else sends it
        assert outbox.claim_due(session, now=now + dt.timedelta(seconds=30)) == []
    with sessions.begin() as session:
        assert len(outbox.claim_due(session, now=now + outbox.LEASE
                                    + dt.timedelta(seconds=1))) == 1


def test_erasing_a_conversation_removes_its_handoff_traces(sessions):
    cid = _conversation(sessions)
    maria = _broker(sessions)
    with sessions.begin() as session:
        handoff.escalate(session, cid, reason="user_request")
        handoff.take(session, cid, staff_id=maria)
        handoff.broker_reply(session, cid, staff_id=maria, text="hi")
        handoff.add_note(session, cid, staff_id=maria, text="asks about a loan")
    with sessions.begin() as session:
        session.delete(session.get(Conversation, cid))
    with sessions() as session:
        assert handoff.history(session, cid) == []
        assert handoff.notes(session, cid) == []
        assert session.scalar(select(OutboxMessage.id)) is None


def test_sign_in_checks_the_password_and_throttles_guessing(sessions):
    with sessions.begin() as session:
        staff.add_staff(session, email="Admin@iesmed.example", password="correct horse battery",
                        role="admin")
    with sessions.begin() as session:
        assert staff.sign_in(session, email="admin@iesmed.example", password="wrong password",
                             client="10.0.0.1") is None
    with sessions.begin() as session:
        token, member = staff.sign_in(session, email="admin@iesmed.example",
                                      password="correct horse battery", client="10.0.0.1")
    with sessions() as session:
        assert staff.member_for(session, token) == member
        assert staff.member_for(session, token + "x") is None
        assert staff.member_for(session, token, now=dt.datetime.now(dt.UTC)
                                + staff.SESSION_LIFETIME) is None
    for _ in range(staff.MAX_FAILURES):
        with sessions.begin() as session:
            staff.sign_in(session, email="admin@iesmed.example", password="guess",
                          client="10.0.0.2")
    with sessions.begin() as session, pytest.raises(staff.TooManyAttempts):
        staff.sign_in(session, email="admin@iesmed.example",
                      password="correct horse battery", client="10.0.0.3")


def test_accounts_refuse_weak_passwords_and_duplicates(sessions):
    with sessions.begin() as session:
        with pytest.raises(staff.StaffError):
            staff.add_staff(session, email="a@iesmed.example", password="short", role="broker")
        with pytest.raises(staff.StaffError):
            staff.add_staff(session, email="a@iesmed.example", password="long enough pass",
                            role="root")
        staff.add_staff(session, email="a@iesmed.example", password="long enough pass",
                        role="broker")
        with pytest.raises(staff.StaffError):
            staff.add_staff(session, email="A@iesmed.example", password="long enough pass",
                            role="broker")


def test_a_channel_update_is_handled_once_across_processes_and_after_a_failure(sessions):
    from catalog import updates

    assert updates.claim(sessions, "telegram", "1001")
    assert not updates.claim(sessions, "telegram", "1001")  # being handled elsewhere
    assert updates.claim(sessions, "whatsapp", "1001")  # ids are per channel
    updates.release(sessions, "telegram", "1001")  # handling failed: a redelivery counts
    assert updates.claim(sessions, "telegram", "1001")
    updates.finish(sessions, "telegram", "1001")
    later = dt.datetime.now(dt.UTC) + updates.CLAIM_LEASE * 2
    assert not updates.claim(sessions, "telegram", "1001", now=later)  # done stays done
    # A process died while handling: after the lease the redelivery is handled.
    assert updates.claim(sessions, "whatsapp", "wamid.X")
    assert not updates.claim(sessions, "whatsapp", "wamid.X",
                             now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
    assert updates.claim(sessions, "whatsapp", "wamid.X", now=later)
    assert updates.prune(sessions, now=later + updates.KEEP + dt.timedelta(seconds=1)) == 3
