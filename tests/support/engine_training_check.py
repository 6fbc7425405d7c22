"""Run by the engine's Python: what ops/engine_training.py changes in how a training reads.

Writes a small project, applies the training changes and reads it as `rasa train` does
(the validation's importer, then the training's, with Rasa's extra arguments), counting
how often the domain file is parsed. Prints JSON.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ops.engine_imports import stand_in_for_tensorflow

stand_in_for_tensorflow()

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.importers.importer import TrainingDataImporter  # noqa: E402
from rasa.validator import Validator  # noqa: E402

from ops import engine_training  # noqa: E402
from tests.support.tiny_project import write_project  # noqa: E402

CONFIG = """recipe: default.v1
language: xx
assistant_id: check
pipeline:
  - name: WhitespaceTokenizer
policies:
  - name: RulePolicy
"""
DOMAIN = """version: "3.1"
intents: [greet]
responses:
  utter_greet:
  - text: "Hello!"
"""
NLU = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
"""


def main() -> None:
    """Read a project twice as `rasa train` does; print what was shared and parsed."""
    parsed: list[str] = []
    original = Domain.from_file.__func__

    def from_file(cls: type, path: str) -> Domain:
        parsed.append(Path(path).name)
        return original(cls, path)

    Domain.from_file = classmethod(from_file)
    engine_training.install()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.chdir(folder)
        write_project(folder, config=CONFIG, domain=DOMAIN, nlu=NLU)
        validated = TrainingDataImporter.load_from_config(
            domain_path="domain.yml", training_data_paths=["data"], config_path="config.yml")
        valid = Validator.from_importer(validated).verify_domain_validity()
        trained = TrainingDataImporter.load_from_config(
            "config.yml", "domain.yml", ["data"], {"augmentation_factor": 50})
        stories = trained.get_stories()
        nlu = trained.get_nlu_data()
        domain = trained.get_domain()
        other_data = TrainingDataImporter.load_from_config(
            "config.yml", "domain.yml", ["data/nlu.yml"])
        (folder / "config_importers.yml").write_text(
            CONFIG + "importers:\n  - name: RasaFileImporter\n", "utf-8")
        own_importers = [TrainingDataImporter.load_from_config(
            "config_importers.yml", "domain.yml", ["data"]) for _ in range(2)]
        print(json.dumps({
            "valid": valid,
            "same_importer": trained is validated,
            "other_paths_other_importer": other_data is not trained,
            "importers_section_not_shared": own_importers[0] is not own_importers[1],
            "domain_parsed": parsed.count("domain.yml"),
            "intents": sorted({m.get("intent") for m in nlu.intent_examples}),
            "rules": len(stories.story_steps),
            "responses": sorted(domain.responses),
        }))


if __name__ == "__main__":
    main()
