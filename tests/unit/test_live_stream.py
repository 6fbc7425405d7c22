"""The web chat's live stream: pushed messages with their buttons, catch-up after a reconnect."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from bot.web.app import create_app
from catalog import outbox
from ops.supervisor import free_port


@pytest.fixture
def served(settings_factory) -> Iterator[tuple[str, object]]:
    """Run the bot app on a loopback port (Rasa is not needed for pushed messages)."""
    port = free_port()
    app = create_app(settings_factory(RASA_URL=f"http://127.0.0.1:{free_port()}",
                                      OUTBOX_POLL_SECONDS=0.2))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)


def _messages(client: httpx.Client, cid: str, count: int, **params: object) -> list[dict]:
    found: list[dict] = []
    headers = {"Last-Event-ID": str(params.pop("last_id"))} if "last_id" in params else {}
    with client.stream("GET", f"/api/conversations/{cid}/events", params=params,
                       headers=headers) as response:
        assert response.status_code == 200
        event = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "message":
                found.append(json.loads(line.removeprefix("data: ")))
                if len(found) == count:
                    return found
    return found


def test_pushed_messages_arrive_with_buttons_and_a_reconnect_catches_up(served):
    url, app = served
    with httpx.Client(base_url=url, timeout=20) as client:
        cid = client.post("/api/conversations", json={"channel": "web"}).json()[
            "conversation_id"]
        sessions = app.state.core.store.sessions
        with sessions.begin() as session:
            outbox.enqueue(session, conversation_id=cid, text="Would you share your contacts?",
                           kind="introduction", buttons=[{"title": "Yes", "payload": "/yes"}])
            outbox.enqueue(session, conversation_id=cid, text="A broker joined", kind="notice")
        first, second = _messages(client, cid, 2)
        assert (first["text"], first["buttons"]) == (
            "Would you share your contacts?", [{"title": "Yes", "payload": "/yes"}])
        assert (second["author"], second["text"], second["buttons"]) == (
            "notice", "A broker joined", [])
        # A page that saw the first message reconnects: it gets only what it missed.
        [missed] = _messages(client, cid, 1, last_id=first["id"])
        assert missed["id"] == second["id"]


def test_streams_exist_only_for_web_conversations(served):
    url, app = served
    store = app.state.core.store
    telegram = store.open(channel="telegram", channel_user_id="42")
    with httpx.Client(base_url=url, timeout=20) as client:
        assert client.get(f"/api/conversations/{telegram.id}/events").status_code == 404
        assert client.get("/api/conversations/nope/events").status_code == 404
