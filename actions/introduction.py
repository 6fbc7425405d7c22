"""A first message that introduces the organisation is understood, kept and answered.

"Somos una cooperativa de limpieza de Zaragoza" says who is writing, not what they need.
Outside the questions it is acknowledged with what was understood (organisation, legal
form, town and country, sector, size, stage) and followed by "what do you need?" with
buttons. What was understood is kept in the slots, so the intake that follows does not
ask it again. "I didn't understand" is left for messages in which nothing is understood.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import intent_of, language
from actions.extraction import extract
from actions.places import only_destination
from actions.towns import country_of, placed_town
from actions.validators import parse_country, parse_positive_int
from catalog.brief import isolate, labels, value_label
from catalog.vocabulary import CASE_LEGAL_FORMS, CASE_SECTORS, STAGES

SHOWN = ("org_name", "legal_form", "city", "country", "sector", "members", "stage",
         "need_category")
CODES: dict[str, frozenset[str]] = {
    "legal_form": CASE_LEGAL_FORMS, "sector": CASE_SECTORS, "stage": STAGES,
    "need_category": frozenset({"funding", "consultancy", "innovation",
                                "internationalisation", "partners"}),
}


def _from_entities(tracker: Tracker, lang: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for entity in tracker.latest_message.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if name in found or value in (None, ""):
            continue
        if name == "org_name" and 1 < len(str(value)) <= 200:
            found[name] = str(value).strip()
        elif name == "city" and len(str(value)) <= 120:
            found[name] = str(value).strip()
        elif name == "country" and (code := parse_country(str(value))):
            found[name] = code
        elif name == "members" and (count := parse_positive_int(str(value), lang)):
            found[name] = count
        elif name in CODES and str(value) in CODES[name]:
            found[name] = str(value)
    return found


def understood(tracker: Tracker) -> dict[str, Any]:
    """What the latest message says about the organisation, as case fields."""
    text = str(tracker.latest_message.get("text") or "")
    if not text or text.startswith("/"):
        return {}
    lang = language(tracker)
    found = _from_entities(tracker, lang)
    read = extract(text, lang)
    for name in ("legal_form", "sector", "country", "city", "stage", "members",
                 "need_category"):
        value = getattr(read, name)
        if value is not None and name not in found and \
                (name not in CODES or value in CODES[name]):
            found[name] = value
    if "country" in found and only_destination(text, found["country"], lang):
        # "we want to export to Spain and Italy": where they want to go, not where they are.
        del found["country"]
    town = placed_town(text, lang)
    if town is not None:
        found.setdefault("city", town[0])
    if "country" not in found and (code := country_of(found.get("city"))):
        found["country"] = code
    return found


def describe(found: dict[str, Any], lang: str) -> str:
    """"Coop Netaja · Cooperative · Zaragoza (Spain) · Services" in ``lang``."""
    names = labels(lang).get("field", {})
    parts: list[str] = []
    for name in SHOWN:
        if name not in found or (name == "country" and "city" in found):
            continue
        shown = value_label(name, found[name], lang)
        if name == "city" and "country" in found:
            shown = f"{found['city']} ({value_label('country', found['country'], lang)})"
        elif name == "members":
            shown = f"{names.get('members', 'members')}: {shown}"
        parts.append(isolate(str(shown), lang))
    return " · ".join(parts)


def declined_consent(tracker: Tracker) -> bool:
    """Tell whether the user refused to have data kept in this conversation."""
    return bool(tracker.get_slot("consent_refused")) or any(
        e.get("event") == "bot"
        and (e.get("metadata") or {}).get("utter_action") == "utter_consent_declined"
        for e in tracker.events)


class ActionUnderstandIntro(Action):
    """Acknowledge an introduction, keep what it says, and ask what they need."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return "action_understand_intro"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Say what was understood and offer the needs; "didn't understand" if nothing was."""
        found = understood(tracker)
        intent = intent_of(tracker)
        if not found:
            dispatcher.utter_message(response="utter_default" if intent != "inform"
                                     else "utter_intro_what_need")
            return []
        dispatcher.utter_message(response="utter_intro_understood",
                                 understood=describe(found, language(tracker)))
        if declined_consent(tracker):
            return []  # nothing personal is kept after a "no"
        # The kind of need is asked by the buttons: a guess must not override the button.
        events: list[EventType] = [
            SlotSet(name, value) for name, value in found.items()
            if name != "need_category" and tracker.get_slot(name) in (None, "")]
        held = tracker.get_slot("country")
        text = str(tracker.latest_message.get("text") or "")
        if "country" not in found and held and only_destination(text, str(held),
                                                                language(tracker)):
            events.append(SlotSet("country", None))  # the model's entity was a destination
        return events
