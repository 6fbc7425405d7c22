"""The end of the intake: the summary, corrections at it, and saving the case."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import catalogue
from actions.amounts import currency_for_country, parse_amount
from actions.cleaning import message
from actions.common import always_broker_needs, language, metadata
from actions.corrections import (
    ASK_WHICH,
    ASKABLE,
    Correction,
    named_field,
    pending_value,
    read_correction,
    value_for,
)
from actions.intake_slots import (
    CASE_SLOTS,
    SKIPPED,
    case_values,
    iso_currency,
    set_since_latest_message,
    values_before_latest_message,
)
from actions.matching import propose
from actions.validators import (
    parse_choice,
    parse_country,
    parse_positive_int,
)
from catalog.brief import isolate, labels, summary
from catalog.cases import ANSWER_FIELDS, channel_phone, new_chat_case, save_new_case
from catalog.models import Case
from catalog.vocabulary import OTHER

logger = logging.getLogger(__name__)


class ActionShowSummary(Action):
    """After the form: show the summary for confirmation, or acknowledge a refused consent."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_show_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Show the case in the user's language and wait for confirmation."""
        if tracker.get_slot("consent") is False:
            dispatcher.utter_message(response="utter_consent_declined")
            # Browsing stays open: propose services for the need, storing nothing.
            return [SlotSet("consent", None), SlotSet("consent_refused", False),
                    SlotSet("awaiting_confirmation", False), *propose(dispatcher, tracker)]
        values = with_channel_phone(in_own_words(case_values(tracker), tracker), tracker)
        dispatcher.utter_message(response="utter_case_summary",
                                 summary=summary(values, language(tracker)))
        return [SlotSet("consent_refused", False), SlotSet("awaiting_confirmation", True)]


class ActionApplyCorrection(Action):
    """Apply a correction given at the summary, then show the summary again."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_apply_correction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Change the field the user names; ask which one when a bare value could be several."""
        lang = language(tracker)
        correction = answer_to_which_field(tracker, lang) or read_correction(tracker, iso_currency)
        # A field the correction does not change keeps its value, whatever the model's
        # entity mappings set from the message ("Vittoria" tagged as a country).
        earlier = values_before_latest_message(tracker.events)
        kept = {slot: earlier.get(slot) for slot in set_since_latest_message(tracker.events)
                if slot in CASE_SLOTS and slot not in correction.updates}
        restored: list[EventType] = [SlotSet(k, v) for k, v in kept.items()]
        if correction.invalid:
            dispatcher.utter_message(response=correction.invalid)
            return restored
        if correction.unsure is not None and not correction.updates:
            ask_which_field(dispatcher, correction.unsure, lang)
            return restored
        if not correction.updates:
            dispatcher.utter_message(response="utter_ask_what_to_correct")
            return restored
        values = with_channel_phone({**case_values(tracker), **kept, **correction.updates},
                                    tracker)
        dispatcher.utter_message(response="utter_case_summary",
                                 summary=summary(values, lang))
        return restored + [SlotSet(k, v) for k, v in correction.updates.items()] + [
            SlotSet("awaiting_confirmation", True)]


def ask_which_field(dispatcher: CollectingDispatcher, value: str, lang: str) -> None:
    """Ask which field a value is for, one button per field it could be."""
    names = labels(lang).get("field", {})
    dispatcher.utter_message(
        text=message(lang, "ask_which_field").format(value=isolate(value, lang)),
        buttons=[{"title": names.get(field, field),
                  "payload": f'/correct_answer{{"choice": "{field}"}}'} for field in ASKABLE],
        utter_action=ASK_WHICH)


def answer_to_which_field(tracker: Tracker, lang: str) -> Correction | None:
    """The correction a "which field?" answer makes: a button, or the field's name typed."""
    value = pending_value(tracker.events)
    if value is None:
        return None
    field = next(tracker.get_latest_entity_values("choice"), None)
    if field not in ASKABLE:
        named = named_field(str(tracker.latest_message.get("text") or ""), lang)
        field = named[0] if named is not None and not named[1] else None
    return value_for(str(field), value, tracker, lang) if field else None


class ActionSubmitCase(Action):
    """Save the confirmed case with its history; tell the user its reference."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_submit_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Write the case (only with consent) and reset the form's state."""
        if tracker.get_slot("consent") is not True:
            dispatcher.utter_message(response="utter_consent_declined")
            return [SlotSet("awaiting_confirmation", False)]
        values = _clean(case_values(tracker), language(tracker))
        words = [str(e.get("text")) for e in tracker.events
                 if e.get("event") == "user" and e.get("text")
                 and not str(e.get("text")).startswith("/")]

        answers = {k: (None if values.get(k) == SKIPPED else values.get(k))
                   for k in ANSWER_FIELDS}

        def build(session: Session, reference: str) -> Case:
            return new_chat_case(
                session, reference=reference, conversation_id=tracker.sender_id,
                channel=metadata(tracker).get("channel") or tracker.get_slot("channel") or "web",
                language=language(tracker), answers=answers,
                amount=Decimal(str(values["amount"])) if values.get("amount") else None,
                original_words=words[-40:], discoverable=tracker.get_slot("discoverable") is True,
                note=creation_note(tracker),
                destinations=[str(c) for c in values.get("destinations") or []])

        # A reference already taken is drawn again, so a confirmed case is never lost.
        reference = save_new_case(catalogue.session, build)
        logger.info("case %s saved", reference)
        dispatcher.utter_message(response="utter_case_saved", reference=reference)
        need = values.get("need_category")
        if need in always_broker_needs():
            # Some needs are always handled by a person: the core queues the conversation.
            dispatcher.utter_message(json_message={"state": "waiting", "reason": f"need:{need}"})
        return [SlotSet("case_reference", reference), SlotSet("awaiting_confirmation", False),
                SlotSet("failed_attempts", None), SlotSet("own_words", None)]


def creation_note(tracker: Tracker) -> str:
    """The case's first history note, with the answers kept in the user's own words."""
    kept = tracker.get_slot("own_words") or {}
    words = "; ".join(f"{field}: {text}" for field, text in sorted(kept.items())
                      if tracker.get_slot(field) in (OTHER, SKIPPED))
    return f"created in chat; in the user's own words: {words}" if words else "created in chat"


def _clean(values: dict[str, Any], lang: str) -> dict[str, Any]:
    """Normalise values that may have been set from raw entities outside the form."""
    cleaned = dict(values)
    if cleaned.get("members") is not None and not isinstance(cleaned["members"], int):
        cleaned["members"] = parse_positive_int(str(cleaned["members"]), lang)
    if cleaned.get("country") is not None:
        cleaned["country"] = parse_country(str(cleaned["country"]))
    if cleaned.get("amount") is not None and not isinstance(cleaned["amount"], int | float):
        parsed = parse_amount(str(cleaned["amount"]), lang, cleaned.get("country"))
        cleaned["amount"], cleaned["currency"] = (float(parsed[0]), parsed[1]) if parsed \
            else (None, cleaned.get("currency"))
    # A currency means nothing without an amount; with one it is stored as an ISO code.
    cleaned["currency"] = None if cleaned.get("amount") is None else \
        iso_currency(cleaned.get("currency"), cleaned.get("country"))
    if cleaned["currency"] is not None:  # pesos said before the country: that country's
        cleaned["currency"] = currency_for_country(cleaned["currency"],
                                                   cleaned.get("country")) or cleaned["currency"]
    for field in ("legal_form", "sector", "stage", "need_category", "timeline"):
        if cleaned.get(field) is not None:
            cleaned[field] = parse_choice(str(cleaned[field]), field, lang) or cleaned[field]
    return cleaned


def with_channel_phone(values: dict[str, Any], tracker: Tracker) -> dict[str, Any]:
    """On WhatsApp the phone is not asked: the summary shows the number they write from."""
    if values.get("phone") not in (None, "", SKIPPED) or "whatsapp" not in (
            metadata(tracker).get("channel"), tracker.get_slot("channel")):
        return values
    with catalogue.session() as session:
        return {**values, "phone": channel_phone(session, tracker.sender_id)}


def in_own_words(values: dict[str, Any], tracker: Tracker) -> dict[str, Any]:
    """The case's values as the summary shows them: "other" in the words the user wrote."""
    kept = tracker.get_slot("own_words") or {}
    return {field: (kept[field] if value in (OTHER, SKIPPED) and field in kept else value)
            for field, value in values.items()}
