"""Rasa through ops/engine_server.py: actions get the same domain, sent once; answers checked."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ops.supervisor import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_domain_goes_once_and_again_after_a_restart_and_answers_are_checked() -> None:
    from ops.environments import engine_python

    done = subprocess.run(
        [str(engine_python()), str(ROOT / "tests" / "support" / "engine_wrapper_check.py"),
         str(free_port())], capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}, check=False)
    if done.returncode != 0:
        pytest.fail(done.stderr[-3000:])
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # Each answer gives the utterance's BotUttered event; a malformed answer is refused.
    assert found["results"] == ["1 events", "1 events", "1 events", "1 events",
                                "ValidationError", "1 events"]
    seen = found["seen"]
    digests = {s["digest"] for s in seen}
    assert len(digests) == 1 and None not in digests
    # First call with the domain, then without; after the restart: 449, resent with it.
    # A form's validator (`validate_*`, to which Rasa adds the domain) gets the digest only.
    assert [s["domain"] for s in seen] == [True, False, False, True, False, False, False]
    assert found["domain_ok"]
    assert len({s["port"] for s in seen}) == 1  # one kept-alive connection for every call
    assert found["events"] == ["UserUttered", "SlotSet", "UserUttered", "BotUttered", "SlotSet",
                               "ValueError"]
    assert found["journal"] == "wal/1"  # an SQLite tracker store writes ahead, synced NORMAL
    assert found["json"] == [True, True, True]  # request bodies read back as with json
    # CRF taggers trained once are read back from crfsuite's files, predicting the same.
    assert found["crfs"] == {"files": ["0.crfsuite"], "reused": True, "same": True}
