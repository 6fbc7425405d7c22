"""Consent answers: each one recorded with the exact text the user was shown."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Consent, Conversation


def latest_consent(session: Session, conversation_id: str, *,
                   granted_only: bool = False) -> Consent | None:
    """Return the conversation's latest consent answer (the latest "yes" with ``granted_only``)."""
    query = select(Consent).where(Consent.conversation_id == conversation_id)
    if granted_only:
        query = query.where(Consent.granted.is_(True))
    return session.scalar(query.order_by(Consent.id.desc()).limit(1))


def granted_consent_id(session: Session, conversation_id: str) -> int | None:
    """Return the id of the conversation's latest granted consent, if any."""
    consent = latest_consent(session, conversation_id, granted_only=True)
    return consent.id if consent is not None else None


def record_consent(session: Session, conversation_id: str, *, granted: bool, text_shown: str,
                   language: str, skip_repeat: bool = False) -> Consent | None:
    """Record an answer to a consent question; nothing for an unknown conversation.

    Args:
        session: the session of the caller's transaction.
        conversation_id: the conversation that answered.
        granted: whether the user agreed.
        text_shown: the question exactly as the user read it.
        language: the language it was shown in.
        skip_repeat: record nothing when the latest answer is this same one (a form that
            checks its slot again must not make one answer two records).

    Returns:
        The new record, or None when nothing was recorded.
    """
    if skip_repeat:
        latest = latest_consent(session, conversation_id)
        if latest is not None and (latest.granted, latest.text_shown, latest.language) == (
                granted, text_shown, language):
            return None
    if session.get(Conversation, conversation_id) is None:
        return None
    consent = Consent(conversation_id=conversation_id, granted=granted, text_shown=text_shown,
                      language=language)
    session.add(consent)
    return consent
