"""A correction of an earlier answer made in the middle of the questions, not at the summary.

"sorry, we are 14 not 40" asked at the website question, or "più che soldi ci serve una
consulenza" at the members question: the answer it corrects changes at once (read as a
correction at the summary is, actions/corrections.py), and the open question is asked
again instead of taking the message for its answer ("I couldn't find a web address in…").
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.common import intent_of
from actions.intake_slots import CASE_SLOTS, INTENT_NEED, correction_updates

# Intents a message changing an earlier answer may be read as: a correction, or a need
# ("actually it's more advice we need") when the open question is not about the need. The
# consent question has its own reading of a need ("no, but can we see the partners?").
_NEED_QUESTIONS = frozenset({"need_category", "need_description"})


def correction_mid_form(tracker: Tracker) -> list[EventType] | None:
    """The slots a message corrects among the answers already given, with the open
    question left open; None when the message corrects nothing already answered."""
    requested = tracker.get_slot("requested_slot")
    text = str(tracker.latest_message.get("text") or "")
    if requested in (None, "consent") or tracker.get_slot("awaiting_confirmation") \
            or text.startswith("/"):
        return None
    intent = intent_of(tracker)
    if intent != "correct_answer" and not (intent in INTENT_NEED
                                           and requested not in _NEED_QUESTIONS):
        return None
    changes = {name: value for name, value in correction_updates(tracker).items()
               if name in CASE_SLOTS and name != requested and value is not None
               and tracker.get_slot(name) is not None and tracker.get_slot(name) != value}
    if not changes:
        return None
    return [*(SlotSet(name, value) for name, value in changes.items()),
            SlotSet(requested, None)]
