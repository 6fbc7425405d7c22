"""The JSON chat API answers bad requests clearly and survives a dead dialogue engine."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.core.locales import text
from bot.core.rate_limit import RateLimiter
from bot.web.app import create_app
from catalog.db import make_engine
from catalog.models import Conversation, ConversationMessage
from ops.supervisor import free_port
from tests.support.rasa_rest import RasaStandIn


@pytest.fixture
def client(settings_factory):
    """A bot whose Rasa URL points at a port where nothing listens (engine down)."""
    settings = settings_factory(RASA_URL=f"http://127.0.0.1:{free_port()}",
                                RASA_TIMEOUT_SECONDS=2, MAX_BODY_BYTES=2048,
                                MAX_MESSAGE_CHARS=500)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def _open(client, **body) -> str:
    response = client.post("/api/conversations", json=body)
    assert response.status_code == 201
    return response.json()["conversation_id"]


def test_unknown_conversation_is_404(client):
    response = client.post("/api/conversations/nope/messages", json={"text": "hola"})
    assert response.status_code == 404
    assert response.json() == {"error": "unknown conversation id"}
    assert client.get("/api/conversations/nope").status_code == 404


def test_malformed_json_is_400(client):
    cid = _open(client)
    response = client.post(f"/api/conversations/{cid}/messages", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_non_object_and_missing_text_are_rejected(client):
    cid = _open(client)
    assert client.post(f"/api/conversations/{cid}/messages", json=["hi"]).status_code == 400
    response = client.post(f"/api/conversations/{cid}/messages", json={"txt": "hi"})
    assert response.status_code == 422 and "text" in response.json()["error"]


def test_oversized_body_is_413(client):
    cid = _open(client)
    response = client.post(f"/api/conversations/{cid}/messages", json={"text": "a" * 5000})
    assert response.status_code == 413


def test_bad_language_or_channel_is_422(client):
    assert client.post("/api/conversations", json={"language": "de"}).status_code == 422
    assert client.post("/api/conversations", json={"channel": "fax"}).status_code == 422


def test_engine_down_gives_a_localised_apology_and_keeps_the_message(client):
    cid = _open(client, language="fr")
    response = client.post(f"/api/conversations/{cid}/messages",
                           json={"text": "Bonjour, nous sommes une coopérative à Sfax"})
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "fr" and body["state"] == "bot"
    from bot.core.locales import text
    assert body["replies"] == [{"text": text("engine_unavailable", "fr"), "buttons": []}]
    transcript = client.get(f"/api/conversations/{cid}").json()["messages"]
    assert transcript == [{"direction": "in", "delivered": False,
                           "text": "Bonjour, nous sommes une coopérative à Sfax"}]


def test_empty_and_too_long_messages_are_answered_locally(client):
    cid = _open(client, language="it")
    from bot.core.locales import text
    empty = client.post(f"/api/conversations/{cid}/messages", json={"text": " \u200f "}).json()
    assert empty["replies"][0]["text"] == text("empty_message", "it")
    long = client.post(f"/api/conversations/{cid}/messages", json={"text": "parola " * 100})
    assert long.json()["replies"][0]["text"] == text("message_too_long", "it",
                                                     max_chars="500 caratteri")


def test_unsupported_language_offers_the_nine_languages(client):
    cid = _open(client, language="es")
    body = client.post(f"/api/conversations/{cid}/messages", json={
        "text": "Wir sind eine Genossenschaft aus Berlin und suchen eine Förderung"}).json()
    assert body["language"] == "es"
    buttons = body["replies"][0]["buttons"]
    assert [b["title"] for b in buttons] == ["Català", "Español", "Français", "Italiano",
                                             "Português", "Ελληνικά", "Türkçe", "العربية",
                                             "English"]


def test_errors_never_leak_internals(client):
    response = client.get("/api/definitely/not/here")
    assert response.status_code == 404
    assert "Traceback" not in response.text


# --------------------------------------------------------------------------- hardening

@pytest.fixture
def served(settings_factory):
    """Return a factory of chat API clients on a Rasa stand-in, with their settings."""
    opened = []

    def make(**overrides):
        settings = settings_factory(**{"MAX_BODY_BYTES": 65536, **overrides})
        rasa = RasaStandIn()
        client = TestClient(create_app(settings, rasa_transport=rasa.transport()),
                            raise_server_exceptions=False)
        opened.append(client.__enter__())
        return client, settings, rasa
    yield make
    for client in opened:
        client.__exit__(None, None, None)


def rows(settings) -> tuple[int, int]:
    """Return how many conversations and transcript messages the database holds."""
    engine = make_engine(settings.database)
    try:
        with engine.connect() as connection:
            return (connection.scalar(select(func.count()).select_from(Conversation)),
                    connection.scalar(select(func.count()).select_from(ConversationMessage)))
    finally:
        engine.dispose()


@pytest.mark.parametrize("body", [{"channel": []}, {"channel": {"web": 1}}, {"channel": 7},
                                  {"language": []}, {"language": {"fr": True}},
                                  {"language": "de"}])
def test_a_field_of_the_wrong_type_opens_nothing_and_says_which_field(served, body):
    client, settings, _ = served()
    response = client.post("/api/conversations", json=body)
    assert response.status_code == 422
    assert next(iter(body)) in response.json()["error"]
    assert rows(settings) == (0, 0)


@pytest.mark.parametrize("body", [{"text": "hi", "language_hint": []},
                                  {"text": "hi", "language_hint": {"a": 1}},
                                  {"text": "hi", "language_hint": 3},
                                  {"text": ["hi"]}, {"text": None}])
def test_a_message_field_of_the_wrong_type_is_422_and_nothing_is_recorded(served, body):
    client, settings, rasa = served()
    cid = _open(client)
    response = client.post(f"/api/conversations/{cid}/messages", json=body)
    assert response.status_code == 422
    assert ("language_hint" if "language_hint" in body else "text") in response.json()["error"]
    assert rows(settings) == (1, 0) and rasa.received == []


def test_an_unknown_language_hint_is_only_ignored(served):
    client, _, rasa = served()
    cid = _open(client)
    response = client.post(f"/api/conversations/{cid}/messages",
                           json={"text": "hello, we are a cooperative", "language_hint": "de"})
    assert response.status_code == 200 and len(rasa.received) == 1


@pytest.mark.parametrize("path", ["/api/conversations", "/api/conversations/{cid}/messages"])
def test_deeply_nested_json_is_400_not_a_crash(served, path):
    client, settings, _ = served()
    cid = _open(client)
    for body in (b"[" * 5000, b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}"):
        response = client.post(path.format(cid=cid), content=body,
                               headers={"content-type": "application/json"})
        assert response.status_code == 400, body[:20]
        assert "JSON" in response.json()["error"]
    assert rows(settings) == (1, 0)


def test_invalid_utf8_and_bad_content_length_are_refused(served):
    client, settings, _ = served()
    cid = _open(client)
    bad = client.post(f"/api/conversations/{cid}/messages", content=b'{"text": "\xff\xfe"}')
    assert bad.status_code == 400
    assert rows(settings) == (1, 0)


def test_ids_that_the_store_never_hands_out_are_404(served):
    client, _, _ = served()
    for cid in ("%00", "a%20b", "x" * 65, "%C3%A9", "a.b"):
        assert client.get(f"/api/conversations/{cid}").status_code == 404
        assert client.get(f"/api/conversations/{cid}/events").status_code == 404
        assert client.post(f"/api/conversations/{cid}/messages",
                           json={"text": "hi"}).status_code == 404


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
def test_telegram_and_whatsapp_conversations_are_not_served_by_the_chat_api(served, channel):
    client, settings, rasa = served()
    other = client.app.state.core.store.open(channel=channel, channel_user_id="34600000001")
    client.app.state.core.store.record(other.id, "in", "private words")
    read = client.get(f"/api/conversations/{other.id}")
    assert read.status_code == 404 and "private words" not in read.text
    write = client.post(f"/api/conversations/{other.id}/messages", json={"text": "/forget"})
    assert write.status_code == 404
    assert rasa.received == []
    assert client.app.state.core.store.transcript(other.id) == [("in", "private words", True)]
    assert rows(settings) == (1, 1)


def test_the_chat_api_opens_only_web_and_terminal_conversations(served):
    client, _, _ = served()
    assert client.post("/api/conversations", json={"channel": "terminal"}).status_code == 201
    for channel in ("telegram", "whatsapp", "test"):
        assert client.post("/api/conversations", json={"channel": channel}).status_code == 422


def test_too_many_new_conversations_from_one_client_get_a_localised_429(served):
    client, settings, _ = served(CHAT_CONVERSATIONS_BURST=3, CHAT_CONVERSATIONS_PER_MINUTE=1)
    for _ in range(3):
        _open(client, language="fr")
    refused = client.post("/api/conversations", json={"language": "fr"})
    assert refused.status_code == 429
    assert refused.json()["error"] == text("rate_limited", "fr")
    assert int(refused.headers["retry-after"]) == refused.json()["retry_after"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    greek = client.post("/api/conversations", headers={"accept-language": "el-GR,el;q=0.9"})
    assert greek.status_code == 429 and greek.json()["error"] == text("rate_limited", "el")
    assert rows(settings) == (3, 0)


def test_too_many_messages_in_one_conversation_get_a_localised_429(served):
    client, _settings, rasa = served(CHAT_MESSAGES_BURST=2, CHAT_MESSAGES_PER_MINUTE=1)
    cid = _open(client, language="tr")
    other = _open(client, language="tr")
    for i in range(2):
        ok = client.post(f"/api/conversations/{cid}/messages", json={"text": f"merhaba {i}"})
        assert ok.status_code == 200
    refused = client.post(f"/api/conversations/{cid}/messages", json={"text": "merhaba 3"})
    assert refused.status_code == 429
    assert refused.json()["error"] == text("rate_limited", "tr")
    assert int(refused.headers["retry-after"]) >= 1
    assert [m["text"] for m in client.get(f"/api/conversations/{cid}").json()["messages"]
            if m["direction"] == "in"] == ["merhaba 0", "merhaba 1"]
    assert len(rasa.received) == 2
    # Another conversation has its own allowance.
    assert client.post(f"/api/conversations/{other}/messages",
                       json={"text": "merhaba"}).status_code == 200


def test_a_bucket_refills_with_time_and_forgets_idle_clients():
    now = [0.0]
    limiter = RateLimiter(per_minute=6, burst=2, max_keys=3, clock=lambda: now[0])
    assert limiter.acquire("a") == 0 and limiter.acquire("a") == 0
    assert limiter.acquire("a") == pytest.approx(10.0)
    now[0] = 5.0
    assert limiter.acquire("a") == pytest.approx(5.0)
    now[0] = 10.0
    assert limiter.acquire("a") == 0 and limiter.acquire("a") > 0
    for key in ("b", "c", "d", "e"):
        limiter.acquire(key)
    assert len(limiter._buckets) <= 3
    now[0] = 1000.0
    limiter.acquire("z")
    assert list(limiter._buckets) == ["z"]


def test_readiness_says_the_engine_is_missing_while_liveness_stays_up(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "database": "ok", "engine": "unavailable",
                            "turn_locks": "ok"}


def test_readiness_names_redis_when_the_turn_locks_cannot_be_taken(settings_factory):
    settings = settings_factory(LOCK_STORE_URL=f"redis://127.0.0.1:{free_port()}/0")
    rasa = RasaStandIn()
    with TestClient(create_app(settings, rasa_transport=rasa.transport())) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "database": "ok", "engine": "ok",
                            "turn_locks": "unavailable"}
