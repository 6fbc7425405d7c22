"""Import and export the catalogue as YAML or CSV: validated, all or nothing, idempotent.

An import reads a file (YAML in the seed format, or one CSV file per kind), checks every
row against the vocabulary and the providers already in the database, compares each
object with the stored one by its key and writes only what is new or changed, in one
transaction. Nothing is ever deleted. See README "Catalogue import and export".
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker
from tqdm import tqdm

from catalog.catalogue_csv import column_name, kind_of, read_csv, write_csv
from catalog.errors import SeedFileError, TransferError
from catalog.models import Event, Provider, Service
from catalog.seed import upsert_catalogue
from catalog.validation import (
    ELIGIBILITY_FIELDS,
    KINDS,
    Catalogue,
    LineMap,
    amount,
    local_time,
    parse_date,
    problem_report,
    read_yaml,
    validate,
)
from catalog.vocabulary import FALLBACK_LANGUAGES, LANGUAGES

logger = logging.getLogger(__name__)

PROGRESS_MIN_ROWS = 200
"""Show a progress bar (on a terminal) when an import writes at least this many rows."""

_TEXT_FIELDS = {"providers": ("summary",), "services": ("title", "summary", "description"),
                "events": ("title", "summary", "description")}


@dataclass
class KindChanges:
    """What an import does to one kind of object."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), per kind."""

    source: str
    dry_run: bool
    changes: dict[str, KindChanges]

    def counts(self) -> dict[str, dict[str, int]]:
        """Return created/updated/unchanged counts per kind."""
        return {kind: {"created": len(c.created), "updated": len(c.updated),
                       "unchanged": len(c.unchanged)} for kind, c in self.changes.items()}

    def lines(self) -> list[str]:
        """Return a short human-readable summary, one line per kind in the file."""
        would = "would be " if self.dry_run else ""
        head = f"{self.source}: dry run, nothing written" if self.dry_run else self.source
        body = [f"  {kind}: {n['created']} {would}created, {n['updated']} {would}updated, "
                f"{n['unchanged']} unchanged" for kind, n in self.counts().items()]
        return [head, *(body or ["  the file holds no objects"])]


# --------------------------------------------------------------------------- import

def read_catalogue(path: Path, kind: str | None = None) -> tuple[Catalogue, LineMap, bool]:
    """Read a YAML or CSV catalogue file; return it, its line map and whether it is CSV.

    Raises:
        SeedFileError: the file cannot be read.
    """
    if path.suffix.lower() == ".csv":
        catalogue, lines = read_csv(path, kind_of(path, kind))
        return catalogue, lines, True
    catalogue, lines = read_yaml(path)
    if kind:
        catalogue = {name: rows if name == kind else [] for name, rows in catalogue.items()}
    return catalogue, lines, False


def import_file(sessions: sessionmaker[Session], path: Path, *, kind: str | None = None,
                dry_run: bool = False, progress: bool | None = None) -> ImportReport:
    """Validate a catalogue file and upsert what is new or changed, all or nothing.

    Args:
        sessions: factory of sessions on a migrated database.
        path: a ``.yml``/``.yaml`` file in the seed format, or a ``.csv`` file of one kind.
        kind: providers, services or events (CSV: the file's kind; YAML: import only it).
        dry_run: validate and compare, but write nothing.
        progress: show a progress bar on stderr; by default only on a terminal for
            files of at least `PROGRESS_MIN_ROWS` rows to write.

    Returns:
        The created, updated and unchanged keys per kind.

    Raises:
        SeedFileError: the file is unreadable or invalid; every problem is listed with
            its line number. Nothing was written.
        TransferError: the database refused the rows. Nothing was written.
    """
    catalogue, lines, is_csv = read_catalogue(path, kind)
    with sessions() as session:
        try:
            known = set(session.scalars(select(Provider.key)))
            problems = validate(catalogue, source=str(path), lines=lines,
                                column=column_name if is_csv else str, known_providers=known)
            if problems:
                raise SeedFileError(problem_report(str(path), problems))
            changes = compare(catalogue, snapshot(session))
            if not dry_run:
                _write(session, catalogue, changes, progress)
                session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise TransferError(f"{path}: the database refused the import, nothing was "
                                f"changed: {getattr(exc, 'orig', None) or exc}") from exc
    report = ImportReport(str(path), dry_run, changes)
    logger.info("catalogue import of %s (dry run: %s): %s", path, dry_run, report.counts())
    return report


def compare(catalogue: Catalogue, stored: dict[str, dict[str, dict[str, Any]]]
            ) -> dict[str, KindChanges]:
    """Sort each object of a validated file into created, updated or unchanged by its key."""
    changes: dict[str, KindChanges] = {}
    for kind in KINDS:
        if not catalogue[kind]:
            continue
        found = changes[kind] = KindChanges()
        for row in catalogue[kind]:
            before = stored[kind].get(row["key"])
            target = (found.created if before is None
                      else found.unchanged if before == normal_form(kind, row) else found.updated)
            target.append(row["key"])
    return changes


def _write(session: Session, catalogue: Catalogue, changes: dict[str, KindChanges],
           progress: bool | None) -> None:
    """Upsert the created and updated objects, with a progress bar on large files."""
    keys = {kind: {*c.created, *c.updated} for kind, c in changes.items()}
    todo = {kind: [row for row in rows if row["key"] in keys.get(kind, ())]
            for kind, rows in catalogue.items()}
    total = sum(len(rows) for rows in todo.values())
    if total == 0:
        return
    show = progress if progress is not None else (
        total >= PROGRESS_MIN_ROWS and sys.stderr.isatty())
    with tqdm(total=total, unit="row", desc="importing", file=sys.stderr,
              disable=not show, leave=False) as bar:
        upsert_catalogue(session, todo, on_row=bar.update)


# --------------------------------------------------------------------------- forms

def normal_form(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """Return a validated object as it reads back from the database after an upsert.

    Stored objects are exported in this form, so comparing the two tells whether an
    import would change anything, and an exported file imports as "unchanged".
    """
    text = _texts(row.get("text"), _TEXT_FIELDS[kind])
    if kind == "providers":
        return {"key": row["key"], "name": row["name"], "kind": row["kind"],
                "country": row["country"], "city": row.get("city"),
                "website": row.get("website"), "email": row.get("email"),
                "discoverable": bool(row.get("discoverable", False)), "text": text}
    if kind == "services":
        return {"key": row["key"], "provider": row["provider"], "category": row["category"],
                "kind": row["kind"],
                **{name: sorted(set(row.get(name, []))) for _, name in ELIGIBILITY_FIELDS},
                "amount_min": _money(row.get("amount_min")),
                "amount_max": _money(row.get("amount_max")), "currency": row.get("currency"),
                "cost": row.get("cost", "free"), "languages": list(row.get("languages", [])),
                "contact_email": row.get("contact_email"),
                "valid_from": parse_date(row.get("valid_from")),
                "valid_until": parse_date(row.get("valid_until")),
                "active": bool(row.get("active", True)), "text": text}
    return {"key": row["key"], "provider": row.get("provider"),
            "starts_at": _wall_clock(local_time(row, "starts_at"), row["timezone"]),
            "ends_at": _wall_clock(local_time(row, "ends_at"), row["timezone"]),
            "timezone": row["timezone"], "venue": row.get("venue"),
            "online_url": row.get("online_url"), "capacity": row.get("capacity"),
            "registration_deadline": parse_date(row.get("registration_deadline")),
            "languages": list(row.get("languages", [])), "topics": list(row.get("topics", [])),
            "countries": list(row.get("countries", [])),
            "active": bool(row.get("active", True)), "text": text}


def _texts(text: Any, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Return the text per language in the catalogue's language order, missing fields empty."""
    order = {lang: i for i, lang in enumerate(LANGUAGES)}
    return {lang: {name: (body or {}).get(name, "") for name in fields}
            for lang, body in sorted((text or {}).items(), key=lambda item: order[item[0]])}


def _money(value: Any) -> int | float | None:
    """Return an amount rounded to cents as the database keeps it, as a plain number."""
    found = amount(value)
    if not isinstance(found, Decimal):
        return None
    cents = found.quantize(Decimal("0.01"))
    return int(cents) if cents == cents.to_integral_value() else float(cents)


def _wall_clock(moment: dt.datetime, timezone: str) -> str:
    """Return a stored instant as the local wall-clock time the files use."""
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None).isoformat()


def snapshot(session: Session, kinds: tuple[str, ...] = KINDS
             ) -> dict[str, dict[str, dict[str, Any]]]:
    """Return the stored objects of each kind in normal form, by key, in insertion order."""
    stored: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
    provider_keys: dict[int, str] = {}
    if "providers" in kinds or "events" in kinds:
        providers = list(session.scalars(select(Provider).order_by(Provider.id)
                                         .options(selectinload(Provider.translations))))
        stored["providers"] = {p.key: _provider_record(p) for p in providers}
        provider_keys = {p.id: p.key for p in providers}
    if "services" in kinds:
        query = select(Service).order_by(Service.id).options(
            selectinload(Service.translations), selectinload(Service.eligibility),
            selectinload(Service.provider))
        stored["services"] = {s.key: _service_record(s) for s in session.scalars(query)}
    if "events" in kinds:
        query_events = select(Event).order_by(Event.id).options(selectinload(Event.translations))
        stored["events"] = {e.key: _event_record(e, provider_keys)
                            for e in session.scalars(query_events)}
    return {kind: stored[kind] for kind in kinds}


def _provider_record(p: Provider) -> dict[str, Any]:
    """Return a stored provider in the file format."""
    return normal_form("providers", {
        "key": p.key, "name": p.name, "kind": p.kind, "country": p.country, "city": p.city,
        "website": p.website, "email": p.email, "discoverable": p.discoverable,
        "text": {t.lang: {"summary": t.summary} for t in p.translations}})


def _service_record(s: Service) -> dict[str, Any]:
    """Return a stored service in the file format."""
    eligibility = {name: [e.value for e in s.eligibility if e.dimension == dimension]
                   for dimension, name in ELIGIBILITY_FIELDS}
    return normal_form("services", {
        "key": s.key, "provider": s.provider.key, "category": s.category, "kind": s.kind,
        **eligibility, "amount_min": s.amount_min, "amount_max": s.amount_max,
        "currency": s.currency, "cost": s.cost, "languages": s.languages,
        "contact_email": s.contact_email, "valid_from": s.valid_from,
        "valid_until": s.valid_until, "active": s.active,
        "text": {t.lang: {"title": t.title, "summary": t.summary,
                          "description": t.description} for t in s.translations}})


def _event_record(e: Event, provider_keys: dict[int, str]) -> dict[str, Any]:
    """Return a stored event in the file format (local wall-clock times)."""
    return normal_form("events", {
        "key": e.key, "provider": provider_keys.get(e.provider_id or -1),
        "starts_at": _wall_clock(e.starts_at, e.timezone),
        "ends_at": _wall_clock(e.ends_at, e.timezone), "timezone": e.timezone,
        "venue": e.venue, "online_url": e.online_url, "capacity": e.capacity,
        "registration_deadline": e.registration_deadline, "languages": e.languages,
        "topics": e.topics, "countries": e.countries, "active": e.active,
        "text": {t.lang: {"title": t.title, "summary": t.summary,
                          "description": t.description} for t in e.translations}})


# --------------------------------------------------------------------------- export

def export_catalogue(session: Session, fmt: str, kind: str | None = None) -> str:
    """Return the stored catalogue (or one kind of it) as YAML or CSV text.

    Raises:
        TransferError: CSV was asked for without a kind (a CSV file holds one kind).
    """
    kinds = (kind,) if kind else KINDS
    stored = snapshot(session, kinds)
    records = {name: [_exportable(r) for r in stored[name].values()] for name in kinds}
    if fmt == "csv":
        if kind is None:
            raise TransferError("a CSV file holds one kind: add --kind "
                                f"{'|'.join(KINDS)}")
        return write_csv(records[kind], kind)
    return yaml.safe_dump(records, allow_unicode=True, sort_keys=False, width=100)


def _exportable(record: dict[str, Any]) -> dict[str, Any]:
    """Leave out an empty text (providers may have none; an empty one would not validate)."""
    return {name: value for name, value in record.items() if name != "text" or value}


# --------------------------------------------------------------------------- browse

def list_objects(session: Session, kind: str, lang: str) -> list[tuple[str, str, str]]:
    """Return (key, title or name in ``lang``, short detail) of every stored object of a kind."""
    rows = []
    for record in snapshot(session, (kind,))[kind].values():
        if kind == "providers":
            rows.append((record["key"], record["name"], f"{record['kind']}, {record['country']}"))
            continue
        title = record_text_in(record, lang).get("title", "")
        if kind == "services":
            detail = f"{record['category']}, {record['provider']}"
        else:
            detail = f"{record['starts_at']} {record['timezone']}"
        rows.append((record["key"], title, detail + ("" if record["active"] else ", inactive")))
    return rows


def find_object(session: Session, key: str, lang: str | None = None
                ) -> list[tuple[str, dict[str, Any]]]:
    """Return (kind, object in file format) of every stored object with this key.

    With ``lang``, the text is reduced to that language (or the nearest available one).
    """
    found = []
    for kind, records in snapshot(session).items():
        if key in records:
            record = _exportable(records[key])
            if lang and "text" in record:
                record["text"] = {_language_in(record, lang): record_text_in(record, lang)}
            found.append((kind, record))
    return found


def record_text_in(record: dict[str, Any], lang: str) -> dict[str, str]:
    """Return a file-format record's text fields in ``lang``, else a fallback's, else any."""
    texts: dict[str, dict[str, str]] = record.get("text") or {}
    return texts.get(_language_in(record, lang), {})


def _language_in(record: dict[str, Any], lang: str) -> str:
    """Return the language in which to show an object's text to a reader of ``lang``."""
    texts = record.get("text") or {}
    for candidate in (lang, *FALLBACK_LANGUAGES, *texts):
        if candidate in texts:
            return str(candidate)
    return lang
