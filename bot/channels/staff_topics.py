"""Brokers on Telegram: one forum topic per escalated conversation in a staff group.

When a conversation is queued for a broker, a topic is opened in the staff group
(`TELEGRAM_STAFF_CHAT_ID`, a supergroup with topics enabled) with the case brief;
what the user writes while waiting or talking to a broker is copied into it. A
staff member whose Telegram account is linked to a staff account answers by writing
in the topic (the first answer takes the conversation, exactly as "take" in the web
console); `/close` hands it back to the assistant. The topic-to-conversation map is
in the database (`staff_topic`), so every bot replica and a restarted one know it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.core import locales
from catalog import handoff, staff_topics
from catalog.brief import summary
from catalog.cases import EXPORT_FIELDS
from catalog.models import Conversation

logger = logging.getLogger(__name__)
TOPIC_NAME_LIMIT = 128


class StaffTopics:
    """Mirror escalated conversations into forum topics and take brokers' answers from them."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], *,
                 chat_id: str, sessions: sessionmaker[Session], language: str = "en",
                 on_queued: Any = None) -> None:
        self._application = application
        self.chat_id = chat_id
        # The Bot API takes the numeric id of a supergroup (or its @username).
        self._target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        self._sessions = sessions
        self._language = language
        self._on_queued = on_queued  # called after an answer is queued (wakes delivery)

    # -- conversation side -------------------------------------------------------------

    async def escalated(self, conversation_id: str) -> None:
        """Open the conversation's topic (once) and post its brief."""
        found = await asyncio.to_thread(self._topic, conversation_id)
        if found is not None:
            return
        title, brief = await asyncio.to_thread(self._brief, conversation_id)
        if title is None:
            return
        bot = self._application.bot
        try:
            topic = await bot.create_forum_topic(self._target, title[:TOPIC_NAME_LIMIT])
            await asyncio.to_thread(self._remember, conversation_id, topic.message_thread_id)
            await bot.send_message(self._target, brief,
                                   message_thread_id=topic.message_thread_id)
        except TelegramError as exc:
            logger.warning("staff topics: could not open a topic for %s (%s)",
                           conversation_id, type(exc).__name__)

    async def user_wrote(self, conversation_id: str, text: str) -> None:
        """Copy what the user wrote into the conversation's topic."""
        thread = await asyncio.to_thread(self._topic, conversation_id)
        if thread is None:
            return
        try:
            await self._application.bot.send_message(self._target, f"👤 {text}"[:4096],
                                                     message_thread_id=thread)
        except TelegramError as exc:
            logger.warning("staff topics: could not copy a message of %s (%s)",
                           conversation_id, type(exc).__name__)

    # -- staff side ------------------------------------------------------------------

    async def on_staff_message(self, update: Update,
                               _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A staff member wrote in a topic: answer the user, or hand back with /close."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or not message.is_topic_message or not message.text:
            return
        thread = message.message_thread_id
        if thread is None:
            return
        outcome = await asyncio.to_thread(self._answer, thread, user.id, message.text)
        if outcome.key is not None:
            await self._say(thread, outcome.key, **outcome.values)
        if outcome.queued_for_user and self._on_queued is not None:
            self._on_queued()

    def _answer(self, thread: int, telegram_user: int, text: str) -> staff_topics.TopicOutcome:
        """Apply a staff message; return what to tell the topic."""
        with self._sessions.begin() as session:
            return staff_topics.staff_wrote(
                session, chat_id=self.chat_id, thread_id=thread, telegram_user_id=telegram_user,
                text=text, return_notice=lambda language: locales.text("handoff_returned",
                                                                       language))

    async def _say(self, thread: int, key: str, **values: object) -> None:
        try:
            await self._application.bot.send_message(
                self._target, locales.text(key, self._language, **values),
                message_thread_id=thread)
        except TelegramError as exc:
            logger.warning("staff topics: could not answer in a topic (%s)", type(exc).__name__)

    # -- database ------------------------------------------------------------------------

    def _topic(self, conversation_id: str) -> int | None:
        with self._sessions() as session:
            return staff_topics.topic_thread(session, conversation_id)

    def _remember(self, conversation_id: str, thread: int) -> None:
        with self._sessions.begin() as session:
            staff_topics.remember_topic(session, conversation_id, chat_id=self.chat_id,
                                        thread_id=thread)

    def _brief(self, conversation_id: str) -> tuple[str | None, str]:
        with self._sessions() as session:
            row = session.get(Conversation, conversation_id)
            if row is None:
                return None, ""
            case = handoff.latest_case(session, conversation_id)
            reference = case.reference if case else conversation_id[:8]
            reason = row.handoff_reason or "user_request"
            title = " · ".join(filter(None, [reference, case.org_name if case else None,
                                             row.language, row.channel, reason]))
            lines = [locales.text("staff_topic_opened", self._language, reference=reference,
                                  reason=reason)]
            if case is not None:
                values = {field: getattr(case, field) for field in EXPORT_FIELDS}
                lines += ["", summary(values, self._language)]
            recent = [m.text for m in row.messages if m.direction == "in"][-5:]
            lines += ["", *(f"👤 {text}" for text in recent)]
            return title, "\n".join(lines)[:4096]


def attach_staff_topics(application: Application[Any, Any, Any, Any, Any, Any],
                        topics: StaffTopics) -> None:
    """Route the staff group's topic messages to ``topics`` (other groups stay ignored)."""
    application.bot_data["staff_chat_id"] = topics.chat_id
    staff_chat = filters.Chat(chat_id=int(topics.chat_id))
    application.add_handler(MessageHandler(staff_chat & filters.TEXT, topics.on_staff_message),
                            group=1)
