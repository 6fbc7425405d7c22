"""A correction of an earlier answer made in the middle of the questions, not at the summary.

"sorry, we are 14 not 40" asked at the website question, or "più che soldi ci serve una
consulenza" at the members question: the answer it corrects changes at once (read as a
correction at the summary is, actions/corrections.py), and the open question is asked
again instead of taking the message for its answer ("I couldn't find a web address in…").
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.answers import answers_question
from actions.common import intent_of, language
from actions.intake_slots import CASE_SLOTS, INTENT_NEED, correction_updates

# Intents a message changing an earlier answer may be read as: a correction, or a need
# ("actually it's more advice we need") when the open question is not about the need. The
# consent question has its own reading of a need ("no, but can we see the partners?").
_NEED_QUESTIONS = frozenset({"need_category", "need_description"})
# Questions answered in free words, which may name anything ("the hall the council lent us
# in comodato" is no town): what they say is their answer, never a correction of another.
_FREE_TEXT = frozenset({None, "consent", "need_description"})
_NEED_WORDS = 3  # a need said instead of an answer takes a sentence, not a word or two


def correction_mid_form(tracker: Tracker) -> list[EventType] | None:
    """The slots a message corrects among the answers already given, with the open
    question left open; None when the message corrects nothing already answered."""
    requested = tracker.get_slot("requested_slot")
    text = str(tracker.latest_message.get("text") or "")
    if requested in _FREE_TEXT or tracker.get_slot("awaiting_confirmation") \
            or text.startswith("/"):
        return None
    intent = intent_of(tracker)
    if intent != "correct_answer" and not (intent in INTENT_NEED
                                           and requested not in _NEED_QUESTIONS):
        return None
    lang = language(tracker)
    if intent != "correct_answer" and (len(text.split()) < _NEED_WORDS
                                       or answers_question(str(requested), text, lang)):
        # "42 ortak" (42 members; "ortak" is also a partner) at the head count question
        # is its answer, whatever need the model heard in it; so is "by June, before the
        # members' assembly" at the timeline question.
        return None
    changes = {name: value for name, value in correction_updates(tracker).items()
               if name in CASE_SLOTS and name != requested and value is not None
               and tracker.get_slot(name) is not None and tracker.get_slot(name) != value}
    if not changes:
        return None
    return [*(SlotSet(name, value) for name, value in changes.items()),
            SlotSet(str(requested), None)]
