"""Erasure on request and handing over to a human broker."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import intent_of
from actions.reading_gate import ERASE
from actions.reading_gate import SLOT as READ_AS


class ActionEraseData(Action):
    """Ask for confirmation, then have everything about the user erased."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_erase_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Confirm first; on confirmation the bot core erases the stored data and tracker.

        The request wins over whatever was going on: the questions stop, so the
        confirmation is the only question open and a typed yes or no answers it.
        """
        choice = erase_choice(tracker)
        if choice == "confirm":
            dispatcher.utter_message(response="utter_data_erased")
            # The core owns conversations, cases and the tracker store: it erases them.
            dispatcher.utter_message(json_message={"erase": True})
            return [ActiveLoop(None), AllSlotsReset()]
        if choice == "cancel":
            dispatcher.utter_message(response="utter_erase_cancelled")
            return []
        if choice == "pending":
            return []  # a yes or no that answers no erase question: nothing to do here
        dispatcher.utter_message(response="utter_confirm_erase")
        return [ActiveLoop(None), SlotSet("requested_slot", None),
                SlotSet("awaiting_confirmation", False)]


ANSWERS = {"affirm": "confirm", "deny": "cancel"}


def erase_choice(tracker: Tracker) -> str | None:
    """Return confirm or cancel (a button, or yes/no typed after the question), else None.

    "pending" is a typed yes or no when the assistant's last words were not the question.
    """
    choice = next(tracker.get_latest_entity_values("choice"), None)
    if choice in ("confirm", "cancel"):
        return str(choice)
    intent = intent_of(tracker)
    again = intent == "erase_data" or (
        tracker.get_slot(READ_AS) == ERASE and not _negated(
            str(tracker.latest_message.get("text") or "")))
    if intent not in ANSWERS and not again:
        return None
    asked = _erase_asked(tracker)
    if intent not in ANSWERS:
        # "sim, apaguem tudo mesmo" to "are you sure?": the request again is the yes, also
        # when the model could not place it and only its words ask to erase ("sí,
        # esborra-ho tot", read as nothing, actions/turn_reading.py).
        return "confirm" if asked else None
    return ANSWERS[str(intent)] if asked else "pending"


# Words that make an erasure request a refusal ("no, no ho esborris tot"): then it is never
# taken for a yes, and the question is asked again.
_NEGATIONS = frozenset({"no", "non", "not", "don't", "dont", "nao", "não", "ne", "pas",
                        "δεν", "μην", "όχι", "οχι", "hayır", "hayir", "değil", "degil",
                        "لا", "ما", "مش", "ماشي"})


def _negated(text: str) -> bool:
    return any(word in _NEGATIONS for word in re.findall(r"[\w'’]+", text.casefold()))


def _erase_asked(tracker: Tracker) -> bool:
    """Whether the assistant's last words before the latest message asked to confirm erasure."""
    last_user = True
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if not last_user:
                break
            last_user = False
        elif event.get("event") == "bot" and not last_user:
            return (event.get("metadata") or {}).get("utter_action") == "utter_confirm_erase"
    return False


# Questions answered in free text: an answer there can sound like "let me talk to someone"
# to the classifier ("Un telar nuevo para el taller" once did). Below this confidence the
# text is taken as the answer instead of ending the questions.
FREE_TEXT_QUESTIONS = frozenset({"org_name", "city", "need_description", "contact_name"})
SURE = 0.6


class ActionRequestHuman(Action):
    """Hand the conversation to a broker."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        """Tell the user a broker is coming; the core moves the conversation to waiting."""
        requested = tracker.get_slot("requested_slot")
        intent = tracker.latest_message.get("intent") or {}
        text = str(tracker.latest_message.get("text") or "").strip()
        if ((tracker.active_loop or {}).get("name") == "intake_form"
                and requested in FREE_TEXT_QUESTIONS and text and not text.startswith("/")
                and float(intent.get("confidence") or 0) < SURE):
            return [SlotSet(requested, text), FollowupAction("intake_form")]
        dispatcher.utter_message(response="utter_handoff_requested")
        dispatcher.utter_message(json_message={"state": "waiting",
                                               "reason": handoff_reason(tracker)})
        return [ActiveLoop(None)]


# What the assistant said just before the user asked for a person tells why they did.
REASON_AFTER = {
    "utter_default": "not_understood",
    "utter_offer_human": "validation_failed",
    "utter_matches_none": "no_match",
    "utter_partners_none": "no_match",
    "utter_events_none": "no_event",
}


def handoff_reason(tracker: Tracker) -> str:
    """Return why the conversation goes to a broker, for the queue and the statistics."""
    seen_request = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_request:
                break  # only the answer to the message before the request counts
            seen_request = True
        elif event.get("event") == "bot" and seen_request:
            utterance = (event.get("metadata") or {}).get("utter_action")
            if utterance in REASON_AFTER:
                return str(REASON_AFTER[utterance])
    return "user_request"
