"""What a broker does to a conversation: take, assign, release, reply, note, hand back, close.

Each action is one transaction through the domain operations (catalog.handoff);
the user hears of a broker joining, leaving or handing back through the outbox,
in the user's own language. A refused action re-renders the page with the reason
and a 4xx status; a done one redirects back (POST, redirect, GET).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.console import pages
from bot.console.web import PREFIX, changed, db, field, form, redirect, staff_only
from bot.core import locales
from catalog import console_queries, handoff
from catalog.brief import isolate
from catalog.handoff import HandoffError, NotHolder
from catalog.models import Conversation, Staff
from catalog.outbox import enqueue
from catalog.staff import StaffMember

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """How an action ended: a message key and the HTTP status (303 when done)."""

    key: str
    status: int = 303


Action = Callable[[Session, str, StaffMember, FormData], Outcome]


def _user_language(session: Session, conversation_id: str) -> str:
    row = session.get(Conversation, conversation_id)
    return (row.language if row is not None else None) or locales.DEFAULT_LANGUAGE


def public_name(name: str, email: str) -> str:
    """Return how a broker is introduced to users: the name, never the whole e-mail address."""
    return name if name and name != email else email.split("@")[0]


def _tell_user(session: Session, conversation_id: str, key: str, **values: str) -> None:
    """Queue a handoff notice to the user, in the user's language (names kept intact in RTL)."""
    lang = _user_language(session, conversation_id)
    filled = {name: isolate(value, lang) for name, value in values.items()}
    enqueue(session, conversation_id=conversation_id, kind="notice", language=lang,
            text=locales.text(key, lang, **filled))


def _why_not_taken(session: Session, conversation_id: str, member: StaffMember) -> Outcome:
    row = session.get(Conversation, conversation_id, populate_existing=True)
    if row is not None and row.state == "human" and row.assigned_to == member.id:
        return Outcome("done_taken")
    if row is not None and row.state == "human":
        return Outcome("error_taken_by_other", 409)
    return Outcome("error_not_waiting", 409)


def take(session: Session, cid: str, member: StaffMember, _data: FormData) -> Outcome:
    """Take a waiting conversation; exactly one of two racing brokers gets it."""
    if not handoff.take(session, cid, staff_id=member.id):
        return _why_not_taken(session, cid, member)
    _tell_user(session, cid, "handoff_joined", name=public_name(member.name, member.email))
    return Outcome("done_taken")


def assign(session: Session, cid: str, member: StaffMember, data: FormData) -> Outcome:
    """Give the conversation to a broker (administrators only)."""
    if member.role != "admin":
        return Outcome("error_admin_only", 403)
    target_id = field(data, "staff_id")
    target = session.get(Staff, int(target_id)) if target_id.isdigit() else None
    if target is None or not target.active:
        return Outcome("error_bad_request", 400)
    before = session.get(Conversation, cid, populate_existing=True)
    previous = before.assigned_to if before is not None else None
    if not handoff.assign(session, cid, staff_id=target.id, by_staff_id=member.id):
        return Outcome("error_not_waiting", 409)
    if previous != target.id:
        _tell_user(session, cid, "handoff_joined", name=public_name(target.name, target.email))
    return Outcome("done_assigned")


def release(session: Session, cid: str, member: StaffMember, _data: FormData) -> Outcome:
    """Put the conversation back in the queue at its place."""
    if not handoff.release(session, cid, staff_id=member.id):
        return Outcome("error_not_holder", 409)
    _tell_user(session, cid, "handoff_released")
    return Outcome("done_released")


def hand_back(session: Session, cid: str, member: StaffMember, _data: FormData) -> Outcome:
    """Return the conversation to the assistant, telling the user."""
    lang = _user_language(session, cid)
    if not handoff.hand_back(session, cid, staff_id=member.id, language=lang,
                             notice=locales.text("handoff_returned", lang)):
        return Outcome("error_not_holder", 409)
    return Outcome("done_handed_back")


def close(session: Session, cid: str, member: StaffMember, data: FormData) -> Outcome:
    """Hand back and close the case with an outcome."""
    outcome = field(data, "outcome")
    if outcome not in handoff.OUTCOMES:
        return Outcome("error_bad_request", 400)
    lang = _user_language(session, cid)
    if not handoff.hand_back(session, cid, staff_id=member.id, language=lang, outcome=outcome,
                             notice=locales.text("handoff_returned", lang)):
        return Outcome("error_not_holder", 409)
    return Outcome("done_closed")


def reply(session: Session, cid: str, member: StaffMember, data: FormData) -> Outcome:
    """Send the user a message; only the broker holding the conversation can."""
    text = field(data, "text")
    if not text.strip():
        return Outcome("error_empty", 400)
    try:
        handoff.broker_reply(session, cid, staff_id=member.id, text=text)
    except NotHolder:
        return Outcome("error_not_holder", 409)
    return Outcome("done_sent")


def note(session: Session, cid: str, member: StaffMember, data: FormData) -> Outcome:
    """Leave an internal note (never shown to the user)."""
    try:
        handoff.add_note(session, cid, staff_id=member.id, text=field(data, "text"))
    except HandoffError:
        return Outcome("error_empty", 400)
    return Outcome("done_noted")


def retry(session: Session, cid: str, _member: StaffMember, data: FormData) -> Outcome:
    """Queue a failed message again."""
    raw = field(data, "outbox_id")
    if not raw.isdigit() or not console_queries.retry_failed(session, cid, int(raw)):
        return Outcome("error_bad_request", 400)
    return Outcome("done_retried")


ACTIONS: dict[str, Action] = {"take": take, "assign": assign, "release": release,
                              "hand_back": hand_back, "close": close, "reply": reply,
                              "note": note, "retry": retry}


@staff_only()
async def act(request: Request, member: StaffMember) -> Response:
    """Run one action on a conversation and show the result."""
    cid = request.path_params["conversation_id"]
    action = ACTIONS.get(request.path_params["action"])
    if action is None:
        return await pages.conversation(request, member, message_key="error_not_found",
                                        status=404)
    data = await form(request)

    def work(session: Session) -> Outcome:
        if session.get(Conversation, cid) is None:
            return Outcome("error_not_found", 404)
        return action(session, cid, member, data)

    outcome = await db(request, work, write=True)
    logger.info("console: staff %s %s conversation %s: %s", member.id,
                request.path_params["action"], cid, outcome.key)
    if outcome.status == 303:
        changed(request)
        return redirect(f"{PREFIX}/conversations/{cid}?done={outcome.key}")
    return await pages.conversation(request, member, message_key=outcome.key,
                                    status=outcome.status, draft=field(data, "text"))
