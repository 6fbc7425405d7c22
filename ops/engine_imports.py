"""Serve a model that uses no TensorFlow without importing TensorFlow (engine environment).

Rasa 3.6 imports TensorFlow (and through it JAX) while it starts, whatever the model:
`rasa.core.agent` reaches `rasa.utils.train_utils`, which imports the Keras training
callbacks. On this project's model (sparse features, CRF, logistic regression,
memoization and rule policies) nothing calls TensorFlow when it predicts, yet the
import takes most of the launch time and several hundred MB of resident memory.

`stand_in_for_tensorflow` makes `tensorflow`, `keras` and `jax` (and their submodules)
importable stand-ins: any attribute is a class that can be subclassed, called or used as
a decorator, so Rasa's modules import; nothing of it runs. It is only used when every
component of the model is in ``WITHOUT_TENSORFLOW`` (read from the model's metadata), so
a model with DIET, TED or a language model featurizer gets the real TensorFlow.
Training uses them too when every component named in config.yml is in that list
(`config_needs_tensorflow`): the import was about 30 s of a training's start.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import sys
import tarfile
import types
from pathlib import Path
from typing import Any

STOOD_IN = frozenset({"tensorflow", "keras", "jax", "jaxlib", "tensorflow_hub",
                      "tensorflow_text", "tensorflow_addons", "tensorflow_probability"})
# Graph components known to predict without TensorFlow (Rasa 3.6 and this project's own).
WITHOUT_TENSORFLOW = frozenset({
    "nlu.components.conversation_language.ConversationLanguageExtractor",
    "nlu.components.faq_matcher.FaqQuestionMatcher",
    "nlu.components.intent_classifier.TfidfIntentClassifier",
    "rasa.core.policies.ensemble.DefaultPolicyPredictionEnsemble",
    "rasa.core.policies.memoization.MemoizationPolicy",
    "rasa.core.policies.memoization.AugmentedMemoizationPolicy",
    "rasa.core.policies.rule_policy.RulePolicy",
    "rasa.graph_components.converters.nlu_message_converter.NLUMessageConverter",
    "rasa.graph_components.providers.domain_for_core_training_provider."
    "DomainForCoreTrainingProvider",
    "rasa.graph_components.providers.domain_provider.DomainProvider",
    "rasa.graph_components.providers.forms_provider.FormsProvider",
    "rasa.graph_components.providers.nlu_training_data_provider.NLUTrainingDataProvider",
    "rasa.graph_components.providers.responses_provider.ResponsesProvider",
    "rasa.graph_components.providers.rule_only_provider.RuleOnlyDataProvider",
    "rasa.graph_components.providers.story_graph_provider.StoryGraphProvider",
    "rasa.graph_components.providers.training_tracker_provider.TrainingTrackerProvider",
    "rasa.graph_components.validators.default_recipe_validator.DefaultV1RecipeValidator",
    "rasa.graph_components.validators.finetuning_validator.FinetuningValidator",
    "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
    "rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler",
    "rasa.nlu.extractors.crf_entity_extractor.CRFEntityExtractor",
    "rasa.nlu.extractors.entity_synonyms.EntitySynonymMapper",
    "rasa.nlu.extractors.regex_entity_extractor.RegexEntityExtractor",
    "rasa.nlu.featurizers.sparse_featurizer.regex_featurizer.RegexFeaturizer",
    "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer",
    "rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer."
    "LexicalSyntacticFeaturizer",
    "rasa.nlu.tokenizers.whitespace_tokenizer.WhitespaceTokenizer",
})


def model_components(model: Path) -> set[str]:
    """Return the class paths of every graph component in a trained model archive."""
    with tarfile.open(model, "r:gz") as archive:
        for member in archive:
            if member.name.lstrip("/") == "metadata.json":
                handle = archive.extractfile(member)
                if handle is None:
                    break
                metadata = json.load(handle)
                return {str(node["uses"]) for schema in ("train_schema", "predict_schema")
                        for node in metadata[schema]["nodes"].values()}
    raise ValueError(f"{model}: no metadata.json in the model archive")


def model_needs_tensorflow(model: Path) -> bool:
    """Return whether the model has a component not known to predict without TensorFlow."""
    try:
        return not model_components(model) <= WITHOUT_TENSORFLOW
    except (OSError, ValueError, KeyError, tarfile.TarError):
        return True  # unreadable here: let Rasa load it the usual way


def config_needs_tensorflow(config: Path) -> bool:
    """Return whether training with this config.yml may need TensorFlow.

    Rasa's config names its components by class name (``CRFEntityExtractor``) or, for
    custom ones, by dotted path. Every name of ``pipeline`` and ``policies`` must be one
    of ``WITHOUT_TENSORFLOW``; a config without both lists gets Rasa's defaults (DIET, TED).
    """
    import yaml

    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        names = [str(part["name"]) for key in ("pipeline", "policies")
                 for part in data[key]]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return True  # unreadable here: let Rasa train it the usual way
    known = WITHOUT_TENSORFLOW | {name.rsplit(".", 1)[-1] for name in WITHOUT_TENSORFLOW
                                  if name.startswith("rasa.")}
    return not names or not set(names) <= known


class _Anything(type):
    """Metaclass of the stand-in: every attribute, call or subscript is a stand-in too."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return StandIn

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]  # used as a decorator (tf.function): leave the function as it is
        return super().__call__()

    def __getitem__(cls, _item: Any) -> Any:
        return StandIn

    def __or__(cls, _other: Any) -> Any:
        return StandIn

    def __ror__(cls, _other: Any) -> Any:
        return StandIn


class StandIn(metaclass=_Anything):
    """What any TensorFlow name is while TensorFlow is stood in for."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return StandIn

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        return StandIn


class _Module(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return StandIn


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _Module(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] in STOOD_IN:
            return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)
        return None


def stand_in_for_tensorflow() -> None:
    """Make TensorFlow, Keras and JAX imports resolve to stand-ins in this process."""
    sys.meta_path.insert(0, _Finder())
