"""The queue and conversation pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.console import views
from bot.console.web import db, refuse, render, staff_only
from catalog import handoff
from catalog.staff import StaffMember
from catalog.vocabulary import LANGUAGES

CHANNELS = ("web", "telegram", "whatsapp", "terminal")
QUEUE_STATES = {"waiting": ("waiting",), "human": ("human",), "all": ("waiting", "human")}
# Results of actions the page may announce (?done=...); anything else is ignored.
DONE = frozenset({"done_taken", "done_assigned", "done_released", "done_handed_back",
                  "done_closed", "done_sent", "done_noted", "done_retried"})


def queue_filters(request: Request) -> dict[str, str]:
    """Return the queue filters given in the query string, validated."""
    query = request.query_params
    chosen = {"language": query.get("language", ""), "channel": query.get("channel", ""),
              "state": query.get("state", "all"), "mine": query.get("mine", "")}
    if chosen["language"] not in LANGUAGES:
        chosen["language"] = ""
    if chosen["channel"] not in CHANNELS:
        chosen["channel"] = ""
    if chosen["state"] not in QUEUE_STATES:
        chosen["state"] = "all"
    chosen["mine"] = "1" if chosen["mine"] == "1" else ""
    return chosen


async def _entries(request: Request, member: StaffMember,
                   chosen: dict[str, str]) -> list[handoff.QueueEntry]:
    return await db(request, lambda s: handoff.queue(
        s, states=QUEUE_STATES[chosen["state"]], language=chosen["language"] or None,
        channel=chosen["channel"] or None,
        assigned_to=member.id if chosen["mine"] else None))


@staff_only()
async def queue_page(request: Request, member: StaffMember) -> Response:
    """Show conversations waiting for a broker (oldest first) and those held."""
    chosen = queue_filters(request)
    entries = await _entries(request, member, chosen)
    return render(request, "queue.html", lang=member.language, member=member, entries=entries,
                  filters=chosen, languages=LANGUAGES, channels=CHANNELS,
                  states=tuple(QUEUE_STATES), now=dt.datetime.now(dt.UTC))


@staff_only()
async def queue_rows(request: Request, member: StaffMember) -> Response:
    """Return just the queue's table rows (the page refreshes them live)."""
    entries = await _entries(request, member, queue_filters(request))
    return render(request, "queue_rows.html", lang=member.language, member=member,
                  entries=entries, now=dt.datetime.now(dt.UTC))


async def conversation(request: Request, member: StaffMember, *, message_key: str = "",
                       status: int = 200, draft: str = "") -> Response:
    """Render one conversation, optionally with the result of an action."""
    cid = request.path_params["conversation_id"]
    view = await db(request, lambda s: views.conversation_view(s, cid, member.language))
    if view is None:
        return refuse(request, member, "error_not_found", 404)
    context: dict[str, Any] = {"view": view, "message_key": message_key, "draft": draft,
                               "outcomes": handoff.OUTCOMES, "now": dt.datetime.now(dt.UTC)}
    return render(request, "conversation.html", lang=member.language, member=member,
                  status=status, **context)


@staff_only()
async def conversation_page(request: Request, member: StaffMember) -> Response:
    """Show a conversation: brief, transcript, notes and what the broker can do."""
    done = request.query_params.get("done", "")
    return await conversation(request, member, message_key=done if done in DONE else "")
