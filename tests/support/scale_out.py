"""The scale-out configuration on this machine: two bot + Rasa + action server replicas
sharing one PostgreSQL catalogue, a PostgreSQL tracker store and a Redis lock store."""

from __future__ import annotations

import os
import random
import secrets
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bot.config import Settings
from ops.supervisor import Supervisor

ADMIN = "postgresql://root@127.0.0.1:5432/postgres"


@contextmanager
def throwaway_postgres(label: str) -> Iterator[str]:
    """Create an empty PostgreSQL database; yield its name; drop it afterwards."""
    name = f"iesmed_{label}_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Replica:
    """One bot, its Rasa server and its action server, watched by their own supervisor."""

    name: str
    bot_url: str
    rasa_url: str
    supervisor: Supervisor

    def restart_all(self) -> None:
        """Restart the action server, then Rasa, then the bot (each healthy before the next)."""
        for component in ("action server", "rasa", "bot"):
            self.supervisor.restart(component)


@dataclass
class ScaleOut:
    """Two replicas and the shared stores they use."""

    replicas: list[Replica]
    database_url: str  # the catalogue (SQLAlchemy URL)
    tracker_url: str  # Rasa's tracker store (SQLAlchemy URL)
    redis_url: str  # Rasa's lock store and the bot's turn locks
    data_dirs: list[Path] = field(default_factory=list)


def _start_replica(name: str, settings: Settings, data: Path, python: Path, model: Path,
                   out: dict[str, Replica], errors: list[BaseException]) -> None:
    from ops.stack import Ports, components
    from ops.supervisor import free_port

    ports = Ports(rasa=free_port(), actions=free_port(), bot=free_port())
    supervisor = Supervisor(report=lambda line: print(f"[{name}] {line}", flush=True))
    out[name] = Replica(name, f"http://127.0.0.1:{ports.bot}", f"http://127.0.0.1:{ports.rasa}",
                        supervisor)
    try:
        for component in components(settings=settings, ports=ports, engine_python=python,
                                    model=model, run_dir=data / "run", log_dir=data / "logs"):
            supervisor.start(component)
    except BaseException as exc:  # reported to the thread that waits for both
        errors.append(exc)


@contextmanager
def scale_out(base: Path, *, replicas: int = 2) -> Iterator[ScaleOut]:
    """Start the replicas at once (their Rasa servers load the model in parallel)."""
    from ops.environments import engine_python
    from ops.stack import seed
    from ops.training import ensure_model

    os.environ.setdefault("BROKER_HOURS", "mon-sun 00:00-24:00")
    os.environ.setdefault("RASA_TOKEN", secrets.token_urlsafe(24))
    python = engine_python()
    model = Path(os.environ["IESMED_MODEL"]) if os.environ.get("IESMED_MODEL") else \
        ensure_model(python)
    # A database of its own, most likely: another run may use Redis at the same time, so it
    # is not flushed (every key the stack writes is named after a random conversation id).
    redis_url = f"redis://127.0.0.1:6379/{random.randint(1, 15)}"
    with ExitStack() as stack:
        catalogue = stack.enter_context(throwaway_postgres("catalogue"))
        tracker = stack.enter_context(throwaway_postgres("tracker"))
        database_url = f"postgresql+psycopg://root@127.0.0.1:5432/{catalogue}"
        seed(database_url)
        started: dict[str, Replica] = {}
        errors: list[BaseException] = []
        threads, dirs = [], []
        for index in range(replicas):
            name = "AB"[index]
            data = base / f"replica-{name}"
            dirs.append(data)
            settings = Settings(_env_file=None, IESMED_ENV="test",  # type: ignore[call-arg]
                                IESMED_DATA_DIR=data, DATABASE_URL=database_url,
                                TRACKER_STORE_URL=f"postgresql://root@127.0.0.1:5432/{tracker}",
                                LOCK_STORE_URL=redis_url)
            threads.append(threading.Thread(target=_start_replica, args=(
                name, settings, data, python, model, started, errors)))
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if errors:
                raise errors[0]
            yield ScaleOut([started[n] for n in sorted(started)], database_url,
                           f"postgresql+psycopg://root@127.0.0.1:5432/{tracker}", redis_url,
                           dirs)
        finally:
            for replica in started.values():
                replica.supervisor.stop()
