"""Load benchmark: `./iesmed bench load [--conversations 200] [--kill-rasa-after 10s]`.

Starts its own stack (action server, Rasa, bot, under the supervisor that restarts what
crashes) on a fresh SQLite catalogue and tracker store, then plays hundreds of web-chat
users at once over loopback: each opens a conversation in one of the nine languages and
sends messages taken from the training examples of intents that neither start a form
nor call a broker (greetings, help, events, privacy, thanks, "are you a bot?"), with a
think time between them. Told by the apology that the assistant is unavailable, a user
waits a while before writing again, as the apology asks.

With --kill-rasa-after, Rasa is killed with SIGKILL at that moment of the run; every user
then goes on until the assistant has answered them again after its restart.

Afterwards it counts, in the bot's transcript and in Rasa's tracker store, that every
message a user sent was answered or the user was told (the apology, the message kept as
undelivered), none lost and none answered twice, and prints those figures with the
latency each user saw.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import yaml
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.config import Settings
from bot.core.locales import LANGUAGE_NAMES
from bot.core.locales import text as locale_text
from catalog.db import make_engine
from catalog.models import ConversationMessage
from ops.errors import LaunchError
from ops.paths import project_root

if TYPE_CHECKING:
    from ops.stack import Ports
    from ops.supervisor import Supervisor

# Intents whose answers neither open a form nor hand the conversation to a broker.
INTENTS = ("greet", "ask_help", "ask_events", "ask_privacy", "thank", "challenge_bot")
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def example_messages(lang: str) -> list[str]:
    """Return the training examples of the harmless intents in one language."""
    data = yaml.safe_load((project_root() / "nlu" / lang / "nlu.yml").read_text("utf-8"))
    found: list[str] = []
    for block in data.get("nlu", []):
        if block.get("intent") in INTENTS:
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip().removeprefix("- ").strip()
                if line:
                    found.append(_ANNOTATION.sub(lambda m: m.group(1) or m.group(2), line))
    return found


@dataclass
class Sent:
    """One message a simulated user sent, and what they saw."""

    text: str
    at: float  # seconds since the start of the run
    latency: float
    apology: bool = False
    error: str | None = None


@dataclass
class User:
    """A simulated user and the messages they sent, in order."""

    lang: str
    conversation_id: str = ""
    sent: list[Sent] = field(default_factory=list)
    error: str | None = None


@dataclass
class Clock:
    """When the run started and when Rasa was killed and came back."""

    start: float = field(default_factory=time.monotonic)
    killed: float | None = None
    back: float | None = None

    def now(self) -> float:
        """Return the seconds since the start of the run."""
        return time.monotonic() - self.start


async def play(user: User, client: httpx.AsyncClient, clock: Clock, *, messages: int,
               think: float, retry_after: float, kill: bool, deadline: float) -> None:
    """Open a conversation and send messages until done (answered again after a restart)."""
    rng = random.Random()  # noqa: S311 - think times, not security
    pool = example_messages(user.lang)
    rng.shuffle(pool)
    # In any language: the conversation may have switched to another one meanwhile.
    apologies = [[locale_text("engine_unavailable", lang)] for lang in LANGUAGE_NAMES]
    await asyncio.sleep(rng.uniform(0, think))
    try:
        opened = await client.post("/api/conversations", json={"language": user.lang})
        opened.raise_for_status()
        user.conversation_id = opened.json()["conversation_id"]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        user.error = f"open: {type(exc).__name__}"
        return
    answered_after_restart = False
    while pool and clock.now() < deadline:
        done = len(user.sent) >= messages
        if done and (not kill or answered_after_restart):
            return
        text = pool.pop()
        sent = Sent(text, clock.now(), 0.0)
        begun = time.monotonic()
        try:
            response = await client.post(
                f"/api/conversations/{user.conversation_id}/messages", json={"text": text})
            sent.latency = time.monotonic() - begun
            if response.status_code != 200:
                sent.error = f"HTTP {response.status_code}"
            else:
                replies = [r.get("text") for r in response.json().get("replies", [])]
                sent.apology = replies in apologies
        except (httpx.HTTPError, ValueError) as exc:
            sent.latency = time.monotonic() - begun
            sent.error = type(exc).__name__
        user.sent.append(sent)
        if (not sent.apology and sent.error is None and clock.back is not None
                and sent.at > clock.back):
            answered_after_restart = True
        pause = retry_after if sent.apology else think
        await asyncio.sleep(rng.uniform(0.5 * pause, 1.5 * pause))


@dataclass
class Figures:
    """What the transcript and the tracker store say about the messages sent."""

    sent: int = 0
    http_errors: int = 0
    answered: int = 0
    apologised: int = 0
    lost: int = 0
    duplicated: int = 0
    answered_without_rasa: int = 0  # the bot's own answer (e.g. which language?)
    kept_but_handled: int = 0  # apologised, yet Rasa handled it (killed before answering)
    answered_later: int = 0  # apologised, then answered once Rasa was back
    disagreements: int = 0  # the user saw an apology where the database says answered, or back
    details: list[str] = field(default_factory=list)  # which messages were lost, duplicated...

    def note(self, what: str, user: User, sent: Sent) -> None:
        """Remember one message that was not simply answered or apologised for."""
        self.details.append(f"{what}: conversation {user.conversation_id} at {sent.at:.1f} s "
                            f"({'apology' if sent.apology else sent.error or 'answer'} shown)")


_Transcript = dict[str, list[tuple[str, str, bool]]]


def count(users: list[User], database_url: str, tracker_path: Path) -> Figures:
    """Compare what each user sent with the transcript and Rasa's tracker store."""
    figures = Figures()
    rows = _transcript(database_url)
    tracked = _handled_by_rasa(tracker_path)
    for user in users:
        _count_user(figures, user, rows.get(user.conversation_id, []),
                    tracked.get(user.conversation_id, Counter()))
    return figures


def _transcript(database_url: str) -> _Transcript:
    """Every conversation's messages in order: direction, text, whether delivered."""
    engine = make_engine(database_url)
    rows: _Transcript = {}
    table = ConversationMessage.__table__
    with engine.connect() as connection:
        for cid, direction, said, delivered in connection.execute(
                select(table.c.conversation_id, table.c.direction, table.c.text,
                       table.c.delivered).order_by(table.c.id)):
            rows.setdefault(cid, []).append((direction, said, bool(delivered)))
    engine.dispose()
    return rows


def _handled_by_rasa(tracker_path: Path) -> dict[str, Counter[str]]:
    """How many times Rasa's tracker store holds each user text, per conversation."""
    tracked: dict[str, Counter[str]] = {}
    with sqlite3.connect(tracker_path) as tracker:
        for sender, data in tracker.execute(
                "SELECT sender_id, data FROM events WHERE type_name = 'user'"):
            tracked.setdefault(sender, Counter())[str(json.loads(data).get("text") or "")] += 1
    return tracked


def _turns(rows: list[tuple[str, str, bool]]
           ) -> tuple[dict[str, tuple[bool, bool]], Counter[str]]:
    """Each user message, whether it was delivered, and whether answers were recorded
    after it before the next one; and how many times each was recorded."""
    turns: dict[str, tuple[bool, bool]] = {}
    recorded: Counter[str] = Counter()
    last = ""
    for direction, said, delivered in rows:
        if direction == "in":
            recorded[said] += 1
            turns[said] = (delivered, False)
            last = said
        elif last:
            turns[last] = (turns[last][0], True)
    return turns, recorded


def _count_user(figures: Figures, user: User, rows: list[tuple[str, str, bool]],
                handled: Counter[str]) -> None:
    """Add one user's messages to the figures."""
    figures.sent += len(user.sent)
    figures.http_errors += sum(1 for s in user.sent if s.error)
    turns, recorded = _turns(rows)
    for sent in user.sent:
        if recorded[sent.text] == 0:
            figures.lost += 1
            figures.note("not recorded", user, sent)
            continue
        if recorded[sent.text] > 1 or handled[sent.text] > 1:
            figures.duplicated += 1
            figures.note("recorded or handled twice", user, sent)
        delivered, replied = turns[sent.text]
        if delivered and replied and sent.apology:
            figures.answered_later += 1
        elif delivered and replied:
            figures.answered += 1
            figures.answered_without_rasa += handled[sent.text] == 0
        elif not delivered:
            figures.apologised += 1
            figures.kept_but_handled += handled[sent.text] >= 1
        else:
            figures.lost += 1  # marked delivered, yet no answer was recorded
            figures.note("marked delivered, no answer recorded", user, sent)
        if sent.error is None and not sent.apology and not delivered:
            figures.disagreements += 1
            figures.note("delivered" if delivered else "kept as undelivered", user, sent)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _seconds(value: str) -> float:
    return float(value.removesuffix("s"))


def _parser() -> argparse.ArgumentParser:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(prog="iesmed bench load", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--messages", type=int, default=8, help="per conversation, at least")
    parser.add_argument("--think", type=_seconds, default=5.0,
                        help="mean pause between a user's messages (seconds)")
    parser.add_argument("--retry-after", type=_seconds, default=30.0,
                        help="mean pause after the apology (seconds)")
    parser.add_argument("--kill-rasa-after", type=_seconds, default=None,
                        help="SIGKILL Rasa this long after the start (e.g. 10s)")
    parser.add_argument("--timeout", type=_seconds, default=900.0,
                        help="stop the users after this long (seconds)")
    return parser


def _start_stack(args: argparse.Namespace, work: Path, database: str,
                 supervisor: Supervisor) -> Ports:
    """Seed a fresh catalogue and start Rasa, the action server and the bot on free ports."""
    from ops.environments import engine_python
    from ops.stack import Ports, components, seed
    from ops.supervisor import free_port
    from ops.training import ensure_model

    settings = Settings(_env_file=None, IESMED_ENV="development",  # type: ignore[call-arg]
                        IESMED_DATA_DIR=work, DATABASE_URL=database, TRACKER_STORE_URL=None,
                        LOCK_STORE_URL=None, RASA_TOKEN=SecretStr(secrets.token_urlsafe(24)))
    python = engine_python()
    model = ensure_model(python)
    seed(database)
    ports = Ports(rasa=free_port(), actions=free_port(), bot=free_port())
    for component in components(settings=settings, ports=ports, engine_python=python,
                                model=model, run_dir=work / "run", log_dir=work / "logs"):
        # Only this run's stores, no channel of the operator's, no rate limit in the way.
        component.env.update({"TRACKER_STORE_URL": "", "LOCK_STORE_URL": "",
                              "TELEGRAM_TOKEN": "", "WHATSAPP_TOKEN": "",
                              "CHAT_CONVERSATIONS_BURST": str(args.conversations * 2),
                              "CHAT_CONVERSATIONS_PER_MINUTE": "100000"})
        supervisor.start(component)
    supervisor.watch()
    return ports


def main(argv: list[str]) -> int:
    """Run the load benchmark and print the figures; exit code 1 if anything was lost."""
    from ops.supervisor import Supervisor

    args = _parser().parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="iesmed-load-"))
    database = f"sqlite:///{work / 'iesmed.sqlite3'}"
    supervisor = Supervisor()
    try:
        ports = _start_stack(args, work, database, supervisor)
        rasa = next(c for c in supervisor.components if c.name == "rasa")
        print(f"load: {args.conversations} conversations, at least {args.messages} messages "
              f"each, think {args.think:g} s; logs in {work / 'logs'}", flush=True)
        users, clock = asyncio.run(_run(args, f"http://127.0.0.1:{ports.bot}", rasa,
                                        supervisor))
        _settle(database)
        figures = count(users, database, work / "rasa-tracker.sqlite3")
    except LaunchError as exc:
        print(f"iesmed: {exc}", file=sys.stderr)
        return 1
    finally:
        supervisor.stop()
    _report(users, clock, figures)
    return 1 if figures.lost or figures.duplicated or figures.http_errors else 0


def _settle(database_url: str, *, timeout: float = 60.0) -> None:
    """Wait (a while) for the bot to answer the messages it kept while Rasa was down."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                waiting = connection.scalar(select(func.count()).select_from(
                    ConversationMessage.__table__).where(ConversationMessage.pending.is_(True)))
            if not waiting:
                return
            time.sleep(1.0)
    finally:
        engine.dispose()


async def _run(args: argparse.Namespace, bot_url: str, rasa: object, supervisor: object
               ) -> tuple[list[User], Clock]:
    """Play every user at once; kill Rasa on time and note when it is back."""
    languages = list(LANGUAGE_NAMES)
    users = [User(languages[i % len(languages)]) for i in range(args.conversations)]
    clock = Clock()
    limits = httpx.Limits(max_connections=args.conversations + 10,
                          max_keepalive_connections=args.conversations + 10)
    async with httpx.AsyncClient(base_url=bot_url, timeout=120, limits=limits) as client:
        tasks = [asyncio.create_task(play(
            user, client, clock, messages=args.messages, think=args.think,
            retry_after=args.retry_after, kill=args.kill_rasa_after is not None,
            deadline=args.timeout)) for user in users]
        if args.kill_rasa_after is not None:
            await asyncio.sleep(args.kill_rasa_after)
            process = rasa.process  # type: ignore[attr-defined]
            os.killpg(process.pid, signal.SIGKILL)
            clock.killed = clock.now()
            print(f"load: Rasa killed at {clock.killed:.1f} s", flush=True)
            while clock.now() < args.timeout:
                await asyncio.sleep(0.5)
                current = rasa.process  # type: ignore[attr-defined]
                if current is not process and current.poll() is None and await _ready(rasa):
                    clock.back = clock.now()
                    print(f"load: Rasa back at {clock.back:.1f} s", flush=True)
                    break
        await asyncio.gather(*tasks)
    return users, clock


async def _ready(rasa: object) -> bool:
    """Return whether Rasa answers its health check with a loaded model."""
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            response = await client.get(rasa.health_url)  # type: ignore[attr-defined]
        return bool(rasa.ready(response))  # type: ignore[attr-defined]
    except httpx.HTTPError:
        return False


def _report(users: list[User], clock: Clock, figures: Figures) -> None:
    """Print the figures."""
    sent = [s for u in users for s in u.sent]
    answered = [s.latency for s in sent if not s.apology and s.error is None]
    apologies = [s.latency for s in sent if s.apology]
    duration = max((s.at + s.latency for s in sent), default=0.0)
    print(f"conversations {len(users)} (could not open: {sum(1 for u in users if u.error)}); "
          f"run {duration:.0f} s")
    if clock.killed is not None:
        back = f"{clock.back:.1f} s" if clock.back is not None else "never"
        after = sum(1 for u in users if any(
            not s.apology and s.error is None and clock.back is not None and s.at > clock.back
            for s in u.sent))
        print(f"rasa killed at {clock.killed:.1f} s, answering again at {back}; "
              f"{after} conversations answered again after the restart")
    print(f"messages sent {figures.sent}: answered {figures.answered}, "
          f"(by the bot itself {figures.answered_without_rasa}), "
          f"apologised then answered when Rasa was back {figures.answered_later}, "
          f"apologised and still kept {figures.apologised} (of which Rasa had handled "
          f"{figures.kept_but_handled}), lost {figures.lost}, duplicated {figures.duplicated}, "
          f"HTTP errors {figures.http_errors}, user view and database disagree "
          f"{figures.disagreements}")
    for line in figures.details[:20]:
        print(f"  {line}")
    print(f"latency answered: p50 {_percentile(answered, 0.5) * 1000:.0f} ms, "
          f"p95 {_percentile(answered, 0.95) * 1000:.0f} ms, "
          f"max {max(answered, default=0) * 1000:.0f} ms; "
          f"throughput {len(answered) / duration if duration else 0:.1f} answers/s")
    if apologies:
        print(f"latency apology: p50 {_percentile(apologies, 0.5) * 1000:.0f} ms, "
              f"p95 {_percentile(apologies, 0.95) * 1000:.0f} ms, "
              f"mean {statistics.fmean(apologies) * 1000:.0f} ms")
