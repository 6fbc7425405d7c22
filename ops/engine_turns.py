"""Less work per chat turn inside Rasa 3.6: trackers kept between turns, graphs run in order.

Imported by ops/engine_server.py in the engine's environment (Python 3.10, Rasa 3.6), never
by the runtime. Each change keeps Rasa's behaviour and is measured in docs/DECISIONS.md
("Chat turn performance", session 10); tests/e2e/test_engine_turns.py checks them.

1. `keep_trackers`: the SQL tracker store reads every event of a conversation and replays
   them into a new tracker at each message, then counts the stored events again to know
   which ones to write. Here the tracker a turn saved stays in memory with a stamp of what
   the database holds for that conversation (number of events, latest timestamp); the next
   message reuses it when the stamp still matches and nothing touched the object since it
   was saved. Anything else (another Rasa process wrote, the conversation was erased, a
   turn failed before saving) fails the check and the tracker is read as before. A
   conversation begun in this process is kept from its first turn: the database holds
   exactly its events, so the tracker a read would give (from the session start on) is
   built from them instead of read back.
2. `pool_sqlite_connections`: with SQLAlchemy 1.4 a file SQLite tracker store opens a new
   connection for every read and write (and sets its journal mode each time); a small pool
   keeps them open. PostgreSQL stores are pooled by Rasa already.
3. `run_graphs_in_order`: Rasa hands each graph run (NLU parse, policy prediction) to
   dask's scheduler and recomputes the sub-graph it needs for every message. The nodes
   are plain callables: the order is computed once per set of targets and the nodes are
   called in it, with the same arguments and results.
4. `skip_needless_readings`: after every user message Rasa rebuilds the tracker from its
   events and calls the global slot validator on the action server, whose only work is to
   read the message in its place (actions/turn_reading.py, the `read_as` slot). For most
   messages (answers to the intake's questions, "yes", "thanks", plain questions) the
   dialogue state alone says it reads as itself (actions/reading_gate.py, the same test
   the validator starts with): then the call is not made and the turn goes on with the
   slots the message set, as when the validator returns nothing.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

# Trackers kept per Rasa process: enough for the conversations of a small server at once;
# a tracker of a few dozen turns takes well under a megabyte.
KEPT_TRACKERS = 256


@dataclass
class _Kept:
    """A tracker as the database last held it."""

    tracker: Any
    saved: int  # len(tracker.events) when it was read or saved
    stamp: tuple[int, float | None]  # (events stored for the sender, latest timestamp)
    domain: Any  # the domain its slots come from (a new model reads trackers afresh)
    # The database holds exactly the tracker's events (a conversation this process began);
    # a kept entry with no tracker stands for a conversation with no events yet.
    whole: bool = False


def _stamp_query(store: Any) -> Any:
    """The stamp's statement, built once per store (a Core select SQLAlchemy compiles once)."""
    query = store.__dict__.get("_iesmed_stamp")
    if query is None:
        import sqlalchemy as sa

        table = store.SQLEvent.__table__
        query = store.__dict__["_iesmed_stamp"] = sa.select(
            sa.func.count(table.c.id), sa.func.max(table.c.timestamp)
        ).where(table.c.sender_id == sa.bindparam("sender"))
    return query


def _stamp(store: Any, session: Any, sender_id: str) -> tuple[int, float | None]:
    """What the database holds for ``sender_id``: number of events and latest timestamp."""
    count, latest = session.execute(_stamp_query(store), {"sender": sender_id}).one()
    return int(count or 0), (float(latest) if latest is not None else None)


def _rows(sender_id: str, events: list[Any]) -> list[dict[str, Any]]:
    """The rows Rasa 3.6's SQL store writes for ``events`` (SQLTrackerStore.save)."""
    rows = []
    for event in events:
        data = event.as_dict()
        rows.append({"sender_id": sender_id, "type_name": event.type_name,
                     "timestamp": data.get("timestamp"),
                     "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                     "action_name": data.get("name"), "data": json.dumps(data)})
    return rows


def session_tracker(tracker: Any, domain: Any) -> Any:
    """The tracker Rasa 3.6's SQL store reads when ``tracker.events`` are all it holds.

    Its read keeps the events whose timestamp is at least the latest session start's, in
    the order they were stored (`SQLTrackerStore._event_query`), and replays them into a
    new tracker with the domain's slots (`DialogueStateTracker.from_dict`).
    """
    from rasa.shared.core.events import SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    starts = [e.timestamp for e in tracker.events if isinstance(e, SessionStarted)]
    events = list(tracker.events)
    if starts:
        events = [e for e in events if e.timestamp >= max(starts)]
    return DialogueStateTracker.from_events(tracker.sender_id, events, domain.slots)


def keep_trackers(limit: int = KEPT_TRACKERS) -> None:
    """Reuse the tracker a turn saved at the conversation's next message (see module doc)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import SessionStarted

    original_retrieve = SQLTrackerStore._retrieve
    original_save = SQLTrackerStore.save
    original_additional = SQLTrackerStore._additional_events

    def kept(store: Any) -> OrderedDict[str, _Kept]:
        table: OrderedDict[str, _Kept] | None = store.__dict__.get("_iesmed_kept")
        if table is None:
            table = store.__dict__["_iesmed_kept"] = OrderedDict()
        return table

    def remember(store: Any, sender_id: str, entry: _Kept) -> None:
        table = kept(store)
        table[sender_id] = entry
        table.move_to_end(sender_id)
        while len(table) > limit:
            table.popitem(last=False)

    async def _retrieve(self: Any, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> Any:
        if fetch_events_from_all_sessions:
            return await original_retrieve(self, sender_id, fetch_events_from_all_sessions)
        entry = kept(self).get(sender_id)
        with self.session_scope() as session:
            stamp = _stamp(self, session, sender_id)
        if (entry is not None and entry.tracker is not None and entry.stamp == stamp
                and entry.domain is self.domain and len(entry.tracker.events) == entry.saved):
            kept(self).move_to_end(sender_id)
            return entry.tracker
        kept(self).pop(sender_id, None)
        if stamp == (0, None):
            # A new conversation: no event to read (Rasa's read finds none and returns
            # None), and its first save writes every event of the tracker.
            remember(self, sender_id, _Kept(None, 0, stamp, self.domain, whole=True))
            return None
        tracker = await original_retrieve(self, sender_id, False)
        if tracker is not None:
            remember(self, sender_id, _Kept(tracker, len(tracker.events), stamp, self.domain))
        return tracker

    def _additional_events(self: Any, session: Any, tracker: Any) -> Any:
        entry = kept(self).get(tracker.sender_id)
        if entry is not None and entry.tracker is tracker:
            # The events up to `saved` are the ones read or written last: the rest is new.
            return itertools.islice(tracker.events, entry.saved, len(tracker.events))
        return original_additional(self, session, tracker)

    async def save(self: Any, tracker: Any) -> None:
        sender_id = tracker.sender_id
        entry = kept(self).get(sender_id)
        if (entry is None or entry.domain is not self.domain
                or (entry.tracker is not tracker and entry.tracker is not None)):
            kept(self).pop(sender_id, None)
            await original_save(self, tracker)
            return
        new = list(itertools.islice(tracker.events, entry.saved, len(tracker.events)))
        try:
            # Rasa's save, with the new rows inserted in one statement instead of one
            # ORM object each (the same rows: tests/support/engine_turns_check.py).
            await self.stream_events(tracker)
            with self.session_scope() as session:
                if new:
                    session.execute(self.SQLEvent.__table__.insert(), _rows(sender_id, new))
                session.commit()
        except BaseException:
            kept(self).pop(sender_id, None)
            raise
        count, latest = entry.stamp
        stamps = [e.timestamp for e in new if e.timestamp is not None]
        latest = max([*stamps, *([latest] if latest is not None else [])], default=None)
        stamp = (count + len(new), latest)
        whole = entry.whole
        if any(isinstance(event, SessionStarted) for event in new):
            if not whole:
                # A new session: the next read starts from it, as Rasa's own read would.
                kept(self).pop(sender_id, None)
                return
            # The session of a conversation begun here: the database holds exactly these
            # events, so the next read would give the tracker of those from the session
            # start on, which is built here instead of read back.
            tracker, whole = session_tracker(tracker, entry.domain), False
        remember(self, sender_id,
                 _Kept(tracker, len(tracker.events), stamp, entry.domain, whole=whole))

    SQLTrackerStore._retrieve = _retrieve
    SQLTrackerStore._additional_events = _additional_events
    SQLTrackerStore.save = save


def pool_sqlite_connections(size: int = 4) -> None:
    """Keep a file SQLite tracker store's connections open between reads and writes."""
    from rasa.core import tracker_store
    from sqlalchemy.pool import QueuePool

    original = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = original(url)
        text = str(url)
        if text.startswith("sqlite") and ":memory:" not in text and text != "sqlite://":
            # Rasa serves on one event loop; the pool may hand a connection to its thread
            # pool at shutdown, hence no same-thread check.
            kwargs.update(poolclass=QueuePool, pool_size=size, max_overflow=size,
                          connect_args={"check_same_thread": False})
        return kwargs

    tracker_store.create_engine_kwargs = create_engine_kwargs


def run_graphs_in_order() -> None:
    """Call a graph's nodes in dependency order instead of through dask (see module doc)."""
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def plan(self: Any, targets: tuple[str, ...], given: frozenset[str]
             ) -> list[tuple[str, tuple[str, ...]]]:
        plans: dict[Any, list[tuple[str, tuple[str, ...]]]] = \
            self.__dict__.setdefault("_iesmed_plans", {})
        found = plans.get((targets, given))
        if found is None:
            nodes = self._graph_schema.nodes
            order: list[tuple[str, tuple[str, ...]]] = []
            placed: set[str] = set()

            def visit(name: str, path: frozenset[str]) -> None:
                if name in placed or name in given or name not in nodes:
                    return  # done, or given at run time (an input replaces a node)
                if name in path:
                    raise GraphRunError(f"The graph has a cycle through '{name}'.")
                needs = tuple(nodes[name].needs.values())
                for need in needs:
                    visit(need, path | {name})
                placed.add(name)
                order.append((name, needs))

            for target in targets:
                visit(target, frozenset())
            found = plans[(targets, given)] = order
        return found

    def run(self: Any, inputs: dict[str, Any] | None = None,
            targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        order = plan(self, run_targets, frozenset(inputs or ()))
        values: dict[str, Any] = {}
        planned = {name for name, _ in order}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in planned:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none "
                    f"of the input names passed to the `run` method are the same as node "
                    f"names in the graph schema.")
            values[name] = (name, value)  # as Rasa gives an input to the nodes needing it
        try:
            for name, needs in order:
                values[name] = self._instantiated_nodes[name](
                    *(values[n] if n in values else n for n in needs))
        except RuntimeError as exc:  # as Rasa reports a failure inside dask
            raise GraphRunError("Error running runner.") from exc
        return dict(values[t] for t in run_targets)

    DaskGraphRunner.run = run


def skip_needless_readings() -> None:
    """Call the global slot validator only when the message may read otherwise (module doc)."""
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.shared.core.events import SlotSet

    from actions.reading_gate import SLOT, may_read_otherwise

    original = ActionExtractSlots._execute_validation_action

    async def execute(self: Any, extraction_events: list[Any], output_channel: Any, nlg: Any,
                      tracker: Any, domain: Any) -> list[Any]:
        slot_events = [e for e in extraction_events if isinstance(e, SlotSet)]
        values = {e.key: e.value for e in slot_events}

        def slot(name: str) -> Any:
            return values[name] if name in values else tracker.get_slot(name)

        message = tracker.latest_message
        if slot(SLOT) is None and not may_read_otherwise(
                text=str(message.text or "") if message else "",
                intent=(message.intent or {}).get("name") if message else None,
                loop=tracker.active_loop_name, requested_slot=slot("requested_slot"),
                awaiting_confirmation=slot("awaiting_confirmation")):
            return list(slot_events)  # what Rasa returns when the validator sets nothing
        found: list[Any] = await original(self, extraction_events, output_channel, nlg,
                                          tracker, domain)
        return found

    ActionExtractSlots._execute_validation_action = execute
