"""Answers to plain questions (nlu/faq.yml), asked wherever the user is in the dialogue.

The NLU component nlu/components/faq_matcher.py marks a plain question as intent
`ask_faq` with a `faq_topic` entity. Most topics are answered by the response
utter_faq_<topic> of the language pack; the privacy topic by the privacy notice, "my
registrations" by the list of registrations. A question nothing answers is offered to a
broker. The dialogue's rules then ask the open question of the intake or the registration
again, so answering never loses the user's place.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.events import ActionListRegistrations
from actions.summary_misreads import correction_instead

logger = logging.getLogger(__name__)

# "Peace be upon you" asks for its answer, "and upon you peace", in every language.
# A message that opens with "salam" alone ("Salam!", "slm", "سلام، ...") is the same greeting;
# "Salamanca" is not.
_SALAM = re.compile(r"السلام عليكم|سلام عليكم|\bsalam\w*\W+(wa?\W?)?3?a?l[aeiy]*[kc]o?u?m|"
                    r"\bselamun aleyk|\bas-?salamu? |^\W*(as-?)?sala+m\b(?![-'])|^\W*slm\b|"
                    r"^\W*(ال)?سلام(?!\w)")

ANSWERED = frozenset({"fees", "about", "friend", "duration"})
UNKNOWN = "unknown"


def faq_topic(tracker: Tracker) -> str:
    """The topic the latest message asks about ("unknown" when none is named)."""
    topic = next(tracker.get_latest_entity_values("faq_topic"), None)
    return str(topic) if topic else UNKNOWN


class ActionAnswerFaq(Action):
    """Answer the plain question, show what it asks for, or offer it to a broker."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Utter the answer; the rules re-ask any open question afterwards."""
        topic = faq_topic(tracker)
        if topic == UNKNOWN and (corrected := await correction_instead(
                dispatcher, tracker, domain)) is not None:
            return corrected  # a correction at the summary the model took for a question
        logger.info("plain question on %s", topic)
        if topic in ANSWERED:
            dispatcher.utter_message(response=f"utter_faq_{topic}")
        elif topic == "data":
            dispatcher.utter_message(response="utter_privacy")
        elif topic == "registrations":
            return await ActionListRegistrations().run(dispatcher, tracker, domain)
        else:
            dispatcher.utter_message(response="utter_faq_unknown")
        return []


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def answer_salutation(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Answer "as-salamu alaykum" with "wa alaykum as-salam" before anything else."""
    if _SALAM.search(_folded(str(tracker.latest_message.get("text") or ""))):
        dispatcher.utter_message(response="utter_salam_reply")
