"""A language switch the engine understood is answered in the new language in one turn:
the action renders the confirmation from the new pack, the core never asks twice."""

from __future__ import annotations

import asyncio

import httpx
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from starlette.testclient import TestClient

from actions.language import ActionChangeLanguage
from bot.web.app import create_app
from catalog.notices import render


def _tracker(text: str, requested: str, current: str) -> Tracker:
    return Tracker(sender_id="c", slots={"language": current},
                   latest_message={"text": text, "intent": {"name": "change_language"},
                                   "entities": [{"entity": "language", "value": requested}],
                                   "metadata": {"language": current}},
                   events=[], paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def test_the_action_confirms_in_the_requested_language_and_sets_it():
    for text, requested, current in (("can we speak Greek?", "el", "en"),
                                     ("¿podemos hablar en árabe?", "ar", "es")):
        dispatcher = CollectingDispatcher()
        events = asyncio.run(ActionChangeLanguage().run(
            dispatcher, _tracker(text, requested, current), {}))
        assert dispatcher.messages[0]["custom"] == {"language": requested}
        assert dispatcher.messages[1]["text"] == render("utter_language_changed", requested)[0]
        assert events == [{"event": "slot", "timestamp": None, "name": "language",
                           "value": requested}]


def test_the_core_sends_the_message_once_and_keeps_the_new_language(settings_factory):
    sent: list[dict] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "m.tar.gz"})
        sent.append(request.read().decode())
        sender = "c"
        return httpx.Response(200, json=[
            {"recipient_id": sender, "custom": {"language": "el"}},
            {"recipient_id": sender, "text": render("utter_language_changed", "el")[0]}])

    app = create_app(settings_factory(), rasa_transport=httpx.MockTransport(rasa))
    with TestClient(app) as client:
        cid = client.post("/api/conversations", json={"language": "en"}).json()[
            "conversation_id"]
        turn = client.post(f"/api/conversations/{cid}/messages",
                           json={"text": "can we speak Greek please?"}).json()
        assert len(sent) == 1
        assert turn["language"] == "el"
        assert [r["text"] for r in turn["replies"]] == [render("utter_language_changed",
                                                               "el")[0]]
        assert client.get(f"/api/conversations/{cid}").json()["language"] == "el"
