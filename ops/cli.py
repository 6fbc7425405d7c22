"""Command line of the project: `./iesmed run | test | check | train | replay | chat | ...`."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from bot.config import load_settings
from ops.errors import LaunchError
from ops.paths import project_root


def _fail(message: str) -> int:
    print(f"iesmed: {message}", file=sys.stderr, flush=True)
    return 1


# The fast lane: every test that does not need the running stack (markers set in conftest).
FAST_LANE = "not e2e and not browser"


def prepare() -> tuple[Path, Path]:
    """Create the engine environment if missing and train the model if the data changed."""
    from ops.environments import engine_python
    from ops.training import ensure_model

    python = engine_python()
    return python, ensure_model(python)


def cmd_run(args: argparse.Namespace) -> int:
    """Start Rasa, the action server and the bot, then chat in the terminal."""
    from ops.stack import Ports, components, seed
    from ops.supervisor import Supervisor
    from ops.terminal import chat

    settings = load_settings()
    started = time.monotonic()
    try:
        python, model = prepare()
        counts = seed(settings.database)
        print(f"iesmed: catalogue ready in {settings.database} ({counts['services']} services, "
              f"{counts['events']} events)", file=sys.stderr, flush=True)
    except LaunchError as exc:
        return _fail(str(exc))
    ports = Ports(bot=settings.bot_port)
    supervisor = Supervisor()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        supervisor.start_together(components(
            settings=settings, ports=ports, engine_python=python, model=model,
            run_dir=settings.data_dir / "run", log_dir=settings.data_dir / "logs"))
        supervisor.watch()
        print(f"iesmed: all running after {time.monotonic() - started:.0f} s — web chat at "
              f"{settings.bot_url}/ ; Telegram "
              f"{'on' if settings.telegram_token else 'off (set TELEGRAM_TOKEN)'}",
              file=sys.stderr, flush=True)
        if args.no_chat:
            while True:
                time.sleep(3600)
        else:
            chat(settings.bot_url)
    except LaunchError as exc:
        supervisor.stop()
        return _fail(str(exc))
    except KeyboardInterrupt:
        print(file=sys.stderr)
    finally:
        if supervisor.components:
            print("iesmed: stopping…", file=sys.stderr, flush=True)
            supervisor.stop()
            print("iesmed: stopped", file=sys.stderr, flush=True)
    return 0


def ensure_chromium() -> None:
    """Install Debian's Chromium for the browser tests when it is missing (needs root)."""
    if shutil.which("chromium"):
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        print("iesmed: chromium is missing and cannot be installed here; browser tests will "
              "fail (install Debian's chromium package)", file=sys.stderr, flush=True)
        return
    print("iesmed: installing Debian's chromium for the browser tests (first run only)",
          file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"]
    if subprocess.call(command, env=env, stdout=subprocess.DEVNULL) != 0:
        subprocess.call([apt, "update", "-q"], env=env, stdout=subprocess.DEVNULL)
        subprocess.call(command, env=env, stdout=subprocess.DEVNULL)


def cmd_test(args: argparse.Namespace) -> int:
    """Run the whole suite (engine, model and browser prepared first), or only the fast lane."""
    pytest_args = args.pytest_args or ["-q"]
    env = dict(os.environ)
    if args.fast:
        pytest_args = ["-m", FAST_LANE, *pytest_args]
    else:
        if not args.pytest_args and cmd_check(args) != 0:
            return 1  # a broken rule fails in seconds, before the stack is prepared
        try:
            _python, model = prepare()
        except LaunchError as exc:
            return _fail(str(exc))
        ensure_chromium()
        env["IESMED_MODEL"] = str(model)
    argv = [sys.executable, "-m", "pytest", *pytest_args]
    return subprocess.call(argv, cwd=project_root(), env=env)


def cmd_check(_args: argparse.Namespace) -> int:
    """Run ruff, mypy and the import contracts; exit code 1 on any finding."""
    from ops.checks import run_checks

    return run_checks()


def cmd_bench(args: argparse.Namespace) -> int:
    """Run a benchmark: `chat`, `matching`, `nlu LANG`, `run` (start-up, memory) or `load`."""
    what = args.bench_args[0] if args.bench_args else ""
    if what not in {"chat", "matching", "nlu", "run", "load"} or (
            what == "nlu" and len(args.bench_args) < 2):
        return _fail("usage: iesmed bench chat [options] | matching [options] | nlu LANG [-v] "
                     "| run | load [options]")
    if what == "chat":
        from ops.bench.chat import main as chat

        return chat(args.bench_args[1:])
    if what == "load":
        from ops.bench.load import main as load

        return load(args.bench_args[1:])
    if what == "nlu":
        from ops.environments import engine_python

        try:
            python = engine_python()
        except LaunchError as exc:
            return _fail(str(exc))
        script = project_root() / "ops" / "bench" / "nlu_quick.py"
        return subprocess.call([str(python), str(script), *args.bench_args[1:]])
    if what == "run":
        script = project_root() / "ops" / "bench" / "measure_run.sh"
        return subprocess.call(["bash", str(script)], cwd=project_root())
    from ops.bench.matching import main as matching

    return matching(args.bench_args)


def cmd_retention(args: argparse.Namespace) -> int:
    """Anonymise the conversations idle beyond the retention period, or list them."""
    from bot.core.tracker_store import make_tracker_eraser
    from catalog.db import make_engine, make_session_factory
    from catalog.retention import apply_retention

    settings = load_settings()
    days = args.days or settings.retention_days
    engine = make_engine(args.database or settings.database)
    try:
        report = apply_retention(make_session_factory(engine), days=days,
                                 erase_tracker=make_tracker_eraser(settings),
                                 dry_run=args.dry_run, limit=None)
    finally:
        engine.dispose()
    done = "would be anonymised" if args.dry_run else "anonymised"
    print(f"retention: {days} days; conversations idle since before "
          f"{report.cutoff:%Y-%m-%d %H:%M} UTC")
    print(f"{len(report.conversations)} conversations {done} ({report.cases} cases, "
          f"{report.registrations} event registrations, {report.messages} messages)")
    if args.dry_run:
        for conversation_id in report.conversations:
            print(f"  {conversation_id}")
    if report.failed:
        print(f"{len(report.failed)} conversations left as they were: Rasa's tracker store "
              f"could not be erased (see the log); run again later", file=sys.stderr)
        return 1
    return 0


def _days(value: str) -> int:
    days = int(value)
    if not 1 <= days <= 730:
        raise argparse.ArgumentTypeError("between 1 and 730 (the privacy notice's two years)")
    return days


def cmd_train(_args: argparse.Namespace) -> int:
    """Train (or reuse) the model and print its path."""
    try:
        _python, model = prepare()
    except LaunchError as exc:
        return _fail(str(exc))
    print(model)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    """Migrate the catalogue database and load the seed catalogue."""
    from ops.stack import seed

    settings = load_settings()
    print(seed(settings.database))
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    """Export cases (CSV/JSON, filtered) or print one case's brief for a broker."""
    import datetime as dt

    from sqlalchemy import select

    from catalog.cases import brief, export, find_cases
    from catalog.db import make_engine, make_session_factory
    from catalog.models import Case

    engine = make_engine(args.database or load_settings().database)
    try:
        with make_session_factory(engine)() as session:
            if args.action == "brief":
                case = session.scalar(select(Case).where(Case.reference == args.reference))
                if case is None:
                    return _fail(f"no case {args.reference}")
                output = json.dumps(brief(case, args.lang), ensure_ascii=False, indent=2)
            else:
                cases = find_cases(
                    session, status=args.status, country=args.country, need=args.need,
                    since=dt.date.fromisoformat(args.since) if args.since else None,
                    until=dt.date.fromisoformat(args.until) if args.until else None)
                output = export(cases, args.format)
    finally:
        engine.dispose()
    if getattr(args, "out", None):
        Path(args.out).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    """Import, export, list or show the catalogue; a bad file is refused whole, exit code 1."""
    from catalog.db import make_engine, make_session_factory, upgrade
    from catalog.errors import CatalogError
    from catalog.transfer import export_catalogue, find_object, import_file, list_objects

    engine = make_engine(args.database or load_settings().database)
    sessions = make_session_factory(engine)
    output = ""
    try:
        if args.action == "import":
            if not args.dry_run:
                upgrade(engine)
            output = "\n".join(import_file(sessions, Path(args.file), kind=args.kind,
                                            dry_run=args.dry_run).lines())
        else:
            with sessions() as session:
                if args.action == "export":
                    output = export_catalogue(session, args.format, args.kind)
                elif args.action == "list":
                    rows = list_objects(session, args.kind, args.lang)
                    width = max((len(key) for key, _, _ in rows), default=0)
                    output = "\n".join(f"{key:<{width}}  {label}  ({detail})"
                                       for key, label, detail in rows)
                else:
                    found = find_object(session, args.key, args.lang)
                    if not found:
                        return _fail(f"no provider, service or event with key {args.key!r}")
                    output = "\n".join(_yaml({kind[:-1]: record}) for kind, record in found)
    except CatalogError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    if getattr(args, "out", None):
        Path(args.out).write_text(output, encoding="utf-8-sig" if args.format == "csv"
                                  else "utf-8")
    else:
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
    return 0


def _yaml(data: object) -> str:
    """Return ``data`` as readable YAML (Unicode kept, field order kept)."""
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat with an already running bot."""
    from ops.terminal import chat

    chat(args.url or load_settings().bot_url)
    return 0


def _add_catalog_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `catalog import | export | list | show`."""
    kinds = ["providers", "services", "events"]
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database", help="database URL (default: DATABASE_URL)")
    catalog = sub.add_parser("catalog", help="import, export, list or show the catalogue")
    actions = catalog.add_subparsers(dest="action", required=True)
    imp = actions.add_parser("import", parents=[database],
                             help="load a YAML or CSV file: validated, all or nothing")
    imp.add_argument("file")
    imp.add_argument("--kind", choices=kinds, help="what a CSV file holds (default: its name)")
    imp.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    exp = actions.add_parser("export", parents=[database],
                             help="write the catalogue as YAML or CSV")
    exp.add_argument("--format", choices=["yaml", "csv"], default="yaml")
    exp.add_argument("--kind", choices=kinds, help="only this kind (needed for CSV)")
    exp.add_argument("--out", help="write to this file instead of standard output")
    lst = actions.add_parser("list", parents=[database], help="keys and titles of one kind")
    lst.add_argument("kind", nargs="?", choices=kinds, default="services")
    lst.add_argument("--lang", default="en")
    show = actions.add_parser("show", parents=[database], help="one object by its key")
    show.add_argument("key")
    show.add_argument("--lang", help="only the text in this language")
    catalog.set_defaults(func=cmd_catalog)


def _add_stack_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Running, testing, checking, training and seeding the product, and the terminal chat."""
    run = sub.add_parser("run", help="start everything and chat in the terminal")
    run.add_argument("--no-chat", action="store_true", help="serve only (web chat, Telegram)")
    run.set_defaults(func=cmd_run)
    test = sub.add_parser("test", help="run the whole test suite")
    test.add_argument("--fast", action="store_true",
                      help="only what needs no running stack (no e2e or browser tests)")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test.set_defaults(func=cmd_test)
    sub.add_parser("check", help="ruff, mypy (strict) and the import contracts").set_defaults(
        func=cmd_check)
    sub.add_parser("train", help="train the model if the data changed").set_defaults(
        func=cmd_train)
    sub.add_parser("seed", help="load the seed catalogue").set_defaults(func=cmd_seed)
    chat = sub.add_parser("chat", help="terminal chat with a running bot")
    chat.add_argument("url", nargs="?")
    chat.set_defaults(func=cmd_chat)


def _add_cases_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`cases export` and `cases brief`, for brokers."""
    cases = sub.add_parser("cases", help="export cases or show a broker's brief")
    cases.add_argument("--database", help="database URL (default: DATABASE_URL)")
    case_sub = cases.add_subparsers(dest="action", required=True)
    exp = case_sub.add_parser("export", help="CSV or JSON of cases")
    exp.add_argument("--format", choices=["csv", "json"], default="csv")
    exp.add_argument("--status", choices=["new", "matched", "escalated", "closed",
                                          "resolved", "referred", "not_eligible",
                                          "no_response", "duplicate"])
    exp.add_argument("--since", help="YYYY-MM-DD")
    exp.add_argument("--until", help="YYYY-MM-DD")
    exp.add_argument("--country", help="ISO code, e.g. MA")
    exp.add_argument("--need", help="funding, consultancy, innovation, ...")
    exp.add_argument("--out", help="write to this file instead of standard output")
    brf = case_sub.add_parser("brief", help="one case, summarised in the broker's language")
    brf.add_argument("reference")
    brf.add_argument("--lang", default="en")
    cases.set_defaults(func=cmd_cases)


def _add_retention_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`retention [--dry-run] [--days N]`."""
    retention = sub.add_parser("retention", help="anonymise conversations idle beyond "
                               "RETENTION_DAYS (--dry-run: only list them)")
    retention.add_argument("--dry-run", action="store_true", help="list, change nothing")
    retention.add_argument("--days", type=_days, help="instead of RETENTION_DAYS")
    retention.add_argument("--database", help="database URL (default: DATABASE_URL)")
    retention.set_defaults(func=cmd_retention)


def _add_passthrough_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Commands that hand their own arguments to a module of their own."""
    evaluate = sub.add_parser("evaluate", help="benchmark language resolution and NLU")
    evaluate.add_argument("evaluate_args", nargs=argparse.REMAINDER)
    evaluate.set_defaults(func=lambda a: __import__("ops.evaluation", fromlist=["main"]).main(
        a.evaluate_args))
    bench = sub.add_parser("bench", help="benchmarks: `bench chat` (the product against a "
                           "bare Rasa bot: latency, throughput, launch, memory), `bench "
                           "matching` (catalogue sizes x databases), `bench nlu LANG`, "
                           "`bench run`, `bench load` (simultaneous conversations, "
                           "Rasa killed midway)")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench.set_defaults(func=cmd_bench)
    staff = sub.add_parser("staff", help="console accounts: `staff add | list | password`")
    staff.add_argument("staff_args", nargs=argparse.REMAINDER)
    staff.set_defaults(func=lambda a: __import__("ops.staff_accounts", fromlist=["main"])
                       .main(a.staff_args))
    events = sub.add_parser("events", help="`events attendees KEY [--out F]`, `events cancel KEY`")
    events.add_argument("events_args", nargs=argparse.REMAINDER)
    events.set_defaults(func=lambda a: __import__("ops.events_cli", fromlist=["main"])
                        .main(a.events_args))
    replay = sub.add_parser("replay", help="replay the real-conversation corpus through the "
                            "product and report (`replay --help`)")
    replay.add_argument("replay_args", nargs=argparse.REMAINDER)
    replay.set_defaults(func=lambda a: __import__("ops.replay_cli", fromlist=["main"])
                        .main(a.replay_args))


# Commands that take arguments argparse does not know: the attribute that receives them.
_EXTRA_ARGS = {"test": "pytest_args", "evaluate": "evaluate_args", "bench": "bench_args",
               "replay": "replay_args", "staff": "staff_args"}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="iesmed")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_stack_parsers(sub)
    _add_cases_parser(sub)
    _add_catalog_parser(sub)
    _add_retention_parser(sub)
    _add_passthrough_parsers(sub)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in _EXTRA_ARGS:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command in _EXTRA_ARGS:
        name = _EXTRA_ARGS[args.command]
        setattr(args, name, [*extra, *(getattr(args, name) or [])])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
