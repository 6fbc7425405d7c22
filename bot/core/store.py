"""Conversation records: who talks on which channel, in which language, in which state."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, exists, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core import documents
from bot.core.messages import ConversationState, OutboundMessage
from bot.errors import UnknownConversation
from catalog import handoff, kept, outbox, registrations
from catalog.models import Conversation, ConversationMessage, OutboxMessage


@dataclass(frozen=True)
class ConversationInfo:
    """A conversation as the core sees it."""

    id: str
    channel: str
    language: str | None
    state: ConversationState
    channel_user_id: str | None = None
    kept: bool = False  # user messages wait for the engine (catalog.kept)


@dataclass(frozen=True)
class QueueStatus:
    """Where a waiting conversation stands in the brokers' queue."""

    position: int | None
    expected_wait: dt.timedelta | None


@dataclass(frozen=True)
class PushedMessage:
    """A message that reached the user outside a reply to their own (broker, notice)."""

    id: int
    author: str
    text: str
    created_at: dt.datetime
    buttons: tuple[tuple[str, str], ...] = ()
    document: dict[str, str] | None = None


PUSHED_AUTHORS = ("broker", "notice")


def _info(row: Conversation, kept: bool = False) -> ConversationInfo:
    return ConversationInfo(row.id, row.channel, row.language,
                            row.state, row.channel_user_id, kept)  # type: ignore[arg-type]


# The statements of a chat turn, on the tables rather than the ORM classes: a turn runs
# them at every message, and the ORM's layers (compiling its statements, loading rows into
# objects, the unit of work) cost more than the database's own work.
_CONVERSATIONS = cast(Table, Conversation.__table__)
_MESSAGES = cast(Table, ConversationMessage.__table__)
_READ_INFO = select(
    _CONVERSATIONS.c.id, _CONVERSATIONS.c.channel, _CONVERSATIONS.c.language,
    _CONVERSATIONS.c.state, _CONVERSATIONS.c.channel_user_id,
    # whether the conversation has kept messages (catalog.kept), in the same statement
    exists().where(_MESSAGES.c.conversation_id == _CONVERSATIONS.c.id,
                   _MESSAGES.c.pending.is_(True)).correlate(_CONVERSATIONS))
_INSERT_MESSAGE = _MESSAGES.insert().returning(_MESSAGES.c.id)


class ConversationStore:
    """Read and write conversations through short transactions."""

    def __init__(self, session_factory: sessionmaker[Session],
                 on_change: Callable[[str], None] | None = None) -> None:
        self._sessions = session_factory
        self._on_change = on_change

    @property
    def sessions(self) -> sessionmaker[Session]:
        """Return the session factory (for domain operations outside the store)."""
        return self._sessions

    def changed(self, conversation_id: str) -> None:
        """Tell live views (web chat, console) that a conversation changed."""
        if self._on_change is not None:
            self._on_change(conversation_id)

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
            found = session.execute(
                _READ_INFO.where(_CONVERSATIONS.c.id == conversation_id)).first()
            if found is None:
                raise UnknownConversation(conversation_id)
            cid, channel, language, state, channel_user_id, has_kept = found
            return ConversationInfo(cid, channel, language, state, channel_user_id,
                                    bool(has_kept))

    def set_language(self, conversation_id: str, language: str) -> None:
        """Remember the language the conversation now uses."""
        with self._sessions.begin() as session:
            row = session.get(Conversation, conversation_id)
            if row is not None:
                row.language = language

    def record(self, conversation_id: str, direction: str, text: str, *,
               delivered: bool = True, language: str | None = None,
               pending: bool = False) -> int:
        """Append a message to the transcript (the user's, or the assistant's); return its id.

        With ``language``, the conversation's language changes in the same transaction;
        ``pending`` keeps a user message for the engine to answer later (catalog.kept).
        """
        changes: dict[str, Any] = {}
        if direction == "in":
            changes["last_inbound_at"] = dt.datetime.now(dt.UTC)
        if language is not None:
            changes["language"] = language
        with self._sessions.begin() as session:
            message_id: int = session.execute(_INSERT_MESSAGE, {
                "conversation_id": conversation_id, "direction": direction, "text": text,
                "delivered": delivered and not pending, "pending": pending,
                "author": "user" if direction == "in" else "assistant"}).scalar_one()
            if changes:
                session.execute(_CONVERSATIONS.update()
                                .where(_CONVERSATIONS.c.id == conversation_id)
                                .values(**changes))
        self.changed(conversation_id)
        return message_id

    def record_replies(self, conversation_id: str, texts: list[str]) -> None:
        """Append the assistant's replies of one turn to the transcript, in one transaction."""
        if not texts:
            return
        with self._sessions.begin() as session:
            session.execute(_MESSAGES.insert(), [
                {"conversation_id": conversation_id, "direction": "out", "text": text,
                 "delivered": True, "author": "assistant"} for text in texts])
        self.changed(conversation_id)

    def pushed_since(self, conversation_id: str, after: int, *, limit: int = 100
                     ) -> list[PushedMessage]:
        """Return broker replies and notices newer than transcript id ``after``, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ConversationMessage)
                .where(ConversationMessage.conversation_id == conversation_id,
                       ConversationMessage.id > after,
                       ConversationMessage.author.in_(PUSHED_AUTHORS))
                .order_by(ConversationMessage.id).limit(limit))
            found = list(rows)
            queued: dict[int | None, tuple[list[dict[str, Any]], dict[str, Any] | None]] = {}
            if found:
                queued_rows = session.execute(
                    select(OutboxMessage.transcript_id, OutboxMessage.buttons,
                           OutboxMessage.document)
                    .where(OutboxMessage.transcript_id.in_([r.id for r in found])))
                queued = {tid: (buttons or [], document)
                          for tid, buttons, document in queued_rows}
            pushed = []
            for r in found:
                buttons, document = queued.get(r.id, ([], None))
                pushed.append(PushedMessage(r.id, r.author, r.text, r.created_at, tuple(
                    (str(b.get("title", "")), str(b.get("payload", ""))) for b in buttons),
                    document))
            return pushed

    def latest_message_id(self, conversation_id: str) -> int:
        """Return the id of the conversation's newest transcript row (0 when empty)."""
        with self._sessions() as session:
            found = session.scalar(select(ConversationMessage.id)
                                   .where(ConversationMessage.conversation_id == conversation_id)
                                   .order_by(ConversationMessage.id.desc()).limit(1))
            return int(found or 0)

    def escalate(self, conversation_id: str, reason: str) -> QueueStatus:
        """Queue the conversation for a broker (keeping its place if already queued)."""
        with self._sessions.begin() as session:
            handoff.escalate(session, conversation_id, reason=reason)
        self.changed(conversation_id)
        return self.queue_status(conversation_id)

    def queue_status(self, conversation_id: str) -> QueueStatus:
        """Return the conversation's place in the queue and the expected wait."""
        with self._sessions() as session:
            position = handoff.queue_position(session, conversation_id)
            wait = handoff.expected_wait(session, position) if position else None
            return QueueStatus(position, wait)

    def cancel_handoff(self, conversation_id: str) -> bool:
        """Take the conversation back from the queue (or a broker) to the assistant."""
        with self._sessions.begin() as session:
            done = handoff.cancel_waiting(session, conversation_id, actor="user")
        self.changed(conversation_id)
        return done

    def transcript(self, conversation_id: str) -> list[tuple[str, str, bool]]:
        """Return (direction, text, delivered) for every message, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(select(ConversationMessage)
                                   .where(ConversationMessage.conversation_id == conversation_id)
                                   .order_by(ConversationMessage.id))
            return [(r.direction, r.text, r.delivered) for r in rows]

    def keep_recorded(self, conversation_id: str, message_id: int) -> None:
        """Keep a user message already in the transcript: the engine could not answer it."""
        with self._sessions.begin() as session:
            kept.keep_recorded(session, message_id)
        self.changed(conversation_id)

    def kept(self, conversation_id: str) -> list[tuple[int, str]]:
        """Return (transcript id, text) of the messages kept for the engine, oldest first."""
        with self._sessions() as session:
            return kept.kept(session, conversation_id)

    def answered_kept(self, message_id: int) -> None:
        """Mark a kept message as answered by the assistant."""
        with self._sessions.begin() as session:
            kept.answered(session, message_id)

    def push(self, conversation_id: str, message: OutboundMessage, language: str) -> None:
        """Send the assistant's message outside a reply (through the outbox), and record it."""
        with self._sessions.begin() as session:
            outbox.enqueue(session, conversation_id=conversation_id, text=message.text,
                           kind="assistant", language=language,
                           buttons=[dict(b) for b in message.as_dict()["buttons"]],
                           document=documents.to_payload(message.document))
        self.changed(conversation_id)

    def erase(self, conversation_id: str) -> None:
        """Delete the conversation and, by cascade, its transcript, consents and cases.

        Its event seats are given up first, so the people waiting for them are promoted.
        """
        with self._sessions.begin() as session:
            registrations.forget(session, conversation_id)
            row = session.get(Conversation, conversation_id)
            if row is not None:
                session.delete(row)
