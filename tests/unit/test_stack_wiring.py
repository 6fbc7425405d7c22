"""What `./iesmed run` hands Rasa: a tracker store and a token Rasa itself accepts."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from ops.stack import Ports, components


def _rasa_argv_and_endpoints(tmp_path: Path, settings) -> tuple[list[str], dict]:
    found = components(settings=settings, ports=Ports(), engine_python=Path("python3.10"),
                       model=Path("model.tar.gz"), run_dir=tmp_path / "run",
                       log_dir=tmp_path / "logs")
    rasa = next(c for c in found if c.name == "rasa")
    endpoints = yaml.safe_load((tmp_path / "run" / "endpoints.yml").read_text())
    return rasa.argv, endpoints


def test_the_postgres_tracker_store_is_described_the_way_rasa_builds_it(tmp_path,
                                                                        settings_factory):
    settings = settings_factory(
        TRACKER_STORE_URL="postgresql+psycopg://iesmed:s%40cret@db.internal:6543/tracker",
        LOCK_STORE_URL="redis://cache.internal:6380/3")
    _argv, endpoints = _rasa_argv_and_endpoints(tmp_path, settings)
    store = dict(endpoints["tracker_store"])
    # Rasa 3.6 calls SQLTrackerStore(host=<url>, **<the other keys>): a `host` key as well
    # makes it refuse to start ("got multiple values for keyword argument 'host'").
    assert store.pop("type") == "SQL" and "host" not in store
    assert store == {"url": "db.internal", "dialect": "postgresql", "port": 6543,
                     "db": "tracker", "username": "iesmed", "password": "s@cret"}
    assert endpoints["lock_store"] == {"type": "redis", "url": "cache.internal", "port": 6380,
                                       "db": 3}


def test_every_process_gets_the_lock_store_the_bot_takes_turns_in(tmp_path, settings_factory):
    settings = settings_factory(LOCK_STORE_URL="redis://127.0.0.1:6379/2")
    found = components(settings=settings, ports=Ports(), engine_python=Path("python3.10"),
                       model=Path("m"), run_dir=tmp_path / "run", log_dir=tmp_path / "logs")
    bot = next(c for c in found if c.name == "bot")
    assert bot.env["LOCK_STORE_URL"] == "redis://127.0.0.1:6379/2"


def test_a_token_that_starts_with_a_dash_reaches_rasa_as_the_token(tmp_path, settings_factory):
    token = "-Xk2_only-url-safe-characters-0123"
    argv, _ = _rasa_argv_and_endpoints(tmp_path, settings_factory(RASA_TOKEN=token))
    # Parsed as Rasa's command line parses it (argparse, `-t/--auth-token` takes a value).
    parser = argparse.ArgumentParser()
    parser.add_argument("-t", "--auth-token")
    known, _rest = parser.parse_known_args(argv[argv.index("run") + 1:])
    assert known.auth_token == token
