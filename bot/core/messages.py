"""Inbound and outbound message types shared by every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypedDict

ConversationState = Literal["bot", "waiting", "human"]


class ButtonDict(TypedDict):
    """A button as it travels over the chat API."""

    title: str
    payload: str


class ReplyDict(TypedDict):
    """One bot message as it travels over the chat API."""

    text: str
    buttons: list[ButtonDict]


@dataclass(frozen=True)
class Button:
    """A choice offered to the user; ``payload`` is sent back when pressed."""

    title: str
    payload: str


@dataclass(frozen=True)
class OutboundMessage:
    """One message from the assistant (or a broker) to the user."""

    text: str
    buttons: tuple[Button, ...] = ()

    def as_dict(self) -> ReplyDict:
        """Return the chat API form of this message."""
        return {"text": self.text,
                "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons]}


@dataclass(frozen=True)
class InboundMessage:
    """One message from a user, already stripped of channel specifics."""

    conversation_id: str
    text: str
    channel: str = "web"
    language_hint: str | None = None


@dataclass
class TurnResult:
    """What one user message produced."""

    conversation_id: str
    language: str
    state: ConversationState
    replies: list[OutboundMessage] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Return the chat API form of this turn."""
        return {
            "conversation_id": self.conversation_id,
            "language": self.language,
            "state": self.state,
            "replies": [reply.as_dict() for reply in self.replies],
        }
