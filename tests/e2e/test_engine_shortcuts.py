"""Rasa's shortcuts through ops/engine_calls.py and ops/engine_turns.py, checked in the
engine's own environment against what Rasa does without them."""

from __future__ import annotations

import pytest

from tests.support.engine_checks import run_engine_check


@pytest.fixture(scope="module")
def found() -> dict[str, dict[str, object]]:
    result: dict[str, dict[str, object]] = run_engine_check("engine_shortcuts_check.py")
    return result


def test_an_answer_the_hand_check_accepts_is_one_rasas_schema_accepts(
        found: dict[str, dict[str, object]]) -> None:
    answers = found["answers"]
    assert answers["fast_but_invalid"] == []
    # The check is not vacuous: a form's usual answer passes it, and so do many of the
    # changed ones, while the schema refuses others.
    assert answers["form_answer_fast"] is True and answers["schema_accepts_form_answer"]
    assert 0 < int(answers["fast"]) <= int(answers["schema_valid"]) < int(answers["samples"])


def test_the_slot_validator_is_called_only_when_the_message_may_read_otherwise(
        found: dict[str, dict[str, object]]) -> None:
    readings = found["readings"]
    called = {name: bool(result["called"]) for name, result in readings.items()}
    assert called == found["expected_calls"]
    # A turn without the call keeps the slots its message set, as Rasa does when the
    # validator sets nothing.
    assert all(result["slots"] == [["city", "Sfax"]] for result in readings.values())
