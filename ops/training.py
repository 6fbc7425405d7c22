"""Train the Rasa model only when the project it is built from changed.

Trained models are cached under the user cache, keyed on a fingerprint of the
assembled Rasa project (what `rasa train` reads) plus the engine's lock file
and the custom NLU components it imports. Tooling code is not part of the
fingerprint: moving or editing it never retrains unless the built project changes.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from ops.errors import LaunchError
from ops.paths import cache_dir, project_root
from ops.rasa_project import assemble, build, write


def inputs(root: Path | None = None, project: dict[str, bytes] | None = None
           ) -> dict[str, bytes]:
    """Return everything the trained model depends on, {name: content}.

    The assembled project (domain with replies, config, training data; assembled
    from ``root`` unless given), the engine's pinned libraries, and the custom
    components Rasa imports while training.
    """
    root = root or project_root()
    project = assemble(root) if project is None else project
    files = {f"project/{name}": content for name, content in project.items()}
    files["requirements/rasa.lock"] = (root / "requirements" / "rasa.lock").read_bytes()
    for path in sorted((root / "nlu" / "components").glob("*.py")):
        files[f"nlu/components/{path.name}"] = path.read_bytes()
    return files


def fingerprint(root: Path | None = None, project: dict[str, bytes] | None = None) -> str:
    """Return a hash of the training inputs: equal hashes give equal models."""
    digest = hashlib.sha256()
    for name, content in sorted(inputs(root, project).items()):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()[:16]


def model_path(root: Path | None = None, project: dict[str, bytes] | None = None) -> Path:
    """Return where the model for the current inputs is (or will be) cached."""
    return cache_dir() / "models" / f"iesmed-{fingerprint(root, project)}.tar.gz"


def ensure_model(python: Path, root: Path | None = None, *, quiet: bool = False) -> Path:
    """Return the trained model for the current data, training it first if needed.

    A cached model is returned at once, even while another checkout trains a
    different one; trainings themselves run one at a time per machine user.

    Raises:
        LaunchError: training failed.
    """
    root = root or project_root()
    project = assemble(root)
    target = model_path(root, project)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.with_suffix(".lock")):  # this model: wait only for its own training
        if target.exists():
            return target
        with one_training_at_a_time():
            return _train(python, root, project, target, quiet=quiet)


def one_training_at_a_time() -> AbstractContextManager[None]:
    """Hold the machine user's training lock (two trainings would share 2 cores)."""
    folder = cache_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return _locked(folder / ".train.lock")


def time_training(python: Path, root: Path | None = None) -> float:
    """Train the current project from scratch into a scratch folder; return the seconds.

    Neither the model cache nor what the training keeps beside it (the CRF taggers, the
    parsed domain: ops/engine_server.py) is read or written: the training process gets a
    cache folder of its own, so this measures what a changed data set costs
    (`iesmed bench chat --training`).

    Raises:
        LaunchError: training failed.
    """
    root = root or project_root()
    project = assemble(root)
    with tempfile.TemporaryDirectory(prefix="iesmed-train-") as scratch:
        target = Path(scratch) / "scratch.tar.gz"
        with one_training_at_a_time():
            started = time.monotonic()
            _train(python, root, project, target, quiet=True,
                   extra_env={"IESMED_CACHE_DIR": str(Path(scratch) / "cache")})
            return time.monotonic() - started


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a file lock shared by every process of the user)."""
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _train(python: Path, root: Path, project: dict[str, bytes], target: Path, *,
           quiet: bool, extra_env: dict[str, str] | None = None) -> Path:
    """Write the assembled project and train it into ``target``, showing progress.

    ``extra_env`` is added to the training process's environment.

    Raises:
        LaunchError: training failed.
    """
    work = write(project, cache_dir() / "build" / target.stem.removesuffix(".tar"))
    print("iesmed: the Rasa project changed: training the model "
          "(a few minutes; cached afterwards)", file=sys.stderr, flush=True)
    started = time.monotonic()
    # Rasa's own training cache is never reused here (a model is trained only for inputs
    # whose fingerprint is new, in a folder of its own): switched off, and --force skips
    # the run that would look for cached components (ops/engine_training.py).
    env = {**os.environ, "PYTHONPATH": str(root), "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONUNBUFFERED": "1", "RASA_MAX_CACHE_SIZE": "0", **(extra_env or {})}
    log_path = target.with_suffix(".log")
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            # Through the wrapper Rasa is served with: the CRF taggers it trains are kept
            # for the first launch (ops/engine_server.py).
            [str(python), "-m", "ops.engine_server", "train", "--domain", "domain.yml",
             "--data", "data",
             "--config", "config.yml", "--out", str(target.parent),
             "--fixed-model-name", target.name.removesuffix(".tar.gz"), "--force"],
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
        raise LaunchError("training failed (see {}):\n{}".format(log_path, "\n".join(tail)))
    print(f"iesmed: model trained in {time.monotonic() - started:.0f} s: {target.name}",
          file=sys.stderr, flush=True)
    return target


def _is_progress(line: str) -> bool:
    """Pick the lines of Rasa's training output worth showing."""
    return any(key in line for key in ("Epochs:", "Starting to train component",
                                       "Your Rasa model"))


def main(argv: list[str] | None = None) -> int:
    """Command line: build the Rasa project, print the fingerprint, or train."""
    parser = argparse.ArgumentParser(prog="python -m ops.training")
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="write the assembled Rasa project")
    build_cmd.add_argument("out", nargs="?", default=str(project_root() / "build" / "rasa"))
    sub.add_parser("fingerprint", help="print the fingerprint of the model's inputs")
    sub.add_parser("train", help="train (or reuse) the model and print its path")
    args = parser.parse_args(argv)
    if args.command == "build":
        print(build(Path(args.out)))
    elif args.command == "fingerprint":
        print(fingerprint())
    else:
        from ops.environments import engine_python

        print(ensure_model(engine_python()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
