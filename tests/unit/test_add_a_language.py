"""Adding a language is one folder (its pack, nlu/<code>/) and the bot's chrome texts
(bot/locales/<code>.yml): proved on a copy of the project with a made-up language."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".git", "__pycache__", ".mypy_cache", ".ruff_cache",
                              ".pytest_cache", "data", "node_modules")


def test_a_made_up_language_is_offered_and_served_everywhere(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    pack = copy / "nlu" / "xx"
    shutil.copytree(copy / "nlu" / "en", pack)
    (pack / "language.yml").write_text("name: Xish\norder: 95\ndirection: ltr\n", "utf-8")
    terms = yaml.safe_load((pack / "terms.yml").read_text("utf-8"))
    terms["money"] = {"thousand": ["xthousand"], "million": ["xmillion"], "amount": ["xsum"]}
    (pack / "terms.yml").write_text(yaml.safe_dump(terms, allow_unicode=True), "utf-8")
    chrome = yaml.safe_load((copy / "bot" / "locales" / "en.yml").read_text("utf-8"))
    (copy / "bot" / "locales" / "xx.yml").write_text(yaml.safe_dump(
        {key: f"Xish: {value}" for key, value in chrome.items()}, allow_unicode=True), "utf-8")

    done = subprocess.run(
        [sys.executable, "-m", "tests.support.new_language_check", str(tmp_path / "data")],
        cwd=copy, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(copy)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "offered and served everywhere" in done.stdout
