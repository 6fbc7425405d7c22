"""Bad input on the real PostgreSQL: refused cleanly, nothing stored, no values in errors."""

from __future__ import annotations

import json
import secrets
from contextlib import contextmanager

import psycopg
import pytest
from hypothesis import given, settings
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.cases import save_new_case
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Case, Conversation, ConversationMessage
from tests.unit.test_http_fuzz import (
    FUZZ,
    application,
    count_rows,
    message_bodies,
    not_5xx,
)

pytestmark = pytest.mark.integration
ADMIN = "postgresql://root@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_url():
    name = f"iesmed_test_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://root@127.0.0.1:5432/{name}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_chat_api_refuses_bad_input_cleanly_on_postgres(settings_factory, postgres_url):
    with application(settings_factory, DATABASE_URL=postgres_url) as (client, engine, _):
        # PostgreSQL refuses NUL in text: an id carrying one must be a 404, not a 500.
        for path_id in ("%00", "abc%00def"):
            assert client.get(f"/api/conversations/{path_id}").status_code == 404
            assert client.get(f"/api/conversations/{path_id}/events").status_code == 404
            assert client.post(f"/api/conversations/{path_id}/messages",
                               json={"text": "hi"}).status_code == 404
        cid = client.post("/api/conversations", json={}).json()["conversation_id"]
        turn = client.post(f"/api/conversations/{cid}/messages", content=json.dumps(
            {"text": "hello\x00 we are\x07 a coop\ud800"}).encode())
        assert turn.status_code == 200
        assert client.get(f"/api/conversations/{cid}").json()["messages"][0]["text"] == \
            "hello we are a coop"

        @settings(FUZZ, max_examples=60)
        @given(body=message_bodies)
        def post(body: bytes) -> None:
            before = count_rows(engine)
            response = client.post(f"/api/conversations/{cid}/messages", content=body,
                                   headers={"content-type": "application/json"})
            not_5xx(response)
            if response.status_code != 200:
                assert count_rows(engine) == before

        post()


def test_a_taken_reference_is_drawn_again_on_postgres(postgres_url):
    engine = make_engine(postgres_url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            session.add(Conversation(id="c1", channel="web"))
            session.flush()
            session.add(Case(reference="IM-TAKE-N000", conversation_id="c1", channel="web",
                             language="en", org_name="First"))

        @contextmanager
        def open_session():
            with sessions() as session:
                yield session

        drawn = iter(["IM-TAKE-N000", "IM-FREE-0001"])
        reference = save_new_case(
            open_session, lambda _s, ref: Case(reference=ref, conversation_id="c1",
                                               channel="web", language="en", org_name="Second"),
            draw=lambda: next(drawn))
        assert reference == "IM-FREE-0001"
        with sessions() as session:
            assert sorted(session.scalars(select(Case.org_name))) == ["First", "Second"]
        with pytest.raises(IntegrityError) as caught, sessions.begin() as session:
            session.add(ConversationMessage(conversation_id="missing", direction="in",
                                            text="amina@example.org +21612345678"))
        assert "amina@example.org" not in str(caught.value)
    finally:
        engine.dispose()


def test_a_constraint_error_logged_by_the_bot_names_no_value_on_postgres(
        postgres_url, settings_factory):
    """PostgreSQL's DETAIL quotes the key (a WhatsApp number): the bot's log lines do not."""
    import io
    import logging

    from bot.log_config import REDACTED, RedactingFormatter

    engine = make_engine(postgres_url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            session.add(Conversation(id="c1", channel="whatsapp", channel_user_id="34600111222"))
        with pytest.raises(IntegrityError) as caught, sessions.begin() as session:
            session.add(Conversation(id="c2", channel="whatsapp", channel_user_id="34600111222"))
        assert "34600111222" in str(caught.value)  # what the redaction is for
        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
        handler.setFormatter(RedactingFormatter("%(message)s", []))
        log = logging.getLogger("iesmed.test.redaction")
        log.addHandler(handler)
        try:
            log.error("saving failed", exc_info=caught.value)
        finally:
            log.removeHandler(handler)
        assert "34600111222" not in buffer.getvalue()
        assert f"Key (channel, channel_user_id)=({REDACTED})" in buffer.getvalue()
    finally:
        engine.dispose()
