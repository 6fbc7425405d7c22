"""Registering for events through the chat: seats, the waiting list, my registrations, cancelling.

The decisions (who gets a seat, who waits, who is promoted) are made by the domain
operations in catalog.registrations, inside one database transaction each; these actions
only gather what they need from the conversation and say the outcome. Database work runs
in a worker thread, so one action server serves many registrations at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import catalogue
from actions.common import language
from actions.intake_slots import response_text, unpayload
from actions.matching import list_events, payload, search_text
from actions.summary_misreads import correction_instead
from actions.validators import parse_email
from catalog import registrations
from catalog.brief import isolate
from catalog.calendar import filename, when_text
from catalog.chat_registrations import known_contact, register_once
from catalog.consents import record_consent
from catalog.event_search import named_event, upcoming
from catalog.matching.explain import phrases
from catalog.models import Event
from catalog.queries import event_by_key
from catalog.translations import title_in

logger = logging.getLogger(__name__)

REGISTRATION_FORM = "registration_form"


def _date(event: Event, lang: str) -> str:
    return when_text(event.starts_at, event.timezone, lang)


class ActionPrepareRegistration(Action):
    """Check that the chosen event can take a registration before asking anything."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_prepare_registration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Set the `event_key` slot when registration is possible; otherwise say why not.

        A full event is offered its waiting list; pressing that button comes back here
        with the choice "waitlist". Name and e-mail the conversation already gave are
        filled in, so the form asks only for consent.
        """
        corrected = await correction_instead(dispatcher, tracker, domain)
        if corrected is not None:
            return corrected  # "benim adim …" at the summary, read as registering
        lang = language(tracker)
        key = next(tracker.get_latest_entity_values("event"), None)
        choice = next(tracker.get_latest_entity_values("choice"), None)
        reset: list[EventType] = [SlotSet("event_key", None),
                                  SlotSet("registration_consent", None)]
        with catalogue.session() as session:
            event = event_by_key(session, key) if key else None
            if event is None and not key:
                # "I'd like to register for the Thessaloniki camp": the event it names
                event = named_event(session, upcoming(session), search_text(tracker))
            if event is None:
                return reset + list_events(dispatcher, tracker, 0, search_text(tracker))
            title = title_in(event, lang)
            existing = registrations.find(session, event.id, tracker.sender_id)
            if existing is not None and existing.status == registrations.CONFIRMED:
                dispatcher.utter_message(response="utter_already_registered", event=title)
                return reset
            if existing is not None and existing.status == registrations.WAITLISTED:
                dispatcher.utter_message(response="utter_already_waitlisted", event=title,
                                         position=registrations.position(session, existing))
                return reset
            if not registrations.is_open(event):
                dispatcher.utter_message(response="utter_registration_closed", event=title)
                return reset
            if choice != "waitlist" and registrations.is_full(session, event):
                dispatcher.utter_message(
                    response="utter_registration_full", event=title,
                    buttons=[{"title": phrases(lang)["button_waitlist"],
                              "payload": payload("register_event", event=event.key,
                                                 choice="waitlist")}])
                return reset
            known = known_contact(session, tracker.sender_id)
        events: list[EventType] = [SlotSet("event_key", event.key),
                                   SlotSet("registration_consent", None)]
        events += [SlotSet(slot, value) for slot, value in known.items()
                   if not tracker.get_slot(slot)]
        return events


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
            event = event_by_key(session, tracker.get_slot("event_key"))
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
            event = event_by_key(session, tracker.get_slot("event_key"))
            if event is not None:
                shown = response_text(domain, "utter_ask_registration_consent", lang)
                record_consent(session, tracker.sender_id, granted=granted,
                               text_shown=shown.replace("{event}", title_in(event, lang)),
                               language=lang)
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
    """Register once the form is complete: a seat, or a place on the waiting list."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_register_event"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Take a seat if one is free (the database decides), else join the waiting list."""
        lang = language(tracker)
        key = tracker.get_slot("event_key")
        done: list[EventType] = [SlotSet("event_key", None),
                                 SlotSet("registration_consent", None)]
        if not key:
            return done
        if tracker.get_slot("registration_consent") is not True:
            dispatcher.utter_message(response="utter_registration_declined")
            return done
        with catalogue.session() as session:
            event = event_by_key(session, key)
            if event is None:
                dispatcher.utter_message(response="utter_default")
                return done
            title, date, event_id = title_in(event, lang), _date(event, lang), event.id
            calendar_name = filename(event)
        email = str(tracker.get_slot("email") or "")
        outcome = await asyncio.to_thread(
            register_once, catalogue.session, conversation_id=tracker.sender_id,
            event_id=event_id, name=str(tracker.get_slot("contact_name") or ""), email=email,
            language=lang)
        logger.info("registration for event %s: %s", key, outcome.result)
        if outcome.result == "confirmed":
            dispatcher.utter_message(response="utter_registered", event=title, date=date,
                                     email=isolate(email, lang))
            dispatcher.utter_message(json_message={"document": {
                "kind": "calendar", "token": outcome.calendar_token,
                "filename": calendar_name}})
        elif outcome.result in ("waitlisted", "already_waitlisted"):
            response = "utter_waitlisted" if outcome.result == "waitlisted" \
                else "utter_already_waitlisted"
            dispatcher.utter_message(response=response, event=title, position=outcome.position)
        elif outcome.result == "already_confirmed":
            dispatcher.utter_message(response="utter_already_registered", event=title)
        else:
            dispatcher.utter_message(response="utter_registration_closed", event=title)
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


def show_registrations(dispatcher: CollectingDispatcher, entries: list[registrations.Entry],
                       lang: str) -> None:
    """One message per registration with its status, and the button that fits it."""
    texts = phrases(lang)
    for entry in entries:
        event, status = entry.event, entry.registration.status
        title, date = title_in(event, lang), _date(event, lang)
        cancel = payload("cancel_registration", event=event.key)
        if status == registrations.CONFIRMED:
            dispatcher.utter_message(response="utter_my_registration_confirmed", event=title,
                                     date=date, buttons=[{"title": texts["button_unregister"],
                                                          "payload": cancel}])
        elif status == registrations.WAITLISTED:
            dispatcher.utter_message(response="utter_my_registration_waitlisted", event=title,
                                     date=date, position=entry.position,
                                     buttons=[{"title": texts["button_leave_waitlist"],
                                               "payload": cancel}])
        else:
            again = [{"title": texts["button_register_again"],
                      "payload": payload("register_event", event=event.key)}] \
                if registrations.is_open(event) else []
            dispatcher.utter_message(response="utter_my_registration_cancelled", event=title,
                                     date=date, buttons=again)


class ActionListRegistrations(Action):
    """"My registrations": each one with its status, and a button to cancel it."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_list_registrations"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """List the registrations for events not over yet, soonest first."""
        lang = language(tracker)
        with catalogue.session() as session:
            entries = registrations.mine(session, tracker.sender_id)
            if not entries:
                dispatcher.utter_message(response="utter_no_registration")
                return []
            dispatcher.utter_message(response="utter_my_registrations")
            show_registrations(dispatcher, entries, lang)
        return []


def _cancel(conversation_id: str, event_id: int) -> registrations.Cancellation:
    with catalogue.session() as session, session.begin():
        return registrations.cancel(session, event_id=event_id,
                                    conversation_id=conversation_id, by="user")


class ActionCancelRegistration(Action):
    """Cancel a registration or leave a waiting list: the one named, the only one, or ask which."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_cancel_registration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Cancel; a freed seat goes to the first person waiting, who is told at once."""
        lang = language(tracker)
        key = next(tracker.get_latest_entity_values("event"), None)
        with catalogue.session() as session:
            active = [e for e in registrations.mine(session, tracker.sender_id)
                      if e.registration.status in registrations.ACTIVE]
            if key:
                active = [e for e in active if e.event.key == key]
            if len(active) > 1:
                dispatcher.utter_message(response="utter_ask_which_registration")
                show_registrations(dispatcher, active, lang)
                return []
            if not active:
                dispatcher.utter_message(response="utter_no_registration")
                return []
            event_id, title = active[0].event.id, title_in(active[0].event, lang)
        cancellation = await asyncio.to_thread(_cancel, tracker.sender_id, event_id)
        if cancellation.was is None:
            dispatcher.utter_message(response="utter_no_registration")
            return []
        logger.info("registration for event %s cancelled (%s); %d promoted", event_id,
                    cancellation.was, len(cancellation.promoted))
        dispatcher.utter_message(response="utter_waitlist_left"
                                 if cancellation.was == registrations.WAITLISTED
                                 else "utter_registration_cancelled", event=title)
        return []
