"""Queries and export of cases for brokers: filters, CSV/JSON, a readable brief."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.brief import summary
from catalog.consents import granted_consent_id
from catalog.errors import CatalogError
from catalog.models import Case, CaseEvent, CaseService, Conversation, Service
from catalog.spreadsheet import SafeWriter

logger = logging.getLogger(__name__)

EXPORT_FIELDS = ("reference", "status", "created_at", "language", "channel", "org_name",
                 "legal_form", "country", "destinations", "city", "sector", "members", "stage",
                 "website", "need_category", "need_description", "amount", "currency", "timeline",
                 "contact_name", "email", "phone")

# The answers of the intake a case keeps as they are (the amount is a Decimal of its own).
ANSWER_FIELDS = ("org_name", "legal_form", "country", "city", "sector", "members", "stage",
                 "website", "need_category", "need_description", "currency", "timeline",
                 "contact_name", "email", "phone")


# Crockford's base 32: digits and capitals without I, L, O and U, so that a reference read
# aloud or copied by hand cannot be mistaken for another.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_ATTEMPTS = 5


class ReferenceExhausted(CatalogError):
    """Every reference drawn for a new case was already taken."""


def new_reference() -> str:
    """Draw a case reference: ``IM-`` and two groups of four characters (40 random bits)."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"IM-{body[:4]}-{body[4:]}"


def save_new_case(open_session: Callable[[], AbstractContextManager[Session]],
                  build: Callable[[Session, str], Case], *,
                  attempts: int = REFERENCE_ATTEMPTS,
                  draw: Callable[[], str] | None = None) -> str:
    """Save a case under a fresh reference, drawing another if that one is taken.

    Each attempt is its own transaction: ``build`` makes the case (with its history) in
    the session it is given, for the reference drawn.

    Args:
        open_session: returns a context manager holding a new session.
        build: makes the case to add, given the session and the reference.
        attempts: references to draw before giving up.
        draw: the reference generator (`new_reference` by default).

    Returns:
        The reference the case was saved under.

    Raises:
        ReferenceExhausted: every reference drawn was taken.
        IntegrityError: the database refused the case for another reason.
    """
    for attempt in range(1, attempts + 1):
        reference = (draw or new_reference)()
        try:
            with open_session() as session, session.begin():
                session.add(build(session, reference))
            return reference
        except IntegrityError:
            if not _reference_taken(open_session, reference):
                raise
            logger.warning("case reference already taken (attempt %d of %d), drawing another",
                           attempt, attempts)
    raise ReferenceExhausted(f"no free case reference after {attempts} attempts")


def channel_phone(session: Session, conversation_id: str) -> str | None:
    """The phone number a WhatsApp conversation writes from (E.164), else None."""
    conversation = session.get(Conversation, conversation_id)
    user_id = (conversation.channel_user_id or "") if conversation else ""
    if conversation is None or conversation.channel != "whatsapp" or not user_id.isdigit():
        return None
    return f"+{user_id}"


def new_chat_case(session: Session, *, reference: str, conversation_id: str, channel: str,
                  language: str, answers: Mapping[str, Any], amount: Decimal | None,
                  original_words: Sequence[str], discoverable: bool, note: str,
                  destinations: Sequence[str] = ()) -> Case:
    """Make a new case from a conversation's answers, with its consent and first history step.

    Args:
        session: the session of the transaction the case is added in (see `save_new_case`).
        reference: the reference drawn for it.
        conversation_id: the conversation it comes from.
        channel: the channel the user wrote on.
        language: the user's language.
        answers: the values of `ANSWER_FIELDS` (missing ones are None).
        amount: the amount asked for, if any.
        original_words: the user's own messages, kept for the broker.
        discoverable: whether other organisations looking for partners may see it.
        note: the first history note.
        destinations: the countries it wants to go to (ISO codes), apart from its home.

    Returns:
        The case, not yet added to the session.
    """
    conversation = session.get(Conversation, conversation_id)
    user_id = conversation.channel_user_id if conversation else None
    values = {field: answers.get(field) for field in ANSWER_FIELDS}
    if channel == "whatsapp" and values["phone"] in (None, "", "skipped"):
        values["phone"] = channel_phone(session, conversation_id)  # not asked: they write from it
    case = Case(
        reference=reference, conversation_id=conversation_id, status="new", channel=channel,
        channel_user_id=user_id,
        language=language, consent_id=granted_consent_id(session, conversation_id),
        original_words=list(original_words),
        **values,
        amount=amount, discoverable=discoverable, destinations=list(destinations),
    )
    case.history.append(CaseEvent(status="new", note=note))
    return case


def _reference_taken(open_session: Callable[[], AbstractContextManager[Session]],
                     reference: str) -> bool:
    """Return whether a case already holds ``reference``."""
    with open_session() as session:
        return session.scalar(select(Case.id).where(Case.reference == reference)) is not None


def own_case(session: Session, conversation_id: str, reference: str) -> Case | None:
    """Return the case ``reference`` if it belongs to the conversation (never another's)."""
    return session.scalar(select(Case).where(Case.reference == reference,
                                             Case.conversation_id == conversation_id))


def cases_of(session: Session, conversation_id: str, *, newest_first: bool = False,
             limit: int | None = None) -> list[Case]:
    """Return the conversation's saved cases, oldest first (or the newest ``limit`` first)."""
    order = Case.id.desc() if newest_first else Case.id
    return list(session.scalars(select(Case).where(Case.conversation_id == conversation_id)
                                .order_by(order).limit(limit)))


def choose_service(session: Session, case: Case, service: Service) -> bool:
    """Record the service a user chose on their case (status matched); False if already there."""
    if session.get(CaseService, (case.id, service.id)) is not None:
        return False
    session.add(CaseService(case_id=case.id, service_id=service.id))
    case.status = "matched"
    case.history.append(CaseEvent(status="matched", note=f"user chose service {service.key}"))
    return True


def find_cases(session: Session, *, status: str | None = None,
               since: dt.date | None = None, until: dt.date | None = None,
               country: str | None = None, need: str | None = None,
               language: str | None = None) -> list[Case]:
    """Return cases matching every given filter, oldest first."""
    query = select(Case).order_by(Case.created_at, Case.id)
    if status:
        query = query.where(Case.status == status)
    if since:
        query = query.where(Case.created_at >= dt.datetime.combine(since, dt.time(),
                                                                    tzinfo=dt.UTC))
    if until:
        query = query.where(Case.created_at < dt.datetime.combine(
            until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC))
    if country:
        query = query.where(Case.country == country.upper())
    if need:
        query = query.where(Case.need_category == need)
    if language:
        query = query.where(Case.language == language)
    return list(session.scalars(query))


def as_record(case: Case) -> dict[str, Any]:
    """Return a case as language-neutral structured data (codes, ISO dates)."""
    record: dict[str, Any] = {}
    for field in EXPORT_FIELDS:
        value = getattr(case, field)
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif field == "destinations":
            value = list(value or [])
        record[field] = value
    record["original_words"] = list(case.original_words or [])
    return record


def export(cases: list[Case], fmt: str) -> str:
    """Serialise cases as CSV or JSON text."""
    records = [as_record(case) for case in cases]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    header = [*EXPORT_FIELDS, "original_words"]
    writer = SafeWriter(buffer)
    writer.writerow(header)
    for record in records:
        row = {**record, "original_words": " | ".join(record["original_words"]),
               "destinations": " ".join(record["destinations"])}
        writer.writerow(row[name] for name in header)
    return buffer.getvalue()


def brief(case: Case, lang: str) -> dict[str, Any]:
    """Return the broker's brief: structured codes, a summary in ``lang``, the user's words."""
    values = {field: getattr(case, field) for field in EXPORT_FIELDS}
    return {"structured": as_record(case), "summary": summary(values, lang),
            "summary_language": lang, "original_words": list(case.original_words or [])}
