"""The model is retrained when what it is built from changes, and never for tooling edits."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ops.rasa_project import build
from ops.training import fingerprint, inputs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """Copy the parts of the checkout that training and tooling live in."""
    copy = tmp_path / "checkout"
    for folder in ("nlu", "dialogues", "requirements", "ops", "bot"):
        shutil.copytree(ROOT / folder, copy / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _append(path: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        with (root / path).open("a", encoding="utf-8") as file:
            file.write(text)
    return edit


def _replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        content = (root / path).read_text("utf-8")
        assert old in content
        (root / path).write_text(content.replace(old, new, 1), "utf-8")
    return edit


def _move(path: str, to: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        (root / path).rename(root / to)
    return edit


def test_a_copy_of_the_checkout_elsewhere_has_the_same_fingerprint(checkout):
    assert fingerprint(checkout) == fingerprint(ROOT)


@pytest.mark.parametrize("edit", [
    _append("ops/training.py", "\n# a comment in the training tooling\n"),
    _append("ops/rasa_project.py", "\n\ndef helper() -> None:\n    pass\n"),
    _append("ops/cli.py", "\n# the command line changed\n"),
    _move("ops/cli.py", "ops/command_line.py"),
    _append("bot/serve.py", "\n# runtime code is not in the model either\n"),
    _append("nlu/en/terms.yml", "\n# read by the actions at run time, not by training\n"),
    _append("nlu/en/responses.yml", "\n# a comment the built domain does not keep\n"),
], ids=["training tooling", "project builder", "cli", "cli moved", "runtime",
        "extraction terms", "comment in responses"])
def test_edits_outside_the_built_project_keep_the_fingerprint(checkout, edit):
    before = fingerprint(checkout)
    edit(checkout)
    assert fingerprint(checkout) == before


@pytest.mark.parametrize("edit", [
    _append("nlu/en/nlu.yml", "- we run a small bakery cooperative\n"),
    _replace("nlu/fr/responses.yml", "text: \"", "text: \"Bonjour ! "),
    _replace("dialogues/domain.yml", "intents:", "intents:\n  - ask_weather"),
    _append("dialogues/rules.yml", "\n# rules data changed\n"),
    _replace("nlu/config.yml", "threshold: 0.3", "threshold: 0.35"),
    _append("nlu/patterns.yml", "\n# patterns changed\n"),
    _append("nlu/components/text_features.py", "\n# the classifier's features changed\n"),
    _append("requirements/rasa.lock", "\n# the engine's pins changed\n"),
], ids=["training example", "french reply", "domain", "rules", "pipeline config", "patterns",
        "custom component", "engine lock"])
def test_edits_to_what_the_model_is_built_from_change_the_fingerprint(checkout, edit):
    before = fingerprint(checkout)
    edit(checkout)
    assert fingerprint(checkout) != before


def test_the_fingerprinted_project_is_the_one_written_for_training(checkout, tmp_path):
    built = build(tmp_path / "project", checkout)
    written = {str(path.relative_to(built)): path.read_bytes()
               for path in built.rglob("*") if path.is_file()}
    hashed = {name.removeprefix("project/"): content
              for name, content in inputs(checkout).items() if name.startswith("project/")}
    assert written == hashed
