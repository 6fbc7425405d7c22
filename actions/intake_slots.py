"""The intake's questions and slots, and the small readers the intake's actions share."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.types import DomainDict

from actions.amounts import default_currency, parse_currency
from actions.corrections import (
    read_correction,
)
from catalog.vocabulary import CASE_LEGAL_FORMS, CASE_SECTORS, STAGES

FORM = "intake_form"


ORDER = ("consent", "org_name", "legal_form", "country", "city", "sector", "members", "stage",
         "website", "need_category", "need_description", "discoverable", "amount", "timeline",
         "contact_name", "email", "phone")


# Questions "skip" leaves unanswered; the amount too: many do not know it yet.
OPTIONAL = frozenset({"website", "phone", "amount"})


PREFILLABLE = ("legal_form", "country", "city", "sector", "members", "stage", "need_category")


CASE_SLOTS = (*ORDER, "currency", "destinations")


INTENT_NEED = {"need_funding": "funding", "need_consultancy": "consultancy",
               "need_innovation": "innovation", "need_internationalisation": "internationalisation",
               "search_partners": "partners"}


SKIPPED = "skipped"


# Fields an answer to the question may change besides the question's own.
ANSWERED_WITH = {"amount": frozenset({"amount", "currency"}),
                 "consent": frozenset({"consent", "need_category"})}  # "no, but partners?"


# Entities a correction does not take as they come: read from the text instead.
NOT_FROM_ENTITIES = frozenset({"consent", "members", "amount", "currency"})


CHOICES: dict[str, frozenset[str]] = {
    "legal_form": CASE_LEGAL_FORMS, "sector": CASE_SECTORS, "stage": STAGES,
    "need_category": frozenset({"funding", "consultancy", "innovation", "internationalisation",
                                "partners", "events", "other"}),
    "timeline": frozenset({"urgent", "3_months", "12_months", "no_rush"}),
}


MAX_TRIES = 2


def response_text(domain: DomainDict, name: str, lang: str) -> str:
    """Return the text of response ``name`` in ``lang`` as the user sees it."""
    for variation in domain.get("responses", {}).get(name, []):
        for condition in variation.get("condition") or []:
            if condition.get("name") == "language" and condition.get("value") == lang:
                return str(variation.get("text", ""))
    variations = domain.get("responses", {}).get(name, [])
    return str(variations[-1].get("text", "")) if variations else ""


def unpayload(value: Any, slot: str) -> Any:
    """Return the slot's value from a button payload that reached a text mapping."""
    if isinstance(value, str) and value.startswith("/") and "{" in value:
        try:
            data = json.loads(value[value.index("{"):])
        except ValueError:
            return value
        if isinstance(data, dict) and slot in data:
            return data[slot]
    return value


def case_values(tracker: Tracker) -> dict[str, Any]:
    """Return the case fields currently held in slots."""
    return {slot: tracker.get_slot(slot) for slot in CASE_SLOTS}


def answer_texts(tracker: Tracker, slot: str, slot_value: Any) -> list[str]:
    """Return what an answer is read from: the whole message first, then the slot's value.

    An entity mapping may hold only part of the answer ("270" of "270 χιλ. ευρω", "15000"
    of "15000 euro"), so the message itself is read first when it answers this question.
    """
    texts: list[str] = []
    text = str(tracker.latest_message.get("text") or "")
    if tracker.get_slot("requested_slot") == slot and text and not text.startswith("/"):
        texts.append(text)
    texts.append(str(unpayload(slot_value, slot) or ""))
    return texts


def iso_currency(value: Any, country: str | None) -> str:
    """Return a slot's currency as an ISO code; the country's own when it names none."""
    text = str(value or "")
    if len(text) == 3 and text.isalpha() and text.isupper():
        return text
    return parse_currency(text, country) or default_currency(country)


def correction_updates(tracker: Tracker) -> dict[str, Any]:
    """Return the case fields the latest message corrects (see actions.corrections)."""
    return read_correction(tracker, iso_currency).updates


def values_before_latest_message(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Every slot's value as it was before the latest user message."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    values: dict[str, Any] = {}
    for event in events[:last_user]:
        if event.get("event") == "slot":
            values[str(event.get("name"))] = event.get("value")
        elif event.get("event") == "restart":
            values.clear()
    return values


def set_since_latest_message(events: list[dict[str, Any]]) -> set[str]:
    """The slots set after the latest user message, before the action now running (the
    model's entity mappings: "la citta e' Vittoria" may set the country to "Vittoria")."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return {str(e.get("name")) for e in events[last_user + 1:] if e.get("event") == "slot"}
