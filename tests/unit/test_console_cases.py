"""Cases and the overview in the console: filters, briefs, exports, charts drawn as SVG."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.console import charts
from bot.web.app import create_app
from catalog import handoff
from catalog.console_queries import WeekCount
from catalog.models import (
    Case,
    CaseService,
    Conversation,
    Provider,
    Service,
    ServiceTranslation,
)
from ops.supervisor import free_port
from tests.support.console import add_staff, sign_in

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def app(settings_factory):
    return create_app(settings_factory(RASA_URL=f"http://127.0.0.1:{free_port()}"))


@pytest.fixture
def sessions(app):
    return app.state.core.store.sessions


@pytest.fixture
def cases(sessions):
    """Four cases over the last three weeks, in three languages, one closed as referred."""
    rows = [("IM-AAA001", "MA", "funding", "fr", "new", 1),
            ("IM-AAA002", "TN", "consultancy", "ar", "new", 8),
            ("IM-AAA003", "MA", "consultancy", "fr", "referred", 15),
            ("IM-AAA004", "IT", "funding", "it", "matched", 16)]
    with sessions.begin() as session:
        for i, (ref, country, need, lang, status, days_ago) in enumerate(rows):
            session.add(Conversation(id=f"c{i}", channel="web", language=lang, state="bot"))
            session.flush()
            session.add(Case(reference=ref, conversation_id=f"c{i}", channel="web", language=lang,
                             status=status, org_name=f"Coop {i} <script>", country=country,
                             need_category=need, email=f"coop{i}@example.org",
                             original_words=[f"words of coop {i}"],
                             created_at=NOW - dt.timedelta(days=days_ago)))
    return [r[0] for r in rows]


@pytest.fixture
def broker(app, sessions):
    add_staff(sessions, "maria@iesmed.example", name="Maria")
    client = TestClient(app)
    sign_in(client, "maria@iesmed.example")
    return client


def test_cases_list_filters_by_language_country_need_and_status(broker, cases):
    page = broker.get("/console/cases").text
    assert all(ref in page for ref in cases)
    assert "Coop 0 &lt;script&gt;" in page and "<script>" not in page.split("</head>")[1]
    french = broker.get("/console/cases?language=fr").text
    assert "IM-AAA001" in french and "IM-AAA003" in french and "IM-AAA002" not in french
    moroccan_consultancy = broker.get("/console/cases?country=ma&need=consultancy").text
    assert "IM-AAA003" in moroccan_consultancy and "IM-AAA001" not in moroccan_consultancy
    referred = broker.get("/console/cases?status=referred").text
    assert "IM-AAA003" in referred and "IM-AAA004" not in referred
    since = (NOW - dt.timedelta(days=10)).date().isoformat()
    recent = broker.get(f"/console/cases?since={since}").text
    assert "IM-AAA001" in recent and "IM-AAA002" in recent and "IM-AAA003" not in recent
    assert "Showing 2 of 2" in recent


def test_export_follows_the_filters_in_csv_and_json(broker, cases):
    response = broker.get("/console/cases/export?format=csv&country=MA")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert sorted(r["reference"] for r in rows) == ["IM-AAA001", "IM-AAA003"]
    records = json.loads(broker.get("/console/cases/export?format=json&language=ar").text)
    assert [r["reference"] for r in records] == ["IM-AAA002"]
    assert records[0]["original_words"] == ["words of coop 1"]
    assert broker.get("/console/cases/export?format=xml").status_code == 400


def test_case_brief_in_the_brokers_language_with_chosen_services(app, sessions, cases):
    add_staff(sessions, "nikos@iesmed.example", language="el")
    client = TestClient(app)
    sign_in(client, "nikos@iesmed.example")
    with sessions.begin() as session:
        case = session.scalar(select(Case).where(Case.reference == "IM-AAA004"))
        provider = Provider(key="coopfin", name="CoopFin", kind="financial_entity", country="IT")
        session.add(provider)
        session.flush()
        service = Service(key="micro-loan", provider_id=provider.id, category="funding",
                          kind="loan", translations=[
                              ServiceTranslation(lang="en", title="Micro-loans", summary="."),
                              ServiceTranslation(lang="el", title="Μικροδάνεια", summary=".")])
        session.add(service)
        session.flush()
        session.add(CaseService(case_id=case.id, service_id=service.id))
    page = client.get("/console/cases/IM-AAA004").text
    assert "Μικροδάνεια" in page and "Micro-loans" not in page
    assert "Ιταλία" in page  # Italy, in Greek
    assert "words of coop 3" in page
    assert "Επιλέχθηκε υπηρεσία" in page  # status "matched" in Greek
    assert client.get("/console/cases/IM-NOPE00").status_code == 404


def test_overview_draws_the_requests_and_waits_as_inline_svg(broker, sessions, cases):
    with sessions.begin() as session:
        for i, minutes in enumerate((3, 12, 40)):
            cid = f"w{i}"
            session.add(Conversation(id=cid, channel="web", language="ar", state="bot"))
            session.flush()
            handoff.escalate(session, cid, reason="user_request",
                             now=NOW - dt.timedelta(hours=2))
            handoff.take(session, cid, staff_id=1,
                         now=NOW - dt.timedelta(hours=2) + dt.timedelta(minutes=minutes))
    response = broker.get("/console/overview?weeks=4")
    page = response.text
    assert response.status_code == 200
    assert page.count("<svg") == 5
    assert "<script" not in page.split("</head>")[1]  # drawn by the server, no chart library
    bars = re.findall(r"<title>([^<]*)</title>", page)
    assert any("Funding: " in b for b in bars) and any("Morocco: " in b for b in bars)
    assert any("Referred to a partner: 1" in b for b in bars)
    assert any(b.endswith("Arabic: 1") for b in bars)
    # Waits of 3, 12 and 40 minutes fall in three different buckets, one each.
    waits = [b for b in bars if b.endswith(": 1") and "·" not in b]
    assert len(waits) == 3
    assert "12 minutes" in page  # the median wait


def test_the_overview_has_no_data_message_for_an_empty_period(broker):
    page = broker.get("/console/overview").text
    assert page.count("<svg") == 0
    assert page.count("No data in this period.") == 5


def test_stacked_chart_heights_follow_the_counts_and_rare_values_become_other():
    weeks = [dt.date(2026, 11, 2), dt.date(2026, 11, 9)]
    counts = [WeekCount(weeks[0], "MA", 4), WeekCount(weeks[1], "MA", 2),
              WeekCount(weeks[1], "TN", 2)]
    counts += [WeekCount(weeks[1], code, 1) for code in ("FR", "IT", "ES", "PT", "GR", "TR",
                                                         "EG")]
    chart = charts.stacked_by_week(counts, weeks, label=str, day=str, other="other")
    assert chart.total == 15
    ma = [b for b in chart.bars if b.title.endswith("MA: 4") or b.title.endswith("MA: 2")]
    assert ma[0].height == pytest.approx(2 * ma[1].height, abs=0.2)
    assert [label for _s, label, _n in chart.legend][:2] == ["MA", "TN"]
    assert chart.legend[-1] == (7, "other", 2)  # eight colours: the two rarest share one
    assert all(charts.TOP <= b.y and b.y + b.height <= chart.base + 0.2 for b in chart.bars)


def test_nice_ceiling_rounds_axis_tops():
    # Four whole steps: counts never read "1.2" on the axis.
    assert [charts.nice_ceiling(v) for v in (0, 1, 3, 4, 5, 7, 11, 22, 180, 501)] == \
        [4, 4, 4, 4, 8, 8, 20, 40, 200, 800]
