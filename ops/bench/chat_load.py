"""Conversations played against an assistant at a fixed concurrency, and process memory.

Two targets: the bare `rasa init` bot through Rasa's REST channel, and the product
through its chat API. Each simulated user opens a conversation, sends a short script
(one message after the other, no think time), then starts a new conversation, until
the level's time is up.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import httpx
import yaml

from bot.core.locales import LANGUAGE_NAMES
from bot.core.locales import text as locale_text
from ops.bench.chat_stats import Level
from ops.paths import project_root

# The product's script: greeting, a need, "yes", thanks, events (the mix).
PRODUCT_INTENTS = ("greet", "need_funding", "affirm", "thank", "ask_events")
# The bare bot's script, in the words of `rasa init`'s own training data.
BARE_SCRIPT = (("hello", "hey there", "good morning", "hi"),
               ("I am feeling very good", "I am sad", "great", "very sad"),
               ("yes", "indeed", "of course", "sounds good"),
               ("bye", "goodbye", "see you later", "good night"))
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def examples(lang: str, intent: str, root: Path | None = None) -> list[str]:
    """Return the training examples of ``intent`` in language ``lang``, annotations removed."""
    path = (root or project_root()) / "nlu" / lang / "nlu.yml"
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    found: list[str] = []
    for block in data.get("nlu", []):
        if block.get("intent") == intent:
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip().removeprefix("- ").strip()
                if line:
                    found.append(_ANNOTATION.sub(lambda m: m.group(1) or m.group(2), line))
    return found


class Poster(Protocol):
    """Posts JSON and returns (HTTP status, the answer's JSON or None)."""

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """Post ``body`` to ``path``."""


class _AiohttpPoster:
    """The load generator's client: aiohttp, over kept-alive connections.

    It shares the machine's two cores with the assistant it measures; aiohttp spends
    about a quarter of the CPU httpx spends per request (docs/DECISIONS.md, session 12).
    """

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        async with self._session.post(self._base_url + path, json=body) as response:
            content = await response.read()
            return response.status, _json_or_none(content)


class _HttpxPoster:
    """The same through httpx, for a test's stand-in transport."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        response = await self._client.post(path, json=body)
        return response.status_code, _json_or_none(response.content)


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


# What a failed request raises, whichever client made it.
_FAILURES = (httpx.HTTPError, aiohttp.ClientError, TimeoutError, OSError, ValueError,
             KeyError, TypeError)


class Target(Protocol):
    """An assistant to play conversations against."""

    steps: int

    async def open(self, client: Poster, index: int) -> str:
        """Start conversation number ``index``; return its handle."""

    async def send(self, client: Poster, handle: str, index: int, step: int
                   ) -> str | None:
        """Send the script's ``step``-th message; return None if answered, else what failed."""


@dataclass
class BareTarget:
    """The bare assistant's REST channel: a new sender id is a new conversation."""

    steps: int = len(BARE_SCRIPT)

    async def open(self, client: Poster, index: int) -> str:
        """Make up a sender id (Rasa creates the tracker on the first message)."""
        return f"bench-{index}-{uuid.uuid4().hex[:8]}"

    async def send(self, client: Poster, handle: str, index: int, step: int
                   ) -> str | None:
        """Post one message to the REST webhook; an empty answer is a failure."""
        choices = BARE_SCRIPT[step]
        status, answer = await client.post("/webhooks/rest/webhook", {
            "sender": handle, "message": choices[index % len(choices)]})
        if status != 200:
            return f"HTTP {status}"
        return None if answer else "no reply"


@dataclass
class ProductTarget:
    """The product's chat API, conversations in every language in turn."""

    languages: tuple[str, ...] = tuple(LANGUAGE_NAMES)
    steps: int = len(PRODUCT_INTENTS)
    _texts: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _apologies: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for lang in self.languages:
            self._apologies.add(locale_text("engine_unavailable", lang))
            for intent in PRODUCT_INTENTS:
                self._texts[(lang, intent)] = examples(lang, intent) or [intent]

    def message(self, index: int, step: int) -> tuple[str, str]:
        """Return (language, text) of conversation ``index``'s ``step``-th message."""
        lang = self.languages[index % len(self.languages)]
        pool = self._texts[(lang, PRODUCT_INTENTS[step])]
        return lang, pool[(index // len(self.languages)) % len(pool)]

    async def open(self, client: Poster, index: int) -> str:
        """Open a web-chat conversation in the conversation's language."""
        lang, _ = self.message(index, 0)
        status, answer = await client.post("/api/conversations", {"language": lang})
        if not 200 <= status < 300:
            raise ValueError(f"HTTP {status}")
        return str(answer["conversation_id"])

    async def send(self, client: Poster, handle: str, index: int, step: int
                   ) -> str | None:
        """Post one message; the "assistant unavailable" apology or no reply is a failure."""
        _, text = self.message(index, step)
        status, answer = await client.post(f"/api/conversations/{handle}/messages",
                                           {"text": text})
        if status != 200:
            return f"HTTP {status}"
        replies = [str(r.get("text") or "") for r in (answer or {}).get("replies", [])]
        if not replies:
            return "no reply"
        return "apology: assistant unavailable" if replies[0] in self._apologies else None


async def run_level(target: Target, base_url: str, concurrency: int, seconds: float,
                    *, first_index: int = 0, timeout: float = 60.0,
                    transport: httpx.AsyncBaseTransport | None = None) -> Level:
    """Play ``concurrency`` users at once for ``seconds``; return what they measured."""
    level = Level(concurrency)

    async def play(client: Poster) -> None:
        started = time.monotonic()
        stop = started + seconds
        await asyncio.gather(*(_user(target, client, level, first_index + worker,
                                     concurrency, stop) for worker in range(concurrency)))
        level.seconds = time.monotonic() - started

    if transport is not None:
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout,
                                     transport=transport) as stand_in:
            await play(_HttpxPoster(stand_in))
        return level
    async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout),
            connector=aiohttp.TCPConnector(limit=concurrency + 4)) as session:
        await play(_AiohttpPoster(session, base_url))
    return level


async def _user(target: Target, client: Poster, level: Level, index: int,
                stride: int, stop: float) -> None:
    """One simulated user: conversation after conversation until ``stop``."""
    while time.monotonic() < stop:
        try:
            handle = await target.open(client, index)
        except _FAILURES as exc:
            _failed(level, f"open: {type(exc).__name__} {exc}"[:200])
            await asyncio.sleep(0.2)
            continue
        for step in range(target.steps):
            if time.monotonic() >= stop:
                break
            begun = time.monotonic()
            try:
                failure = await target.send(client, handle, index, step)
            except _FAILURES as exc:
                failure = f"{type(exc).__name__} {exc}"[:200]
            if failure is None:
                level.latencies.append(time.monotonic() - begun)
            else:
                _failed(level, failure)
        index += stride


def _failed(level: Level, what: str) -> None:
    level.errors += 1
    if len(level.error_samples) < 20:
        level.error_samples.append(what)


async def first_answer(target: Target, base_url: str, deadline: float) -> bool:
    """Wait until the assistant answers a first message (polling until ``deadline``)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        client = _AiohttpPoster(session, base_url)
        while time.monotonic() < deadline:
            try:
                handle = await target.open(client, 0)
                if await target.send(client, handle, 0, 0) is None:
                    return True
            except _FAILURES:
                pass
            await asyncio.sleep(0.2)
    return False


def _parents() -> dict[int, int]:
    """Return {pid: parent pid} of every process (Linux /proc)."""
    found: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            found[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def descendants(pid: int, parents: dict[int, int]) -> set[int]:
    """Return ``pid`` and every process below it in ``parents`` ({pid: parent pid})."""
    tree = {pid}
    grew = True
    while grew:
        below = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= below
        grew = bool(below)
    return tree


def rss_mb(pid: int, *, children: bool = True) -> float:
    """Return the resident memory of ``pid`` and (unless not ``children``) its children,
    in MB (0 if gone)."""
    total = 0
    for member in (descendants(pid, _parents()) if children else {pid}):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) ``pid`` and its children have used, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in descendants(pid, _parents()):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks
