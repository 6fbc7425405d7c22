"""Quick proxy for intent quality while editing one language's examples.

Not the real measurement (that is `./iesmed evaluate`, which cross-validates the
Rasa pipeline on all nine languages at once); this mirrors the intent
classifier (nlu/components/intent_classifier.py: TF-IDF word 1-2-grams and
character 1-5-grams, logistic regression) on one language's examples, with
Rasa's default five folds, so a language pack can be checked in seconds.
Run with any Python that has scikit-learn and PyYAML, e.g. the
engine environment:

    ~/.cache/iesmed/venvs/rasa-py310-*/bin/python ops/bench/nlu_quick.py it
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml
from scipy.sparse import hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from nlu.components.text_features import vectorizers  # noqa: E402  (no Rasa needed)

ANNOTATION = re.compile(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))")


def examples(lang: str) -> tuple[list[str], list[str]]:
    data = yaml.safe_load((ROOT / "nlu" / lang / "nlu.yml").read_text("utf-8"))
    texts, labels = [], []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            if line.startswith("- "):
                texts.append(ANNOTATION.sub(r"\1", line[2:].strip()))
                labels.append(block["intent"])
    return texts, labels


def main(lang: str, folds: int = 5) -> None:
    texts, labels = examples(lang)
    predicted = [""] * len(texts)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(texts, labels):
        features = vectorizers()
        tr = [texts[i] for i in train]
        x = hstack([f.fit_transform(tr) for f in features]).tocsr()
        model = LogisticRegression(max_iter=1000, C=30.0).fit(x, [labels[i] for i in train])
        te = [texts[i] for i in test]
        xt = hstack([f.transform(te) for f in features]).tocsr()
        for i, p in zip(test, model.predict(xt), strict=True):
            predicted[i] = p
    print(f"{lang}: {len(texts)} examples, macro-F1 "
          f"{f1_score(labels, predicted, average='macro'):.3f}")
    print(classification_report(labels, predicted, digits=3, zero_division=0))
    confusions = Counter((t, p) for t, p in zip(labels, predicted, strict=True) if t != p)
    print("top confusions (true -> predicted):")
    for (t, p), n in confusions.most_common(15):
        print(f"  {n:4d}  {t} -> {p}")
    if "-v" in sys.argv:
        for text, t, p in zip(texts, labels, predicted, strict=True):
            if t != p:
                print(f"  [{t} -> {p}] {text}")


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except BrokenPipeError:  # output piped into head
        sys.exit(0)
