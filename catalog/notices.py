"""Messages the product sends on its own, in the recipient's language, through the outbox.

A reply to the user who wrote comes from the Rasa domain. A message for someone else
(a seat offered from the waiting list, a reminder, an event cancelled, an introduction)
is rendered here from that person's language pack and queued in the outbox in the same
transaction as what caused it, so it is sent once the transaction commits, or never.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from catalog.languages import pack_file
from catalog.models import Conversation, ConversationMessage
from catalog.outbox import enqueue
from catalog.vocabulary import LANGUAGES


def _responses(lang: str) -> dict[str, list[dict[str, Any]]]:
    return dict(pack_file(lang, "responses.yml").get("responses") or {})


def render(name: str, lang: str | None, **values: object) -> tuple[str, list[dict[str, str]]]:
    """Return the first variation of response ``name`` in ``lang`` (English if missing)."""
    lang = lang if lang in LANGUAGES else "en"
    variations = _responses(lang).get(name) or _responses("en")[name]
    first = variations[0]
    buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
               for b in first.get("buttons") or []]
    return str(first["text"]).format(**values), buttons


def language_of(session: Session, conversation_id: str, fallback: str | None = None) -> str:
    """Return the language the conversation uses now (it may have changed since)."""
    conversation = session.get(Conversation, conversation_id)
    lang = (conversation.language if conversation else None) or fallback
    return lang if lang in LANGUAGES else "en"


def tell(session: Session, conversation_id: str, response: str, lang: str, *, kind: str,
         document: dict[str, str] | None = None, **values: object) -> ConversationMessage:
    """Queue response ``response`` in ``lang`` for a conversation, with its buttons."""
    text, buttons = render(response, lang, **values)
    return enqueue(session, conversation_id=conversation_id, text=text, kind=kind,
                   language=lang, buttons=buttons, document=document)
