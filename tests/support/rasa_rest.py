"""A stand-in for the Rasa server's REST channel, as an httpx transport (no network, no model).

It answers POST /webhooks/rest/webhook the way Rasa does: a JSON list of messages for the
sender, here one text reply that names the message received (so a test can tell a turn
went through) and one button.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class RasaStandIn:
    """Record what the bot sends to Rasa and answer in the REST channel's format."""

    received: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False  # when set, every call fails as if the server had stopped
    # When set, the next message is handled (it enters the tracker) but the server stops
    # before answering, as a Rasa killed mid-turn does.
    die_before_answering: bool = False
    trackers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Senders whose tracker has a form active: a question waits for its answer.
    questions_open: set[str] = field(default_factory=set)

    def transport(self) -> httpx.MockTransport:
        """Return an httpx transport that routes the bot's Rasa calls to this stand-in."""
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method == "GET" and request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "stand-in.tar.gz"})
        path = request.url.path.split("/")
        if request.method == "GET" and len(path) == 4 and path[1:4:2] == ["conversations",
                                                                            "tracker"]:
            loop = {"name": "intake_form"} if path[2] in self.questions_open else {}
            return httpx.Response(200, json={"sender_id": path[2], "active_loop": loop,
                                             "events": self.trackers.get(path[2], [])})
        if request.method != "POST" or request.url.path != "/webhooks/rest/webhook":
            return httpx.Response(404, json={"error": "not found"})
        body = json.loads(request.content)
        self.received.append(body)
        reply = {"text": f"received {len(body['message'])} chars",
                 "buttons": [{"title": "Help", "payload": "/ask_help"}]}
        self.trackers.setdefault(body["sender"], []).extend([
            {"event": "user", "text": body["message"], "metadata": body.get("metadata") or {}},
            {"event": "bot", "text": reply["text"], "data": {"buttons": reply["buttons"]}}])
        if self.die_before_answering:
            self.die_before_answering, self.down = False, True
            raise httpx.RemoteProtocolError("server disconnected", request=request)
        return httpx.Response(200, json=[{"recipient_id": body["sender"], **reply}])
