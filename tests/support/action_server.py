"""Real action-server processes (actions/server.py) on a database, and their webhook."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_action_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start one action server as the launcher does (actions/server.py) on a free port,
    with ``env`` added to this process's environment; return it and its base URL."""
    port = _free_port()
    with open(log, "wb") as out:  # the child process owns it
        process = subprocess.Popen(
            [sys.executable, "-m", "actions.server", "--actions", "actions", "--port",
             str(port)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
                           **env},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return process, f"http://127.0.0.1:{port}"


def wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path,
                 deadline: float) -> None:
    """Wait until the action server at ``url`` answers /health; fail with its log if it
    stops or ``deadline`` (time.monotonic()) passes."""
    with httpx.Client(timeout=2.0) as client:
        while True:
            assert process.poll() is None, log.read_text()[-2000:]
            try:
                if client.get(f"{url}/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the action server did not start"
            time.sleep(0.3)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop action servers started by `start_action_server` (their whole process groups)."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def action_servers(database_url: str, log_dir: Path, count: int = 2) -> Iterator[list[str]]:
    """Start ``count`` action servers on one database; yield their webhook URLs."""
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for i in range(count):
            log = log_dir / f"actions-{i}.log"
            started.append((*start_action_server({"DATABASE_URL": database_url}, log), log))
        deadline = time.monotonic() + 90
        for process, url, log in started:
            wait_healthy(process, url, log, deadline)
        yield [f"{url}/webhook" for _, url, _ in started]
    finally:
        stop([process for process, _, _ in started])


def call(action: str, sender: str, *, slots: dict[str, Any] | None = None,
         entities: list[dict[str, Any]] | None = None, intent: str = "",
         language: str = "en") -> dict[str, Any]:
    """Return the body Rasa posts to the action server to run ``action`` for ``sender``."""
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {"language": language, **(slots or {})},
            "latest_message": {"text": f"/{intent}" if intent else "", "entities": entities or [],
                               "intent": {"name": intent, "confidence": 1.0},
                               "metadata": {"language": language, "channel": "web"}},
            "latest_event_time": time.time(), "followup_action": None, "paused": False,
            "events": [], "latest_input_channel": "rest", "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
