"""Changing the conversation language on request."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import answers_open_question
from actions.common import SUPPORTED, language
from catalog.notices import render


class ActionChangeLanguage(Action):
    """Confirm a language switch, or offer the choice when no language was named."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_change_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        """Switch to the requested language, telling the bot core through a custom payload."""
        requested = next(tracker.get_latest_entity_values("language"), None)
        if requested not in SUPPORTED:
            if answers_open_question(tracker):
                # "England" at the country question names no language: it is the answer,
                # which the form reads next; no language menu in between.
                return []
            dispatcher.utter_message(response="utter_choose_language")
            dispatcher.utter_message(json_message={"language_choice": True})
            return []
        if requested != language(tracker):
            # Responses named here are rendered with the slots as they were before this
            # action, so the confirmation is taken from the new language's pack; the
            # custom payload tells the bot core the conversation's language from now on.
            # One message, one turn: the core never sends it to the engine again.
            text, _buttons = render("utter_language_changed", requested)
            dispatcher.utter_message(json_message={"language": requested})
            dispatcher.utter_message(text=text)
            return [SlotSet("language", requested)]
        dispatcher.utter_message(response="utter_language_changed")
        return [SlotSet("language", requested)]
