"""Run by the engine's Python: the shortcuts Rasa takes through ops/engine_calls.py and
ops/engine_turns.py against what Rasa does without them; prints what it found as JSON.

- answers: every answer the hand check accepts, Rasa's schema accepts too (answers built
  from valid ones by random changes, seeded);
- readings: the global slot validator is called exactly when the message may read
  otherwise, and a turn without the call gets the slots Rasa would give it.
"""

from __future__ import annotations

import asyncio
import copy
import json
import random
import sys
from typing import Any

from ops.engine_imports import stand_in_for_tensorflow

stand_in_for_tensorflow()

from jsonschema import validators  # noqa: E402
from rasa.core.actions.action import ActionExtractSlots, RemoteAction  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    ActiveLoop,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from ops.engine_calls import plainly_valid  # noqa: E402

FORM_ANSWER = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "org_name", "value": "Teixits SCCL"},
        {"event": "slot", "timestamp": 1764800000.5, "name": "members", "value": 12},
        {"event": "slot", "name": "requested_slot", "value": "city"},
        {"event": "active_loop", "name": "intake_form", "timestamp": None},
        {"event": "followup", "name": "action_listen", "metadata": {"a": 1}},
        {"event": "bot", "text": "hi", "data": {}, "metadata": None},
        {"event": "reset_slots"},
    ],
    "responses": [{"text": "In which town?", "buttons": [{"title": "x", "payload": "/y"}],
                   "custom": {}, "image": None}],
}
ODD_VALUES: list[Any] = [None, True, 3, 2.5, "text", [], {}, ["slot"], {"event": "slot"}]


def _mutations(rng: random.Random, count: int) -> list[Any]:
    """Answers made from FORM_ANSWER by one to three random changes."""
    made: list[Any] = []
    for _ in range(count):
        answer: Any = copy.deepcopy(FORM_ANSWER)
        for _ in range(rng.randint(1, 3)):
            where = rng.choice(["top", "events", "event", "field", "responses"])
            if where == "top":
                answer = rng.choice([answer, rng.choice(ODD_VALUES)])
            elif not isinstance(answer, dict):
                continue
            elif where == "events":
                answer["events"] = rng.choice([*ODD_VALUES, answer.get("events")])
            elif where == "responses":
                answer["responses"] = rng.choice([*ODD_VALUES, [{"text": "ok"}], [None]])
            elif isinstance(answer.get("events"), list) and answer["events"]:
                index = rng.randrange(len(answer["events"]))
                event = answer["events"][index]
                if where == "event" or not isinstance(event, dict):
                    answer["events"][index] = rng.choice(ODD_VALUES)
                else:
                    key = rng.choice(["event", "timestamp", "metadata", "name", "value",
                                      "entities", "text"])
                    if rng.random() < 0.3:
                        event.pop(key, None)
                    else:
                        event[key] = rng.choice([*ODD_VALUES, "slot", "user", "action",
                                                 "bogus", "entities", "bot", 0.0])
        made.append(answer)
    return made


def answers() -> dict[str, Any]:
    schema = RemoteAction.action_response_format_spec()
    validator = validators.validator_for(schema)(schema)
    samples = [FORM_ANSWER, {}, {"events": [], "responses": []},
               *_mutations(random.Random(20261204), 3000)]
    wrong = [s for s in samples if plainly_valid(s) and not validator.is_valid(s)]
    return {"form_answer_fast": plainly_valid(FORM_ANSWER),
            "schema_accepts_form_answer": validator.is_valid(FORM_ANSWER),
            "samples": len(samples),
            "fast": sum(plainly_valid(s) for s in samples),
            "schema_valid": sum(validator.is_valid(s) for s in samples),
            "fast_but_invalid": [json.dumps(s, default=str)[:300] for s in wrong[:5]]}


DOMAIN = Domain.from_yaml("""
intents: [inform, greet, thank, affirm, need_funding, cancel_registration, ask_events]
slots:
  read_as: {type: categorical, values: [events, erase], mappings: [{type: custom}]}
  requested_slot: {type: any, mappings: [{type: custom}]}
  awaiting_confirmation: {type: bool, mappings: [{type: custom}]}
  city: {type: text, mappings: [{type: from_entity, entity: city}]}
actions: [action_validate_slot_mappings]
forms:
  intake_form: {required_slots: [city]}
""")


def _tracker(text: str, intent: str, *, loop: str | None = None,
             requested: str | None = None, read_as: str | None = None,
             summary: bool = False) -> DialogueStateTracker:
    events: list[Any] = [ActionExecuted("action_listen")]
    if loop:
        events += [ActiveLoop(loop), SlotSet("requested_slot", requested)]
    if read_as:
        events.append(SlotSet("read_as", read_as))
    if summary:
        events.append(SlotSet("awaiting_confirmation", True))
    events.append(UserUttered(text, {"name": intent, "confidence": 0.9}))
    return DialogueStateTracker.from_events("someone", events, slots=DOMAIN.slots)


CASES: dict[str, tuple[DialogueStateTracker, bool]] = {
    # name: (tracker, whether the validator must be called)
    "form_answer": (_tracker("Teixits", "inform", loop="intake_form", requested="org_name"),
                    False),
    "thanks": (_tracker("thanks a lot", "thank"), False),
    "yes_at_consent": (_tracker("yes", "affirm", loop="intake_form", requested="consent"),
                       False),
    "button": (_tracker("/greet", "greet"), False),
    "at_summary": (_tracker("delete it all", "cancel_registration", summary=True), False),
    "events_question": (_tracker("any fairs soon?", "ask_events"), False),
    "unplaced": (_tracker("hello again it's Hassan", "inform"), True),
    "need": (_tracker("we need a loan", "need_funding"), True),
    "need_at_consent": (_tracker("any fair on loans?", "need_funding", loop="intake_form",
                                 requested="consent"), True),
    "erase_misread_in_form": (_tracker("delete everything", "cancel_registration",
                                       loop="intake_form", requested="city"), True),
    "reading_to_reset": (_tracker("thanks", "thank", read_as="events"), True),
}


async def readings() -> dict[str, Any]:
    from ops.engine_turns import skip_needless_readings

    calls: list[str] = []

    async def run_custom_action(self: Any, name: str, *_args: Any) -> list[Any]:
        calls.append(name)
        return []

    ActionExtractSlots._run_custom_action = run_custom_action
    skip_needless_readings()
    action = ActionExtractSlots(None)
    found: dict[str, Any] = {}
    for name, (tracker, _) in CASES.items():
        calls.clear()
        extracted = [SlotSet("city", "Sfax")]
        result = await action._execute_validation_action(extracted, None, None, tracker,
                                                         DOMAIN)
        found[name] = {"called": bool(calls),
                       "slots": [(e.key, e.value) for e in result]}
    return found


def main() -> None:
    found = {"answers": answers(), "readings": asyncio.run(readings()),
             "expected_calls": {name: call for name, (_, call) in CASES.items()}}
    print(json.dumps(found, default=str))


if __name__ == "__main__":
    sys.exit(main())
