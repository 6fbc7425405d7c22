"""Recall and precision of the plain-question matcher (nlu/faq.yml) on held-out phrasings.

`python -m ops.bench.faq` prints, per language: questions whose topic was found (recall),
matches that were right (precision), and how many of the training examples of the other
intents (answers, requests: nlu/<lang>/nlu.yml) the matcher would wrongly take.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from catalog.vocabulary import LANGUAGES
from nlu.faq import FaqMatcher

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "tests" / "corpora" / "faq_heldout.yml"
# Training intents a topic answers as well as the intent would ("what is iesMed?" is in
# ask_help): taking their examples is not a mistake. The price of a flight or a phone, in
# out_of_scope, is not a question about our fees: the fees answer to it is a mistake.
ANSWERS = {"data": {"ask_privacy"}, "registrations": {"list_registrations"},
           "about": {"ask_help", "challenge_bot"}, "fees": {"ask_help"},
           "friend": {"register_event"}, "duration": {"out_of_scope"}}


def training_negatives(lang: str) -> list[tuple[str, str]]:
    """(intent, example) of the language pack's training examples."""
    data = yaml.safe_load((ROOT / "nlu" / lang / "nlu.yml").read_text("utf-8")) or {}
    texts: list[tuple[str, str]] = []
    for block in data.get("nlu", []):
        if "intent" in block:
            texts += [(block["intent"], line[2:].strip())
                      for line in block["examples"].splitlines() if line.startswith("- ")]
    return texts


def mistaken(matcher: FaqMatcher, lang: str) -> list[str]:
    """Held-out non-questions and training examples the matcher takes wrongly."""
    held = yaml.safe_load(HELD_OUT.read_text("utf-8"))
    wrong = [text for text in held["not_questions"].get(lang, [])
             if matcher.topic(text, lang)]
    for intent, text in training_negatives(lang):
        topic = matcher.topic(text, lang)
        if topic and intent not in ANSWERS.get(topic, ()):
            wrong.append(f"{intent}: {text} -> {topic}")
    return wrong


def measure(matcher: FaqMatcher, lang: str) -> dict[str, float]:
    """Figures for one language."""
    held = yaml.safe_load(HELD_OUT.read_text("utf-8"))
    questions = held["questions"].get(lang, [])
    found = [(topic, matcher.topic(text, lang)) for topic, text in questions]
    negatives = held["not_questions"].get(lang, []) + training_negatives(lang)
    wrong = mistaken(matcher, lang)
    hits = sum(1 for topic, got in found if got == topic)
    taken = sum(1 for _, got in found if got) + len(wrong)
    return {"questions": len(questions), "recall": hits / max(1, len(questions)),
            "precision": hits / max(1, taken), "negatives": len(negatives),
            "false_matches": len(wrong)}


def main() -> int:
    """Print the figures per language and overall."""
    matcher = FaqMatcher.load()
    print(f"{'lang':4} {'questions':>9} {'recall':>7} {'precision':>9} {'negatives':>9} "
          f"{'wrongly taken':>13}")
    for lang in LANGUAGES:
        f = measure(matcher, lang)
        if "-v" in sys.argv:
            print("\n".join(f"  {lang}: {w}" for w in mistaken(matcher, lang)))
        print(f"{lang:4} {f['questions']:9.0f} {f['recall']:7.0%} {f['precision']:9.0%} "
              f"{f['negatives']:9.0f} {f['false_matches']:13.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
