"""Live updates over server-sent events: broker replies and notices reach the web chat.

Each stream reads the transcript from the database, so a message written by any
bot process (several replicas, a restarted one) reaches the page; a pulse inside
this process wakes streams at once, and otherwise they look again every second.
A page that reconnects sends the last id it saw (EventSource does this itself
with Last-Event-ID) and catches up on everything it missed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.core import documents
from bot.core.store import ConversationStore
from bot.errors import UnknownConversation
from bot.web.chat_api import served_conversation

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0


class Pulse:
    """Wake every waiting stream of this process when something changed."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self, _conversation_id: str | None = None) -> None:
        """Tell waiting streams to look again now."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Return when notified or after ``timeout`` seconds."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass


def _after(request: Request) -> int:
    raw = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


def sse(event: str, data: object, event_id: int | None = None) -> str:
    """Format one server-sent event."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def conversation_events(request: Request) -> Response:
    """Stream broker replies, notices and state changes of one web conversation."""
    store: ConversationStore = request.app.state.core.store
    pulse: Pulse = request.app.state.pulse
    conversation_id = request.path_params["conversation_id"]
    try:
        # The same conversations as the chat API: web and terminal, ids the store hands out.
        info = await asyncio.to_thread(served_conversation, store, conversation_id)
    except UnknownConversation:
        return JSONResponse({"error": "unknown conversation id"}, status_code=404)
    after = _after(request)

    async def stream() -> AsyncIterator[str]:
        try:
            async for chunk in _events(request, store, pulse, conversation_id, info.state, after):
                yield chunk
        except Exception:  # end this stream cleanly; the page reconnects and catches up
            logger.exception("live stream of a conversation failed")

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(request: Request, store: ConversationStore, pulse: Pulse,
                  conversation_id: str, state: str, after: int) -> AsyncIterator[str]:
    """Yield the conversation's new pushed messages and state changes until the client goes."""
    yield "retry: 2000\n\n"
    quiet_since = time.monotonic()
    while not await request.is_disconnected():
        try:
            current = await asyncio.to_thread(store.get, conversation_id)
        except UnknownConversation:
            yield sse("gone", {})
            return
        for message in await asyncio.to_thread(store.pushed_since, conversation_id, after):
            after = message.id
            quiet_since = time.monotonic()
            data: dict[str, object] = {
                "id": message.id, "author": message.author, "text": message.text,
                "buttons": [{"title": t, "payload": p} for t, p in message.buttons]}
            document = documents.from_payload(message.document)
            if document is not None:
                data["document"] = document.as_dict()
            yield sse("message", data, message.id)
        if current.state != state:
            state = current.state
            yield sse("state", {"state": state})
        if time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
            quiet_since = time.monotonic()
            yield ": keep-alive\n\n"
        await pulse.wait(POLL_SECONDS)


routes = [Route("/api/conversations/{conversation_id}/events", conversation_events,
                methods=["GET"])]
