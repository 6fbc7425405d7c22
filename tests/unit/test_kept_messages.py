"""Messages written while the dialogue engine is down are answered, in order, once it is back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from bot.core.kept_job import KeptMessagesJob
from bot.core.locales import text
from bot.web.app import create_app
from catalog.models import ConversationMessage, OutboxMessage
from tests.support.rasa_rest import RasaStandIn


@pytest.fixture
def bot(settings_factory):
    """A bot on a Rasa stand-in that can be switched off and on; background jobs idle."""
    rasa = RasaStandIn()
    settings = settings_factory(RASA_TIMEOUT_SECONDS=2)
    app = create_app(settings, rasa_transport=rasa.transport())
    with TestClient(app, raise_server_exceptions=False) as client:
        client.portal.call(app.state.kept.stop)  # the test runs the rounds itself
        yield client, app, rasa


def _say(client, cid: str, words: str) -> dict:
    response = client.post(f"/api/conversations/{cid}/messages", json={"text": words})
    assert response.status_code == 200
    return response.json()


def _round(client, app, minutes: int = 60) -> int:
    """Run one round of the job on the bot's own event loop; return how many were answered."""
    job = KeptMessagesJob(app.state.core, max_age=dt.timedelta(minutes=minutes),
                          wake_delivery=lambda: None)
    return int(client.portal.call(job.run_once))


def _rows(app, model):
    with app.state.core.store.sessions() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def test_kept_messages_are_answered_in_order_when_the_engine_returns(bot):
    client, app, rasa = bot
    cid = client.post("/api/conversations", json={"language": "es"}).json()["conversation_id"]
    rasa.down = True
    for words in ("hola", "somos una cooperativa de Zaragoza"):
        assert _say(client, cid, words)["replies"][0]["text"] == text("engine_unavailable", "es")
    assert _round(client, app) == 0  # still down: nothing answered, nothing lost
    rasa.down = False
    assert _round(client, app) == 2
    assert [r["message"] for r in rasa.received] == ["hola", "somos una cooperativa de Zaragoza"]
    pushed = [m.text for m in _rows(app, OutboxMessage)]
    assert pushed == ["received 4 chars", "received 33 chars"]  # by the outbox, in order
    users = [m for m in _rows(app, ConversationMessage) if m.direction == "in"]
    assert all(m.delivered and not m.pending for m in users)
    assert _round(client, app) == 0  # never answered twice
    assert len(rasa.received) == 2


def test_the_next_message_answers_the_kept_ones_first(bot):
    client, app, rasa = bot
    cid = client.post("/api/conversations", json={"language": "fr"}).json()["conversation_id"]
    rasa.down = True
    _say(client, cid, "bonjour")
    rasa.down = False
    replies = [r["text"] for r in _say(client, cid, "on cherche un financement")["replies"]]
    assert replies == ["received 7 chars", "received 25 chars"]
    assert [r["message"] for r in rasa.received] == ["bonjour", "on cherche un financement"]
    assert not _rows(app, OutboxMessage)
    transcript = client.get(f"/api/conversations/{cid}").json()["messages"]
    assert [m["text"] for m in transcript] == [
        "bonjour", "received 7 chars", "on cherche un financement", "received 25 chars"]
    assert all(m["delivered"] for m in transcript)


def test_a_message_kept_too_long_is_not_answered_and_the_user_is_asked_again(bot):
    client, app, rasa = bot
    cid = client.post("/api/conversations", json={"language": "el"}).json()["conversation_id"]
    rasa.down = True
    _say(client, cid, "γεια σας")
    with app.state.core.store.sessions.begin() as session:
        session.execute(update(ConversationMessage).values(
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=61)))
    rasa.down = False
    assert _round(client, app) == 0
    assert rasa.received == []
    assert [m.text for m in _rows(app, OutboxMessage)] == [text("kept_expired", "el")]
    kept = [m for m in _rows(app, ConversationMessage) if m.direction == "in"]
    assert [(m.pending, m.delivered) for m in kept] == [(False, False)]


def test_an_erased_conversation_has_nothing_left_to_answer(bot):
    client, app, rasa = bot
    cid = client.post("/api/conversations", json={"language": "en"}).json()["conversation_id"]
    rasa.down = True
    _say(client, cid, "my e-mail is ana@example.org")
    app.state.core.store.erase(cid)
    rasa.down = False
    assert _round(client, app) == 0
    assert rasa.received == []


def test_an_answer_the_engine_gave_but_never_delivered_is_sent_not_asked_twice(bot):
    client, app, rasa = bot
    cid = client.post("/api/conversations", json={"language": "tr"}).json()["conversation_id"]
    rasa.die_before_answering = True  # handled, in the tracker, then the engine stops
    assert _say(client, cid, "merhaba")["replies"][0]["text"] == text("engine_unavailable", "tr")
    rasa.down = False
    assert _round(client, app) == 1
    assert [r["message"] for r in rasa.received] == ["merhaba"]  # not sent a second time
    assert [m.text for m in _rows(app, OutboxMessage)] == ["received 7 chars"]
