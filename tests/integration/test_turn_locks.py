"""Turn locks: one turn at a time per conversation, in arrival order, within one process and
across replicas sharing the real local Redis; a dead replica does not block the queue."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as redis
from sqlalchemy import select

from bot.core.conversation import ConversationCore
from bot.core.language import LanguageResolver
from bot.core.locales import text as locale_text
from bot.core.messages import InboundMessage
from bot.core.rasa_client import RasaClient
from bot.core.store import ConversationStore
from bot.core.turns import LocalTurnLocks, RedisTurnLocks, TurnLocks
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import ConversationMessage

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["local", "redis"])
async def replicas(request: pytest.FixtureRequest) -> AsyncIterator[list[TurnLocks]]:
    """Two replicas' turn locks: one process's own, or two clients of the same Redis."""
    if request.param == "local":
        shared = LocalTurnLocks()
        yield [shared, shared]
        return
    pair = [RedisTurnLocks(REDIS), RedisTurnLocks(REDIS)]
    yield list(pair)
    for locks in pair:
        await locks.aclose()


async def _keys_of(conversation_id: str) -> list[bytes]:
    client = redis.Redis.from_url(REDIS)
    try:
        return [key async for key in client.scan_iter(match=f"*{conversation_id}*")]
    finally:
        await client.aclose()


async def test_turns_run_one_at_a_time_in_the_order_they_arrived(replicas):
    conversation = secrets.token_urlsafe(16)
    order: list[int] = []
    inside = 0
    most_inside = 0
    first_may_finish = asyncio.Event()
    queued = [asyncio.Event() for _ in range(6)]

    async def turn(number: int) -> None:
        nonlocal inside, most_inside
        holding = replicas[number % 2].hold(conversation)
        entering = asyncio.ensure_future(holding.__aenter__())
        # Queued once the lock has seen it: give the request time to reach the lock.
        for _ in range(20):
            await asyncio.sleep(0.01)
        queued[number].set()
        await entering
        try:
            inside += 1
            most_inside = max(most_inside, inside)
            order.append(number)
            if number == 0:
                await first_may_finish.wait()
            await asyncio.sleep(0.01)
            inside -= 1
        finally:
            await holding.__aexit__(None, None, None)

    tasks = []
    for number in range(6):
        tasks.append(asyncio.create_task(turn(number)))
        await queued[number].wait()  # the next message arrives after this one
    first_may_finish.set()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4, 5]
    assert most_inside == 1
    if isinstance(replicas[0], RedisTurnLocks):
        assert await _keys_of(conversation) == []  # nothing about it stays in Redis


async def test_a_replica_that_dies_holding_a_turn_blocks_the_conversation_one_lease_at_most():
    conversation = secrets.token_urlsafe(16)
    dead = RedisTurnLocks(REDIS, lease_seconds=0.5)
    alive = RedisTurnLocks(REDIS)
    try:
        held = dead.hold(conversation)
        await held.__aenter__()
        # The process dies: it neither renews its lease nor releases the turn.
        for task in asyncio.all_tasks():
            if task.get_coro().__qualname__.startswith("RedisTurnLocks._renew"):  # type: ignore[union-attr]
                task.cancel()
        async with asyncio.timeout(30):
            async with alive.hold(conversation):
                pass
        assert await _keys_of(conversation) == []
    finally:
        await dead.aclose()
        await alive.aclose()


async def test_a_waiter_that_gives_up_leaves_the_queue(replicas):
    conversation = secrets.token_urlsafe(16)
    first = replicas[0].hold(conversation)
    await first.__aenter__()
    waiter = asyncio.create_task(replicas[1].hold(conversation).__aenter__())
    await asyncio.sleep(0.2)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await first.__aexit__(None, None, None)
    async with asyncio.timeout(30):
        async with replicas[1].hold(conversation):
            pass
    if isinstance(replicas[0], RedisTurnLocks):
        await asyncio.sleep(0.1)  # the cancelled waiter's release is shielded, not awaited
        assert await _keys_of(conversation) == []


def _slow_rasa(seconds: float) -> RasaClient:
    async def answer(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(seconds)
        said = json.loads(request.content)["message"]
        return httpx.Response(200, json=[{"text": f"answer to {said}"}])
    return RasaClient("http://rasa.test", transport=httpx.MockTransport(answer))


def _cores(tmp_path: Path, locks: list[TurnLocks]) -> list[ConversationCore]:
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    return [ConversationCore(store=ConversationStore(sessions), rasa=_slow_rasa(0.3),
                             resolver=LanguageResolver(), known_intents=frozenset({"greet"}),
                             turns=lock) for lock in locks]


async def test_two_replicas_never_interleave_one_conversations_transcript(tmp_path, replicas):
    cores = _cores(tmp_path, replicas)
    info = cores[0].store.open(channel="web", language="en")
    texts = ["we are a cooperative", "in Tunisia", "we need a loan", "for an olive press"]
    await asyncio.gather(*(cores[i % 2].handle(InboundMessage(info.id, text, language_hint="en"))
                           for i, text in enumerate(texts)))
    with cores[0].store.sessions() as session:
        rows = session.scalars(select(ConversationMessage).where(
            ConversationMessage.conversation_id == info.id).order_by(ConversationMessage.id))
        transcript = [(row.direction, row.text) for row in rows]
    assert [d for d, _ in transcript] == ["in", "out"] * 4
    for (_, said), (_, answer) in zip(transcript[::2], transcript[1::2], strict=True):
        assert answer == f"answer to {said}"


async def test_without_the_lock_store_a_message_is_kept_and_the_user_told(tmp_path):
    unreachable = RedisTurnLocks("redis://127.0.0.1:1/0")
    core = _cores(tmp_path, [unreachable])[0]
    info = core.store.open(channel="web", language="en")
    result = await core.handle(InboundMessage(info.id, "we need a loan", language_hint="en"))
    assert [r.text for r in result.replies] == [locale_text("engine_unavailable", "en")]
    assert core.store.transcript(info.id) == [("in", "we need a loan", False)]
    await unreachable.aclose()
