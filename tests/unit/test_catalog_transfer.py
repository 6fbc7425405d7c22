"""Catalogue import and export: round trips, idempotency, line-numbered errors, all or nothing."""

from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError

from catalog.db import make_engine, make_session_factory, upgrade
from catalog.errors import SeedFileError, TransferError
from catalog.models import Service
from catalog.seed import SEED_FILE, load_file
from catalog.transfer import export_catalogue, import_file
from ops.cli import main

TABLES = ("provider", "provider_translation", "service", "service_translation",
          "service_eligibility", "service_term", "event", "event_translation")


@pytest.fixture
def database(tmp_path: Path):
    """Return a factory of migrated, empty SQLite databases (URL, engine) in tmp_path."""
    engines: list[Engine] = []

    def make(name: str = "catalogue") -> tuple[str, Engine]:
        url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engines.append(engine)
        return url, engine

    yield make
    for engine in engines:
        engine.dispose()


def contents(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Return every row of every catalogue table, sorted, to compare before and after."""
    with engine.connect() as connection:
        return {table: sorted(tuple(row) for row in connection.execute(
            text(f"SELECT * FROM {table}")))  # noqa: S608 - fixed table names
            for table in TABLES}


def seeded(database) -> tuple[str, Engine]:
    """Return a database holding the seed catalogue."""
    url, engine = database()
    import_file(make_session_factory(engine), SEED_FILE)
    return url, engine


def line_of(source: str, marker: str) -> int:
    """Return the 1-based number of the only line of ``source`` containing ``marker``."""
    found = [n for n, line in enumerate(source.splitlines(), 1) if marker in line]
    assert len(found) == 1, (marker, found)
    return found[0]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(database):
    _url, engine = database()
    sessions = make_session_factory(engine)
    catalogue = load_file(SEED_FILE)
    first = import_file(sessions, SEED_FILE).counts()
    after_first = contents(engine)
    second = import_file(sessions, SEED_FILE).counts()
    sizes = {kind: len(rows) for kind, rows in catalogue.items()}
    assert first == {kind: {"created": n, "updated": 0, "unchanged": 0}
                     for kind, n in sizes.items()}
    assert second == {kind: {"created": 0, "updated": 0, "unchanged": n}
                      for kind, n in sizes.items()}
    assert contents(engine) == after_first


def test_yaml_export_imports_into_an_empty_database_as_the_same_catalogue(database, tmp_path):
    _url, source = seeded(database)
    with make_session_factory(source)() as session:
        exported = export_catalogue(session, "yaml")
    path = tmp_path / "export.yml"
    path.write_text(exported, "utf-8")

    assert all(n["created"] == n["updated"] == 0
               for n in import_file(make_session_factory(source), path).counts().values())
    _url2, copy = database("copy")
    import_file(make_session_factory(copy), path)
    with make_session_factory(copy)() as session:
        assert export_catalogue(session, "yaml") == exported
    assert contents(copy)["service_term"] == contents(source)["service_term"]


def test_csv_export_imports_into_an_empty_database_as_the_same_catalogue(database, tmp_path):
    _url, source = seeded(database)
    _url2, copy = database("copy")
    for kind in ("providers", "services", "events"):
        with make_session_factory(source)() as session:
            path = tmp_path / f"{kind}.csv"
            path.write_text(export_catalogue(session, "csv", kind), "utf-8")
        counts = import_file(make_session_factory(copy), path).counts()
        assert counts[kind]["created"] > 0 and counts[kind]["updated"] == 0
        again = import_file(make_session_factory(source), path).counts()
        assert again[kind]["created"] == again[kind]["updated"] == 0
    with make_session_factory(source)() as one, make_session_factory(copy)() as other:
        assert export_catalogue(one, "yaml") == export_catalogue(other, "yaml")


def test_a_spreadsheet_edit_updates_only_that_row(database, tmp_path):
    _url, engine = seeded(database)
    with make_session_factory(engine)() as session:
        exported = export_catalogue(session, "csv", "services")
    edited = exported.replace("Microcrédit coopératif Maghreb", "Microcrédit Maghreb", 1)
    assert edited != exported
    path = tmp_path / "services.csv"
    path.write_text(edited, "utf-8")

    counts = import_file(make_session_factory(engine), path).counts()["services"]

    assert counts["updated"] == 1 and counts["created"] == 0
    assert counts["unchanged"] == len(load_file(SEED_FILE)["services"]) - 1
    with make_session_factory(engine)() as session:
        service = session.scalar(select(Service).where(Service.key == "coop-microcredit-maghreb"))
        assert service is not None
        assert {t.lang: t.title for t in service.translations}["fr"] == "Microcrédit Maghreb"


BAD_YAML = textwrap.dedent("""\
    providers:
      - key: coop-bank
        name: Coop Bank
        kind: bank
        country: ES
    services:
      - key: loan
        provider: nobody
        category: funding
        kind: loan
        sectors: [agrifood, piracy]
        text:
          fr:
            summary: Un prêt
    events:
      - key: fair
        provider: coop-bank
        starts_at: "2027-05-02T18:00"
        ends_at: "2027-05-02T10:00"
        timezone: Europe/Madrid
        venue: Plaça Major
        text:
          en: {title: Fair, summary: A fair}
    """)


def test_yaml_errors_name_the_file_line_and_field_of_every_mistake(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(BAD_YAML, "utf-8")
    with pytest.raises(SeedFileError) as error:
        load_file(path)
    message = str(error.value)
    expected = [
        (line_of(BAD_YAML, "kind: bank"), "providers[1] coop-bank: kind: unknown kind 'bank'"),
        (line_of(BAD_YAML, "provider: nobody"), "services[1] loan: provider: unknown provider"),
        (line_of(BAD_YAML, "piracy"), "services[1] loan: sectors: unknown value 'piracy'"),
        (line_of(BAD_YAML, "fr:"), "services[1] loan: text.fr.title: missing"),
        (line_of(BAD_YAML, "ends_at"), "events[1] fair: ends_at: ends before it starts"),
    ]
    assert f"{path}: {len(expected)} problem(s)" in message
    for line, problem in expected:
        assert f"{path}:{line}: {problem}" in message, (line, problem, message)


BAD_CSV = textwrap.dedent("""\
    key,provider,category,kind,countries,amount_min,amount_max,currency,valid_until,title_fr,summary_fr
    good-loan,fons-etic-llevant,funding,loan,ES,1000,5000,EUR,2027-12-31,Prêt,Un prêt
    ghost-loan,fons-etik,funding,loan,ES,,,,,Prêt,Un prêt
    bad-category,fons-etic-llevant,fundraising,loan,ES;FR,,,,,Prêt,"Un prêt
    sur deux lignes"
    late-loan,fons-etic-llevant,funding,loan,ES,abc,,EUR,2027-02-30,,Un prêt
    """)


def test_csv_errors_name_the_line_and_column_and_the_file_changes_nothing(database, tmp_path):
    _url, engine = seeded(database)
    before = contents(engine)
    path = tmp_path / "services.csv"
    path.write_text(BAD_CSV, "utf-8")

    with pytest.raises(SeedFileError) as error:
        import_file(make_session_factory(engine), path)

    message = str(error.value)
    assert f"{path}: 5 problem(s)" in message
    assert f"{path}:3: services[2] ghost-loan: provider: unknown provider 'fons-etik'" in message
    assert f"{path}:4: services[3] bad-category: category: unknown category" in message
    assert f"{path}:6: services[4] late-loan: amount_min: must be a number" in message
    assert f"{path}:6: services[4] late-loan: valid_until: must be a date" in message
    assert f"{path}:6: services[4] late-loan: title_fr: missing" in message
    assert contents(engine) == before


def test_a_database_failure_midway_rolls_back_every_row(database, tmp_path, monkeypatch):
    _url, engine = seeded(database)
    before = contents(engine)
    with make_session_factory(engine)() as session:
        exported = export_catalogue(session, "yaml")
    path = tmp_path / "changed.yml"
    path.write_text(exported.replace("name: iesMed", "name: iesMed Cooperative")
                    .replace("Cooperative microcredit for the Maghreb", "Microcredit"), "utf-8")

    def broken_index(*_args: object) -> None:
        raise OperationalError("INSERT INTO service_term", {}, Exception("disk full"))

    monkeypatch.setattr("catalog.seed.index_services", broken_index)
    with pytest.raises(TransferError, match="nothing was changed"):
        import_file(make_session_factory(engine), path)
    assert contents(engine) == before


def test_dry_run_reports_what_would_change_and_writes_nothing(database):
    _url, engine = database()
    before = contents(engine)
    report = import_file(make_session_factory(engine), SEED_FILE, dry_run=True)
    assert report.counts()["services"]["created"] == len(load_file(SEED_FILE)["services"])
    assert "dry run, nothing written" in report.lines()[0]
    assert contents(engine) == before


def test_progress_bar_only_when_asked_or_on_a_terminal(database, capsys):
    _url, engine = database()
    import_file(make_session_factory(engine), SEED_FILE, kind="providers")
    assert capsys.readouterr().err == ""  # stderr is not a terminal here
    _url2, other = database("other")
    import_file(make_session_factory(other), SEED_FILE, kind="providers", progress=True)
    assert "importing" in capsys.readouterr().err


def test_cli_refuses_a_bad_file_with_every_error_and_exit_code_1(database, tmp_path, capsys):
    url, engine = database()
    path = tmp_path / "bad.yml"
    path.write_text(BAD_YAML, "utf-8")
    assert main(["catalog", "import", str(path), "--database", url]) == 1
    err = capsys.readouterr().err
    assert "5 problem(s)" in err
    assert f"{path}:{line_of(BAD_YAML, 'provider: nobody')}: services[1] loan" in err
    assert contents(engine)["service"] == []


def test_cli_imports_exports_lists_and_shows(database, tmp_path, capsys):
    url, _engine = database()
    assert main(["catalog", "import", str(SEED_FILE), "--dry-run", "--database", url]) == 0
    assert "50 would be created" in capsys.readouterr().out
    assert main(["catalog", "import", str(SEED_FILE), "--database", url]) == 0
    assert "services: 50 created, 0 updated, 0 unchanged" in capsys.readouterr().out

    out = tmp_path / "services.csv"
    assert main(["catalog", "export", "--format", "csv", "--kind", "services",
                 "--out", str(out), "--database", url]) == 0
    assert out.read_text("utf-8-sig").startswith("key,provider,category")
    assert main(["catalog", "import", str(out), "--database", url]) == 0
    assert "services: 0 created, 0 updated, 50 unchanged" in capsys.readouterr().out
    assert main(["catalog", "export", "--format", "csv", "--database", url]) == 1
    assert "--kind" in capsys.readouterr().err

    assert main(["catalog", "list", "services", "--lang", "fr", "--database", url]) == 0
    listing = capsys.readouterr().out
    assert "coop-microcredit-maghreb" in listing and "Microcrédit coopératif Maghreb" in listing
    assert main(["catalog", "show", "coop-microcredit-maghreb", "--lang", "fr",
                 "--database", url]) == 0
    shown = capsys.readouterr().out
    assert "provider: tiwizi-microfinance" in shown and "Microcrédit coopératif" in shown
    assert "Cooperative microcredit for the Maghreb" not in shown
    assert main(["catalog", "show", "no-such-key", "--database", url]) == 1


FORMULA_YAML = textwrap.dedent("""\
    providers:
      - key: formula-coop
        name: '=HYPERLINK("http://evil.example/x","Fons")'
        kind: financial_entity
        country: TN
        city: "@Tunis"
        text:
          en: {summary: "-50 % on fees, +216 desk"}
          fr: {summary: "'=already quoted by its author"}
    services:
      - key: formula-loan
        provider: formula-coop
        category: funding
        kind: loan
        text:
          en: {title: "+1 loan", summary: "\\tindented summary", description: "\\rcarriage"}
          es: {title: "''-two apostrophes", summary: "=1+1"}
    """)


def test_exported_csv_cells_cannot_run_as_formulas_and_import_back_unchanged(database,
                                                                            tmp_path):
    _url, source = database()
    source_file = tmp_path / "formulas.yml"
    source_file.write_text(FORMULA_YAML, "utf-8")
    import_file(make_session_factory(source), source_file)
    _url2, copy = database("copy")
    for kind in ("providers", "services"):
        with make_session_factory(source)() as session:
            exported = export_catalogue(session, "csv", kind)
        [header, row] = list(csv.reader(io.StringIO(exported)))
        cells = dict(zip(header, row, strict=True))
        for cell in cells.values():
            assert cell[:1] not in {"=", "+", "-", "@", "\t", "\r"}, cell
        path = tmp_path / f"{kind}.csv"
        path.write_text(exported, "utf-8")
        assert import_file(make_session_factory(copy), path).counts()[kind]["created"] == 1
        again = import_file(make_session_factory(source), path).counts()[kind]
        assert again == {"created": 0, "updated": 0, "unchanged": 1}
        if kind == "providers":
            assert cells["name"] == '\'=HYPERLINK("http://evil.example/x","Fons")'
            assert cells["city"] == "'@Tunis"
            assert cells["summary_fr"] == "''=already quoted by its author"
        else:
            assert cells["title_es"] == "'''-two apostrophes"
            assert cells["summary_en"] == "'\tindented summary"
    with make_session_factory(source)() as one, make_session_factory(copy)() as other:
        original = export_catalogue(one, "yaml")
        assert export_catalogue(other, "yaml") == original
    assert '=HYPERLINK("http://evil.example/x","Fons")' in original
    assert "''-two apostrophes" in original and "'=already quoted" in original
