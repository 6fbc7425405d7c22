"""The core around handoff and erasure, with Rasa stood in by its REST channel's JSON."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import select

from bot.core.conversation import ConversationCore
from bot.core.language import LanguageResolver
from bot.core.locales import text as locale_text
from bot.core.messages import InboundMessage
from bot.core.rasa_client import RasaClient
from bot.core.store import ConversationStore
from bot.core.tracker_store import make_tracker_eraser, tracker_store_url
from bot.errors import ErasureFailed
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Conversation, ConversationMessage

ADMIN = "postgresql://root@127.0.0.1:5432/postgres"


def _rasa(replies: list[dict]) -> RasaClient:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/model/parse":
            return httpx.Response(200, json={"intent": {"name": "inform", "confidence": 0.9}})
        return httpx.Response(200, json=replies)
    return RasaClient("http://rasa.test", transport=httpx.MockTransport(answer))


def _core(tmp_path: Path, replies: list[dict], eraser=None) -> ConversationCore:
    engine = make_engine(f"sqlite:///{tmp_path / 'core.sqlite3'}")
    upgrade(engine)
    return ConversationCore(store=ConversationStore(make_session_factory(engine)),
                            rasa=_rasa(replies), resolver=LanguageResolver(),
                            known_intents=frozenset({"erase_data", "greet", "request_human"}),
                            tracker_eraser=eraser)


async def test_a_failed_erasure_is_not_reported_as_done_and_goes_to_a_broker(tmp_path):
    def broken(_sender: str) -> None:
        raise ErasureFailed("tracker store unreachable")

    core = _core(tmp_path, [{"text": "Done, everything is erased."},
                            {"custom": {"erase": True}}], eraser=broken)
    info = core.store.open(channel="web", language="en")
    result = await core.handle(InboundMessage(info.id, '/erase_data{"choice": "confirm"}'))
    texts = [r.text for r in result.replies]
    assert result.state == "waiting"
    assert texts[0].startswith(locale_text("erase_failed", "en"))
    assert "Done, everything is erased." not in " ".join(texts)
    with core.store.sessions() as session:
        row = session.get(Conversation, info.id)
        assert row is not None and row.handoff_reason == "erasure_failed"


async def test_an_erasure_removes_the_conversation_after_the_tracker(tmp_path):
    erased: list[str] = []
    core = _core(tmp_path, [{"text": "Done."}, {"custom": {"erase": True}}],
                 eraser=erased.append)
    info = core.store.open(channel="web", language="en")
    result = await core.handle(InboundMessage(info.id, '/erase_data{"choice": "confirm"}'))
    assert [r.text for r in result.replies] == ["Done."]
    assert erased == [info.id]
    with core.store.sessions() as session:
        assert session.get(Conversation, info.id) is None
        assert session.scalar(select(ConversationMessage.id)) is None


async def test_with_a_broker_the_assistant_is_silent_and_the_message_kept(tmp_path):
    core = _core(tmp_path, [{"text": "should not be said"}])
    info = core.store.open(channel="web", language="en")
    with core.store.sessions.begin() as session:
        row = session.get(Conversation, info.id)
        row.state, row.assigned_to = "human", None
    result = await core.handle(InboundMessage(info.id, "we are a cooperative in Oran"))
    assert (result.state, result.replies) == ("human", [])
    assert core.store.transcript(info.id) == [("in", "we are a cooperative in Oran", True)]


def test_postgres_urls_of_every_spelling_reach_the_tracker_store(settings_factory):
    for url in ("postgres://u:p@db:5432/x", "postgresql://u:p@db:5432/x"):
        assert tracker_store_url(settings_factory(TRACKER_STORE_URL=url)) == \
            "postgresql+psycopg://u:p@db:5432/x"


@pytest.mark.integration
def test_the_tracker_eraser_deletes_on_postgres_and_raises_when_it_cannot(settings_factory):
    name = f"iesmed_test_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://root@127.0.0.1:5432/{name}"
    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://"),
                             autocommit=True) as db:
            db.execute("CREATE TABLE events (id serial, sender_id text, data text)")
            db.execute("INSERT INTO events (sender_id, data) VALUES ('a', %s), ('b', %s)",
                       (json.dumps({"text": "my e-mail is a@x.org"}), "{}"))
        make_tracker_eraser(settings_factory(TRACKER_STORE_URL=url))("a")
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
            assert db.execute("SELECT sender_id FROM events").fetchall() == [("b",)]
        unreachable = "postgres://root@127.0.0.1:1/nowhere"
        with pytest.raises(ErasureFailed):
            make_tracker_eraser(settings_factory(TRACKER_STORE_URL=unreachable))("b")
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
