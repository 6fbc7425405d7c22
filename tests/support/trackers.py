"""Run a Rasa custom action in-process: a Tracker, a CollectingDispatcher and a seeded catalogue.

As Rasa's own demo assistants test their actions: build the tracker the action server
would receive (slots, the latest message with the bot's metadata, past events), run the
action, and read what it said and which events it returned. Replies named by response
are rendered from the language packs, as Rasa renders them for the `language` slot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Case, Conversation, Event
from catalog.notices import render
from catalog.seed import SEED_FILE, load_file, upsert_catalogue

# Keys CollectingDispatcher puts in every message; the rest are a response's values.
_MESSAGE_KEYS = frozenset({"text", "buttons", "elements", "custom", "template", "response",
                           "image", "attachment"})
FIRST_EVENT_IN_DAYS = 40  # the seed's events are moved so the first starts this far ahead


def make_tracker(*, language: str = "en", channel: str = "web", text: str = "",
                 intent: str | None = None, entities: dict[str, str] | None = None,
                 slots: dict[str, Any] | None = None, events: list[dict[str, Any]] | None = None,
                 active_loop: str | None = None, sender_id: str = "conv-1") -> Tracker:
    """A tracker whose latest message came from ``channel`` in ``language``."""
    latest = {"text": text or (f"/{intent}" if intent else ""),
              "intent": {"name": intent, "confidence": 1.0} if intent else {},
              "entities": [{"entity": name, "value": value}
                           for name, value in (entities or {}).items()],
              "metadata": {"language": language, "channel": channel}}
    return Tracker(sender_id=sender_id, slots={"language": language, **(slots or {})},
                   latest_message=latest, events=list(events or []), paused=False,
                   followup_action=None,
                   active_loop={"name": active_loop} if active_loop else {},
                   latest_action_name="action_listen")


@dataclass(frozen=True)
class Ran:
    """What an action said and returned."""

    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def responses(self) -> list[str | None]:
        """The response named by each message (None for a message with its own text)."""
        return [m.get("response") for m in self.messages]

    @property
    def slots(self) -> dict[str, Any]:
        """The slots the action set, with their values."""
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}

    @property
    def loops(self) -> list[str | None]:
        """The forms the action (de)activated: None ends the active form."""
        return [e.get("name") for e in self.events if e.get("event") == "active_loop"]

    @property
    def custom(self) -> list[dict[str, Any]]:
        """The custom payloads (instructions to the bot core)."""
        return [m["custom"] for m in self.messages if m.get("custom")]

    def texts(self, lang: str) -> list[str]:
        """What the user reads, message by message, with the slot `language` = ``lang``.

        A response is filled with the values the action passed; a missing value fails
        here (KeyError), as it would leave a raw {placeholder} in the chat.
        """
        return [text for text, _ in self.rendered(lang)]

    def rendered(self, lang: str) -> list[tuple[str, list[dict[str, Any]]]]:
        """Text and buttons of every message that shows something."""
        shown = []
        for message in self.messages:
            if message.get("response"):
                values = {k: v for k, v in message.items() if k not in _MESSAGE_KEYS}
                text, buttons = render(message["response"], lang, **values)
                shown.append((text, list(message.get("buttons") or buttons)))
            elif message.get("text"):
                shown.append((message["text"], list(message.get("buttons") or [])))
        return shown


def run(action: Action, tracker: Tracker, domain: dict[str, Any] | None = None) -> Ran:
    """Run ``action`` as the action server would; return its messages and events."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return Ran(dispatcher.messages, [dict(e) for e in events])


# --- a throwaway catalogue -----------------------------------------------------------------

def seeded_catalogue(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    """A copy of the seed catalogue for one test; the actions find it through DATABASE_URL.

    The seed is loaded once per test session; each test gets its own copy.
    """
    template = tmp_path_factory.getbasetemp() / "seeded-catalogue.sqlite3"
    if not template.exists():
        _build(template)
    target = tmp_path / "catalogue.sqlite3"
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    return make_session_factory(make_engine(url))


def _build(path: Path) -> None:
    building = path.with_suffix(".building")
    engine = make_engine(f"sqlite:///{building}")
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        upsert_catalogue(session, load_file(SEED_FILE))
        _move_events_ahead(session)
    engine.dispose()
    building.rename(path)


def _move_events_ahead(session: Session) -> None:
    """Shift the seed's events by whole days so they stay upcoming whatever the date."""
    events = list(session.scalars(select(Event)))
    first = min(e.starts_at for e in events).date()
    shift = dt.timedelta(days=(dt.date.today() - first).days + FIRST_EVENT_IN_DAYS)
    for event in events:
        event.starts_at += shift
        event.ends_at += shift
        if event.registration_deadline is not None:
            event.registration_deadline += shift


def add_conversation(sessions: sessionmaker[Session], conversation_id: str, *,
                     language: str = "en", channel: str = "web") -> None:
    """A conversation row, as the bot core creates one on the first message."""
    with sessions.begin() as session:
        session.add(Conversation(id=conversation_id, channel=channel, language=language,
                                 state="bot"))


def add_case(sessions: sessionmaker[Session], conversation_id: str, reference: str,
             **fields: Any) -> None:
    """A saved case of ``conversation_id`` (its conversation is created if missing)."""
    with sessions.begin() as session:
        language = fields.setdefault("language", "en")
        if session.get(Conversation, conversation_id) is None:
            session.add(Conversation(id=conversation_id, channel="web", language=language,
                                     state="bot"))
            session.flush()
        session.add(Case(reference=reference, conversation_id=conversation_id, status="new",
                         channel="web", **fields))
