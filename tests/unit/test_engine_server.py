"""The Rasa wrapper's decisions: which model may be served without TensorFlow, and how."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

from ops.engine_imports import config_needs_tensorflow, model_needs_tensorflow
from ops.engine_server import config_argument, model_argument
from ops.stack import Ports, components

OURS = ["rasa.nlu.tokenizers.whitespace_tokenizer.WhitespaceTokenizer",
        "nlu.components.intent_classifier.TfidfIntentClassifier",
        "rasa.core.policies.rule_policy.RulePolicy"]


def _model(tmp_path: Path, uses: list[str], name: str = "model.tar.gz") -> Path:
    metadata = {"train_schema": {"nodes": {}},
                "predict_schema": {"nodes": {f"n{i}": {"uses": u} for i, u in enumerate(uses)}}}
    path = tmp_path / name
    with tarfile.open(path, "w:gz") as archive:
        data = json.dumps(metadata).encode()
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def test_only_a_model_of_known_components_goes_without_tensorflow(tmp_path: Path) -> None:
    assert not model_needs_tensorflow(_model(tmp_path, OURS))
    with_diet = [*OURS, "rasa.nlu.classifiers.diet_classifier.DIETClassifier"]
    assert model_needs_tensorflow(_model(tmp_path, with_diet, "diet.tar.gz"))
    unknown = [*OURS, "nlu.components.new_thing.NewThing"]
    assert model_needs_tensorflow(_model(tmp_path, unknown, "new.tar.gz"))
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model")
    assert model_needs_tensorflow(broken)


def test_training_goes_without_tensorflow_only_for_a_config_of_known_components(
        tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    assert not config_needs_tensorflow(root / "nlu" / "config.yml")  # the project's own
    config = tmp_path / "config.yml"
    ours = ("pipeline:\n  - name: WhitespaceTokenizer\n"
            "  - name: nlu.components.intent_classifier.TfidfIntentClassifier\n"
            "policies:\n  - name: RulePolicy\n")
    config.write_text(ours, "utf-8")
    assert not config_needs_tensorflow(config)
    config.write_text(ours + "  - name: TEDPolicy\n", "utf-8")
    assert config_needs_tensorflow(config)
    config.write_text(ours.replace("WhitespaceTokenizer", "DIETClassifier"), "utf-8")
    assert config_needs_tensorflow(config)
    config.write_text("language: en\n", "utf-8")  # Rasa's default pipeline: DIET and TED
    assert config_needs_tensorflow(config)
    config.write_text("pipeline: [", "utf-8")
    assert config_needs_tensorflow(config)


def test_the_training_config_is_read_from_rasas_command_line(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("pipeline: []\n", "utf-8")
    assert config_argument(["train", "--domain", "d.yml", "--config", str(config)]) == config
    assert config_argument(["train", f"--config={config}"]) == config
    assert config_argument(["run", "--config", str(config)]) is None  # serving: the model


def test_the_model_is_read_from_rasas_command_line(tmp_path: Path) -> None:
    model = _model(tmp_path, OURS)
    assert model_argument(["run", "--enable-api", "--model", str(model), "--port", "1"]) == model
    assert model_argument(["run", f"--model={model}"]) == model
    assert model_argument(["run", "--model", str(tmp_path / "missing.tar.gz")]) is None
    assert model_argument(["run"]) is None


def test_tensorflow_stand_ins_import_subclass_and_decorate() -> None:
    """What Rasa's modules do with TensorFlow at import time works on the stand-ins."""
    script = """
from ops.engine_imports import stand_in_for_tensorflow
stand_in_for_tensorflow()
import tensorflow as tf
from tensorflow.keras.utils import Sequence
import jax
class Logger(tf.keras.callbacks.Callback):
    pass
class Batches(Sequence):
    pass
@tf.function
def double(x):
    return 2 * x
assert double(3) == 6 and Logger() is not None and Batches() is not None
print("ok")
"""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=root, timeout=60, check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_rasa_is_started_through_the_wrapper(tmp_path: Path, settings_factory) -> None:
    found = components(settings=settings_factory(), ports=Ports(),
                       engine_python=Path("python3.10"), model=Path("m.tar.gz"),
                       run_dir=tmp_path / "run", log_dir=tmp_path / "logs")
    rasa = next(c for c in found if c.name == "rasa")
    assert rasa.argv[1:4] == ["-m", "ops.engine_server", "run"]
    assert "--enable-api" in rasa.argv and "m.tar.gz" in rasa.argv
