"""A free-text answer that only sounds like "a person, please" stays an answer."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import ActionRequestHuman


def _tracker(text: str, confidence: float, *, loop: str | None = "intake_form",
             requested: str | None = "need_description") -> Tracker:
    return Tracker(
        sender_id="u1", slots={"requested_slot": requested, "language": "es"},
        latest_message={"text": text, "intent": {"name": "request_human",
                                                 "confidence": confidence}},
        events=[], paused=False, followup_action=None,
        active_loop={"name": loop} if loop else {}, latest_action_name="action_listen")


def _run(tracker: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRequestHuman().run(dispatcher, tracker, {}))
    return events, dispatcher.messages


def test_an_unsure_request_for_a_person_during_a_free_text_question_is_the_answer():
    events, messages = _run(_tracker("Un telar nuevo para el taller", 0.41))
    assert messages == []  # no handoff announced
    assert {"event": "slot", "timestamp": None, "name": "need_description",
            "value": "Un telar nuevo para el taller"} in events
    assert any(e.get("event") == "followup" and e.get("name") == "intake_form" for e in events)


def test_a_clear_request_for_a_person_hands_over_even_during_the_questions():
    events, messages = _run(_tracker("quiero hablar con una persona", 0.93))
    assert [m.get("response") for m in messages] == ["utter_handoff_requested", None]
    assert messages[1]["custom"] == {"state": "waiting", "reason": "user_request"}
    assert not any(e.get("event") == "slot" for e in events)


def test_outside_the_questions_or_on_a_button_the_handoff_always_happens():
    for tracker in (_tracker("hablar con alguien", 0.3, loop=None, requested=None),
                    _tracker("/request_human", 0.3),
                    _tracker("Juan", 0.3, requested="email")):
        _, messages = _run(tracker)
        assert messages and messages[0].get("response") == "utter_handoff_requested"


def _after(utterance: str | None) -> Tracker:
    events: list[dict] = [{"event": "user", "text": "ich weiss nicht"}]
    if utterance:
        events.append({"event": "bot", "text": "…", "metadata": {"utter_action": utterance}})
    events.append({"event": "user", "text": "/request_human"})
    return Tracker(sender_id="u2", slots={"language": "en"},
                   latest_message={"text": "/request_human",
                                   "intent": {"name": "request_human", "confidence": 1.0}},
                   events=events, paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def test_the_handoff_reason_says_why_the_user_asked_for_a_person():
    def reason(utterance: str | None) -> str:
        _, messages = _run(_after(utterance))
        return next(m["custom"]["reason"] for m in messages if m.get("custom"))
    assert reason("utter_default") == "not_understood"
    assert reason("utter_offer_human") == "validation_failed"
    assert reason("utter_matches_none") == "no_match"
    assert reason("utter_greet") == "user_request"
    assert reason(None) == "user_request"
