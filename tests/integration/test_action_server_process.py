"""The action server as the launcher starts it: one process that warms up and serves."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def test_one_process_serves_the_actions_and_warms_every_language_up(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'catalogue.sqlite3'}",
           "IESMED_CACHE_DIR": str(tmp_path / "cache"), "IESMED_WARM_UP": "1",
           "SANIC_HOST": "127.0.0.1"}
    log = tmp_path / "actions.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        with httpx.Client(timeout=2.0) as client:
            while True:
                assert process.poll() is None, log.read_text()[-2000:]
                try:
                    if client.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.3)
            # The actions it serves are the project's.
            listed = client.get(f"http://127.0.0.1:{port}/actions").json()
        assert {"validate_intake_form", "action_register_event"} <= {a["name"] for a in listed}
        # Serving is done by the process the launcher started, not by a worker it spawned.
        assert _children(process.pid) == []
        # The warm-up built the member-word forms of every language spaCy has a table for.
        forms = tmp_path / "cache" / "lemma-forms"
        while len(list(forms.glob("member-forms-*.json"))) < 7:
            assert time.monotonic() < deadline + 120, sorted(p.name for p in forms.glob("*"))
            time.sleep(0.5)
        languages = {p.name.split("-")[2] for p in forms.glob("member-forms-*.json")}
        assert languages == {"ca", "es", "fr", "it", "pt", "tr", "en"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
