"""Telegram adapter (python-telegram-bot 22): translates updates to the conversation core.

No dialogue logic lives here. Replies are sent as plain text (no parse mode), so
user text echoed back never needs escaping and can never break markup.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Settings
from bot.core import documents, locales
from bot.core.conversation import ConversationCore
from bot.core.delivery import Recipient
from bot.core.engine_messages import COMMANDS
from bot.core.messages import Document, InboundMessage, OutboundMessage
from bot.core.rate_limit import Admission
from bot.errors import BotError, DeliveryFailed, Undeliverable
from bot.web.bodies import BadBody, parse_json, read_body
from catalog import updates

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
TELEGRAM_WEBHOOK_PATH = "/telegram/webhook"
CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data
HANDLED_GROUP = 99  # runs after every other handler group


class PayloadBook:
    """Keep button payloads that do not fit Telegram's 64-byte callback_data."""

    def __init__(self, size: int = 4096) -> None:
        self._book: OrderedDict[str, str] = OrderedDict()
        self._size = size

    def encode(self, payload: str) -> str:
        """Return callback data for ``payload``: itself if it fits, else a short reference."""
        if len(payload.encode("utf-8")) <= CALLBACK_LIMIT:
            return payload
        key = "#" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]
        self._book[key] = payload
        self._book.move_to_end(key)
        while len(self._book) > self._size:
            self._book.popitem(last=False)
        return key

    def decode(self, data: str) -> str | None:
        """Return the payload behind callback data, or None if it expired."""
        if data.startswith("#"):
            return self._book.get(data)
        return data


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters, at line or word breaks."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks


class TelegramAdapter:
    """Hold the core and translate between Telegram updates and core messages."""

    def __init__(self, core: ConversationCore) -> None:
        self.core = core
        self.payloads = PayloadBook()

    def keyboard(self, message: OutboundMessage) -> InlineKeyboardMarkup | None:
        """Build an inline keyboard, one button per row, for a reply's buttons."""
        if not message.buttons:
            return None
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.title[:64], callback_data=self.payloads.encode(b.payload))]
             for b in message.buttons])

    async def send_document(self, bot: Bot, chat_id: int, document: Document) -> None:
        """Send a message's file (a calendar entry) as a Telegram document; log if it fails."""
        found = await asyncio.to_thread(documents.load, self.core.store.sessions, document)
        if found is None:
            return
        try:
            await bot.send_document(chat_id, InputFile(found.content, filename=found.filename))
        except TelegramError as exc:
            logger.warning("telegram: a calendar file was not sent (%s)", type(exc).__name__)

    async def deduplicate(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Process each update_id once, even if Telegram delivers it again (any replica)."""
        sessions = self.core.store.sessions
        if not await asyncio.to_thread(updates.claim, sessions, CHANNEL, str(update.update_id)):
            logger.info("telegram: update %s delivered twice, ignored", update.update_id)
            raise ApplicationHandlerStop

    async def handled(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Record that every handler dealt with the update."""
        await asyncio.to_thread(updates.finish, self.core.store.sessions, CHANNEL,
                                str(update.update_id))

    async def _deliver(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                       text: str) -> None:
        """Send ``text`` from the user behind ``update`` to the core and relay the replies."""
        chat = update.effective_chat
        user = update.effective_user
        if chat is None:
            return
        hint = (user.language_code or "")[:2].lower() if user else None
        hint = hint if hint in locales.LANGUAGE_NAMES else None
        info = await asyncio.to_thread(self.core.store.open, channel=CHANNEL,
                                       channel_user_id=str(chat.id), language=hint)
        admission = self.core.admit(CHANNEL, str(chat.id))
        if admission is not Admission.ALLOW:
            if admission is Admission.WARN:
                await context.bot.send_message(chat.id, locales.text("rate_limited",
                                                                     info.language or hint))
            return
        try:
            result = await self.core.handle(InboundMessage(
                conversation_id=info.id, text=text, channel=CHANNEL, language_hint=hint))
        except BotError:
            logger.exception("telegram: conversation %s failed", info.id)
            await context.bot.send_message(chat.id, locales.text("engine_unavailable",
                                                                 info.language or hint))
            return
        for reply in result.replies:
            chunks = split_text(reply.text or "…")
            for i, chunk in enumerate(chunks):
                markup = self.keyboard(reply) if i == len(chunks) - 1 else None
                await context.bot.send_message(chat.id, chunk, reply_markup=markup)
            if reply.document is not None:
                await self.send_document(context.bot, chat.id, reply.document)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The user wrote a message (or a command): answer through the core."""
        if update.message and isinstance(update.message.text, str) and update.message.text:
            text = update.message.text
            if text.startswith("/start "):
                # Deep link: /start event-<key> (t.me/<bot>?start=event-<key>) registers.
                argument = text.split(maxsplit=1)[1].strip()
                text = "/register_event" + json.dumps(
                    {"event": argument.removeprefix("event-")[:80]}) \
                    if argument.startswith("event-") else "/start"
            await self._deliver(update, context, text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button was pressed: acknowledge it, remove the keyboard, send its payload."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest:
            pass  # already edited (pressed twice quickly) or message too old
        payload = self.payloads.decode(query.data or "")
        if payload is None:
            chat_id = update.effective_chat.id if update.effective_chat else None
            if chat_id is not None:
                info = self.core.store.open(channel=CHANNEL, channel_user_id=str(chat_id))
                await context.bot.send_message(chat_id, locales.text("button_expired",
                                                                     info.language))
            return
        await self._deliver(update, context, payload)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice, documents, stickers, locations, contacts: ask for words instead."""
        chat = update.effective_chat
        if chat is None:
            return
        info = self.core.store.open(channel=CHANNEL, channel_user_id=str(chat.id))
        await context.bot.send_message(chat.id, locales.text("unsupported_media", info.language))

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In groups, answer only direct commands, pointing to a private chat."""
        if update.effective_chat and str(update.effective_chat.id) == context.bot_data.get(
                "staff_chat_id"):
            return  # the staff group's topics have their own handler
        message = update.effective_message
        if message and message.text and message.text.startswith("/") and update.effective_chat:
            await context.bot.send_message(update.effective_chat.id,
                                           locales.text("private_only", None))

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Ignore edits on purpose: the original message was already answered."""

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log any handler failure and let a redelivery of the update be handled again."""
        logger.error("telegram: error while handling an update: %s", context.error,
                     exc_info=context.error)
        if isinstance(update, Update):
            await asyncio.to_thread(updates.release, self.core.store.sessions, CHANNEL,
                                    str(update.update_id))


class TelegramSender:
    """Send queued messages (broker replies, notices) to Telegram chats with sendMessage."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self._application = application

    async def deliver(self, recipient: Recipient, message: OutboundMessage) -> None:
        """Send one message to the user's private chat, split and with its keyboard.

        Raises:
            Undeliverable: the user blocked the bot or the chat no longer exists.
            DeliveryFailed: Telegram could not be reached or asked us to slow down.
        """
        adapter: TelegramAdapter = self._application.bot_data["adapter"]
        if not (recipient.channel_user_id or "").lstrip("-").isdigit():
            raise Undeliverable("not a Telegram chat id")
        chat_id = int(recipient.channel_user_id or 0)
        chunks = split_text(message.text or "…")
        try:
            for i, chunk in enumerate(chunks):
                markup = adapter.keyboard(message) if i == len(chunks) - 1 else None
                await self._application.bot.send_message(chat_id, chunk, reply_markup=markup)
        except Forbidden as exc:
            raise Undeliverable("the user blocked the bot") from exc
        except BadRequest as exc:
            raise Undeliverable(f"Telegram refused the message: {exc.message}") from exc
        except TelegramError as exc:
            raise DeliveryFailed(f"Telegram: {type(exc).__name__}") from exc
        if message.document is not None:
            await adapter.send_document(self._application.bot, chat_id, message.document)


async def set_command_menus(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the command menu in every language (and English as the default)."""
    names = ["start", "help", "language", "human", "cancel", "forget", "privacy"]
    assert set(names) <= set(COMMANDS)
    for lang in [*locales.LANGUAGE_NAMES, None]:
        commands = [BotCommand(name, locales.text(f"cmd_{name}", lang)) for name in names]
        try:
            await application.bot.set_my_commands(commands, language_code=lang)
        except TelegramError as exc:
            logger.warning("telegram: could not set the %s command menu: %s", lang, exc)


def build_application(token: str, core: ConversationCore, *,
                      request: BaseRequest | None = None, polling: bool = False,
                      rate_limit: bool = True) -> Application[Any, Any, Any, Any, Any, Any]:
    """Wire the Telegram application: handlers, error handler, rate limiter, command menus."""
    adapter = TelegramAdapter(core)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(token).post_init(set_command_menus))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if not polling:
        builder = builder.updater(None)  # updates arrive by webhook (or from the tests)
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, adapter.deduplicate), group=-1)
    application.add_handler(TypeHandler(Update, adapter.handled), group=HANDLED_GROUP)
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, adapter.on_edited))
    application.add_handler(MessageHandler(private & filters.TEXT, adapter.on_text))
    application.add_handler(CallbackQueryHandler(adapter.on_button))
    application.add_handler(MessageHandler(private & ~filters.TEXT, adapter.on_other))
    application.add_handler(MessageHandler(~private, adapter.on_group))
    application.add_error_handler(adapter.on_error)
    application.bot_data["adapter"] = adapter
    return application


async def register_webhook(application: Application[Any, Any, Any, Any, Any, Any],
                           settings: Settings) -> None:
    """Tell Telegram where to deliver updates, with the secret it must send back."""
    assert settings.telegram_webhook_url and settings.telegram_webhook_secret
    await application.bot.set_webhook(
        settings.telegram_webhook_url.rstrip("/") + TELEGRAM_WEBHOOK_PATH,
        secret_token=settings.telegram_webhook_secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES)


_MESSAGE_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post")


def shape_problem(data: dict[str, Any]) -> str | None:
    """Return what is wrong with the shape of an update, or None if the adapter can read it.

    python-telegram-bot builds objects from whatever JSON it is given without checking
    types; Telegram itself never sends these shapes, so a body that has them is refused
    before it reaches the handlers.
    """
    if not isinstance(data.get("update_id"), int) or isinstance(data["update_id"], bool):
        return "update_id must be an integer"
    for key in _MESSAGE_KEYS:
        if key in data and (problem := _message_problem(data[key])):
            return f"{key}: {problem}"
    if "callback_query" in data:
        query = data["callback_query"]
        if not isinstance(query, dict) or not _is_user(query.get("from")):
            return "callback_query needs a 'from' user"
        if not isinstance(query.get("data", ""), str):
            return "callback_query.data must be a string"
        if "message" in query and (problem := _message_problem(query["message"])):
            return f"callback_query.message: {problem}"
    return None


def _message_problem(message: object) -> str | None:
    """Return what stops the adapter from reading a message object, or None."""
    if not isinstance(message, dict):
        return "must be an object"
    chat = message.get("chat")
    if not isinstance(chat, dict) or not _is_id(chat.get("id")) \
            or not isinstance(chat.get("type"), str):
        return "chat needs an integer id and a type"
    if "from" in message and not _is_user(message["from"]):
        return "from must be a user with an integer id"
    if not isinstance(message.get("text", ""), str):
        return "text must be a string"
    return None


def _is_id(value: object) -> bool:
    """Return whether ``value`` is a JSON integer (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_user(value: object) -> bool:
    """Return whether ``value`` is a user object the adapter can read."""
    return isinstance(value, dict) and _is_id(value.get("id")) and \
        isinstance(value.get("language_code", ""), str | None)


async def telegram_webhook(request: Request) -> Response:
    """Receive one update from Telegram; refuse requests without the right secret header."""
    settings: Settings = request.app.state.settings
    application = request.app.state.telegram
    expected = settings.telegram_webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if expected is None or not hmac.compare_digest(given.encode(),
                                                   expected.get_secret_value().encode()):
        logger.warning("telegram: webhook call refused (missing or wrong secret token)")
        return JSONResponse({"error": "forbidden"}, status_code=403)
    try:
        body = await read_body(request, request.app.state.max_body_bytes * 4)
        data = parse_json(body)
    except BadBody as exc:
        logger.warning("telegram: webhook body refused (%s)", exc.message)
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    problem = shape_problem(data) if isinstance(data, dict) else "not an object"
    if problem is not None:
        logger.warning("telegram: malformed update refused (%s)", problem)
        return JSONResponse({"error": f"malformed update: {problem}"}, status_code=400)
    try:
        update = Update.de_json(data, application.bot)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        logger.warning("telegram: malformed update refused (%s)", type(exc).__name__)
        return JSONResponse({"error": "malformed update"}, status_code=400)
    await application.process_update(update)
    return JSONResponse({"ok": True})
