"""A cached model is used at once, even while another checkout trains a different one."""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path

from ops.training import ensure_model, model_path

ROOT = Path(__file__).resolve().parents[2]
NO_ENGINE = Path("/nonexistent/python")  # training would fail: the model must come from cache


def test_a_cached_model_does_not_wait_for_another_training(tmp_path, monkeypatch):
    monkeypatch.setenv("IESMED_CACHE_DIR", str(tmp_path / "cache"))
    cached = model_path(ROOT)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"a trained model")
    found: list[Path] = []
    with open(cached.parent / ".train.lock", "w") as other_training:
        fcntl.flock(other_training, fcntl.LOCK_EX)  # as a training elsewhere would hold it
        worker = threading.Thread(target=lambda: found.append(ensure_model(NO_ENGINE, ROOT)),
                                  daemon=True)
        worker.start()
        worker.join(timeout=30)
        finished = not worker.is_alive()
    worker.join()
    assert finished, "ensure_model waited for an unrelated training"
    assert found == [cached]
