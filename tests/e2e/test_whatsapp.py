"""WhatsApp Cloud API webhooks through the real core and Rasa; Graph API stood in on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from starlette.testclient import TestClient

from bot.channels.whatsapp import language_from_phone, render
from bot.config import Settings
from bot.core.locales import text as locale_text
from bot.core.messages import Button, OutboundMessage
from bot.web.app import create_app
from ops.rasa_project import language_responses
from tests.support.graph_api import (
    GraphAPI,
    button_reply,
    image_message,
    list_reply,
    status_callback,
    text_message,
)

pytestmark = pytest.mark.e2e
RESPONSES = language_responses()
SECRET = "app-secret-for-tests-only"


@pytest.fixture
def whatsapp(stack, tmp_path):
    with GraphAPI() as graph:
        settings = Settings(_env_file=None, IESMED_ENV="test", IESMED_DATA_DIR=tmp_path,
                            DATABASE_URL=f"sqlite:///{tmp_path / 'wa.sqlite3'}",
                            RASA_URL=stack.rasa_url, WHATSAPP_TOKEN="graph-token-test",
                            WHATSAPP_APP_SECRET=SECRET, WHATSAPP_VERIFY_TOKEN="verify-me-please",
                            WHATSAPP_PHONE_NUMBER_ID="1098765", WHATSAPP_GRAPH_URL=graph.url)
        with TestClient(create_app(settings)) as client:
            yield client, graph


def _post(client, body, secret=SECRET):
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post("/whatsapp/webhook", content=raw,
                       headers={"Content-Type": "application/json",
                                "X-Hub-Signature-256": signature})


def test_subscription_check_echoes_the_challenge_only_with_the_right_token(whatsapp):
    client, _ = whatsapp
    ok = client.get("/whatsapp/webhook", params={"hub.mode": "subscribe",
                                                 "hub.verify_token": "verify-me-please",
                                                 "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.text == "1158201444"
    bad = client.get("/whatsapp/webhook", params={"hub.mode": "subscribe",
                                                  "hub.verify_token": "guess",
                                                  "hub.challenge": "1158201444"})
    assert bad.status_code == 403


def test_unsigned_or_mis_signed_calls_are_refused(whatsapp):
    client, graph = whatsapp
    body = text_message("34600000001", "Hola", "wamid.1")
    assert client.post("/whatsapp/webhook", json=body).status_code == 401
    assert _post(client, body, secret="not-the-secret").status_code == 401
    assert graph.sent == []


def test_a_text_is_answered_with_reply_buttons_or_a_list(whatsapp):
    client, graph = whatsapp
    assert _post(client, text_message("34600000001", "Hola, buenos días", "wamid.1")
                 ).status_code == 200
    [sent] = graph.sent
    assert graph.headers[0]["authorization"] == "Bearer graph-token-test"
    assert sent["to"] == "34600000001" and sent["messaging_product"] == "whatsapp"
    greet = RESPONSES["es"]["utter_greet"][0]
    interactive = sent["interactive"]
    assert interactive["body"]["text"] == greet["text"]
    # Four choices do not fit three reply buttons: they come as a list.
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [b["payload"] for b in greet["buttons"]]
    assert interactive["action"]["button"] == locale_text("options", "es")


def test_button_and_list_replies_reach_the_assistant(whatsapp):
    client, graph = whatsapp
    _post(client, text_message("33612345678", "Bonjour", "wamid.1"))
    _post(client, list_reply("33612345678", "/ask_help", "Aide", "wamid.2"))
    assert graph.sent[-1]["interactive"]["body"]["text"].startswith(
        RESPONSES["fr"]["utter_help"][0]["text"][:20])
    _post(client, button_reply("33612345678", "/request_human", "Humain", "wamid.3"))
    assert len(graph.sent) >= 3


def test_media_gets_a_polite_reply_and_statuses_are_accepted_quietly(whatsapp):
    client, graph = whatsapp
    assert _post(client, image_message("905321234567", "wamid.9")).status_code == 200
    assert graph.sent[-1]["text"]["body"] == locale_text("unsupported_media", "tr")
    count = len(graph.sent)
    assert _post(client, status_callback("905321234567")).status_code == 200
    assert len(graph.sent) == count


def test_a_redelivered_message_is_answered_once(whatsapp):
    client, graph = whatsapp
    body = text_message("393331234567", "Buongiorno", "wamid.same")
    _post(client, body)
    _post(client, body)
    assert len(graph.sent) == 1


def test_sending_retries_after_server_errors(whatsapp):
    client, graph = whatsapp
    graph.fail_next = [500, 429]
    _post(client, text_message("306912345678", "Γεια σας", "wamid.1"))
    assert len(graph.sent) == 1
    assert graph.sent[0]["interactive"]["body"]["text"] == \
        RESPONSES["el"]["utter_greet"][0]["text"]


def test_malformed_but_signed_bodies_are_rejected_without_crashing(whatsapp):
    client, _graph = whatsapp
    raw = b"{not json"
    signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = client.post("/whatsapp/webhook", content=raw,
                           headers={"X-Hub-Signature-256": signature})
    assert response.status_code == 400
    assert _post(client, {"entry": [{"changes": [{"value": {"messages": ["junk"]}}]}]}
                 ).status_code == 200


def test_choices_degrade_to_buttons_lists_or_a_numbered_menu():
    three = OutboundMessage("Pick", tuple(Button(f"Option {i}", f"/p{i}") for i in range(3)))
    body, menu = render(three, "Options")
    assert body["interactive"]["type"] == "button" and menu == []
    eleven = OutboundMessage("Pick", tuple(Button(f"Option {i}", f"/p{i}") for i in range(11)))
    body, menu = render(eleven, "Options")
    assert body["type"] == "text" and menu == [f"/p{i}" for i in range(11)]
    assert "11. Option 10" in body["text"]["body"]
    long_title = OutboundMessage("Pick", (Button("A title far longer than twenty-four", "/x"),))
    assert render(long_title, "Options")[0]["type"] == "text"
    # A service's full description is longer than an interactive body may be: the whole
    # text goes out with a numbered menu instead of being cut at 1,024 characters.
    details = OutboundMessage("word " * 400 + "END", (Button("Contact me", "/choose"),))
    body, menu = render(details, "Options")
    assert body["type"] == "text" and "END" in body["text"]["body"] and menu == ["/choose"]


def test_phone_country_is_a_language_hint():
    assert language_from_phone("34600000001") == "es"
    assert language_from_phone("212612345678") == "ar"
    assert language_from_phone("306912345678") == "el"
    assert language_from_phone("notanumber") is None


async def test_outside_the_24_hour_window_a_template_is_used_or_delivery_is_refused():
    import datetime as dt

    from bot.channels.whatsapp import Undeliverable, WhatsAppAdapter

    with GraphAPI() as graph:
        plain = WhatsAppAdapter(None, token="t", phone_number_id="1098765",  # type: ignore[arg-type]
                                graph_url=graph.url)
        with pytest.raises(Undeliverable):
            await plain.send_proactive("34600000009", OutboundMessage("Your broker replied"))
        plain._state("34600000009").last_inbound = dt.datetime.now(dt.UTC)
        await plain.send_proactive("34600000009", OutboundMessage("Your broker replied"))
        assert graph.sent[-1]["text"]["body"] == "Your broker replied"
        plain._state("34600000009").last_inbound = dt.datetime.now(dt.UTC) - dt.timedelta(
            hours=25)
        templated = WhatsAppAdapter(None, token="t", phone_number_id="1098765",  # type: ignore[arg-type]
                                    graph_url=graph.url, template="broker_update")
        await templated.send_proactive("34600000009", OutboundMessage("Your broker replied"),
                                       language="es")
        assert graph.sent[-1]["type"] == "template"
        assert graph.sent[-1]["template"]["name"] == "broker_update"
        assert graph.sent[-1]["template"]["language"] == {"code": "es"}
        await plain.aclose()
        await templated.aclose()
