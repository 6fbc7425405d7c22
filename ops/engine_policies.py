"""Less work per prediction inside Rasa 3.6's policies and forms, same predictions.

Imported by ops/engine_server.py in the engine's environment (Python 3.10, Rasa 3.6) when
it serves, never by the runtime. Profiles of a chat turn (docs/DECISIONS.md, "Chat turn
performance, session 12") showed Rasa's process spending a fifth of its time on work
that gives the same result at every message:

1. `keep_past_states`: every policy asks for the dialogue states of the whole
   conversation at each prediction, and Rasa computes them by replaying every event into
   a fresh tracker (`Domain.states_for_tracker_history`): two policies, several
   predictions per message, each replaying the conversation from its start. The states of
   the turns already replayed do not change while events are only added, so the replay
   is kept per conversation and continued from where it stopped; anything else (an event
   undone, another conversation, another domain) replays from the start as before.
2. `match_rules_by_turn`: the rule policy tests every rule against every turn of the
   conversation, turning each rule's JSON back into states each time
   (`RulePolicy._get_possible_keys`). A rule can only fail on the turns it is as long as,
   so the test stops there, and each rule's states are prepared once.
3. `keep_unique_entity_mappings`: the slot extraction builds a form action and lists its
   unique entity mappings from the whole domain for every slot it fills
   (`FormAction._create_unique_entity_mappings`); the list depends only on the domain
   and the form, and is kept per domain.

4. `copy_slots_plainly`: a new tracker copies each of the domain's slots with
   `copy.copy`, whose generic path (`__reduce_ex__`, then `_reconstruct`) is most of
   the cost of the trackers Rasa builds several times per message. For a slot class that
   changes nothing in how it is copied, that path makes an instance of the class and
   gives it the slot's attributes, which is done directly.

5. `copy_trackers_from_state`: Rasa copies the tracker before running each action
   (`DialogueStateTracker.copy`) by replaying every event of the conversation into a new
   one. The events only ever set the slots, the loop, the latest action, message and bot
   utterance, the follow-up action and the pause, so the copy takes those from the
   tracker itself, with the same list of events.

With `IESMED_ENGINE_CROSSCHECK=1` (the test suite's stack sets it) each of them also
computes Rasa's own result and raises `CrosscheckFailed` when the two differ, so every
conversation the tests play checks them.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

# Conversations whose replays are kept per Rasa process (each policy's way of asking
# counts once): as many as the kept trackers of ops/engine_turns.py, three ways each.
KEPT_REPLAYS = 768


class CrosscheckFailed(AssertionError):
    """A shortcut gave something other than what Rasa computes itself."""


def crosschecking() -> bool:
    """Whether each shortcut is checked against Rasa's own computation."""
    return os.environ.get("IESMED_ENGINE_CROSSCHECK", "") == "1"


@dataclass
class _Replay:
    """A conversation's events replayed so far, and the states they gave."""

    domain: Any
    tracker: Any  # the replay: every event of `events` applied
    events: list[Any] = field(default_factory=list)  # the applied events replayed, in order
    states: list[Any] = field(default_factory=list)  # one per action among `events`
    last_ml_action: Any = None  # the loop's memory in Rasa's own computation
    hidden: bool = False


def _state_at(domain: Any, tracker: Any, hide_rule_turn: bool, replay: _Replay,
              omit_unset_slots: bool, ignore_rule_only_turns: bool,
              rule_only_data: Any) -> tuple[Any, Any, bool]:
    """One step of Rasa's `states_for_tracker_history` at an action: (state or None when
    the turn is hidden, the last action kept for the ML state, whether turns are hidden)."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    last_ml_action, hidden = replay.last_ml_action, replay.hidden
    if ignore_rule_only_turns:
        if not hidden:
            last_ml_action = domain._get_prev_action_sub_state(tracker)
        # A follow-up action or a loop's happy path keeps whether the turn is hidden.
        if not tracker.followup_action and tracker.latest_action_name != tracker.active_loop_name:
            hidden = hide_rule_turn
        if hidden:
            return None, last_ml_action, hidden
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if replay.states:
            domain._substitute_rule_only_user_input(state, replay.states[-1])
        if last_ml_action:
            state[PREVIOUS_ACTION] = last_ml_action
    return domain._clean_state(state), last_ml_action, hidden


def _copied(states: list[Any]) -> list[Any]:
    """States the caller may change without changing the kept ones (two levels deep, as
    deep as Rasa's callers write: a sub-state's values are strings and tuples)."""
    return [{kind: (dict(sub) if isinstance(sub, dict) else sub) for kind, sub in s.items()}
            for s in states]


def _data_key(rule_only_data: Any) -> Any:
    """A hashable key equal for equal rule-only data (slot and loop names)."""
    if rule_only_data is None:
        return None
    try:
        key = tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                           for name, value in rule_only_data.items()))
        hash(key)
        return key
    except TypeError:
        return json.dumps(rule_only_data, sort_keys=True, default=str)


def keep_past_states(limit: int = KEPT_REPLAYS) -> None:
    """Continue each conversation's replay instead of starting it again (see module doc)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted

    original = Domain.states_for_tracker_history
    check = crosschecking()
    replays: OrderedDict[tuple[Any, ...], _Replay] = OrderedDict()

    def states_for_tracker_history(self: Any, tracker: Any, omit_unset_slots: bool = False,
                                   ignore_rule_only_turns: bool = False,
                                   rule_only_data: Any = None) -> list[Any]:
        key = (tracker.sender_id, tracker.is_rule_tracker, omit_unset_slots,
               ignore_rule_only_turns, _data_key(rule_only_data))
        applied = tracker.applied_events()
        replay = replays.get(key)
        if (replay is None or replay.domain is not self or len(replay.events) > len(applied)
                or any(a is not b for a, b in zip(replay.events, applied, strict=False))):
            replay = _Replay(self, tracker.init_copy())
        replays[key] = replay
        replays.move_to_end(key)
        while len(replays) > limit:
            replays.popitem(last=False)
        args = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        try:
            for event in applied[len(replay.events):]:
                if isinstance(event, ActionExecuted):
                    state, replay.last_ml_action, replay.hidden = _state_at(
                        self, replay.tracker, event.hide_rule_turn, replay, *args)
                    if state is not None:
                        replay.states.append(state)
                replay.tracker.update(event)
                replay.events.append(event)
        except BaseException:
            replays.pop(key, None)
            raise
        # The state after the last event, as Rasa's replay ends (never kept: the next
        # event decides whether it is a turn of its own).
        last, _, _ = _state_at(self, replay.tracker, False, replay, *args)
        states = _copied(replay.states + ([last] if last is not None else []))
        if check:
            expected = original(self, tracker, omit_unset_slots, ignore_rule_only_turns,
                                rule_only_data)
            if expected != states:
                replays.pop(key, None)
                raise CrosscheckFailed(f"past states of {tracker.sender_id}: {states!r} "
                                       f"instead of {expected!r}")
        return states

    Domain.states_for_tracker_history = states_for_tracker_history


@dataclass(frozen=True)
class _RuleTurn:
    """One state of a rule, as `RulePolicy._is_rule_applicable` tests it."""

    has_previous_action: bool
    # (state type, feature, value): the conversation must hold this value
    required: tuple[tuple[str, str, Any], ...]
    # (state type, feature): the conversation must not hold a value (other than the mark)
    unset: tuple[tuple[str, str], ...]


def _rule_turns(rule_key: str) -> tuple[_RuleTurn, ...]:
    """A rule's states, last first, prepared for matching."""
    from rasa.core.policies.rule_policy import SHOULD_NOT_BE_SET
    from rasa.shared.core.constants import PREVIOUS_ACTION

    turns = []
    for rule_state in reversed(json.loads(rule_key)):
        required, unset = [], []
        for state_type, sub_state in rule_state.items():
            for feature, value in sub_state.items():
                if isinstance(value, list):  # JSON keeps tuples as lists
                    value = tuple(value)
                if value == SHOULD_NOT_BE_SET:
                    unset.append((state_type, feature))
                elif value:
                    required.append((state_type, feature, value))
        turns.append(_RuleTurn(bool(rule_state.get(PREVIOUS_ACTION)), tuple(required),
                               tuple(unset)))
    return tuple(turns)


def _turn_matches(turn: _RuleTurn, state: dict[str, Any], has_previous_action: bool,
                  should_not_be_set: str) -> bool:
    """`RulePolicy._is_rule_applicable` for a turn the rule reaches."""
    if not turn.has_previous_action and not has_previous_action:
        return True  # both start a conversation
    if not turn.has_previous_action or not has_previous_action:
        return False
    for state_type, feature, value in turn.required:
        if state.get(state_type, {}).get(feature) != value:
            return False
    for state_type, feature in turn.unset:
        found = state.get(state_type, {}).get(feature)
        if found and found != should_not_be_set:
            return False
    return True


def match_rules_by_turn() -> None:
    """Test each rule only on the turns it reaches, prepared once (see module doc)."""
    from rasa.core.policies.rule_policy import SHOULD_NOT_BE_SET, RulePolicy
    from rasa.shared.core.constants import PREVIOUS_ACTION

    original = RulePolicy._get_possible_keys
    check = crosschecking()
    prepared: dict[str, tuple[_RuleTurn, ...]] = {}

    def _get_possible_keys(self: Any, lookup: dict[str, str], states: list[Any]) -> set[str]:
        rules = []
        for rule_key in lookup:
            turns = prepared.get(rule_key)
            if turns is None:
                turns = prepared[rule_key] = _rule_turns(rule_key)
            rules.append((rule_key, turns))
        for index, state in enumerate(reversed(states)):
            # A rule shorter than the turns tested so far is applicable from here on.
            if all(len(turns) <= index for _, turns in rules):
                break
            has_previous_action = bool(state.get(PREVIOUS_ACTION))
            rules = [(rule_key, turns) for rule_key, turns in rules
                     if len(turns) <= index or _turn_matches(
                         turns[index], state, has_previous_action, SHOULD_NOT_BE_SET)]
        found = {rule_key for rule_key, _ in rules}
        if check:
            expected = original(self, lookup, states)
            if expected != found:
                raise CrosscheckFailed(f"rules {sorted(found)} instead of {sorted(expected)}")
        return found

    RulePolicy._get_possible_keys = _get_possible_keys


def keep_unique_entity_mappings() -> None:
    """List a form's unique entity mappings once per domain (see module doc)."""
    from rasa.core.actions.forms import FormAction

    original = FormAction._create_unique_entity_mappings
    check = crosschecking()

    def _create_unique_entity_mappings(self: Any, domain: Any) -> set[str]:
        kept: dict[str, set[str]] = domain.__dict__.setdefault("_iesmed_unique_mappings", {})
        found = kept.get(self.name())
        if found is None:
            found = kept[self.name()] = original(self, domain)
        elif check and found != original(self, domain):
            raise CrosscheckFailed(f"unique entity mappings of {self.name()}")
        return found

    FormAction._create_unique_entity_mappings = _create_unique_entity_mappings


_COPY_HOOKS = ("__copy__", "__reduce_ex__", "__reduce__", "__getstate__", "__setstate__")


def _plainly_copied(cls: type) -> bool:
    """Whether ``copy.copy`` makes a new instance of ``cls`` and updates its ``__dict__``
    with the original's, and nothing else: no hook of its own, no named ``__slots__``
    (Rasa's `Slot` has the empty ones of `ABC`), no ``__new__``."""
    import copyreg

    return (not copyreg._slotnames(cls)  # type: ignore[attr-defined]
            and getattr(cls, "__new__", None) is object.__new__ and all(
        getattr(cls, hook, None) is getattr(object, hook, None) for hook in _COPY_HOOKS))


def copy_slots_plainly() -> None:
    """Copy a tracker's slots without `copy.copy`'s generic path (see module doc)."""
    import copy
    import types

    from rasa.shared.core import trackers

    plain: dict[type, bool] = {}
    check = crosschecking()

    def copy_slot(slot: Any) -> Any:
        cls = type(slot)
        known = plain.get(cls)
        if known is None:
            known = plain[cls] = _plainly_copied(cls)
        if not known:
            return copy.copy(slot)
        new = object.__new__(cls)
        new.__dict__.update(slot.__dict__)
        if check:
            expected = copy.copy(slot)
            if type(expected) is not cls or expected.__dict__ != new.__dict__:
                raise CrosscheckFailed(f"copy of slot {slot!r}")
        return new

    # trackers.py uses its `copy` module for this copy only.
    trackers.copy = types.SimpleNamespace(copy=copy_slot)


def _tracker_state(tracker: Any) -> dict[str, Any]:
    """What a tracker holds, slots by their attributes (for the cross-check)."""
    found = {k: v for k, v in vars(tracker).items() if k != "slots"}
    found["events"] = list(tracker.events)
    found["slots"] = {name: (type(slot), vars(slot)) for name, slot in tracker.slots.items()}
    return found


def copy_trackers_from_state() -> None:
    """Copy a tracker from its state instead of replaying its events (see module doc)."""
    import copy
    from collections import deque

    from rasa.shared.core.trackers import DialogueStateTracker

    original = DialogueStateTracker.copy
    check = crosschecking()

    def copied(self: Any) -> Any:
        # What Rasa's copy (a replay into `init_copy()`) leaves differently from a new
        # tracker: the events, and what they set.
        new = self.init_copy()
        new.events = deque(self.events, self._max_event_history)
        for name, slot in self.slots.items():
            vars(new.slots[name]).update(vars(slot))
        new._paused = self._paused
        new.followup_action = self.followup_action
        new.latest_action = copy.deepcopy(self.latest_action)
        new.latest_message = self.latest_message
        new.latest_bot_utterance = self.latest_bot_utterance
        new.active_loop = copy.deepcopy(self.active_loop)
        if check:
            expected = original(self)
            if _tracker_state(new) != _tracker_state(expected):
                raise CrosscheckFailed(f"copy of the tracker of {self.sender_id}")
        return new

    DialogueStateTracker.copy = copied
