"""The intent classifier in the engine environment: trained, stored, loaded, ranked."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_classifier_ranks_intents_with_confidences_as_scikit_learn_would() -> None:
    from ops.environments import engine_python

    done = subprocess.run(
        [str(engine_python()), str(ROOT / "tests" / "support" / "intent_classifier_check.py")],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}, check=False)
    if done.returncode != 0:
        pytest.fail(done.stderr[-3000:])
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["intents"] == ["greet", "ask_funding", "goodbye", "ask_funding"]
    for ranking in found["rankings"]:
        names = [name for name, _ in ranking]
        confidences = [confidence for _, confidence in ranking]
        assert sorted(names) == ["ask_funding", "goodbye", "greet"]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) == pytest.approx(1.0)
    assert min(found["top_confidence"][:3]) > 0.5
    # The faster fit minimises scikit-learn's objective: the same probabilities.
    assert found["classes_match"]
    assert found["max_probability_gap"] < 1e-3
    # Scores computed row by row are scikit-learn's transform times the coefficients.
    assert found["row_scores_gap"] < 1e-9
