"""Run one of tests/support/*_check.py in the engine's environment (Python 3.10, Rasa 3.6)
and return the JSON it prints last."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_engine_check(script: str, *args: str, timeout: float = 300) -> Any:
    """Run ``tests/support/<script>`` with the engine's Python; fail the test on an error."""
    from ops.environments import engine_python

    done = subprocess.run(
        [str(engine_python()), str(ROOT / "tests" / "support" / script), *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"})
    if done.returncode != 0:
        pytest.fail(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])
