"""The load benchmark's count: what users sent against the transcript and Rasa's tracker."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Conversation, ConversationMessage
from ops.bench.load import Sent, User, count, example_messages


def _world(tmp_path: Path, transcript: dict[str, list[tuple[str, str, bool]]],
           tracker: dict[str, list[str]]) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'catalogue.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        for cid, rows in transcript.items():
            session.add(Conversation(id=cid, channel="web", language="en", state="bot"))
            session.flush()
            for direction, text, delivered in rows:
                session.add(ConversationMessage(conversation_id=cid, direction=direction,
                                                text=text, delivered=delivered))
    engine.dispose()
    path = tmp_path / "tracker.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                   "type_name TEXT, data TEXT)")
        for cid, texts in tracker.items():
            db.executemany("INSERT INTO events (sender_id, type_name, data) VALUES (?, ?, ?)",
                           [(cid, "user", json.dumps({"text": t})) for t in texts])
    return url, path


def _user(cid: str, *texts: str, apologies: tuple[str, ...] = ()) -> User:
    return User("en", cid, [Sent(t, 0.0, 0.1, apology=t in apologies) for t in texts])


def test_answered_apologised_lost_and_duplicated_messages_are_told_apart(tmp_path):
    url, tracker = _world(tmp_path, {
        "a": [("in", "hello", True), ("out", "Hi!", True),
              ("in", "what events", False),  # Rasa was down: kept, apology shown
              ("in", "thanks", True)],  # marked delivered, but nothing was answered
        "b": [("in", "help", True), ("out", "Here is how", True),
              ("in", "help", True), ("out", "Here is how", True),  # recorded twice
              ("in", "privacy", True), ("out", "We keep", True)],
    }, {"a": ["hello", "what events"], "b": ["help", "help", "privacy", "privacy"]})
    users = [_user("a", "hello", "what events", "thanks", "are you a bot",
                   apologies=("what events",)),
             _user("b", "help", "privacy")]
    figures = count(users, url, tracker)
    assert figures.sent == 6
    assert figures.answered == 3  # hello, help, privacy
    assert figures.apologised == 1 and figures.kept_but_handled == 1
    assert figures.lost == 2  # "thanks" unanswered, "are you a bot" never recorded
    assert figures.duplicated == 2  # help recorded twice, privacy handled twice by Rasa
    assert figures.disagreements == 0


def test_an_apology_followed_by_an_answer_counts_as_answered_later(tmp_path):
    url, tracker = _world(tmp_path, {"c": [("in", "hello", True), ("out", "Hi!", True)]},
                          {"c": ["hello"]})
    figures = count([_user("c", "hello", apologies=("hello",))], url, tracker)
    assert figures.answered_later == 1 and figures.answered == 0
    assert figures.lost == figures.disagreements == 0


def test_an_answer_the_database_calls_undelivered_is_a_disagreement(tmp_path):
    url, tracker = _world(tmp_path, {"c": [("in", "hello", False)]}, {"c": []})
    figures = count([_user("c", "hello")], url, tracker)
    assert figures.apologised == 1 and figures.disagreements == 1


def test_users_speak_every_language_from_the_training_examples():
    for lang in ("ca", "es", "fr", "it", "pt", "el", "tr", "ar", "en"):
        examples = example_messages(lang)
        assert len(examples) >= 30, lang
        assert not any("](" in e or "]{" in e for e in examples), lang
