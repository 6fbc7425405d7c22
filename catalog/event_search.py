"""Find events by what the user names: a topic ("social innovation") or the event itself
("the Thessaloniki camp"), in any of the catalogue's languages.

The user's words and the events' texts (titles, summaries, descriptions in every language,
and the venue) are reduced to the same language-neutral stems as the service search
(catalog/search.py). A stem found in many of the events ("event", "social") says nothing
about which one is meant and is ignored; a stem in an event's title counts twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalog.models import Event, EventTranslation
from catalog.search import stem_of, stems, words_of
from catalog.stopwords import is_stopword

COMMON_SHARE = 0.3  # a stem in more than this share of the events does not single one out
TITLE_WEIGHT = 2
NAMED = 2  # words of the message an event must hold to be the one the message names
TOPIC_WORDS = 6  # words the topic said back to the user may span
# Words of any request about events ("what events are coming up?", "register"): they
# name no event, even when one of the texts happens to contain them.
GENERIC = frozenset(stems(" ".join((
    "event events upcoming coming next month week register registration sign online "
    "webinar webinars workshop workshops training trainings course courses fair fairs "
    "seminar seminars participate participation conference meeting "
    "seminari seminario seminarios séminaire séminaires seminário participar participer "
    "partecipare σεμινάριο σεμινάρια συμμετοχή seminer seminerler semineri katılmak katılım "
    "ندوة ندوات الندوة المشاركة أشارك ملتقى الملتقى",
    "esdeveniment esdeveniments propers proper inscriure inscripció organitzeu tallers "
    "formació formacions cursos fira fires jornada jornades trobada activitats programat",
    "evento eventos próximos próximo inscribirme inscripción organizáis talleres formación "
    "formaciones feria ferias jornadas encuentro actividades programado",
    "événement événements prochains prochain inscrire inscription organisez ateliers "
    "formation formations salon salons journées rencontre activités",
    "eventi prossimi prossimo iscrivermi iscrizione organizzate laboratori formazione "
    "corsi fiera fiere giornate incontro attività programma",
    "eventos próximos inscrever inscrição organizam oficinas formação formações feira "
    "feiras jornadas encontro atividades",
    "εκδήλωση εκδηλώσεις επόμενες επόμενη εγγραφή εγγραφώ σεμινάρια εργαστήρια "
    "εκπαίδευση έκθεση εκθέσεις συνάντηση δραστηριότητες",
    "etkinlik etkinlikler etkinliklere yaklaşan kayıt kaydolmak eğitim eğitimler atölye "
    "fuar fuarlar buluşma",
    "فعالية فعاليات الفعاليات القادمة تسجيل التسجيل ورشة ورشات تكوين تكوينات دورات معرض "
    "معارض لقاء أنشطة",
))))


@lru_cache(maxsize=4096)
def stem_set(text: str) -> frozenset[str]:
    """The stems of an event's text, kept per text: every events question compared them
    for every upcoming event in nine languages (a sixth of the action server's time)."""
    return frozenset(stems(text))


def _stems_of_events(session: Session, events: Sequence[Event]
                     ) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """({event id: stems of its titles and venue}, {event id: stems of its other texts})."""
    titles: dict[int, set[str]] = {e.id: set(stem_set(e.venue or "")) for e in events}
    bodies: dict[int, set[str]] = {e.id: set() for e in events}
    rows = session.execute(select(EventTranslation.event_id, EventTranslation.title,
                                  EventTranslation.summary, EventTranslation.description)
                           .where(EventTranslation.event_id.in_(list(titles))))
    for event_id, title, summary, description in rows:
        titles[event_id].update(stem_set(title))
        bodies[event_id].update(stem_set(f"{summary} {description or ''}"))
    return titles, bodies


def _wanted(text: str) -> set[str]:
    """The stems of the text that may name an event or a topic."""
    return {stem for stem, word in stems(text or "").items()
            if not is_stopword(word) and stem not in GENERIC}


def _found(session: Session, events: Sequence[Event], text: str
           ) -> dict[int, dict[str, bool]]:
    """{event id: {informative stem of the text found in it: whether in its title}}."""
    wanted = _wanted(text)
    if not wanted or not events:
        return {}
    return _found_in(wanted, events, *_stems_of_events(session, events))


def _found_in(wanted: set[str], events: Sequence[Event], titles: dict[int, set[str]],
              bodies: dict[int, set[str]]) -> dict[int, dict[str, bool]]:
    limit = max(1.0, len(events) * COMMON_SHARE)
    found: dict[int, dict[str, bool]] = {}
    for stem in wanted:
        having = [eid for eid in titles if stem in titles[eid] or stem in bodies[eid]]
        if having and len(having) <= limit:
            for eid in having:
                found.setdefault(eid, {})[stem] = stem in titles[eid]
    return found


def searched_topic(session: Session, events: Sequence[Event], text: str) -> str:
    """The user's own words the events were found by ("التمويل الأصغر", "innovacio social").

    The words of the best-found event, from the first to the last of them, and a word of
    the catalogue on either side ("social" is in too many events to find any, but it is part
    of "social innovation"). Empty when the text finds no event.
    """
    wanted = _wanted(text)
    if not wanted or not events:
        return ""
    titles, bodies = _stems_of_events(session, events)
    found = _found_in(wanted, events, titles, bodies)
    if not found:
        return ""
    best = max(found.values(), key=lambda hit: (sum(2 if t else 1 for t in hit.values()),
                                                len(hit)))
    vocabulary = set().union(*titles.values(), *bodies.values())
    words = [(match, stem_of(match.group())) for match in words_of(text)]
    core = [i for i, (_match, stem) in enumerate(words) if stem in best]
    first, last = core[0], core[-1]
    if last - first > TOPIC_WORDS:
        last = first
    if first > 0 and _in_catalogue(words[first - 1], vocabulary):
        first -= 1
    if last + 1 < len(words) and _in_catalogue(words[last + 1], vocabulary):
        last += 1
    return text[words[first][0].start():words[last][0].end()]


def _in_catalogue(word: tuple[re.Match[str], str | None], vocabulary: set[str]) -> bool:
    match, stem = word
    return stem is not None and stem in vocabulary and stem not in GENERIC \
        and not is_stopword(match.group())


def event_hits(session: Session, events: Sequence[Event], text: str) -> dict[int, int]:
    """{event id: weight of the user's informative words found in it}, only events with hits."""
    return {eid: sum(TITLE_WEIGHT if in_title else 1 for in_title in stems_.values())
            for eid, stems_ in _found(session, events, text).items()}


def named_event(session: Session, events: Sequence[Event], text: str) -> Event | None:
    """The one event the text names: two of its words or more, one of them in its title
    or venue ("the Thessaloniki camp"), and more of them than in any other event."""
    found = _found(session, events, text)
    ranked = sorted(((len(f), any(f.values()), eid) for eid, f in found.items()), reverse=True)
    if not ranked or ranked[0][0] < NAMED or not ranked[0][1] \
            or (len(ranked) > 1 and ranked[1][0] >= ranked[0][0]):
        return None
    return next(e for e in events if e.id == ranked[0][2])


TITLE_SHARE = 2 / 3  # of a title's words a message must hold to name the event by its title


def titled_event(session: Session, events: Sequence[Event], text: str) -> Event | None:
    """The one event whose title, in one of its languages, the text says: two of the
    title's words or more, and most of them ("Campamento de Innovación Social" names the
    "Campamento de Innovación Social de Salónica"). Stricter than ``named_event``, which
    a message about fairs, products and cooperatives can satisfy by chance."""
    said = set(stems(text or ""))
    if len(said) < 2 or not events:
        return None
    ids = {e.id for e in events}
    rows = session.execute(select(EventTranslation.event_id, EventTranslation.title)
                           .where(EventTranslation.event_id.in_(list(ids))))
    named: set[int] = set()
    for event_id, title in rows:
        words = stem_set(title or "")
        hits = len(words & said)
        if hits >= 2 and hits >= TITLE_SHARE * len(words):
            named.add(event_id)
    if len(named) != 1:
        return None
    return next(e for e in events if e.id in named)


def upcoming(session: Session, now: dt.datetime | None = None) -> list[Event]:
    """Active events not started yet whose registration is still open, soonest first."""
    now = now or dt.datetime.now(dt.UTC)
    return list(session.scalars(
        select(Event).where(Event.active.is_(True), Event.starts_at > now,
                            or_(Event.registration_deadline.is_(None),
                                Event.registration_deadline >= now.date()))
        .order_by(Event.starts_at).limit(500)))
