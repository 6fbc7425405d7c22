"""A correction at the summary that the model took for a request is still a correction.

At "Here's a summary of your request … shall I send it?", "benim adim Hatice Yildiz,
soyadimi tam yazin lutfen" (my name is Hatice Yildiz, write my surname in full) was read as
a question about events: the events list came, and the name stayed cut. A message there that
names a field with a value after it (nlu/<lang>/fields.yml `fields:`) and asks nothing is
the correction, whatever the model read; the actions a correction is mistaken for hand it on.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cleaning import is_question
from actions.common import language
from actions.corrections import named_field


def names_a_correction(tracker: Tracker) -> bool:
    """Whether the latest message, sent at the summary, corrects a named field."""
    text = str(tracker.latest_message.get("text") or "").strip()
    if tracker.get_slot("awaiting_confirmation") is not True or not text \
            or text.startswith("/") or (tracker.active_loop or {}).get("name"):
        return False
    lang = language(tracker)
    if is_question(text, lang):
        return False
    named = named_field(text, lang)
    return named is not None and bool(named[1])


async def correction_instead(dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[EventType] | None:
    """Apply the latest message as a correction when it is one; None when it is not."""
    if not names_a_correction(tracker):
        return None
    from actions.intake_summary import ActionApplyCorrection  # it imports the callers

    return await ActionApplyCorrection().run(dispatcher, tracker, domain)
