"""The action server as the launcher starts it: one process that warms up and serves."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.support.action_server import start_action_server, stop, wait_healthy


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def test_one_process_serves_the_actions_and_warms_every_language_up(tmp_path: Path) -> None:
    log = tmp_path / "actions.log"
    process, url = start_action_server(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'catalogue.sqlite3'}",
         "IESMED_CACHE_DIR": str(tmp_path / "cache"), "IESMED_WARM_UP": "1",
         "SANIC_HOST": "127.0.0.1"}, log)
    try:
        deadline = time.monotonic() + 90
        wait_healthy(process, url, log, deadline)
        # The actions it serves are the project's.
        listed = httpx.get(f"{url}/actions", timeout=5.0).json()
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
        stop([process])
