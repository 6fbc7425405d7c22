"""Head counts read through lemma forms, without keeping spaCy's lemma tables in memory."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from actions import head_count
from actions.folding import fold
from actions.head_count import _member_words, member_forms, members_count, pipeline


def test_the_tokenizer_pipelines_keep_no_lemma_table() -> None:
    # The lookup lemmatizer held about 1.1 GB of tables for the nine languages.
    assert pipeline("es").pipe_names == []
    assert pipeline("tr").pipe_names == []


def test_a_form_known_only_through_its_lemma_still_counts() -> None:
    assert "miembras" in member_forms("es") and fold("miembras") not in _member_words("es")
    assert members_count("Somos 12 miembras en la cooperativa", "es") == 12
    assert members_count("Somos 12 personas", "es") == 12
    assert members_count("Tenemos 12 vacas", "es") is None
    assert member_forms("el") == frozenset()  # spaCy has no lemma table for Greek


def test_forms_agree_with_spacys_lookup_lemmatizer() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    words = _member_words("en")
    forms = member_forms("en")
    for word in [*forms, *words, "peoples", "cows", "members", "workers", "table"]:
        by_lemma = fold(nlp(word)[0].lemma_ or "") in words or fold(word) in words
        assert by_lemma == (fold(word) in words or word in forms), word


def test_forms_are_computed_once_then_read_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IESMED_CACHE_DIR", str(tmp_path))
    computed = member_forms.__wrapped__("en")
    written = list((tmp_path / "lemma-forms").glob("member-forms-en-*.json"))
    assert len(written) == 1
    monkeypatch.setattr(head_count.gzip, "open", None)  # reading the table again would fail
    assert member_forms.__wrapped__("en") == computed


@pytest.mark.parametrize(("worker", "expected"), [("Sanic-Server-0-0", True), ("", False)])
def test_the_action_servers_worker_warms_up_every_language(worker: str, expected: bool
                                                           ) -> None:
    """Only in the action server's worker process (not its manager, not elsewhere)."""
    import os
    import subprocess
    import sys

    script = ("import threading, actions.extraction\n"
              "print(any(t.name == 'warm-up' for t in threading.enumerate()))\n")
    env = {**os.environ, "IESMED_WARM_UP": "1", "SANIC_WORKER_NAME": worker}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=root, env=env, timeout=120, check=False)
    assert done.stdout.strip() == str(expected), done.stderr[-2000:]
