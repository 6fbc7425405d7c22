"""Language resolution on chat text: the free messages of the conversation corpora.

    python -m ops.bench.language [--dir DIR] [--misses]
    ./iesmed evaluate --chat [--dir DIR] [--misses]

The messages are the corpus's first messages, openings, asides, messages at the summary
and script steps (tests/corpora/conversations/<lang>.yml: written by hand, with typos and
without accents), never training examples. Each is resolved as a first message with no
hint, with the channel's hint in the user's language, with a hint in another language
(English, or Spanish for English: a phone set up in another language), and in context.
Accuracy is given per language and by word count; the headline is messages of three
words or more without a hint. `--dir /work/heldout` measures a held-out set: tune on the
default corpus only.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from bot.core.language import UNCERTAIN_MARGIN, LanguageResolver, words
from catalog.vocabulary import LANGUAGES
from ops.paths import project_root
from ops.replay_corpus import CORPUS_DIR, load_corpus

CONDITIONS = ("no hint", "hint right", "hint other", "in context")


def chat_messages(directory: Path) -> list[tuple[str, str]]:
    """Return (language, text) of every free message of the corpora in ``directory``."""
    rows: list[tuple[str, str]] = []
    for lang in LANGUAGES:
        path = directory / f"{lang}.yml"
        if not path.exists():
            continue
        corpus = load_corpus(path)
        rows += [(lang, text) for text in dict.fromkeys(corpus.free_messages())]
    return rows


def _bucket(n: int) -> str:
    return "1-2 words" if n <= 2 else ("3-5 words" if n <= 5 else "6+ words")


def measure(rows: list[tuple[str, str]], resolver: LanguageResolver | None = None,
            ) -> tuple[dict[str, dict[str, list[bool]]], list[tuple[str, str, str, float]]]:
    """Resolve every message in each condition; return hits per group and the misses.

    A miss is (expected, found, text, margin) for a message of 3+ words without a hint;
    hits["3+ words"]["menu offered"] says which of those got the language menu.
    """
    resolver = resolver or LanguageResolver()
    hits: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    misses: list[tuple[str, str, str, float]] = []
    for lang, text in rows:
        n = len(words(text))
        first = resolver.resolve(text)
        outcomes = {
            "no hint": first.language == lang,
            "hint right": resolver.resolve(text, hint=lang).language == lang,
            "hint other": resolver.resolve(
                text, hint="es" if lang == "en" else "en").language == lang,
            "in context": resolver.resolve(text, current=lang).language == lang,
        }
        groups = [lang, _bucket(n), "all"] + (["3+ words"] if n >= 3 else [])
        for group in groups:
            for condition, ok in outcomes.items():
                hits[group][condition].append(ok)
        if n >= 3:
            hits["3+ words"]["menu offered"].append(first.uncertain)
        if n >= 3 and not outcomes["no hint"]:
            misses.append((lang, first.language, text, first.margin))
    return hits, misses


def main(argv: list[str] | None = None) -> int:
    """Print the accuracy table (and the misses with --misses)."""
    parser = argparse.ArgumentParser(prog="iesmed evaluate --chat")
    parser.add_argument("--dir", type=Path, default=project_root() / CORPUS_DIR)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    hits, misses = measure(chat_messages(args.dir))
    print(f"\nLanguage resolution on chat text ({args.dir})")
    print("| group | n | " + " | ".join(CONDITIONS) + " |")
    print("|---|---|" + "---|" * len(CONDITIONS))
    order = ["3+ words", "all", "1-2 words", "3-5 words", "6+ words", *LANGUAGES]
    for group in [g for g in order if g in hits]:
        row = hits[group]
        cells = [f"{sum(row[c]) / len(row[c]):.3f}" for c in CONDITIONS]
        print(f"| {group} | {len(row['no hint'])} | " + " | ".join(cells) + " |")
    offered = hits["3+ words"]["menu offered"]
    uncertain_misses = sum(margin < UNCERTAIN_MARGIN for *_, margin in misses)
    print(f"\nLanguage menu offered (uncertain first message, 3+ words): {sum(offered)} of "
          f"{len(offered)}; {uncertain_misses} of the {len(misses)} misses get it")
    if args.misses:
        print(f"\nMisses, 3+ words, no hint ({len(misses)}):")
        for lang, found, text, margin in misses:
            print(f"  {lang}->{found} ({margin:.2f}) {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
