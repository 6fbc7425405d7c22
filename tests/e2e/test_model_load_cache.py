"""A model trained through ops/engine_server.py, as the launcher trains it, loads from the
kept domain and CRF taggers."""

from __future__ import annotations

from tests.support.engine_checks import run_engine_check


def test_a_model_loads_the_same_from_the_kept_copies_as_from_its_own_files() -> None:
    found = run_engine_check("model_load_check.py", timeout=900)
    # Training kept the parsed domain and the CRF taggers under the model files' digests.
    # The CRF was fitted in a child process, whose taggers were waited for: both copies
    # are whole. Rasa's training cache, which iesmed never reuses, stored nothing.
    assert found["kept"] == {"domains": 1, "crf_files": 1, "crf_by_data": 1,
                             "partial_files": 0, "rasa_cache_entries": 0}
    # Loaded from them, the model is the one Rasa's own reading gives.
    assert found["from_kept"] == found["from_rasa"]
    assert found["from_kept"]["intents"][0] == "greet"
    assert "utter_greet" in found["from_kept"]["domain"]["responses"]
    assert found["kept_again"] == 1  # a load without the copies keeps them again
