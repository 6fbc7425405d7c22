"""Matching benchmark: `./iesmed bench matching [--sizes 1000,10000,100000] [--queries 200]`.

Generates synthetic catalogues of the given sizes (texts recombined from the seed
catalogue's own sentences, random eligibility, amounts and languages), loads each
into a fresh SQLite file and a fresh PostgreSQL database, and times
`catalog.matching.services.rank_services` on random partial and complete cases. Prints
p50/p95/max latency per size and database, and how p95 grows with the size.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from catalog.db import make_engine, make_session_factory, upgrade
from catalog.matching.need import NEED_CATEGORIES, Need
from catalog.matching.services import rank_services
from catalog.models import (
    Provider,
    Service,
    ServiceEligibility,
    ServiceTerm,
    ServiceTranslation,
)
from catalog.search import derived_columns, service_terms
from catalog.seed import SEED_FILE, load_file
from catalog.vocabulary import CATEGORIES, LANGUAGES, LEGAL_FORMS, SECTORS, STAGES

COUNTRIES = ("ES", "FR", "IT", "PT", "GR", "TR", "MA", "DZ", "TN", "EG", "LB", "JO", "CY", "MT",
             "HR", "AL")
DEFAULT_PG = "postgresql+psycopg://127.0.0.1:5432/postgres"


@cache
def _sentences() -> dict[str, list[str]]:
    """Sentences of the seed catalogue per language, to recombine into plausible texts."""
    found: dict[str, list[str]] = {}
    for row in load_file(SEED_FILE)["services"]:
        for lang, body in row["text"].items():
            for field in ("title", "summary", "description"):
                for sentence in str(body.get(field, "")).split(". "):
                    if len(sentence) > 20:
                        found.setdefault(lang, []).append(sentence.strip())
    return found


def _pick(rng: random.Random, values: tuple[str, ...] | list[str], most: int) -> list[str]:
    return rng.sample(list(values), rng.randint(0, most))


_Rows = list[dict[str, Any]]


def _synthetic_service(rng: random.Random, sid: int, sentences: dict[str, list[str]]
                       ) -> tuple[dict[str, Any], _Rows, _Rows, _Rows]:
    """One synthetic service: its row, its texts, its eligibility rows and its search terms."""
    category = rng.choice(sorted(CATEGORIES))
    low = rng.choice([None, 1000, 5000, 20000, 50000])
    high = None if low is None else low * rng.choice([5, 10, 20])
    delivered = rng.sample(sorted(sentences), rng.randint(1, 3))
    service: dict[str, Any] = {
        "id": sid, "key": f"service-{sid}", "provider_id": rng.randint(1, 50),
        "category": category, "kind": category, "amount_min": low, "amount_max": high,
        "currency": "EUR" if low else None, "cost": rng.choice(["free", "paid"]),
        "languages": delivered, "active": rng.random() > 0.05}
    texts: _Rows = []
    bodies: list[str] = []
    for lang in delivered:
        words = rng.sample(sentences[lang], 4)
        body: dict[str, Any] = {
            "service_id": sid, "lang": lang, "title": words[0][:300],
            "summary": words[1], "description": ". ".join(words[2:])}
        texts.append(body)
        bodies.extend([body["title"], body["summary"], body["description"]])
    rows = [(dimension, value)
            for dimension, values, most in (("country", COUNTRIES, 4),
                                            ("legal_form", sorted(LEGAL_FORMS), 3),
                                            ("sector", sorted(SECTORS), 3),
                                            ("stage", sorted(STAGES), 2))
            for value in _pick(rng, values, most)]
    eligibility = [{"service_id": sid, "dimension": d, "value": v} for d, v in rows]
    service.update(derived_columns(rows, delivered))
    terms = [{"service_id": sid, "term": t} for t in service_terms(bodies, delivered)]
    return service, texts, eligibility, terms


def generate(engine: Engine, size: int, seed: int = 7) -> None:
    """Fill an empty, migrated database with ``size`` synthetic services."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    sentences = _sentences()
    with engine.begin() as conn:
        conn.execute(insert(Provider), [
            {"id": i, "key": f"provider-{i}", "name": f"Provider {i}", "kind": "network",
             "country": rng.choice(COUNTRIES), "discoverable": False} for i in range(1, 51)])
    batch = 2000
    for start in range(0, size, batch):
        services: _Rows = []
        texts: _Rows = []
        eligibility: _Rows = []
        terms: _Rows = []
        for sid in range(start + 1, min(size, start + batch) + 1):
            service, its_texts, its_rows, its_terms = _synthetic_service(rng, sid, sentences)
            services.append(service)
            texts.extend(its_texts)
            eligibility.extend(its_rows)
            terms.extend(its_terms)
        with engine.begin() as conn:
            conn.execute(insert(Service), services)
            conn.execute(insert(ServiceTranslation), texts)
            if eligibility:
                conn.execute(insert(ServiceEligibility), eligibility)
            conn.execute(insert(ServiceTerm), terms)
    # Planner statistics and, on PostgreSQL, the visibility map that index-only scans
    # need: what autovacuum gives any live database shortly after a bulk import.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                          else "ANALYZE"))


def needs(count: int, seed: int = 11) -> list[Need]:
    """Random cases: some almost empty (early in the chat), most complete."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    sentences = _sentences()
    result = []
    for i in range(count):
        lang = rng.choice(sorted(sentences))
        partial = i % 4 == 0
        result.append(Need(
            language=lang if lang in LANGUAGES else "en",
            country=None if partial else rng.choice(COUNTRIES),
            legal_form=None if partial else rng.choice(sorted(LEGAL_FORMS)),
            stage=None if partial else rng.choice(sorted(STAGES)),
            sector=rng.choice(sorted(SECTORS)),
            need_category=rng.choice(sorted(NEED_CATEGORIES)),
            amount=None if partial else Decimal(rng.choice([3000, 15000, 80000])),
            currency="EUR", words=rng.choice(sentences[lang])))
    return result


def measure(engine: Engine, cases: list[Need]) -> list[float]:
    """Milliseconds per `rank_services` call, one session per call as in the action server."""
    sessions = make_session_factory(engine)
    with sessions() as session:  # warm the connection pool and the caches
        for need in cases[:10]:
            rank_services(session, need)
    timings = []
    for need in cases:
        with sessions() as session:
            start = time.perf_counter()
            rank_services(session, need)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


@contextmanager
def database(kind: str, size: int, pg_url: str) -> Iterator[Engine]:
    """A fresh, migrated database of ``kind`` that is removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
            try:
                yield engine
            finally:
                engine.dispose()
        return
    name = f"iesmed_bench_{os.getpid()}_{size}"
    admin = make_engine(pg_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(pg_url).set(database=name).render_as_string(False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per size and database."""
    parser = argparse.ArgumentParser(prog="iesmed bench")
    parser.add_argument("what", choices=["matching"])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args(argv)
    cases = needs(args.queries)
    print(f"{'database':<11}{'services':>9}{'load s':>8}{'p50 ms':>8}{'p95 ms':>8}"
          f"{'max ms':>8}{'fits':>7}", flush=True)
    p95: dict[tuple[str, int], float] = {}
    for kind in args.databases.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            with database(kind, size, args.pg_url) as engine:
                upgrade(engine)
                start = time.perf_counter()
                generate(engine, size)
                loaded = time.perf_counter() - start
                timings = measure(engine, cases)
                with make_session_factory(engine)() as session:
                    fits = statistics.mean(rank_services(session, n).total for n in cases[:50])
            p95[(kind, size)] = _percentile(timings, 0.95)
            print(f"{kind:<11}{size:>9}{loaded:>8.1f}{_percentile(timings, 0.5):>8.2f}"
                  f"{p95[(kind, size)]:>8.2f}{max(timings):>8.2f}{fits:>7.0f}", flush=True)
    for kind in args.databases.split(","):
        sizes = sorted(size for k, size in p95 if k == kind)
        growth = ", ".join(f"x{p95[(kind, b)] / p95[(kind, a)]:.1f} for {b // a}x services"
                           for a, b in itertools.pairwise(sizes))
        if growth:
            print(f"{kind}: p95 growth {growth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
