"""Handoff through the real stack: the queue, privacy in every state, a broker's reply pushed
live to the web chat, Telegram and WhatsApp delivery, and nothing lost over a restart.

The broker's side is driven through the same domain operations the staff console calls
(catalog.handoff), on the database the running bot uses.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient
from telegram import Update

from bot.channels.staff_topics import StaffTopics, attach_staff_topics
from bot.channels.telegram import TelegramSender, build_application
from bot.config import Settings
from bot.core.delivery import DeliveryWorker
from bot.core.locales import text as locale_text
from bot.web.app import build_core, create_app
from catalog import handoff, staff
from catalog.db import make_engine, make_session_factory
from catalog.models import Conversation, ConversationMessage, OutboxMessage
from ops.rasa_project import language_responses
from tests.support.graph_api import GraphAPI, text_message
from tests.support.telegram_api import RecordingRequest, private_text, topic_text

pytestmark = pytest.mark.e2e
RESPONSES = language_responses()
ALWAYS_OPEN = {"BROKER_HOURS": "mon-sun 00:00-24:00"}


@pytest.fixture
def sessions(stack):
    engine = make_engine(stack.database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _broker(sessions, email: str) -> int:
    with sessions.begin() as session:
        existing = session.scalar(select(staff.Staff).where(staff.Staff.email == email))
        if existing is not None:
            return existing.id
        return staff.add_staff(session, email=email, password="a long passphrase",
                               role="broker", name="Maria").id


def _say(client: httpx.Client, cid: str, text: str) -> dict:
    response = client.post(f"/api/conversations/{cid}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()


def _events(client: httpx.Client, cid: str, after: int = 0) -> Iterator[tuple[str, dict]]:
    """Yield (event, data) from the conversation's live stream."""
    with client.stream("GET", f"/api/conversations/{cid}/events",
                       params={"after": after}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event:
                yield event, json.loads(line.removeprefix("data: "))
                event = None


def _next_message(client: httpx.Client, cid: str, after: int) -> dict:
    for event, data in _events(client, cid, after):
        if event == "message":
            return data
    raise AssertionError("the stream ended without a message")


def test_a_web_user_waits_talks_to_a_broker_live_and_comes_back_to_the_assistant(stack,
                                                                                sessions):
    maria = _broker(sessions, "maria.web@iesmed.example")
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={"channel": "web"}).json()[
            "conversation_id"]
        _say(client, cid, "Hola, buenos días")
        asked = _say(client, cid, "/human")
        assert asked["state"] == "waiting"
        texts = [r["text"] for r in asked["replies"]]
        assert texts[0] == RESPONSES["es"]["utter_handoff_requested"][0]["text"]
        assert "1" in texts[-1] and locale_text("handoff_keep_writing", "es") in texts[-1]

        # While waiting: the queue status, and privacy still answered by the assistant.
        waiting = _say(client, cid, "somos una cooperativa de Zaragoza")
        assert waiting["state"] == "waiting"
        assert locale_text("handoff_waiting_hint", "es") in waiting["replies"][0]["text"]
        privacy = _say(client, cid, "/privacy")
        assert privacy["replies"][0]["text"] == RESPONSES["es"]["utter_privacy"][0]["text"]

        with sessions.begin() as session:
            assert session.get(Conversation, cid).handoff_reason == "user_request"
            assert handoff.take(session, cid, staff_id=maria)
            handoff.broker_reply(session, cid, staff_id=maria, text="Hola, soy Maria. ¿En qué "
                                                                    "puedo ayudaros?")
        pushed = _next_message(client, cid, after=0)
        assert (pushed["author"], pushed["text"]) == ("broker",
                                                      "Hola, soy Maria. ¿En qué puedo ayudaros?")

        # With a broker: the assistant stays silent, the message is kept for the broker.
        silent = _say(client, cid, "Necesitamos un préstamo de 20.000 euros")
        assert (silent["state"], silent["replies"]) == ("human", [])
        with sessions() as session:
            entry = handoff.entry(session, cid)
            assert entry.last_message == "Necesitamos un préstamo de 20.000 euros"

        with sessions.begin() as session:
            assert handoff.hand_back(session, cid, staff_id=maria,
                                     notice=locale_text("handoff_returned", "es"),
                                     language="es")
        notice = _next_message(client, cid, after=pushed["id"])
        assert notice == {"id": notice["id"], "author": "notice", "buttons": [],
                          "text": locale_text("handoff_returned", "es")}
        back = _say(client, cid, "Gracias, adiós")
        assert back["state"] == "bot" and back["language"] == "es"
        assert back["replies"][0]["text"] == RESPONSES["es"]["utter_goodbye"][0]["text"]

        def all_sent() -> bool:
            with sessions() as session:
                return set(session.scalars(select(OutboxMessage.status).where(
                    OutboxMessage.conversation_id == cid))) == {"sent"}
        _wait_until(all_sent)  # the bot's delivery worker records web messages as delivered


def test_cancel_leaves_the_queue_and_forget_erases_even_while_a_broker_talks(stack, sessions):
    maria = _broker(sessions, "maria.forget@iesmed.example")
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={"channel": "web"}).json()[
            "conversation_id"]
        _say(client, cid, "Bonjour")
        assert _say(client, cid, "/human")["state"] == "waiting"
        cancelled = _say(client, cid, "/cancel")
        assert cancelled["state"] == "bot"
        assert cancelled["replies"][0]["text"] == locale_text("handoff_cancelled", "fr")

        assert _say(client, cid, "Je voudrais parler à une personne")["state"] == "waiting"
        with sessions.begin() as session:
            assert handoff.take(session, cid, staff_id=maria)
        asked = _say(client, cid, "/forget")
        assert asked["replies"][0]["text"] == RESPONSES["fr"]["utter_confirm_erase"][0]["text"]
        done = _say(client, cid, '/erase_data{"choice": "confirm"}')
        assert done["replies"][0]["text"] == RESPONSES["fr"]["utter_data_erased"][0]["text"]
        with sessions() as session:
            assert session.get(Conversation, cid) is None
            assert session.scalar(select(ConversationMessage.id)
                                  .where(ConversationMessage.conversation_id == cid)) is None


def test_a_complaint_goes_to_a_broker_with_its_reason(stack, sessions):
    with httpx.Client(base_url=stack.bot_url, timeout=60) as client:
        cid = client.post("/api/conversations", json={"channel": "web"}).json()[
            "conversation_id"]
        _say(client, cid, "Buongiorno")
        turn = _say(client, cid, "Voglio fare un reclamo: il vostro consulente non ha mai "
                                 "risposto")
        assert turn["state"] == "waiting"
        assert turn["replies"][0]["text"].startswith(locale_text("handoff_sensitive", "it"))
    with sessions() as session:
        assert session.get(Conversation, cid).handoff_reason == "sensitive"


def _wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def _wa_settings(stack, tmp_path, graph, **extra) -> Settings:
    return Settings(_env_file=None, IESMED_ENV="test", IESMED_DATA_DIR=tmp_path,
                    DATABASE_URL=f"sqlite:///{tmp_path / 'wa.sqlite3'}",
                    RASA_URL=stack.rasa_url, WHATSAPP_TOKEN="graph-token-test",
                    WHATSAPP_APP_SECRET="app-secret-for-tests-only",
                    WHATSAPP_VERIFY_TOKEN="verify-me-please",
                    WHATSAPP_PHONE_NUMBER_ID="1098765", WHATSAPP_GRAPH_URL=graph.url,
                    OUTBOX_POLL_SECONDS=0.2, **ALWAYS_OPEN, **extra)


def _wa_post(client, body) -> None:
    import hashlib
    import hmac

    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(b"app-secret-for-tests-only", raw,
                                     hashlib.sha256).hexdigest()
    response = client.post("/whatsapp/webhook", content=raw,
                           headers={"Content-Type": "application/json",
                                    "X-Hub-Signature-256": signature})
    assert response.status_code == 200


def test_whatsapp_broker_replies_go_as_text_in_the_window_and_as_a_template_outside(
        stack, tmp_path):
    import datetime as dt

    with GraphAPI() as graph:
        settings = _wa_settings(stack, tmp_path, graph, WHATSAPP_TEMPLATE="broker_update")
        with TestClient(create_app(settings)) as client:
            _wa_post(client, text_message("212612345678", "أريد التحدث مع شخص", "wamid.h1"))
            sessions = client.app.state.core.store.sessions
            with sessions() as session:
                cid = session.scalar(select(Conversation.id).where(
                    Conversation.channel_user_id == "212612345678"))
                assert session.get(Conversation, cid).state == "waiting"
            with sessions.begin() as session:
                maria = staff.add_staff(session, email="m@iesmed.example",
                                        password="a long passphrase", role="broker").id
                handoff.take(session, cid, staff_id=maria)
                handoff.broker_reply(session, cid, staff_id=maria, text="مرحبا، أنا ماريا")
            client.app.state.delivery.wake()
            _wait_until(lambda: any(b.get("text", {}).get("body") == "مرحبا، أنا ماريا"
                                    for b in graph.sent))
            # The user has not written for 25 hours: the configured template carries it.
            with sessions.begin() as session:
                session.get(Conversation, cid).last_inbound_at = (
                    dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
                handoff.broker_reply(session, cid, staff_id=maria, text="هل ما زلت هنا؟")
            client.app.state.delivery.wake()
            _wait_until(lambda: graph.sent[-1].get("type") == "template")
            template = graph.sent[-1]["template"]
            assert template["name"] == "broker_update" and template["language"] == {"code": "ar"}
            assert template["components"][0]["parameters"][0]["text"] == "هل ما زلت هنا؟"


def test_outside_the_window_without_a_template_the_reply_shows_as_failed(stack, tmp_path):
    import datetime as dt

    with GraphAPI() as graph:
        with TestClient(create_app(_wa_settings(stack, tmp_path, graph))) as client:
            _wa_post(client, text_message("306912345678", "Θέλω να μιλήσω με άνθρωπο",
                                          "wamid.g1"))
            sessions = client.app.state.core.store.sessions
            with sessions.begin() as session:
                cid = session.scalar(select(Conversation.id))
                session.get(Conversation, cid).last_inbound_at = (
                    dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
                maria = staff.add_staff(session, email="m@iesmed.example",
                                        password="a long passphrase", role="broker").id
                handoff.take(session, cid, staff_id=maria)
                handoff.broker_reply(session, cid, staff_id=maria, text="Καλημέρα")
            client.app.state.delivery.wake()

            def failed() -> bool:
                with sessions() as session:
                    return session.scalar(select(OutboxMessage.status)) == "failed"
            _wait_until(failed)
            assert not any(b.get("text", {}).get("body") == "Καλημέρα" for b in graph.sent)


def test_a_broker_reply_queued_before_a_restart_is_delivered_once_after_it(stack, tmp_path):
    with GraphAPI() as graph:
        settings = _wa_settings(stack, tmp_path, graph)
        with TestClient(create_app(settings)) as client:
            _wa_post(client, text_message("34600111222", "Quiero hablar con una persona",
                                          "wamid.r1"))
            sessions = client.app.state.core.store.sessions
            graph.fail_next = [503] * 40  # the Graph API is down when the broker answers
            with sessions.begin() as session:
                cid = session.scalar(select(Conversation.id))
                maria = staff.add_staff(session, email="m@iesmed.example",
                                        password="a long passphrase", role="broker").id
                handoff.take(session, cid, staff_id=maria)
                handoff.broker_reply(session, cid, staff_id=maria, text="Hola, soy Maria")
            client.app.state.delivery.wake()

            def attempted() -> bool:
                with sessions() as session:
                    return (session.scalar(select(OutboxMessage.attempts)) or 0) >= 1
            _wait_until(attempted)
        # The bot stopped with the reply still queued; Meta is back; the bot starts again.
        graph.fail_next = []
        with sessions() as session:
            assert session.scalar(select(OutboxMessage.status)) == "pending"
        with TestClient(create_app(settings)) as client:
            def sent() -> bool:
                with sessions() as session:
                    return session.scalar(select(OutboxMessage.status)) == "sent"
            _wait_until(sent, timeout=60)
        bodies = [b.get("text", {}).get("body") for b in graph.sent]
        assert bodies.count("Hola, soy Maria") == 1


async def test_telegram_escalation_and_the_brokers_reply_as_send_message(stack, tmp_path):
    settings = Settings(_env_file=None, IESMED_ENV="test", IESMED_DATA_DIR=tmp_path,
                        DATABASE_URL=f"sqlite:///{tmp_path / 'tg.sqlite3'}",
                        RASA_URL=stack.rasa_url, **ALWAYS_OPEN)
    engine = make_engine(settings.database)
    core, rasa = build_core(settings, engine)
    recorder = RecordingRequest()
    application = build_application("123456:TEST-token-not-real", core, request=recorder,
                                    rate_limit=False)
    await application.initialize()
    worker = DeliveryWorker(core.store.sessions, poll_seconds=0.2)
    worker.register("telegram", TelegramSender(application))
    try:
        await application.process_update(Update.de_json(
            private_text(1, 777, "Vull parlar amb una persona", language="ca"), application.bot))
        told = [c.params["text"] for c in recorder.methods("sendMessage")]
        assert told[0] == RESPONSES["ca"]["utter_handoff_requested"][0]["text"]
        assert locale_text("handoff_keep_writing", "ca") in told[-1]
        sessions = core.store.sessions
        with sessions.begin() as session:
            cid = session.scalar(select(Conversation.id).where(
                Conversation.channel_user_id == "777"))
            maria = staff.add_staff(session, email="m@iesmed.example",
                                    password="a long passphrase", role="broker").id
            assert handoff.take(session, cid, staff_id=maria)
            handoff.broker_reply(session, cid, staff_id=maria, text="Bon dia, sóc la Maria")
        recorder.calls.clear()
        assert await worker.run_once() == 1
        [call] = recorder.methods("sendMessage")
        assert call.params["chat_id"] == 777 and call.params["text"] == "Bon dia, sóc la Maria"

        # The user blocked the bot: the reply is marked failed, not dropped silently.
        recorder.fail_next = [(403, {"ok": False, "error_code": 403,
                                     "description": "Forbidden: bot was blocked by the user"})]
        with sessions.begin() as session:
            handoff.broker_reply(session, cid, staff_id=maria, text="Hi ha algú?")
        await worker.run_once()
        with sessions() as session:
            statuses = list(session.scalars(select(OutboxMessage.status)
                                            .order_by(OutboxMessage.id)))
        assert statuses == ["sent", "failed"]
    finally:
        await worker.stop()
        await application.shutdown()
        await rasa.aclose()
        engine.dispose()
        await asyncio.sleep(0)


async def test_brokers_answer_from_a_telegram_staff_topic_and_close_it(stack, tmp_path):
    staff_chat = -1001234567890
    settings = Settings(_env_file=None, IESMED_ENV="test", IESMED_DATA_DIR=tmp_path,
                        DATABASE_URL=f"sqlite:///{tmp_path / 'topics.sqlite3'}",
                        RASA_URL=stack.rasa_url, **ALWAYS_OPEN)
    engine = make_engine(settings.database)
    core, rasa = build_core(settings, engine)
    recorder = RecordingRequest()
    application = build_application("123456:TEST-token-not-real", core, request=recorder,
                                    rate_limit=False)
    worker = DeliveryWorker(core.store.sessions, poll_seconds=0.2)
    worker.register("telegram", TelegramSender(application))
    topics = StaffTopics(application, chat_id=str(staff_chat), sessions=core.store.sessions)
    attach_staff_topics(application, topics)
    core.observe(topics)
    await application.initialize()

    async def feed(data: dict) -> None:
        await application.process_update(Update.de_json(data, application.bot))

    async def settle() -> None:
        for _ in range(50):  # observers run in the background of the user's turn
            await asyncio.sleep(0.05)
            if not core._background:
                return

    try:
        with core.store.sessions.begin() as session:
            staff.add_staff(session, email="maria@iesmed.example", password="a long passphrase",
                            role="broker", name="Maria")
            staff.link_telegram(session, email="maria@iesmed.example", telegram_user_id=9001)
        await feed(private_text(1, 888, "Θέλω να μιλήσω με έναν άνθρωπο", language="el"))
        await settle()
        [topic] = recorder.methods("createForumTopic")
        assert topic.params["chat_id"] == staff_chat and "el" in topic.params["name"]
        in_topic = [c for c in recorder.methods("sendMessage")
                    if c.params.get("chat_id") == staff_chat]
        thread = in_topic[0].params["message_thread_id"]
        assert "Θέλω να μιλήσω με έναν άνθρωπο" in in_topic[0].params["text"]

        await feed(private_text(2, 888, "Είμαστε συνεταιρισμός στη Θεσσαλονίκη", language="el"))
        await settle()
        copied = [c.params["text"] for c in recorder.methods("sendMessage")
                  if c.params.get("message_thread_id") == thread]
        assert copied[-1] == "👤 Είμαστε συνεταιρισμός στη Θεσσαλονίκη"

        # A stranger in the staff group cannot answer; Maria's answer reaches the user.
        await feed(topic_text(3, staff_chat, thread, 5555, "hello"))
        assert recorder.methods("sendMessage")[-1].params["text"] == locale_text(
            "staff_topic_not_linked", "en", telegram_id=5555)
        recorder.calls.clear()
        await feed(topic_text(4, staff_chat, thread, 9001, "Καλημέρα, είμαι η Μαρία"))
        await worker.run_once()
        [to_user] = [c for c in recorder.methods("sendMessage") if c.params["chat_id"] == 888]
        assert to_user.params["text"] == "Καλημέρα, είμαι η Μαρία"

        await feed(topic_text(5, staff_chat, thread, 9001, "/close"))
        await worker.run_once()
        told = [c.params["text"] for c in recorder.methods("sendMessage")
                if c.params["chat_id"] == 888]
        assert told[-1] == locale_text("handoff_returned", "el")
        with core.store.sessions() as session:
            assert session.scalar(select(Conversation.state)) == "bot"
    finally:
        await worker.stop()
        await application.shutdown()
        await rasa.aclose()
        engine.dispose()
