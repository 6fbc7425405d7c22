"""Whether a message can read as anything but itself here (actions/turn_reading.py), decided
from the dialogue state alone.

Most messages are answers to the intake's questions, "yes", "thanks" or a plain question:
none of them can be read otherwise, and knowing it takes no words of the language packs.
Rasa's process asks this before it calls the global slot validator
(ops/engine_turns.skip_needless_readings), so those messages cost no action-server call;
``turn_reading.reading`` starts with the same test, so the two can never disagree.

Pure Python with no imports of the action server's libraries: Rasa's environment imports it.
"""

from __future__ import annotations

SLOT = "read_as"
EVENTS, NO_REQUEST, RETURNING, ERASE = "events", "no_request", "returning", "erase"
STATUS = "status"
REGISTER = "register"

NEED_INTENTS = frozenset({"request_assistance", "need_funding", "need_consultancy",
                          "need_innovation", "need_internationalisation", "search_partners"})
# Intents a message is often given when the model cannot place it.
UNPLACED = frozenset({"inform", "nlu_fallback", "out_of_scope"})
# What an erasure request is mistaken for ("vazgeçtim … silin": cancel a registration).
ERASE_MISREADS = frozenset({"cancel_registration", "list_registrations", "stop_form", "deny",
                            "nlu_fallback", "out_of_scope"})
# A plain question may be a returning user's question about their request ("novità sul
# prestito per il forno?"): read as such only by someone who has one (turn_reading).
QUESTION = frozenset({"ask_faq"})
INTAKE = "intake_form"


def may_read_otherwise(*, text: str, intent: str | None, loop: str | None,
                       requested_slot: object, awaiting_confirmation: object) -> bool:
    """False when the message can only read as itself, whatever its words.

    - a button payload or an empty text;
    - any message at the summary (every message there is about the summary);
    - an answer to an intake question other than consent, unless the model read it as
      something an erasure request is mistaken for;
    - a message in another form;
    - an intent none of the readings starts from (a plain question only at no question).
    """
    if not text.strip() or text.lstrip().startswith("/"):
        return False
    if awaiting_confirmation is True:
        return False
    if intent in ERASE_MISREADS:
        return True
    if loop == INTAKE and requested_slot != "consent":
        return False
    if loop not in (None, INTAKE):
        return False
    return intent in NEED_INTENTS | UNPLACED | QUESTION
