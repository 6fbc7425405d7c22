"""Run by the engine's Python: train, store, load and run the intent classifier; print JSON.

Uses Rasa's own model storage, as `rasa train` and the server do, on a few examples in
three languages, and compares the fit with scikit-learn's lbfgs logistic regression on
the same features (the objective nlu/components/softmax_fit.py reproduces).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from ops.engine_imports import stand_in_for_tensorflow

stand_in_for_tensorflow()  # the classifier needs none; Rasa's imports would take seconds

import numpy as np  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from scipy.sparse import hstack  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from nlu.components.intent_classifier import TfidfIntentClassifier  # noqa: E402
from nlu.components.softmax_fit import fit_softmax  # noqa: E402
from nlu.components.text_features import vectorizers  # noqa: E402

EXAMPLES = {
    "greet": ["hello", "hi there", "good morning", "hola", "buenos días", "bonjour",
              "salut", "hey", "hola, qué tal", "bonsoir"],
    "ask_funding": ["we need a loan", "we are looking for funding", "necesitamos financiación",
                    "buscamos un préstamo", "nous cherchons un financement",
                    "un prêt pour notre coopérative", "money for our cooperative",
                    "financing for a new project", "crédito para la cooperativa",
                    "aide financière"],
    "goodbye": ["bye", "goodbye", "see you", "adiós", "hasta luego", "au revoir", "à bientôt",
                "ciao", "nos vemos", "bye bye"],
}
PROBES = ["hello!", "necesitamos un préstamo", "au revoir", "a loan please"]


def main() -> None:
    """Train, persist, load and predict; compare with scikit-learn."""
    messages = [Message.build(text=text, intent=intent)
                for intent, texts in EXAMPLES.items() for text in texts]
    with tempfile.TemporaryDirectory() as folder:
        storage = LocalModelStorage(Path(folder))
        resource = Resource("intent_classifier")
        context = ExecutionContext(GraphSchema({}), "check")
        trained = TfidfIntentClassifier.create({}, storage, resource, context)
        trained.train(TrainingData(messages))
        loaded = TfidfIntentClassifier.load({}, storage, resource, context)
        probes = [Message.build(text=text) for text in PROBES]
        loaded.process(probes)
        rankings = [[(r["name"], r["confidence"]) for r in m.get("intent_ranking")]
                    for m in probes]
        intents = [m.get("intent") for m in probes]
        # The per-row scores against scikit-learn's sparse transform of the same texts,
        # including a text with no known feature and a long one.
        texts_seen = [*PROBES, "", "ζζζ ξξξ", " ".join(EXAMPLES["ask_funding"]) * 3]
        reference_scores = np.asarray(loaded._features(texts_seen) @ loaded._weights()
                                      + loaded.intercept)
        row_scores_gap = float(np.abs(loaded._scores(texts_seen) - reference_scores).max())

    texts = [m.get("text") for m in messages]
    labels = [m.get("intent") for m in messages]
    features = vectorizers(1)
    x = hstack([f.fit_transform(texts) for f in features]).tocsr()
    reference = LogisticRegression(C=30.0, max_iter=1000, random_state=7).fit(x, labels)
    classes, coef, intercept, _ = fit_softmax(x, labels, C=30.0)
    # Split across threads, each computing whole rows of the products: the same fit.
    alone = fit_softmax(x, labels, C=30.0, max_iter=40, threads=1)
    split = fit_softmax(x, labels, C=30.0, max_iter=40, threads=3)
    ours = x @ coef.T + intercept
    ours = np.exp(ours - ours.max(axis=1, keepdims=True))
    ours /= ours.sum(axis=1, keepdims=True)
    print(json.dumps({
        "intents": [i["name"] for i in intents],
        "top_confidence": [i["confidence"] for i in intents],
        "rankings": rankings,
        "row_scores_gap": row_scores_gap,
        "classes_match": classes == [str(c) for c in reference.classes_],
        "max_probability_gap": float(np.abs(ours - reference.predict_proba(x)).max()),
        "threads_same_fit": bool(np.array_equal(alone[1], split[1])
                                 and np.array_equal(alone[2], split[2])
                                 and alone[3] == split[3]),
    }))


if __name__ == "__main__":
    main()
    sys.exit(0)
