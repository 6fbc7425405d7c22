"""The product's processes and their wiring, shared by `iesmed run` and the end-to-end tests."""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import yaml

from bot.config import Settings
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.seed import SEED_FILE, load_file, upsert_catalogue
from ops.paths import project_root
from ops.supervisor import Component


@dataclass(frozen=True)
class Ports:
    """Where each process listens."""

    rasa: int = 5005
    actions: int = 5055
    bot: int = 8080


def seed(database_url: str, seed_file: Path = SEED_FILE) -> dict[str, int]:
    """Migrate the catalogue database and upsert the seed catalogue into it."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        catalogue = load_file(seed_file)
        with make_session_factory(engine).begin() as session:
            return upsert_catalogue(session, catalogue)
    finally:
        engine.dispose()


def tracker_store(settings: Settings) -> dict[str, Any]:
    """Describe Rasa's tracker store: an SQLite file by default, PostgreSQL when configured."""
    if not settings.tracker_store_url:
        return {"type": "SQL", "dialect": "sqlite",
                "db": str(settings.data_dir / "rasa-tracker.sqlite3")}
    url = urlsplit(settings.tracker_store_url)
    # Rasa reads the host from `url` (it passes it as `host`: a `host` key too is refused).
    store: dict[str, Any] = {"type": "SQL", "dialect": url.scheme.split("+")[0],
                             "url": url.hostname or "127.0.0.1", "port": url.port or 5432,
                             "db": url.path.lstrip("/")}
    if url.username:
        store["username"] = unquote(url.username)
    if url.password:
        store["password"] = unquote(url.password)
    return store


def lock_store(settings: Settings) -> dict[str, Any]:
    """Describe Rasa's lock store: in memory for one worker, Redis when configured."""
    if not settings.lock_store_url:
        return {"type": "in_memory"}
    url = urlsplit(settings.lock_store_url)
    store: dict[str, Any] = {"type": "redis", "url": url.hostname or "127.0.0.1",
                             "port": url.port or 6379, "db": int(url.path.lstrip("/") or 0)}
    if url.password:
        store["password"] = unquote(url.password)
    return store


def write_rasa_files(run_dir: Path, settings: Settings, ports: Ports) -> tuple[Path, Path]:
    """Write Rasa's endpoints.yml and credentials.yml for this launch."""
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoints = run_dir / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({
        "action_endpoint": {"url": f"http://127.0.0.1:{ports.actions}/webhook"},
        "tracker_store": tracker_store(settings),
        "lock_store": lock_store(settings),
    }, sort_keys=False), "utf-8")
    credentials = run_dir / "credentials.yml"
    credentials.write_text(yaml.safe_dump({"rest": None}), "utf-8")
    return endpoints, credentials


def _rasa_ready(response: httpx.Response) -> bool:
    return response.status_code == 200 and bool(response.json().get("model_file"))


def components(*, settings: Settings, ports: Ports, engine_python: Path, model: Path,
               run_dir: Path, log_dir: Path) -> list[Component]:
    """Return Rasa, the action server and the bot, in start order."""
    root = project_root()
    endpoints, credentials = write_rasa_files(run_dir, settings, ports)
    # Rasa's HTTP API needs a token: the configured one, or a fresh one for this launch.
    token = (settings.rasa_token.get_secret_value() if settings.rasa_token
             else secrets.token_urlsafe(24))
    common = {"PYTHONPATH": str(root), "DATABASE_URL": settings.database,
              "IESMED_DATA_DIR": str(settings.data_dir), "PYTHONUNBUFFERED": "1"}
    if settings.tracker_store_url:
        common["TRACKER_STORE_URL"] = settings.tracker_store_url
    if settings.lock_store_url:  # the bot takes its per-conversation turn locks there too
        common["LOCK_STORE_URL"] = settings.lock_store_url
    return [
        Component(
            name="action server",
            # rasa-sdk's server in one process, not a manager and a worker (actions/server.py).
            argv=[sys.executable, "-m", "actions.server", "--actions", "actions",
                  "--port", str(ports.actions)],
            health_url=f"http://127.0.0.1:{ports.actions}/health",
            # Only Rasa calls the action server: it listens on loopback.
            # IESMED_WARM_UP: the worker builds every language's matchers while Rasa loads.
            log_path=log_dir / "actions.log",
            env={**common, "SANIC_HOST": "127.0.0.1", "IESMED_WARM_UP": "1"},
            cwd=root, start_timeout=60),
        Component(
            name="rasa",
            # Rasa's own command line, through the wrapper that removes its per-message
            # repeats and its TensorFlow import (ops/engine_server.py, docs/DECISIONS.md).
            argv=[str(engine_python), "-m", "ops.engine_server", "run", "--enable-api",
                  "--model", str(model),
                  # One argument: a token may start with "-" (token_urlsafe's alphabet).
                  f"--auth-token={token}",
                  "--endpoints", str(endpoints), "--credentials", str(credentials),
                  "--interface", "127.0.0.1", "--port", str(ports.rasa)],
            health_url=f"http://127.0.0.1:{ports.rasa}/status?token={token}",
            log_path=log_dir / "rasa.log",
            env={**common, "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                 "RASA_TELEMETRY_ENABLED": "false"},
            cwd=run_dir, start_timeout=240, ready=_rasa_ready),
        Component(
            name="bot",
            argv=[sys.executable, "-m", "bot.serve"],
            health_url=f"http://127.0.0.1:{ports.bot}/healthz",
            log_path=log_dir / "bot.log",
            env={**common, "BOT_PORT": str(ports.bot), "BOT_HOST": "127.0.0.1",
                 "RASA_URL": f"http://127.0.0.1:{ports.rasa}", "RASA_TOKEN": token},
            cwd=root, start_timeout=60),
    ]
