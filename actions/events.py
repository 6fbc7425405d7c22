"""Registering for events through the chat, and cancelling a registration."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from actions import catalogue
from actions.common import language
from actions.intake import response_text, unpayload
from actions.matching import ActionListEvents, payload
from actions.validators import parse_email
from catalog.brief import isolate
from catalog.matching import event_time, phrases, title_in
from catalog.models import (
    Consent,
    Conversation,
    Event,
    EventRegistration,
)

logger = logging.getLogger(__name__)

REGISTRATION_FORM = "registration_form"


def _event(session: Session, key: object) -> Event | None:
    return session.scalar(select(Event).where(Event.key == str(key or "")))


def _closed(event: Event, now: dt.datetime) -> bool:
    deadline = event.registration_deadline
    return (not event.active or event.starts_at <= now
            or (deadline is not None and deadline < now.date()))


def _full(session: Session, event: Event) -> bool:
    if event.capacity is None:
        return False
    taken = session.scalar(select(func.count()).select_from(EventRegistration)
                           .where(EventRegistration.event_id == event.id)) or 0
    return taken >= event.capacity


def _registration(session: Session, event: Event, conversation_id: str
                  ) -> EventRegistration | None:
    return session.scalar(select(EventRegistration).where(
        EventRegistration.event_id == event.id,
        EventRegistration.conversation_id == conversation_id))


class ActionPrepareRegistration(Action):
    """Check that the chosen event can take a registration before asking anything."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_prepare_registration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Set the `event` slot when registration is possible; otherwise say why not."""
        lang = language(tracker)
        key = next(tracker.get_latest_entity_values("event"), None)
        reset = [SlotSet("event_key", None), SlotSet("registration_consent", None)]
        if not key:
            await ActionListEvents().run(dispatcher, tracker, domain)
            return reset
        with catalogue.session() as session:
            event = _event(session, key)
            if event is None:
                await ActionListEvents().run(dispatcher, tracker, domain)
                return reset
            title = title_in(event, lang)
            if _registration(session, event, tracker.sender_id) is not None:
                dispatcher.utter_message(response="utter_already_registered", event=title)
                return reset
            if _closed(event, dt.datetime.now(dt.UTC)):
                dispatcher.utter_message(response="utter_registration_closed", event=title)
                return reset
            if _full(session, event):
                dispatcher.utter_message(response="utter_registration_full", event=title)
                return reset
        return [SlotSet("event_key", event.key), SlotSet("registration_consent", None)]


class ActionAskRegistrationConsent(Action):
    """Ask for consent naming the event (the question has the event's title in it)."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_ask_registration_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Utter the consent question for the event in the `event` slot."""
        lang = language(tracker)
        with catalogue.session() as session:
            event = _event(session, tracker.get_slot("event_key"))
            title = title_in(event, lang) if event else ""
        dispatcher.utter_message(response="utter_ask_registration_consent", event=title)
        return []


class ValidateRegistrationForm(FormValidationAction):
    """Consent, then name and e-mail unless the conversation already has them."""

    def name(self) -> str:
        """Return the validator's name in the domain."""
        return "validate_registration_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        """Nothing to ask without an event; stop asking after a refusal."""
        if not tracker.get_slot("event_key"):
            return []
        if tracker.get_slot("registration_consent") is False:
            return ["registration_consent"]
        return ["registration_consent", "contact_name", "email"]

    async def validate_registration_consent(self, slot_value: Any,
                                            dispatcher: CollectingDispatcher, tracker: Tracker,
                                            domain: DomainDict) -> dict[str, Any]:
        """Record the answer with the exact text shown and a timestamp."""
        granted = bool(unpayload(slot_value, "registration_consent"))
        lang = language(tracker)
        with catalogue.session() as session, session.begin():
            event = _event(session, tracker.get_slot("event_key"))
            if session.get(Conversation, tracker.sender_id) is not None and event is not None:
                shown = response_text(domain, "utter_ask_registration_consent", lang)
                session.add(Consent(conversation_id=tracker.sender_id, granted=granted,
                                    text_shown=shown.replace("{event}", title_in(event, lang)),
                                    language=lang))
        return {"registration_consent": granted}

    async def validate_contact_name(self, slot_value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """A name is any short non-empty text."""
        name = " ".join(str(slot_value or "").split())
        if not name or len(name) > 200 or name.startswith("/"):
            dispatcher.utter_message(response="utter_ask_contact_name")
            return {"contact_name": None}
        return {"contact_name": name}

    async def validate_email(self, slot_value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """A syntactically valid address."""
        email = parse_email(str(slot_value or ""))
        if email is None:
            dispatcher.utter_message(response="utter_invalid_email")
            return {"email": None}
        return {"email": email}


class ActionRegisterEvent(Action):
    """Write the registration once the form is complete (or say nothing was stored)."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_register_event"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Register, re-checking capacity in the same transaction."""
        lang = language(tracker)
        key = tracker.get_slot("event_key")
        done = [SlotSet("event_key", None), SlotSet("registration_consent", None)]
        if not key:
            return done
        if tracker.get_slot("registration_consent") is not True:
            dispatcher.utter_message(response="utter_registration_declined")
            return done
        with catalogue.session() as session, session.begin():
            event = _event(session, key)
            if event is None:
                return done
            title = title_in(event, lang)
            if _full(session, event):
                dispatcher.utter_message(response="utter_registration_full", event=title)
                return done
            if _registration(session, event, tracker.sender_id) is None:
                consent = session.scalar(select(Consent).where(
                    Consent.conversation_id == tracker.sender_id, Consent.granted.is_(True))
                    .order_by(Consent.id.desc()).limit(1))
                session.add(EventRegistration(
                    event_id=event.id, conversation_id=tracker.sender_id,
                    name=str(tracker.get_slot("contact_name")),
                    email=str(tracker.get_slot("email")), language=lang,
                    consent_id=consent.id if consent else None))
            when = event_time(event.starts_at, event.timezone, lang)
        logger.info("registration for event %s saved", key)
        email = str(tracker.get_slot("email"))
        dispatcher.utter_message(response="utter_registered", event=title, date=when,
                                 email=isolate(email, lang))
        return done


class ActionStopRegistration(Action):
    """Leave the registration questions: nothing is stored."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_stop_registration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Deactivate the form."""
        dispatcher.utter_message(response="utter_registration_declined")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("event_key", None),
                SlotSet("registration_consent", None)]


class ActionCancelRegistration(Action):
    """Cancel a registration: the one named, the only one, or ask which."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_cancel_registration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Delete the registration row (its personal data goes with it)."""
        lang = language(tracker)
        key = next(tracker.get_latest_entity_values("event"), None)
        with catalogue.session() as session, session.begin():
            mine = session.scalars(select(EventRegistration).where(
                EventRegistration.conversation_id == tracker.sender_id)
                .order_by(EventRegistration.id)).all()
            if key:
                mine = [r for r in mine if r.event.key == key]
            if not mine:
                dispatcher.utter_message(response="utter_no_registration")
                return []
            if len(mine) > 1:
                label = phrases(lang)["button_unregister"]
                dispatcher.utter_message(response="utter_ask_which_registration")
                for registration in mine:
                    dispatcher.utter_message(
                        text=title_in(registration.event, lang),
                        buttons=[{"title": label, "payload": payload(
                            "cancel_registration", event=registration.event.key)}])
                return []
            title = title_in(mine[0].event, lang)
            session.delete(mine[0])
        dispatcher.utter_message(response="utter_registration_cancelled", event=title)
        return []
