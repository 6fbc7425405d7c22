"""Global slot validator (`action_validate_slot_mappings`): slots read from message metadata,
and how the message reads in its place in the conversation (actions/turn_reading.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.common import metadata
from actions.turn_reading import SLOT, reading

CHANNELS = frozenset({"web", "terminal", "telegram", "whatsapp", "test"})


class ValidatePredefinedSlots(ValidationAction):
    """Fill slots that come from the message metadata rather than from the text."""

    async def extract_channel(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        """Record which channel the user writes from (sent by the bot as metadata)."""
        channel = metadata(tracker).get("channel")
        if channel in CHANNELS and channel != tracker.get_slot("channel"):
            return {"channel": channel}
        return {}

    async def extract_read_as(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        """Read the message in context, before the dialogue picks an action (every turn)."""
        value = reading(tracker)
        return {SLOT: value} if value != tracker.get_slot(SLOT) else {}
