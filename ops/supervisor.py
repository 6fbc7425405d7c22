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

from ops.errors import LaunchError

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


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a crashed component: doubling, capped."""

    first: float = 1.0
    cap: float = 60.0
    stable_after: float = 300.0  # healthy this long: the next crash waits ``first`` again

    def delay(self, failures: int) -> float:
        """Return the wait before the restart that follows ``failures`` recent crashes."""
        return float(min(self.cap, self.first * 2 ** failures))


@dataclass
class _Health:
    """Crash history of one component, for the backoff."""

    failures: int = 0
    healthy_since: float = field(default_factory=time.monotonic)


class Supervisor:
    """Run components in order, restart one that dies, stop all on exit."""

    def __init__(self, *, report: Callable[[str], None] | None = None,
                 backoff: Backoff | None = None) -> None:
        self.components: list[Component] = []
        self.died: list[str] = []
        self._report = report or (lambda line: print(line, file=sys.stderr, flush=True))
        self._backoff = backoff or Backoff()
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # guards the component list, spawning and stopping
        self._busy: set[str] = set()  # components being restarted right now
        self._health: dict[str, _Health] = {}
        self._watcher: threading.Thread | None = None

    def start(self, component: Component) -> None:
        """Start one component and wait until it is healthy.

        Raises:
            LaunchError: the port is taken, the process exits, or it is not healthy in time.
        """
        if port_in_use(component.port):
            raise LaunchError(f"{component.name}: port {component.port} is already in use")
        self._spawn(component, f"starting {component.name}")
        with self._lock:
            self.components.append(component)
            self._health[component.name] = _Health()
        self._report(f"iesmed: starting {component.name} (log: {component.log_path})")
        took = self._await_health(component)
        self._health[component.name].healthy_since = time.monotonic()
        self._report(f"iesmed: {component.name} ready on port {component.port} "
                     f"after {took:.1f} s")

    def start_together(self, components: list[Component]) -> None:
        """Start several components at once, then wait until each is healthy, in order.

        No process waits for another to start: the action server and the bot come up
        while Rasa loads its model, the longest wait of a launch.

        Raises:
            LaunchError: a port is taken, a process exits, or one is not healthy in time.
        """
        for component in components:
            if port_in_use(component.port):
                raise LaunchError(f"{component.name}: port {component.port} is already in use")
        started = time.monotonic()
        for component in components:
            self._spawn(component, f"starting {component.name}")
            with self._lock:
                self.components.append(component)
                self._health[component.name] = _Health()
            self._report(f"iesmed: starting {component.name} (log: {component.log_path})")
        for component in components:
            self._await_health(component)
            self._health[component.name].healthy_since = time.monotonic()
            self._report(f"iesmed: {component.name} ready on port {component.port} "
                         f"after {time.monotonic() - started:.1f} s")

    def _spawn(self, component: Component, header: str) -> None:
        """Start the component's process, its output appended to its log file.

        Raises:
            LaunchError: the supervisor is stopping.
        """
        with self._lock:
            if self._stopping.is_set():
                raise LaunchError(f"{component.name}: not started, shutting down")
            component.log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(component.log_path, "ab") as log:  # the child keeps its own descriptor
                log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {header}\n".encode())
                log.flush()
                component.process = subprocess.Popen(
                    component.argv, stdout=log, stderr=subprocess.STDOUT, cwd=component.cwd,
                    env={**os.environ, **component.env}, start_new_session=True)

    def _await_health(self, component: Component) -> float:
        """Wait until the component answers its health check; return the seconds it took.

        Raises:
            LaunchError: the process exited, the supervisor is stopping, or time ran out.
        """
        assert component.process is not None
        started = time.monotonic()
        with httpx.Client(timeout=3.0) as client:
            while time.monotonic() - started < component.start_timeout:
                code = component.process.poll()
                if code is not None:
                    raise LaunchError(f"{component.name}: exited with code {code} while starting: "
                                      f"{last_line(component.log_path)}")
                try:
                    if component.ready(client.get(component.health_url)):
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
                if self._stopping.wait(0.5):
                    raise LaunchError(f"{component.name}: stopped while starting")
        raise LaunchError(f"{component.name}: not healthy after {component.start_timeout:.0f} s "
                          f"(see {component.log_path})")

    def watch(self, interval: float = 1.0) -> None:
        """Watch the components in the background and restart any that stops unexpectedly."""
        def loop() -> None:
            while not self._stopping.wait(interval):
                with self._lock:
                    dead = [c for c in self.components if c.name not in self._busy
                            and c.process is not None and c.process.poll() is not None]
                    self._busy.update(c.name for c in dead)
                for component in dead:
                    threading.Thread(target=self._recover, args=(component,),
                                     name=f"restart {component.name}", daemon=True).start()
        self._watcher = threading.Thread(target=loop, name="supervisor", daemon=True)
        self._watcher.start()

    def _recover(self, component: Component) -> None:
        """Restart a crashed component with exponential backoff until it is healthy again."""
        assert component.process is not None
        health = self._health[component.name]
        if time.monotonic() - health.healthy_since >= self._backoff.stable_after:
            health.failures = 0
        self.died.append(component.name)
        self._report(f"iesmed: {component.name} stopped unexpectedly (exit code "
                     f"{component.process.returncode}); see {component.log_path}")
        try:
            while not self._stopping.is_set():
                delay = self._backoff.delay(health.failures)
                health.failures += 1
                self._report(f"iesmed: restarting {component.name} in {delay:g} s "
                             f"(attempt {health.failures})")
                if self._stopping.wait(delay):
                    return
                try:
                    self._relaunch(component, f"restarting {component.name} after a crash "
                                              f"(attempt {health.failures})")
                except LaunchError as exc:
                    self._report(f"iesmed: {component.name} did not come back: {exc}")
                    continue
                health.healthy_since = time.monotonic()
                self._report(f"iesmed: {component.name} is back on port {component.port}")
                return
        finally:
            with self._lock:
                self._busy.discard(component.name)

    def _relaunch(self, component: Component, header: str) -> None:
        """Stop what is left of a component, wait for its port, start it and wait for health.

        Raises:
            LaunchError: the port stays taken, or the new process is not healthy.
        """
        if component.process is not None:
            _terminate([component.process])
        deadline = time.monotonic() + 10
        while port_in_use(component.port):
            if time.monotonic() > deadline:
                raise LaunchError(f"{component.name}: port {component.port} is still in use")
            time.sleep(0.2)
        self._spawn(component, header)
        try:
            self._await_health(component)
        except LaunchError:
            assert component.process is not None
            _terminate([component.process])
            raise

    def restart(self, name: str) -> None:
        """Stop one component and start it again (same command, same port).

        Raises:
            LaunchError: the component did not come back healthy.
        """
        component = next(c for c in self.components if c.name == name)
        while True:
            with self._lock:
                if name not in self._busy:
                    self._busy.add(name)
                    break
            time.sleep(0.2)  # the watcher is restarting it already; take over afterwards
        try:
            self._relaunch(component, f"restarting {name}")
            self._health[name].healthy_since = time.monotonic()
        finally:
            with self._lock:
                self._busy.discard(name)

    def stop(self) -> None:
        """Stop every component, newest first: SIGTERM, then SIGKILL after 10 s."""
        self._stopping.set()
        with self._lock:
            running = [c.process for c in reversed(self.components) if c.process is not None]
            self.components.clear()
        _terminate(running)


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
