"""A "no" to the data consent that also asks for something: both are honoured.

"no, but can we just see the partners?" declines the consent (nothing personal is kept) and
asks to browse partners; the model may read it as a search for partners, a "show more" or
nothing at all. At the consent question a message that starts with a "no" of the language
(nlu/<lang>/fields.yml `declines:`), or says it wants no request (`refusals:`), is the
answer, and what it asks for becomes the need that anonymous browsing proposes services or
events for.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.answers import typed_answer
from actions.cleaning import find, fold, is_question, words
from actions.common import intent_of, language
from actions.extraction import extract

# What a request that comes with the "no" browses.
INTENT_BROWSE = {"search_partners": "partners", "ask_events": "events",
                 "need_funding": "funding", "need_consultancy": "consultancy",
                 "need_innovation": "innovation",
                 "need_internationalisation": "internationalisation"}


# How sure the model must be of the yes or the no behind an answer that talks about data.
MIN_YES_OR_NO = 0.1


def ranked_yes_or_no(tracker: Tracker) -> bool | None:
    """The yes (True) or no (False) the model ranks behind another intent, if it is sure
    enough of one; None otherwise."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    scores = {str(r.get("name")): float(r.get("confidence") or 0) for r in ranking}
    yes, no = scores.get("affirm", 0.0), scores.get("deny", 0.0)
    if max(yes, no) < MIN_YES_OR_NO:
        return None
    return yes > no


def _ranked(tracker: Tracker, slot: str) -> dict[str, Any]:
    """``{slot: yes or no}`` as the model ranks them behind its first intent, else {}."""
    answer = ranked_yes_or_no(tracker)
    return {} if answer is None else {slot: answer}


# What a short typed answer to a yes/no or free-text question is often mistaken for
# ("yes, others can see us" and "pas encore" read as "show more").
MISREADS = frozenset({"show_more", "correct_answer", "say_goodbye", "greet", "inform",
                      "out_of_scope", "nlu_fallback", "thank"})


def typed_yes_or_no(tracker: Tracker, slot: str) -> dict[str, Any]:
    """The answer to the yes/no question ``slot`` when the model read the words as
    something else: a "no" of the language first, else the yes or no it ranks next."""
    text = typed_answer(tracker, slot)
    lang = language(tracker)
    if text is None or intent_of(tracker) not in MISREADS or is_question(text, lang):
        return {}
    if starts_with_no(text, lang):
        return {slot: False}
    return _ranked(tracker, slot)


def starts_with_no(text: str, lang: str) -> bool:
    """Whether ``text`` opens with a "no" of the language (and not, say, "nobody")."""
    folded = fold(text.strip())
    return any(re.match(re.escape(word) + r"(?![^\W\d_])", folded)
               for word in words(lang, "declines"))


def refuses_request(text: str, lang: str) -> bool:
    """"I don't want a new request" in words of the pack (`refusals:`), not as a question."""
    return not is_question(text, lang) and bool(find(text, words(lang, "refusals")))


def declined_with_request(tracker: Tracker) -> dict[str, Any]:
    """Return the consent refused and the need asked for, when the answer is "no, but ...".

    Returns an empty dict when the message is not such an answer.
    """
    if tracker.get_slot("requested_slot") != "consent":
        return {}
    intent = intent_of(tracker)
    text = str(tracker.latest_message.get("text") or "")
    lang = language(tracker)
    if intent == "ask_privacy" and not text.startswith("/") and not is_question(text, lang):
        # "ok, per noi nessun problema a salvare i dati" looks like a privacy question to
        # the model (the privacy text and the same question came back for ever); it is
        # not a question, so the yes or the no the model ranks next decides; when it
        # ranks neither, a word that says "go ahead" (`confirms:`) is the yes.
        ranked = _ranked(tracker, "consent")
        if ranked or starts_with_no(text, lang) or not find(text, words(lang, "confirms")):
            return ranked
        return {"consent": True}
    if intent == "affirm" or text.startswith("/") or not (
            starts_with_no(text, lang) or refuses_request(text, lang)):
        return {}
    need = INTENT_BROWSE.get(str(intent)) or extract(text, lang).need_category
    return {"consent": False, **({"need_category": need} if need else {})}
