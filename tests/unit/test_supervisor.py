"""The supervisor: a taken port or a crashing start stops the launch with one clear line;
a component that dies later is restarted with backoff until it is healthy again."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from ops.errors import LaunchError
from ops.supervisor import Backoff, Component, Supervisor, free_port

GENEROUS = 30.0  # seconds; the machine is shared, so only an upper bound is checked


def _http_server(port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def _http_server_while(flag: Path, port: int) -> list[str]:
    """Serve on ``port`` if ``flag`` exists, else exit with code 3 at once."""
    code = (f"import os, runpy, sys\n"
            f"if not os.path.exists({str(flag)!r}):\n"
            f"    print('flag missing'); sys.exit(3)\n"
            f"sys.argv = ['http.server', '{port}', '--bind', '127.0.0.1']\n"
            f"runpy.run_module('http.server', run_name='__main__')\n")
    return [sys.executable, "-c", code]


def _wait_for(condition, timeout: float = GENEROUS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


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


def test_a_component_that_dies_is_restarted_and_healthy_again(tmp_path):
    lines: list[str] = []
    supervisor = Supervisor(report=lines.append)
    port = free_port()
    web = Component("web", _http_server(port), f"http://127.0.0.1:{port}/", tmp_path / "web.log")
    try:
        supervisor.start(web)
        supervisor.watch(interval=0.2)
        assert any("web ready" in line for line in lines)
        crashed = web.process
        crashed.kill()
        assert _wait_for(lambda: any("web is back" in line for line in lines)), lines
        assert web.process is not crashed and web.process.poll() is None
        assert httpx.get(web.health_url, timeout=5).status_code == 200
        assert supervisor.died == ["web"]
        assert any(line.startswith("iesmed: web stopped unexpectedly (exit code -9)")
                   for line in lines)
        assert "restarting web after a crash" in web.log_path.read_text()
    finally:
        supervisor.stop()
    assert web.process.poll() is not None


def test_a_failed_restart_is_retried_with_growing_delays_until_it_comes_back(tmp_path):
    flag = tmp_path / "may-serve"
    flag.touch()
    lines: list[str] = []
    backoff = Backoff(first=0.1, cap=0.4, stable_after=1.0)
    supervisor = Supervisor(report=lines.append, backoff=backoff)
    port = free_port()
    web = Component("web", _http_server_while(flag, port), f"http://127.0.0.1:{port}/",
                    tmp_path / "web.log")
    try:
        supervisor.start(web)
        supervisor.watch(interval=0.2)
        flag.unlink()
        web.process.kill()
        assert _wait_for(lambda: sum("did not come back" in line for line in lines) >= 4), lines
        flag.touch()
        assert _wait_for(lambda: any("web is back" in line for line in lines)), lines
        assert httpx.get(web.health_url, timeout=5).status_code == 200
        first_round = len(lines)
        time.sleep(backoff.stable_after + 0.5)  # healthy long enough: the backoff starts over
        web.process.kill()
        assert _wait_for(lambda: sum("web is back" in line for line in lines) == 2), lines
    finally:
        supervisor.stop()
    failures = [line for line in lines if "did not come back" in line]
    assert "exited with code 3 while starting: flag missing" in failures[0]
    attempts = [line.removeprefix("iesmed: restarting web in ") for line in lines
                if line.startswith("iesmed: restarting web in")]
    assert attempts[:5] == ["0.1 s (attempt 1)", "0.2 s (attempt 2)", "0.4 s (attempt 3)",
                            "0.4 s (attempt 4)", "0.4 s (attempt 5)"]
    assert [line for line in lines[first_round:] if "restarting web in" in line] == [
        "iesmed: restarting web in 0.1 s (attempt 1)"]


def test_backoff_doubles_from_one_second_up_to_a_minute():
    backoff = Backoff()
    assert [backoff.delay(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_stop_terminates_every_process(tmp_path):
    supervisor = Supervisor(report=lambda line: None)
    ports = [free_port(), free_port()]
    components = [Component(f"web{i}", _http_server(p), f"http://127.0.0.1:{p}/",
                            tmp_path / f"web{i}.log") for i, p in enumerate(ports)]
    for component in components:
        supervisor.start(component)
    supervisor.stop()
    assert all(c.process.poll() is not None for c in components)


def _http_server_after(other: int, port: int) -> list[str]:
    """Serve on ``port`` only once something listens on ``other`` (a dependency)."""
    code = (f"import socket, time, runpy, sys\n"
            f"while socket.socket().connect_ex(('127.0.0.1', {other})) != 0:\n"
            f"    time.sleep(0.1)\n"
            f"sys.argv = ['http.server', '{port}', '--bind', '127.0.0.1']\n"
            f"runpy.run_module('http.server', run_name='__main__')\n")
    return [sys.executable, "-c", code]


def test_components_started_together_do_not_wait_for_each_other(tmp_path):
    """The first is healthy only once the second runs: one after the other would time out."""
    first, second = free_port(), free_port()
    waiting = Component("bot", _http_server_after(second, first), f"http://127.0.0.1:{first}/",
                        tmp_path / "bot.log", start_timeout=GENEROUS)
    needed = Component("rasa", _http_server(second), f"http://127.0.0.1:{second}/",
                       tmp_path / "rasa.log", start_timeout=GENEROUS)
    lines: list[str] = []
    supervisor = Supervisor(report=lines.append)
    try:
        supervisor.start_together([waiting, needed])
        assert [c.name for c in supervisor.components] == ["bot", "rasa"]
        assert httpx.get(f"http://127.0.0.1:{first}/").status_code == 200
        assert any(line.startswith("iesmed: rasa ready on port") for line in lines)
    finally:
        supervisor.stop()


def test_a_taken_port_stops_a_launch_together_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        free = free_port()
        supervisor = Supervisor(report=lambda _line: None)
        with pytest.raises(LaunchError, match=f"port {port} is already in use"):
            supervisor.start_together([
                Component("web", _http_server(free), f"http://127.0.0.1:{free}/",
                          tmp_path / "a.log"),
                Component("rasa", _http_server(port), f"http://127.0.0.1:{port}/",
                          tmp_path / "b.log")])
        assert supervisor.components == []
