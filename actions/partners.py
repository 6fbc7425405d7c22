"""Introductions between partner organisations: contacts are shared only when both agree.

An organisation that opted in to be discoverable can be proposed to others with the
same sector in another country. A request is stored and the asked organisation is
asked at once, on its own channel and in its own language, through the outbox; the
requester hears an acceptance the same way. Whoever missed the message is asked again
the next time they greet the assistant.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import catalogue
from actions.common import language
from actions.responses import render
from catalog.brief import isolate, value_label
from catalog.introductions import (
    ACCEPTED,
    DECLINED,
    answer_introduction,
    mark_heard,
    pending_introductions,
    request_introduction,
)
from catalog.models import Case
from catalog.notices import language_of
from catalog.outbox import enqueue

logger = logging.getLogger(__name__)


def _their_language(session: Session, case: Case) -> str:
    """The language the case's conversation uses now (it may have changed since the case)."""
    return language_of(session, case.conversation_id, case.language)


def _tell(session: Session, case: Case, response: str, lang: str, **values: str) -> None:
    """Queue a message to the case's own conversation, in ``lang``, with its buttons."""
    text, buttons = render(response, lang, **values)
    enqueue(session, conversation_id=case.conversation_id, text=text, kind="introduction",
            language=lang, buttons=buttons)


def _details(case: Case, lang: str) -> str:
    parts = [value_label(field, getattr(case, field), lang)
             for field in ("legal_form", "sector", "country") if getattr(case, field)]
    return ", ".join(parts)


def _contact(case: Case, lang: str) -> str:
    parts = [p for p in (case.contact_name, case.email,
                         case.phone if case.phone != "skipped" else None) if p]
    return isolate(", ".join(parts), lang)


def _name(case: Case, lang: str) -> str:
    return isolate(case.org_name or case.reference, lang)


class ActionRequestIntro(Action):
    """Ask another organisation whether it agrees to exchange contact details."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_request_intro"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Store the request; the other side is asked the next time it writes."""
        lang = language(tracker)
        reference = next(tracker.get_latest_entity_values("case"), None)
        with catalogue.session() as session, session.begin():
            asked = request_introduction(session, conversation_id=tracker.sender_id,
                                         target_reference=str(reference))
            requester, target = asked.requester, asked.target
            if requester is None or target is None:
                dispatcher.utter_message(response="utter_partners_none")
                return []
            if asked.result == ACCEPTED:
                # Both agreed already: the contacts again, not "I've asked them".
                dispatcher.utter_message(response="utter_intro_accepted",
                                         org=_name(target, lang), contact=_contact(target, lang))
                return []
            if asked.result == DECLINED:
                # They said no: asking again must not promise an answer nobody will give.
                dispatcher.utter_message(response="utter_intro_unavailable",
                                         org=_name(target, lang))
                return []
            if asked.result == "new":
                theirs = _their_language(session, target)
                _tell(session, target, "utter_intro_request_received", theirs,
                      org=_name(requester, theirs), details=_details(requester, theirs))
            name = _name(target, lang)
        dispatcher.utter_message(response="utter_intro_requested", org=name)
        return []


def tell_introductions(dispatcher: CollectingDispatcher, conversation_id: str,
                       lang: str) -> bool:
    """Ask about the oldest pending request and pass on accepted ones; True if anything said."""
    said = False
    with catalogue.session() as session, session.begin():
        asked, answered = pending_introductions(session, conversation_id)
        for intro in answered:
            dispatcher.utter_message(response="utter_intro_accepted",
                                     org=_name(intro.target, lang),
                                     contact=_contact(intro.target, lang))
            said = True
        mark_heard(answered)
        if asked:
            requester = asked[0].requester
            dispatcher.utter_message(response="utter_intro_request_received",
                                     org=_name(requester, lang),
                                     details=_details(requester, lang))
            said = True
    return said


class ActionAnswerIntro(Action):
    """The asked organisation accepts or declines the oldest pending introduction."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_answer_intro"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """On acceptance both sides get each other's contacts; on refusal nothing is shared."""
        lang = language(tracker)
        choice = next(tracker.get_latest_entity_values("choice"), None)
        with catalogue.session() as session, session.begin():
            intro = answer_introduction(session, tracker.sender_id, accept=choice == "accept")
            if intro is None:
                dispatcher.utter_message(response="utter_default")
                return []
            if intro.status != ACCEPTED:
                dispatcher.utter_message(response="utter_intro_declined")
                return []
            dispatcher.utter_message(response="utter_intro_accepted",
                                     org=_name(intro.requester, lang),
                                     contact=_contact(intro.requester, lang))
            requester = intro.requester
            theirs = _their_language(session, requester)
            _tell(session, requester, "utter_intro_accepted", theirs,
                  org=_name(intro.target, theirs), contact=_contact(intro.target, theirs))
        logger.info("partner introduction %s accepted", intro.id)
        return []
