"""The bare `rasa init` assistant the chat benchmark compares the product with.

Built once per engine environment (keyed like it, on requirements/rasa.lock) under the
user cache, with the same Rasa 3.6 engine as the product; served through Rasa's REST
channel with its default (in-memory) tracker and lock stores.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ops.errors import LaunchError
from ops.paths import cache_dir, project_root
from ops.supervisor import Component
from ops.training import one_training_at_a_time

ENGINE_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
              "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONUNBUFFERED": "1"}


@dataclass(frozen=True)
class BareBot:
    """A built bare assistant: its project folder, its model, how long `rasa init` took."""

    project: Path
    model: Path
    init_seconds: float


def fingerprint() -> str:
    """Return what the bare assistant depends on: the engine's pinned libraries."""
    lock = (project_root() / "requirements" / "rasa.lock").read_bytes()
    return hashlib.sha256(lock).hexdigest()[:12]


def ensure_bare(python: Path, *, log: Path) -> BareBot:
    """Return the bare assistant, running `rasa init --no-prompt` (which trains) if needed.

    Raises:
        LaunchError: `rasa init` failed.
    """
    home = cache_dir() / "bench" / f"bare-{fingerprint()}"
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        meta = home / "built.json"
        if meta.exists():
            built = json.loads(meta.read_text())
            model = home / "project" / "models" / built["model"]
            if model.exists():
                return BareBot(home / "project", model, float(built["init_seconds"]))
        project = home / "project"
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir()
        with one_training_at_a_time():
            seconds = _timed([str(python), "-m", "rasa", "init", "--no-prompt"], project, log,
                             "rasa init")
        models = sorted((project / "models").glob("*.tar.gz"))
        if not models:
            raise LaunchError(f"bench: `rasa init` trained no model (see {log})")
        meta.write_text(json.dumps({"model": models[-1].name, "init_seconds": seconds}))
        return BareBot(project, models[-1], seconds)


def train_from_scratch(python: Path, project: Path, *, log: Path) -> float:
    """Train the bare assistant again into a scratch folder; return the wall time in seconds.

    Raises:
        LaunchError: training failed.
    """
    with tempfile.TemporaryDirectory(prefix="iesmed-bare-train-") as out, \
            one_training_at_a_time():
        return _timed([str(python), "-m", "rasa", "train", "--force", "--out", out],
                      project, log, "rasa train (bare)")


def _timed(argv: list[str], cwd: Path, log: Path, what: str) -> float:
    """Run a command with its output in ``log``; return its wall time.

    Raises:
        LaunchError: the command failed.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log, "ab") as out:
        code = subprocess.call(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                               env={**os.environ, **ENGINE_ENV})
    if code != 0:
        raise LaunchError(f"bench: {what} failed with code {code} (see {log})")
    return time.monotonic() - started


def component(python: Path, bot: BareBot, port: int, log_dir: Path) -> Component:
    """Describe the bare assistant's Rasa server (REST channel, `rasa init`'s own files)."""
    return Component(
        name="bare rasa",
        argv=[str(python), "-m", "rasa", "run", "--model", str(bot.model),
              "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
              "--interface", "127.0.0.1", "--port", str(port)],
        health_url=f"http://127.0.0.1:{port}/",
        log_path=log_dir / "bare-rasa.log", env=dict(ENGINE_ENV), cwd=bot.project,
        start_timeout=300)
