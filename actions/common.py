"""Helpers shared by actions: reading the message metadata and the conversation language."""

from __future__ import annotations

import os
from typing import Any

from rasa_sdk import Tracker

from catalog.vocabulary import LANGUAGES

SUPPORTED = LANGUAGES


def metadata(tracker: Tracker) -> dict[str, Any]:
    """Return the metadata the bot attached to the latest user message."""
    data = tracker.latest_message.get("metadata") if tracker.latest_message else None
    return data if isinstance(data, dict) else {}


def intent_of(tracker: Tracker) -> str | None:
    """Return the name of the intent the model gave the latest message, if any."""
    name = (tracker.latest_message.get("intent") or {}).get("name")
    return str(name) if name else None


def language(tracker: Tracker) -> str:
    """Return the conversation language (metadata first, then the slot, then English)."""
    value = metadata(tracker).get("language") or tracker.get_slot("language")
    return value if value in SUPPORTED else "en"


def always_broker_needs() -> frozenset[str]:
    """Return the need categories a broker always handles (ALWAYS_BROKER_NEEDS, comma list)."""
    raw = os.environ.get("ALWAYS_BROKER_NEEDS", "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())
