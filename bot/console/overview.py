"""The overview page: requests over time by need, country, language and outcome; waits."""

from __future__ import annotations

import datetime as dt
import statistics
from itertools import pairwise
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from bot.console import charts
from bot.console.i18n import Texts
from bot.console.web import db, render, staff_only, texts
from catalog import console_queries
from catalog.staff import StaffMember

PERIODS = (4, 12, 26, 52)  # weeks
# Wait buckets in minutes: under 5, 5-15, 15-60, 1-4 h, 4-24 h, a day or more.
WAIT_EDGES = (0.0, 5.0, 15.0, 60.0, 240.0, 1440.0)


def wait_labels(t: Texts) -> list[str]:
    """Return the wait buckets' labels in the broker's language."""
    spans = [t.span(dt.timedelta(minutes=m)) for m in WAIT_EDGES[1:]]
    labels = [t("range_below", limit=spans[0])]
    labels += [t("range_between", low=low, high=high) for low, high in pairwise(spans)]
    labels.append(t("range_above", limit=spans[-1]))
    return labels


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def build(session: Session, t: Texts, weeks: int, now: dt.datetime) -> dict[str, Any]:
    """Read the period's figures and lay out the charts."""
    this_week = console_queries.week_start(now)
    first = this_week - dt.timedelta(weeks=weeks - 1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    columns = charts.weeks_between(first, this_week)
    label = {"need": t.need, "country": t.country, "language": t.language_name,
             "outcome": lambda code: t.code("status", code)}
    by = {name: charts.stacked_by_week(
              console_queries.requests_by_week(session, name, since=since), columns,
              label=label[name], day=t.day, other=t("chart_other"))
          for name in ("need", "country", "language", "outcome")}
    waits = [w.total_seconds() / 60 for w in
             console_queries.wait_times(session, days=weeks * 7, now=now)]
    figures = {"count": len(waits),
               "median": t.duration(dt.timedelta(minutes=statistics.median(waits)))
               if waits else "—",
               "p90": t.duration(dt.timedelta(minutes=_percentile(waits, 0.9)))
               if waits else "—"}
    return {"by": by, "waits": charts.histogram(waits, WAIT_EDGES, wait_labels(t)),
            "wait_figures": figures, "counts": console_queries.handoff_counts(session),
            "first": first}


@staff_only()
async def overview_page(request: Request, member: StaffMember) -> Response:
    """Show the charts for the chosen number of weeks."""
    raw = request.query_params.get("weeks", "12")
    weeks = int(raw) if raw.isdigit() and int(raw) in PERIODS else 12
    t = texts(request, member.language)
    data = await db(request, lambda s: build(s, t, weeks, dt.datetime.now(dt.UTC)))
    return render(request, "overview.html", lang=member.language, member=member, weeks=weeks,
                  periods=PERIODS, **data)
