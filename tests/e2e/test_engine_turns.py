"""Rasa through ops/engine_turns.py: a kept tracker reads as Rasa's own store would, after
every kind of change, and graphs run in order give what dask gives."""

from __future__ import annotations

import pytest

from tests.support.engine_checks import run_engine_check


@pytest.fixture(scope="module")
def found() -> dict[str, dict[str, object]]:
    result: dict[str, dict[str, object]] = run_engine_check("engine_turns_check.py")
    return result


def test_a_tracker_is_reused_only_while_the_database_still_holds_it(
        found: dict[str, dict[str, object]]) -> None:
    trackers = found["trackers"]
    assert trackers["reused"] is True  # the next message of a conversation reads no events
    assert trackers["pool"] == "QueuePool"  # its SQLite connections stay open
    # Each read equals what Rasa's own store reads from the same database:
    assert trackers["after_turn"] is True
    assert trackers["unsaved_dropped"] is True  # a turn that failed before saving
    assert trackers["other_writer_seen"] is True  # another Rasa process answered
    assert trackers["after_more_turns"] is True
    assert trackers["new_session"] is True  # a new session starts the tracker afresh
    # A conversation begun here is kept from its first turn: the next message reads no
    # events, and finds what Rasa's own read would (from the session start on).
    assert trackers["new_read_none"] is True
    assert trackers["new_conversation_kept"] is True
    assert trackers["new_conversation_as_read"] is True
    assert trackers["new_conversation_next_turn"] is True
    assert trackers["new_conversation_rows"] is True
    assert trackers["erased"] is True  # the bot erased the conversation's events
    assert trackers["evicted_ok"] is True
    assert trackers["kept_at_most"] == 2  # the limit holds
    assert trackers["rows_match_events"] is True  # no event written twice
    assert trackers["rows_as_rasa_writes"] is True  # each row as Rasa's own save writes it


def test_graphs_run_in_order_give_what_dask_gives(found: dict[str, dict[str, object]]) -> None:
    graphs = found["graphs"]
    assert graphs["same"] is True, (graphs["dask"], graphs["ours"])
    assert "GraphComponentException" in str(graphs["ours"])  # a failing node still fails
