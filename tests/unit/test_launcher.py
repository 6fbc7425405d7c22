"""The launcher: a taken port or a crashing component stops the launch with one clear line."""

from __future__ import annotations

import socket
import sys
import time

import pytest

from bot.errors import LaunchError
from bot.launcher import Component, Supervisor, free_port


def _http_server(port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def test_a_taken_port_stops_the_launch(tmp_path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        supervisor = Supervisor(report=lambda line: None)
        with pytest.raises(LaunchError, match=f"web: port {port} is already in use"):
            supervisor.start(Component("web", _http_server(port), f"http://127.0.0.1:{port}/",
                                       tmp_path / "web.log"))


def test_a_component_that_exits_while_starting_is_reported_with_its_last_log_line(tmp_path):
    supervisor = Supervisor(report=lambda line: None)
    crash = [sys.executable, "-c", "import sys; print('model not found: /nope'); sys.exit(3)"]
    with pytest.raises(LaunchError) as error:
        supervisor.start(Component("rasa", crash, f"http://127.0.0.1:{free_port()}/",
                                   tmp_path / "rasa.log"))
    assert str(error.value) == "rasa: exited with code 3 while starting: model not found: /nope"
    supervisor.stop()


def test_healthy_components_start_and_stop_and_a_death_is_reported(tmp_path):
    lines: list[str] = []
    supervisor = Supervisor(report=lines.append)
    port = free_port()
    web = Component("web", _http_server(port), f"http://127.0.0.1:{port}/", tmp_path / "web.log")
    supervisor.start(web)
    supervisor.watch()
    assert any("web ready" in line for line in lines)
    web.process.kill()
    deadline = time.monotonic() + 10
    while "web" not in supervisor.died and time.monotonic() < deadline:
        time.sleep(0.2)
    assert supervisor.died == ["web"]
    assert any("web stopped unexpectedly" in line for line in lines)
    supervisor.stop()


def test_stop_terminates_every_process(tmp_path):
    supervisor = Supervisor(report=lambda line: None)
    ports = [free_port(), free_port()]
    components = [Component(f"web{i}", _http_server(p), f"http://127.0.0.1:{p}/",
                            tmp_path / f"web{i}.log") for i, p in enumerate(ports)]
    for component in components:
        supervisor.start(component)
    supervisor.stop()
    assert all(c.process.poll() is not None for c in components)
