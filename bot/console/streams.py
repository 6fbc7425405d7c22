"""Live console views over server-sent events: the queue and one conversation.

Like the web chat's stream, each reads the database (so writes from any process
arrive), wakes at once on this process's pulse and otherwise looks every second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from bot.console.i18n import Texts
from bot.console.web import db, refuse, staff_only, texts
from bot.web.live import Pulse, sse
from catalog import console_queries
from catalog.console_queries import TranscriptRow
from catalog.staff import StaffMember

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def guarded(events: AsyncIterator[str]) -> AsyncIterator[str]:
    """Pass events on; end the stream cleanly if reading fails (the page reconnects)."""
    try:
        async for chunk in events:
            yield chunk
    except Exception:
        logger.exception("console: a live stream failed")


def _after(request: Request) -> int:
    raw = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


def author_label(t: Texts, row: TranscriptRow) -> str:
    """Return who wrote a transcript row, as the console names them."""
    if row.author == "broker" and row.staff_name:
        return row.staff_name
    return t.code("author", row.author)


def message_event(t: Texts, row: TranscriptRow) -> dict[str, Any]:
    """Return a transcript row as the page's script draws it (text stays text)."""
    return {"id": row.id, "author": row.author, "who": author_label(t, row), "text": row.text,
            "time": t.when(row.created_at), "status": row.status,
            "status_label": t.code("delivery", row.status) if row.status else "",
            "outbox_id": row.outbox_id}


@staff_only()
async def queue_events(request: Request, member: StaffMember) -> Response:
    """Tell the queue page whenever its rows may have changed."""
    pulse: Pulse = request.app.state.pulse

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        marker: tuple[int, int] | None = None
        quiet_since = time.monotonic()
        while not await request.is_disconnected():
            current = await db(request, console_queries.queue_marker)
            if current != marker:
                marker = current
                quiet_since = time.monotonic()
                yield sse("changed", {"marker": list(current)})
            elif time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
                quiet_since = time.monotonic()
                yield ": keep-alive\n\n"
            await pulse.wait(POLL_SECONDS)

    return StreamingResponse(guarded(stream()), media_type="text/event-stream",
                             headers=STREAM_HEADERS)


@staff_only()
async def conversation_events(request: Request, member: StaffMember) -> Response:
    """Stream new transcript rows, delivery statuses and state changes of one conversation."""
    pulse: Pulse = request.app.state.pulse
    cid = request.path_params["conversation_id"]
    t = texts(request, member.language)
    start = await db(request, lambda s: console_queries.conversation_marker(s, cid))
    if start is None:
        return refuse(request, member, "error_not_found", 404)
    after = _after(request)

    def read(session: Session) -> tuple[Any, list[TranscriptRow], dict[int, tuple[str, int]]]:
        return (console_queries.conversation_marker(session, cid),
                console_queries.transcript(session, cid, after=after, limit=100),
                console_queries.delivery_statuses(session, cid))

    async def stream() -> AsyncIterator[str]:
        nonlocal after
        yield "retry: 2000\n\n"
        marker, seen = start, dict[int, tuple[str, int]]()
        quiet_since = time.monotonic()
        while not await request.is_disconnected():
            current, rows, statuses = await db(request, read)
            if current is None:
                yield sse("gone", {})
                return
            events = []
            for row in rows:
                after = row.id
                events.append(sse("message", message_event(t, row), row.id))
            for tid, (status, outbox_id) in statuses.items():
                if tid <= after and seen.get(tid, ("",))[0] != status:
                    events.append(sse("status", {"id": tid, "status": status,
                                                 "outbox_id": outbox_id,
                                                 "label": t.code("delivery", status)}))
            seen = statuses
            if current != marker:
                marker = current
                events.append(sse("state", {"state": current[0], "holder": current[1]}))
            if events:
                quiet_since = time.monotonic()
                yield "".join(events)
            elif time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
                quiet_since = time.monotonic()
                yield ": keep-alive\n\n"
            await pulse.wait(POLL_SECONDS)

    return StreamingResponse(guarded(stream()), media_type="text/event-stream",
                             headers=STREAM_HEADERS)
