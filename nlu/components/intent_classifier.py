"""Intent classifier on TF-IDF word and character n-grams, built for nine languages.

Rasa's LogisticRegressionClassifier reads the sentence features of the
featurizers before it: raw counts, with the regularisation fixed at C=1. On
our data that under-fits short messages and lets long messages dominate.
This component featurises the text itself:

- lower-cased and folded (accents, tonos, hamza and a few letters chat users
  type either way are made the same);
- word unigrams and bigrams, TF-IDF with sublinear term frequency;
- character 1-5-grams inside word boundaries, TF-IDF, seen at least twice
  (both in nlu/components/text_features.py, shared with ops/bench/nlu_quick.py);

and fits a multinomial logistic regression (scikit-learn's lbfgs objective, minimised
for 200 L-BFGS iterations by nlu/components/softmax_fit.py, each several times cheaper
than scikit-learn's), whose probabilities the FallbackClassifier and the dialogue's
confidence checks rely on. A message of
several sentences whose best intent is an introduction is also read part by
part, and a need stated in one part is put first; a sum of money the message says it
needs makes it a funding need (nlu/money_need.py); a need the whole message only
barely prefers is confirmed by the part that states it, and one the message surely
asks for without saying which is lifted above the fallback; a message quoting a case
reference asks about that request (nlu/components/sentences.py). Measured
against the Rasa pipeline it replaces in docs/DECISIONS.md.

The trained model is stored as plain arrays and JSON (no pickle), so loading a
model file never runs code. Runs inside the Rasa engine (Python 3.10).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.sentences import (
    YIELDING,
    confirm_need,
    lift_need,
    prefer_funding,
    prefer_need,
    prefer_status,
    switch_need,
)
from nlu.components.softmax_fit import fit_softmax
from nlu.components.text_features import tfidf_rows, vectorizers
from nlu.money_need import states_money_need

logger = logging.getLogger(__name__)

# Longer texts add nothing to the intent and only cost time (10,000-character
# messages are a tested input).
MAX_CHARS = 1000


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class TfidfIntentClassifier(IntentClassifier, GraphComponent):
    """Multilingual intent classifier: TF-IDF n-grams and logistic regression."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """C: inverse regularisation (100: at 30 the held-out confidences were lower than
        the share right, calibration error 0.080 against 0.045; with the fallback's
        threshold raised to 0.30 as much made-up text falls back and more right readings
        pass; docs/DECISIONS.md, session 13); max_iter: L-BFGS iterations, all of them run (tol 0:
        held-out accuracy rises to about 130 iterations here, while a tolerance of 1e-4
        stopped the fit at about 80, 0.4 points lower; docs/DECISIONS.md, session 12);
        tol: stop earlier when the largest gradient component per example is below it;
        ranking_length: intents in the ranking."""
        return {"C": 100.0, "max_iter": 150, "tol": 0.0, "min_char_df": 2,
                "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.vectorizers: List[TfidfVectorizer] = []
        self.classes: List[str] = []
        self.coef: Optional[np.ndarray] = None
        self.intercept: Optional[np.ndarray] = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext
               ) -> "TfidfIntentClassifier":
        """Create an untrained classifier."""
        return cls(config, model_storage, resource)

    @staticmethod
    def _text(message: Message) -> str:
        return (message.get(TEXT) or "")[:MAX_CHARS]

    def _features(self, texts: List[str]):
        """The features as scikit-learn computes them (the reference `_scores` is
        checked against in tests/support/intent_classifier_check.py)."""
        return hstack([v.transform(texts) for v in self.vectorizers]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the vectorizers and the regression on the intent examples."""
        examples = [e for e in training_data.intent_examples
                    if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("TfidfIntentClassifier: no intent examples, nothing to train.")
            return self._resource
        texts = [self._text(e) for e in examples]
        labels = [e.get(INTENT) for e in examples]
        self.vectorizers = vectorizers(int(self.config["min_char_df"]))
        features = hstack([v.fit_transform(texts) for v in self.vectorizers]).tocsr()
        self.classes, self.coef, self.intercept, iterations = fit_softmax(
            features, labels, C=float(self.config["C"]), max_iter=int(self.config["max_iter"]),
            tol=float(self.config["tol"]))
        logger.debug("TfidfIntentClassifier: %d examples, %d features, %d iterations.",
                     features.shape[0], features.shape[1], iterations)
        self.persist()
        return self._resource

    def _weights(self) -> np.ndarray:
        """Return the coefficients transposed and C-contiguous, arranged once.

        SciPy multiplies sparse features by a dense matrix in place only when the matrix
        is C-contiguous; `coef.T` is not, and was copied whole (34 MB) on every message
        (about 45 ms of each parse). The coefficients are then kept as a view of it.
        """
        cached = getattr(self, "_coef_t", None)
        if cached is None or cached[0] is not self.coef:
            weights = np.ascontiguousarray(np.asarray(self.coef).T)
            self.coef = weights.T
            self._coef_t = cached = (self.coef, weights)
        return cached[1]

    def _scores(self, texts: List[str]) -> np.ndarray:
        """Features times coefficients plus intercept, from each row's non-zero features
        (the rows of the coefficients they select), without building sparse matrices."""
        weights = self._weights()
        scores = np.tile(np.asarray(self.intercept, dtype=np.float64), (len(texts), 1))
        offset = 0
        for vectorizer in self.vectorizers:
            for row, (indices, values) in enumerate(tfidf_rows(vectorizer, texts)):
                if len(indices):
                    scores[row] += values @ weights[indices + offset]
            offset += len(vectorizer.vocabulary_)
        return scores

    def _probabilities(self, texts: List[str]) -> np.ndarray:
        scores = self._scores(texts)
        if scores.shape[1] == 1:  # two intents: one column of log-odds for the second
            scores = np.hstack([np.zeros_like(scores), scores])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def _ranking(self, row: np.ndarray) -> List[Dict[str, Any]]:
        order = np.argsort(-row, kind="stable")
        return [{"name": self.classes[i], "confidence": float(row[i])} for i in order]

    def _rank_texts(self, texts: List[str]) -> List[List[Dict[str, Any]]]:
        if not texts:
            return []
        return [self._ranking(row) for row in self._probabilities([t[:MAX_CHARS] for t in texts])]

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the intent and the intent ranking of each message."""
        if not self.vectorizers or self.coef is None:
            return messages
        probabilities = self._probabilities([self._text(m) for m in messages])
        length = int(self.config["ranking_length"])
        for message, row in zip(messages, probabilities):
            ranking = self._ranking(row)
            text = self._text(message)
            ranking = prefer_funding(ranking, text, states_money_need)
            if ranking[0]["name"] in YIELDING:
                ranking = prefer_need(ranking, text, self._rank_texts)
            ranking = confirm_need(ranking, text, self._rank_texts)
            ranking = switch_need(ranking, text, self._rank_texts)
            ranking = lift_need(ranking)
            ranking = prefer_status(ranking, text)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[:length] if length > 0 else ranking,
                        add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to the training data."""
        return training_data

    def persist(self) -> None:
        """Store vocabularies, IDF weights and coefficients as JSON and .npy arrays."""
        with self._model_storage.write_to(self._resource) as directory:
            meta = {"classes": self.classes, "vocabularies": []}
            for n, vectorizer in enumerate(self.vectorizers):
                meta["vocabularies"].append(
                    {term: int(index) for term, index in vectorizer.vocabulary_.items()})
                np.save(directory / f"idf{n}.npy", vectorizer.idf_, allow_pickle=False)
            # Fitted in float32 (softmax_fit.py): stored and served so, half the archive
            # and half the memory (the rows a message selects are widened when multiplied:
            # float32 to float64 is exact, so the scores are the same).
            np.save(directory / "coef.npy", np.asarray(self.coef, dtype=np.float32),
                    allow_pickle=False)
            np.save(directory / "intercept.npy", self.intercept, allow_pickle=False)
            (directory / "model.json").write_text(json.dumps(meta, ensure_ascii=False),
                                                  encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage,
             resource: Resource, execution_context: ExecutionContext,
             **kwargs: Any) -> "TfidfIntentClassifier":
        """Load a trained classifier; an untrained one if the model holds none."""
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
                loaded = vectorizers(int(component.config["min_char_df"]))
                for n, (vectorizer, vocabulary) in enumerate(
                        zip(loaded, meta["vocabularies"])):
                    vectorizer.vocabulary_ = vocabulary
                    vectorizer.idf_ = np.load(directory / f"idf{n}.npy", allow_pickle=False)
                component.vectorizers = loaded
                component.classes = meta["classes"]
                component.coef = np.load(directory / "coef.npy", allow_pickle=False)
                component.intercept = np.load(directory / "intercept.npy", allow_pickle=False)
        except (ValueError, FileNotFoundError, KeyError):
            logger.debug("TfidfIntentClassifier: no trained model in %s.", resource.name)
        return component
