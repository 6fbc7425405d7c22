"""Turns of the intake as Rasa plays them, for unit tests: the opening message that starts the
intake, then answers to the questions, with the slots the domain's mappings would fill.

Rasa fills mapped slots from the message (an entity found anywhere, the text for the question
asked), then runs the form, whose validator (actions/intake.py) reads what the message says
and validates the candidates. `Chat` keeps the events; `opening`, `answer` and `summary_reply`
play one turn each and return the slots the actions set.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.intake import ValidateIntakeForm
from actions.intake_navigation import ActionStartIntake
from actions.intake_slots import ORDER

DOMAIN: dict[str, Any] = {"forms": {"intake_form": {"required_slots": list(ORDER)}}}


def slot_event(name: str, value: Any) -> dict[str, Any]:
    """A slot set, as Rasa records it."""
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def action_event(name: str) -> dict[str, Any]:
    """An action run, as Rasa records it."""
    return {"event": "action", "timestamp": None, "name": name}


class Chat:
    """One conversation's events, and the tracker each action is given."""

    def __init__(self, lang: str, **slots: Any) -> None:
        self.lang = lang
        self.events: list[dict[str, Any]] = [slot_event("language", lang)]
        self.events += [slot_event(k, v) for k, v in slots.items()]
        self.message: dict[str, Any] = {}
        self.said: list[dict[str, Any]] = []

    def slots(self) -> dict[str, Any]:
        """Every slot's latest value."""
        return {e["name"]: e["value"] for e in self.events if e["event"] == "slot"}

    def _user(self, text: str, intent: str, confidence: float,
              entities: list[tuple[str, str]]) -> None:
        self.message = {"text": text, "intent": {"name": intent, "confidence": confidence},
                        "entities": [{"entity": e, "value": v} for e, v in entities],
                        "metadata": {"language": self.lang}}
        self.events += [action_event("action_listen"),
                        {"event": "user", "timestamp": None, "text": text,
                         "parse_data": self.message}]

    def _tracker(self, loop: str | None) -> Tracker:
        return Tracker("chat-1", self.slots(), self.message, list(self.events), False, None,
                       {"name": loop} if loop else {}, "action_listen")

    def _run(self, action: Action, loop: str | None = None) -> dict[str, Any]:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, self._tracker(loop), DOMAIN))
        self.said += dispatcher.messages
        self.events += [action_event(action.name()), *[dict(e) for e in events]]
        return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}

    def _form(self, candidates: dict[str, Any]) -> dict[str, Any]:
        requested = self.slots().get("requested_slot")
        self.events += [slot_event("requested_slot", requested), action_event("intake_form"),
                        *[slot_event(k, v) for k, v in candidates.items()]]
        return self._run(ValidateIntakeForm(), "intake_form")

    def opening(self, text: str, intent: str, *, confidence: float = 0.9,
                entities: list[tuple[str, str]] = (), mapped: dict[str, Any] | None = None
                ) -> dict[str, Any]:
        """The first message, read as a need: the intake starts, then the form runs.

        ``mapped``: the slots Rasa's entity mappings fill from it before the form runs.
        """
        self._user(text, intent, confidence, list(entities))
        self.events += [slot_event(k, v) for k, v in (mapped or {}).items()]
        started = self._run(ActionStartIntake())
        return {**started, **self._form({**started, **(mapped or {})})}

    def asked(self, question: str) -> None:
        """The form asks ``question`` next (the answers before it are given)."""
        self.events += [action_event("intake_form"), slot_event("requested_slot", question)]

    def answer(self, text: str, *, intent: str = "inform", confidence: float = 0.9,
               entities: list[tuple[str, str]] = (),
               mapped: dict[str, Any] | None = None) -> dict[str, Any]:
        """The user answers the open question; ``mapped`` are the slots Rasa fills from it."""
        self._user(text, intent, confidence, list(entities))
        return self._form(dict(mapped or {}))

    def reply(self, action: Action, text: str, *, intent: str = "nlu_fallback",
              entities: list[tuple[str, str]] = ()) -> dict[str, Any]:
        """The user writes outside the form; ``action`` answers."""
        self._user(text, intent, 0.3, list(entities))
        return self._run(action)
