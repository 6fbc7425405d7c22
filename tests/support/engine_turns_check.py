"""Run by the engine's Python: the SQL tracker store and graph runner of ops/engine_turns.py
against Rasa's own, on the same data; prints what it found as JSON (one line)."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from ops.engine_imports import stand_in_for_tensorflow

stand_in_for_tensorflow()  # as the wrapper does for a model without TensorFlow components

from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode  # noqa: E402
from rasa.engine.runner.dask import DaskGraphRunner  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

DOMAIN = Domain.from_yaml("""
slots:
  city: {type: text, mappings: [{type: custom}]}
responses:
  utter_hi: [{text: hi}]
""")


def _dump(tracker: Any) -> list[dict[str, Any]] | None:
    return None if tracker is None else [e.as_dict() for e in tracker.events]


def _turn(tracker: Any, text: str, city: str) -> None:
    tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0}))
    tracker.update(SlotSet("city", city))
    tracker.update(BotUttered("noted"))
    tracker.update(ActionExecuted("action_listen"))


async def trackers(folder: Path) -> dict[str, Any]:
    """Play turns through a kept-tracker store, checking it against a plain read each time."""
    from ops.engine_turns import keep_trackers, pool_sqlite_connections

    url = f"sqlite:///{folder / 'tracker.db'}"
    plain = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(folder / "tracker.db"))
    keep_trackers(limit=2)
    pool_sqlite_connections()
    kept = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(folder / "tracker.db"))
    other = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(folder / "tracker.db"))
    found: dict[str, Any] = {"url": url, "pool": type(kept.engine.pool).__name__}

    async def same_as_plain(sender: str) -> bool:
        return _dump(await kept.retrieve(sender)) == _dump(await plain.retrieve(sender))

    start = [ActionExecuted("action_session_start"), SessionStarted(),
             ActionExecuted("action_listen")]
    await kept.save(DialogueStateTracker.from_events("ana", start, DOMAIN.slots))
    first = await kept.retrieve("ana")
    _turn(first, "we are in Sfax", "Sfax")
    await kept.save(first)
    again = await kept.retrieve("ana")
    found["reused"] = again is first
    found["after_turn"] = await same_as_plain("ana")
    # A turn that failed before saving: its events were never stored and are not kept.
    _turn(again, "unsaved", "Nowhere")
    found["unsaved_dropped"] = await same_as_plain("ana") and \
        (await kept.retrieve("ana")).get_slot("city") == "Sfax"
    # Another Rasa process answered a message of this conversation.
    elsewhere = await other.retrieve("ana")
    _turn(elsewhere, "in fact Tunis", "Tunis")
    await other.save(elsewhere)
    read = await kept.retrieve("ana")
    found["other_writer_seen"] = read.get_slot("city") == "Tunis" and await same_as_plain("ana")
    # Saving a reused tracker writes only its new events.
    read = await kept.retrieve("ana")
    _turn(read, "and Sousse too", "Sousse")
    await kept.save(read)
    reread = await kept.retrieve("ana")
    _turn(reread, "final", "Gabès")
    await kept.save(reread)
    with plain.session_scope() as session:
        rows = session.query(plain.SQLEvent).filter(plain.SQLEvent.sender_id == "ana").count()
    full = (await plain.retrieve_full_tracker("ana")).events
    found["rows_match_events"] = rows == len(full)
    # Every row holds what Rasa's own save writes for its event (SQLTrackerStore.save).
    with plain.session_scope() as session:
        stored = [(r.type_name, r.timestamp, r.intent_name, r.action_name, r.data)
                  for r in session.query(plain.SQLEvent).filter(
                      plain.SQLEvent.sender_id == "ana").order_by(plain.SQLEvent.id)]
    expected = []
    for event in full:
        data = event.as_dict()
        expected.append((event.type_name, data.get("timestamp"),
                         data.get("parse_data", {}).get("intent", {}).get("name"),
                         data.get("name"), json.dumps(data)))
    found["rows_as_rasa_writes"] = stored == expected
    found["after_more_turns"] = await same_as_plain("ana") and \
        (await kept.retrieve("ana")).get_slot("city") == "Gabès"
    # A new session: the next read starts at it, as Rasa's own read does.
    current = await kept.retrieve("ana")
    for event in (ActionExecuted("action_session_start"), SessionStarted(),
                  ActionExecuted("action_listen")):
        current.update(event)
    await kept.save(current)
    found["new_session"] = await same_as_plain("ana") and \
        (await kept.retrieve("ana")).events[0].type_name == "session_started"
    # A conversation begun in this process, as Rasa begins one: a read finds nothing, the
    # new tracker is saved with a listen, then the turn adds the session start and saves.
    found["new_read_none"] = await kept.retrieve("eve") is None
    born = await kept.create_tracker("eve")
    for event in (ActionExecuted("action_session_start"), SessionStarted(),
                  ActionExecuted("action_listen")):
        born.update(event)
    _turn(born, "hello, from Sfax", "Sfax")
    await kept.save(born)
    queries: list[str] = []
    event_query = kept._event_query
    kept._event_query = lambda session, sender, **kw: (  # type: ignore[method-assign]
        queries.append(sender), event_query(session, sender, **kw))[1]
    second = await kept.retrieve("eve")
    del kept._event_query
    found["new_conversation_kept"] = (queries == [] and second is not born
                                      and second.events[0].type_name == "session_started")
    found["new_conversation_as_read"] = await same_as_plain("eve")
    _turn(second, "we are 12", "Sousse")
    await kept.save(second)
    found["new_conversation_next_turn"] = (await kept.retrieve("eve")) is second \
        and await same_as_plain("eve")
    with plain.session_scope() as session:
        rows = session.query(plain.SQLEvent).filter(plain.SQLEvent.sender_id == "eve").count()
    found["new_conversation_rows"] = rows == len(
        (await plain.retrieve_full_tracker("eve")).events) == len(born.events) + 4
    # The conversation was erased (the bot deletes its rows).
    with plain.session_scope() as session:
        session.query(plain.SQLEvent).filter(plain.SQLEvent.sender_id == "ana").delete()
        session.commit()
    found["erased"] = await kept.retrieve("ana") is None
    # More conversations than the store keeps: each one still reads right.
    for name in ("b", "c", "d"):
        await kept.save(DialogueStateTracker.from_events(name, start, DOMAIN.slots))
        tracker = await kept.retrieve(name)
        _turn(tracker, f"hello from {name}", name)
        await kept.save(tracker)
    found["evicted_ok"] = all([await same_as_plain(n) for n in ("b", "c", "d")])
    found["kept_at_most"] = len(kept.__dict__.get("_iesmed_kept", {}))
    return found


class Add(GraphComponent):
    """A node that adds its inputs and a constant, and records that it ran."""

    calls: ClassVar[list[str]] = []

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: Any, resource: Any,
               execution_context: Any) -> Add:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self.n = config["n"]

    def run(self, x: Any = 0, y: Any = 0) -> Any:
        if x == "boom":
            raise RuntimeError("a component failed")
        Add.calls.append(str(self.n))
        return x + y + self.n


def graphs(folder: Path) -> dict[str, Any]:
    """The same graph runs through dask and in order: same results, same nodes called."""
    def node(needs: dict[str, str], n: int, target: bool = False) -> SchemaNode:
        return SchemaNode(needs=needs, uses=Add, constructor_name="create", fn="run",
                          config={"n": n}, is_target=target, eager=True)

    schema = GraphSchema({
        "a": node({"x": "__input__"}, 1),
        "b": node({"x": "a"}, 10),
        "c": node({"x": "a", "y": "b"}, 100, target=True),
        "unused": node({"x": "a"}, 1000),
    })
    storage = LocalModelStorage(folder / "storage")
    context = ExecutionContext(schema, "model")
    runs = [({"__input__": 5}, None), ({"__input__": 5}, ["b"]), ({"__input__": 2}, ["c", "a"]),
            ({"__input__": 5, "a": 7}, ["c"])]

    def play(runner: Any) -> list[Any]:
        results: list[Any] = []
        for inputs, targets in runs:
            Add.calls = []
            results.append([runner.run(inputs=inputs, targets=targets), sorted(Add.calls)])
        try:
            runner.run(inputs={"__input__": "boom"}, targets=["c"])
        except Exception as exc:  # the error a failing node gives, whichever runner
            results.append(type(exc).__name__)
        return results

    with_dask = play(DaskGraphRunner(schema, storage, context))
    from ops.engine_turns import run_graphs_in_order

    run_graphs_in_order()
    in_order = play(DaskGraphRunner(schema, storage, context))
    return {"same": with_dask == in_order, "dask": repr(with_dask), "ours": repr(in_order)}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        found = {"graphs": graphs(Path(folder)),
                 "trackers": asyncio.run(trackers(Path(folder)))}
    print(json.dumps(found, default=str))


if __name__ == "__main__":
    sys.exit(main())
