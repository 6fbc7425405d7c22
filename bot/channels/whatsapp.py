"""WhatsApp Cloud API adapter: verified webhook in, Graph API out, over one conversation core.

Hand-written on httpx rather than pywa: we need two webhook routes inside our
own Starlette app and one send endpoint; pywa brings its own server
integrations (FastAPI/Flask) and handler model that would duplicate the core.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import phonenumbers
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from bot.core import documents, locales
from bot.core.conversation import ConversationCore
from bot.core.delivery import Recipient
from bot.core.messages import Document, InboundMessage, OutboundMessage
from bot.core.rate_limit import Admission
from bot.errors import BotError, DeliveryFailed, Undeliverable
from bot.web.bodies import BadBody, parse_json, read_body
from catalog import updates

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WEBHOOK_PATH = "/whatsapp/webhook"
MAX_REPLY_BUTTONS, MAX_BUTTON_TITLE = 3, 20
MAX_LIST_ROWS, MAX_ROW_TITLE = 10, 24
MAX_BODY = 4096
MAX_INTERACTIVE_BODY = 1024
SERVICE_WINDOW = dt.timedelta(hours=24)
MAX_WEBHOOK_BYTES = 1_000_000
# A WhatsApp id is the user's phone number in international form, digits only (E.164).
_WA_ID = re.compile(r"[0-9]{6,15}")
# Weak prior for the first message: the language most users of a calling code write in.
REGION_LANGUAGE = {
    "AD": "ca", "ES": "es", "FR": "fr", "BE": "fr", "MC": "fr", "IT": "it", "MT": "en",
    "PT": "pt", "GR": "el", "CY": "el", "TR": "tr", "MA": "ar", "DZ": "ar", "TN": "ar",
    "LY": "ar", "EG": "ar", "LB": "ar", "JO": "ar", "SY": "ar", "PS": "ar", "GB": "en",
    "US": "en", "IE": "en",
}


def _dicts(value: object) -> list[dict[str, Any]]:
    """Return the objects of a JSON list (anything else in it, or a non-list, is ignored)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _field(value: object, name: str) -> str | None:
    """Return ``value[name]`` when ``value`` is an object and that field is a string."""
    found = value.get(name) if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


def _message_text(message: dict[str, Any]) -> str | None:
    """Return what the user said or pressed, or None for media and unknown kinds."""
    kind = message.get("type")
    if kind == "text":
        return _field(message.get("text"), "body")
    if kind == "interactive":
        interactive = message.get("interactive")
        if not isinstance(interactive, dict):
            return None
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        return _field(reply, "id")
    if kind == "button":  # quick-reply button of a template message
        return _field(message.get("button"), "payload")
    return None


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Check X-Hub-Signature-256: an HMAC-SHA256 of the raw body keyed with the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest().encode()
    # Compare bytes: compare_digest refuses str with non-ASCII characters, which a forged
    # header can carry (Starlette decodes header values as Latin-1).
    return hmac.compare_digest(expected, header.removeprefix("sha256=").encode("latin-1"))


def language_from_phone(wa_id: str) -> str | None:
    """Guess a language from the phone's country calling code (a weak prior only)."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse("+" + wa_id.lstrip("+")))
    except phonenumbers.NumberParseException:
        return None
    return REGION_LANGUAGE.get(region or "")


def render(message: OutboundMessage, list_label: str) -> tuple[dict[str, Any], list[str]]:
    """Return the Graph API message body for a reply and, for a text menu, its payloads.

    Reply buttons when at most 3 short choices; a list when at most 10 choices with
    titles of at most 24 characters; otherwise, or when the text is longer than an
    interactive message's body may be, a numbered text menu (nothing is cut).
    """
    text = message.text[:MAX_BODY] or "…"
    buttons = message.buttons
    if not buttons:
        return {"type": "text", "text": {"body": text, "preview_url": False}}, []
    fits = len(text) <= MAX_INTERACTIVE_BODY
    if fits and len(buttons) <= MAX_REPLY_BUTTONS and all(len(b.title) <= MAX_BUTTON_TITLE
                                                          for b in buttons):
        return {"type": "interactive", "interactive": {
            "type": "button", "body": {"text": text},
            "action": {"buttons": [{"type": "reply", "reply": {"id": b.payload[:256],
                                                               "title": b.title}}
                                   for b in buttons]}}}, []
    if fits and len(buttons) <= MAX_LIST_ROWS and all(len(b.title) <= MAX_ROW_TITLE
                                                      for b in buttons):
        return {"type": "interactive", "interactive": {
            "type": "list", "body": {"text": text},
            "action": {"button": list_label[:MAX_BUTTON_TITLE], "sections": [{
                "title": list_label[:MAX_ROW_TITLE],
                "rows": [{"id": b.payload[:200], "title": b.title} for b in buttons]}]}}}, []
    menu = "\n".join(f"{i}. {b.title}" for i, b in enumerate(buttons, 1))
    return {"type": "text", "text": {"body": f"{text}\n\n{menu}"[:MAX_BODY],
                                     "preview_url": False}}, [b.payload for b in buttons]


@dataclass
class _UserState:
    last_inbound: dt.datetime | None = None
    menu: list[str] = field(default_factory=list)


class WhatsAppAdapter:
    """Receive Cloud API webhooks and answer through the Graph API."""

    def __init__(self, core: ConversationCore, *, token: str, phone_number_id: str,
                 graph_url: str = "https://graph.facebook.com/v21.0",
                 template: str | None = None, retries: int = 3,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.core = core
        self._phone_number_id = phone_number_id
        self._template = template
        self._retries = retries
        self._client = httpx.AsyncClient(base_url=graph_url.rstrip("/"), timeout=10.0,
                                         headers={"Authorization": f"Bearer {token}"},
                                         transport=transport)
        self._users: dict[str, _UserState] = {}

    async def aclose(self) -> None:
        """Close the Graph API connection pool."""
        await self._client.aclose()

    def _state(self, wa_id: str) -> _UserState:
        return self._users.setdefault(wa_id, _UserState())

    def in_service_window(self, wa_id: str, now: dt.datetime | None = None) -> bool:
        """Return whether the user wrote within the last 24 hours."""
        last = self._state(wa_id).last_inbound
        return last is not None and (now or dt.datetime.now(dt.UTC)) - last < SERVICE_WINDOW

    async def handle_payload(self, payload: dict[str, Any]) -> None:
        """Process one webhook body: messages are answered, statuses accepted quietly.

        The body is signed by Meta, but its shape is still checked at every level: a
        value of an unexpected type is skipped, never trusted.
        """
        for entry in _dicts(payload.get("entry")):
            for change in _dicts(entry.get("changes")):
                value = change.get("value")
                if not isinstance(value, dict):
                    continue
                for message in _dicts(value.get("messages")):
                    await self._on_message(message)
                statuses = value.get("statuses")
                if isinstance(statuses, list) and statuses:
                    logger.debug("whatsapp: %d status callbacks", len(statuses))

    async def _on_message(self, message: dict[str, Any]) -> None:
        wa_id = message.get("from")
        message_id = message.get("id")
        if not isinstance(wa_id, str) or not _WA_ID.fullmatch(wa_id) \
                or not isinstance(message_id, str) or not 0 < len(message_id) <= 256:
            logger.info("whatsapp: message without a valid sender or id ignored")
            return
        sessions = self.core.store.sessions
        if not await asyncio.to_thread(updates.claim, sessions, CHANNEL, message_id):
            logger.info("whatsapp: message delivered twice, ignored")
            return
        try:
            await self._answer(wa_id, message)
        except Exception:
            await asyncio.to_thread(updates.release, sessions, CHANNEL, message_id)
            raise
        await asyncio.to_thread(updates.finish, sessions, CHANNEL, message_id)

    async def _answer(self, wa_id: str, message: dict[str, Any]) -> None:
        """Turn one WhatsApp message into a core message and send the replies."""
        state = self._state(wa_id)
        state.last_inbound = dt.datetime.now(dt.UTC)
        hint = language_from_phone(wa_id)
        info = await asyncio.to_thread(self.core.store.open, channel=CHANNEL,
                                       channel_user_id=wa_id, language=hint)
        admission = self.core.admit(CHANNEL, wa_id)
        if admission is not Admission.ALLOW:
            if admission is Admission.WARN:
                try:
                    await self.send(wa_id, OutboundMessage(locales.text(
                        "rate_limited", info.language or hint)))
                except BotError:
                    logger.error("whatsapp: the slow-down answer was not sent")
            return
        text = _message_text(message)
        if text is None:
            try:
                await self.send(wa_id, OutboundMessage(locales.text("unsupported_media",
                                                                    info.language or hint)))
            except BotError:
                logger.error("whatsapp: the unsupported-media answer was not sent")
            return
        choice = text.strip()
        if choice.isascii() and choice.isdigit() and 0 < int(choice) <= len(state.menu):
            text = state.menu[int(choice) - 1]
        state.menu = []
        try:
            result = await self.core.handle(InboundMessage(conversation_id=info.id, text=text,
                                                           channel=CHANNEL, language_hint=hint))
        except BotError:
            logger.exception("whatsapp: conversation %s failed", info.id)
            try:
                await self.send(wa_id, OutboundMessage(locales.text("engine_unavailable", hint)))
            except BotError:
                logger.error("whatsapp: the apology was not sent")
            return
        for reply in result.replies:
            try:
                await self.send(wa_id, reply, language=result.language)
            except BotError as exc:
                logger.error("whatsapp: a reply in conversation %s was not sent (%s)", info.id,
                             exc)
                return

    async def send(self, wa_id: str, message: OutboundMessage, *,
                   language: str | None = None) -> None:
        """Send one reply inside the customer-service window (buttons degrade as needed).

        Raises:
            DeliveryFailed: the Graph API could not be reached or kept failing.
            Undeliverable: the Graph API refused the message.
        """
        body, menu = render(message, locales.text("options", language))
        if menu:
            self._state(wa_id).menu = menu
        await self._post({"messaging_product": "whatsapp", "recipient_type": "individual",
                          "to": wa_id, **body})
        if message.document is not None:
            await self.send_document(wa_id, message.document)

    async def send_document(self, wa_id: str, document: Document) -> None:
        """Upload a message's file (a calendar entry) and send it as a document; log if it fails.

        The Cloud API takes no text/calendar media, so the file goes up as text/plain; the
        ".ics" name makes phones open it with their calendar.
        """
        found = await asyncio.to_thread(documents.load, self.core.store.sessions, document)
        if found is None:
            return
        try:
            response = await self._client.post(
                f"/{self._phone_number_id}/media",
                data={"messaging_product": "whatsapp", "type": "text/plain"},
                files={"file": (found.filename, found.content, "text/plain")})
            media = response.json().get("id") if response.status_code < 400 else None
            if not media:
                raise DeliveryFailed(f"media upload refused (HTTP {response.status_code})")
            await self._post({"messaging_product": "whatsapp", "recipient_type": "individual",
                              "to": wa_id, "type": "document",
                              "document": {"id": str(media), "filename": found.filename}})
        except (httpx.HTTPError, ValueError, BotError) as exc:
            logger.warning("whatsapp: a calendar file was not sent (%s)", type(exc).__name__)

    async def deliver(self, recipient: Recipient, message: OutboundMessage) -> None:
        """Send a queued message (broker reply, notice) using the window kept in the database."""
        wa_id = recipient.channel_user_id or ""
        last = recipient.last_inbound_at
        open_window = last is not None and dt.datetime.now(dt.UTC) - last < SERVICE_WINDOW
        await self.send_proactive(wa_id, message, language=recipient.language,
                                  in_window=open_window)

    async def send_proactive(self, wa_id: str, message: OutboundMessage, *,
                             language: str | None = None,
                             in_window: bool | None = None) -> None:
        """Send a message the user did not just ask for (broker, reminder).

        Inside the 24-hour window it is a normal message; outside, the configured
        template carries it.

        Raises:
            Undeliverable: outside the window and no template is configured, or refused.
            DeliveryFailed: the Graph API kept failing.
        """
        if in_window if in_window is not None else self.in_service_window(wa_id):
            await self.send(wa_id, message, language=language)
            return
        if not self._template:
            raise Undeliverable(f"whatsapp: {wa_id[-4:]} is outside the 24-hour window")
        await self._post({"messaging_product": "whatsapp", "to": wa_id, "type": "template",
                          "template": {"name": self._template,
                                       "language": {"code": language or "en"},
                                       "components": [{"type": "body", "parameters": [
                                           {"type": "text", "text": message.text[:1024]}]}]}})

    async def _post(self, body: dict[str, Any]) -> None:
        """POST to the Graph API, retrying on 429 and 5xx with exponential back-off."""
        path = f"/{self._phone_number_id}/messages"
        for attempt in range(self._retries + 1):
            try:
                response = await self._client.post(path, json=body)
            except httpx.HTTPError as exc:
                logger.warning("whatsapp: send failed (%s), attempt %d", type(exc).__name__,
                               attempt + 1)
            else:
                if response.status_code < 400:
                    return
                if response.status_code != 429 and response.status_code < 500:
                    logger.error("whatsapp: Graph API refused a message (%s)",
                                 response.status_code)
                    raise Undeliverable(f"Graph API refused the message "
                                        f"(HTTP {response.status_code})")
                logger.warning("whatsapp: Graph API answered %s, attempt %d",
                               response.status_code, attempt + 1)
            await asyncio.sleep(min(0.2 * 2 ** attempt, 5.0))
        logger.error("whatsapp: message not sent after %d attempts", self._retries + 1)
        raise DeliveryFailed(f"Graph API unavailable after {self._retries + 1} attempts")


async def verify_webhook(request: Request) -> Response:
    """Answer Meta's subscription check: echo hub.challenge when the verify token matches."""
    settings = request.app.state.settings
    params = request.query_params
    expected = settings.whatsapp_verify_token
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") == "subscribe" and expected is not None and hmac.compare_digest(
            token.encode(), expected.get_secret_value().encode()):
        return PlainTextResponse(params.get("hub.challenge", ""))
    logger.warning("whatsapp: webhook verification refused")
    return JSONResponse({"error": "forbidden"}, status_code=403)


async def receive_webhook(request: Request) -> Response:
    """Receive a signed webhook call; refuse and log anything unsigned or mis-signed."""
    settings = request.app.state.settings
    adapter: WhatsAppAdapter = request.app.state.whatsapp
    try:
        # Read at most the cap before anything else: the signature needs the whole body.
        body = await read_body(request, MAX_WEBHOOK_BYTES)
    except BadBody as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    secret = settings.whatsapp_app_secret
    if secret is None or not verify_signature(secret.get_secret_value(), body,
                                              request.headers.get("X-Hub-Signature-256")):
        logger.warning("whatsapp: webhook call refused (missing or wrong signature)")
        return JSONResponse({"error": "invalid signature"}, status_code=401)
    try:
        payload = parse_json(body)
    except BadBody as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    if not isinstance(payload, dict):
        return JSONResponse({"error": "malformed payload"}, status_code=400)
    # Acknowledge at once (Meta redelivers slow answers); handle after the response is sent.
    return JSONResponse({"ok": True}, background=BackgroundTask(_handle_safely, adapter,
                                                                 payload))


async def _handle_safely(adapter: WhatsAppAdapter, payload: dict[str, Any]) -> None:
    """Handle a webhook body in the background; a failure is logged, never raised."""
    try:
        await adapter.handle_payload(payload)
    except Exception:
        logger.exception("whatsapp: handling a webhook body failed")
