"""Conversation records: who talks on which channel, in which language, in which state."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import ConversationState
from bot.errors import UnknownConversation
from catalog.models import Conversation, ConversationMessage


@dataclass(frozen=True)
class ConversationInfo:
    """A conversation as the core sees it."""

    id: str
    channel: str
    language: str | None
    state: ConversationState


def _info(row: Conversation) -> ConversationInfo:
    return ConversationInfo(row.id, row.channel, row.language, row.state)  # type: ignore[arg-type]


class ConversationStore:
    """Read and write conversations through short transactions."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def open(self, *, channel: str, channel_user_id: str | None = None,
             language: str | None = None) -> ConversationInfo:
        """Return the channel user's conversation, creating it if new."""
        with self._sessions.begin() as session:
            if channel_user_id is not None:
                row = session.scalar(select(Conversation).where(
                    Conversation.channel == channel,
                    Conversation.channel_user_id == channel_user_id))
                if row is not None:
                    return _info(row)
            row = Conversation(id=secrets.token_urlsafe(16), channel=channel,
                               channel_user_id=channel_user_id, language=language, state="bot")
            session.add(row)
            session.flush()
            return _info(row)

    def get(self, conversation_id: str) -> ConversationInfo:
        """Return one conversation.

        Raises:
            UnknownConversation: no conversation has this id.
        """
        with self._sessions() as session:
            row = session.get(Conversation, conversation_id)
            if row is None:
                raise UnknownConversation(conversation_id)
            return _info(row)

    def set_language(self, conversation_id: str, language: str) -> None:
        """Remember the language the conversation now uses."""
        with self._sessions.begin() as session:
            row = session.get(Conversation, conversation_id)
            if row is not None:
                row.language = language

    def record(self, conversation_id: str, direction: str, text: str, *,
               delivered: bool = True) -> None:
        """Append a message to the conversation's transcript."""
        with self._sessions.begin() as session:
            session.add(ConversationMessage(conversation_id=conversation_id, direction=direction,
                                            text=text, delivered=delivered))

    def transcript(self, conversation_id: str) -> list[tuple[str, str, bool]]:
        """Return (direction, text, delivered) for every message, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(select(ConversationMessage)
                                   .where(ConversationMessage.conversation_id == conversation_id)
                                   .order_by(ConversationMessage.id))
            return [(r.direction, r.text, r.delivered) for r in rows]

    def mark_undelivered(self, conversation_id: str) -> None:
        """Flag the latest user message as not answered by the assistant."""
        with self._sessions.begin() as session:
            row = session.scalar(select(ConversationMessage)
                                 .where(ConversationMessage.conversation_id == conversation_id,
                                        ConversationMessage.direction == "in")
                                 .order_by(ConversationMessage.id.desc()).limit(1))
            if row is not None:
                row.delivered = False

    def set_state(self, conversation_id: str, state: str) -> None:
        """Move the conversation between the assistant, waiting and a human broker."""
        with self._sessions.begin() as session:
            row = session.get(Conversation, conversation_id)
            if row is not None:
                row.state = state

    def erase(self, conversation_id: str) -> None:
        """Delete the conversation and, by cascade, its transcript, consents and cases."""
        with self._sessions.begin() as session:
            row = session.get(Conversation, conversation_id)
            if row is not None:
                session.delete(row)
