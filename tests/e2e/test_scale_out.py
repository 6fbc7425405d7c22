"""Scale-out on this machine's PostgreSQL and Redis: two bot + Rasa + action server replicas
serve the same conversations, with Rasa's tracker store in PostgreSQL and its lock store in
Redis. A conversation's turns are never interleaved or reordered, every process can be
restarted while the conversations go on, and /forget leaves nothing in any database."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from bot.core.locales import text as locale_text
from catalog.db import make_engine, make_session_factory
from catalog.models import Case, ConversationMessage
from tests.support.chat import IntakeChat, response_text
from tests.support.scale_out import ScaleOut, scale_out
from tests.support.traces import scan_redis, scan_sql

pytestmark = [pytest.mark.e2e, pytest.mark.scale_out]

# Turns: (what the user sent, the texts the assistant answered), in the order handled.
Turn = tuple[str, tuple[str, ...]]
# Payloads with one fixed answer each, so every answer shows which message it belongs to.
BURST = ("/greet", "/ask_help", "/ask_privacy", "/challenge_bot")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaleOut]:
    """Two replicas on throwaway PostgreSQL databases and a Redis database."""
    with scale_out(Path(tmp_path_factory.mktemp("scale-out"))) as started:
        yield started


def _urls(cluster: ScaleOut) -> list[str]:
    return [r.bot_url for r in cluster.replicas]


def _transcript_turns(cluster: ScaleOut, conversation_id: str) -> list[Turn]:
    """Group the transcript as recorded: each user message and the answers after it."""
    engine = make_engine(cluster.database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.scalars(select(ConversationMessage).where(
                ConversationMessage.conversation_id == conversation_id)
                .order_by(ConversationMessage.id)).all()
    finally:
        engine.dispose()
    turns: list[tuple[str, list[str]]] = []
    for row in rows:
        if row.direction == "in":
            turns.append((row.text.removeprefix("/"), []))
        else:
            assert turns, f"an answer before any message: {row.text!r}"
            turns[-1][1].append(row.text)
    return [(sent, tuple(answers)) for sent, answers in turns]


def _tracker_turns(cluster: ScaleOut, conversation_id: str) -> list[Turn]:
    """Group Rasa's tracker as stored: each user event and the bot utterances after it."""
    engine = create_engine(cluster.tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT type_name, intent_name, data FROM events WHERE sender_id = :id "
                "ORDER BY id"), {"id": conversation_id}).all()
    finally:
        engine.dispose()
    turns: list[tuple[str, list[str]]] = []
    for kind, intent, data in rows:
        if kind == "user":
            turns.append((str(intent), []))
        elif kind == "bot":
            said = json.loads(data).get("text")
            assert turns, f"an utterance before any user message: {said!r}"
            if said:
                turns[-1][1].append(said)
    return [(sent, tuple(answers)) for sent, answers in turns]


async def _burst(urls: list[str], conversation_id: str, texts: tuple[str, ...]
                 ) -> dict[str, tuple[str, ...]]:
    """Send every message at once, alternating the bots; return the answers each one got."""
    async with httpx.AsyncClient(timeout=120) as client:
        async def send(index: int, message: str) -> tuple[str, tuple[str, ...]]:
            response = await client.post(
                f"{urls[index % len(urls)]}/api/conversations/{conversation_id}/messages",
                json={"text": message})
            assert response.status_code == 200, response.text
            return message.removeprefix("/"), tuple(r["text"] for r in response.json()["replies"])
        return dict(await asyncio.gather(*(send(i, t) for i, t in enumerate(texts))))


def test_messages_sent_at_once_to_two_replicas_are_handled_one_turn_at_a_time(cluster):
    urls = _urls(cluster)
    ids = [httpx.post(f"{urls[i % 2]}/api/conversations", json={"language": "en"}, timeout=30)
           .json()["conversation_id"] for i in range(6)]

    async def everyone() -> list[dict[str, tuple[str, ...]]]:
        return list(await asyncio.gather(*(_burst(urls, cid, BURST) for cid in ids)))

    answered = asyncio.run(everyone())
    for cid, got in zip(ids, answered, strict=True):
        transcript = _transcript_turns(cluster, cid)
        # Each message is followed by its own answers before the next message is recorded,
        # and Rasa handled the messages in the order the transcript shows.
        assert transcript == _tracker_turns(cluster, cid), cid
        assert sorted(sent for sent, _ in transcript) == sorted(got), cid
        for sent, answers in transcript:
            assert answers, f"{cid}: {sent} was not answered"
            assert answers == got[sent], f"{cid}: the answer to {sent} went elsewhere"
    assert not scan_redis(cluster.redis_url, ids), "turn or Rasa locks were left behind"


def _english(name: str, email: str, phone: str, org: str) -> dict:
    """An English intake for a Tunisian olive cooperative, and the case it must save."""
    e164 = "+" + "".join(ch for ch in phone if ch.isdigit())
    return {
        "opening": "We are a cooperative in Tunisia and we need a loan to buy an olive press",
        "answers": {
            "consent": "/affirm",
            "org_name": org,
            "legal_form": '/inform{"legal_form": "cooperative"}',
            "country": "Tunisia",
            "city": "Sfax",
            "sector": '/inform{"sector": "agrifood"}',
            "members": "11",
            "stage": '/inform{"stage": "growing"}',
            "website": "/skip_question",
            "need_category": '/inform{"need_category": "funding"}',
            "need_description": "An olive press shared by the members",
            "amount": "40000 euros",
            "timeline": '/inform{"timeline": "3_months"}',
            "contact_name": name,
            "email": email,
            "phone": phone,
        },
        "case": {"org_name": org, "legal_form": "cooperative", "country": "TN", "city": "Sfax",
                 "members": 11, "need_category": "funding", "amount": Decimal("40000.00"),
                 "currency": "EUR", "contact_name": name, "email": email, "phone": e164},
    }


ENGLISH = _english("Karim Mansour", "karim@zitouna.example.org", "+216 98 765 432",
                   "Zitouna Solidaire")
FRENCH = {
    "opening": "Bonjour, nous cherchons un accompagnement pour notre plan d'affaires",
    "answers": {
        "consent": "/affirm",
        "org_name": "Atelier des Conserves Solidaires",
        "legal_form": '/inform{"legal_form": "association"}',
        "country": "Tunisie",
        "city": "Tunis",
        "sector": '/inform{"sector": "agrifood"}',
        "members": "18",
        "stage": '/inform{"stage": "starting"}',
        "website": "jardins.example.org",
        "need_description": "Un plan d'affaires pour une conserverie solidaire",
        "timeline": '/inform{"timeline": "12_months"}',
        "contact_name": "Leïla Ben Salem",
        "email": "leila@jardins.example.org",
        "phone": "/skip_question",
    },
    "case": {"org_name": "Atelier des Conserves Solidaires", "legal_form": "association",
             "country": "TN", "city": "Tunis", "members": 18, "need_category": "consultancy",
             "amount": None, "currency": None, "contact_name": "Leïla Ben Salem",
             "email": "leila@jardins.example.org", "phone": None},
}


def _case(cluster: ScaleOut, conversation_id: str) -> dict | None:
    engine = make_engine(cluster.database_url)
    try:
        with make_session_factory(engine)() as session:
            case = session.scalar(select(Case).where(Case.conversation_id == conversation_id))
            return None if case is None else {
                key: getattr(case, key) for key in ENGLISH["case"]}
    finally:
        engine.dispose()


def _pids(cluster: ScaleOut, index: int) -> list[int]:
    return [c.process.pid for c in cluster.replicas[index].supervisor.components
            if c.process is not None]


def test_every_process_restarts_and_the_intakes_go_on_where_they_were(cluster):
    urls = _urls(cluster)
    chats = [(IntakeChat(urls, "en"), ENGLISH), (IntakeChat(urls, "fr"), FRENCH)]
    for chat, script in chats:  # each message to the other replica than the one before
        chat.say(script["opening"])
        for _ in range(3):
            chat.answer(script["answers"])
    # Replica A restarts (action server, Rasa, bot); meanwhile B carries the conversations
    # on: the question pending is answered and the next one follows.
    before = _pids(cluster, 0)
    restart = threading.Thread(target=cluster.replicas[0].restart_all)
    restart.start()
    for chat, script in chats:
        pending = chat.question()
        assert chat.answer(script["answers"], via=1) == pending
        assert chat.question() not in (None, pending), chat.last
    restart.join()
    assert not set(before) & set(_pids(cluster, 0)), "not every process of A restarted"
    # Then B restarts while the restarted A takes the intakes up and on to the summary.
    before = _pids(cluster, 1)
    restart = threading.Thread(target=cluster.replicas[1].restart_all)
    restart.start()
    for chat, script in chats:
        chat.answer_all(script["answers"], via=0)
        assert chat.summary_shown(), chat.last
        assert len(chat.asked) == len(set(chat.asked)), f"asked again: {chat.asked}"
    restart.join()
    assert not set(before) & set(_pids(cluster, 1)), "not every process of B restarted"
    for chat, script in chats:  # the restarted B saves the cases
        chat.say("/affirm", via=1)
        assert _case(cluster, chat.id) == script["case"]
        chat.close()


def test_forget_leaves_no_trace_in_postgresql_or_redis(cluster):
    script = _english("Zoé Ferrer", "zoe.ferrer@olivera.example.org", "+216 55 321 987",
                      "Olivera del Sahel")
    chat = IntakeChat(_urls(cluster), "en")
    chat.say(script["opening"])
    chat.answer_all(script["answers"])
    chat.say("/affirm")
    assert _case(cluster, chat.id) == script["case"]
    traces = ["Zoé Ferrer", "zoe.ferrer@olivera.example.org", "+216 55 321 987",
              "+21655321987", "Olivera del Sahel", chat.id]
    catalogue, tracker = cluster.database_url, cluster.tracker_url
    # The scan finds what the intake stored, in the catalogue and in Rasa's tracker...
    found = {t.needle for t in scan_sql(catalogue, traces) + scan_sql(tracker, traces)}
    assert found >= {"zoé ferrer", "zoe.ferrer@olivera.example.org", "+21655321987",
                     "olivera del sahel", chat.id.lower()}, found
    assert {"zo\\u00e9 ferrer", "+216 55 321 987"} <= {t.needle for t in scan_sql(
        tracker, traces)}
    chat.say("/forget", via=0)
    assert chat.last["replies"][0]["text"] == response_text("en", "utter_confirm_erase")
    chat.say('/erase_data{"choice": "confirm"}', via=1)
    assert chat.last["replies"][0]["text"] == response_text("en", "utter_data_erased")
    # ...and after /forget, nothing: no table, no column, no Redis key holds any of it.
    left = scan_sql(catalogue, traces) + scan_sql(tracker, traces) + scan_redis(
        cluster.redis_url, traces)
    assert left == [], [str(t) for t in left]
    chat.close()


def test_a_message_written_while_rasa_is_down_is_answered_when_an_engine_is_back(cluster):
    replica = cluster.replicas[0]
    rasa = next(c for c in replica.supervisor.components if c.name == "rasa")
    assert rasa.process is not None
    chat = IntakeChat([replica.bot_url], "es")
    rasa.process.kill()
    rasa.process.wait(timeout=30)
    try:
        replies = chat.say("hola, ¿qué eventos hay este mes?")
        assert replies == [locale_text("engine_unavailable", "es")]
        # Kept: answered by the first bot whose engine answers (B's now, A's once restarted),
        # through the outbox, in Spanish, exactly once.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            transcript = chat.clients[0].get(f"/api/conversations/{chat.id}").json()["messages"]
            if transcript[0]["delivered"] and len(transcript) > 1:
                break
            time.sleep(2)
        assert transcript[0] == {"direction": "in", "delivered": True,
                                 "text": "hola, ¿qué eventos hay este mes?"}
        answers = [m["text"] for m in transcript[1:]]
        assert answers and all(m["direction"] == "out" for m in transcript[1:]), transcript
        assert not any(locale_text("engine_unavailable", "es") == a for a in answers)
        assert len(_tracker_turns(cluster, chat.id)) == 1  # the engine handled it once
    finally:
        replica.supervisor.restart("rasa")  # the tests after this one use A's engine too
        chat.close()
