"""Shared fixtures: factories for settings and databases; the real stack for e2e tests."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import Settings

TESTS = Path(__file__).resolve().parent
# Markers by folder, so a test's lane follows from where it lives (`./iesmed test --fast`
# deselects e2e and browser); a test elsewhere that starts the stack is e2e as well.
FOLDER_MARKERS = {"e2e": ("e2e",), "browser": ("e2e", "browser"), "integration": ("integration",)}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by its folder, and any test using the running stack as e2e."""
    for item in items:
        folder = Path(item.path).resolve().relative_to(TESTS).parts[0]
        names = set(FOLDER_MARKERS.get(folder, ()))
        if {"stack", "restart_bot"} & set(getattr(item, "fixturenames", ())):
            names.add("e2e")
        for name in sorted(names - {m.name for m in item.iter_markers()}):
            item.add_marker(name)


@pytest.fixture
def settings_factory(tmp_path: Path):
    """Build settings isolated in a temporary data folder."""
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {"IESMED_ENV": "test", "IESMED_DATA_DIR": tmp_path / "data"}
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]
    return make


@dataclass(frozen=True)
class Stack:
    """URLs of a running stack started for the tests."""

    bot_url: str
    rasa_url: str
    actions_url: str
    database_url: str
    data_dir: Path
    supervisor: object = None


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start the real action server, Rasa server (trained model) and bot on free ports."""
    from ops.environments import engine_python
    from ops.stack import Ports, components, seed
    from ops.supervisor import Supervisor, free_port
    from ops.training import ensure_model

    # Brokers are at work around the clock in the tests' stack, so queue answers do not
    # depend on the hour CI runs at; office hours have their own tests.
    os.environ.setdefault("BROKER_HOURS", "mon-sun 00:00-24:00")
    # One Rasa API token for the stack and for the tests' own cores (Settings read it).
    os.environ.setdefault("RASA_TOKEN", secrets.token_urlsafe(24))
    # Reminders are looked for every second, so tests that move an event closer see them.
    os.environ.setdefault("REMINDER_POLL_SECONDS", "1")
    # The whole suite talks to the stack from one address, far faster than a person opens
    # chats; the per-client limit on new conversations has its own tests (test_chat_api).
    os.environ.setdefault("CHAT_CONVERSATIONS_PER_MINUTE", "100000")
    os.environ.setdefault("CHAT_CONVERSATIONS_BURST", "100000")
    # Rasa's process checks its shortcuts against its own computation at every use
    # (ops/engine_policies.py): every conversation the tests play checks them.
    os.environ.setdefault("IESMED_ENGINE_CROSSCHECK", "1")
    python = engine_python()
    model = Path(os.environ["IESMED_MODEL"]) if os.environ.get("IESMED_MODEL") else \
        ensure_model(python)
    data = tmp_path_factory.mktemp("stack")
    database = f"sqlite:///{data / 'catalogue.sqlite3'}"
    seed(database)
    ports = Ports(rasa=free_port(), actions=free_port(), bot=free_port())
    settings = Settings(_env_file=None, IESMED_ENV="test", IESMED_DATA_DIR=data,  # type: ignore[call-arg]
                        DATABASE_URL=database)
    supervisor = Supervisor()
    try:
        supervisor.start_together(components(settings=settings, ports=ports,
                                             engine_python=python, model=model,
                                             run_dir=data / "run", log_dir=data / "logs"))
        yield Stack(bot_url=f"http://127.0.0.1:{ports.bot}",
                    rasa_url=f"http://127.0.0.1:{ports.rasa}",
                    actions_url=f"http://127.0.0.1:{ports.actions}",
                    database_url=database, data_dir=data, supervisor=supervisor)
    finally:
        supervisor.stop()


@pytest.fixture
def restart_bot(stack):
    """Return a function that restarts the bot process of the running stack."""
    def restart() -> None:
        stack.supervisor.restart("bot")
    return restart
