"""The conversation core: one path from any channel to Rasa and back."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, Protocol

from bot.core import locales
from bot.core.engine_messages import (
    Payload,
    PayloadReader,
    Turn,
    clean_text,
    language_buttons,
    rasa_text,
    read_replies,
)
from bot.core.language import LanguageResolver, Resolution
from bot.core.messages import ConversationState, InboundMessage, OutboundMessage, TurnResult
from bot.core.office_hours import OfficeHours
from bot.core.rasa_client import RasaClient, RasaReply
from bot.core.rate_limit import Admission, FloodGuard
from bot.core.store import ConversationInfo, ConversationStore, QueueStatus
from bot.core.turns import LocalTurnLocks, TurnLocks
from bot.errors import EngineUnavailable, ErasureFailed, TurnLockUnavailable

logger = logging.getLogger(__name__)

# Requests that work in every state, even while a broker holds the conversation.
PRIVACY_INTENTS = frozenset({"ask_privacy", "erase_data"})
CLASSIFY_CONFIDENCE = 0.7


class HandoffObserver(Protocol):
    """Something that follows escalated conversations (the Telegram staff topics)."""

    async def escalated(self, conversation_id: str) -> None:
        """A conversation was queued for a broker."""

    async def user_wrote(self, conversation_id: str, text: str) -> None:
        """A user whose conversation waits for or is held by a broker wrote ``text``."""


# A recorded message ready for routing: conversation, text, payload (intent, entities),
# language, transcript id.
_Received = tuple[ConversationInfo, str, Payload | None, str, int, bool]


class _Foreign:
    """A message in an unspoken language, or one that only the detectors would switch to
    another, in a conversation that has a language."""


_FOREIGN_IN_CONVERSATION = _Foreign()


class ConversationCore:
    """Route user messages to the assistant and turn its answers into channel-neutral replies."""

    def __init__(self, *, store: ConversationStore, rasa: RasaClient,
                 resolver: LanguageResolver, known_intents: frozenset[str],
                 known_entities: frozenset[str] = frozenset(),
                 max_message_chars: int = 4000,
                 tracker_eraser: Callable[[str], None] | None = None,
                 office_hours: OfficeHours | None = None,
                 sensitive: Callable[[str, str], bool] | None = None,
                 turns: TurnLocks | None = None, flood: FloodGuard | None = None) -> None:
        self._turns = turns or LocalTurnLocks()
        self._flood = flood
        self._observers: list[HandoffObserver] = []
        self._background: set[asyncio.Task[None]] = set()
        self._store = store
        self._hours = office_hours
        self._sensitive = sensitive
        self._tracker_eraser = tracker_eraser
        self._rasa = rasa
        self._resolver = resolver
        self._payloads = PayloadReader(known_intents, known_entities)
        self._max_chars = max_message_chars

    def admit(self, channel: str, user_id: str) -> Admission:
        """Apply the per-user message limit of a channel that answers in the user's chat."""
        if self._flood is None:
            return Admission.ALLOW
        return self._flood.admit(f"{channel}:{user_id}")

    def observe(self, observer: HandoffObserver) -> None:
        """Tell ``observer`` about escalations and what escalated users write."""
        self._observers.append(observer)

    def _tell_observers(self, event: str, *args: str) -> None:
        """Run observers in the background: the user's turn never waits for them."""
        for observer in self._observers:
            task = asyncio.get_running_loop().create_task(getattr(observer, event)(*args))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    @property
    def store(self) -> ConversationStore:
        """Return the conversation store."""
        return self._store

    async def handle(self, message: InboundMessage) -> TurnResult:
        """Process one user message and return the replies to show.

        A conversation's messages are handled one at a time, in the order they arrive
        (across replicas when the turn locks are in Redis).

        Raises:
            UnknownConversation: the message names a conversation that does not exist.
        """
        try:
            async with self._turns.hold(message.conversation_id):
                return await self._turn(message)
        except TurnLockUnavailable as exc:
            logger.warning("conversation %s: message kept, no turn lock (%s)",
                           message.conversation_id, exc)
            return await asyncio.to_thread(self._keep, message)

    def _keep(self, message: InboundMessage) -> TurnResult:
        """Record a message that cannot be handled now as undelivered, and apologise."""
        info = self._store.get(message.conversation_id)
        text = clean_text(message.text)
        if text and len(text) <= self._max_chars:
            self._store.record(info.id, "in", text, pending=True)
        language = info.language or message.language_hint or locales.DEFAULT_LANGUAGE
        return self._local(info, language, "engine_unavailable")

    async def aclose(self) -> None:
        """Release the turn locks' connections."""
        await self._turns.aclose()

    async def _turn(self, message: InboundMessage) -> TurnResult:
        """Handle one message while holding its conversation's turn.

        Messages kept while the engine was away are answered first, in order.
        """
        info = await asyncio.to_thread(self._store.get, message.conversation_id)
        earlier = await self._answer_kept(info.id, push=False) if info.kept else []
        # Answering kept messages may change the conversation (language, state): read again.
        result = await self._route(message, None if earlier else info)
        if earlier:
            result.replies[:0] = earlier
        return result

    async def replay_kept(self, conversation_id: str) -> int:
        """Answer the messages kept while the engine was away; the answers go by the outbox.

        Returns how many kept messages were answered.

        Raises:
            TurnLockUnavailable: the conversation's turn cannot be taken now.
        """
        async with self._turns.hold(conversation_id):
            kept = await asyncio.to_thread(self._store.kept, conversation_id)
            await self._answer_kept(conversation_id, push=True, kept=kept)
            left = await asyncio.to_thread(self._store.kept, conversation_id)
            return len(kept) - len(left)

    async def engine_ready(self) -> bool:
        """Return whether the dialogue engine answers now."""
        return await self._rasa.ready()

    async def turns_ready(self) -> bool:
        """Return whether conversations' turns can be taken (Redis answers, when used)."""
        return await self._turns.ready()

    async def _answer_kept(self, conversation_id: str, *, push: bool,
                           kept: list[tuple[int, str]] | None = None) -> list[OutboundMessage]:
        """Send kept messages to the engine, oldest first; stop at the first that fails.

        With ``push`` the answers go through the outbox (the user is not waiting on a
        reply); otherwise they are recorded and returned to go before the new reply.
        """
        if kept is None:
            kept = await asyncio.to_thread(self._store.kept, conversation_id)
        answers: list[OutboundMessage] = []
        for message_id, text in kept:
            info = await asyncio.to_thread(self._store.get, conversation_id)
            language = info.language or locales.DEFAULT_LANGUAGE
            if info.state == "bot":
                try:
                    turn = await self._kept_turn(info, text, language, message_id)
                except EngineUnavailable:
                    break
                result = await self._conclude(info, turn, push=push)
                answers += result.replies
                if turn.erase:
                    break  # the conversation and its kept messages are gone
            await asyncio.to_thread(self._store.answered_kept, message_id)
        return answers

    async def _kept_turn(self, info: ConversationInfo, text: str, language: str,
                         message_id: int) -> Turn:
        """Answer a kept message: with what the engine already answered, if it handled it.

        Raises:
            EngineUnavailable: the engine could not be reached or failed.
        """
        handled = await self._rasa.answered(info.id, message_id)
        if handled is not None:
            return await asyncio.to_thread(self._read, info, handled, language)
        return await self._engine_turn(info, text, self._payloads.read(text), language,
                                       info.channel, message_id)

    async def _route(self, message: InboundMessage,
                     info: ConversationInfo | None = None) -> TurnResult:
        """Record the message and route it: to a broker's queue, or to the assistant."""
        # Database work and language detection run in a worker thread: the event loop
        # serves every channel and must never wait on them.
        step = await asyncio.to_thread(self._receive, message, info)
        if step is _FOREIGN_IN_CONVERSATION:
            # "ok per me va bene, procediamo" is Slovak to the all-language detector, and
            # "financas solidarias, banco comunitario" Spanish to both detectors: an
            # answer to an open question stays in the conversation's language.
            keep = await self._rasa.question_open(message.conversation_id)
            step = await asyncio.to_thread(self._receive, message, info,
                                           "keep" if keep else "say")
        if isinstance(step, TurnResult):
            return step
        assert not isinstance(step, _Foreign)
        info, text, payload, language, message_id, offer_languages = step
        if info.state != "bot":
            self._tell_observers("user_wrote", info.id, text)
            routed = await self._while_escalated(info, text, payload, language)
            if routed is not None:
                return routed
            info = await asyncio.to_thread(self._store.get, info.id)
        elif payload is None and self._sensitive is not None and self._sensitive(text, language):
            result = await asyncio.to_thread(self._escalate, info, language, "sensitive",
                                             lead="handoff_sensitive")
            self._tell_observers("escalated", info.id)
            return result
        return await self._ask_assistant(info, text, payload, language, message.channel,
                                         message_id, offer_languages=offer_languages)

    def _receive(self, message: InboundMessage,
                 info: ConversationInfo | None = None, unsupported: str = "check",
                 ) -> TurnResult | _Received | _Foreign:
        """Clean, size-check and record the message and settle its language (blocking).

        A message in a language the assistant does not speak, or one that would switch
        the language on the detectors alone (`Resolution.tentative`), in a conversation
        that has a language, is first returned as ``_FOREIGN_IN_CONVERSATION`` (nothing
        recorded) for the caller to ask whether a question is open; called again with
        ``unsupported="keep"`` it is taken in the conversation's language, with "say" the
        user is told the language is not spoken (a tentative switch is made).
        """
        info = info or self._store.get(message.conversation_id)
        text = clean_text(message.text)
        language = info.language or message.language_hint or locales.DEFAULT_LANGUAGE
        if not text:
            return self._local(info, language, "empty_message")
        if len(text) > self._max_chars:
            self._store.record(info.id, "in", text, delivered=False)
            return self._local(info, language, "message_too_long",
                               max_chars=locales.counted("characters", language,
                                                         self._max_chars))
        payload = self._payloads.read(text)
        resolution = self._resolve(info, text, payload, language, message.language_hint)
        doubtful = (resolution.unsupported or resolution.tentative) and info.language
        if doubtful and unsupported == "check":
            return _FOREIGN_IN_CONVERSATION
        if doubtful and unsupported == "keep":
            resolution = Resolution(str(info.language), "sticky")
        if resolution.unsupported:
            self._store.record(info.id, "in", text)
            reply = OutboundMessage(locales.text("unsupported_language", language),
                                    language_buttons())
            self._store.record(info.id, "out", reply.text)
            return TurnResult(info.id, language, info.state, [reply])
        if payload is None and resolution.reason == "explicit":
            payload = ("change_language", {"language": resolution.language})
        language = resolution.language
        # One transaction for the message and the conversation's new language, if any.
        message_id = self._store.record(
            info.id, "in", text, language=language if language != info.language else None)
        # A first message whose language is a guess: answer in it and offer the menu.
        offer_languages = resolution.uncertain and info.language is None
        return info, text, payload, language, message_id, offer_languages

    def _resolve(self, info: ConversationInfo, text: str,
                 payload: Payload | None, language: str,
                 hint: str | None) -> Resolution:
        """Decide the turn's language: a language payload wins, else the resolver decides."""
        if payload is not None:
            requested = payload[1].get("language")
            return (Resolution(requested, "explicit", switched=True)
                    if requested in locales.LANGUAGE_NAMES else Resolution(language, "sticky"))
        return self._resolver.resolve(text, current=info.language, hint=hint)

    async def _ask_assistant(self, info: ConversationInfo, text: str,
                             payload: Payload | None, language: str,
                             channel: str, message_id: int, *,
                             offer_languages: bool = False) -> TurnResult:
        """Send the message to the dialogue engine and relay what it answers.

        If the engine cannot be reached the message is kept and answered when it is back.
        With ``offer_languages`` (the first message's language was a guess) the answer
        ends with the language menu, unless the engine switched language or handed over.
        """
        try:
            turn = await self._engine_turn(info, text, payload, language, channel, message_id)
        except EngineUnavailable as exc:
            logger.warning("conversation %s: message kept, engine unavailable (%s)", info.id, exc)
            await asyncio.to_thread(self._store.keep_recorded, info.id, message_id)
            return self._local(info, language, "engine_unavailable")
        if (offer_languages and turn.replies and turn.language == language
                and turn.escalate is None and not turn.erase):
            turn.replies.append(OutboundMessage(locales.text("offer_language", language),
                                                language_buttons()))
        return await self._conclude(info, turn, push=False)

    async def _engine_turn(self, info: ConversationInfo, text: str,
                           payload: Payload | None, language: str,
                           channel: str, message_id: int) -> Turn:
        """Return what the engine answers, in the language it settles on.

        The transcript id goes with the message, so that an answer the engine gave but
        could not deliver (it stopped) can be found in its tracker later.

        Raises:
            EngineUnavailable: the engine could not be reached or failed.
        """
        metadata: dict[str, Any] = {"language": language, "channel": channel,
                                    "message_id": message_id}
        replies = await self._rasa.send(info.id, rasa_text(text, payload, language),
                                        metadata)
        # An action may switch the language (an explicit request the engine understood):
        # its answer already comes in the new one, which the conversation keeps from now.
        return await asyncio.to_thread(self._read, info, replies, language)

    async def _conclude(self, info: ConversationInfo, turn: Turn, *, push: bool) -> TurnResult:
        """Carry out what the assistant answered: erase, queue for a broker, record replies."""
        if not turn.replies:
            logger.warning("conversation %s: the engine produced no reply", info.id)
            return self._local(info, turn.language, "engine_unavailable")
        if turn.erase:
            try:
                await self._erase(info.id)
            except ErasureFailed:
                logger.error("conversation %s: erasure failed; a broker will finish it", info.id)
                result = await asyncio.to_thread(self._escalate, info, turn.language,
                                                 "erasure_failed", lead="erase_failed")
                self._tell_observers("escalated", info.id)
                return result
            return TurnResult(info.id, turn.language, "bot", turn.replies)
        result = await asyncio.to_thread(self._answer, info, turn, push)
        if turn.escalate is not None:
            self._tell_observers("escalated", info.id)
        return result

    def _answer(self, info: ConversationInfo, turn: Turn, push: bool = False) -> TurnResult:
        """Queue the conversation if the assistant asked to; record (or push) its replies."""
        state = info.state
        if turn.escalate is not None:
            status = self._store.escalate(info.id, turn.escalate)
            turn.replies.append(OutboundMessage(self._queue_text(status, turn.language)))
            state = "waiting"
        if push:
            for reply in turn.replies:
                self._store.push(info.id, reply, turn.language)
        else:
            self._store.record_replies(info.id, [reply.text for reply in turn.replies])
        return TurnResult(info.id, turn.language, state, turn.replies)

    async def _while_escalated(self, info: ConversationInfo, text: str,
                               payload: Payload | None,
                               language: str) -> TurnResult | None:
        """Handle a message while a broker is awaited or talking; None lets the assistant answer.

        Privacy requests always reach the assistant; /cancel (or /start) goes back to it;
        in the queue anything else gets the queue status; with a broker, silence.
        """
        intent = payload[0] if payload is not None else await self._classify(text)
        if intent in PRIVACY_INTENTS:
            return None
        explicit = payload is not None
        if intent == "stop_form" and (explicit or info.state == "waiting"):
            await asyncio.to_thread(self._store.cancel_handoff, info.id)
            return await asyncio.to_thread(self._say, info, language, "bot", "handoff_cancelled")
        if intent == "greet" and explicit:  # /start: back to the assistant, which greets
            await asyncio.to_thread(self._store.cancel_handoff, info.id)
            return None
        if info.state == "human":
            return TurnResult(info.id, language, "human", [])
        return await asyncio.to_thread(self._queue_answer, info, language)

    def _queue_answer(self, info: ConversationInfo, language: str) -> TurnResult:
        """Tell a waiting user where they stand, and record it."""
        status = self._store.queue_status(info.id)
        return self._say(info, language, "waiting",
                         text=self._queue_text(status, language, waiting=True))

    async def _classify(self, text: str) -> str | None:
        """Return the intent the engine reads in free text, if it is sure of it."""
        try:
            parsed = await self._rasa.parse(text)
        except EngineUnavailable:
            return None
        return parsed[0] if parsed[1] >= CLASSIFY_CONFIDENCE else None

    def _escalate(self, info: ConversationInfo, language: str, reason: str, *,
                  lead: str) -> TurnResult:
        """Queue the conversation for a broker and tell the user why and how long."""
        status = self._store.escalate(info.id, reason)
        return self._say(info, language, "waiting",
                         text=locales.text(lead, language) + "\n\n"
                         + self._queue_text(status, language))

    def _queue_text(self, status: QueueStatus, language: str, *, waiting: bool = False) -> str:
        """Say where the user stands: place in the queue, the wait, or when brokers return."""
        parts = []
        opening = self._hours.next_opening(dt.datetime.now(dt.UTC)) if self._hours else None
        if opening is not None:
            parts.append(locales.text("handoff_after_hours", language,
                                      when=locales.when(opening, language)))
        elif status.position is not None and status.expected_wait is not None:
            parts.append(locales.text("handoff_queue_wait", language, position=status.position,
                                      wait=locales.duration(status.expected_wait, language)))
        elif status.position is not None:
            parts.append(locales.text("handoff_queue", language, position=status.position))
        parts.append(locales.text("handoff_waiting_hint" if waiting else "handoff_keep_writing",
                                  language))
        return "\n".join(parts)

    def _say(self, info: ConversationInfo, language: str, state: ConversationState,
             key: str | None = None, *, text: str | None = None) -> TurnResult:
        """Answer from the locale files, record the answer, and report the state."""
        reply = text if text is not None else locales.text(key or "", language)
        self._store.record(info.id, "out", reply)
        return TurnResult(info.id, language, state, [OutboundMessage(reply)])

    async def _erase(self, conversation_id: str) -> None:
        """Erase everything stored about a conversation: tracker, transcript, cases, consent.

        The dialogue engine's records go first: if they cannot be erased, nothing else
        is, so a broker can see the request and finish it.

        Raises:
            ErasureFailed: the tracker store could not be erased.
        """
        if self._tracker_eraser is not None:
            await asyncio.to_thread(self._tracker_eraser, conversation_id)
        await asyncio.to_thread(self._store.erase, conversation_id)
        self._store.changed(conversation_id)
        logger.info("conversation %s erased on the user's request", conversation_id)

    def _local(self, info: ConversationInfo, language: str, key: str,
               **values: object) -> TurnResult:
        """Answer from the bot's own locale files, without the dialogue engine."""
        return TurnResult(info.id, language, info.state,
                          [OutboundMessage(locales.text(key, language, **values))])

    def _read(self, info: ConversationInfo, replies: list[RasaReply], language: str) -> Turn:
        """Read the engine's replies; remember the language an action switched to."""
        turn = read_replies(replies, language)
        if turn.language != language:
            self._store.set_language(info.id, turn.language)
        return turn
