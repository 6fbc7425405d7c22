"""A recording stand-in for the Telegram Bot API, speaking its documented JSON format.

Telegram's servers cannot be reached from here. This request class takes the
place of python-telegram-bot's HTTP transport (as PTB's own test suite does):
it records every Bot API call and answers with well-formed Bot API results.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx
from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "iesMed", "username": "iesmed_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False}


@dataclass
class Call:
    """One Bot API method call as the bot made it."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] | None = None


class RecordingRequest(BaseRequest):
    """Record Bot API calls; answer like the Bot API would."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._ids = itertools.count(1000)
        self.fail_next: list[tuple[int, dict[str, Any]]] = []

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def methods(self, *names: str) -> list[Call]:
        """Return the recorded calls, optionally only those of the given methods."""
        return [c for c in self.calls if not names or c.method in names]

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None
                         ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        params = {k: (json.loads(v) if isinstance(v, str) and v[:1] in "[{" else v)
                  for k, v in params.items()}
        files = {name: (str(part[0]), bytes(part[1]))  # type: ignore[arg-type]
                 for name, part in (request_data.multipart_data if request_data else {}).items()}
        self.calls.append(Call(api_method, params, files or None))
        if self.fail_next:
            status, body = self.fail_next.pop(0)
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(api_method, params)}).encode()

    def httpx_transport(self) -> httpx.MockTransport:
        """Return an httpx transport answering like the Bot API, recording into this object.

        For python-telegram-bot's own HTTPXRequest (``httpx_kwargs={"transport": ...}``),
        so that requests go through httpx and its logging as in production.
        """
        def handle(request: httpx.Request) -> httpx.Response:
            api_method = request.url.path.rsplit("/", 1)[-1]
            params = {k: (json.loads(v) if v[:1] in "[{" else v)
                      for k, v in parse_qsl(request.content.decode())}
            self.calls.append(Call(api_method, params))
            return httpx.Response(200, json={"ok": True,
                                             "result": self._result(api_method, params)})
        return httpx.MockTransport(handle)

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "createForumTopic":
            return {"message_thread_id": next(self._ids), "name": params.get("name", ""),
                    "icon_color": 7322096}
        if method == "sendDocument":
            return {"message_id": next(self._ids), "date": int(time.time()),
                    "chat": {"id": params.get("chat_id", 1), "type": "private"},
                    "from": BOT_USER, "document": {"file_id": "doc-1", "file_unique_id": "d1"}}
        if method in {"sendMessage", "editMessageReplyMarkup", "editMessageText"}:
            chat_id = params.get("chat_id", 1)
            return {"message_id": next(self._ids), "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER,
                    "text": params.get("text", "")}
        return True


def private_text(update_id: int, chat_id: int, text: str, *, language: str | None = "en",
                 message_id: int = 1) -> dict[str, Any]:
    """Return a Bot API update for a text message in a private chat."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Amina"}
    if language:
        user["language_code"] = language
    message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()),
                               "chat": {"id": chat_id, "type": "private", "first_name": "Amina"},
                               "from": user, "text": text}
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id, "message": message}


def button_press(update_id: int, chat_id: int, data: str, *,
                 message_id: int = 1000) -> dict[str, Any]:
    """Return a Bot API update for a pressed inline keyboard button."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Amina", "language_code": "en"}
    return {"update_id": update_id, "callback_query": {
        "id": f"cb{update_id}", "from": user, "chat_instance": "ci-1", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                    "chat": {"id": chat_id, "type": "private"}, "text": "…"}}}


def topic_text(update_id: int, chat_id: int, thread_id: int, user_id: int,
               text: str) -> dict[str, Any]:
    """Return a Bot API update for a message a staff member wrote in a forum topic."""
    user = {"id": user_id, "is_bot": False, "first_name": "Maria", "language_code": "en"}
    message: dict[str, Any] = {
        "message_id": update_id + 50_000, "date": int(time.time()), "from": user,
        "chat": {"id": chat_id, "type": "supergroup", "title": "iesMed brokers",
                 "is_forum": True},
        "message_thread_id": thread_id, "is_topic_message": True, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}
