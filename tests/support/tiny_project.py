"""A Rasa project of a few lines for the engine checks (tests/support/*_check.py)."""

from __future__ import annotations

from pathlib import Path

RULES = """version: "3.1"
rules:
- rule: greet back
  steps:
  - intent: greet
  - action: utter_greet
"""


def write_project(folder: Path, *, config: str, domain: str, nlu: str) -> None:
    """Write config.yml, domain.yml, data/nlu.yml and a greeting rule (a dialogue: a domain)."""
    (folder / "data").mkdir()
    (folder / "config.yml").write_text(config, "utf-8")
    (folder / "domain.yml").write_text(domain, "utf-8")
    (folder / "data" / "nlu.yml").write_text(nlu, "utf-8")
    (folder / "data" / "rules.yml").write_text(RULES, "utf-8")
