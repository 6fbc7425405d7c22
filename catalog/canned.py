"""Canned replies: ready-made broker answers, one row per (key, language).

Defaults come from a data file the bot owns and are loaded only into an empty
table, so an administrator's deletions are not undone at the next start.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.errors import CatalogError
from catalog.models import CannedReply
from catalog.vocabulary import LANGUAGES

MAX_KEY, MAX_TITLE = 60, 120


class CannedReplyError(CatalogError):
    """A canned reply cannot be saved as given."""


def replies(session: Session, lang: str | None = None) -> list[CannedReply]:
    """Return canned replies (of one language, if given), by language then title."""
    query = select(CannedReply).order_by(CannedReply.lang, CannedReply.title, CannedReply.id)
    if lang is not None:
        query = query.where(CannedReply.lang == lang)
    return list(session.scalars(query))


def add_reply(session: Session, *, key: str, lang: str, title: str, text: str) -> CannedReply:
    """Add a canned reply.

    Raises:
        CannedReplyError: unknown language, an empty field, or the key already
            exists in that language.
    """
    key, title, text = key.strip(), title.strip(), text.strip()
    if lang not in LANGUAGES:
        raise CannedReplyError(f"unknown language {lang!r}")
    if not key or not title or not text or len(key) > MAX_KEY or len(title) > MAX_TITLE:
        raise CannedReplyError("key, title and text are required (key ≤ 60, title ≤ 120)")
    if session.scalar(select(CannedReply.id).where(CannedReply.key == key,
                                                   CannedReply.lang == lang)) is not None:
        raise CannedReplyError(f"{key!r} already exists in {lang}")
    reply = CannedReply(key=key, lang=lang, title=title, text=text)
    session.add(reply)
    session.flush()
    return reply


def delete_reply(session: Session, reply_id: int) -> bool:
    """Delete a canned reply; return False if it did not exist."""
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        return False
    session.delete(reply)
    return True


def seed_replies(session: Session, defaults: Mapping[str, Mapping[str, Mapping[str, str]]]
                 ) -> int:
    """Load ``{key: {lang: {title, text}}}`` into an empty table; return how many were added."""
    if session.scalar(select(func.count()).select_from(CannedReply)):
        return 0
    added = 0
    for key, by_lang in defaults.items():
        for lang, entry in by_lang.items():
            if session.scalar(select(CannedReply.id).where(
                    CannedReply.key == key, CannedReply.lang == lang)) is not None:
                continue  # a replica starting at the same time seeded it meanwhile
            add_reply(session, key=key, lang=lang, title=entry["title"], text=entry["text"])
            added += 1
    return added
