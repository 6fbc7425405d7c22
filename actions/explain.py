"""Questions about a question: "what does this mean?", "why do you need this?".

During the intake, a message asking what a question means or why it is asked is not an
answer: the question is explained in the user's language, with examples (responses
`utter_explain_<field>`), and the form asks it again. Nothing is stored and no failed
try is counted. The message may name another field ("qué significa fase del proyecto?"
while the form asks for the sector): that field is explained. The phrases that ask
("qué significa", "ne demek") are in each language pack (terms.yml, `question_cues:`).
"""

from __future__ import annotations

import re
from functools import cache

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language
from actions.extraction import fold, terms

FIELDS = ("consent", "org_name", "legal_form", "country", "city", "sector", "members", "stage",
          "website", "need_category", "need_description", "discoverable", "amount", "timeline",
          "contact_name", "email", "phone")
MAX_WORDS = 9  # a longer message is an answer that happens to contain "why" or "what is"


def _folded(text: str) -> str:
    folded = fold(text).replace("’", "'")
    return re.sub(r"[أإآ]", "ا", folded)


@cache
def _cues(lang: str) -> tuple[str, ...]:
    """The language pack's phrases asking what a question means, then English's."""
    found: list[str] = []
    for source in (terms(lang), terms("en")):
        found += [_folded(str(cue)) for cue in source.get("question_cues") or []]
    return tuple(dict.fromkeys(found))


def asks_meaning(text: str, lang: str) -> bool:
    """Tell whether ``text`` asks what a question means or why it is asked."""
    if not text or text.startswith("/") or len(text.split()) > MAX_WORDS:
        return False
    folded = _folded(text.strip())
    words = " " + " ".join(re.sub(r"[^\w\s'-]", " ", folded).split()) + " "
    for cue in _cues(lang):
        if (cue.endswith("?") and cue in folded) or f" {cue} " in words:
            return True
    return False


@cache
def _field_names(lang: str) -> dict[str, str]:
    """Folded field labels of ``lang`` and English (labels: field:) → field."""
    names: dict[str, str] = {}
    for source in (terms("en"), terms(lang)):
        for name, label in ((source.get("labels") or {}).get("field") or {}).items():
            names[_folded(str(label))] = str(name)
    return names


def field_asked_about(text: str, lang: str, requested: str | None) -> str | None:
    """The field a question about the intake is about: one it names, else the one asked."""
    folded = _folded(text)
    named = [(len(label), name) for label, name in _field_names(lang).items()
             if len(label) > 3 and re.search(r"\b" + re.escape(label) + r"\b", folded)]
    if named:
        return max(named)[1]
    return requested if requested in FIELDS else None


def explain_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Explain the question asked about, if the latest message asks about one.

    Returns the events that leave the requested question open (the form asks it again),
    or None when the message is not a question about the intake.
    """
    requested = tracker.get_slot("requested_slot")
    text = str(tracker.latest_message.get("text") or "")
    lang = language(tracker)
    if requested not in FIELDS or not asks_meaning(text, lang):
        return None
    field = field_asked_about(text, lang, requested) or requested
    dispatcher.utter_message(response=f"utter_explain_{field}")
    events: list[EventType] = [SlotSet(requested, None)]
    return events


def explanation_only(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Explain the current question if asked about it; True when an explanation was given."""
    if (tracker.active_loop or {}).get("name") != "intake_form":
        return False  # the event registration's questions have their own texts
    return explain_question(dispatcher, tracker) is not None

