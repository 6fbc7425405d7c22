"""Calendar files of registrations: /api/registrations/<token>.ics, for the link in the web chat.

The token is random (32 characters) and known only to the conversation that registered,
so the address itself is the permission; nothing about the person is in the file.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core import documents
from bot.core.messages import Document


async def registration_calendar(request: Request) -> Response:
    """Serve a registration's .ics file (404 for an unknown, malformed or waiting token)."""
    token = request.path_params["token"]
    if not documents.TOKEN.fullmatch(token):
        return JSONResponse({"error": "not found"}, status_code=404)
    sessions = request.app.state.core.store.sessions
    found = await asyncio.to_thread(documents.load, sessions, Document(token, "event.ics"))
    if found is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return Response(found.content, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{found.filename}"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


routes = [Route("/api/registrations/{token}.ics", registration_calendar, methods=["GET"])]
