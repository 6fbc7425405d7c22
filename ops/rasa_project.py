"""Assemble the Rasa project that is trained: domain with every language's replies, config, data.

`python -m ops.training build [DIR]` writes it to a folder. The domain Rasa
trains on is dialogues/domain.yml with each language's responses merged in as
variations conditioned on the `language` slot.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import yaml

from catalog.vocabulary import LANGUAGES
from ops.paths import project_root

DEFAULT_LANGUAGE = "en"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def language_responses(root: Path | None = None) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Return {language: {response name: variations}} from every language pack."""
    root = root or project_root()
    result: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for lang in LANGUAGES:
        path = root / "nlu" / lang / "responses.yml"
        if path.exists():
            result[lang] = (_load(path) or {}).get("responses", {})
    return result


def build_domain(root: Path | None = None) -> dict[str, Any]:
    """Merge dialogues/domain.yml with every language's responses.

    Each variation gets a condition on the `language` slot; the default
    language's text is also kept without a condition, for when no language is set.
    """
    root = root or project_root()
    domain: dict[str, Any] = _load(root / "dialogues" / "domain.yml")
    responses: dict[str, list[dict[str, Any]]] = {}
    per_language = language_responses(root)
    names = sorted({name for packs in per_language.values() for name in packs})
    for name in names:
        variations: list[dict[str, Any]] = []
        for lang in LANGUAGES:
            for variation in per_language.get(lang, {}).get(name, []):
                conditioned = _escaped(variation)
                conditioned["condition"] = [{"type": "slot", "name": "language", "value": lang}]
                variations.append(conditioned)
        for variation in per_language.get(DEFAULT_LANGUAGE, {}).get(name, []):
            variations.append(_escaped(variation))
        responses[name] = variations
    domain["responses"] = responses
    return domain


def _escaped(variation: dict[str, Any]) -> dict[str, Any]:
    """Copy a variation with the JSON braces of its button payloads doubled.

    Rasa fills `{placeholders}` in every string of a response, payloads included,
    and logs an error for `/inform{"stage": "idea"}`; doubled braces come out of its
    interpolator as the original payload, without an error.
    """
    copied = copy.deepcopy(variation)
    for button in copied.get("buttons") or []:
        payload = str(button.get("payload", ""))
        button["payload"] = payload.replace("{", "{{").replace("}", "}}")
    return copied


def assemble(root: Path | None = None) -> dict[str, bytes]:
    """Return the Rasa project's files, {path inside the project: content}, without writing."""
    root = root or project_root()
    files = {
        "domain.yml": yaml.safe_dump(build_domain(root), allow_unicode=True,
                                     sort_keys=False).encode("utf-8"),
        "config.yml": (root / "nlu" / "config.yml").read_bytes(),
    }
    for path in sorted((root / "dialogues").glob("*.yml")):
        if path.name != "domain.yml":
            files[f"data/{path.name}"] = path.read_bytes()
    files["data/patterns.yml"] = (root / "nlu" / "patterns.yml").read_bytes()
    for lang in LANGUAGES:
        source = root / "nlu" / lang / "nlu.yml"
        if source.exists():
            files[f"data/nlu_{lang}.yml"] = source.read_bytes()
    return files


def write(files: dict[str, bytes], out: Path) -> Path:
    """Write assembled project files into ``out`` (replacing it) and return it."""
    if out.exists():
        shutil.rmtree(out)
    for name, content in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)
    return out


def build(out: Path, root: Path | None = None) -> Path:
    """Write the assembled Rasa project into ``out`` and return it."""
    return write(assemble(root), out)
