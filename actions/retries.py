"""A typed answer that fits no option: say what to write, and the second time, go on.

"Please choose one of the options" twice is a dead end. For the questions listed here the
first miss says what the answer could look like (with the question's buttons again); the
second keeps the user's words for the broker, leaves the field out and asks the next question.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import typed_answer
from actions.choices import own_words
from actions.cleaning import message
from actions.common import language
from catalog.brief import isolate

RETRIED = frozenset({"timeline", "stage", "website", "phone", "amount"})
SKIPPED = "skipped"
MAX_TRIES = 2


def retry_or_move_on(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str,
                     tries: dict[str, int], response: str) -> dict[str, Any]:
    """Say how to answer ``slot`` again; after ``MAX_TRIES`` misses keep the words and go on.

    The hint is the pack's `retry_<slot>` message, else the domain's ``response``.
    """
    lang = language(tracker)
    text = typed_answer(tracker, slot) or ""
    words = own_words(text) or text[:200]
    if tries.get(slot, 0) < MAX_TRIES:
        hint = message(lang, f"retry_{slot}")
        if hint:
            dispatcher.utter_message(text=hint.format(words=isolate(words, lang)))
        else:
            dispatcher.utter_message(response=response)
        return {slot: None, "failed_attempts": tries}
    kept = dict(tracker.get_slot("own_words") or {})
    if words:
        kept[slot] = words
        dispatcher.utter_message(text=message(lang, "kept_as_written").format(
            words=isolate(words, lang)))
    return {slot: SKIPPED, "own_words": kept, "failed_attempts": tries}
