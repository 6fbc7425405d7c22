"""What a broker's message in a Telegram staff topic does to the conversation (data layer)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog import handoff, staff
from catalog.models import Conversation, OutboxMessage
from catalog.staff_topics import remember_topic, staff_wrote, topic_conversation, topic_thread
from tests.support.trackers import add_conversation, seeded_catalogue

CHAT = "-1001234"


@pytest.fixture
def sessions(tmp_path_factory, tmp_path, monkeypatch):
    return seeded_catalogue(tmp_path_factory, tmp_path, monkeypatch)


def _waiting(sessions, conversation_id: str, thread: int, language: str = "it") -> None:
    add_conversation(sessions, conversation_id, language=language)
    with sessions.begin() as session:
        assert handoff.escalate(session, conversation_id, reason="user_request")
        assert remember_topic(session, conversation_id, chat_id=CHAT, thread_id=thread)


def _broker(sessions, email: str, telegram_id: int) -> int:
    with sessions.begin() as session:
        member = staff.add_staff(session, email=email, password="a long pass phrase",
                                 role="broker", name=email.split("@")[0].title())
        staff.link_telegram(session, email=email, telegram_user_id=telegram_id)
        return member.id


def _write(sessions, thread: int, telegram_id: int, text: str):
    with sessions.begin() as session:
        return staff_wrote(session, chat_id=CHAT, thread_id=thread, telegram_user_id=telegram_id,
                           text=text, return_notice=lambda lang: f"back to the assistant ({lang})")


def _outbox(sessions, conversation_id: str) -> list[tuple[str, str]]:
    with sessions() as session:
        rows = session.scalars(select(OutboxMessage).where(
            OutboxMessage.conversation_id == conversation_id).order_by(OutboxMessage.id))
        return [(row.kind, row.text) for row in rows]


def test_a_thread_is_remembered_per_conversation_and_only_for_a_known_one(sessions):
    _waiting(sessions, "conv-a", 17)
    with sessions.begin() as session:
        assert topic_thread(session, "conv-a") == 17
        assert topic_conversation(session, chat_id=CHAT, thread_id=17) == "conv-a"
        assert topic_conversation(session, chat_id="-999", thread_id=17) is None
        assert not remember_topic(session, "no-such-conversation", chat_id=CHAT, thread_id=18)
        assert topic_thread(session, "no-such-conversation") is None


def test_the_first_answer_takes_the_conversation_and_reaches_the_user(sessions):
    _waiting(sessions, "conv-b", 21)
    maria = _broker(sessions, "maria@iesmed.example", 9001)
    outcome = _write(sessions, 21, 9001, "Buongiorno, sono Maria")
    assert outcome.key is None and outcome.queued_for_user
    with sessions() as session:
        row = session.get(Conversation, "conv-b")
        assert (row.state, row.assigned_to) == ("human", maria)
    assert _outbox(sessions, "conv-b") == [("broker", "Buongiorno, sono Maria")]


def test_another_broker_cannot_answer_a_held_conversation(sessions):
    _waiting(sessions, "conv-c", 22)
    _broker(sessions, "maria@iesmed.example", 9001)
    _broker(sessions, "joan@iesmed.example", 9002)
    _write(sessions, 22, 9001, "Ciao!")
    outcome = _write(sessions, 22, 9002, "Also me")
    assert outcome.key == "staff_topic_held" and outcome.values == {"name": "Maria"}
    assert not outcome.queued_for_user
    assert _outbox(sessions, "conv-c") == [("broker", "Ciao!")]


def test_close_hands_back_with_the_notice_in_the_users_language(sessions):
    _waiting(sessions, "conv-d", 23, language="el")
    _broker(sessions, "maria@iesmed.example", 9001)
    _write(sessions, 23, 9001, "Γεια σας")
    outcome = _write(sessions, 23, 9001, "/close@iesmed_bot")
    assert outcome.key == "staff_topic_closed" and outcome.queued_for_user
    with sessions() as session:
        assert session.get(Conversation, "conv-d").state == "bot"
    assert _outbox(sessions, "conv-d")[-1] == ("notice", "back to the assistant (el)")
    # The topic of a conversation back with the assistant takes no more answers.
    assert _write(sessions, 23, 9001, "one more thing").key == "staff_topic_gone"


def test_unlinked_accounts_and_unknown_threads_change_nothing(sessions):
    _waiting(sessions, "conv-e", 24)
    assert _write(sessions, 24, 5555, "hello").key == "staff_topic_not_linked"
    assert _write(sessions, 99, 5555, "hello").key == "staff_topic_gone"
    _broker(sessions, "maria@iesmed.example", 9001)
    assert _write(sessions, 24, 9001, "   ").queued_for_user is False
    with sessions() as session:
        assert session.get(Conversation, "conv-e").state == "waiting"
    assert _outbox(sessions, "conv-e") == []
