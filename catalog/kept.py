"""Kept messages: what users wrote while the dialogue engine could not answer.

A kept message stays in the transcript, flagged ``pending``, until the assistant has
answered it (the flag is cleared and the message counts as delivered) or it has waited
too long to be worth answering (the flag is cleared, it stays undelivered, and the user
is asked to write again). The oldest kept message of a conversation is answered first.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from catalog.models import ConversationMessage


def keep_recorded(session: Session, message_id: int) -> None:
    """Flag a user message already in the transcript as kept."""
    session.execute(update(ConversationMessage).where(ConversationMessage.id == message_id)
                    .values(pending=True, delivered=False))


def kept(session: Session, conversation_id: str) -> list[tuple[int, str]]:
    """Return (transcript id, text) of the conversation's kept messages, oldest first."""
    rows = session.execute(select(ConversationMessage.id, ConversationMessage.text)
                           .where(ConversationMessage.conversation_id == conversation_id,
                                  ConversationMessage.pending.is_(True))
                           .order_by(ConversationMessage.id))
    return [(int(i), str(t)) for i, t in rows]


def conversations_waiting(session: Session, *, limit: int = 100) -> list[str]:
    """Return the conversations with kept messages, the longest waiting first."""
    oldest = func.min(ConversationMessage.id)
    rows = session.execute(select(ConversationMessage.conversation_id, oldest)
                           .where(ConversationMessage.pending.is_(True))
                           .group_by(ConversationMessage.conversation_id)
                           .order_by(oldest).limit(limit))
    return [str(r[0]) for r in rows]


def answered(session: Session, message_id: int) -> None:
    """The assistant has answered a kept message."""
    session.execute(update(ConversationMessage).where(ConversationMessage.id == message_id)
                    .values(pending=False, delivered=True))


def expire(session: Session, *, older_than: dt.datetime) -> list[str]:
    """Stop waiting on messages kept before ``older_than``; return their conversations."""
    rows = session.execute(select(ConversationMessage.conversation_id)
                           .where(ConversationMessage.pending.is_(True),
                                  ConversationMessage.created_at < older_than)
                           .distinct())
    ids = [str(r[0]) for r in rows]
    if ids:
        session.execute(update(ConversationMessage)
                        .where(ConversationMessage.pending.is_(True),
                               ConversationMessage.created_at < older_than)
                        .values(pending=False))
    return ids
