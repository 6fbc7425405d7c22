"""Where the console lives in the bot's web app: everything under /console."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.console import actions, canned_pages, cases_pages, login, overview, pages, streams
from bot.console.web import PREFIX, redirect

logger = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")


async def to_queue(_request: Request) -> Response:
    """Send /console to the queue."""
    return redirect(f"{PREFIX}/")


def console_routes(sessions: sessionmaker[Session]) -> list[BaseRoute]:
    """Return the console's routes; load the default canned replies into an empty table."""
    added = canned_pages.seed_defaults(sessions)
    if added:
        logger.info("console: %d default canned replies loaded", added)
    conversation = "/conversations/{conversation_id}"
    routes: list[BaseRoute] = [
        Route("/", pages.queue_page, methods=["GET"]),
        Route("/queue/rows", pages.queue_rows, methods=["GET"]),
        Route("/queue/events", streams.queue_events, methods=["GET"]),
        Route("/login", login.login_page, methods=["GET"]),
        Route("/login", login.login, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        Route(conversation, pages.conversation_page, methods=["GET"]),
        Route(conversation + "/events", streams.conversation_events, methods=["GET"]),
        Route(conversation + "/{action}", actions.act, methods=["POST"]),
        Route("/cases", cases_pages.cases_page, methods=["GET"]),
        Route("/cases/export", cases_pages.export_cases, methods=["GET"]),
        Route("/cases/{reference}", cases_pages.case_page, methods=["GET"]),
        Route("/overview", overview.overview_page, methods=["GET"]),
        Route("/canned", canned_pages.canned_page, methods=["GET"]),
        Route("/canned", canned_pages.add_canned, methods=["POST"]),
        Route("/canned/{reply_id:int}/delete", canned_pages.delete_canned, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="console-static"),
    ]
    return [Route(PREFIX, to_queue, methods=["GET"]), Mount(PREFIX, routes=routes)]
