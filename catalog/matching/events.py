"""Rank upcoming events open for registration: those the message names, then the closest."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalog import destinations
from catalog.event_search import event_hits, searched_topic
from catalog.matching.explain import when_reason
from catalog.matching.need import NEED_CATEGORIES, Matches, Need, Proposal, Reason
from catalog.models import Event, Provider
from catalog.translations import translation_in


def rank_events(session: Session, need: Need, *, limit: int = 3, offset: int = 0,
                now: dt.datetime | None = None, search: str = "") -> Matches:
    """Upcoming events open for registration, those closest to the need first.

    With ``search`` (the user's message), only the events it names by topic or by name,
    when it names any (catalog/event_search.py); the words they were found by are the
    matches' ``topic``.
    """
    now = now or dt.datetime.now(dt.UTC)
    events = session.scalars(
        select(Event).where(Event.active.is_(True), Event.starts_at > now,
                            or_(Event.registration_deadline.is_(None),
                                Event.registration_deadline >= now.date()))
        .order_by(Event.starts_at).limit(500)).all()
    hits = event_hits(session, events, search) if search else {}
    topic = searched_topic(session, events, search) if hits else ""
    if hits:
        events = [event for event in events if event.id in hits]
    topics = set(NEED_CATEGORIES.get(need.need_category or "other", ()))
    if need.need_category in {"funding", "consultancy", "innovation", "internationalisation"}:
        topics.add(need.need_category)

    def score(event: Event) -> int:
        value = 4 * hits.get(event.id, 0)
        if topics & set(event.topics or []):
            value += 3
        if need.country and need.country in (event.countries or []):
            value += 2
        elif not event.countries:
            value += 1
        if need.language in (event.languages or []):
            value += 2
        return value + destinations.event_score(event.countries, need.destinations)

    ranked = sorted(events, key=lambda e: (-score(e), e.starts_at, e.id))
    page = ranked[offset:offset + limit]
    providers = dict(session.execute(select(Provider.id, Provider.name).where(
        Provider.id.in_({e.provider_id for e in page if e.provider_id}))).tuples().all())
    proposals = []
    for event in page:
        text = translation_in(event.translations, need.language)  # type: ignore[arg-type]
        reasons: list[Reason] = [when_reason(event)]
        if (there := destinations.reason(event.countries, need.destinations)) is not None:
            reasons.append(there)
        if need.country and need.country in (event.countries or []):
            reasons.append(("reason_country", {"country": need.country}))
        if need.language in (event.languages or []):
            reasons.append(("reason_language", {"language": need.language}))
        proposals.append(Proposal(
            kind="event", key=event.key, title=text.title if text else event.key,
            summary=text.summary if text else "", text_language=text.lang if text else "",
            provider=providers.get(event.provider_id or 0, ""), score=score(event),
            reasons=tuple(reasons)))
    return Matches(len(ranked), proposals, topic)
