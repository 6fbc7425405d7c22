"""The CSV layout of the catalogue: one file per kind, one row per object, for spreadsheets.

Columns are the fields of the YAML format. Lists are joined with ``|`` (``;`` is read
too); yes/no fields read ``true``/``false`` (or ``yes``/``no``, ``1``/``0``); the text
has one column per field and language (``title_fr``, ``summary_fr``, ``description_fr``).
An empty cell means "not given", so defaults apply (``cost`` free, ``active`` true).
Cells that a spreadsheet would read as formulas are written with a leading apostrophe
and read back without it (catalog/spreadsheet.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from catalog.errors import SeedFileError
from catalog.spreadsheet import SafeWriter, restore
from catalog.validation import KINDS, Catalogue, LineMap
from catalog.vocabulary import LANGUAGES

LIST_SEPARATOR = "|"
FIELDS: dict[str, tuple[str, ...]] = {
    "providers": ("key", "name", "kind", "country", "city", "website", "email", "discoverable"),
    "services": ("key", "provider", "category", "kind", "countries", "legal_forms", "sectors",
                 "stages", "amount_min", "amount_max", "currency", "cost", "languages",
                 "contact_email", "valid_from", "valid_until", "active"),
    "events": ("key", "provider", "starts_at", "ends_at", "timezone", "venue", "online_url",
               "capacity", "registration_deadline", "languages", "topics", "countries",
               "active"),
}
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "providers": ("summary",),
    "services": ("title", "summary", "description"),
    "events": ("title", "summary", "description"),
}
_LISTS = frozenset({"countries", "legal_forms", "sectors", "stages", "languages", "topics"})
_YES, _NO = frozenset({"true", "yes", "y", "1"}), frozenset({"false", "no", "n", "0"})
_SPLIT = re.compile(r"[|;]")


def columns(kind: str) -> list[str]:
    """Return the header of a CSV file of ``kind``: its fields, then text per language."""
    text = [f"{field}_{lang}" for lang in LANGUAGES for field in TEXT_FIELDS[kind]]
    return [*FIELDS[kind], *text]


def column_name(field: str) -> str:
    """Name a field as the CSV header does (``text.fr.title`` is ``title_fr``)."""
    parts = field.split(".")
    if parts[0] != "text":
        return field
    if len(parts) == 3:
        return f"{parts[2]}_{parts[1]}"
    return "title_xx/summary_xx (text columns)"


def kind_of(path: Path, kind: str | None) -> str:
    """Return the kind of a CSV file: as given, else from its name (``services.csv``).

    Raises:
        SeedFileError: no kind given and the file name does not tell.
    """
    if kind:
        return kind
    for name in KINDS:
        if path.stem.lower().startswith(name):
            return name
    raise SeedFileError(f"{path}: say what the CSV file holds with --kind "
                        f"{'|'.join(KINDS)} (or name it e.g. services.csv)")


def read_csv(path: Path, kind: str) -> tuple[Catalogue, LineMap]:
    """Read the objects of one kind from a CSV file, with each row's line number.

    Raises:
        SeedFileError: the file is unreadable or its header or rows cannot be read;
            the message lists every problem.
    """
    try:
        # newline="": line ends are the csv reader's business, and a carriage return
        # inside a quoted cell stays part of the value.
        with path.open(encoding="utf-8-sig", newline="") as stream:
            text = stream.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedFileError(f"{path}: cannot read catalogue: {exc}") from exc
    first = text.partition("\n")[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    lines: LineMap = {}
    try:
        header = [name.strip() for name in next(reader, [])]
        problems += _header_problems(path, kind, header)
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header):
                problems.append(f"{path}:{line}: {len(record)} cells but only "
                                f"{len(header)} columns")
            cells = [restore(cell) for cell in record]
            rows.append(_row(kind, dict(zip(header, cells, strict=False))))
            lines[(kind, len(rows))] = {"": line}
    except csv.Error as exc:
        problems.append(f"{path}:{reader.line_num}: not valid CSV ({exc})")
    if problems:
        raise SeedFileError("\n".join([f"{path}: {len(problems)} problem(s)", *problems]))
    catalogue: Catalogue = {name: [] for name in KINDS}
    catalogue[kind] = rows
    return catalogue, lines


def _header_problems(path: Path, kind: str, header: list[str]) -> list[str]:
    """List unknown, repeated and missing columns of a header (line 1)."""
    known = columns(kind)
    problems = [f"{path}:1: unknown column {name!r} (a {kind} file has: "
                f"{', '.join(FIELDS[kind])}, and {'/'.join(TEXT_FIELDS[kind])}_<lang>)"
                for name in header if name not in known]
    problems += [f"{path}:1: column {name!r} appears twice"
                 for name in sorted({n for n in header if header.count(n) > 1})]
    if "key" not in header:
        problems.append(f"{path}:1: the header needs a 'key' column")
    return problems


def _row(kind: str, cells: dict[str, str]) -> dict[str, Any]:
    """Turn a row's cells into an object of the YAML format; empty cells are left out."""
    row: dict[str, Any] = {}
    text: dict[str, dict[str, str]] = {}
    for column, cell in cells.items():
        if not cell.strip():
            continue
        if column in FIELDS[kind]:
            row[column] = _value(column, cell.strip())
        elif column in columns(kind):
            field, _, lang = column.rpartition("_")
            text.setdefault(lang, {})[field] = cell
    if text:
        row["text"] = text
    return row


def _value(column: str, cell: str) -> Any:
    """Read one cell: lists split, yes/no and whole numbers converted, the rest as text.

    A cell that cannot be converted stays text, so validation reports it with its line.
    """
    if column in _LISTS:
        return [item.strip() for item in _SPLIT.split(cell) if item.strip()]
    if column in {"active", "discoverable"} and cell.lower() in _YES | _NO:
        return cell.lower() in _YES
    if column == "capacity" and cell.isdigit():
        return int(cell)
    return cell


def write_csv(records: list[dict[str, Any]], kind: str) -> str:
    """Write objects of one kind (YAML format) as CSV text with the full header."""
    header = columns(kind)
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(header)
    for record in records:
        writer.writerow([_cell(record, column) for column in header])
    return buffer.getvalue()


def _cell(record: dict[str, Any], column: str) -> str:
    """Return the cell of one column for an object."""
    if column not in record:
        field, _, lang = column.rpartition("_")
        return str((record.get("text") or {}).get(lang, {}).get(field, ""))
    value = record[column]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
