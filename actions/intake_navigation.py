"""Moving through the intake: start it, skip a question, go back, stop."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.amounts import stated_amount
from actions.cleaning import clean_org_name, clean_person_name, is_question
from actions.common import intent_of, language
from actions.intake_slots import (
    CASE_SLOTS,
    INTENT_NEED,
    MAX_TRIES,
    OPTIONAL,
    ORDER,
    SKIPPED,
    correction_updates,
)
from actions.towns import city_answer

# Questions answered by a name, and how the form tidies each: a name may hold a word that
# also means "back" ("عودة", Odeh; "Geri"), which the model alone may take for "go back".
_NAMED_ANSWERS = {
    "contact_name": clean_person_name,
    "org_name": lambda text, lang: clean_org_name(text, lang),
    "city": city_answer,
}
_SURE_GO_BACK = 0.5  # below it, a "go back" at a name question is the name


class ActionStartIntake(Action):
    """Begin a new request: note the need the user named, start from a clean slate if needed."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_start_intake"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Reset a finished case's slots and set the need from the intent.

        At the summary a message read as a need ("we need 270000 euros") is a correction:
        its values are applied and the form, finding every answer, shows the summary again.
        """
        if tracker.get_slot("awaiting_confirmation"):
            return [SlotSet(k, v) for k, v in correction_updates(tracker).items()]
        intent = intent_of(tracker)
        if intent in INTENT_NEED and declined_before(tracker.events):
            # Browsing after a "no": the form ends at once on the refusal and proposals
            # follow, instead of asking the consent question again. Asking for a request
            # ("/request_assistance") still starts one.
            return [SlotSet("consent", False), SlotSet("consent_refused", True),
                    SlotSet("need_category", INTENT_NEED[intent])]
        events: list[EventType] = []
        if tracker.get_slot("case_reference"):
            events += [SlotSet(slot, None) for slot in CASE_SLOTS if slot != "consent"]
            events.append(SlotSet("case_reference", None))
        if intent in INTENT_NEED and (not tracker.get_slot("need_category") or events):
            events.append(SlotSet("need_category", opening_need(tracker, INTENT_NEED[intent])))
        return events


SURE_NEED = 0.8  # a need the model is at least this sure of is not second-guessed


def opening_need(tracker: Tracker, need: str) -> str:
    """The need a message that starts the intake asks for: money it says it needs
    ("Χρειαζόμαστε περίπου 40 χιλ. ευρώ", "ci servirebbero 50 mila euro") is funding when
    the model is unsure of the need it read (an opening about a laundry read as exporting)."""
    intent = tracker.latest_message.get("intent") or {}
    if need == "funding" or float(intent.get("confidence") or 0) >= SURE_NEED:
        return need
    text = str(tracker.latest_message.get("text") or "")
    money = stated_amount(text, language(tracker), tracker.get_slot("country"))
    return "funding" if money is not None and money.marked else need


def declined_before(events: list[dict[str, Any]]) -> bool:
    """Tell whether the user declined the data consent earlier in this conversation."""
    return any(e.get("event") == "bot"
               and (e.get("metadata") or {}).get("utter_action") == "utter_consent_declined"
               for e in events)


class ActionSkipQuestion(Action):
    """Skip an optional question; say a required one is needed, and the second time offer
    a person of the team (a user who cannot or will not answer is not left going round)."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_skip_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Mark the requested optional slot as skipped."""
        requested = tracker.get_slot("requested_slot")
        if requested in OPTIONAL:
            return [SlotSet(requested, SKIPPED)]
        dispatcher.utter_message(response="utter_question_needed")
        if not requested:
            return []
        tries = dict(tracker.get_slot("failed_attempts") or {})
        tries[requested] = int(tries.get(requested, 0)) + 1
        if tries[requested] >= MAX_TRIES:
            dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("failed_attempts", tries)]


class ActionCancelIntake(Action):
    """Stop the intake: nothing is saved."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_cancel_intake"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Deactivate the form and forget its answers."""
        dispatcher.utter_message(response="utter_intake_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None),
                SlotSet("awaiting_confirmation", False), SlotSet("failed_attempts", None),
                *[SlotSet(slot, None) for slot in CASE_SLOTS]]


class ActionGoBack(Action):
    """Go back to the question asked before the current one, clearing its answer."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_go_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Find the previous question of this intake; the form then asks it again."""
        named = _name_given(tracker)
        if named:
            return named
        if not (tracker.active_loop or {}).get("name"):
            dispatcher.utter_message(response="utter_ask_what_to_correct"
                                     if tracker.get_slot("awaiting_confirmation")
                                     else "utter_nothing_to_go_back")
            return []
        previous = previous_question(tracker.events, tracker.get_slot("requested_slot"))
        if previous is None:
            dispatcher.utter_message(response="utter_nothing_to_go_back")
            return []
        dispatcher.utter_message(response="utter_went_back")
        return [SlotSet(previous, None), SlotSet("requested_slot", None)]


def _name_given(tracker: Tracker) -> list[EventType]:
    """The answer to a name question the model only weakly took for "go back": "ليلى عودة"
    (Layla Odeh) at "what is your name?" is her name, not a request to go back."""
    asked = tracker.get_slot("requested_slot")
    text = str(tracker.latest_message.get("text") or "").strip()
    intent = tracker.latest_message.get("intent") or {}
    tidy = _NAMED_ANSWERS.get(str(asked))
    if tidy is None or (tracker.active_loop or {}).get("name") != "intake_form" or not text \
            or text.startswith("/") or float(intent.get("confidence") or 0) >= _SURE_GO_BACK \
            or is_question(text, language(tracker)) or len(text.split()) > 6:
        return []
    value = tidy(text, language(tracker))
    return [SlotSet(str(asked), value)] if value and len(value) <= 200 else []


def previous_question(events: list[dict[str, Any]], current: str | None) -> str | None:
    """The question asked just before ``current`` since the intake started (consent excluded).

    Every question the form asks shows up as a `requested_slot` event; going back twice
    walks further back because each step clears the answer it returns to.
    """
    start = max((i for i, e in enumerate(events)
                 if e.get("event") == "action" and e.get("name") == "action_start_intake"),
                default=0)
    asked: list[str] = []
    for event in events[start:]:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            value = event.get("value")
            if value and value in ORDER:
                if value in asked:
                    del asked[asked.index(value):]  # we had come back to this question
                asked.append(value)
    if current in asked:
        asked = asked[:asked.index(current)]
    asked = [slot for slot in asked if slot != "consent"]
    return asked[-1] if asked else None
