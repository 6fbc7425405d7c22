"""Registrations as a conversation makes them: the contact it gave, consent, one per person.

The seat decisions themselves are catalog.registrations'; this module adds what a chat
needs around them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog import registrations
from catalog.cases import cases_of
from catalog.consents import granted_consent_id
from catalog.models import EventRegistration

logger = logging.getLogger(__name__)

_ALREADY: dict[str, registrations.Result] = {registrations.CONFIRMED: "already_confirmed",
                                             registrations.WAITLISTED: "already_waitlisted"}


def known_contact(session: Session, conversation_id: str) -> dict[str, str]:
    """Name and e-mail the conversation gave: its latest case, else its latest registration."""
    latest = cases_of(session, conversation_id, newest_first=True, limit=1)
    if latest and latest[0].contact_name and latest[0].email:
        return {"contact_name": latest[0].contact_name, "email": latest[0].email}
    earlier = session.scalar(select(EventRegistration)
                             .where(EventRegistration.conversation_id == conversation_id)
                             .order_by(EventRegistration.id.desc()).limit(1))
    if earlier is not None:
        return {"contact_name": earlier.name, "email": earlier.email}
    return {}


def confirmed_registrations(session: Session, conversation_id: str) -> list[EventRegistration]:
    """Return the conversation's registrations that hold a seat, oldest first."""
    return list(session.scalars(
        select(EventRegistration)
        .where(EventRegistration.conversation_id == conversation_id,
               EventRegistration.status == registrations.CONFIRMED)
        .order_by(EventRegistration.id)))


def register_once(open_session: Callable[[], AbstractContextManager[Session]], *,
                  conversation_id: str, event_id: int, name: str, email: str,
                  language: str) -> registrations.Outcome:
    """Register with the conversation's latest consent, in one transaction.

    A registration made at the same moment by another process for the same person and
    event (the database's unique key refuses the second) reads as "already registered".

    Args:
        open_session: returns a context manager holding a new session.
        conversation_id: who registers.
        event_id: for which event.
        name: the attendee's name (cut to 200 characters).
        email: the attendee's address (cut to 254 characters).
        language: the language the attendee is told things in.

    Returns:
        The outcome of the attempt.

    Raises:
        IntegrityError: the database refused it for another reason.
    """
    try:
        with open_session() as session, session.begin():
            return registrations.register(
                session, event_id=event_id, conversation_id=conversation_id, name=name[:200],
                email=email[:254], language=language,
                consent_id=granted_consent_id(session, conversation_id))
    except IntegrityError:
        logger.info("registration for event %s: a concurrent duplicate was refused", event_id)
        with open_session() as session:
            existing = registrations.find(session, event_id, conversation_id)
            if existing is None or existing.status not in registrations.ACTIVE:
                raise
            return registrations.Outcome(
                _ALREADY[existing.status], existing.id,
                registrations.position(session, existing), existing.calendar_token)
