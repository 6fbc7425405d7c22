"""A training through ops/engine_server.py reads the project once (ops/engine_training.py)."""

from __future__ import annotations

from tests.support.engine_checks import run_engine_check


def test_the_validation_and_the_training_share_one_reading_of_the_project() -> None:
    found = run_engine_check("engine_training_check.py")
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
