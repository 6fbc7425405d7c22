"""The JSON chat API: create a conversation, send a message, read a conversation."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.config import Settings
from bot.core.conversation import ConversationCore
from bot.core.locales import LANGUAGE_NAMES
from bot.core.locales import text as locale_text
from bot.core.messages import InboundMessage
from bot.core.rate_limit import RateLimiter, retry_after
from bot.core.store import ConversationInfo, ConversationStore
from bot.errors import UnknownConversation
from bot.web.bodies import BadBody, json_object
from catalog.languages import PACKS

logger = logging.getLogger(__name__)

# The channels this API serves; Telegram and WhatsApp conversations are theirs alone.
CHANNELS = frozenset({"web", "terminal"})
# Ids the store hands out (secrets.token_urlsafe); anything else cannot name a conversation.
_CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class ChatLimits:
    """The chat API's rate limiters: new conversations per client, messages per conversation."""

    conversations: RateLimiter
    messages: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatLimits:
        """Build the limiters from the configured rates."""
        return cls(
            conversations=RateLimiter(per_minute=settings.chat_conversations_per_minute,
                                      burst=settings.chat_conversations_burst),
            messages=RateLimiter(per_minute=settings.chat_messages_per_minute,
                                 burst=settings.chat_messages_burst))


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _rate_limited(wait: float, language: str | None) -> JSONResponse:
    """Answer 429 with a localised explanation and when to try again."""
    seconds = retry_after(wait)
    return JSONResponse({"error": locale_text("rate_limited", language),
                         "retry_after": int(seconds)},
                        status_code=429, headers={"Retry-After": seconds})


def _core(request: Request) -> ConversationCore:
    core: ConversationCore = request.app.state.core
    return core


def _limits(request: Request) -> ChatLimits:
    """Return the application's rate limiters."""
    limits: ChatLimits = request.app.state.chat_limits
    return limits


def _client(request: Request) -> str:
    """Return the client's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"


def _accepted_language(request: Request) -> str | None:
    """Return the first supported language of the Accept-Language header, if any."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGE_NAMES:
            return code
    return None


def served_conversation(store: ConversationStore, conversation_id: str) -> ConversationInfo:
    """Return a conversation this API (and the web chat's live stream) may serve.

    Raises:
        UnknownConversation: no such id, or the conversation belongs to another channel
            (answered the same way, so the API does not reveal that it exists).
    """
    if not _CONVERSATION_ID.fullmatch(conversation_id):
        raise UnknownConversation(conversation_id)
    info = store.get(conversation_id)
    if info.channel not in CHANNELS:
        raise UnknownConversation(conversation_id)
    return info


def _conversation(request: Request) -> ConversationInfo:
    """Return the conversation named in the path, if this API may serve it."""
    return served_conversation(_core(request).store,
                               request.path_params["conversation_id"])


def _optional_code(data: dict[str, Any], name: str, allowed: Collection[str]) -> str | None:
    """Return an optional string field that must be one of ``allowed``.

    Raises:
        BadBody: 422 when the field is present and not one of them.
    """
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise BadBody(422, f"{name} must be one of {sorted(allowed)}")
    return value


async def create_conversation(request: Request) -> JSONResponse:
    """Open a new conversation; optional ``language`` (a hint) and ``channel``."""
    limit: int = request.app.state.max_body_bytes
    try:
        data = await json_object(request, limit, empty={})
        channel = _optional_code(data, "channel", CHANNELS) or "web"
        hint = _optional_code(data, "language", LANGUAGE_NAMES)
    except BadBody as exc:
        return _error(exc.status, exc.message)
    wait = _limits(request).conversations.acquire(_client(request))
    if wait:
        logger.warning("chat api: new conversations from one client refused for %.0f s", wait)
        return _rate_limited(wait, hint or _accepted_language(request))
    info = _core(request).store.open(channel=channel, language=hint)
    return JSONResponse({"conversation_id": info.id, "language": info.language,
                         "state": info.state}, status_code=201)


async def post_message(request: Request) -> JSONResponse:
    """Send one user message; answer with the assistant's replies, language and state."""
    limit: int = request.app.state.max_body_bytes
    try:
        data = await json_object(request, limit, empty={})
        text = data.get("text")
        if not isinstance(text, str):
            raise BadBody(422, "field 'text' (a string) is required")
        hint = data.get("language_hint")
        if hint is not None and not isinstance(hint, str):
            raise BadBody(422, "language_hint must be a language code (a string)")
    except BadBody as exc:
        return _error(exc.status, exc.message)
    # An unknown language code is only a hint: browsers send whatever they are set to.
    hint = hint if hint in LANGUAGE_NAMES else None
    core = _core(request)
    try:
        info = _conversation(request)
        wait = _limits(request).messages.acquire(info.id)
        if wait:
            logger.warning("chat api: conversation %s refused for %.0f s (too many messages)",
                           info.id, wait)
            return _rate_limited(wait, info.language or hint)
        result = await core.handle(InboundMessage(conversation_id=info.id, text=text,
                                                  channel=info.channel, language_hint=hint))
    except UnknownConversation:
        return _error(404, "unknown conversation id")
    return JSONResponse(result.as_dict())


async def get_conversation(request: Request) -> JSONResponse:
    """Return a conversation's language, state and transcript."""
    core = _core(request)
    try:
        info = _conversation(request)
    except UnknownConversation:
        return _error(404, "unknown conversation id")
    messages = [{"direction": d, "text": t, "delivered": ok}
                for d, t, ok in core.store.transcript(info.id)]
    return JSONResponse({"conversation_id": info.id, "channel": info.channel,
                         "language": info.language, "state": info.state,
                         "messages": messages})


async def get_locale(request: Request) -> JSONResponse:
    """Return the web chat's chrome texts in one language."""
    lang = request.path_params["lang"]
    if lang not in LANGUAGE_NAMES:
        return _error(404, "unknown language")
    keys = ("send", "placeholder", "you", "bot", "engine_unavailable", "language_prompt",
            "calendar_file")
    return JSONResponse({key: locale_text(key, lang) for key in keys})


async def get_languages(_request: Request) -> JSONResponse:
    """List the supported languages for the web page's menu: code, own name, direction."""
    return JSONResponse({"languages": [
        {"code": lang.code, "name": lang.name, "direction": lang.direction} for lang in PACKS]})


routes = [
    Route("/api/languages", get_languages, methods=["GET"]),
    Route("/api/locales/{lang}", get_locale, methods=["GET"]),
    Route("/api/conversations", create_conversation, methods=["POST"]),
    Route("/api/conversations/{conversation_id}/messages", post_message, methods=["POST"]),
    Route("/api/conversations/{conversation_id}", get_conversation, methods=["GET"]),
]
