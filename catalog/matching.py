"""Rank services, events and partner organisations for a (possibly partial) case.

Services are filtered and scored by the database in one query, so matching
stays fast on large catalogues (see `./iesmed bench matching`):

- hard filters: active, within validity dates, the need's categories, and the
  eligibility rows for country, legal form and stage (a service with no row
  for a dimension is open to all);
- soft preferences, added into a score: the user's sector, the user's
  language, and how many of the user's own words (as language-neutral stems,
  catalog/search.py) occur in the service's texts in any language;
- the amount: a service whose range (in the same currency) does not cover the
  amount asked for ranks below every one that does, and its reasons say so.

Each proposal carries its reasons as codes; `explain` renders them in the
user's language from the `phrases:` of the language packs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import QueryableAttribute, Session, selectinload

from catalog.brief import RTL, isolate, money_label, value_label
from catalog.event_search import event_hits
from catalog.languages import pack_file
from catalog.models import (
    Case,
    Event,
    Provider,
    Service,
    ServiceTerm,
    ServiceTranslation,
)
from catalog.search import ELIGIBILITY_COLUMNS, stems
from catalog.stopwords import is_stopword
from catalog.vocabulary import FALLBACK_LANGUAGES, LANGUAGES

NEED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "funding": ("funding",),
    "consultancy": ("consultancy", "training"),
    "innovation": ("innovation",),
    "internationalisation": ("internationalisation", "networking"),
    "partners": ("networking",),
    "events": ("training", "networking"),
    "other": (),
}
WEIGHT_SECTOR = 3
WEIGHT_SECTOR_OPEN = 1
WEIGHT_LANGUAGE = 2
WEIGHT_WORD = 2
WEIGHT_PRIMARY_CATEGORY = 1
PENALTY_AMOUNT_OUTSIDE = 1000  # below any sum of preferences: shown after every fitting one
COMMON_TERM_SHARE = 0.10  # a stem in more than this share of services says little
MAX_TERMS = 6  # the rarest of the user's stems are enough to rank, and keep the query cheap


@dataclass(frozen=True)
class Need:
    """What is known about an organisation and its need; every field may be missing."""

    language: str = "en"
    country: str | None = None
    legal_form: str | None = None
    stage: str | None = None
    sector: str | None = None
    need_category: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    words: str = ""
    delivered_in: str | None = None  # narrowing: only services delivered in this language

    @classmethod
    def from_case(cls, case: Case) -> Need:
        """Describe a stored case."""
        return cls(language=case.language, country=case.country, legal_form=case.legal_form,
                   stage=case.stage, sector=case.sector, need_category=case.need_category,
                   amount=case.amount, currency=case.currency,
                   words=" ".join([case.need_description or "", *case.original_words]))


Reason = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Proposal:
    """One service or event proposed to the user, with why it fits."""

    kind: str  # "service" | "event"
    key: str
    title: str
    provider: str
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    summary: str = ""
    text_language: str = ""  # the language of title and summary (may differ from the user's)


@dataclass(frozen=True)
class Matches:
    """A page of proposals and how many fit in all."""

    total: int
    proposals: list[Proposal]


# --- services ---------------------------------------------------------------------------------

def _open_to(column: QueryableAttribute[str | None], value: str) -> ColumnElement[bool]:
    """The service has no restriction on this dimension, or lists ``value``."""
    return or_(column.is_(None), column.contains(f",{value},", autoescape=True))


def _filters(need: Need, today: dt.date) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [
        Service.active.is_(True),
        or_(Service.valid_from.is_(None), Service.valid_from <= today),
        or_(Service.valid_until.is_(None), Service.valid_until >= today),
    ]
    categories = NEED_CATEGORIES.get(need.need_category or "other", ())
    if categories:
        filters.append(Service.category.in_(categories))
    if need.delivered_in:
        filters.append(Service.delivery_languages.contains(f",{need.delivered_in},",
                                                          autoescape=True))
    for column, value in ((Service.eligible_countries, need.country),
                          (Service.eligible_legal_forms, need.legal_form),
                          (Service.eligible_stages, need.stage)):
        if value:
            filters.append(_open_to(column, value))
    return filters


def _amount_outside(need: Need) -> ColumnElement[bool] | None:
    """The service's range, in the need's currency, does not cover the amount asked for."""
    if need.amount is None or need.amount <= 0:
        return None
    return and_(Service.currency == (need.currency or "EUR"),
                or_(Service.amount_min > need.amount, Service.amount_max < need.amount))


def _informative_terms(session: Session, words: str) -> dict[str, str]:
    """The stems of the user's words that are rare enough in the catalogue to mean something."""
    wanted = stems(words)
    if not wanted:
        return {}
    total = session.scalar(select(func.count()).select_from(Service)) or 0
    frequency = dict(session.execute(
        select(ServiceTerm.term, func.count()).where(ServiceTerm.term.in_(list(wanted)))
        .group_by(ServiceTerm.term)).tuples().all())
    limit = max(2.0, total * COMMON_TERM_SHARE)
    useful = sorted((n, stem) for stem, n in frequency.items() if 0 < n <= limit)
    return {stem: wanted[stem] for _, stem in useful[:MAX_TERMS]}


def _base_score(need: Need) -> ColumnElement[Any]:
    """Language, sector and primary-category preferences, computed by the database per row."""
    parts: list[ColumnElement[Any]] = [case(
        (Service.delivery_languages.contains(f",{need.language},", autoescape=True),
         WEIGHT_LANGUAGE), else_=0)]
    if need.sector:
        parts.append(case(
            (Service.eligible_sectors.is_(None), WEIGHT_SECTOR_OPEN),
            (Service.eligible_sectors.contains(f",{need.sector},", autoescape=True),
             WEIGHT_SECTOR), else_=0))
    categories = NEED_CATEGORIES.get(need.need_category or "other", ())
    if len(categories) > 1:
        parts.append(case((Service.category == categories[0], WEIGHT_PRIMARY_CATEGORY),
                          else_=0))
    if (outside := _amount_outside(need)) is not None:
        parts.append(case((outside, -PENALTY_AMOUNT_OUTSIDE), else_=0))
    return sum(parts[1:], parts[0])


def rank_services(session: Session, need: Need, *, limit: int = 3, offset: int = 0,
                  today: dt.date | None = None) -> Matches:
    """Return the services that fit ``need``, best first, one page at a time.

    One count and one ranked page, both computed by the database: the word hits are
    an aggregate over the term index joined to the eligible rows. Fetching every
    eligible row and sorting in Python measured the same p50 but a 4x worse p95 when
    a partial case leaves thousands eligible (docs/DECISIONS.md).
    """
    today = today or dt.date.today()
    connection = session.connection()  # Core rows: no ORM bookkeeping
    filters = _filters(need, today)
    total = connection.execute(
        select(func.count()).select_from(Service).where(*filters)).scalar() or 0
    if not total:
        return Matches(0, [])
    terms = _informative_terms(session, need.words)
    score: ColumnElement[Any] = _base_score(need)
    source: Any = Service.__table__
    if terms:
        hits = (select(ServiceTerm.service_id.label("sid"), func.count().label("hits"))
                .where(ServiceTerm.term.in_(list(terms)))
                .group_by(ServiceTerm.service_id).subquery("hits"))
        source = source.outerjoin(hits, hits.c.sid == Service.id)
        score = score + func.coalesce(hits.c.hits, 0) * WEIGHT_WORD
    ranked = score.label("score")
    page = connection.execute(
        select(Service.id, ranked).select_from(source).where(*filters)
        .order_by(ranked.desc(), Service.id).limit(limit).offset(offset)).tuples().all()
    if not page:
        return Matches(total, [])
    return Matches(total, _describe_services(session, need, terms, page))


def translation_in(rows: Sequence[ServiceTranslation], lang: str) -> ServiceTranslation | None:
    """Return the translation row to show in ``lang``: that language, then the fallbacks."""
    by_lang = {row.lang: row for row in rows}
    for candidate in (lang, *FALLBACK_LANGUAGES, *sorted(by_lang)):
        if candidate in by_lang:
            return by_lang[candidate]
    return None


def title_in(item: Service | Event, lang: str) -> str:
    """A service's or event's title in ``lang`` (by translation_in's fallbacks), else its key."""
    text = translation_in(item.translations, lang)  # type: ignore[arg-type]
    return text.title if text else item.key


def _describe_services(session: Session, need: Need, terms: dict[str, str],
                       page: Sequence[tuple[int, int]]) -> list[Proposal]:
    ids = [row[0] for row in page]
    services = {s.id: s for s in session.scalars(
        select(Service).where(Service.id.in_(ids))
        .options(selectinload(Service.translations)))}
    providers = dict(session.execute(
        select(Provider.id, Provider.name).where(
            Provider.id.in_({s.provider_id for s in services.values()}))).tuples().all())
    matched: dict[int, set[str]] = {}
    if terms:
        for sid, term in session.execute(
                select(ServiceTerm.service_id, ServiceTerm.term).where(
                    ServiceTerm.service_id.in_(ids), ServiceTerm.term.in_(list(terms)))):
            matched.setdefault(sid, set()).add(term)
    proposals = []
    for sid, score in page:
        service = services[sid]
        text = translation_in(service.translations, need.language)
        proposals.append(Proposal(
            kind="service", key=service.key, title=text.title if text else service.key,
            summary=text.summary if text else "", text_language=text.lang if text else "",
            provider=providers.get(service.provider_id, ""), score=float(score),
            reasons=service_reasons(service, need,
                                    [terms[t] for t in sorted(matched.get(sid, ()))])))
    return proposals


def service_reasons(service: Service, need: Need, words: Sequence[str]) -> tuple[Reason, ...]:
    """Why ``service`` fits ``need``, most decisive first, as phrase keys with raw values."""
    rows = {dimension: set((getattr(service, column) or "").strip(",").split(","))
            for dimension, column in ELIGIBILITY_COLUMNS.items()}
    reasons: list[Reason] = []
    for dimension, value, phrase in (("legal_form", need.legal_form, "reason_legal_form"),
                                     ("country", need.country, "reason_country"),
                                     ("stage", need.stage, "reason_stage"),
                                     ("sector", need.sector, "reason_sector")):
        if value and value in rows.get(dimension, ()):
            reasons.append((phrase, {dimension: value}))
    if (outside := amount_reason(service, need)) is not None:
        reasons.insert(0, outside)  # the most decisive: it does not give what was asked
    elif service.amount_max is not None and service.currency:
        amounts = {"max": str(service.amount_max), "currency": service.currency}
        if service.amount_min:
            reasons.append(("reason_amount", {**amounts, "min": str(service.amount_min)}))
        else:
            reasons.append(("reason_amount_up_to", amounts))
    if need.language in (service.languages or []):
        reasons.append(("reason_language", {"language": need.language}))
    meaningful = [w for w in words if not is_stopword(w, need.language)]
    if meaningful:
        reasons.append(("reason_words", {"words": ", ".join(meaningful[:4])}))
    if service.cost == "free":
        reasons.append(("reason_free", {}))
    return tuple(reasons)


def amount_reason(service: Service, need: Need) -> Reason | None:
    """Say that ``service`` offers less, or starts higher, than the amount asked for."""
    if need.amount is None or need.amount <= 0 or not service.currency or \
            service.currency != (need.currency or "EUR"):
        return None
    values = {"asked": str(need.amount), "currency": service.currency}
    if service.amount_max is not None and service.amount_max < need.amount:
        return ("reason_amount_too_small", {**values, "max": str(service.amount_max)})
    if service.amount_min is not None and service.amount_min > need.amount:
        return ("reason_amount_too_large", {**values, "min": str(service.amount_min)})
    return None


# --- events -----------------------------------------------------------------------------------

def rank_events(session: Session, need: Need, *, limit: int = 3, offset: int = 0,
                now: dt.datetime | None = None, search: str = "") -> Matches:
    """Upcoming events open for registration, those closest to the need first.

    With ``search`` (the user's message), the events it names by topic or by name come
    first (catalog/event_search.py).
    """
    now = now or dt.datetime.now(dt.UTC)
    events = session.scalars(
        select(Event).where(Event.active.is_(True), Event.starts_at > now,
                            or_(Event.registration_deadline.is_(None),
                                Event.registration_deadline >= now.date()))
        .order_by(Event.starts_at).limit(500)).all()
    hits = event_hits(session, events, search) if search else {}
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
        return value

    ranked = sorted(events, key=lambda e: (-score(e), e.starts_at, e.id))
    page = ranked[offset:offset + limit]
    providers = dict(session.execute(select(Provider.id, Provider.name).where(
        Provider.id.in_({e.provider_id for e in page if e.provider_id}))).tuples().all())
    proposals = []
    for event in page:
        text = translation_in(event.translations, need.language)  # type: ignore[arg-type]
        reasons: list[Reason] = [_when_reason(event)]
        if need.country and need.country in (event.countries or []):
            reasons.append(("reason_country", {"country": need.country}))
        if need.language in (event.languages or []):
            reasons.append(("reason_language", {"language": need.language}))
        proposals.append(Proposal(
            kind="event", key=event.key, title=text.title if text else event.key,
            summary=text.summary if text else "", text_language=text.lang if text else "",
            provider=providers.get(event.provider_id or 0, ""), score=score(event),
            reasons=tuple(reasons)))
    return Matches(len(ranked), proposals)


# --- partners ---------------------------------------------------------------------------------

def find_partners(session: Session, case: Case, *, limit: int = 3) -> Matches:
    """Organisations that opted in to be found, in the same sector and another country."""
    if case.sector is None:
        return Matches(0, [])
    filters = [Case.discoverable.is_(True), Case.id != case.id,
               Case.conversation_id != case.conversation_id,
               Case.status != "closed", Case.sector == case.sector,
               Case.org_name.is_not(None)]
    if case.country:
        filters.append(Case.country != case.country)
    total = session.scalar(select(func.count()).select_from(Case).where(*filters)) or 0
    found = session.scalars(select(Case).where(*filters)
                            .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)).all()
    proposals = [Proposal(
        kind="partner", key=other.reference, title=other.org_name or other.reference,
        provider="", score=1.0,
        reasons=tuple(r for r in (("reason_sector", {"sector": other.sector or ""}),
                                  ("reason_country", {"country": other.country or ""}))
                      if any(r[1].values())))
        for other in found]
    return Matches(total, proposals)


# --- explanations -----------------------------------------------------------------------------

@cache
def phrases(lang: str) -> dict[str, str]:
    """The `phrases:` of a language pack, English filling any gap."""
    def load(code: str) -> dict[str, str]:
        data = pack_file(code, "terms.yml")
        return {str(k): str(v) for k, v in (data.get("phrases") or {}).items()}
    merged = load("en")
    if lang in LANGUAGES and lang != "en":
        merged.update(load(lang))
    return merged


def event_time(start: dt.datetime, timezone: str, lang: str) -> str:
    """An event's start as its attendees read it: local to the event, in ``lang``."""
    return format_datetime(start.astimezone(ZoneInfo(timezone)), "d MMM y, HH:mm", locale=lang)


def event_when(event: Event, lang: str) -> str:
    """Start time and venue (or "online") of an event, in ``lang``."""
    return explain((_when_reason(event),), lang)


def _when_reason(event: Event) -> Reason:
    return ("event_when", {"start": event.starts_at.isoformat(), "timezone": event.timezone,
                           "place": event.venue or ""})


def _event_when(values: dict[str, str], lang: str) -> str:
    when = event_time(dt.datetime.fromisoformat(values["start"]), values["timezone"], lang)
    place = values.get("place") or phrases(lang).get("event_online", "online")
    return f"{when} · {place}"


def explain(reasons: Sequence[Reason], lang: str) -> str:
    """Render reasons in ``lang``: short fragments joined by middle dots."""
    lang = lang if lang in LANGUAGES else "en"
    texts = phrases(lang)
    parts: list[str] = []
    for key, values in reasons:
        if key == "event_when":
            parts.append(_event_when(values, lang))
            continue
        template = texts.get(key)
        if template is None:
            continue
        filled: dict[str, str] = {}
        for name, value in values.items():
            if name in {"legal_form", "sector", "stage", "country"}:
                filled[name] = value_label(name, value, lang)
            elif name == "language":
                filled[name] = Locale.parse(lang).languages.get(value, value)
            elif name in {"min", "max", "asked"}:
                filled[name] = isolate(money_label(value, values["currency"], lang), lang)
            elif name == "words":
                filled[name] = isolate(value, lang) if lang in RTL else f"“{value}”"
        try:
            parts.append(template.format(**filled))
        except (KeyError, IndexError, ValueError):
            continue
    return " · ".join(parts)
