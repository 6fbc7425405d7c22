"""Matching on a small hand-made catalogue, on SQLite and on the real local PostgreSQL."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

import psycopg
import pytest

from catalog.brief import FSI
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.matching.events import rank_events
from catalog.matching.explain import explain
from catalog.matching.need import Need
from catalog.matching.services import rank_services
from catalog.seed import upsert_catalogue

ADMIN = "postgresql://root@127.0.0.1:5432/postgres"
TODAY = dt.date(2026, 11, 25)


def _service(key: str, **fields) -> dict:
    base = {"key": key, "provider": "fund", "category": "funding", "kind": "loan",
            "countries": [], "legal_forms": [], "sectors": [], "stages": [],
            "languages": ["en"], "cost": "paid",
            "text": {"en": {"title": f"Title {key}", "summary": "A service.",
                            "description": "Plain description."}}}
    base.update(fields)
    return base


CATALOGUE = {
    "providers": [{"key": "fund", "name": "Fund of the Sea", "kind": "financial_entity",
                   "country": "ES"}],
    "services": [
        _service("tunisia-coop-loan", countries=["TN"], legal_forms=["cooperative"],
                 amount_min=5000, amount_max=50000, currency="EUR", languages=["fr", "ar"],
                 sectors=["agrifood"],
                 text={"fr": {"title": "Prêt coopératif Tunisie",
                              "summary": "Prêts pour les coopératives tunisiennes.",
                              "description": "Pour acheter un pressoir à huile d'olive."}}),
        _service("open-loan", amount_min=1000, amount_max=30000, currency="EUR",
                 languages=["en"]),
        _service("morocco-only", countries=["MA"]),
        _service("associations-only", legal_forms=["association"]),
        _service("big-tickets", amount_min=100000, amount_max=900000, currency="EUR"),
        _service("expired", valid_until="2026-01-31"),
        _service("switched-off", active=False),
        _service("growing-only", stages=["growing"]),
        _service("advice", category="consultancy", kind="business_plan"),
        _service("free-olive-grant", kind="grant", cost="free", languages=["fr"],
                 text={"fr": {"title": "Subvention oléicole", "summary": "Pour l'olive.",
                              "description": "Moulins et pressoirs à huile d'olive."}}),
    ],
    "events": [
        {"key": "tunis-forum", "provider": "fund", "starts_at": "2027-03-01T09:00:00",
         "ends_at": "2027-03-01T17:00:00", "timezone": "Africa/Tunis", "venue": "Tunis",
         "languages": ["fr", "ar"], "topics": ["funding"], "countries": ["TN"],
         "registration_deadline": "2027-02-20",
         "text": {"fr": {"title": "Forum de Tunis", "summary": "Rencontre."}}},
        {"key": "past-event", "provider": "fund", "starts_at": "2026-01-01T09:00:00",
         "ends_at": "2026-01-01T17:00:00", "timezone": "Europe/Madrid", "venue": "Madrid",
         "languages": ["es"], "topics": ["funding"], "countries": ["ES"],
         "text": {"es": {"title": "Pasado", "summary": "Ya pasó."}}},
    ],
}


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'matching.sqlite3'}")
        drop = None
    else:
        name = f"iesmed_match_{secrets.token_hex(4)}"
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        engine = make_engine(f"postgresql+psycopg://root@127.0.0.1:5432/{name}")
        drop = name
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        upsert_catalogue(session, CATALOGUE)
    yield factory
    engine.dispose()
    if drop:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')


def _keys(factory, need: Need, **kwargs) -> list[str]:
    with factory() as session:
        return [p.key for p in rank_services(session, need, today=TODAY, limit=20,
                                             **kwargs).proposals]


def test_hard_filters_exclude_what_the_case_is_not_eligible_for(sessions):
    need = Need(language="fr", country="TN", legal_form="cooperative", stage="starting",
                need_category="funding", amount=Decimal(20000), currency="EUR")
    keys = _keys(sessions, need)
    assert set(keys[:3]) == {"tunisia-coop-loan", "open-loan", "free-olive-grant"}
    # the wrong country, legal form, stage, dates, switch and category are all out
    assert not {"morocco-only", "associations-only", "growing-only", "expired",
                "switched-off", "advice"} & set(keys)
    # a range that does not cover the amount asked for is shown last, never first
    assert keys[3:] == ["big-tickets"]


def test_an_unknown_field_filters_nothing_and_a_partial_case_still_gets_proposals(sessions):
    keys = _keys(sessions, Need(language="en", need_category="funding"))
    assert {"morocco-only", "associations-only", "growing-only", "big-tickets"} <= set(keys)
    assert "expired" not in keys and "switched-off" not in keys and "advice" not in keys


def test_language_sector_and_the_users_own_words_rank_first(sessions):
    words = "Nous voulons acheter un pressoir pour notre huile d'olive"
    need = Need(language="fr", country="TN", legal_form="cooperative", sector="agrifood",
                need_category="funding", amount=Decimal(20000), words=words)
    keys = _keys(sessions, need)
    assert keys[0] == "tunisia-coop-loan"  # French, agrifood, and "pressoir ... olive"
    assert keys.index("free-olive-grant") < keys.index("open-loan")  # French + olive words
    english = _keys(sessions, Need(language="en", country="TN", need_category="funding",
                                   amount=Decimal(20000)))
    assert english.index("open-loan") < english.index("tunisia-coop-loan")


def test_reasons_say_why_in_the_users_language(sessions):
    need = Need(language="fr", country="TN", legal_form="cooperative", sector="agrifood",
                need_category="funding", amount=Decimal(20000),
                words="un pressoir pour l'huile d'olive")
    with sessions() as session:
        top = rank_services(session, need, today=TODAY).proposals[0]
    assert top.title == "Prêt coopératif Tunisie" and top.provider == "Fund of the Sea"
    text = explain(top.reasons, "fr")
    assert "Coopérative" in text and "Tunisie" in text and "Agroalimentaire" in text
    assert "5\u202f000\xa0€" in text and "50\u202f000\xa0€" in text
    assert "français" in text and "pressoir" in text
    arabic = explain(top.reasons, "ar")
    assert "تونس" in arabic and FSI in arabic  # amounts isolated inside Arabic text
    assert "Tunisia" in explain(top.reasons, "en") and "French" in explain(top.reasons, "en")


def test_pages_do_not_repeat_and_the_total_counts_every_fit(sessions):
    need = Need(language="en", need_category="funding")
    with sessions() as session:
        first = rank_services(session, need, today=TODAY, limit=3)
        second = rank_services(session, need, today=TODAY, limit=3, offset=3)
        rest = rank_services(session, need, today=TODAY, limit=3, offset=6)
    keys = [p.key for p in first.proposals + second.proposals + rest.proposals]
    assert first.total == 7 and len(keys) == 7 and len(set(keys)) == 7


def test_nothing_fits_is_an_empty_answer_not_an_error(sessions):
    need = Need(language="en", country="TN", legal_form="cooperative", need_category="innovation")
    with sessions() as session:
        matches = rank_services(session, need, today=TODAY)
    assert matches.total == 0 and matches.proposals == []
    # A service without an amount range is open to any amount; one with a range that does
    # not cover the amount comes after it, and says why.
    too_much = Need(language="en", country="TN", legal_form="cooperative",
                    need_category="funding", amount=Decimal(5_000_000), currency="EUR")
    keys = _keys(sessions, too_much)
    assert keys.index("free-olive-grant") < keys.index("tunisia-coop-loan")
    with sessions() as session:
        loan = next(p for p in rank_services(session, too_much, today=TODAY, limit=20).proposals
                    if p.key == "tunisia-coop-loan")
    assert loan.reasons[0][0] == "reason_amount_too_small"
    assert "€50,000: less than the €5,000,000 you asked for" in explain(loan.reasons, "en")
    assert "50.000\xa0€: menos de los 5.000.000\xa0€ que pides" in explain(loan.reasons, "es")


def test_a_service_below_the_amount_asked_ranks_after_those_that_cover_it(sessions):
    # 20,000 euros asked: the loan of 1,000-15,000 is shown after those that cover it, and
    # its reasons say it offers less; one whose range covers the amount says nothing of it.
    need = Need(language="en", need_category="funding", amount=Decimal(20000),
                currency="EUR")
    with sessions() as session:
        proposals = rank_services(session, need, today=TODAY, limit=20).proposals
    keys = [p.key for p in proposals]
    outside = {p.key for p in proposals if p.reasons and p.reasons[0][0].startswith(
        "reason_amount_too_")}
    assert outside == {"big-tickets"}
    assert keys[-1] == "big-tickets"
    text = explain(proposals[-1].reasons, "en")
    assert text.startswith("starts at €100,000: more than the €20,000 you asked for")


def test_events_are_upcoming_and_closest_to_the_need_first(sessions):
    need = Need(language="fr", country="TN", need_category="funding")
    with sessions() as session:
        events = rank_events(session, need, now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    assert [e.key for e in events.proposals] == ["tunis-forum"]
    assert "1 mars 2027, 09:00 · Tunis" in explain(events.proposals[0].reasons, "fr")
