"""How a message reads in its place in the conversation, before the dialogue picks an action.

The classifier sees one message; some messages mean something else where they are said:

- ``events``: a need asked as a question about events ("do you have a meeting to find
  partners abroad?", an event word in a question), or a topic asked right after a list of
  events ("and anything on social innovation?"): the events on that topic, not a new request.
- ``no_request``: "I don't want a new request, I only wanted to know about that one", after
  the status of a request or a welcome back, or in words that ask for no particular need:
  nothing starts.
- ``returning``: "hello again, it's Hassan from the irrigation coop" from someone who already
  has a request or a registration here: the welcome back with what they have, not an
  introduction to keep.
- ``status``: "hola de nou, com va el préstec de la furgoneta?" from someone who has a
  request here: a question about how it is going (terms.yml `status_words`) is the status
  of their requests, not a new request nor a question nobody answers.
- ``erase``: "delete everything you recorded about us" taken for cancelling a registration
  or stopping: the erasure, which asks to confirm first.
- ``register``: "θέλω να δηλώσω συμμετοχή στην Κατασκήνωση Κοινωνικής Καινοτομίας", a
  registration word (fields.yml `register_words`) with the title of an upcoming event, taken
  for the need the title names: the registration for that event, not a new request.

The reading is the slot ``read_as``, set by the global slot validator
(`action_validate_slot_mappings`, actions/metadata_slots.py) after every user message, so the
rules of dialogues/rules.yml see it together with the intent. The words are data of the
language packs (nlu/<lang>/fields.yml: `event_words`, `help_words`, `greetings`, `refusals`,
`follow_ups`, `erase_verbs`, `erase_all`, `register_words`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from rasa_sdk import Tracker

from actions import catalogue
from actions.cleaning import find, fold, is_question, words
from actions.common import intent_of, language
from actions.extraction import terms
from actions.reading_gate import (
    ERASE,
    ERASE_MISREADS,
    EVENTS,
    NEED_INTENTS,
    NO_REQUEST,
    QUESTION,
    REGISTER,
    RETURNING,
    STATUS,
    UNPLACED,
    may_read_otherwise,
)
from catalog.cases import cases_of
from catalog.chat_registrations import confirmed_registrations
from catalog.event_search import titled_event, upcoming

# Bot actions after which "no, I don't want a new request" declines what was offered.
OFFERS = frozenset({"action_show_case_status", "action_greet"})
# Actions that show a list: the latest of them says what the user is browsing.
LISTS = frozenset({"action_list_events", "action_propose_matches", "action_start_intake",
                   "action_submit_case", "action_list_registrations"})
EVENTS_RECENT = 3  # user messages: a list of events older than this is no context any more
FOLLOW_UP_WORDS = 7  # "and on social innovation?" is short; a longer message says more

_LETTER = r"[^\W\d_]"
# Scripts whose words take suffixes (Turkish) or attached prefixes (Arabic): a phrase of
# the pack matches the start of a word there, or anywhere in an Arabic word.
_SUFFIXING = frozenset({"tr", "el"})
_ARABIC = re.compile(r"[\u0600-\u06ff]")


@cache
def _compiled(lang: str, section: str, *, prefix: bool) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for phrase in words(lang, section):
        body = re.escape(phrase).replace(r"\ ", r"\s+")
        if _ARABIC.search(phrase):
            patterns.append(re.compile(body))
            continue
        tail = "" if prefix or phrase.endswith("'") \
            or (lang in _SUFFIXING and len(phrase) >= 4) else rf"(?!{_LETTER})"
        patterns.append(re.compile(rf"(?<!{_LETTER}){body}{tail}"))
    return tuple(patterns)


def mentions(text: str, lang: str, section: str, *, prefix: bool = False) -> bool:
    """Whether ``text`` holds a phrase of the pack's ``section`` (English included)."""
    folded = fold(text)
    return any(p.search(folded) for p in _compiled(lang, section, prefix=prefix))


def opens_with(text: str, lang: str, section: str) -> bool:
    """Whether ``text`` starts with a phrase of the pack's ``section``."""
    folded = re.sub(r"^[\W_]+", "", fold(text.strip()))
    return any(p.match(folded) for p in _compiled(lang, section, prefix=False))


def _user_turns_back(events: Iterable[dict[str, Any]], names: frozenset[str]
                     ) -> tuple[str | None, int]:
    """The latest of the actions ``names`` and how many user messages ago it ran."""
    seen = 0
    for event in reversed(list(events)):
        if event.get("event") == "user":
            seen += 1
        elif event.get("event") == "action" and event.get("name") in names:
            return str(event.get("name")), seen
    return None, seen


def browsing_events(events: list[dict[str, Any]]) -> bool:
    """Whether the latest list shown was a list of events, a few messages ago at most.

    "See more" on events is `action_propose_matches` with the `narrowing` slot on events.
    """
    latest, ago = _user_turns_back(events, LISTS)
    if latest is None or ago > EVENTS_RECENT:
        return False
    if latest == "action_list_events":
        return True
    if latest == "action_propose_matches":
        narrowing = next((e.get("value") for e in reversed(events)
                          if e.get("event") == "slot" and e.get("name") == "narrowing"), None)
        return isinstance(narrowing, dict) and narrowing.get("list") == "events"
    return False


# A clause ends at a comma, a full stop, a question mark (Greek ";" too) or a line break.
_CLAUSE = re.compile(r"(?<=[,.!?;؟،\n])\s*")


def asks_events(text: str, lang: str, events: list[dict[str, Any]]) -> bool:
    """A question about an event, or a question or short follow-up after events.

    The event word must be in the clause that asks ("we'd like to go to fairs in Italy,
    where do we start?" asks where to start); a question that asks for help or support
    ("can we get help to go to fairs abroad?") is a need, whatever event it names.
    """
    if mentions(text, lang, "help_words"):
        return False
    questions = [part for part in _CLAUSE.split(text) if is_question(part, lang)]
    if any(mentions(part, lang, "event_words") for part in questions):
        return True
    if not browsing_events(events):
        return False
    return bool(questions) or (len(text.split()) <= FOLLOW_UP_WORDS
                               and opens_with(text, lang, "follow_ups"))


def refuses_request(text: str, lang: str, intent: str | None,
                    events: list[dict[str, Any]]) -> bool:
    """"I don't want a new request": refusal words, and either no particular need asked
    for or an offer (a status, a welcome back) just before."""
    if is_question(text, lang) or not mentions(text, lang, "refusals"):
        return False
    if intent != "request_assistance" and names_a_need(text, lang):
        return False  # "no other loan request: we look for partners" asks for one
    after_offer = _user_turns_back(events, OFFERS | LISTS)[0] in OFFERS \
        and _user_turns_back(events, OFFERS)[1] <= 1
    return intent == "request_assistance" or after_offer


@cache
def _need_words(lang: str) -> tuple[str, ...]:
    """The words that name a kind of need (terms.yml `need_category:`), "other" left out."""
    found = {fold(str(phrase)).strip() for code in dict.fromkeys((lang, "en"))
             for need, phrases in (terms(code).get("need_category") or {}).items()
             if need not in ("other", "events") for phrase in phrases or []}
    return tuple(sorted((p for p in found if p), key=len, reverse=True))


def names_a_need(text: str, lang: str) -> bool:
    """Whether ``text`` names a kind of need ("a loan", "partners", "exporting")."""
    return bool(find(text, _need_words(lang)))


def asks_erasure(text: str, lang: str) -> bool:
    """"Delete everything you have about us": a delete word and an "everything" word."""
    return mentions(text, lang, "erase_verbs", prefix=True) \
        and mentions(text, lang, "erase_all", prefix=True)


def registers(text: str, lang: str) -> bool:
    """"Quiero inscribirme en el Campamento de Innovación Social": a registration word and
    the title of one upcoming event (catalog/event_search.titled_event). Asking for help or
    support to take part ("fuarlara katılmak için yardım alabilir miyiz?") is a need."""
    if not mentions(text, lang, "register_words", prefix=True) \
            or mentions(text, lang, "help_words"):
        return False
    with catalogue.session() as session:
        return titled_event(session, upcoming(session), text) is not None


def has_history(conversation_id: str) -> bool:
    """Whether the conversation has a saved request or an event registration."""
    with catalogue.session() as session:
        return bool(cases_of(session, conversation_id, limit=1)
                    or confirmed_registrations(session, conversation_id))


def reading(tracker: Tracker) -> str | None:
    """How the latest message reads here: one of the module's readings, or None."""
    text = str(tracker.latest_message.get("text") or "").strip()
    intent = intent_of(tracker)
    loop = (tracker.active_loop or {}).get("name")
    # At the summary every message is about the summary ("esborra-ho tot" cancels the
    # request, nlu/<lang>/fields.yml `cancels:`; "/forget" still erases); an answer to an
    # intake question reads as itself, only the consent question can be left.
    if not may_read_otherwise(text=text, intent=intent, loop=loop,
                              requested_slot=tracker.get_slot("requested_slot"),
                              awaiting_confirmation=tracker.get_slot("awaiting_confirmation")):
        return None
    lang = language(tracker)
    if intent in ERASE_MISREADS and asks_erasure(text, lang):
        return ERASE
    if loop is not None and (loop != "intake_form"
                             or tracker.get_slot("requested_slot") != "consent"):
        return None  # only erasure reads otherwise inside a form
    events = list(tracker.events)
    if intent in NEED_INTENTS | UNPLACED and refuses_request(text, lang, intent, events):
        return NO_REQUEST
    if loop is None and intent in NEED_INTENTS | UNPLACED and registers(text, lang):
        return REGISTER
    if intent in NEED_INTENTS | UNPLACED and asks_events(text, lang, events):
        return EVENTS
    if intent in QUESTION and not asks_progress(text, lang):
        return None  # a plain question reads otherwise only as a question about progress
    if loop is None and intent in UNPLACED \
            and opens_with(text, lang, "greetings") and has_history(tracker.sender_id):
        return RETURNING
    if loop is None and asks_progress(text, lang) and has_history(tracker.sender_id):
        return STATUS
    return None


@cache
def _status_words(lang: str) -> tuple[str, ...]:
    """The words that ask how something is going (terms.yml `status_words`, and English)."""
    found = {fold(str(phrase)).strip() for code in dict.fromkeys((lang, "en"))
             for phrase in terms(code).get("status_words") or []}
    return tuple(sorted((p for p in found if p), key=len, reverse=True))


def asks_progress(text: str, lang: str) -> bool:
    """A question asking how something is going ("any news on our loan?", "où en est…")."""
    return is_question(text, lang) and bool(find(text, _status_words(lang)))
