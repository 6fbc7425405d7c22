"""Time and score variants of the intent classifier's fit, outside Rasa, in seconds.

A full `./iesmed train` takes minutes and queues on the machine's training lock;
this reads the assembled training data once (`python -m ops.training build`),
featurises it as nlu/components/text_features.py does, and fits each variant on
the same stratified folds of all nine languages at once (as the Rasa model is
trained), printing fit seconds, accuracy and macro-F1 per language. Run with the
engine environment's Python (it has scikit-learn):

    ~/.cache/iesmed/venvs/app-py311-*/bin/python -m ops.training build /tmp/rasa
    ~/.cache/iesmed/venvs/rasa-py310-*/bin/python ops/bench/intent_fit.py /tmp/rasa \
        --folds 5 --variants current,fast

Besides accuracy and macro-F1 it prints what the served pipeline's confidence checks
see: accuracy after the FallbackClassifier of nlu/config.yml (a top intent under its
threshold, or within its ambiguity threshold of the second, is nlu_fallback, which counts
as wrong; `--threshold` tries another), the held-out
log-loss and expected calibration error (how far the confidence is from the share
right, in ten bins), and the share of made-up strings (`JUNK`) that fall back.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.sparse import hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from nlu.components.text_features import vectorizers  # noqa: E402  (no Rasa needed)

ANNOTATION = re.compile(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))")


def examples(project: Path) -> tuple[list[str], list[str], list[str]]:
    """Return texts, intents and languages of every intent example in the built project."""
    texts, labels, langs = [], [], []
    for path in sorted((project / "data").glob("nlu_*.yml")):
        lang = path.stem.removeprefix("nlu_")
        for block in yaml.safe_load(path.read_text("utf-8")).get("nlu", []):
            if "intent" not in block:
                continue
            for line in str(block["examples"]).splitlines():
                if line.startswith("- "):
                    texts.append(ANNOTATION.sub(r"\1", line[2:].strip())[:1000])
                    labels.append(block["intent"])
                    langs.append(lang)
    return texts, labels, langs


def _lbfgs(**kw: Any) -> Callable[[], Any]:
    return lambda: LogisticRegression(random_state=7, **kw)


class _Softmax:
    """nlu/components/softmax_fit.py behind scikit-learn's fit/predict."""

    def __init__(self, **kw: Any) -> None:
        self.kw = kw

    def fit(self, x: Any, y: Any) -> _Softmax:
        from nlu.components.softmax_fit import fit_softmax

        self.classes_, self.coef_, self.intercept_, n_iter = fit_softmax(x, list(y), **self.kw)
        self.n_iter_ = [n_iter]
        return self

    def predict(self, x: Any) -> Any:
        scores = x @ self.coef_.T + self.intercept_
        return np.asarray(self.classes_)[np.asarray(scores).argmax(axis=1)]

    def predict_proba(self, x: Any) -> Any:
        scores = np.asarray(x @ self.coef_.T + self.intercept_, dtype=np.float64)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


def _fallback_config() -> tuple[float, float]:
    """nlu/config.yml's FallbackClassifier: (threshold, ambiguity_threshold)."""
    config = yaml.safe_load((ROOT / "nlu" / "config.yml").read_text("utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            return float(component["threshold"]), float(component["ambiguity_threshold"])
    return 0.0, 0.0


FALLBACK_THRESHOLD, AMBIGUITY_THRESHOLD = _fallback_config()
# Messages no intent fits: keyboard mashes, symbols, markup, other languages.
JUNK = ["asdf", "qwerty", "xxx", "hmm", "lol", "test", "???", "...", "12345", "0", "🙂", "👍👍",
        "<script>alert(1)</script>", "'; DROP TABLE cases; --", "Guten Tag", "ich verstehe nicht",
        "lorem ipsum dolor sit amet consectetur adipiscing elit", "Привет", "你好",
        "ok ok ok ok", "jkhsdf", "zzzzzz", "plkmn wqe", "fgh fgh", "aaaaaaaa", "mnbvcx",
        "qpwoeiruty", "lkj", "xcvb nmq", "ppppp", "hgfds jhg", "tyui", "wxyz", "kkkk", "vbn"]


def falls_back(proba: Any, threshold: float = FALLBACK_THRESHOLD) -> Any:
    """Which rows the FallbackClassifier would refuse: too unsure, or two intents too close."""
    ranked = np.sort(proba, axis=1)
    return (ranked[:, -1] < threshold) | (ranked[:, -1] - ranked[:, -2] < AMBIGUITY_THRESHOLD)


def served_figures(proba: Any, classes: Any, truth: Any,
                   threshold: float = FALLBACK_THRESHOLD) -> dict[str, float]:
    """Accuracy after the fallback, log-loss and calibration error of held-out probabilities."""
    classes = list(classes)
    right = np.asarray(classes)[proba.argmax(axis=1)] == truth
    fallback = falls_back(proba, threshold)
    index = np.array([classes.index(t) if t in classes else -1 for t in truth])
    p_true = np.where(index >= 0, proba[np.arange(len(truth)), np.maximum(index, 0)], 0.0)
    confidence = proba.max(axis=1)
    bins = np.minimum((confidence * 10).astype(int), 9)
    ece = sum(abs(right[bins == b].mean() - confidence[bins == b].mean()) * (bins == b).mean()
              for b in range(10) if (bins == b).any())
    return {"after fallback": float((right & ~fallback).mean()),
            "log-loss": float(-np.mean(np.log(np.clip(p_true, 1e-12, 1.0)))),
            "ECE": float(ece)}


VARIANTS: dict[str, Callable[[], Any]] = {
    "softmax-it60": lambda: _Softmax(C=30.0, max_iter=60),
    "softmax-it100": lambda: _Softmax(C=30.0, max_iter=100),
    "softmax-it150": lambda: _Softmax(C=30.0, max_iter=150),
    "softmax-it250": lambda: _Softmax(C=30.0, max_iter=250),
    # As served (all 150 iterations, no tolerance): session 12's C and the others tried.
    "softmax-C30": lambda: _Softmax(C=30.0, max_iter=150, tol=0.0),
    "softmax-C60": lambda: _Softmax(C=60.0, max_iter=150, tol=0.0),
    "softmax-C100": lambda: _Softmax(C=100.0, max_iter=150, tol=0.0),
    "softmax-C200": lambda: _Softmax(C=200.0, max_iter=150, tol=0.0),
    "softmax-C500": lambda: _Softmax(C=500.0, max_iter=150, tol=0.0),
    "softmax-C1000": lambda: _Softmax(C=1000.0, max_iter=150, tol=0.0),
    "softmax-C100-it250": lambda: _Softmax(C=100.0, max_iter=250, tol=0.0),
    "current": _lbfgs(C=30.0, max_iter=1000),
    "lbfgs-tol1e-3": _lbfgs(C=30.0, max_iter=1000, tol=1e-3),
    "lbfgs-it100": _lbfgs(C=30.0, max_iter=100),
    "lbfgs-it150": _lbfgs(C=30.0, max_iter=150),
    "lbfgs-it60": _lbfgs(C=30.0, max_iter=60),
    "lbfgs-C10": _lbfgs(C=10.0, max_iter=1000),
    "saga-tol1e-3": _lbfgs(C=30.0, solver="saga", tol=1e-3, max_iter=1000),
    "saga-tol1e-2": _lbfgs(C=30.0, solver="saga", tol=1e-2, max_iter=1000),
}


def _feature_set(name: str, min_char_df: int) -> list[Any]:
    """The served vectorizers ("served"), or a variant of them to compare: "word13" (word
    1-3-grams), "char26" (character 2-6-grams inside words), "no-across" (without the
    character n-grams across word boundaries, as served until session 14), joined with "+"."""
    word, char, *extra = vectorizers(min_char_df)
    for part in name.split("+"):
        if part == "served":
            continue
        if part == "no-across":
            extra = []
        if part.startswith("word"):
            word.set_params(ngram_range=(int(part[4]), int(part[5])))
        elif part.startswith("char") and part[4:].isdigit():
            char.set_params(ngram_range=(int(part[4]), int(part[5])))
        else:
            raise SystemExit(f"unknown feature variant {part!r}")
    return [word, char, *extra]


def _print_confusions(texts: list[str], truth: Any, predicted: Any, langs: Any,
                      top: int) -> None:
    """The most frequent held-out mistakes, as (true, predicted): count, by language."""
    from collections import Counter

    wrong = [(t, p, lang, text)
             for t, p, lang, text in zip(truth, predicted, langs, texts, strict=True) if t != p]
    pairs = Counter((t, p) for t, p, _, _ in wrong)
    print(f"\n{len(wrong)} mistakes; the {top} most frequent (true -> predicted):")
    for (t, p), count in pairs.most_common(top):
        by_lang = Counter(lang for a, b, lang, _ in wrong if (a, b) == (t, p))
        example = next(text for a, b, _, text in wrong if (a, b) == (t, p))
        print(f"  {count:4d}  {t} -> {p}  {dict(by_lang.most_common(4))}  e.g. {example[:90]!r}")


def _curve(x: Any, xt: Any, y: Any, yt: Any, langs: Any, iterations: int) -> None:
    """Fit once and print held-out accuracy, macro-F1 and the worst language every 10."""
    from nlu.components.softmax_fit import fit_softmax

    started = time.perf_counter()
    scoring = [0.0]  # seconds spent scoring, not fitting
    classes = np.unique(y.astype(str))

    def progress(iteration: int, coef: np.ndarray, intercept: np.ndarray) -> None:
        if iteration % 10:
            return
        began = time.perf_counter()
        elapsed = began - started - scoring[0]
        p = classes[np.asarray(xt @ coef + intercept).argmax(axis=1)]
        worst = min((f1_score(yt[langs == lang], p[langs == lang], average="macro"), lang)
                    for lang in sorted(set(langs)))
        print(f"  {iteration:4d} it {elapsed:6.1f} s  accuracy {accuracy_score(yt, p):.4f}  "
              f"macro-F1 {f1_score(yt, p, average='macro'):.4f}  worst {worst[1]} "
              f"{worst[0]:.3f}", flush=True)
        scoring[0] += time.perf_counter() - began

    fit_softmax(x, list(y), C=30.0, max_iter=iterations, tol=0.0, progress=progress)


def main(argv: list[str] | None = None) -> int:
    """Fit the chosen variants on the same folds; print seconds and scores."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="a built Rasa project (ops.training build)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-folds", type=int, default=0, help="stop after this many folds")
    parser.add_argument("--variants", default="current")
    parser.add_argument("--min-char-df", type=int, default=2)
    parser.add_argument("--features", default="served",
                        help="the text features: served, or a variant (see _feature_set)")
    parser.add_argument("--threshold", type=float, default=FALLBACK_THRESHOLD,
                        help="the fallback's threshold to score with (default nlu/config.yml's)")
    parser.add_argument("--full", action="store_true", help="also time one fit on all data")
    parser.add_argument("--confusions", type=int, default=0, metavar="N",
                        help="print the N most frequent (true, predicted) pairs of the first "
                             "variant, with an example of each")
    parser.add_argument("--curve", type=int, default=0, metavar="N",
                        help="instead of variants: one L-BFGS fit of N iterations, scored "
                             "on the held-out fold every 10 (accuracy against iterations)")
    args = parser.parse_args(argv)
    texts, labels, langs = examples(args.project)
    y, lab, lng = np.array(labels), labels, np.array(langs)
    print(f"{len(texts)} examples, {len(set(labels))} intents")
    names = args.variants.split(",")
    predicted = {n: np.empty(len(texts), dtype=object) for n in names}
    seconds: dict[str, list[float]] = {n: [] for n in names}
    served: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    iters: dict[str, list[int]] = {n: [] for n in names}
    splitter = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    done = np.zeros(len(texts), dtype=bool)
    for k, (train, test) in enumerate(splitter.split(texts, lab)):
        if args.max_folds and k >= args.max_folds:
            break
        started = time.perf_counter()
        features = _feature_set(args.features, args.min_char_df)
        x = hstack([f.fit_transform([texts[i] for i in train]) for f in features]).tocsr()
        xt = hstack([f.transform([texts[i] for i in test]) for f in features]).tocsr()
        junk = hstack([f.transform(JUNK) for f in features]).tocsr()
        print(f"fold {k}: {x.shape[1]} features, nnz {x.nnz}, "
              f"featurised in {time.perf_counter() - started:.1f} s", flush=True)
        if args.curve:
            _curve(x, xt, y[train], y[test], lng[test], args.curve)
            continue
        for name in names:
            model = VARIANTS[name]()
            started = time.perf_counter()
            model.fit(x, y[train])
            seconds[name].append(time.perf_counter() - started)
            iters[name].append(int(np.max(getattr(model, "n_iter_", [0]))))
            predicted[name][test] = model.predict(xt)
            if hasattr(model, "predict_proba"):
                figures = served_figures(model.predict_proba(xt), model.classes_, y[test],
                                         args.threshold)
                figures["junk falls back"] = float(
                    falls_back(model.predict_proba(junk), args.threshold).mean())
                served[name].append(figures)
            print(f"  {name}: {seconds[name][-1]:.1f} s, {iters[name][-1]} iterations", flush=True)
        done[test] = True
    if args.curve:
        return 0
    print("\nvariant | fit s (mean) | iter | accuracy | macro-F1 | "
          + " | ".join(sorted(set(langs))))
    for name in names:
        p, t = predicted[name][done].astype(str), y[done]
        per_lang = []
        for lang in sorted(set(langs)):
            mask = lng[done] == lang
            per_lang.append(f"{f1_score(t[mask], p[mask], average='macro'):.3f}")
        print(f"{name} | {np.mean(seconds[name]):.1f} | {int(np.mean(iters[name]))} | "
              f"{accuracy_score(t, p):.4f} | {f1_score(t, p, average='macro'):.4f} | "
              + " | ".join(per_lang))
    if args.confusions:
        _print_confusions([texts[i] for i in np.flatnonzero(done)], y[done],
                          predicted[names[0]][done].astype(str),
                          lng[done], args.confusions)
    if any(served.values()):
        print(f"\nfallback threshold {args.threshold}, ambiguity {AMBIGUITY_THRESHOLD}")
        print("variant | accuracy after fallback | log-loss | ECE | junk falls back "
              "(mean of folds)")
        for name in names:
            if served[name]:
                mean = {k: np.mean([f[k] for f in served[name]]) for k in served[name][0]}
                print(f"{name} | {mean['after fallback']:.4f} | {mean['log-loss']:.4f} | "
                      f"{mean['ECE']:.4f} | {mean['junk falls back']:.2f}")
    if args.full:
        features = vectorizers(args.min_char_df)
        x = hstack([f.fit_transform(texts) for f in features]).tocsr()
        for name in names:
            started = time.perf_counter()
            VARIANTS[name]().fit(x, y)
            print(f"all data, {name}: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
