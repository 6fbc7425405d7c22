"""A stand-in for Meta's Graph API on loopback: records what the bot sends to WhatsApp."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ops.supervisor import free_port


class GraphAPI:
    """Serve POST /{phone_number_id}/messages like the Cloud API, recording every body."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.media: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.fail_next: list[int] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v21.0"
        app = Starlette(routes=[Route("/v21.0/{phone_id}/messages", self._messages,
                                      methods=["POST"]),
                                Route("/v21.0/{phone_id}/media", self._upload,
                                      methods=["POST"])])
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    async def _messages(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.headers.append(dict(request.headers))
        if self.fail_next:
            status = self.fail_next.pop(0)
            return JSONResponse({"error": {"message": "temporary", "code": status}},
                                status_code=status)
        self.sent.append(body)
        return JSONResponse({"messaging_product": "whatsapp",
                             "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                             "messages": [{"id": f"wamid.out{len(self.sent)}"}]})

    async def _upload(self, request: Request) -> JSONResponse:
        form = await request.form()
        upload = form["file"]
        content = await upload.read()  # type: ignore[union-attr]
        self.media.append({"type": form.get("type"), "filename": upload.filename,  # type: ignore[union-attr]
                           "content_type": upload.content_type,  # type: ignore[union-attr]
                           "content": content})
        return JSONResponse({"id": f"media-{len(self.media)}"})

    def __enter__(self) -> GraphAPI:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def text_message(wa_id: str, text: str, message_id: str) -> dict[str, Any]:
    """Return a Cloud API webhook body carrying one text message."""
    return _envelope(wa_id, {"from": wa_id, "id": message_id, "timestamp": str(int(time.time())),
                             "type": "text", "text": {"body": text}})


def button_reply(wa_id: str, payload: str, title: str, message_id: str) -> dict[str, Any]:
    """Return a webhook body for a pressed reply button."""
    return _envelope(wa_id, {"from": wa_id, "id": message_id, "timestamp": str(int(time.time())),
                             "type": "interactive", "interactive": {
                                 "type": "button_reply",
                                 "button_reply": {"id": payload, "title": title}}})


def list_reply(wa_id: str, payload: str, title: str, message_id: str) -> dict[str, Any]:
    """Return a webhook body for a chosen list row."""
    return _envelope(wa_id, {"from": wa_id, "id": message_id, "timestamp": str(int(time.time())),
                             "type": "interactive", "interactive": {
                                 "type": "list_reply",
                                 "list_reply": {"id": payload, "title": title}}})


def image_message(wa_id: str, message_id: str) -> dict[str, Any]:
    """Return a webhook body carrying an image."""
    return _envelope(wa_id, {"from": wa_id, "id": message_id, "timestamp": str(int(time.time())),
                             "type": "image", "image": {"id": "media-1",
                                                        "mime_type": "image/jpeg"}})


def status_callback(wa_id: str) -> dict[str, Any]:
    """Return a webhook body with a delivery status."""
    body = _envelope(wa_id, None)
    body["entry"][0]["changes"][0]["value"]["statuses"] = [{
        "id": "wamid.out1", "status": "delivered", "timestamp": str(int(time.time())),
        "recipient_id": wa_id}]
    return body


def _envelope(wa_id: str, message: dict[str, Any] | None) -> dict[str, Any]:
    value: dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": "34930000000",
                                          "phone_number_id": "1098765"}}
    if message is not None:
        value["contacts"] = [{"profile": {"name": "Youssef"}, "wa_id": wa_id}]
        value["messages"] = [message]
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": value}]}]}
