"""A question asked where the intake expects the user's own words.

"Tell me in your own words what you need" takes any text: a description that mentions
trips, fees or data ("a van for our excursions") is the answer even when the classifier
hears a question about events in it. Only a message that is a question (a question mark,
the Greek ";" included) or a bare request of a few words ("events?", "my registrations")
is answered as the question it is; the open question is then asked again.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cleaning import is_question
from actions.common import intent_of, language
from actions.events import ActionListRegistrations
from actions.faq import ActionAnswerFaq
from actions.matching import ActionListEvents

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
