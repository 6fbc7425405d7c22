"""A reply to the summary that is neither a plain yes, a no nor a correction.

At "Here's a summary of your request … shall I send it?" people write "cap canvi, envia la
sol·licitud" (the model hears "stop"), "perfetto così, grazie mille" (thanks), "all good"
(a greeting) or "envia-la" (nothing it knows). Cancelling on the first and answering
"you're welcome" to the second lose a request the user meant to send. The words decide:
a send or "all correct" word of the language (nlu/<lang>/fields.yml `confirms:`) and no
cancel word (`cancels:`) sends it; a cancel word and no send word cancels; a reply that
changes a field ("المبلغ هو 35 ألف دينار موش 30", the amount is 35 thousand, not 30: as much
a statement as a correction to the model, which then places it nowhere) or names one ("my
full name is …") is the correction, applied before anything is sent; one the model ranks as
a yes close behind its first guess ("agora está certo, obrigado": thanks, then yes) sends
it. Anything else shows the summary again with its buttons.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cleaning import find, words
from actions.common import language
from actions.corrections import named_field
from actions.intake_navigation import ActionCancelIntake
from actions.intake_slots import correction_updates
from actions.intake_summary import ActionApplyCorrection, ActionShowSummary, ActionSubmitCase
from actions.matching import ActionProposeMatches

# How sure the model must be of a yes ranked behind "thanks" or "bye" to send the request.
SURE_YES = 0.3


def ranked_yes(tracker: Tracker) -> bool:
    """Whether the model ranks a yes high enough, and above a no, behind its first guess."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    scores = {str(r.get("name")): float(r.get("confidence") or 0) for r in ranking}
    return scores.get("affirm", 0.0) >= SURE_YES and scores["affirm"] > scores.get("deny", 0.0)


def summary_decision(text: str, lang: str) -> str:
    """"send", "cancel" or "ask" for a typed reply to the summary."""
    sends = bool(find(text, words(lang, "confirms")))
    cancels = bool(find(text, words(lang, "cancels")))
    if sends and not cancels:
        return "send"
    if cancels and not sends:
        return "cancel"
    return "ask"


class ActionSummaryReply(Action):
    """Send, cancel or ask again, by the words of a reply the model could not place."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_summary_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Do what the reply says or corrects; when it says neither, show the summary again."""
        text = str(tracker.latest_message.get("text") or "")
        decision = summary_decision(text, language(tracker))
        if decision != "cancel" and correction_updates(tracker):
            return await ActionApplyCorrection().run(dispatcher, tracker, domain)
        events: list[Any] = []
        if decision == "send":
            events += await ActionSubmitCase().run(dispatcher, tracker, domain)
            events += await ActionProposeMatches().run(dispatcher, tracker, domain)
        elif decision == "cancel":
            events += await ActionCancelIntake().run(dispatcher, tracker, domain)
        elif named_field(text, language(tracker)) is not None:
            # "το ονοματεπώνυμό μου είναι …" read as nothing the model knows: it names a
            # field, so it is a correction whatever the model took it for.
            events += await ActionApplyCorrection().run(dispatcher, tracker, domain)
        elif ranked_yes(tracker):
            events += await ActionSubmitCase().run(dispatcher, tracker, domain)
            events += await ActionProposeMatches().run(dispatcher, tracker, domain)
        else:
            events += await ActionShowSummary().run(dispatcher, tracker, domain)
        return events
