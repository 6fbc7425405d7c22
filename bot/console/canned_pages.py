"""Canned replies: the defaults shipped in canned.yml, and the administrators' page."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from bot.console.web import PREFIX, db, field, form, redirect, render, staff_only
from catalog import canned
from catalog.canned import CannedReplyError
from catalog.staff import StaffMember
from catalog.vocabulary import LANGUAGES

DEFAULTS = Path(__file__).with_name("canned.yml")


@cache
def defaults() -> dict[str, dict[str, dict[str, str]]]:
    """Return the shipped canned replies: {key: {language: {title, text}}}."""
    data: dict[str, dict[str, dict[str, str]]] = yaml.safe_load(
        DEFAULTS.read_text("utf-8")) or {}
    return data


def seed_defaults(sessions: sessionmaker[Session]) -> int:
    """Load the shipped canned replies into an empty table; return how many were added.

    Replicas starting together may race for it: the loser finds the rows there.
    """
    try:
        with sessions.begin() as session:
            return canned.seed_replies(session, defaults())
    except IntegrityError:
        return 0


async def _page(request: Request, member: StaffMember, *, message_key: str = "",
                status: int = 200, draft: dict[str, str] | None = None) -> Response:
    replies = await db(request, canned.replies)
    grouped: dict[str, list[Any]] = {lang: [] for lang in LANGUAGES}
    for reply in replies:
        grouped.setdefault(reply.lang, []).append(reply)
    return render(request, "canned.html", lang=member.language, member=member, status=status,
                  grouped=grouped, languages=LANGUAGES, message_key=message_key,
                  draft=draft or {"key": "", "lang": member.language, "title": "", "text": ""})


@staff_only(admin=True)
async def canned_page(request: Request, member: StaffMember) -> Response:
    """List canned replies by language with forms to add and delete."""
    done = request.query_params.get("done", "")
    return await _page(request, member,
                       message_key=done if done in ("done_added", "done_deleted") else "")


@staff_only(admin=True)
async def add_canned(request: Request, member: StaffMember) -> Response:
    """Add a canned reply in one language."""
    data = await form(request)
    draft = {name: field(data, name) for name in ("key", "lang", "title", "text")}
    try:
        await db(request, lambda s: canned.add_reply(s, **draft), write=True)
    except CannedReplyError:
        return await _page(request, member, message_key="error_canned", status=400,
                           draft=draft)
    return redirect(f"{PREFIX}/canned?done=done_added")


@staff_only(admin=True)
async def delete_canned(request: Request, member: StaffMember) -> Response:
    """Delete a canned reply."""
    reply_id = int(request.path_params["reply_id"])
    await db(request, lambda s: canned.delete_reply(s, reply_id), write=True)
    return redirect(f"{PREFIX}/canned?done=done_deleted")
