"""A question asked where the intake expects an answer.

"Tell me in your own words what you need" takes any text: a description that mentions
trips, fees or data ("a van for our excursions") is the answer even when the classifier
hears a question about events in it. Only a message that is a question (a question mark,
the Greek ";" included) or a bare request of a few words ("events?", "my registrations")
is answered as the question it is; the open question is then asked again.

At the other questions the form steps aside (`step_aside`): a question that its own action
answers is left to that action, and at the consent question a message that goes somewhere
else (events, registrations, a request's status) leaves the intake, which nothing has been
stored for yet.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cleaning import is_question
from actions.common import intent_of, language
from actions.consent import declined_with_request
from actions.events import ActionListRegistrations
from actions.explain import asks_meaning
from actions.faq import ActionAnswerFaq
from actions.matching import ActionListEvents
from actions.reading_gate import ERASE, EVENTS
from actions.reading_gate import SLOT as READ_AS
from actions.returning import mentioned_reference

# Free-text questions whose validator answers a question asked instead (the domain maps
# any text to them, whatever its intent, except navigation such as "stop" or "go back").
ASIDE_SLOTS = frozenset({"need_description"})
# Intents a free-text answer may be mistaken for (the domain maps the answer despite them).
ASIDE_INTENTS = frozenset({"ask_events", "ask_faq", "list_registrations", "ask_privacy"})
MAX_REQUEST_WORDS = 3


def is_aside(tracker: Tracker) -> bool:
    """Whether the latest message asks something rather than answering in free text."""
    intent = intent_of(tracker)
    text = str(tracker.latest_message.get("text") or "").strip()
    if intent not in ASIDE_INTENTS or not text or text.startswith("/"):
        return False
    return is_question(text, language(tracker)) or len(text.split()) <= MAX_REQUEST_WORDS


async def answer_aside(dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> dict[str, Any]:
    """Answer the question as its own action would; return the slots that action set."""
    intent = intent_of(tracker)
    if intent == "ask_events":
        events = await ActionListEvents().run(dispatcher, tracker, domain)
    elif intent == "list_registrations":
        events = await ActionListRegistrations().run(dispatcher, tracker, domain)
    elif intent == "ask_privacy":
        dispatcher.utter_message(response="utter_privacy")
        events = []
    else:
        events = await ActionAnswerFaq().run(dispatcher, tracker, domain)
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


# --- leaving a question for another action ------------------------------------------------

# At the consent question nothing is kept yet: a message that goes somewhere else (events,
# registrations, the status of a request, help, services, partners) is served by its own
# action and the request is put aside (a button picks it up again).
LEAVING_AT_CONSENT = frozenset({
    "ask_events", "list_registrations", "register_event", "cancel_registration",
    "ask_case_status", "ask_help", "show_services", "service_details", "choose_service",
    "request_intro", "answer_intro"})
# Asked in the middle of the questions: answered by their own rules (dialogues/rules.yml),
# then the open question is asked again.
ANSWERED_THEN_ASKED = frozenset({"ask_faq", "ask_privacy", "ask_events", "list_registrations",
                                 "ask_case_status", "ask_help", "challenge_bot"})
# Actions that run between a user message and the form's validation of it.
_BEFORE_VALIDATION = frozenset({"action_listen", "action_extract_slots", "intake_form"})


def _validating_the_message(events: list[dict[str, Any]]) -> bool:
    """Whether the form validates the latest message (not returning after another action)."""
    for event in reversed(events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in _BEFORE_VALIDATION:
            return False
    return False


def step_aside(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Let another action answer the latest message instead of the intake's open question.

    Returns the form's events when it steps aside: a rejection (Rasa's rules then pick the
    action for the intent), after leaving the form at the consent question; None when the
    message is for the form. Fields a message in passing names ("is the stand at the
    Barcelona days paid?" names a town) are not taken from it: taking them kept the form
    running, so the question was asked again and never answered.
    """
    if (tracker.active_loop or {}).get("name") != "intake_form" \
            or not _validating_the_message(list(tracker.events)):
        return None
    text = str(tracker.latest_message.get("text") or "").strip()
    lang = language(tracker)
    intent = intent_of(tracker)
    requested = tracker.get_slot("requested_slot")
    read_as = tracker.get_slot(READ_AS)
    rejected: list[EventType] = [ActionExecutionRejected("intake_form")]
    if intent == "erase_data" or read_as == ERASE:
        return rejected  # the erasure wins (action_erase_data ends the questions)
    if intent == "ask_case_status" and mentioned_reference(text):
        return rejected  # "en quin estat està IM-P468-FH8J?" is no name nor any answer
    if asks_meaning(text, lang):
        return None  # a question about the question: the form explains it
    question = is_question(text, lang) or len(text.split()) <= MAX_REQUEST_WORDS
    if requested == "consent" and declined_with_request(tracker):
        return None  # "no, but can we see the events?": the answer, then the events
    if requested == "consent":
        if intent in LEAVING_AT_CONSENT or read_as == EVENTS:
            dispatcher.utter_message(response="utter_intake_paused")
            return [ActiveLoop(None), SlotSet("requested_slot", None), *rejected]
        if intent == "request_human" or (
                intent in ANSWERED_THEN_ASKED and (intent != "ask_privacy"
                                                   or is_question(text, lang))):
            return rejected  # "is it free?": answered, then the consent question again
        return None
    if requested in ASIDE_SLOTS or intent not in ANSWERED_THEN_ASKED or not question \
            or requested in tracker.slots_to_validate():
        return None
    return rejected
