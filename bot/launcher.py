"""Start, health-check, watch and stop the product's processes."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bot.errors import LaunchError

logger = logging.getLogger(__name__)


@dataclass
class Component:
    """One process of the product and how to tell it is ready."""

    name: str
    argv: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    start_timeout: float = 120.0
    ready: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200
    process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        """Return the TCP port the component listens on."""
        parts = urlsplit(self.health_url)
        return parts.port or 80


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Return whether something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Supervisor:
    """Run components in order, report the one that fails or dies, stop all on exit."""

    def __init__(self, *, report: Callable[[str], None] | None = None) -> None:
        self.components: list[Component] = []
        self._report = report or (lambda line: print(line, file=sys.stderr, flush=True))
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self.died: list[str] = []

    def start(self, component: Component) -> None:
        """Start one component and wait until it is healthy.

        Raises:
            LaunchError: the port is taken, the process exits, or it is not healthy in time.
        """
        if port_in_use(component.port):
            raise LaunchError(f"{component.name}: port {component.port} is already in use")
        component.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(component.log_path, "ab")  # noqa: SIM115 - owned by the child process
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {component.name}\n"
                  .encode())
        log.flush()
        component.process = subprocess.Popen(
            component.argv, stdout=log, stderr=subprocess.STDOUT, cwd=component.cwd,
            env={**os.environ, **component.env}, start_new_session=True)
        log.close()
        self.components.append(component)
        self._report(f"iesmed: starting {component.name} (log: {component.log_path})")
        started = time.monotonic()
        with httpx.Client(timeout=3.0) as client:
            while time.monotonic() - started < component.start_timeout:
                code = component.process.poll()
                if code is not None:
                    raise LaunchError(f"{component.name}: exited with code {code} while starting: "
                                      f"{last_line(component.log_path)}")
                try:
                    if component.ready(client.get(component.health_url)):
                        self._report(f"iesmed: {component.name} ready on port {component.port} "
                                     f"after {time.monotonic() - started:.1f} s")
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
        raise LaunchError(f"{component.name}: not healthy after {component.start_timeout:.0f} s "
                          f"(see {component.log_path})")

    def watch(self) -> None:
        """Report, in the background, any component that stops unexpectedly."""
        def loop() -> None:
            reported: set[str] = set()
            while not self._stopping.wait(1.0):
                for c in self.components:
                    if c.process and c.process.poll() is not None and c.name not in reported:
                        reported.add(c.name)
                        self.died.append(c.name)
                        self._report(f"iesmed: {c.name} stopped unexpectedly (exit code "
                                     f"{c.process.returncode}); see {c.log_path}")
        self._watcher = threading.Thread(target=loop, name="supervisor", daemon=True)
        self._watcher.start()

    def restart(self, name: str) -> None:
        """Stop one component and start it again (same command, same port)."""
        component = next(c for c in self.components if c.name == name)
        if component.process is not None:
            _terminate([component.process])
        self.components.remove(component)
        deadline = time.monotonic() + 10
        while port_in_use(component.port) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.start(component)

    def stop(self) -> None:
        """Stop every component, newest first: SIGTERM, then SIGKILL after 10 s."""
        self._stopping.set()
        _terminate([c.process for c in reversed(self.components) if c.process is not None])
        self.components.clear()


def _terminate(processes: list[subprocess.Popen[bytes]], grace: float = 10.0) -> None:
    """Send SIGTERM to each process group, wait up to ``grace`` seconds, then SIGKILL."""
    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def last_line(path: Path) -> str:
    """Return the last meaningful line of a log file, for one-line failure reports."""
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines()]
    except OSError:
        return "(no log)"
    meaningful = [line for line in lines if line and not line.startswith("===")]
    return meaningful[-1][:300] if meaningful else "(empty log)"
