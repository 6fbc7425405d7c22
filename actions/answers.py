"""Answers to the intake's questions as the form reads them: the user's own words tidied,
refusals never stored, and values typed for another question stored and said so.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import match_choice
from actions.cleaning import find, is_question, is_refusal, message, words
from actions.common import intent_of, language
from actions.durations import read_stage, read_timeline
from actions.extraction import answered_form
from actions.folding import fold_chars
from actions.validators import parse_country
from actions.web_presence import NONE, read_website
from catalog.brief import isolate, labels
from catalog.vocabulary import SECTORS

# Values a user often types while another question is open ("Ana, ana@coop.org").
STRAY = ("email", "phone")
_EMAIL_SPAN = re.compile(r"\S+@\S+")
_PHONE_SPAN = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def typed_answer(tracker: Tracker, slot: str) -> str | None:
    """The latest message when it answers ``slot`` in words (not a button), else None."""
    text = str(tracker.latest_message.get("text") or "").strip()
    if tracker.get_slot("requested_slot") != slot or not text or text.startswith("/"):
        return None
    return text


def refuses(tracker: Tracker, slot: str) -> bool:
    """Whether the answer to ``slot`` is a refusal to go on, not an answer."""
    text = typed_answer(tracker, slot)
    if text is None:
        return False
    intent = tracker.latest_message.get("intent") or {}
    return is_refusal(text, intent.get("name"), float(intent.get("confidence") or 0),
                      language(tracker))


def tell_not_stored(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Say the refusal was not saved, and offer to stop the questions."""
    lang = language(tracker)
    stop = message(lang, "button_stop")
    dispatcher.utter_message(text=message(lang, "not_an_answer").format(stop=stop),
                             buttons=[{"title": stop, "payload": "/stop_form"}])


def without_contacts(text: str) -> str:
    """The text without e-mail addresses and phone numbers typed into it."""
    return _PHONE_SPAN.sub(" ", _EMAIL_SPAN.sub(" ", text)).strip(" ,;")


def note_stray(dispatcher: CollectingDispatcher, tracker: Tracker,
               events: list[dict[str, Any]], requested: str | None,
               earlier: dict[str, Any]) -> None:
    """Tell the user about an e-mail or phone stored while another question was open."""
    lang = language(tracker)
    names = labels(lang).get("field", {})
    for event in events:
        name = event.get("name")
        value = event.get("value")
        if (event.get("event") == "slot" and name in STRAY and name != requested
                and value not in (None, "skipped") and earlier.get(name) in (None, "skipped")):
            dispatcher.utter_message(text=message(lang, "noted_also").format(
                field=names.get(str(name), str(name)), value=isolate(str(value), lang)))


# Questions whose answer may read as "yes", "no" or "thanks" to the model ("no rush", "no
# website", "sí, ya consolidada"): the domain maps no text to them then, so the form reads it.
READ_WHATEVER_THE_INTENT = frozenset({"timeline", "stage", "website"})


# Questions whose typed answer is read whole, not the entity the model took from a part of it
# ("dernek yazın o zaman": the model's entity may be any form word it saw).
READ_AS_SENTENCES = READ_WHATEVER_THE_INTENT | {"legal_form"}


def unmapped_answer(tracker: Tracker, slot: str) -> dict[str, Any]:
    """The typed answer to ``slot`` when no slot mapping took it (its intent was excluded).

    A legal-form answer the model took for a "no" ("no, no estamos registrados") is the
    answer when it names a legal form.
    """
    text = typed_answer(tracker, slot)
    if text is None or slot in tracker.slots_to_validate():
        return {}
    if slot in READ_WHATEVER_THE_INTENT or \
            (slot == "legal_form" and answered_form(text, language(tracker)) is not None):
        return {slot: text}
    if slot == "members" and answers_question(slot, text, language(tracker)) \
            and not is_question(text, language(tracker)):
        # "نحنا ١٢ موظف" (we are 12 employees) read as asking for a staff member: a count
        # stated in answer to the count question is the answer (validate_members reads it).
        return {slot: text}
    if slot == "sector" and not is_question(text, language(tracker)) \
            and match_choice(text, slot, language(tracker), SECTORS) is not None:
        # "eğitim bursları" (education grants) read as asking about training events: a
        # sector named in answer to the sector question is the answer.
        return {slot: text}
    if slot == "country" and parse_country(text) is not None \
            and not is_question(text, language(tracker)):
        # "England" read as asking for English: a country named in answer to the country
        # question is the answer (validate_country reads it).
        return {slot: text}
    return {}


# Readers of the answers typed to the questions with their own vocabulary.
_READERS = {"timeline": read_timeline, "stage": read_stage, "website": read_website}


def answers_question(slot: str, text: str, lang: str) -> bool:
    """Whether ``text`` reads as an answer to the head count (it holds a number), the
    timeline or the stage question (its reader finds a value), whatever the intent."""
    if slot == "members":
        return re.search(r"\d", fold_chars(text)) is not None
    if slot in ("timeline", "stage"):
        return _READERS[slot](text, lang) is not None
    return False


def sentence_answer(tracker: Tracker, slot: str) -> str | None:
    """The whole typed answer for questions read as sentences, not the entity found in it."""
    return typed_answer(tracker, slot) if slot in READ_AS_SENTENCES else None


def unmapped_extractor(slot: str) -> Any:
    """An `extract_<slot>` method for a form validator that reads :func:`unmapped_answer`."""
    async def extract(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> dict[str, Any]:
        return unmapped_answer(tracker, slot)
    extract.__doc__ = f"Read the answer to {slot} whatever the model took it for."
    return extract


def declines_optional(tracker: Tracker, slot: str) -> bool:
    """Whether the typed answer to an optional question says "no" ("no gracias", "non merci",
    "ماعندناش", "prefiero no darlo") and holds no digits that could be the answer itself."""
    text = typed_answer(tracker, slot)
    if text is None or re.search(r"\d", text):
        return False
    intent = intent_of(tracker)
    return intent == "deny" or refuses(tracker, slot) or \
        read_website(text, language(tracker)) == NONE


def leaves_open(tracker: Tracker, slot: str) -> bool:
    """Whether the typed answer to ``slot`` says it is not known yet ("de momento nada",
    "δεν ξέρω", "henüz bilmiyoruz", the pack's `unknowns`) or declines it, with no digit in
    it that could be the answer itself."""
    text = typed_answer(tracker, slot)
    if text is None or re.search(r"\d", text):
        return False
    return bool(find(text, words(language(tracker), "unknowns"))) or \
        declines_optional(tracker, slot)


def open_question_answer(tracker: Tracker) -> dict[str, Any]:
    """The open timeline, stage or website question's value when the latest message answers
    it ("ما عنا", "sin prisa"), whatever intent the model gave it; else nothing."""
    slot = tracker.get_slot("requested_slot")
    text = typed_answer(tracker, str(slot)) if slot in READ_WHATEVER_THE_INTENT else None
    if text is None or (tracker.active_loop or {}).get("name") != "intake_form":
        return {}
    lang = language(tracker)
    value = _READERS[str(slot)](text, lang)
    if value is None:
        return {}
    return {str(slot): "skipped" if slot == "website" and value == NONE else value}


# Particles that stay lower-case inside names ("Giuseppe lo Bue", "Laia Serrat i Coll").
_NAME_PARTICLES = frozenset({"de", "da", "do", "dos", "das", "di", "del", "della", "la", "le",
                             "lo", "i", "y", "e", "van", "von", "der", "el", "al", "bin",
                             "ibn", "ben", "du", "des", "d'", "l'", "ter", "den"})
_NAME_WORD = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ſΑ-ΩΆ-Ώ][\w'’.-]*")
# What a bare name is mistaken for: "Aina Mas Pons" is "show more" ("más"), "Giuseppe Lo
# Bue" a request to skip.
NAME_MISREADS = frozenset({"skip_question", "show_more", "correct_answer", "go_back",
                           "ask_events", "ask_help", "change_language"})


def looks_like_a_name(text: str) -> bool:
    """Whether ``text`` is only a proper name: two to six words, each capitalised or a
    particle, no digits and no question."""
    tokens = text.replace(",", " ").split()
    if not 2 <= len(tokens) <= 6 or any(ch.isdigit() for ch in text) or "?" in text:
        return False
    named = [t for t in tokens if _NAME_WORD.fullmatch(t)]
    return len(named) >= 2 and all(t in named or t.casefold() in _NAME_PARTICLES
                                   for t in tokens)


# A plea for help is a few words ("help", "help me please"); a longer message that is not a
# question, typed to the description question, describes the need.
_PLEA_WORDS = 4


def misread_description(tracker: Tracker) -> dict[str, Any]:
    """The typed description of the need when the model took it for a plea for help
    ("help preparing for our quality certification", "ajuda para montar a loja online")."""
    text = typed_answer(tracker, "need_description")
    if text is None or intent_of(tracker) != "ask_help" \
            or "need_description" in tracker.slots_to_validate() \
            or len(text.split()) <= _PLEA_WORDS or is_question(text, language(tracker)):
        return {}
    return {"need_description": text}


def answers_open_question(tracker: Tracker) -> bool:
    """Whether the latest message, whatever the model took it for, answers the intake
    question open: a bare name ("Aina Mas Pons"), a country at the country question
    ("England", not a request for English), a timeline, stage or website it reads, a
    description of the need that begins with "help"."""
    slot = tracker.get_slot("requested_slot")
    if (tracker.active_loop or {}).get("name") != "intake_form" or not slot:
        return False
    return bool((slot in ("org_name", "contact_name") and misread_name(tracker, str(slot)))
                or open_question_answer(tracker)
                or (slot == "country" and unmapped_answer(tracker, "country"))
                or (slot == "need_description" and misread_description(tracker)))


def misread_name(tracker: Tracker, slot: str) -> dict[str, Any]:
    """The typed answer to a name question when the model took the name for a request."""
    text = typed_answer(tracker, slot)
    intent = intent_of(tracker)
    if text is None or intent not in NAME_MISREADS or not looks_like_a_name(text):
        return {}
    return {slot: text}

