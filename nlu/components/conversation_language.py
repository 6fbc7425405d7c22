"""Expose the conversation language chosen by the bot, and its channel, as entities.

The bot resolves the language of each message with the conversation's context
and sends it as message metadata, with the channel the user writes from. This
component turns that metadata into `conversation_language` and
`conversation_channel` entities, so the `language` and `channel` slots are filled
before any response is chosen, without a round trip to the action server (the
channel was set by a global slot validator on the action server: one more HTTP call
on every message, docs/DECISIONS.md).
Runs inside the Rasa engine (Python 3.10): imports only Rasa.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# One language pack (a folder with language.yml) per supported language, as the product
# reads them (catalog/languages.py, which this engine-side module cannot import).
SUPPORTED = frozenset(p.parent.name for p in Path(__file__).resolve().parents[1].glob(
    "*/language.yml"))
ENTITY = "conversation_language"
CHANNEL_ENTITY = "conversation_channel"
# The channels the bot sends (bot/core/messages.py); anything else is not recorded.
CHANNELS = frozenset({"web", "terminal", "telegram", "whatsapp", "test"})


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class ConversationLanguageExtractor(GraphComponent):
    """Add the metadata's language and channel as entities of every parsed message."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ConversationLanguageExtractor":
        """Create the component (it has no state)."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Replace any conversation_language/channel entity with the metadata's values."""
        for message in messages:
            metadata = message.get("metadata") or {}
            if not isinstance(metadata, dict):
                metadata = {}
            entities = [e for e in message.get(ENTITIES, [])
                        if e.get("entity") not in (ENTITY, CHANNEL_ENTITY)]
            language = metadata.get("language")
            if isinstance(language, str) and language in SUPPORTED:
                entities.append(self._entity(ENTITY, language))
            channel = metadata.get("channel")
            if isinstance(channel, str) and channel in CHANNELS:
                entities.append(self._entity(CHANNEL_ENTITY, channel))
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _entity(self, name: str, value: str) -> Dict[Text, Any]:
        return {"entity": name, "value": value, "start": 0, "end": 0, "confidence": 1.0,
                "extractor": type(self).__name__}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leave training data unchanged."""
        return training_data
