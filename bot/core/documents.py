"""Files sent with messages (a calendar file): checked on the way in, read on the way out."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Document
from catalog.calendar import CalendarFile, calendar_for_token

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,90}\.ics$")


def from_payload(data: object) -> Document | None:
    """Return the document an action or the outbox describes, or None if it is not one we send."""
    if not isinstance(data, dict) or data.get("kind") != "calendar":
        return None
    token, filename = str(data.get("token") or ""), str(data.get("filename") or "")
    if not TOKEN.fullmatch(token):
        return None
    return Document(token, filename if FILENAME.fullmatch(filename) else "event.ics")


def to_payload(document: Document | None) -> dict[str, str] | None:
    """Return how the outbox stores a message's file (the inverse of `from_payload`)."""
    if document is None:
        return None
    return {"kind": "calendar", "token": document.token, "filename": document.filename}


def load(sessions: sessionmaker[Session], document: Document) -> CalendarFile | None:
    """Return the file's current content, or None if its registration is gone or waiting."""
    with sessions() as session:
        return calendar_for_token(session, document.token)
