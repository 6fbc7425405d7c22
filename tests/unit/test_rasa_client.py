"""The bot's client for Rasa's HTTP API, over real sockets (aiohttp, as in production).

A small aiohttp server on a free port plays Rasa's routes: what the client sends is what
Rasa's REST channel and HTTP API read, and every failure reaches the caller as
EngineUnavailable (or False for the questions that have a safe answer).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.core.rasa_client import RasaClient
from bot.errors import EngineUnavailable
from ops.supervisor import free_port


class FakeRasa:
    """Rasa's routes with answers a test chooses."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []
        self.webhook_answer: Any = [{"recipient_id": "c1", "text": "Hola!",
                                     "buttons": [{"title": "Sí", "payload": "/affirm"}]}]
        self.status = 200

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        app.router.add_get("/conversations/{sender}/tracker", self.tracker)
        app.router.add_post("/model/parse", self.parse)
        app.router.add_get("/status", self.model_status)
        return app

    async def _seen(self, request: web.Request) -> Any:
        body = await request.json() if request.can_read_body else None
        self.seen.append((request.method, request.path, dict(request.query), body))
        return body

    async def webhook(self, request: web.Request) -> web.Response:
        await self._seen(request)
        if self.status != 200:
            return web.Response(status=self.status, text="Internal Server Error")
        return web.json_response(self.webhook_answer)

    async def tracker(self, request: web.Request) -> web.Response:
        await self._seen(request)
        return web.json_response({"active_loop": {"name": "intake_form"}, "events": [
            {"event": "user", "text": "hola", "metadata": {"message_id": 7}},
            {"event": "bot", "text": "Hola!", "data": {}},
            {"event": "action", "name": "action_listen"}]})

    async def parse(self, request: web.Request) -> web.Response:
        await self._seen(request)
        return web.json_response({"intent": {"name": "greet", "confidence": 0.93}})

    async def model_status(self, request: web.Request) -> web.Response:
        await self._seen(request)
        return web.json_response({"model_file": "iesmed.tar.gz"})


@pytest.fixture
async def rasa() -> AsyncIterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield fake, f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


async def test_a_message_reaches_rasas_rest_channel_and_its_replies_come_back(
        rasa: tuple[FakeRasa, str]) -> None:
    fake, url = rasa
    client = RasaClient(url, token="t0k")
    try:
        replies = await client.send("c1", "hola, ¿qué tal?", {"language": "es"})
        again = await client.send("c1", "otra vez", {"language": "es"})  # same connection
    finally:
        await client.aclose()
    assert replies == again == [{"recipient_id": "c1", "text": "Hola!",
                                 "buttons": [{"title": "Sí", "payload": "/affirm"}]}]
    method, path, query, body = fake.seen[0]
    assert (method, path, query) == ("POST", "/webhooks/rest/webhook", {})
    assert body == {"sender": "c1", "message": "hola, ¿qué tal?",
                    "metadata": {"language": "es"}}


async def test_the_api_routes_carry_the_token_and_read_rasas_answers(
        rasa: tuple[FakeRasa, str]) -> None:
    fake, url = rasa
    client = RasaClient(url, token="t0k")
    try:
        assert await client.answered("c/1 ?x", 7) == [{"recipient_id": "c/1 ?x",
                                                       "text": "Hola!"}]
        assert await client.answered("c1", 8) is None  # never handled
        assert await client.question_open("c1") is True
        assert await client.parse("hola") == ("greet", 0.93)
        assert await client.ready() is True
    finally:
        await client.aclose()
    paths = [(method, path, query) for method, path, query, _ in fake.seen]
    # A sender id is one path segment, whatever it holds.
    assert paths[0] == ("GET", "/conversations/c/1 ?x/tracker", {"token": "t0k"})
    assert paths[2] == ("GET", "/conversations/c1/tracker",
                        {"token": "t0k", "include_events": "NONE"})
    assert paths[3] == ("POST", "/model/parse", {"token": "t0k"})
    assert paths[4] == ("GET", "/status", {"token": "t0k"})


@pytest.mark.parametrize("answer", [{"text": "not a list"}, "just text"])
async def test_an_answer_that_is_not_a_list_of_replies_is_an_unavailable_engine(
        rasa: tuple[FakeRasa, str], answer: Any) -> None:
    fake, url = rasa
    fake.webhook_answer = answer
    client = RasaClient(url)
    try:
        with pytest.raises(EngineUnavailable):
            await client.send("c1", "hola", {})
    finally:
        await client.aclose()


async def test_a_failing_or_absent_rasa_is_an_unavailable_engine_not_a_crash(
        rasa: tuple[FakeRasa, str]) -> None:
    fake, url = rasa
    fake.status = 500
    client = RasaClient(url)
    try:
        with pytest.raises(EngineUnavailable) as failed:
            await client.send("c1", "hola", {})
        assert "Internal Server Error" not in str(failed.value)
    finally:
        await client.aclose()
    gone = RasaClient(f"http://127.0.0.1:{free_port()}", timeout=2.0)
    try:
        with pytest.raises(EngineUnavailable):
            await gone.send("c1", "hola", {})
        with pytest.raises(EngineUnavailable):
            await gone.parse("hola")
        assert await gone.question_open("c1") is False
        assert await gone.ready() is False
    finally:
        await gone.aclose()
