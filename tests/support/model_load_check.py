"""Run by the engine's Python: a tiny model trained and loaded through ops/engine_server.py.

Trains a small project (CRF entities, the TF-IDF classifier, rules) with `python -m
ops.engine_server train` into a scratch folder and user cache, then loads it in a fresh
process twice: once finding the domain and CRF taggers the training kept, once with that
cache emptied (Rasa's own reading). Prints JSON: what the cache held and both parses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.tiny_project import write_project

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """recipe: default.v1
language: xx
assistant_id: check
pipeline:
  - name: WhitespaceTokenizer
  - name: CRFEntityExtractor
    max_iterations: 20
  - name: nlu.components.intent_classifier.TfidfIntentClassifier
policies:
  - name: RulePolicy
"""
DOMAIN = """version: "3.1"
intents: [greet, inform_city]
entities: [city]
responses:
  utter_greet:
  - text: "Hola!"
    metadata: {language: es}
  - text: "Hello!"
    metadata: {language: en}
"""
NLU = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
    - hola
    - buenos días
    - bonjour
- intent: inform_city
  examples: |
    - we are in [Girona](city)
    - our office is in [Lyon](city)
    - estamos en [Sevilla](city)
    - from [Porto](city)
    - based in [Izmir](city)
"""
LOAD = """
import asyncio, json, sys
from ops.engine_imports import stand_in_for_tensorflow
stand_in_for_tensorflow()
from ops.engine_server import install
install()
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
parses = [asyncio.run(agent.parse_message(text))
          for text in ["hello", "we are in Girona", "estamos en Porto"]]
print(json.dumps({
    "intents": [p["intent"]["name"] for p in parses],
    "entities": [[(e["entity"], e["value"]) for e in p["entities"]] for p in parses],
    "domain": agent.domain.as_dict(),
}, sort_keys=True, default=str))
"""


def _load(model: Path, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", LOAD, str(model)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Train, load with and without the kept copies, print JSON."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_project(folder, config=CONFIG, domain=DOMAIN, nlu=NLU)
        cache = folder / "cache"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "IESMED_CACHE_DIR": str(cache),
               "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}
        # As ops/training.py trains: Rasa's own training cache off, no fingerprint run.
        trained = subprocess.run(
            [sys.executable, "-m", "ops.engine_server", "train", "--domain", "domain.yml",
             "--data", "data", "--config", "config.yml", "--out", "models",
             "--fixed-model-name", "m", "--force"], cwd=folder,
            env={**env, "RASA_MAX_CACHE_SIZE": "0"}, capture_output=True, text=True,
            timeout=600, check=False)
        if trained.returncode != 0:
            sys.exit(f"training failed:\n{(trained.stdout + trained.stderr)[-3000:]}")
        model = folder / "models" / "m.tar.gz"
        rasa_cache = folder / ".rasa" / "cache"
        kept = {"domains": len(list((cache / "domains").glob("*.json"))),
                "crf_files": len(list((cache / "crf").glob("file-*/0.crfsuite"))),
                # the taggers under the digest of their data set too (the CRF fit beside)
                "crf_by_data": len([path for path in (cache / "crf").glob("*/0.crfsuite")
                                    if not path.parent.name.startswith("file-")]),
                "partial_files": len(list(cache.rglob("*.partial"))),
                "rasa_cache_entries": len([path for path in rasa_cache.iterdir()
                                           if path.is_dir()]) if rasa_cache.is_dir() else 0}
        from_kept = _load(model, env)
        shutil.rmtree(cache)
        from_rasa = _load(model, env)
        print(json.dumps({"kept": kept, "from_kept": from_kept, "from_rasa": from_rasa,
                          "kept_again": len(list((cache / "domains").glob("*.json")))}))


if __name__ == "__main__":
    main()
