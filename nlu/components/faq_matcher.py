"""Mark plain questions ("is there a fee?", "who is iesMed?") as the intent `ask_faq`.

Runs after the intent classifier: a message that nlu/faq.yml recognises as one of its
topics gets the intent `ask_faq` (confidence 1.0) and a `faq_topic` entity, wherever in
the dialogue it is asked; the dialogue answers it and asks its open question again. A
question no topic covers, that the classifier places nowhere (out of scope, or below the
fallback threshold), becomes topic "unknown", which the assistant offers to a broker.
Runs inside the Rasa engine (Python 3.10): imports only Rasa and nlu.components.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.faq import UNKNOWN, FaqMatcher

INTENT_NAME = "ask_faq"
ENTITY = "faq_topic"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class FaqQuestionMatcher(GraphComponent):
    """Override the intent of messages that ask one of the plain questions."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """unknown_below: a question classified below this confidence is "unknown";
        topic_intents: topics that ask for what an intent of the domain already does."""
        return {"unknown_below": 0.25, "unknown_intents": ["out_of_scope", "nlu_fallback"],
                "topic_intents": {"registrations": "list_registrations"}}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **config}
        self.matcher = FaqMatcher.load()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext
               ) -> "FaqQuestionMatcher":
        """Create the component (its data is nlu/faq.yml, read once)."""
        return cls(config)

    def _topic(self, message: Message, language: Optional[str]) -> Optional[str]:
        text = message.get(TEXT) or ""
        topic = self.matcher.topic(text, language)
        if topic or not text.strip() or text.lstrip().startswith("/"):
            return topic
        intent = message.get(INTENT) or {}
        unplaced = (intent.get("name") in self.config["unknown_intents"]
                    or float(intent.get("confidence") or 0.0)
                    < float(self.config["unknown_below"]))
        if unplaced and self.matcher.is_question(text, language):
            return UNKNOWN
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        """Set ask_faq and a faq_topic entity on plain questions (or the topic's own intent)."""
        for message in messages:
            metadata = message.get("metadata") or {}
            language = metadata.get("language") if isinstance(metadata, dict) else None
            topic = self._topic(message, language if isinstance(language, str) else None)
            if topic is None:
                continue
            intent_name = self.config["topic_intents"].get(topic)
            if intent_name:
                # "Which events am I signed up for?" is the request list_registrations
                # serves (its own rules, also in the middle of a form), not a plain question.
                self._set_intent(message, intent_name)
                continue
            # The classifier's guesses stay in the ranking, halved: the matcher's decision
            # is not a probability, and a guess close to 1.0 left as it was would make the
            # fallback's ambiguity check read "ask_faq or out_of_scope?" and give up.
            self._set_intent(message, INTENT_NAME)
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            entities.append({"entity": ENTITY, "value": topic, "start": 0, "end": 0,
                             "confidence": 1.0, "extractor": type(self).__name__})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        """Make ``name`` the message's intent, the classifier's guesses kept below it."""
        ranking = [{**r, "confidence": float(r.get("confidence") or 0.0) / 2}
                   for r in message.get("intent_ranking") or [] if r.get("name") != name]
        chosen = {"name": name, "confidence": 1.0}
        message.set(INTENT, chosen, add_to_output=True)
        message.set("intent_ranking", [chosen, *ranking], add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leave training data unchanged."""
        return training_data
