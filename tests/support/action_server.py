"""Real action-server processes (rasa_sdk serving actions/) on a database, and their webhook."""

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


@contextmanager
def action_servers(database_url: str, log_dir: Path, count: int = 2) -> Iterator[list[str]]:
    """Start ``count`` action servers on one database; yield their webhook URLs."""
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
           "PYTHONUNBUFFERED": "1"}
    try:
        for i in range(count):
            port = _free_port()
            log = open(log_dir / f"actions-{i}.log", "wb")  # the child process owns it
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "actions.server", "--actions", "actions", "--port",
                 str(port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True))
            log.close()
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 90
        with httpx.Client(timeout=2.0) as client:
            for url, process in zip(urls, processes, strict=True):
                while True:
                    assert process.poll() is None, (log_dir / "actions-0.log").read_text()[-2000:]
                    try:
                        if client.get(f"{url}/health").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    assert time.monotonic() < deadline, "the action server did not start"
                    time.sleep(0.3)
        yield [f"{url}/webhook" for url in urls]
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


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
