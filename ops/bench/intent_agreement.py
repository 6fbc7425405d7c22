"""Compare two trained models' intent classifiers on messages neither was trained on.

Reads every message of the real-conversation corpora (tests/corpora/conversations/*.yml:
first messages, openings, answers, corrections) and the held-out plain questions
(tests/corpora/faq_heldout.yml), runs the
TfidfIntentClassifier of each model on them (just that component, loaded from the
model archive) and prints how often the two agree on the intent, and the largest
difference in top confidence. Run with the engine environment's Python:

    PYTHONPATH=. ~/.cache/iesmed/venvs/rasa-py310-*/bin/python \\
        ops/bench/intent_agreement.py OLD.tar.gz NEW.tar.gz
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def corpus_texts() -> list[str]:
    """Return every message text of the corpora, in file order."""
    texts: list[str] = []

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name not in {"id", "kind", "flow", "language", "names_need"}:
                    walk(value, str(name))
        elif isinstance(node, list):
            if len(node) == 2 and all(isinstance(item, str) for item in node):
                node = node[1:]  # [topic, text] of the plain questions
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and key:
            texts.append(node)

    folder = ROOT / "tests" / "corpora"
    for path in [*sorted(folder.glob("conversations/*.yml")), folder / "faq_heldout.yml"]:
        walk(yaml.safe_load(path.read_text("utf-8")))
    return texts


def classifier(model: Path, folder: Path) -> Any:
    """Load the model's TfidfIntentClassifier from its archive."""
    from ops.engine_imports import stand_in_for_tensorflow

    stand_in_for_tensorflow()
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    from nlu.components.intent_classifier import TfidfIntentClassifier

    storage, metadata = LocalModelStorage.from_model_archive(folder, model)
    for node in metadata.predict_schema.nodes.values():
        if node.uses is TfidfIntentClassifier:
            return TfidfIntentClassifier.load(
                node.config, storage, node.resource,
                ExecutionContext(metadata.predict_schema, metadata.model_id))
    raise SystemExit(f"{model}: no TfidfIntentClassifier")


def main(old: Path, new: Path) -> None:
    """Print agreement and confidence differences between the two classifiers."""
    from rasa.shared.nlu.training_data.message import Message

    texts = corpus_texts()
    results = []
    for model in (old, new):
        with tempfile.TemporaryDirectory() as folder:
            messages = [Message.build(text=t) for t in texts]
            classifier(model, Path(folder)).process(messages)
            results.append([(m.get("intent")["name"], m.get("intent")["confidence"])
                            for m in messages])
    same = sum(a[0] == b[0] for a, b in zip(*results, strict=True))
    gap = max(abs(a[1] - b[1]) for a, b in zip(*results, strict=True))
    print(f"{len(texts)} messages: same intent {same} ({same / len(texts):.1%}), "
          f"largest top-confidence difference {gap:.3f}")
    for text, a, b in zip(texts, *results, strict=True):
        if a[0] != b[0]:
            print(f"  {a[0]} {a[1]:.2f} -> {b[0]} {b[1]:.2f}: {text[:90]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
