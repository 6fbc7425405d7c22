"""Read and check catalogue files: every problem with its file, line and field, all at once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from catalog.errors import SeedFileError
from catalog.vocabulary import (
    CATEGORIES,
    COSTS,
    LANGUAGES,
    LEGAL_FORMS,
    PROVIDER_KINDS,
    SECTORS,
    STAGES,
)

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


Catalogue = dict[str, list[dict[str, Any]]]
LineMap = dict[tuple[str, int], dict[str, int]]
"""Where each item of a file was read: (kind, position from 1) -> {field path: line}.

The field path ``""`` is the item itself; nested fields are dotted (``text.fr.title``).
"""

KINDS: tuple[str, ...] = ("providers", "services", "events")
ELIGIBILITY_FIELDS: tuple[tuple[str, str], ...] = (
    ("country", "countries"), ("legal_form", "legal_forms"), ("sector", "sectors"),
    ("stage", "stages"))


@dataclass(frozen=True)
class _Ref:
    """One item of a catalogue file: its kind, position (from 1) and key."""

    kind: str
    index: int
    key: str


class _Checker:
    """Collect every problem of a file so the user can fix them all at once.

    Each problem names the file, the line, the item, the field and what is wrong:
    ``catalogue.yml:223: services[1] coop-microcredit-maghreb: provider: unknown provider 'x'``.
    """

    def __init__(self, source: str = "", lines: LineMap | None = None,
                 column: Callable[[str], str] = str) -> None:
        self.problems: list[str] = []
        self.source = source
        self.lines = lines or {}
        self.column = column

    def need(self, ok: bool, ref: _Ref, field: str, message: str) -> bool:
        """Record that ``field`` of ``ref`` is wrong unless ``ok``; return ``ok``."""
        if not ok:
            self.problems.append(f"{self._place(ref, field)}{ref.kind}[{ref.index}] {ref.key}: "
                                 f"{self.column(field)}: {message}")
        return ok

    def _place(self, ref: _Ref, field: str) -> str:
        """Return ``file:line: `` of the field, else of its parent, else of the item."""
        found = self.lines.get((ref.kind, ref.index), {})
        path = field
        while path and path not in found:
            path = path.rpartition(".")[0]
        line = found.get(path)
        if line is not None:
            return f"{self.source}:{line}: "
        return f"{self.source}: " if self.source else ""


def problem_report(source: str, problems: list[str]) -> str:
    """Return the message listing every problem of a file, headed by their number."""
    return "\n".join([f"{source}: {len(problems)} problem(s)", *problems])


def read_yaml(path: Path) -> tuple[Catalogue, LineMap]:
    """Read a catalogue YAML file (not yet validated) and the line of every item and field.

    Raises:
        SeedFileError: the file is unreadable, not YAML, or not a mapping of lists.
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SeedFileError(f"{path}: cannot read catalogue: {exc}") from exc
    if not isinstance(data, Mapping):
        raise SeedFileError(f"{path}: expected a mapping with providers, services, events")
    wrong = [name for name in KINDS if not isinstance(data.get(name) or [], list)]
    if wrong:
        raise SeedFileError(f"{path}: {', '.join(wrong)}: must be a list of items")
    return {name: list(data.get(name) or []) for name in KINDS}, _line_map(root)


def _line_map(root: yaml.Node | None) -> LineMap:
    """Map each item of each kind to the lines of its fields, from the composed YAML."""
    lines: LineMap = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key_node, value_node in root.value:
        if key_node.value in KINDS and isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value, 1):
                found = {"": item.start_mark.line + 1}
                _field_lines(item, "", found)
                lines[(key_node.value, index)] = found
    return lines


def _field_lines(node: yaml.Node, prefix: str, found: dict[str, int]) -> None:
    """Record the line of every (nested) field of a mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        path = f"{prefix}{key_node.value}"
        found[path] = key_node.start_mark.line + 1
        _field_lines(value_node, f"{path}.", found)


def validate(catalogue: Catalogue, *, source: str = "", lines: LineMap | None = None,
             column: Callable[[str], str] = str,
             known_providers: Collection[str] = ()) -> list[str]:
    """Return every problem of a catalogue (empty when it can be loaded).

    Args:
        catalogue: providers, services and events as read from a file.
        source: the file name, used in messages.
        lines: where each item and field was read, for line numbers in messages.
        column: how the file names a field (``text.fr.title`` is ``title_fr`` in CSV).
        known_providers: keys of providers that exist already (in the database).
    """
    checker = _Checker(source, lines, column)
    _validate(catalogue, checker, frozenset(known_providers))
    return checker.problems


def _items(c: _Checker, catalogue: Catalogue, kind: str) -> list[tuple[_Ref, dict[str, Any]]]:
    """Return the items of a kind with their references; refuse items that are not mappings."""
    found = []
    for index, item in enumerate(catalogue[kind], 1):
        key = str(item.get("key", "?")) if isinstance(item, Mapping) else "?"
        if c.need(isinstance(item, Mapping), _Ref(kind, index, key), "",
                  "must be a mapping of fields"):
            found.append((_Ref(kind, index, key), item))
    return found


def _check_keys(c: _Checker, items: list[tuple[_Ref, dict[str, Any]]]) -> set[str]:
    """Check that keys are slugs, unique in the file; return them."""
    keys: set[str] = set()
    for ref, item in items:
        c.need(bool(_KEY.match(str(item.get("key", "")))), ref, "key",
               "must be a lower-case slug (a-z, 0-9, -)")
        c.need(item.get("key") not in keys, ref, "key", "duplicate key")
        keys.add(str(item.get("key", "")))
    return keys


def _check_list(c: _Checker, ref: _Ref, field: str, values: Any,
                allowed: Collection[str] | None, pattern: re.Pattern[str] | None = None) -> None:
    """Check that a field is a list of allowed values or of codes matching ``pattern``."""
    if not c.need(isinstance(values, list), ref, field, "must be a list"):
        return
    for value in values:
        if allowed is not None:
            c.need(value in allowed, ref, field, f"unknown value {value!r}")
        if pattern is not None:
            c.need(isinstance(value, str) and bool(pattern.match(value)), ref, field,
                   f"bad code {value!r}")


def _check_text(c: _Checker, ref: _Ref, text: Any, fields: tuple[str, ...]) -> None:
    """Check that the text exists in supported languages with every required field."""
    if not c.need(isinstance(text, Mapping) and bool(text), ref, "text",
                  "needs the text in at least one language"):
        return
    for lang, body in text.items():
        c.need(lang in LANGUAGES, ref, f"text.{lang}", f"unsupported language {lang!r}")
        for field in fields:
            c.need(isinstance(body, Mapping) and bool(body.get(field)), ref,
                   f"text.{lang}.{field}", "missing")


def _check_scalars(c: _Checker, ref: _Ref, item: Mapping[str, Any]) -> None:
    """Check the optional yes/no, whole-number and date fields an item may have."""
    for field in ("active", "discoverable"):
        if item.get(field) is not None:
            c.need(isinstance(item[field], bool), ref, field, "must be true or false")
    if item.get("capacity") is not None:
        capacity = item["capacity"]
        c.need(isinstance(capacity, int) and not isinstance(capacity, bool) and capacity >= 0,
               ref, "capacity", f"must be a whole number, not {capacity!r}")
    for field in ("valid_from", "valid_until", "registration_deadline"):
        try:
            parse_date(item.get(field))
        except ValueError:
            c.need(False, ref, field, f"must be a date YYYY-MM-DD, not {item[field]!r}")


def _validate(catalogue: Catalogue, c: _Checker, known_providers: frozenset[str]) -> None:
    """Check every item of every kind; services and events may use providers known already."""
    providers = _items(c, catalogue, "providers")
    provider_keys = _check_keys(c, providers) | known_providers
    for ref, p in providers:
        _check_provider(c, ref, p)
    services = _items(c, catalogue, "services")
    _check_keys(c, services)
    for ref, s in services:
        _check_service(c, ref, s, provider_keys)
    events = _items(c, catalogue, "events")
    _check_keys(c, events)
    for ref, e in events:
        _check_event(c, ref, e, provider_keys)


def _check_provider(c: _Checker, ref: _Ref, p: Mapping[str, Any]) -> None:
    """Check one provider's fields."""
    c.need(bool(p.get("name")), ref, "name", "missing")
    c.need(p.get("kind") in PROVIDER_KINDS, ref, "kind", f"unknown kind {p.get('kind')!r}")
    c.need(bool(_COUNTRY.match(str(p.get("country", "")))), ref, "country",
           f"must be an ISO code like ES, not {p.get('country')!r}")
    _check_scalars(c, ref, p)
    if "text" in p:
        _check_text(c, ref, p["text"], ("summary",))


def _check_service(c: _Checker, ref: _Ref, s: Mapping[str, Any],
                   provider_keys: Collection[str]) -> None:
    """Check one service's fields, its provider included."""
    c.need(s.get("provider") in provider_keys, ref, "provider",
           f"unknown provider {s.get('provider')!r}")
    c.need(s.get("category") in CATEGORIES, ref, "category",
           f"unknown category {s.get('category')!r}")
    c.need(bool(s.get("kind")), ref, "kind", "missing")
    c.need(s.get("cost", "free") in COSTS, ref, "cost", f"unknown cost {s.get('cost')!r}")
    _check_list(c, ref, "countries", s.get("countries", []), None, _COUNTRY)
    _check_list(c, ref, "legal_forms", s.get("legal_forms", []), LEGAL_FORMS)
    _check_list(c, ref, "sectors", s.get("sectors", []), SECTORS)
    _check_list(c, ref, "stages", s.get("stages", []), STAGES)
    _check_list(c, ref, "languages", s.get("languages", []), LANGUAGES)
    lo, hi = amount(s.get("amount_min")), amount(s.get("amount_max"))
    c.need(lo is not False, ref, "amount_min", "must be a number")
    c.need(hi is not False, ref, "amount_max", "must be a number")
    if isinstance(lo, Decimal) and isinstance(hi, Decimal):
        c.need(lo <= hi, ref, "amount_min", "is above amount_max")
    if lo or hi:
        c.need(bool(re.match(r"^[A-Z]{3}$", str(s.get("currency", "")))), ref, "currency",
               "amounts need an ISO currency like EUR")
    _check_scalars(c, ref, s)
    _check_text(c, ref, s.get("text"), ("title", "summary"))


def _check_event(c: _Checker, ref: _Ref, e: Mapping[str, Any],
                 provider_keys: Collection[str]) -> None:
    """Check one event's fields: provider, times in its time zone, place, lists, text."""
    c.need(e.get("provider") in {*provider_keys, None}, ref, "provider",
           f"unknown provider {e.get('provider')!r}")
    if c.need(_is_zone(e.get("timezone")), ref, "timezone",
              f"unknown time zone {e.get('timezone')!r}"):
        start, end = _trylocal_time(e, "starts_at"), _trylocal_time(e, "ends_at")
        c.need(start is not None, ref, "starts_at", "must be a local time YYYY-MM-DDTHH:MM")
        c.need(end is not None, ref, "ends_at", "must be a local time YYYY-MM-DDTHH:MM")
        if start is not None and end is not None:
            c.need(start <= end, ref, "ends_at", "ends before it starts")
    c.need(bool(e.get("venue") or e.get("online_url")), ref, "venue",
           "needs a venue or an online_url")
    _check_list(c, ref, "topics", e.get("topics", []), CATEGORIES)
    _check_list(c, ref, "countries", e.get("countries", []), None, _COUNTRY)
    _check_list(c, ref, "languages", e.get("languages", []), LANGUAGES)
    _check_scalars(c, ref, e)
    _check_text(c, ref, e.get("text"), ("title", "summary"))


def _is_zone(name: Any) -> bool:
    """Tell whether ``name`` is a known IANA time zone."""
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name is not None


def _trylocal_time(event: Mapping[str, Any], field: str) -> dt.datetime | None:
    """Return the event's time as UTC, or None when it is not a date and time."""
    try:
        return local_time(event, field)
    except (KeyError, TypeError, ValueError):
        return None


def amount(value: Any) -> Decimal | bool | None:
    """Read an amount: a Decimal, None when absent, False when it is not a number."""
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return False


def local_time(event: Mapping[str, Any], field: str) -> dt.datetime:
    """Read a local wall-clock time of an event and attach its time zone."""
    value = event[field]
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=ZoneInfo(str(event["timezone"]))).astimezone(dt.UTC)


def parse_date(value: Any) -> dt.date | None:
    """Read a date (a date object or an ISO string); None stays None.

    Raises:
        ValueError: the value is not a date.
    """
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
