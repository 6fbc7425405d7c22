"""The JSON chat API: create a conversation, send a message, read a conversation."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.core.conversation import ConversationCore
from bot.core.locales import LANGUAGE_NAMES
from bot.core.locales import text as locale_text
from bot.core.messages import InboundMessage
from bot.errors import UnknownConversation

logger = logging.getLogger(__name__)

CHANNELS = frozenset({"web", "terminal", "test"})


class BadRequest(Exception):
    """The request cannot be served; carries the status and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json_body(request: Request) -> dict[str, Any]:
    """Read a JSON object body no larger than the configured limit."""
    limit: int = request.app.state.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BadRequest(413, f"request body larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BadRequest(413, f"request body larger than {limit} bytes")
    if not body:
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(400, "body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest(400, "body must be a JSON object")
    return data


def _core(request: Request) -> ConversationCore:
    core: ConversationCore = request.app.state.core
    return core


async def create_conversation(request: Request) -> JSONResponse:
    """Open a new conversation; optional ``language`` (a hint) and ``channel``."""
    try:
        data = await _json_body(request)
    except BadRequest as exc:
        return _error(exc.status, exc.message)
    channel = data.get("channel", "web")
    hint = data.get("language")
    if channel not in CHANNELS:
        return _error(422, f"channel must be one of {sorted(CHANNELS)}")
    if hint is not None and hint not in LANGUAGE_NAMES:
        return _error(422, f"language must be one of {sorted(LANGUAGE_NAMES)}")
    info = _core(request).store.open(channel=channel, language=hint)
    return JSONResponse({"conversation_id": info.id, "language": info.language,
                         "state": info.state}, status_code=201)


async def post_message(request: Request) -> JSONResponse:
    """Send one user message; answer with the assistant's replies, language and state."""
    conversation_id = request.path_params["conversation_id"]
    try:
        data = await _json_body(request)
    except BadRequest as exc:
        return _error(exc.status, exc.message)
    text = data.get("text")
    if not isinstance(text, str):
        return _error(422, "field 'text' (a string) is required")
    hint = data.get("language_hint")
    hint = hint if hint in LANGUAGE_NAMES else None
    core = _core(request)
    try:
        info = core.store.get(conversation_id)
        result = await core.handle(InboundMessage(conversation_id=conversation_id, text=text,
                                                  channel=info.channel, language_hint=hint))
    except UnknownConversation:
        return _error(404, "unknown conversation id")
    return JSONResponse(result.as_dict())


async def get_conversation(request: Request) -> JSONResponse:
    """Return a conversation's language, state and transcript."""
    conversation_id = request.path_params["conversation_id"]
    core = _core(request)
    try:
        info = core.store.get(conversation_id)
    except UnknownConversation:
        return _error(404, "unknown conversation id")
    messages = [{"direction": d, "text": t, "delivered": ok}
                for d, t, ok in core.store.transcript(conversation_id)]
    return JSONResponse({"conversation_id": info.id, "channel": info.channel,
                         "language": info.language, "state": info.state,
                         "messages": messages})


async def get_locale(request: Request) -> JSONResponse:
    """Return the web chat's chrome texts in one language."""
    lang = request.path_params["lang"]
    if lang not in LANGUAGE_NAMES:
        return _error(404, "unknown language")
    keys = ("send", "placeholder", "you", "bot", "engine_unavailable", "language_prompt")
    return JSONResponse({key: locale_text(key, lang) for key in keys})


routes = [
    Route("/api/locales/{lang}", get_locale, methods=["GET"]),
    Route("/api/conversations", create_conversation, methods=["POST"]),
    Route("/api/conversations/{conversation_id}/messages", post_message, methods=["POST"]),
    Route("/api/conversations/{conversation_id}", get_conversation, methods=["GET"]),
]
