"""The JSON chat API answers bad requests clearly and survives a dead dialogue engine."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bot.web.app import create_app
from ops.supervisor import free_port


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
    assert long.json()["replies"][0]["text"] == text("message_too_long", "it", max_chars=500)


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
