"""Telegram through the real PTB Application, the real core and the real Rasa server.

Only Telegram's servers are replaced: a recording transport answers in the Bot
API's JSON format, and real update JSON goes through Update.de_json and
Application.process_update.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from telegram import Update

from bot.channels.telegram import build_application, set_command_menus, split_text
from bot.config import Settings
from bot.core.locales import text as locale_text
from bot.web.app import build_core, create_app
from catalog.db import make_engine
from ops.rasa_project import language_responses
from tests.support.telegram_api import RecordingRequest, button_press, private_text

pytestmark = pytest.mark.e2e
RESPONSES = language_responses()
TOKEN = "123456:TEST-token-not-real"


@pytest.fixture
async def telegram(stack, tmp_path):
    settings = Settings(_env_file=None, IESMED_ENV="test", IESMED_DATA_DIR=tmp_path,
                        DATABASE_URL=f"sqlite:///{tmp_path / 'tg.sqlite3'}",
                        RASA_URL=stack.rasa_url)
    engine = make_engine(settings.database)
    core, rasa = build_core(settings, engine)
    recorder = RecordingRequest()
    application = build_application(TOKEN, core, request=recorder, rate_limit=False)
    await application.initialize()
    recorder.calls.clear()

    async def feed(data):
        await application.process_update(Update.de_json(data, application.bot))
        return recorder

    yield feed, recorder, application
    await application.shutdown()
    await rasa.aclose()
    engine.dispose()


async def test_a_greeting_is_answered_in_the_users_language_with_an_inline_keyboard(telegram):
    feed, recorder, _ = telegram
    await feed(private_text(1, 501, "Hola, buenos días", language="es"))
    [call] = recorder.methods("sendMessage")
    assert call.params["chat_id"] == 501
    assert call.params["text"] == RESPONSES["es"]["utter_greet"][0]["text"]
    assert "parse_mode" not in call.params
    rows = call.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in rows] == [
        "/need_funding", "/need_consultancy", "/ask_events", "/ask_help"]
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in rows)


async def test_a_pressed_button_is_acknowledged_disabled_and_answered(telegram):
    feed, recorder, _ = telegram
    await feed(private_text(1, 502, "Bonjour", language="fr"))
    recorder.calls.clear()
    await feed(button_press(2, 502, "/ask_help"))
    assert [c.method for c in recorder.calls][:2] == ["answerCallbackQuery",
                                                      "editMessageReplyMarkup"]
    assert "reply_markup" not in recorder.calls[1].params or \
        recorder.calls[1].params["reply_markup"] in (None, "")
    sent = recorder.methods("sendMessage")
    assert sent and sent[0].params["text"].startswith(
        RESPONSES["fr"]["utter_help"][0]["text"][:20])


async def test_the_same_update_is_processed_once(telegram):
    feed, recorder, _ = telegram
    await feed(private_text(7, 503, "Hello"))
    await feed(private_text(7, 503, "Hello"))
    assert len(recorder.methods("sendMessage")) == 1


async def test_start_and_help_commands(telegram):
    feed, recorder, _ = telegram
    await feed(private_text(1, 504, "/start", language="it"))
    assert recorder.methods("sendMessage")[0].params["text"] == \
        RESPONSES["it"]["utter_greet"][0]["text"]
    recorder.calls.clear()
    await feed(private_text(2, 504, "/help", language="it"))
    assert recorder.methods("sendMessage")[0].params["text"].startswith(
        RESPONSES["it"]["utter_help"][0]["text"][:20])


async def test_photos_voice_and_locations_get_a_polite_reply(telegram):
    feed, recorder, _ = telegram
    await feed(private_text(1, 505, "Merhaba", language="tr"))
    recorder.calls.clear()
    base = private_text(2, 505, "x", language="tr")
    del base["message"]["text"]
    base["message"]["photo"] = [{"file_id": "f1", "file_unique_id": "u1", "width": 90,
                                 "height": 90}]
    await feed(base)
    voice = private_text(3, 505, "x", language="tr")
    del voice["message"]["text"]
    voice["message"]["voice"] = {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}
    await feed(voice)
    location = private_text(4, 505, "x", language="tr")
    del location["message"]["text"]
    location["message"]["location"] = {"latitude": 38.42, "longitude": 27.14}
    await feed(location)
    texts = [c.params["text"] for c in recorder.methods("sendMessage")]
    assert texts == [locale_text("unsupported_media", "tr")] * 3


async def test_edited_messages_and_group_chatter_are_ignored(telegram):
    feed, recorder, _ = telegram
    edited = private_text(1, 506, "Hello again")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = edited["edited_message"]["date"]
    await feed(edited)
    group = private_text(2, -1001, "hello everyone")
    group["message"]["chat"] = {"id": -1001, "type": "supergroup", "title": "Coops"}
    await feed(group)
    assert recorder.methods("sendMessage") == []
    command = private_text(3, -1001, "/help")
    command["message"]["chat"] = {"id": -1001, "type": "supergroup", "title": "Coops"}
    await feed(command)
    assert [c.params["text"] for c in recorder.methods("sendMessage")] == [
        locale_text("private_only", None)]


async def test_command_menus_are_published_per_language(telegram):
    _, recorder, application = telegram
    await set_command_menus(application)
    calls = recorder.methods("setMyCommands")
    assert {c.params.get("language_code") for c in calls} == {
        "ca", "es", "fr", "it", "pt", "el", "tr", "ar", "en", None}
    greek = next(c for c in calls if c.params.get("language_code") == "el")
    assert {"command": "forget", "description": locale_text("cmd_forget", "el")} in \
        greek.params["commands"]


def test_long_replies_are_split_within_telegrams_limit():
    text = ("Una frase bastant llarga per omplir el missatge. " * 200).strip()
    chunks = split_text(text)
    assert len(chunks) > 1 and all(len(c) <= 4096 for c in chunks)
    assert " ".join(chunks) == text


def test_webhook_refuses_requests_without_the_secret(stack, tmp_path):
    recorder = RecordingRequest()
    settings = Settings(_env_file=None, IESMED_ENV="test", IESMED_DATA_DIR=tmp_path,
                        DATABASE_URL=f"sqlite:///{tmp_path / 'wh.sqlite3'}",
                        RASA_URL=stack.rasa_url, TELEGRAM_TOKEN=TOKEN,
                        TELEGRAM_WEBHOOK_URL="https://bot.example.org",
                        TELEGRAM_WEBHOOK_SECRET="s3cret-token-for-tests")
    with TestClient(create_app(settings, telegram_request=recorder)) as client:
        webhook = recorder.methods("setWebhook")[0].params
        assert webhook["url"] == "https://bot.example.org/telegram/webhook"
        assert webhook["secret_token"] == "s3cret-token-for-tests"
        update = private_text(10, 601, "Hello")
        assert client.post("/telegram/webhook", json=update).status_code == 403
        assert client.post("/telegram/webhook", json=update, headers={
            "X-Telegram-Bot-Api-Secret-Token": "wrong"}).status_code == 403
        assert recorder.methods("sendMessage") == []
        ok = client.post("/telegram/webhook", json=update, headers={
            "X-Telegram-Bot-Api-Secret-Token": "s3cret-token-for-tests"})
        assert ok.status_code == 200
        assert recorder.methods("sendMessage")[0].params["text"] == \
            RESPONSES["en"]["utter_greet"][0]["text"]
        bad = client.post("/telegram/webhook", content=b"{nope", headers={
            "X-Telegram-Bot-Api-Secret-Token": "s3cret-token-for-tests"})
        assert bad.status_code == 400
