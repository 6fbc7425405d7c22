"""Benchmarks of understanding, per language (not run by the test suite).

    ./iesmed evaluate            # language resolution (seconds) + NLU cross-validation (minutes)
    ./iesmed evaluate --skip-nlu # language resolution only
    ./iesmed evaluate --folds 3  # fewer folds, faster

Language resolution is measured on a labelled set drawn from the training data:
the phrase lexicon the resolver uses is rebuilt from one half of each
language's examples and the other half is resolved, so short phrases are not
recognised merely because they were seen. Each message is resolved without
context, in context (the conversation already in that language) and, for
longer messages, from another language's context (it should switch); plain
langdetect on the same messages is the baseline.

Intent accuracy, macro-F1 and entity F1 come from `rasa test nlu
--cross-validation` on the assembled project, broken down per language by
mapping each test example back to the language file it came from.

The plain-question matcher (nlu/components/faq_matcher.py) turns some messages
into `ask_faq`, which no training example is labelled with. The intent table
counts those as wrong; a second table counts what the assistant then does
(`answered_as`): the data topic gets the privacy notice, the answer to
`ask_privacy`, and a question placed nowhere ("unknown") is the out-of-scope
reading, answered with the offer of a broker. Any other topic stays wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.core.language import LanguageResolver, _phrase_key, words
from catalog.vocabulary import LANGUAGES
from nlu.faq import UNKNOWN, FaqMatcher
from ops.paths import project_root

_ANNOTATION = re.compile(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))")


def plain(example: str) -> str:
    """Strip Rasa entity annotations from a training example."""
    return _ANNOTATION.sub(r"\1", example).strip()


def examples_by_language(root: Path | None = None) -> dict[str, list[tuple[str, str]]]:
    """Return {language: [(text, intent), ...]} from every language pack."""
    root = root or project_root()
    result: dict[str, list[tuple[str, str]]] = {}
    for lang in LANGUAGES:
        data = yaml.safe_load((root / "nlu" / lang / "nlu.yml").read_text("utf-8")) or {}
        rows: list[tuple[str, str]] = []
        for block in data.get("nlu", []):
            if "intent" not in block:
                continue
            for line in str(block["examples"]).splitlines():
                if line.startswith("- "):
                    rows.append((plain(line[2:]), block["intent"]))
        result[lang] = rows
    return result


# Topics of nlu/faq.yml whose handling is the same reading as an intent of the domain.
_TOPIC_READS_AS = {"data": "ask_privacy", UNKNOWN: "out_of_scope"}


def answered_as(predicted: str, text: str, topic_of: Callable[[str], str | None]) -> str:
    """The intent whose handling the assistant gives a message predicted ``predicted``.

    ``topic_of(text)`` is the plain-question matcher's topic (None when no topic matches:
    the matcher then made the message "unknown", a question the classifier placed nowhere).
    Topics with an answer of their own read as ``ask_faq:<topic>``.
    """
    if predicted != "ask_faq":
        return predicted
    topic = topic_of(text) or UNKNOWN
    return _TOPIC_READS_AS.get(topic, f"ask_faq:{topic}")


def _bucket(text: str) -> str:
    n = len(words(text))
    return "1-2 words" if n <= 2 else ("3-5 words" if n <= 5 else "6+ words")


def evaluate_language_resolution(seed: int = 11) -> dict[str, dict[str, float]]:
    """Return accuracy per (language or bucket) and condition, for the resolver and langdetect."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    data = examples_by_language()
    rng = random.Random(seed)  # noqa: S311 - a reproducible split of examples, not a secret
    lexicon_half: dict[str, set[str]] = defaultdict(set)
    test: list[tuple[str, str]] = []
    for lang, rows in data.items():
        # Requests to change language are meant to switch: they are not labelled data here.
        texts = sorted({text for text, intent in rows if intent != "change_language"})
        rng.shuffle(texts)
        half = len(texts) // 2
        for text in texts[:half]:
            key = _phrase_key(text)
            if key and len(key.split()) <= 3:
                lexicon_half[key].add(lang)
        test += [(text, lang) for text in texts[half:] if words(text)]
    resolver = LanguageResolver(phrases={k: frozenset(v) for k, v in lexicon_half.items()})
    others = {lang: LANGUAGES[(LANGUAGES.index(lang) + 3) % len(LANGUAGES)] for lang in LANGUAGES}

    hits: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for text, lang in test:
        groups = [lang, _bucket(text), "all"] + (["3+ words"] if len(words(text)) >= 3 else [])
        try:
            baseline = detect(text)
        except LangDetectException:
            baseline = "?"
        outcomes = {
            "langdetect alone": baseline == lang,
            "resolver, no context": resolver.resolve(text).language == lang,
            "resolver, in context": resolver.resolve(text, current=lang).language == lang,
        }
        if len(words(text)) >= 4:
            outcomes["resolver, switch from other"] = resolver.resolve(
                text, current=others[lang]).language == lang
        for group in groups:
            for condition, ok in outcomes.items():
                hits[(group, condition)].append(ok)
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for (group, condition), oks in hits.items():
        table[group][condition] = sum(oks) / len(oks)
        table[group]["n"] = max(table[group].get("n", 0), len(oks))
    return dict(table)


def _texts_to_language(data: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for lang, rows in data.items():
        for text, _ in rows:
            mapping.setdefault(text.strip(), lang)
    return mapping


def _macro_f1(pairs: Iterable[tuple[str, str]]) -> tuple[float, float]:
    pairs = list(pairs)
    labels = sorted({gold for gold, _ in pairs})
    f1s = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    accuracy = sum(1 for g, p in pairs if g == p) / len(pairs) if pairs else 0.0
    return accuracy, (sum(f1s) / len(f1s) if f1s else 0.0)


def _entity_f1(rows: Iterable[dict[str, Any]], extractor: str) -> float:
    """Entity-level F1: a predicted entity counts when its type and span match a target's."""
    tp = fp = fn = 0
    for row in rows:
        gold = {(e["entity"], e["start"], e["end"]) for e in row.get("entities") or []}
        found = {(e["entity"], e["start"], e["end"]) for e in row.get("predicted_entities") or []
                 if e.get("extractor") == extractor}
        tp += len(gold & found)
        fp += len(found - gold)
        fn += len(gold - found)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


_Intents = dict[str, list[tuple[str, str]]]
_Predictions = dict[str, list[tuple[str, str, str]]]  # (gold, predicted, text) per language
_EntityRows = dict[str, dict[str, dict[str, Any]]]


def evaluate_nlu(folds: int, without: tuple[str, ...] = ()
                 ) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]] | None]:
    """Run Rasa's cross-validation; return intent accuracy, macro-F1 and entity F1 per language,
    and the same intent figures by what the assistant does (None without the FAQ matcher).

    ``without`` names pipeline components left out of config.yml for this run (the class
    name, e.g. FaqQuestionMatcher), to compare with a measurement made before they existed.
    """
    from ops.environments import engine_python
    from ops.rasa_project import build

    python = engine_python()
    data = examples_by_language()
    language_of = _texts_to_language(data)
    with tempfile.TemporaryDirectory() as tmp:
        project = build(Path(tmp) / "project")
        if without:
            _leave_out(project / "config.yml", without)
        out = Path(tmp) / "results"
        _cross_validate(python, project, out, folds)
        intents, entity_rows, entity_f1 = _read_results(out, language_of)
        matched = "FaqQuestionMatcher" in _pipeline(project / "config.yml")
    classified = {lang: [(gold, got) for gold, got, _ in rows] for lang, rows in intents.items()}
    table = _nlu_table(classified, entity_rows, entity_f1)
    if not matched:
        return table, None
    matcher = FaqMatcher.load()  # `rasa test nlu` sends no language: neither does this

    def topic_of(text: str) -> str | None:
        return matcher.topic(text, None)

    served = {lang: [(gold, answered_as(got, text, topic_of)) for gold, got, text in rows]
              for lang, rows in intents.items()}
    return table, _nlu_table(served, {}, {})


def _class_name(component: dict[str, Any]) -> str:
    return str(component.get("name", "")).rsplit(".", 1)[-1]


def _pipeline(config: Path) -> list[str]:
    """The class names of ``config``'s pipeline components, in order."""
    return [_class_name(c) for c in yaml.safe_load(config.read_text("utf-8"))["pipeline"]]


def _leave_out(config: Path, names: tuple[str, ...]) -> None:
    """Remove the pipeline components whose class name is in ``names`` from ``config``."""
    data = yaml.safe_load(config.read_text("utf-8"))
    kept = [c for c in data["pipeline"] if _class_name(c) not in names]
    missing = set(names) - {_class_name(c) for c in data["pipeline"]}
    if missing:
        raise SystemExit(f"evaluate: no component {', '.join(sorted(missing))} in config.yml")
    data["pipeline"] = kept
    config.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def _cross_validate(python: Path, project: Path, out: Path, folds: int) -> None:
    """Run `rasa test nlu --cross-validation` on the built project, results into ``out``."""
    env = {**os.environ, "PYTHONPATH": str(project_root()), "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.monotonic()
    print(f"evaluate: rasa test nlu --cross-validation --folds {folds} (several minutes)",
          file=sys.stderr, flush=True)
    subprocess.run([str(python), "-m", "rasa", "test", "nlu", "--nlu", "data", "--config",
                    "config.yml", "--cross-validation", "--folds", str(folds), "--out",
                    str(out), "--successes"], cwd=project, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"evaluate: cross-validation took {time.monotonic() - started:.0f} s",
          file=sys.stderr, flush=True)


def _read_results(out: Path, language_of: dict[str, str]
                  ) -> tuple[_Predictions, _EntityRows, dict[str, float]]:
    """Read Rasa's results per language: intent predictions, entity rows, its entity F1s."""
    intents: _Predictions = defaultdict(list)
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out / name
        if path.exists():
            for row in json.loads(path.read_text("utf-8")):
                lang = language_of.get(row["text"].strip(), "?")
                predicted = (row.get("intent_prediction") or {}).get("name", "")
                intents[lang].append((row["intent"], predicted, row["text"]))
    # Messages with an entity to find or a wrong prediction, per language (those
    # with neither add nothing to entity F1); Rasa writes them per extractor.
    entity_rows: _EntityRows = defaultdict(dict)
    for name in ("CRFEntityExtractor_successes.json", "CRFEntityExtractor_errors.json"):
        path = out / name
        if path.exists():
            for row in json.loads(path.read_text("utf-8")):
                entity_rows[language_of.get(row["text"].strip(), "?")][row["text"]] = row
    entity_f1: dict[str, float] = {}
    for report in out.glob("*Extractor_report.json"):
        content = json.loads(report.read_text("utf-8"))
        entity_f1[report.stem.removesuffix("_report")] = float(
            content.get("micro avg", content.get("weighted avg", {})).get("f1-score", 0.0))
    return intents, entity_rows, entity_f1


def _nlu_table(intents: _Intents, entity_rows: _EntityRows,
               entity_f1: dict[str, float]) -> dict[str, dict[str, float]]:
    """One row per language and one for all: intent accuracy, macro-F1, entity F1."""
    table: dict[str, dict[str, float]] = {}
    for lang in [*LANGUAGES, "?"]:
        if intents.get(lang):
            accuracy, macro = _macro_f1(intents[lang])
            table[lang] = {"intent accuracy": accuracy, "intent macro-F1": macro,
                           "n": len(intents[lang])}
            if entity_rows.get(lang):
                table[lang]["entity F1 (CRF, per entity)"] = _entity_f1(
                    entity_rows[lang].values(), "CRFEntityExtractor")
    everything = [pair for rows in intents.values() for pair in rows]
    accuracy, macro = _macro_f1(everything)
    table["all"] = {"intent accuracy": accuracy, "intent macro-F1": macro, "n": len(everything),
                    **{f"entity F1 ({k}, per token)": v for k, v in entity_f1.items()}}
    if entity_rows:
        table["all"]["entity F1 (CRF, per entity)"] = _entity_f1(
            [row for rows in entity_rows.values() for row in rows.values()], "CRFEntityExtractor")
    return table


def _print(title: str, table: dict[str, dict[str, float]]) -> None:
    columns = sorted({c for row in table.values() for c in row if c != "n"})
    print(f"\n{title}")
    print("| group | n | " + " | ".join(columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for group, row in table.items():
        cells = [f"{row[c]:.3f}" if c in row else "" for c in columns]
        print(f"| {group} | {int(row.get('n', 0))} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    """Print the language-resolution and NLU tables."""
    parser = argparse.ArgumentParser(prog="iesmed evaluate")
    parser.add_argument("--skip-nlu", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--chat", action="store_true",
                        help="language resolution on the conversation corpora's chat text only")
    parser.add_argument("--without", action="append", default=[], metavar="COMPONENT",
                        help="leave a pipeline component out of the NLU cross-validation "
                             "(its class name; repeatable), e.g. FaqQuestionMatcher to "
                             "compare with figures measured before it existed")
    args, rest = parser.parse_known_args(argv)
    if args.chat:
        from ops.bench.language import main as chat

        return chat(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    _print("Language resolution accuracy", evaluate_language_resolution())
    if not args.skip_nlu:
        title = "NLU cross-validation" + (
            f" without {', '.join(args.without)}" if args.without else "")
        table, served = evaluate_nlu(args.folds, tuple(args.without))
        _print(title + " (intents as classified)", table)
        if served is not None:
            _print(title + ": intents by what the assistant does (ask_faq data = ask_privacy, "
                   "ask_faq unknown = out_of_scope; other topics wrong)", served)
    return 0


if __name__ == "__main__":
    sys.exit(main())
