"""What travels between the core and the dialogue engine, read and written without I/O.

On the way in: user text is cleaned, and button payloads and slash commands are read
as (intent, entities) so they reach Rasa as intents. On the way out: Rasa's replies are
turned into channel-neutral messages, and the instructions actions send as custom JSON
(switch language, hand to a broker, erase, attach a file) are collected for the core.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from bot.core import documents, locales
from bot.core.language import strip_invisible
from bot.core.messages import Button, OutboundMessage
from bot.core.rasa_client import RasaReply

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

# An intent and its entities, from a button or a command.
Payload = tuple[str, dict[str, Any]]


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


class PayloadReader:
    """Recognise the domain's intents in button payloads and slash commands."""

    def __init__(self, intents: frozenset[str], entities: frozenset[str]) -> None:
        self._intents = intents
        # A payload may carry the domain's entities, except the one the core itself sets.
        self._entities = entities - {"conversation_language"}

    def read(self, text: str) -> Payload | None:
        """Return (intent, entities) for a payload or a command, None for free text."""
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
                            if k in self._entities and isinstance(v, str | int | float)}
            return match.group(1), entities
        command = _COMMAND.match(text)
        if command and command.group(1) in COMMANDS:
            entities = {}
            argument = (command.group(2) or "").strip().lower()
            if command.group(1) == "language" and argument in locales.LANGUAGE_NAMES:
                entities["language"] = argument
            return COMMANDS[command.group(1)], entities
        return None


def rasa_text(text: str, payload: Payload | None, language: str) -> str:
    """Build what Rasa receives: payloads carry the conversation language as an entity."""
    if payload is None:
        # A leading slash would make Rasa read free text as an intent name.
        return text.lstrip("/") or text
    intent, entities = payload
    entities = {**entities, "conversation_language": language}
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"


@dataclass
class Turn:
    """What the assistant answered in one turn, and what it asked the core to do."""

    language: str
    replies: list[OutboundMessage] = field(default_factory=list)
    escalate: str | None = None  # why the assistant hands the conversation to a broker
    erase: bool = False


def read_replies(replies: list[RasaReply], language: str) -> Turn:
    """Turn Rasa's replies into outbound messages; collect instructions sent as custom JSON."""
    turn = Turn(language=language)
    for reply in replies:
        custom = reply.get("custom")
        if isinstance(custom, dict):
            _apply_custom(turn, custom)
        text = reply.get("text")
        buttons = tuple(Button(str(b.get("title", "")), str(b.get("payload", "")))
                        for b in reply.get("buttons") or [] if isinstance(b, dict))
        if text or buttons:
            turn.replies.append(OutboundMessage(str(text or ""), buttons))
    return turn


def _apply_custom(turn: Turn, custom: dict[str, Any]) -> None:
    """Apply one custom JSON instruction of an action to the turn."""
    requested = custom.get("language")
    if requested in locales.LANGUAGE_NAMES and requested != turn.language:
        turn.language = str(requested)
    if custom.get("state") == "waiting":
        turn.escalate = str(custom.get("reason") or "user_request")[:60]
    if custom.get("erase") is True:
        turn.erase = True
    document = documents.from_payload(custom.get("document"))
    if document is not None:
        # A file goes with the message before it (the confirmation).
        if turn.replies:
            turn.replies[-1] = replace(turn.replies[-1], document=document)
        else:
            turn.replies.append(OutboundMessage("", document=document))
    if custom.get("language_choice"):
        # Language buttons are named in each language: the core owns them.
        if turn.replies and not turn.replies[-1].buttons:
            turn.replies[-1] = OutboundMessage(turn.replies[-1].text, language_buttons())
        else:
            turn.replies.append(OutboundMessage(
                locales.text("language_prompt", turn.language), language_buttons()))
