"""Global slot validator (`action_validate_slot_mappings`): how the latest message reads in its
place in the conversation (actions/turn_reading.py), set before the dialogue picks an action.

The channel and the language come from the message metadata through the NLU pipeline
(nlu/components/conversation_language.py), without this call.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.reading_gate import SLOT
from actions.turn_reading import reading


class ValidatePredefinedSlots(ValidationAction):
    """Fill the slots no message mapping can: the reading of the message in context."""

    async def extract_read_as(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        """Read the message in context, before the dialogue picks an action (every turn)."""
        value = reading(tracker)
        return {SLOT: value} if value != tracker.get_slot(SLOT) else {}
