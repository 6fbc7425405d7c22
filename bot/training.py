"""Assemble the Rasa project from nlu/ and dialogues/, and train it only when it changed.

`python -m bot.training build [DIR]` writes the assembled project (domain with
every language's responses as conditional variations, config, training data).
Trained models are cached under the user cache, keyed on a fingerprint of
everything that influences training, so unchanged data is never retrained.
"""

from __future__ import annotations

import argparse
import copy
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bot.errors import LaunchError
from bot.paths import cache_dir, project_root
from catalog.vocabulary import LANGUAGES

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
    domain = _load(root / "dialogues" / "domain.yml")
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


def inputs(root: Path | None = None) -> list[Path]:
    """List every file whose content influences the trained model."""
    root = root or project_root()
    files = [root / "nlu" / "config.yml", root / "nlu" / "patterns.yml",
             root / "requirements" / "rasa.lock"]
    files += sorted((root / "dialogues").glob("*.yml"))
    files += sorted((root / "nlu" / "components").glob("*.py"))
    files.append(root / "bot" / "training.py")  # builds the domain the model embeds
    for lang in LANGUAGES:
        files += sorted((root / "nlu" / lang).glob("*.yml"))
    return [f for f in files if f.exists()]


def fingerprint(root: Path | None = None) -> str:
    """Return a hash of the training inputs: equal hashes give equal models."""
    root = root or project_root()
    digest = hashlib.sha256()
    for path in inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def build(out: Path, root: Path | None = None) -> Path:
    """Write the assembled Rasa project into ``out`` and return it."""
    root = root or project_root()
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    (out / "domain.yml").write_text(
        yaml.safe_dump(build_domain(root), allow_unicode=True, sort_keys=False), "utf-8")
    shutil.copy(root / "nlu" / "config.yml", out / "config.yml")
    for path in sorted((root / "dialogues").glob("*.yml")):
        if path.name != "domain.yml":
            shutil.copy(path, out / "data" / path.name)
    shutil.copy(root / "nlu" / "patterns.yml", out / "data" / "patterns.yml")
    for lang in LANGUAGES:
        source = root / "nlu" / lang / "nlu.yml"
        if source.exists():
            shutil.copy(source, out / "data" / f"nlu_{lang}.yml")
    return out


def model_path(root: Path | None = None) -> Path:
    """Return where the model for the current inputs is (or will be) cached."""
    return cache_dir() / "models" / f"iesmed-{fingerprint(root)}.tar.gz"


def ensure_model(python: Path, root: Path | None = None, *, quiet: bool = False) -> Path:
    """Return the trained model for the current data, training it first if needed.

    Raises:
        LaunchError: training failed.
    """
    root = root or project_root()
    target = model_path(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one training at a time per machine user
        if target.exists():
            return target
        work = cache_dir() / "build" / target.stem.removesuffix(".tar")
        build(work, root)
        print("iesmed: nlu/ or dialogues/ changed: training the model "
              "(a few minutes; cached afterwards)", file=sys.stderr, flush=True)
        started = time.monotonic()
        env = {**os.environ, "PYTHONPATH": str(root), "TF_CPP_MIN_LOG_LEVEL": "2",
               "PYTHONUNBUFFERED": "1"}
        log_path = target.with_suffix(".log")
        with open(log_path, "w", encoding="utf-8") as log:
            process = subprocess.Popen(
                [str(python), "-m", "rasa", "train", "--domain", "domain.yml", "--data", "data",
                 "--config", "config.yml", "--out", str(target.parent),
                 "--fixed-model-name", target.name.removesuffix(".tar.gz")],
                cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            assert process.stdout is not None
            shown = 0.0
            for line in process.stdout:  # text mode turns tqdm's \r updates into lines
                log.write(line)
                if not quiet and _is_progress(line) and time.monotonic() - shown > 5:
                    shown = time.monotonic()
                    print("  " + line.strip()[:110], file=sys.stderr, flush=True)
        if process.wait() != 0 or not target.exists():
            tail = log_path.read_text(encoding="utf-8").splitlines()[-15:]
            raise LaunchError("training failed (see %s):\n%s" % (log_path, "\n".join(tail)))
        print(f"iesmed: model trained in {time.monotonic() - started:.0f} s: {target.name}",
              file=sys.stderr, flush=True)
        return target


def _is_progress(line: str) -> bool:
    """Pick the lines of Rasa's training output worth showing."""
    return any(key in line for key in ("Epochs:", "Starting to train component",
                                       "Your Rasa model"))


def main(argv: list[str] | None = None) -> int:
    """Command line: build the Rasa project, print the fingerprint, or train."""
    parser = argparse.ArgumentParser(prog="python -m bot.training")
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="write the assembled Rasa project")
    build_cmd.add_argument("out", nargs="?", default=str(project_root() / "build" / "rasa"))
    sub.add_parser("fingerprint", help="print the training-data fingerprint")
    sub.add_parser("train", help="train (or reuse) the model and print its path")
    args = parser.parse_args(argv)
    if args.command == "build":
        print(build(Path(args.out)))
    elif args.command == "fingerprint":
        print(fingerprint())
    else:
        from bot.engine import engine_python

        print(ensure_model(engine_python()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
