"""The conversation core: one path from any channel to Rasa and back."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core import locales
from bot.core.language import LanguageResolver, Resolution, strip_invisible
from bot.core.messages import (
    Button,
    ConversationState,
    InboundMessage,
    OutboundMessage,
    TurnResult,
)
from bot.core.rasa_client import RasaClient, RasaReply
from bot.core.store import ConversationInfo, ConversationStore
from bot.errors import EngineUnavailable

logger = logging.getLogger(__name__)

# Slash commands any channel may send, mapped to the intent they trigger.
COMMANDS: dict[str, str] = {
    "start": "greet",
    "help": "ask_help",
    "human": "request_human",
    "cancel": "stop_form",
    "privacy": "ask_privacy",
    "forget": "erase_data",
    "language": "change_language",
}
_PAYLOAD = re.compile(r"^/([a-z][a-z_]{1,60})(\{.*\})?$", re.DOTALL)
_COMMAND = re.compile(r"^/([a-z]+)(?:@\w+)?(?:\s+(\S.*))?$", re.DOTALL)


def clean_text(text: str) -> str:
    """Normalise user text: NFC, no control characters or bidi marks, trimmed."""
    text = unicodedata.normalize("NFC", strip_invisible(text))
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()


def language_buttons() -> tuple[Button, ...]:
    """Return one button per supported language, each named in itself."""
    return tuple(
        Button(title=name, payload=f'/change_language{{"language": "{code}"}}')
        for code, name in locales.LANGUAGE_NAMES.items()
    )


@dataclass
class _Turn:
    """What the assistant answered in one turn, and what it asked the core to do."""

    language: str
    replies: list[OutboundMessage] = field(default_factory=list)
    state: ConversationState | None = None
    erase: bool = False


class ConversationCore:
    """Route user messages to the assistant and turn its answers into channel-neutral replies."""

    def __init__(self, *, store: ConversationStore, rasa: RasaClient,
                 resolver: LanguageResolver, known_intents: frozenset[str],
                 known_entities: frozenset[str] = frozenset(),
                 max_message_chars: int = 4000,
                 tracker_eraser: Callable[[str], None] | None = None) -> None:
        self._store = store
        self._tracker_eraser = tracker_eraser
        self._rasa = rasa
        self._resolver = resolver
        self._intents = known_intents
        # A payload may carry the domain's entities, except the one the core itself sets.
        self._payload_entities = known_entities - {"conversation_language"}
        self._max_chars = max_message_chars

    @property
    def store(self) -> ConversationStore:
        """Return the conversation store."""
        return self._store

    async def handle(self, message: InboundMessage) -> TurnResult:
        """Process one user message and return the replies to show.

        Raises:
            UnknownConversation: the message names a conversation that does not exist.
        """
        info = self._store.get(message.conversation_id)
        text = clean_text(message.text)
        language = info.language or message.language_hint or locales.DEFAULT_LANGUAGE
        if not text:
            return self._local(info, language, "empty_message")
        if len(text) > self._max_chars:
            self._store.record(info.id, "in", text, delivered=False)
            return self._local(info, language, "message_too_long", max_chars=self._max_chars)

        payload = self._as_payload(text)
        if payload is not None:
            intent, entities = payload
            requested = entities.get("language")
            resolution = (Resolution(requested, "explicit", switched=True)
                          if requested in locales.LANGUAGE_NAMES
                          else Resolution(language, "sticky"))
        else:
            resolution = self._resolver.resolve(text, current=info.language,
                                                hint=message.language_hint)
            if resolution.unsupported:
                self._store.record(info.id, "in", text)
                reply = OutboundMessage(locales.text("unsupported_language", language),
                                        language_buttons())
                self._store.record(info.id, "out", reply.text)
                return TurnResult(info.id, language, info.state, [reply])
            if resolution.reason == "explicit":
                payload = ("change_language", {"language": resolution.language})
        language = resolution.language
        if language != info.language:
            self._store.set_language(info.id, language)

        self._store.record(info.id, "in", text)
        if info.state != "bot":
            if payload is not None and payload[0] in {"stop_form", "greet"}:
                # /cancel or /start while waiting for a broker: back to the assistant.
                self._store.set_state(info.id, "bot")
                info = self._store.get(info.id)
            else:
                return TurnResult(info.id, language, info.state,
                                  [OutboundMessage(locales.text("human_waiting", language))])
        rasa_text = self._rasa_text(text, payload, language)
        metadata = {"language": language, "channel": message.channel}
        try:
            replies = await self._rasa.send(info.id, rasa_text, metadata)
        except EngineUnavailable as exc:
            logger.warning("conversation %s: message kept, engine unavailable (%s)", info.id, exc)
            self._store.mark_undelivered(info.id)
            return self._local(info, language, "engine_unavailable")
        turn = self._convert(info, replies, language)
        if turn.language != language:
            # An action switched the language: ask again so the answer comes in the new one.
            language = turn.language
            retry = self._rasa_text(text, ("change_language", {"language": language}), language)
            try:
                replies = await self._rasa.send(info.id, retry, {**metadata, "language": language})
            except EngineUnavailable:
                return self._local(info, language, "engine_unavailable")
            turn = self._convert(info, replies, language)
        if not turn.replies:
            logger.warning("conversation %s: the engine produced no reply", info.id)
            return self._local(info, turn.language, "engine_unavailable")
        if turn.erase:
            await self._erase(info.id)
            return TurnResult(info.id, turn.language, "bot", turn.replies)
        for reply in turn.replies:
            self._store.record(info.id, "out", reply.text)
        return TurnResult(info.id, turn.language, turn.state or info.state, turn.replies)

    async def _erase(self, conversation_id: str) -> None:
        """Erase everything stored about a conversation: transcript, cases, consent, tracker."""
        self._store.erase(conversation_id)
        if self._tracker_eraser is not None:
            self._tracker_eraser(conversation_id)
        logger.info("conversation %s erased on the user's request", conversation_id)

    def _local(self, info: ConversationInfo, language: str, key: str,
               **values: object) -> TurnResult:
        """Answer from the bot's own locale files, without the dialogue engine."""
        return TurnResult(info.id, language, info.state,
                          [OutboundMessage(locales.text(key, language, **values))])

    def _as_payload(self, text: str) -> tuple[str, dict[str, Any]] | None:
        """Recognise a button payload or a slash command; return (intent, entities)."""
        match = _PAYLOAD.match(text)
        if match and match.group(1) in self._intents:
            entities: dict[str, Any] = {}
            if match.group(2):
                try:
                    raw = json.loads(match.group(2))
                except ValueError:
                    return None
                if not isinstance(raw, dict):
                    return None
                entities = {k: v for k, v in raw.items()
                            if k in self._payload_entities and isinstance(v, str | int | float)}
            return match.group(1), entities
        command = _COMMAND.match(text)
        if command and command.group(1) in COMMANDS:
            entities = {}
            argument = (command.group(2) or "").strip().lower()
            if command.group(1) == "language" and argument in locales.LANGUAGE_NAMES:
                entities["language"] = argument
            return COMMANDS[command.group(1)], entities
        return None

    @staticmethod
    def _rasa_text(text: str, payload: tuple[str, dict[str, Any]] | None, language: str) -> str:
        """Build what Rasa receives: payloads carry the conversation language as an entity."""
        if payload is None:
            # A leading slash would make Rasa read free text as an intent name.
            return text.lstrip("/") or text
        intent, entities = payload
        entities = {**entities, "conversation_language": language}
        return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"

    def _convert(self, info: ConversationInfo, replies: list[RasaReply],
                 language: str) -> _Turn:
        """Turn Rasa's replies into outbound messages; apply instructions sent as custom JSON."""
        turn = _Turn(language=language)
        for reply in replies:
            custom = reply.get("custom")
            if isinstance(custom, dict):
                requested = custom.get("language")
                if requested in locales.LANGUAGE_NAMES and requested != turn.language:
                    turn.language = str(requested)
                    self._store.set_language(info.id, turn.language)
                if custom.get("state") in {"waiting", "human", "bot"}:
                    turn.state = custom["state"]
                    self._store.set_state(info.id, turn.state)
                if custom.get("erase") is True:
                    turn.erase = True
                if custom.get("language_choice"):
                    # Language buttons are named in each language: the core owns them.
                    if turn.replies and not turn.replies[-1].buttons:
                        turn.replies[-1] = OutboundMessage(turn.replies[-1].text,
                                                           language_buttons())
                    else:
                        turn.replies.append(OutboundMessage(
                            locales.text("language_prompt", turn.language), language_buttons()))
            text = reply.get("text")
            buttons = tuple(Button(str(b.get("title", "")), str(b.get("payload", "")))
                            for b in reply.get("buttons") or [] if isinstance(b, dict))
            if text or buttons:
                turn.replies.append(OutboundMessage(str(text or ""), buttons))
        return turn
