"""Introductions between partner organisations: contacts are shared only when both agree.

An organisation that opted in to be discoverable can be asked by another; the asked one
accepts or declines, and the asker hears an acceptance. The messages themselves are the
caller's (queued through the outbox in the same transaction).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cases import cases_of
from catalog.models import Case, PartnerIntroduction

REQUESTED, ACCEPTED, DECLINED = "requested", "accepted", "declined"

RequestResult = Literal["unknown", "new", "requested", "accepted", "declined"]


@dataclass(frozen=True)
class IntroRequest:
    """What asking for an introduction found: a new request, an earlier one, or no one to ask.

    ``result`` is "unknown" (no such discoverable organisation, it is the asker's own, or
    the asker has no case), "new" (stored now: tell the target), or the status of the
    earlier request.
    """

    result: RequestResult
    requester: Case | None = None
    target: Case | None = None


def request_introduction(session: Session, *, conversation_id: str,
                         target_reference: str) -> IntroRequest:
    """Ask, for the conversation's latest case, to meet the discoverable case named.

    Asking twice is one request; the caller tells the target only for a "new" one.
    """
    target = session.scalar(select(Case).where(Case.reference == target_reference,
                                               Case.discoverable.is_(True)))
    mine = cases_of(session, conversation_id)
    if target is None or not mine or target.conversation_id == conversation_id:
        return IntroRequest("unknown")
    requester = mine[-1]
    earlier = session.scalar(select(PartnerIntroduction).where(
        PartnerIntroduction.requester_case_id == requester.id,
        PartnerIntroduction.target_case_id == target.id))
    if earlier is not None:
        return IntroRequest(earlier.status, requester, target)  # type: ignore[arg-type]
    session.add(PartnerIntroduction(requester_case_id=requester.id, target_case_id=target.id))
    return IntroRequest("new", requester, target)


def pending_introductions(session: Session, conversation_id: str
                          ) -> tuple[list[PartnerIntroduction], list[PartnerIntroduction]]:
    """Requests waiting for this user's answer, and answers this user has not heard yet."""
    mine = [c.id for c in cases_of(session, conversation_id)]
    if not mine:
        return [], []
    asked = list(session.scalars(select(PartnerIntroduction).where(
        PartnerIntroduction.target_case_id.in_(mine),
        PartnerIntroduction.status == REQUESTED).order_by(PartnerIntroduction.id)))
    answered = list(session.scalars(select(PartnerIntroduction).where(
        PartnerIntroduction.requester_case_id.in_(mine),
        PartnerIntroduction.status == ACCEPTED,
        PartnerIntroduction.requester_notified.is_(False))))
    return asked, answered


def mark_heard(introductions: list[PartnerIntroduction]) -> None:
    """Note that the requesters were told of these acceptances (in the caller's transaction)."""
    for intro in introductions:
        intro.requester_notified = True


def answer_introduction(session: Session, conversation_id: str, *, accept: bool,
                        now: dt.datetime | None = None) -> PartnerIntroduction | None:
    """Accept or decline the oldest request waiting for this conversation's answer.

    An acceptance counts as told to the requester: the caller tells them in the same
    transaction. Returns the request answered, or None when none was waiting.
    """
    asked, _ = pending_introductions(session, conversation_id)
    if not asked:
        return None
    intro = asked[0]
    intro.answered_at = now or dt.datetime.now(dt.UTC)
    intro.status = ACCEPTED if accept else DECLINED
    if accept:
        mark_heard([intro])
    return intro
