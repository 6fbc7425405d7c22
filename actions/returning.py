"""Returning users: the greeting that says what they have, and the status of their requests."""

from __future__ import annotations

import logging
import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import catalogue
from actions.common import language
from actions.faq import answer_salutation
from actions.partners import tell_introductions
from catalog.brief import isolate, labels
from catalog.cases import cases_of, own_case
from catalog.chat_registrations import confirmed_registrations
from catalog.matching.explain import event_time
from catalog.models import Case
from catalog.translations import title_in

logger = logging.getLogger(__name__)

# A case reference as users type it: "IM-Q541-B7J2" (catalog.cases.new_reference: two groups
# of four Crockford base-32 characters), "im-q541 b7j2", "imq541b7j2", the older "IM-FF39BC"
# and "IM 15BF30", and a mistyped "IM-7K2P4D" (said to be not found). Without the hyphen the
# characters must hold a digit, so words such as "imigrantes" or "im facade" are not taken.
REFERENCE = re.compile(
    r"\bIM(?:-(?:(?P<a>[0-9A-Z]{4})[-\s]?(?P<b>[0-9A-Z]{4})|(?P<c>[0-9A-Z]{4,8}))"
    r"|(?=[0-9A-Z]{0,7}\d)(?P<d>[0-9A-Z]{4})-?(?P<e>[0-9A-Z]{4})"
    r"|\s?(?=[0-9A-F]{0,5}\d)(?P<f>[0-9A-F]{6}))\b", re.IGNORECASE)
SHOWN_CASES = 3


def mentioned_reference(text: str) -> str | None:
    """Return the case reference written in ``text``, normalised ("IM-FF39BC"), if any."""
    found = REFERENCE.search(text)
    if not found:
        return None
    groups = found.groupdict()
    for first, second in (("a", "b"), ("d", "e")):
        if groups[first]:
            return f"IM-{groups[first].upper()}-{groups[second].upper()}"
    return f"IM-{(groups['c'] or groups['f']).upper()}"


def status_label(status: str, lang: str) -> str:
    """Return a case status as the user reads it in ``lang`` (the code if it has no label)."""
    return labels(lang).get("status", {}).get(status, status)


def tell_case(dispatcher: CollectingDispatcher, case: Case, lang: str) -> None:
    """Say one case's reference and status."""
    dispatcher.utter_message(response="utter_case_status", reference=isolate(case.reference, lang),
                             status=status_label(case.status, lang))


class ActionShowCaseStatus(Action):
    """Tell the user where their request stands; never another conversation's."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_show_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Show the case the user named, or their own cases when they named none."""
        lang = language(tracker)
        reference = (next(tracker.get_latest_entity_values("case"), None)
                     or mentioned_reference(str(tracker.latest_message.get("text") or "")))
        with catalogue.session() as session:
            if reference:
                reference = mentioned_reference(str(reference)) or str(reference).upper()
                case = own_case(session, tracker.sender_id, reference)
                if case is None:
                    # Someone else's case and a mistyped one get the same answer.
                    logger.info("status asked for a case this conversation does not own")
                    dispatcher.utter_message(response="utter_case_not_found",
                                             reference=isolate(reference, lang))
                else:
                    tell_case(dispatcher, case, lang)
                return []
            cases = cases_of(session, tracker.sender_id, newest_first=True,
                             limit=SHOWN_CASES)
            if not cases:
                dispatcher.utter_message(response="utter_no_case")
            for case in cases:
                tell_case(dispatcher, case, lang)
        return []


class ActionGreet(Action):
    """Greet: a newcomer, or a returning user with what they have (cases, registrations)."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Choose the greeting that fits what the user already has with us."""
        lang = language(tracker)
        answer_salutation(dispatcher, tracker)
        with catalogue.session() as session:
            cases = cases_of(session, tracker.sender_id, newest_first=True,
                             limit=SHOWN_CASES)
            registrations = confirmed_registrations(session, tracker.sender_id)
            if cases or registrations:
                dispatcher.utter_message(response="utter_welcome_returning")
                for case in cases:
                    tell_case(dispatcher, case, lang)
                for registration in registrations:
                    event = registration.event
                    dispatcher.utter_message(
                        response="utter_registration_status", event=title_in(event, lang),
                        date=event_time(event.starts_at, event.timezone, lang))
                # Nothing new starts until the user says so (the buttons).
                dispatcher.utter_message(response="utter_ask_something_new")
            else:
                dispatcher.utter_message(response="utter_greet")
        tell_introductions(dispatcher, tracker.sender_id, lang)
        return []
