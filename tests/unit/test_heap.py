"""What a process's start-up leaves is moved out of the garbage collector's scans."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_settle_freezes_what_start_up_left_and_spaces_young_collections() -> None:
    script = (
        "import gc, json\n"
        "from catalog import heap\n"
        "loaded = [[i] for i in range(50_000)]  # what a start-up loads\n"
        "before = gc.get_freeze_count()\n"
        "heap.settle()\n"
        "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()[0],"
        " gc.isenabled()]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    before, frozen, young, enabled = json.loads(done.stdout)
    assert before == 0 and frozen >= 50_000  # the loaded objects are no longer scanned
    assert young == 10_000 and enabled  # collections still run, less often
