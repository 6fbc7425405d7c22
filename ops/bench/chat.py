"""`iesmed bench chat`: the product against a bare `rasa init` assistant, in one run.

Builds (once, cached) and serves a bare `rasa init` assistant with the product's Rasa
engine environment and measures it through Rasa's REST channel; then starts the
product's stack as `iesmed run` does (on a scratch SQLite catalogue and tracker store)
and measures it through the chat API. For each: latency percentiles at several numbers
of concurrent conversations, throughput, launch to first answer, resident memory of each
process (with its children); with --training, training from scratch too. Writes a JSON
and Markdown report and a PNG plot, and prints the table with the product/bare ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from bot.config import Settings
from ops.bench import bare as bare_bot
from ops.bench.chat_load import (
    BareTarget,
    ProductTarget,
    Target,
    cpu_seconds,
    first_answer,
    rss_mb,
    run_level,
)
from ops.bench.chat_report import markdown
from ops.bench.chat_stats import Level, Subject, pool, report, to_json
from ops.errors import LaunchError
from ops.paths import project_root
from ops.supervisor import Component, Supervisor, free_port

# Measured with the load running, after each level: the largest reading is kept.
Sampler = Callable[[], dict[str, float]]


def _levels(value: str) -> list[int]:
    levels = [int(part) for part in value.split(",") if part.strip()]
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("a comma list of positive numbers, e.g. 1,8,32")
    return levels


def parse(argv: list[str]) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="iesmed bench chat",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--levels", type=_levels, default=[1, 8, 32],
                        help="concurrent conversations to measure (default 1,8,32)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per level (default 20)")
    parser.add_argument("--quick", action="store_true",
                        help="levels 1,8 for 6 s each: a rough figure in about 3 minutes")
    parser.add_argument("--launch-only", action="store_true",
                        help="only launch to first answer and memory, no load levels "
                             "(with --only product: about half a minute)")
    parser.add_argument("--training", action="store_true",
                        help="also time training both assistants from scratch (slow)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with both assistants up, measure each level in this many "
                             "rounds taking turns (each --seconds long), so that the "
                             "machine's changes of speed reach both alike (default 1: one "
                             "assistant after the other)")
    parser.add_argument("--only", choices=["bare", "product"],
                        help="measure one assistant only (no ratios)")
    parser.add_argument("--out", type=Path, default=project_root() / "build" / "bench-chat",
                        help="folder for report.json, report.md, report.png and logs")
    parser.add_argument("--profile", type=int, metavar="LEVEL",
                        help="record py-spy profiles of the product's processes during "
                             "this level (py-spy on PATH or --py-spy)")
    parser.add_argument("--py-spy", dest="py_spy", default=shutil.which("py-spy"))
    parser.add_argument("--model", type=Path,
                        help="serve this trained model instead of the current data's "
                             "(default: train it if the data changed)")
    args = parser.parse_args(argv)
    if args.quick:
        args.levels, args.seconds = [1, 8], min(args.seconds, 6.0)
    if args.launch_only:
        args.levels = []
    if args.profile is not None and not args.py_spy:
        parser.error("--profile needs py-spy (pip install py-spy; or pass --py-spy PATH)")
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    if args.rounds > 1 and args.profile is not None:
        parser.error("--profile records one assistant's level at a time: use it without "
                     "--rounds")
    return args


def _warm_up(running: Running, args: argparse.Namespace) -> None:
    """One conversation for a few seconds, before anything is measured."""
    asyncio.run(run_level(running.target, running.url, 1, min(3.0, args.seconds),
                          first_index=10_000))


def _record(running: Running, level: Level, label: str) -> None:
    """Keep a measured level and the largest memory reading; print the level's line."""
    running.subject.levels.append(level)
    for name, mb in running.sample().items():
        running.subject.memory_mb[name] = max(mb, running.subject.memory_mb.get(name, 0.0))
    summary = level.summary()
    print(f"bench: {running.subject.name}, {label}: p50 {summary['p50_ms']} ms, "
          f"p95 {summary['p95_ms']} ms, {summary['throughput']} msg/s, "
          f"{summary['errors']} errors, CPU {summary['cpu_ms_per_answer']} ms/answer "
          f"{summary['cpu_ms_per_answer_by_process']}, load generator "
          f"{summary['load_generator_cpu_ms_per_answer']} ms/answer",
          file=sys.stderr, flush=True)


def measure(running: Running, args: argparse.Namespace) -> None:
    """Warm up, then play every level; keep the largest memory reading."""
    if not args.levels:  # launch only: memory after the first answer
        running.subject.memory_mb.update(running.sample())
        return
    _warm_up(running, args)
    for index, concurrency in enumerate(args.levels):
        spies = (running.profile(args.seconds)
                 if running.profile and concurrency == args.profile else [])
        level = play_level(running, concurrency, args.seconds, 100_000 * (index + 1))
        for spy in spies:
            spy.wait(timeout=120)
        _record(running, level, f"{concurrency} concurrent")


def _launch(supervisor: Supervisor, parts: list[Component], target: Target, url: str,
            subject: Subject, notes: list[str]) -> None:
    """Start the processes and time launch to the first answer.

    Raises:
        LaunchError: a process did not start, or no first answer within five minutes.
    """
    started = time.monotonic()
    supervisor.start_together(parts)  # as `iesmed run` starts them
    ready = time.monotonic() - started
    if not asyncio.run(first_answer(target, url, time.monotonic() + 300)):
        raise LaunchError(f"bench: {subject.name} never answered a first message")
    subject.launch_to_first_answer = time.monotonic() - started
    notes.append(f"{subject.name}: {', '.join(p.name for p in parts)} started together, "
                 f"all healthy after {ready:.1f} s")


@dataclass
class Running:
    """A started assistant, ready to be measured."""

    subject: Subject
    target: Target
    url: str
    sample: Sampler
    cpu: Sampler
    profile: Callable[[float], list[subprocess.Popen[bytes]]] | None = None


@contextmanager
def bare_running(python: Path, args: argparse.Namespace, notes: list[str]
                 ) -> Iterator[Running]:
    """Build if needed and start the bare assistant; stop it afterwards."""
    subject = Subject("bare")
    logs = args.out / "logs"
    built = bare_bot.ensure_bare(python, log=logs / "bare-init.log")
    if args.training:
        print("bench: training the bare assistant from scratch", file=sys.stderr, flush=True)
        subject.training_seconds = bare_bot.train_from_scratch(
            python, built.project, log=logs / "bare-train.log")
    port = free_port()
    supervisor = Supervisor()
    part = bare_bot.component(python, built, port, logs)
    try:
        url = f"http://127.0.0.1:{port}"
        _launch(supervisor, [part], BareTarget(), url, subject, notes)
        yield Running(subject, BareTarget(), url, lambda: {
            "rasa": rss_mb(part.process.pid) if part.process else 0.0},
            cpu=lambda: {"rasa": cpu_seconds(part.process.pid) if part.process else 0.0})
    finally:
        supervisor.stop()


@contextmanager
def product_running(python: Path, model: Path, args: argparse.Namespace,
                    notes: list[str]) -> Iterator[Running]:
    """Start the product's stack on scratch stores; stop it afterwards."""
    from ops.stack import Ports, components, seed

    subject = Subject("product")
    work = Path(tempfile.mkdtemp(prefix="iesmed-bench-chat-"))
    database = f"sqlite:///{work / 'iesmed.sqlite3'}"
    settings = Settings(_env_file=None, IESMED_ENV="development",  # type: ignore[call-arg]
                        IESMED_DATA_DIR=work, DATABASE_URL=database, TRACKER_STORE_URL=None,
                        LOCK_STORE_URL=None, RASA_TOKEN=SecretStr(secrets.token_urlsafe(24)))
    seed(database)
    ports = Ports(rasa=free_port(), actions=free_port(), bot=free_port())
    parts = components(settings=settings, ports=ports, engine_python=python, model=model,
                       run_dir=work / "run", log_dir=args.out / "logs")
    for part in parts:  # only this run's stores and channels; no rate limit in the way
        part.env.update({"TRACKER_STORE_URL": "", "LOCK_STORE_URL": "", "TELEGRAM_TOKEN": "",
                         "WHATSAPP_TOKEN": "", "CHAT_CONVERSATIONS_BURST": "100000",
                         "CHAT_CONVERSATIONS_PER_MINUTE": "1000000",
                         "CHAT_MESSAGES_BURST": "100000",
                         "CHAT_MESSAGES_PER_MINUTE": "1000000"})
    supervisor = Supervisor()
    target = ProductTarget()
    url = f"http://127.0.0.1:{ports.bot}"
    try:
        _launch(supervisor, parts, target, url, subject, notes)

        def sample() -> dict[str, float]:
            found = {p.name: rss_mb(p.process.pid) for p in parts if p.process}
            # The process that starts them (here the benchmark itself, which may also
            # have the bare assistant running as its child).
            found["launcher"] = rss_mb(os.getpid(), children=False)
            return found

        yield Running(subject, target, url, sample,
                      cpu=lambda: {p.name: cpu_seconds(p.process.pid)
                                   for p in parts if p.process},
                      profile=lambda seconds: _profile(args, parts, seconds))
    finally:
        supervisor.stop()
        shutil.rmtree(work, ignore_errors=True)


def run_bare(python: Path, args: argparse.Namespace, notes: list[str]) -> Subject:
    """Build if needed, start and measure the bare assistant."""
    with bare_running(python, args, notes) as running:
        measure(running, args)
    return running.subject


def run_product(python: Path, model: Path, args: argparse.Namespace,
                notes: list[str]) -> Subject:
    """Start the product's stack on scratch stores and measure it through the chat API."""
    with product_running(python, model, args, notes) as running:
        measure(running, args)
    return running.subject


def play_level(running: Running, concurrency: int, seconds: float, first_index: int
               ) -> Level:
    """Play one level against a running assistant, with the CPU each process used."""
    before = running.cpu()
    client_before = time.process_time()
    level = asyncio.run(run_level(running.target, running.url, concurrency, seconds,
                                  first_index=first_index))
    level.client_cpu_seconds = time.process_time() - client_before
    after = running.cpu()
    level.cpu_seconds = {name: after[name] - before.get(name, 0.0) for name in after}
    return level


def measure_interleaved(both: list[Running], args: argparse.Namespace,
                        notes: list[str]) -> None:
    """Measure the assistants in turns: ``args.rounds`` rounds per level, each playing
    every assistant for ``args.seconds``, the order reversed every other round.

    Both are up the whole time (the one not played is idle), so a change in what the
    machine gives (other work, the host) reaches both alike instead of whichever was
    measured second; each level's figures pool its rounds, and the notes give the
    product/bare throughput of each round.
    """
    for running in both:
        _warm_up(running, args)
    for index, concurrency in enumerate(args.levels):
        pooled = {r.subject.name: Level(concurrency) for r in both}
        rates: dict[str, list[float]] = {r.subject.name: [] for r in both}
        for round_ in range(args.rounds):
            for running in (both if round_ % 2 == 0 else list(reversed(both))):
                level = play_level(running, concurrency, args.seconds,
                                   100_000 * (index + 1) + 10_000 * round_)
                rates[running.subject.name].append(level.summary()["throughput"] or 0.0)
                pool(pooled[running.subject.name], level)
        for running in both:
            _record(running, pooled[running.subject.name],
                    f"{concurrency} concurrent, {args.rounds} rounds")
        if len(both) == 2 and all(rates[both[0].subject.name]):
            ratios = [p / b for b, p in zip(rates[both[0].subject.name],
                                            rates[both[1].subject.name], strict=True)]
            notes.append(f"{concurrency} concurrent, {both[1].subject.name}/"
                         f"{both[0].subject.name} throughput per round: "
                         + ", ".join(f"×{r:.2f}" for r in ratios)
                         + f" (median ×{statistics.median(ratios):.2f})")


def _profile(args: argparse.Namespace, parts: list[Component], seconds: float
             ) -> list[subprocess.Popen[bytes]]:
    """Start py-spy on each of the product's processes for ``seconds``."""
    folder = args.out / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    spies = []
    for part in parts:
        if part.process is None:
            continue
        out = folder / f"{part.name.replace(' ', '-')}.txt"
        spies.append(subprocess.Popen(
            [args.py_spy, "record", "-p", str(part.process.pid), "-d", str(int(seconds)),
             "-f", "raw", "-r", "50", "--subprocesses", "-o", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return spies


def write_report(subjects: list[Subject], args: argparse.Namespace, argv: list[str],
                 notes: list[str], python: Path) -> str:
    """Write report.json, report.md and report.png; return the Markdown."""
    context = {"started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": f"{platform.node()}, {os.cpu_count()} cores, "
                          f"load average {os.getloadavg()[0]:.1f} at the end",
               "command": " ".join(["./iesmed bench chat", *argv]),
               "levels": args.levels, "seconds_per_level": args.seconds, "notes": notes}
    data = report(subjects, context)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(to_json(data), "utf-8")
    text = markdown(data)
    (args.out / "report.md").write_text(text, "utf-8")
    # Matplotlib is in the engine environment (Rasa depends on it), not in the app's.
    plot = project_root() / "ops" / "bench" / "chat_plot.py"
    if not args.levels:  # launch only: no latencies to plot
        return text
    if subprocess.call([str(python), str(plot), str(args.out / "report.json"),
                        str(args.out / "report.png")]) != 0:
        print("bench: the plot could not be drawn", file=sys.stderr)
    return text


def main(argv: list[str]) -> int:
    """Run the chat benchmark; exit code 1 if a level saw errors or a launch failed."""
    from ops.environments import engine_python
    from ops.training import ensure_model, time_training

    args = parse(argv)
    notes: list[str] = []
    subjects: list[Subject] = []
    try:
        python = engine_python()
        model = args.model or ensure_model(python)
        training = None
        if args.training and args.only != "bare":
            print("bench: training the product from scratch (several minutes)",
                  file=sys.stderr, flush=True)
            training = time_training(python)
        if args.rounds > 1 and args.only is None and args.levels:
            with bare_running(python, args, notes) as bare, \
                    product_running(python, model, args, notes) as product:
                measure_interleaved([bare, product], args, notes)
            subjects += [bare.subject, product.subject]
            product.subject.training_seconds = training
        else:
            if args.only != "product":
                subjects.append(run_bare(python, args, notes))
            if args.only != "bare":
                subjects.append(run_product(python, model, args, notes))
                subjects[-1].training_seconds = training
    except LaunchError as exc:
        print(f"iesmed: {exc}", file=sys.stderr)
        return 1
    print(write_report(subjects, args, argv, notes, python))
    print(f"bench: report in {args.out}/report.md, .json and .png", file=sys.stderr)
    return 1 if any(level.errors for s in subjects for level in s.levels) else 0
