"""Read-only questions the assistant asks of the catalogue."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from catalog.models import Event, Provider, Service


class CatalogueCounts(TypedDict):
    """How much the catalogue offers right now."""

    service_count: int
    provider_count: int
    event_count: int


def catalogue_counts(session: Session, *, now: dt.datetime | None = None) -> CatalogueCounts:
    """Count services valid today, providers offering them and events open for registration."""
    now = now or dt.datetime.now(dt.UTC)
    today = now.date()
    current = (
        select(Service.id, Service.provider_id)
        .where(Service.active.is_(True))
        .where(or_(Service.valid_from.is_(None), Service.valid_from <= today))
        .where(or_(Service.valid_until.is_(None), Service.valid_until >= today))
        .subquery()
    )
    services = session.scalar(select(func.count()).select_from(current)) or 0
    providers = session.scalar(
        select(func.count(func.distinct(Provider.id))).join(
            current, current.c.provider_id == Provider.id
        )
    ) or 0
    # The events the events list offers: upcoming and still taking registrations.
    events = session.scalar(
        select(func.count(Event.id)).where(
            Event.active.is_(True), Event.starts_at > now,
            or_(Event.registration_deadline.is_(None), Event.registration_deadline >= today))
    ) or 0
    return {"service_count": services, "provider_count": providers, "event_count": events}


def event_by_key(session: Session, key: object) -> Event | None:
    """Return the event with ``key`` (as a button or an entity gives it), if any."""
    return session.scalar(select(Event).where(Event.key == str(key or "")[:80]))


def service_by_key(session: Session, key: object) -> Service | None:
    """Return the service with ``key``, if any."""
    return session.scalar(select(Service).where(Service.key == str(key or "")))
