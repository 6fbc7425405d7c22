"""Brokers answering from Telegram forum topics: the topic map and what a staff message does.

The Telegram channel (`bot/channels/staff_topics.py`) only talks to the Bot API; what a
message written in a topic means for the conversation (take it, answer the user, hand it
back, or refuse because another broker holds it) is decided here, in the caller's
transaction, with the same hand-off operations the web console uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import handoff, staff
from catalog.models import Conversation, Staff, StaffTopic

CLOSE_COMMAND = "/close"


@dataclass(frozen=True)
class TopicOutcome:
    """What to tell the topic after a staff message: a locale key and its values, or nothing."""

    key: str | None
    values: dict[str, object] = field(default_factory=dict)
    queued_for_user: bool = False  # something was put in the user's outbox


def topic_thread(session: Session, conversation_id: str) -> int | None:
    """Return the forum thread opened for a conversation, or None."""
    row = session.get(StaffTopic, conversation_id)
    return row.thread_id if row is not None else None


def remember_topic(session: Session, conversation_id: str, *, chat_id: str,
                   thread_id: int) -> bool:
    """Record the thread opened for a conversation; False when the conversation is gone."""
    if session.get(Conversation, conversation_id) is None:
        return False
    session.merge(StaffTopic(conversation_id=conversation_id, chat_id=chat_id,
                             thread_id=thread_id))
    return True


def topic_conversation(session: Session, *, chat_id: str, thread_id: int) -> str | None:
    """Return the conversation a thread of the staff group belongs to, or None."""
    return session.scalar(select(StaffTopic.conversation_id).where(
        StaffTopic.chat_id == chat_id, StaffTopic.thread_id == thread_id))


def _is_close(text: str) -> bool:
    # "/close" or "/close@SomeBot" (Telegram adds the bot's name in groups).
    return text.strip().split("@")[0] == CLOSE_COMMAND


def staff_wrote(session: Session, *, chat_id: str, thread_id: int, telegram_user_id: int,
                text: str, return_notice: Callable[[str | None], str]) -> TopicOutcome:
    """Apply what a staff member wrote in a topic.

    The first answer to a waiting conversation takes it (as "take" in the console); a
    conversation held by another broker is not touched; ``/close`` hands it back to the
    assistant with ``return_notice(language)`` for the user.
    """
    if not text.strip():  # nothing to pass on (the Bot API does not send blank messages)
        return TopicOutcome(None)
    conversation_id = topic_conversation(session, chat_id=chat_id, thread_id=thread_id)
    if conversation_id is None:
        return TopicOutcome("staff_topic_gone")
    member = staff.by_telegram(session, telegram_user_id)
    if member is None:
        return TopicOutcome("staff_topic_not_linked", {"telegram_id": telegram_user_id})
    row = session.get(Conversation, conversation_id)
    if row is None or row.state == "bot":
        return TopicOutcome("staff_topic_gone")
    if row.state == "waiting":
        if not handoff.take(session, conversation_id, staff_id=member.id):
            return TopicOutcome("staff_topic_gone")
    elif row.assigned_to != member.id:
        holder = session.get(Staff, row.assigned_to) if row.assigned_to else None
        return TopicOutcome("staff_topic_held",
                            {"name": (holder.name or holder.email) if holder else "—"})
    if _is_close(text):
        handoff.hand_back(session, conversation_id, staff_id=member.id,
                          notice=return_notice(row.language), language=row.language)
        return TopicOutcome("staff_topic_closed", queued_for_user=True)
    handoff.broker_reply(session, conversation_id, staff_id=member.id, text=text)
    return TopicOutcome(None, queued_for_user=True)
