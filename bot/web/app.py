"""The bot's HTTP application: chat API, web chat page, health."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.channels import whatsapp as whatsapp_channel
from bot.channels.staff_topics import StaffTopics, attach_staff_topics
from bot.channels.telegram import (
    TELEGRAM_WEBHOOK_PATH,
    TelegramSender,
    build_application,
    register_webhook,
    set_command_menus,
    telegram_webhook,
)
from bot.channels.whatsapp import WhatsAppAdapter
from bot.config import PROJECT_ROOT, Settings
from bot.console.routes import console_routes
from bot.core.background import BackgroundJob
from bot.core.conversation import ConversationCore
from bot.core.delivery import DeliveryWorker
from bot.core.kept_job import KeptMessagesJob
from bot.core.language import LanguageResolver
from bot.core.office_hours import parse_office_hours
from bot.core.rasa_client import RasaClient
from bot.core.rate_limit import FloodGuard, RateLimiter
from bot.core.reminders import ReminderScheduler
from bot.core.retention_job import RetentionJob
from bot.core.sensitive import load_sensitive
from bot.core.store import ConversationStore
from bot.core.tracker_store import make_tracker_eraser
from bot.core.turns import LocalTurnLocks, RedisTurnLocks, TurnLocks
from bot.errors import ConfigError
from bot.web import calendar, chat_api, live
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.reminders import parse_offsets

logger = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")


def domain_names() -> tuple[frozenset[str], frozenset[str]]:
    """Return the intents and the entities declared in the dialogue domain."""
    domain = yaml.safe_load((PROJECT_ROOT / "dialogues" / "domain.yml").read_text("utf-8"))
    intents = frozenset(str(i) if isinstance(i, str) else next(iter(i))
                        for i in domain["intents"])
    return intents, frozenset(str(e) if isinstance(e, str) else next(iter(e))
                              for e in domain["entities"])


async def health(_request: Request) -> Response:
    """Report that the bot process is up (liveness: the supervisor restarts it otherwise)."""
    return JSONResponse({"status": "ok"})


async def readiness(request: Request) -> Response:
    """Report whether the bot can serve users: database, dialogue engine, turn locks answer.

    Load balancers send traffic only to a ready replica; 503 names what is missing.
    """
    core: ConversationCore = request.app.state.core
    rasa: RasaClient = request.app.state.rasa

    def database_ok() -> bool:
        try:
            with core.store.sessions() as session:
                session.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    checks = {"database": await asyncio.to_thread(database_ok), "engine": await rasa.ready(),
              "turn_locks": await core.turns_ready()}
    ready = all(checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready",
                         **{k: "ok" if v else "unavailable" for k, v in checks.items()}},
                        status_code=200 if ready else 503)


async def not_found(request: Request, exc: Exception) -> Response:
    """Answer unknown paths with a JSON 404."""
    return JSONResponse({"error": "not found"}, status_code=404)


async def server_error(request: Request, exc: Exception) -> Response:
    """Hide internals: log the failure, answer with a generic 500."""
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": "internal error"}, status_code=500)


def build_core(settings: Settings, engine: Engine, *,
               on_change: Callable[[str], None] | None = None,
               rasa_transport: httpx.AsyncBaseTransport | None = None,
               ) -> tuple[ConversationCore, RasaClient]:
    """Create the conversation core (and its Rasa client) on a migrated database."""
    if settings.migrate_on_start:
        upgrade(engine)
    rasa = RasaClient(settings.rasa_url, timeout=settings.rasa_timeout_seconds,
                      token=settings.rasa_token.get_secret_value() if settings.rasa_token
                      else None, transport=rasa_transport)
    intents, entities = domain_names()
    hours = parse_office_hours(settings.broker_hours, settings.broker_timezone,
                               settings.broker_holidays)
    core = ConversationCore(store=ConversationStore(make_session_factory(engine), on_change),
                            rasa=rasa, resolver=LanguageResolver(), known_intents=intents,
                            known_entities=entities,
                            max_message_chars=settings.max_message_chars,
                            tracker_eraser=make_tracker_eraser(settings),
                            office_hours=hours, sensitive=load_sensitive(),
                            turns=turn_locks(settings),
                            flood=FloodGuard(RateLimiter(
                                per_minute=settings.chat_messages_per_minute,
                                burst=settings.chat_messages_burst)))
    return core, rasa


def turn_locks(settings: Settings) -> TurnLocks:
    """Return per-conversation turn locks: in Redis when replicas share it, else in memory."""
    if settings.lock_store_url:
        return RedisTurnLocks(settings.lock_store_url)
    return LocalTurnLocks()


@dataclass
class _Parts:
    """What one bot process runs: the core, its background jobs and its channels."""

    engine: Engine
    core: ConversationCore
    rasa: RasaClient
    pulse: live.Pulse
    delivery: DeliveryWorker
    jobs: list[BackgroundJob]  # started in this order, stopped in the reverse one
    telegram: Application[Any, Any, Any, Any, Any, Any] | None = None
    polling: bool = False
    whatsapp: WhatsAppAdapter | None = None


def create_app(settings: Settings, *, telegram_request: BaseRequest | None = None,
               rasa_transport: httpx.AsyncBaseTransport | None = None,
               graph_transport: httpx.AsyncBaseTransport | None = None) -> Starlette:
    """Build the HTTP application with its conversation core and channel webhooks.

    ``telegram_request``, ``rasa_transport`` and ``graph_transport`` stand in for
    Telegram, Rasa and the WhatsApp Graph API in tests.
    """
    parts = _build_parts(settings, rasa_transport)
    _add_telegram(parts, settings, telegram_request)
    _add_whatsapp(parts, settings, graph_transport)
    app = Starlette(routes=_routes(parts), lifespan=_lifespan(parts, settings),
                    exception_handlers={404: not_found, 500: server_error})
    app.state.core = parts.core
    app.state.rasa = parts.rasa
    app.state.pulse = parts.pulse
    app.state.delivery = parts.delivery
    app.state.reminders = next(j for j in parts.jobs if isinstance(j, ReminderScheduler))
    app.state.kept = next(j for j in parts.jobs if isinstance(j, KeptMessagesJob))
    app.state.telegram = parts.telegram
    app.state.whatsapp = parts.whatsapp
    app.state.settings = settings
    app.state.max_body_bytes = settings.max_body_bytes
    app.state.chat_limits = chat_api.ChatLimits.from_settings(settings)
    return app


def _build_parts(settings: Settings,
                 rasa_transport: httpx.AsyncBaseTransport | None) -> _Parts:
    """Create the core and the background jobs every bot process runs."""
    engine = make_engine(settings.database)
    pulse = live.Pulse()
    core, rasa = build_core(settings, engine, on_change=pulse.notify,
                            rasa_transport=rasa_transport)
    delivery = DeliveryWorker(core.store.sessions, poll_seconds=settings.outbox_poll_seconds)

    def queued(conversation_id: str) -> None:
        delivery.wake()
        pulse.notify(conversation_id)

    try:
        offsets = parse_offsets(settings.reminder_offsets)
    except ValueError as exc:
        raise ConfigError(f"REMINDER_OFFSETS: {exc}") from exc
    jobs: list[BackgroundJob] = [
        delivery,
        ReminderScheduler(core.store.sessions, offsets=offsets,
                          poll_seconds=settings.reminder_poll_seconds, on_queued=queued),
        RetentionJob(core.store.sessions, days=settings.retention_days,
                     erase_tracker=make_tracker_eraser(settings)),
        KeptMessagesJob(core, wake_delivery=delivery.wake,
                        max_age=dt.timedelta(minutes=settings.kept_message_minutes)),
    ]
    return _Parts(engine, core, rasa, pulse, delivery, jobs)


def _add_telegram(parts: _Parts, settings: Settings, request: BaseRequest | None) -> None:
    """Wire Telegram (webhook or long polling) and its staff group, when configured."""
    if settings.telegram_token is None:
        return
    parts.polling = not settings.telegram_webhook_url
    parts.telegram = build_application(settings.telegram_token.get_secret_value(), parts.core,
                                       request=request, polling=parts.polling)
    parts.delivery.register("telegram", TelegramSender(parts.telegram))
    if settings.telegram_staff_chat_id:
        topics = StaffTopics(parts.telegram, chat_id=settings.telegram_staff_chat_id,
                             sessions=parts.core.store.sessions, on_queued=parts.delivery.wake)
        attach_staff_topics(parts.telegram, topics)
        parts.core.observe(topics)


def _add_whatsapp(parts: _Parts, settings: Settings,
                  transport: httpx.AsyncBaseTransport | None) -> None:
    """Wire the WhatsApp Cloud API, when configured."""
    if (settings.whatsapp_token is None or not settings.whatsapp_phone_number_id
            or settings.whatsapp_app_secret is None):
        return
    parts.whatsapp = WhatsAppAdapter(parts.core,
                                     token=settings.whatsapp_token.get_secret_value(),
                                     phone_number_id=settings.whatsapp_phone_number_id,
                                     graph_url=settings.whatsapp_graph_url,
                                     template=settings.whatsapp_template, transport=transport)
    parts.delivery.register("whatsapp", parts.whatsapp)


def _lifespan(parts: _Parts, settings: Settings
              ) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    """Start the channels and jobs with the server; stop them, newest first, with it."""
    telegram = parts.telegram

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if telegram is not None:
            await telegram.initialize()
            await set_command_menus(telegram)
            if parts.polling:
                assert telegram.updater is not None
                await telegram.updater.start_polling(allowed_updates=Update.ALL_TYPES)
                logger.info("telegram: long polling started")
            else:
                await register_webhook(telegram, settings)
            await telegram.start()
        for job in parts.jobs:
            job.start()
        yield
        for job in reversed(parts.jobs):
            await job.stop()
        if telegram is not None:
            if parts.polling and telegram.updater is not None:
                await telegram.updater.stop()
            await telegram.stop()
            await telegram.shutdown()
        if parts.whatsapp is not None:
            await parts.whatsapp.aclose()
        await parts.rasa.aclose()
        await parts.core.aclose()
        parts.engine.dispose()

    return lifespan


def _routes(parts: _Parts) -> list[BaseRoute]:
    """Return the HTTP routes: health, chat API, live streams, console, channel webhooks."""
    routes: list[BaseRoute] = [Route("/healthz", health), Route("/readyz", readiness),
                               *chat_api.routes, *live.routes,
                               *calendar.routes, *console_routes(parts.core.store.sessions)]
    if parts.telegram is not None and not parts.polling:
        routes.append(Route(TELEGRAM_WEBHOOK_PATH, telegram_webhook, methods=["POST"]))
    if parts.whatsapp is not None:
        routes += [Route(whatsapp_channel.WEBHOOK_PATH, whatsapp_channel.verify_webhook,
                         methods=["GET"]),
                   Route(whatsapp_channel.WEBHOOK_PATH, whatsapp_channel.receive_webhook,
                         methods=["POST"])]
    if STATIC.exists():
        routes.append(Mount("/", StaticFiles(directory=STATIC, html=True), name="web"))
    return routes
