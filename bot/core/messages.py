"""Inbound and outbound message types shared by every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypedDict

ConversationState = Literal["bot", "waiting", "human"]


class ButtonDict(TypedDict):
    """A button as it travels over the chat API."""

    title: str
    payload: str


class DocumentDict(TypedDict):
    """A file offered with a message, as the chat API shows it: where to download it."""

    url: str
    filename: str


class ReplyDict(TypedDict, total=False):
    """One bot message as it travels over the chat API (``document`` only when there is one)."""

    text: str
    buttons: list[ButtonDict]
    document: DocumentDict


@dataclass(frozen=True)
class Button:
    """A choice offered to the user; ``payload`` is sent back when pressed."""

    title: str
    payload: str


@dataclass(frozen=True)
class Document:
    """A file that goes with a message: a registration's calendar file, named by its token."""

    token: str
    filename: str

    @property
    def url(self) -> str:
        """Return where the bot serves the file (relative to the bot's own address)."""
        return f"/api/registrations/{self.token}.ics"

    def as_dict(self) -> DocumentDict:
        """Return the chat API form of this document."""
        return {"url": self.url, "filename": self.filename}


@dataclass(frozen=True)
class OutboundMessage:
    """One message from the assistant (or a broker) to the user."""

    text: str
    buttons: tuple[Button, ...] = ()
    document: Document | None = None

    def as_dict(self) -> ReplyDict:
        """Return the chat API form of this message."""
        reply: ReplyDict = {"text": self.text, "buttons": [
            {"title": b.title, "payload": b.payload} for b in self.buttons]}
        if self.document is not None:
            reply["document"] = self.document.as_dict()
        return reply


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
