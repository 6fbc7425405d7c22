"""The console's live streams: the queue says when it changed; a conversation streams rows."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import uvicorn

from bot.web.app import create_app
from catalog import handoff
from catalog.models import ConversationMessage
from ops.supervisor import free_port
from tests.support.console import PASSWORD, add_staff, csrf_of, waiting_conversation


@pytest.fixture
def served(settings_factory) -> Iterator[tuple[str, object]]:
    """Run the bot app on a loopback port (the console never needs Rasa)."""
    port = free_port()
    app = create_app(settings_factory(RASA_URL=f"http://127.0.0.1:{free_port()}"))
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


def _signed_in(url: str, sessions, email: str) -> httpx.Client:
    add_staff(sessions, email, name=email.split("@")[0].title())
    client = httpx.Client(base_url=url, timeout=20)
    form = client.get("/console/login")
    response = client.post("/console/login", data={"email": email, "password": PASSWORD,
                                                   "csrf": csrf_of(form.text)})
    assert response.status_code == 303
    return client


def _user_writes(sessions, cid: str, text: str) -> None:
    """Record a user's message the way the core does, from outside the server's loop."""
    with sessions.begin() as session:
        session.add(ConversationMessage(conversation_id=cid, direction="in", author="user",
                                        text=text))


def _events(client: httpx.Client, path: str, until: Callable[[list[tuple[str, dict]]], bool],
            then: Callable[[], None] | None = None) -> list[tuple[str, dict]]:
    """Read a stream until ``until`` holds; run ``then`` once the stream is open."""
    seen: list[tuple[str, dict]] = []
    with client.stream("GET", path) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        if then is not None:
            threading.Timer(0.3, then).start()
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                seen.append((event, json.loads(line.removeprefix("data: "))))
                if until(seen):
                    return seen
    return seen


def test_a_conversation_streams_what_the_user_writes_and_who_takes_it(served):
    url, app = served
    sessions = app.state.core.store.sessions
    cid = waiting_conversation(sessions, language="ar")
    _user_writes(sessions, cid, "أريد التحدث مع شخص")
    maria = _signed_in(url, sessions, "maria@iesmed.example")
    omar_id = add_staff(sessions, "omar@iesmed.example", name="Omar")

    def user_writes_and_omar_takes() -> None:
        _user_writes(sessions, cid, "<b>هل من أحد؟</b>")
        with sessions.begin() as session:
            handoff.take(session, cid, staff_id=omar_id)

    seen = _events(maria, f"/console/conversations/{cid}/events?after=0",
                   until=lambda s: any(e == "state" for e, _d in s),
                   then=user_writes_and_omar_takes)
    messages = [d for e, d in seen if e == "message"]
    assert [(m["author"], m["who"], m["text"]) for m in messages] == [
        ("user", "User", "أريد التحدث مع شخص"), ("user", "User", "<b>هل من أحد؟</b>")]
    assert [d for e, d in seen if e == "state"] == [{"state": "human", "holder": omar_id}]
    # A page that already shows the first row asks only for what came after it.
    later = _events(maria, f"/console/conversations/{cid}/events?after={messages[0]['id']}",
                    until=lambda s: any(e == "message" for e, _d in s))
    assert [d["text"] for e, d in later if e == "message"] == ["<b>هل من أحد؟</b>"]
    maria.close()


def test_the_queue_stream_says_changed_when_someone_is_queued(served):
    url, app = served
    sessions = app.state.core.store.sessions
    maria = _signed_in(url, sessions, "maria@iesmed.example")
    seen = _events(maria, "/console/queue/events",
                   until=lambda s: len(s) >= 2,
                   then=lambda: waiting_conversation(sessions))
    assert [e for e, _d in seen] == ["changed", "changed"]
    assert seen[0][1] != seen[1][1]
    maria.close()


def test_streams_refuse_anonymous_visitors(served):
    url, app = served
    cid = waiting_conversation(app.state.core.store.sessions)
    with httpx.Client(base_url=url, timeout=20) as client:
        for path in (f"/console/conversations/{cid}/events", "/console/queue/events"):
            response = client.get(path)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/console/login")
