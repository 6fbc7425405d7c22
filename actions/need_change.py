"""A need changed in the middle of the questions.

"pensando bem, mais do que dinheiro precisamos é de aconselhamento", written at the head
count question, answers no question: it changes what the request is about. The model
reads such a message as a need; when the need differs from the one the intake holds and
the message fails as an answer to the open question, the need is changed and the open
question asked again (the amount question goes away for a need that is not money, or
comes for one that is).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.intake_slots import INTENT_NEED

# Questions whose answer may itself read as a need: the need questions, a name ("Crédito
# Solidário"), a sector ("consultoria"), and the consent (answered before any need counts).
NOT_AT = frozenset({"consent", "need_category", "need_description", "org_name",
                    "contact_name", "city", "sector"})
SURE = 0.35     # the model's confidence in the new need, at least
MARGIN = 0.05   # and this much above the need the intake holds
MIN_WORDS = 3   # a word or two is an answer ("consultoria" as a sector), not a change


def changed_need(tracker: Tracker) -> str | None:
    """The need the latest message asks for instead of the intake's, or None."""
    requested = tracker.get_slot("requested_slot")
    current = tracker.get_slot("need_category")
    if requested is None or requested in NOT_AT or not current \
            or tracker.get_slot("awaiting_confirmation"):
        return None
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/") or len(text.split()) < MIN_WORDS:
        return None
    intent: dict[str, Any] = tracker.latest_message.get("intent") or {}
    need = INTENT_NEED.get(str(intent.get("name") or ""))
    confidence = float(intent.get("confidence") or 0)
    if need is None or need == current or confidence < SURE:
        return None
    ranking = tracker.latest_message.get("intent_ranking") or []
    held = max((float(r.get("confidence") or 0) for r in ranking
                if INTENT_NEED.get(str(r.get("name") or "")) == current), default=0.0)
    return need if confidence - held >= MARGIN else None
