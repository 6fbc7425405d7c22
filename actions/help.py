"""Help: what the assistant can do, with live figures from the catalogue."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import catalogue
from actions.answers import misread_description, open_question_answer
from actions.common import language
from actions.explain import explanation_only
from catalog.plurals import counted
from catalog.queries import catalogue_counts


class ActionShowHelp(Action):
    """Explain the assistant's abilities and how much the catalogue offers today."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_show_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        """Send utter_help filled with the catalogue's counts.

        During the questions, "what does this mean?" explains the question instead, and an
        answer the model took for a plea for help ("ما عنا" to the website question) is
        stored as the answer, silently: the form, which runs next, asks the next question. A
        description of the need that begins with "help" is left to the form, which reads it.
        """
        if explanation_only(dispatcher, tracker):
            return []
        answer = open_question_answer(tracker)
        if answer:
            return [SlotSet(slot, value) for slot, value in answer.items()]
        if misread_description(tracker):
            return []  # "help preparing for …" describes the need: the form reads it next
        with catalogue.session() as session:
            counts = catalogue_counts(session)
        lang = language(tracker)
        dispatcher.utter_message(
            response="utter_help", **counts,  # the figures, and how the reply says them
            services=counted(lang, "services", counts["service_count"]),
            organisations=counted(lang, "organisations", counts["provider_count"]),
            events=counted(lang, "events", counts["event_count"]))
        return []
