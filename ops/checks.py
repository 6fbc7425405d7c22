"""Static checks that must find nothing: ruff, mypy (strict) and the import contracts."""

from __future__ import annotations

import subprocess
import sys
import time

from ops.paths import project_root

# `python -m importlinter.cli` imports the module and exits 0 without checking anything,
# so the click command is called explicitly.
_LINT_IMPORTS = ("import sys; from importlinter.cli import lint_imports_command; "
                 "sys.exit(lint_imports_command())")


def import_contracts_command(config: str = "pyproject.toml") -> list[str]:
    """Return the command that checks the import contracts in ``config``."""
    return [sys.executable, "-c", _LINT_IMPORTS, config, "--no-cache"]


def commands() -> list[tuple[str, list[str]]]:
    """Return each check's name and command line, run from the project root."""
    return [
        ("ruff", [sys.executable, "-m", "ruff", "check", "--no-cache", "."]),
        ("mypy", [sys.executable, "-m", "mypy"]),
        ("import contracts", import_contracts_command()),
    ]


def run_checks() -> int:
    """Run every check, show the findings of those that fail; return 1 if any failed."""
    failed: list[str] = []
    for name, argv in commands():
        started = time.monotonic()
        result = subprocess.run(argv, cwd=project_root(), capture_output=True, text=True,
                                check=False)
        took = time.monotonic() - started
        if result.returncode == 0:
            print(f"check: {name} ok ({took:.1f} s)", flush=True)
            continue
        failed.append(name)
        print(f"check: {name} FAILED ({took:.1f} s)", flush=True)
        print((result.stdout + result.stderr).rstrip(), flush=True)
    if failed:
        print(f"check: failed: {', '.join(failed)}", flush=True)
        return 1
    return 0
