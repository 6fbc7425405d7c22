"""Where the project keeps caches and run-time files."""

from __future__ import annotations

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Return the per-user cache for environments and trained models."""
    base = os.environ.get("IESMED_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "iesmed")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def project_root() -> Path:
    """Return the checkout's root folder."""
    return _ROOT
