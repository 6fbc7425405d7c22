"""`./iesmed replay`: load the corpus, start (or reach) the product, replay, write the report."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType

from pydantic import SecretStr

from bot.config import Settings, load_settings
from catalog.db import make_engine, make_session_factory
from ops.errors import LaunchError
from ops.replay import Replayer, Target
from ops.replay_corpus import Corpus as CorpusData
from ops.replay_corpus import CorpusError, corpus_files, load_corpus, training_overlaps
from ops.replay_observe import Unreachable
from ops.replay_report import LanguageResult, as_json, as_markdown

REFUSED = 2


def load(languages: list[str] | None, folder: Path | None = None) -> list[CorpusData]:
    """Load the corpora of ``languages`` (all present when None), refusing overlaps.

    Raises:
        CorpusError: a file breaks the format, is missing, or repeats training data.
    """
    files = (corpus_files() if folder is None
             else {p.stem: p for p in sorted(folder.glob("*.yml"))})
    missing = sorted(set(languages or ()) - set(files))
    if missing:
        raise CorpusError(f"no corpus for {', '.join(missing)} (looked for "
                          f"{folder or 'tests/corpora/conversations'}/<lang>.yml)")
    corpora = [load_corpus(path) for lang, path in files.items()
               if languages is None or lang in languages]
    for corpus in corpora:
        overlaps = training_overlaps(corpus)
        if overlaps:
            raise CorpusError(f"{corpus.path.name}: {len(overlaps)} messages occur in "
                              f"nlu/{corpus.language}/nlu.yml, e.g. {overlaps[0]!r}: write "
                              "messages the model was not trained on")
    return corpora


@contextmanager
def own_stack() -> Iterator[Target]:
    """Start the action server, Rasa and the bot on free ports and a fresh SQLite database."""
    from ops.environments import engine_python
    from ops.stack import Ports, components, seed
    from ops.supervisor import Supervisor, free_port
    from ops.training import ensure_model

    work = Path(tempfile.mkdtemp(prefix="iesmed-replay-"))
    database = f"sqlite:///{work / 'iesmed.sqlite3'}"
    token = secrets.token_urlsafe(24)
    settings = Settings(_env_file=None, IESMED_ENV="development",  # type: ignore[call-arg]
                        IESMED_DATA_DIR=work, DATABASE_URL=database, TRACKER_STORE_URL=None,
                        LOCK_STORE_URL=None, RASA_TOKEN=SecretStr(token))
    supervisor = Supervisor()
    try:
        python = engine_python()
        # IESMED_MODEL measures a given model, as in the tests; otherwise the current one.
        model = (Path(os.environ["IESMED_MODEL"]) if os.environ.get("IESMED_MODEL")
                 else ensure_model(python))
        seed(database)
        ports = Ports(rasa=free_port(), actions=free_port(), bot=free_port())
        print(f"replay: starting the stack (model {model.name}; logs in {work / 'logs'})",
              file=sys.stderr, flush=True)
        for component in components(settings=settings, ports=ports, engine_python=python,
                                    model=model, run_dir=work / "run", log_dir=work / "logs"):
            # Only this run's stores and no channel of the operator's; brokers at work (the
            # "human" flow does not depend on the hour); no rate limit in the way.
            component.env.update({"TRACKER_STORE_URL": "", "LOCK_STORE_URL": "",
                                  "TELEGRAM_TOKEN": "", "WHATSAPP_TOKEN": "",
                                  "BROKER_HOURS": "mon-sun 00:00-24:00",
                                  "CHAT_CONVERSATIONS_BURST": "100000",
                                  "CHAT_CONVERSATIONS_PER_MINUTE": "100000",
                                  "CHAT_MESSAGES_BURST": "100000",
                                  "CHAT_MESSAGES_PER_MINUTE": "100000"})
            # A measurement, not a service: on a busy machine Rasa may take longer to load.
            component.start_timeout = max(component.start_timeout, 600.0)
            supervisor.start(component)
        yield Target(bot_url=f"http://127.0.0.1:{ports.bot}",
                     rasa_url=f"http://127.0.0.1:{ports.rasa}", token=token,
                     database_url=database)
    finally:
        supervisor.stop()


def run(corpora: list[CorpusData], target: Target) -> list[LanguageResult]:
    """Replay every corpus against ``target``.

    Raises:
        Unreachable: the bot or Rasa stopped answering.
    """
    engine = make_engine(target.database_url)
    replayer = Replayer(target, make_session_factory(engine),
                        progress=lambda line: print(line, file=sys.stderr, flush=True))
    try:
        return [replayer.corpus(corpus) for corpus in corpora]
    finally:
        replayer.close()
        engine.dispose()


def write_report(results: list[LanguageResult], report: Path) -> tuple[Path, Path]:
    """Write the Markdown report and the JSON beside it; return both paths."""
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(as_markdown(results, "Replay of the real-conversation corpus"), "utf-8")
    data = report.with_suffix(".json")
    data.write_text(as_json(results), "utf-8")
    return report, data


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iesmed replay", description=(
        "Replay tests/corpora/conversations/<lang>.yml through the product and report "
        "fallbacks, flows, questions, validation failures and saved cases."))
    parser.add_argument("--lang", action="append", help="only this language (repeatable)")
    parser.add_argument("--report", type=Path, help="Markdown report (JSON beside it); "
                        "default: <IESMED_DATA_DIR>/replay/report.md")
    parser.add_argument("--url", help="a running bot instead of starting the stack")
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005",
                        help="its Rasa server (with --url; token from RASA_TOKEN)")
    parser.add_argument("--database", help="its database (with --url; default DATABASE_URL)")
    parser.add_argument("--corpus", type=Path, help="folder of <lang>.yml files instead of "
                        "tests/corpora/conversations")
    parser.add_argument("--hint", action="store_true", help="open each conversation with its "
                        "language as the browser's hint (default: none, detected from text)")
    return parser


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    """Run the replay; 0 once the report is written, 1 on infrastructure errors, 2 refused."""
    args = _parser().parse_args(argv)
    try:
        corpora = load(args.lang, args.corpus)
    except CorpusError as exc:
        print(f"iesmed: corpus refused: {exc}", file=sys.stderr)
        return REFUSED
    report = args.report or load_settings().data_dir / "replay" / "report.md"
    try:
        if args.url:
            token = os.environ.get("RASA_TOKEN", "")
            if not token:
                print("iesmed: --url needs RASA_TOKEN, the running Rasa's token",
                      file=sys.stderr)
                return 1
            target = Target(bot_url=args.url, rasa_url=args.rasa_url, token=token,
                            database_url=args.database or load_settings().database,
                            hint=args.hint)
            results = run(corpora, target)
        else:
            # Stopped by SIGTERM as by Ctrl-C: the stack it started is stopped too.
            signal.signal(signal.SIGTERM, _interrupt)
            with own_stack() as started:
                results = run(corpora, replace(started, hint=args.hint))
    except (LaunchError, Unreachable) as exc:
        print(f"iesmed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("iesmed: replay interrupted, no report written", file=sys.stderr)
        return 130
    markdown, data = write_report(results, report)
    sys.stdout.write(markdown.read_text("utf-8").split("\n## ")[0])
    print(f"replay: report in {markdown} and {data}", file=sys.stderr)
    return 0
