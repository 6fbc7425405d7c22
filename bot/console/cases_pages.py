"""Cases in the console: list with filters, one case's brief, CSV/JSON export."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from bot.console import views
from bot.console.web import HEADERS, db, refuse, render, staff_only
from catalog import console_queries
from catalog.cases import export, find_cases
from catalog.handoff import OUTCOMES
from catalog.models import Case
from catalog.staff import StaffMember
from catalog.vocabulary import LANGUAGES

STATUSES = ("new", "matched", "escalated", "closed", *OUTCOMES)
NEEDS = ("funding", "consultancy", "innovation", "internationalisation", "partners", "events",
         "other")
SHOWN = 300
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def case_filters(request: Request) -> dict[str, str]:
    """Return the case filters of the query string, validated (invalid ones dropped)."""
    query = request.query_params
    chosen = {name: query.get(name, "").strip() for name in
              ("status", "country", "need", "language", "since", "until")}
    if chosen["status"] not in STATUSES:
        chosen["status"] = ""
    chosen["country"] = chosen["country"].upper() if _COUNTRY.match(chosen["country"]) else ""
    if chosen["need"] not in NEEDS:
        chosen["need"] = ""
    if chosen["language"] not in LANGUAGES:
        chosen["language"] = ""
    for name in ("since", "until"):
        if _date(chosen[name]) is None:
            chosen[name] = ""
    return chosen


def _find(session: Session, chosen: dict[str, str]) -> list[Case]:
    return find_cases(session, status=chosen["status"] or None,
                      country=chosen["country"] or None, need=chosen["need"] or None,
                      language=chosen["language"] or None, since=_date(chosen["since"]),
                      until=_date(chosen["until"]))


@staff_only()
async def cases_page(request: Request, member: StaffMember) -> Response:
    """List cases matching the filters, newest first."""
    chosen = case_filters(request)
    found = await db(request, lambda s: _find(s, chosen))
    found.reverse()
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(request, "cases.html", lang=member.language, member=member,
                  cases=found[:SHOWN], total=len(found), filters=chosen, query=query,
                  statuses=STATUSES, needs=NEEDS, languages=LANGUAGES)


@staff_only()
async def case_page(request: Request, member: StaffMember) -> Response:
    """Show one case's brief in the broker's language."""
    reference = request.path_params["reference"]

    def read(session: Session) -> dict[str, Any] | None:
        case = console_queries.case_by_reference(session, reference)
        if case is None:
            return None
        return {"case": case, "brief": views.case_brief(session, case, member.language),
                "history": list(case.history)}

    found = await db(request, read)
    if found is None:
        return refuse(request, member, "error_not_found", 404)
    return render(request, "case.html", lang=member.language, member=member, **found)


@staff_only()
async def export_cases(request: Request, member: StaffMember) -> Response:
    """Download the filtered cases as CSV or JSON."""
    fmt = request.query_params.get("format", "csv")
    if fmt not in ("csv", "json"):
        return refuse(request, member, "error_bad_request", 400)
    chosen = case_filters(request)
    body = await db(request, lambda s: export(_find(s, chosen), fmt))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="cases-{stamp}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)
