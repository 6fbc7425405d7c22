"""A training through ops/engine_server.py reads the project once (ops/engine_training.py)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_validation_and_the_training_share_one_reading_of_the_project() -> None:
    from ops.environments import engine_python

    done = subprocess.run(
        [str(engine_python()), str(ROOT / "tests" / "support" / "engine_training_check.py")],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}, check=False)
    if done.returncode != 0:
        pytest.fail((done.stdout + done.stderr)[-3000:])
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["valid"]
    # `rasa train` asks for a second importer with extra arguments: it gets the first one,
    # and the domain file is parsed once (four times without the change).
    assert found["same_importer"]
    assert found["domain_parsed"] == 1
    # What the training reads is the project's.
    assert found["intents"] == ["greet"]
    assert found["rules"] == 1
    assert found["responses"] == ["utter_greet"]
    # Other files, or a config with its own importers, are read on their own.
    assert found["other_paths_other_importer"]
    assert found["importers_section_not_shared"]
