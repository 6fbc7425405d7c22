"""Load a catalogue file (YAML) into the database: validated, all or nothing, idempotent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

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
from catalog.validation import (
    ELIGIBILITY_FIELDS,
    Catalogue,
    amount,
    local_time,
    parse_date,
    problem_report,
    read_yaml,
    validate,
)

logger = logging.getLogger(__name__)

SEED_FILE = Path(__file__).with_name("seed") / "catalogue.yml"


def load_file(path: Path) -> Catalogue:
    """Read and validate a catalogue YAML file.

    Raises:
        SeedFileError: the file is unreadable or invalid; the message lists every problem
            with its line number.
    """
    catalogue, lines = read_yaml(path)
    problems = validate(catalogue, source=str(path), lines=lines)
    if problems:
        raise SeedFileError(problem_report(str(path), problems))
    return catalogue


def upsert_catalogue(session: Session, catalogue: Catalogue, *,
                     on_row: Callable[[], object] | None = None) -> dict[str, int]:
    """Insert or update every provider, service and event by its key.

    The caller owns the transaction: nothing is committed here.

    Args:
        session: the session whose transaction receives the rows.
        catalogue: a validated catalogue (see `validate`).
        on_row: called after each row, e.g. to advance a progress bar.

    Returns:
        How many providers, services and events the file holds.
    """
    tick = on_row or (lambda: None)
    providers = _upsert_providers(session, catalogue, tick)
    _upsert_services(session, catalogue, providers, tick)
    _upsert_events(session, catalogue, providers, tick)
    counts = {name: len(rows) for name, rows in catalogue.items()}
    logger.info("catalogue upserted: %s", counts)
    return counts


def _upsert_providers(session: Session, catalogue: Catalogue,
                      tick: Callable[[], object]) -> dict[str, Provider]:
    """Insert or update the providers; return them all by key."""
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
        tick()
    session.flush()
    return providers


def _upsert_services(session: Session, catalogue: Catalogue, providers: dict[str, Provider],
                     tick: Callable[[], object]) -> None:
    """Insert or update the services, their texts and eligibility; index them for search."""
    services = {s.key: s for s in session.scalars(select(Service))}
    upserted: list[Service] = []
    for row in catalogue["services"]:
        service = services.get(row["key"]) or Service(key=row["key"])
        service.provider = providers[row["provider"]]
        service.category = row["category"]
        service.kind = row["kind"]
        service.amount_min = amount(row.get("amount_min"))  # type: ignore[assignment]
        service.amount_max = amount(row.get("amount_max"))  # type: ignore[assignment]
        service.currency = row.get("currency")
        service.cost = row.get("cost", "free")
        service.languages = list(row.get("languages", []))
        service.contact_email = row.get("contact_email")
        service.valid_from = parse_date(row.get("valid_from"))
        service.valid_until = parse_date(row.get("valid_until"))
        service.active = bool(row.get("active", True))
        service.translations = [
            ServiceTranslation(lang=lang, title=body["title"], summary=body["summary"],
                               description=body.get("description", ""))
            for lang, body in row["text"].items()
        ]
        service.eligibility = [
            ServiceEligibility(dimension=dimension, value=value)
            for dimension, field in ELIGIBILITY_FIELDS
            for value in dict.fromkeys(row.get(field, []))
        ]
        session.add(service)
        upserted.append(service)
        tick()
    session.flush()
    index_services(session, [service.id for service in upserted])


def _upsert_events(session: Session, catalogue: Catalogue, providers: dict[str, Provider],
                   tick: Callable[[], object]) -> None:
    """Insert or update the events and their texts."""
    events = {e.key: e for e in session.scalars(select(Event))}
    for row in catalogue["events"]:
        event = events.get(row["key"]) or Event(key=row["key"])
        event.provider_id = providers[row["provider"]].id if row.get("provider") else None
        event.starts_at = local_time(row, "starts_at")
        event.ends_at = local_time(row, "ends_at")
        event.timezone = row["timezone"]
        event.venue = row.get("venue")
        event.online_url = row.get("online_url")
        event.capacity = row.get("capacity")
        event.registration_deadline = parse_date(row.get("registration_deadline"))
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
        tick()
    session.flush()
