"""The Rasa engine environment: Python 3.10 with rasa==3.6.21, created on demand."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ops.errors import LaunchError
from ops.paths import cache_dir, project_root

logger = logging.getLogger(__name__)
LOCK = project_root() / "requirements" / "rasa.lock"


def find_python310() -> Path:
    """Find a Python 3.10 interpreter: $IESMED_RASA_PYTHON, pyenv, then PATH.

    Raises:
        LaunchError: none was found.
    """
    candidates: list[str] = []
    if os.environ.get("IESMED_RASA_PYTHON"):
        candidates.append(os.environ["IESMED_RASA_PYTHON"])
    pyenv = shutil.which("pyenv")
    if pyenv:
        versions = subprocess.run([pyenv, "versions", "--bare"], capture_output=True,
                                  text=True, check=False).stdout.split()
        for version in sorted((v for v in versions if v.startswith("3.10.")), reverse=True):
            prefix = subprocess.run([pyenv, "prefix", version], capture_output=True, text=True,
                                    check=False).stdout.strip()
            if prefix:
                candidates.append(str(Path(prefix) / "bin" / "python"))
    candidates += [p for p in (shutil.which("python3.10"),) if p]
    for candidate in candidates:
        try:
            out = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                                 capture_output=True, text=True, timeout=20, check=False)
        except OSError:
            continue
        if out.stdout.strip() == "(3, 10)":
            return Path(candidate)
    raise LaunchError("rasa: Python 3.10 not found (install it, or set IESMED_RASA_PYTHON)")


def venv_dir() -> Path:
    """Return where the engine environment for the current lock file lives."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]
    override = os.environ.get("IESMED_RASA_VENV")
    return Path(override) if override else cache_dir() / "venvs" / f"rasa-py310-{digest}"


def engine_python() -> Path:
    """Return the engine's interpreter, creating the environment first if needed.

    Raises:
        LaunchError: the environment could not be created.
    """
    venv = venv_dir()
    python = venv / "bin" / "python"
    if (venv / ".complete").exists():
        return python
    base = find_python310()
    print(f"iesmed: creating the Rasa engine environment in {venv} "
          "(first run only, about 3 minutes)", file=sys.stderr, flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    _run([str(base), "-m", "venv", str(venv)], "create the engine venv")
    _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          "pip==24.3.1", "setuptools==68.2.2", "wheel"], "upgrade pip in the engine venv")
    _run([str(python), "-m", "pip", "install", "--disable-pip-version-check",
          "--progress-bar", "on", "-r", str(LOCK)], "install rasa into the engine venv",
         progress=True)
    check = subprocess.run([str(python), "-c", "import rasa; print(rasa.__version__)"],
                           capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise LaunchError("rasa: the engine environment was installed but rasa does not import")
    (venv / ".complete").write_text(check.stdout)
    return python


def _run(argv: list[str], what: str, *, progress: bool = False) -> None:
    """Run an installation step, streaming its progress lines when asked."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    assert process.stdout is not None
    tail: list[str] = []
    for line in process.stdout:
        if line.startswith("WARNING: Location"):
            continue
        tail = [*tail[-20:], line]
        if progress and line.startswith(("Collecting", "Installing", "Successfully")):
            print("  " + line.rstrip()[:110], file=sys.stderr, flush=True)
    if process.wait() != 0:
        raise LaunchError(f"rasa: could not {what}:\n" + "".join(tail))
