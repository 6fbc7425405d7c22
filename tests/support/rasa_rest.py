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

    def transport(self) -> httpx.MockTransport:
        """Return an httpx transport that routes the bot's Rasa calls to this stand-in."""
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "stand-in.tar.gz"})
        if request.method != "POST" or request.url.path != "/webhooks/rest/webhook":
            return httpx.Response(404, json={"error": "not found"})
        body = json.loads(request.content)
        self.received.append(body)
        return httpx.Response(200, json=[
            {"recipient_id": body["sender"], "text": f"received {len(body['message'])} chars",
             "buttons": [{"title": "Help", "payload": "/ask_help"}]}])
