"""Load a catalogue file (YAML) into the database: validated, all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import SeedFileError
from catalog.models import (
    Event,
    EventTranslation,
    Provider,
    ProviderTranslation,
    Service,
    ServiceEligibility,
    ServiceTranslation,
)
from catalog.search import index_services
from catalog.vocabulary import (
    CATEGORIES,
    COSTS,
    LANGUAGES,
    LEGAL_FORMS,
    PROVIDER_KINDS,
    SECTORS,
    STAGES,
)

logger = logging.getLogger(__name__)

SEED_FILE = Path(__file__).with_name("seed") / "catalogue.yml"
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class _Checker:
    """Collect every problem of a file so the user can fix them all at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def need(self, ok: bool, where: str, message: str) -> bool:
        if not ok:
            self.problems.append(f"{where}: {message}")
        return ok


def load_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read and validate a catalogue YAML file.

    Raises:
        SeedFileError: the file is unreadable or invalid; the message lists every problem.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SeedFileError(f"{path}: cannot read catalogue: {exc}") from exc
    if not isinstance(data, Mapping):
        raise SeedFileError(f"{path}: expected a mapping with providers, services, events")
    checker = _Checker()
    catalogue = {name: list(data.get(name) or []) for name in ("providers", "services", "events")}
    _validate(catalogue, checker)
    if checker.problems:
        raise SeedFileError("\n".join([f"{path}: {len(checker.problems)} problem(s)"]
                                      + checker.problems))
    return catalogue


def _check_list(c: _Checker, where: str, values: Any, allowed: frozenset[str] | None,
                pattern: re.Pattern[str] | None = None) -> None:
    if not c.need(isinstance(values, list), where, "must be a list"):
        return
    for value in values:
        if allowed is not None:
            c.need(value in allowed, where, f"unknown value {value!r}")
        if pattern is not None:
            c.need(isinstance(value, str) and bool(pattern.match(value)), where,
                   f"bad code {value!r}")


def _check_text(c: _Checker, where: str, text: Any, fields: tuple[str, ...]) -> None:
    if not c.need(isinstance(text, Mapping) and bool(text), where, "text needs a language"):
        return
    for lang, body in text.items():
        c.need(lang in LANGUAGES, f"{where}.text", f"unsupported language {lang!r}")
        for field in fields:
            c.need(isinstance(body, Mapping) and bool(body.get(field)),
                   f"{where}.text.{lang}", f"missing {field}")


def _validate(catalogue: dict[str, list[dict[str, Any]]], c: _Checker) -> None:
    provider_keys: set[str] = set()
    for i, p in enumerate(catalogue["providers"], 1):
        where = f"providers[{i}] {p.get('key', '?')}"
        c.need(bool(_KEY.match(str(p.get("key", "")))), where, "key must be a lower-case slug")
        c.need(p.get("key") not in provider_keys, where, "duplicate key")
        provider_keys.add(p.get("key", ""))
        c.need(bool(p.get("name")), where, "missing name")
        c.need(p.get("kind") in PROVIDER_KINDS, where, f"unknown kind {p.get('kind')!r}")
        c.need(bool(_COUNTRY.match(str(p.get("country", "")))), where, "country: ISO code")
        if "text" in p:
            _check_text(c, where, p["text"], ("summary",))
    service_keys: set[str] = set()
    for i, s in enumerate(catalogue["services"], 1):
        where = f"services[{i}] {s.get('key', '?')}"
        c.need(bool(_KEY.match(str(s.get("key", "")))), where, "key must be a lower-case slug")
        c.need(s.get("key") not in service_keys, where, "duplicate key")
        service_keys.add(s.get("key", ""))
        c.need(s.get("provider") in provider_keys, where, f"unknown provider {s.get('provider')!r}")
        c.need(s.get("category") in CATEGORIES, where, f"unknown category {s.get('category')!r}")
        c.need(bool(s.get("kind")), where, "missing kind")
        c.need(s.get("cost", "free") in COSTS, where, f"unknown cost {s.get('cost')!r}")
        _check_list(c, f"{where}.countries", s.get("countries", []), None, _COUNTRY)
        _check_list(c, f"{where}.legal_forms", s.get("legal_forms", []), LEGAL_FORMS)
        _check_list(c, f"{where}.sectors", s.get("sectors", []), SECTORS)
        _check_list(c, f"{where}.stages", s.get("stages", []), STAGES)
        _check_list(c, f"{where}.languages", s.get("languages", []), frozenset(LANGUAGES))
        lo, hi = _amount(s.get("amount_min")), _amount(s.get("amount_max"))
        c.need(lo is not False and hi is not False, where, "amounts must be numbers")
        if isinstance(lo, Decimal) and isinstance(hi, Decimal):
            c.need(lo <= hi, where, "amount_min is above amount_max")
        if lo or hi:
            c.need(bool(re.match(r"^[A-Z]{3}$", str(s.get("currency", "")))), where,
                   "amounts need an ISO currency")
        _check_text(c, where, s.get("text"), ("title", "summary"))
    event_keys: set[str] = set()
    for i, e in enumerate(catalogue["events"], 1):
        where = f"events[{i}] {e.get('key', '?')}"
        c.need(bool(_KEY.match(str(e.get("key", "")))), where, "key must be a lower-case slug")
        c.need(e.get("key") not in event_keys, where, "duplicate key")
        event_keys.add(e.get("key", ""))
        c.need(e.get("provider") in provider_keys | {None}, where, "unknown provider")
        try:
            ZoneInfo(str(e.get("timezone")))
            start, end = _local(e, "starts_at"), _local(e, "ends_at")
            c.need(start <= end, where, "ends before it starts")
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            c.need(False, where, f"bad time or time zone ({exc})")
        c.need(bool(e.get("venue") or e.get("online_url")), where, "needs a venue or a link")
        _check_list(c, f"{where}.topics", e.get("topics", []), CATEGORIES)
        _check_list(c, f"{where}.countries", e.get("countries", []), None, _COUNTRY)
        _check_list(c, f"{where}.languages", e.get("languages", []), frozenset(LANGUAGES))
        _check_text(c, where, e.get("text"), ("title", "summary"))


def _amount(value: Any) -> Decimal | None | bool:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return False


def _local(event: Mapping[str, Any], field: str) -> dt.datetime:
    """Read a local wall-clock time of an event and attach its time zone."""
    value = event[field]
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=ZoneInfo(str(event["timezone"]))).astimezone(dt.UTC)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def upsert_catalogue(session: Session, catalogue: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Insert or update every provider, service and event by its key.

    The caller owns the transaction: nothing is committed here.

    Returns:
        How many providers, services and events the file holds.
    """
    providers = {p.key: p for p in session.scalars(select(Provider))}
    for row in catalogue["providers"]:
        provider = providers.get(row["key"]) or Provider(key=row["key"])
        provider.name = row["name"]
        provider.kind = row["kind"]
        provider.country = row["country"]
        provider.city = row.get("city")
        provider.website = row.get("website")
        provider.email = row.get("email")
        provider.discoverable = bool(row.get("discoverable", False))
        provider.translations = [
            ProviderTranslation(lang=lang, summary=body["summary"])
            for lang, body in (row.get("text") or {}).items()
        ]
        session.add(provider)
        providers[row["key"]] = provider
    session.flush()

    services = {s.key: s for s in session.scalars(select(Service))}
    upserted: list[Service] = []
    for row in catalogue["services"]:
        service = services.get(row["key"]) or Service(key=row["key"])
        service.provider = providers[row["provider"]]
        service.category = row["category"]
        service.kind = row["kind"]
        service.amount_min = _amount(row.get("amount_min"))  # type: ignore[assignment]
        service.amount_max = _amount(row.get("amount_max"))  # type: ignore[assignment]
        service.currency = row.get("currency")
        service.cost = row.get("cost", "free")
        service.languages = list(row.get("languages", []))
        service.contact_email = row.get("contact_email")
        service.valid_from = _date(row.get("valid_from"))
        service.valid_until = _date(row.get("valid_until"))
        service.active = bool(row.get("active", True))
        service.translations = [
            ServiceTranslation(lang=lang, title=body["title"], summary=body["summary"],
                               description=body.get("description", ""))
            for lang, body in row["text"].items()
        ]
        service.eligibility = [
            ServiceEligibility(dimension=dimension, value=value)
            for dimension, field in (("country", "countries"), ("legal_form", "legal_forms"),
                                     ("sector", "sectors"), ("stage", "stages"))
            for value in dict.fromkeys(row.get(field, []))
        ]
        session.add(service)
        upserted.append(service)
    session.flush()
    index_services(session, [service.id for service in upserted])

    events = {e.key: e for e in session.scalars(select(Event))}
    for row in catalogue["events"]:
        event = events.get(row["key"]) or Event(key=row["key"])
        event.provider_id = providers[row["provider"]].id if row.get("provider") else None
        event.starts_at = _local(row, "starts_at")
        event.ends_at = _local(row, "ends_at")
        event.timezone = row["timezone"]
        event.venue = row.get("venue")
        event.online_url = row.get("online_url")
        event.capacity = row.get("capacity")
        event.registration_deadline = _date(row.get("registration_deadline"))
        event.languages = list(row.get("languages", []))
        event.topics = list(row.get("topics", []))
        event.countries = list(row.get("countries", []))
        event.active = bool(row.get("active", True))
        event.translations = [
            EventTranslation(lang=lang, title=body["title"], summary=body["summary"],
                             description=body.get("description", ""))
            for lang, body in row["text"].items()
        ]
        session.add(event)
    session.flush()
    counts = {name: len(rows) for name, rows in catalogue.items()}
    logger.info("catalogue upserted: %s", counts)
    return counts
