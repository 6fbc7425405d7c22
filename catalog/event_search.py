"""Find events by what the user names: a topic ("social innovation") or the event itself
("the Thessaloniki camp"), in any of the catalogue's languages.

The user's words and the events' texts (titles, summaries, descriptions in every language,
and the venue) are reduced to the same language-neutral stems as the service search
(catalog/search.py). A stem found in many of the events ("event", "social") says nothing
about which one is meant and is ignored; a stem in an event's title counts twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalog.models import Event, EventTranslation
from catalog.search import stems
from catalog.stopwords import is_stopword

COMMON_SHARE = 0.3  # a stem in more than this share of the events does not single one out
TITLE_WEIGHT = 2


def event_hits(session: Session, events: Sequence[Event], text: str) -> dict[int, int]:
    """{event id: weight of the user's informative words found in it}, only events with hits."""
    wanted = {stem for stem, word in stems(text or "").items() if not is_stopword(word)}
    if not wanted or not events:
        return {}
    titles: dict[int, set[str]] = {e.id: set(stems(e.venue or "")) for e in events}
    bodies: dict[int, set[str]] = {e.id: set() for e in events}
    rows = session.execute(select(EventTranslation.event_id, EventTranslation.title,
                                  EventTranslation.summary, EventTranslation.description)
                           .where(EventTranslation.event_id.in_(list(titles))))
    for event_id, title, summary, description in rows:
        titles[event_id].update(stems(title))
        bodies[event_id].update(stems(f"{summary} {description or ''}"))
    limit = max(1.0, len(events) * COMMON_SHARE)
    hits: dict[int, int] = {}
    for stem in wanted:
        having = [eid for eid in titles if stem in titles[eid] or stem in bodies[eid]]
        if not having or len(having) > limit:
            continue
        for eid in having:
            hits[eid] = hits.get(eid, 0) + (TITLE_WEIGHT if stem in titles[eid] else 1)
    return hits


def named_event(session: Session, events: Sequence[Event], text: str) -> Event | None:
    """The one event the text names, when one stands out from all the others."""
    hits = event_hits(session, events, text)
    ranked = sorted(hits.items(), key=lambda item: -item[1])
    if not ranked or (len(ranked) > 1 and ranked[1][1] >= ranked[0][1]):
        return None
    return next(e for e in events if e.id == ranked[0][0])


def upcoming(session: Session, now: dt.datetime | None = None) -> list[Event]:
    """Active events not started yet whose registration is still open, soonest first."""
    now = now or dt.datetime.now(dt.UTC)
    return list(session.scalars(
        select(Event).where(Event.active.is_(True), Event.starts_at > now,
                            or_(Event.registration_deadline.is_(None),
                                Event.registration_deadline >= now.date()))
        .order_by(Event.starts_at).limit(500)))
