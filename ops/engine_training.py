"""What `rasa train`, run through ops/engine_server.py, no longer does twice or for nothing.

A py-spy profile of a training from scratch (all nine languages, 27,000 examples; figures
in docs/DECISIONS.md, session 15) spent about half its time outside the components:

- Rasa reads the project twice: once for the validation `rasa train` runs first, once for
  the training, each through its own importer (the YAML parsed and checked against its
  schema, every example deep-copied and hashed at each merge). `read_project_once` hands
  the training the importer the validation has read.
- It parses and schema-checks the 0.5 MB domain (nine languages of responses) twice more
  within one importer, once for the stories and once for the domain itself.
  `read_domain_once` keeps it per importer, as Rasa already keeps the NLU data and stories.
- Rasa's training cache fingerprints every node's inputs and outputs (the whole training
  data, with its features, after each component) and copies the outputs into
  `.rasa/cache`. iesmed never reuses that cache: a model is trained only when the
  fingerprint of its inputs is new (ops/training.py), in a folder of its own. The
  launcher trains with `--force` (no fingerprint run) and `RASA_MAX_CACHE_SIZE=0`;
  `skip_disabled_cache` then leaves out the hook that would only compute fingerprints
  for a cache that stores nothing.

None of these changes what a component is trained on or what it learns.
"""

from __future__ import annotations

from typing import Any


def read_project_once() -> None:
    """Give the training the importer the validation before it has already read.

    `rasa train` loads a `TrainingDataImporter` for the validation, then `rasa.train`
    loads another from the same files. Without an `importers:` section in the config the
    extra arguments of the second call are not used (Rasa builds a `RasaFileImporter`
    from the config, domain and data paths alone), so the same paths give the same
    importer; the validation only reads from it.
    """
    import rasa.shared.utils.io as rasa_io
    from rasa.shared.importers.importer import TrainingDataImporter

    original = TrainingDataImporter.load_from_config  # a staticmethod: the plain function
    loaded: dict[tuple[Any, ...], Any] = {}

    def load_from_config(config_path: Any, domain_path: Any = None,
                         training_data_paths: Any = None, args: Any = {}) -> Any:  # noqa: B006 - Rasa's signature
        paths = training_data_paths
        key = (str(config_path), str(domain_path),
               tuple(str(p) for p in paths) if isinstance(paths, (list, tuple)) else str(paths))
        config = rasa_io.read_config_file(config_path) if config_path else {}
        if config.get("importers"):  # other importers may read the extra arguments
            return original(config_path, domain_path, training_data_paths, args)
        if key not in loaded:
            loaded[key] = original(config_path, domain_path, training_data_paths, args)
        return loaded[key]

    TrainingDataImporter.load_from_config = staticmethod(load_from_config)


def read_domain_once() -> None:
    """Parse the domain file once per importer, as Rasa keeps the NLU data and stories."""
    import rasa.shared.utils.common as common
    from rasa.shared.importers.rasa import RasaFileImporter

    RasaFileImporter.get_domain = common.cached_method(RasaFileImporter.get_domain)


def skip_disabled_cache() -> None:
    """Leave out the training cache's fingerprints when the cache stores nothing."""
    from rasa.engine.training.hooks import TrainingHook

    original_before = TrainingHook.on_before_node
    original_after = TrainingHook.on_after_node

    def disabled(hook: TrainingHook) -> bool:
        check = getattr(hook._cache, "_is_disabled", None)
        return bool(check and check())

    def on_before_node(self: TrainingHook, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if disabled(self):
            return {}
        found: dict[str, Any] = original_before(self, *args, **kwargs)
        return found

    def on_after_node(self: TrainingHook, *args: Any, **kwargs: Any) -> None:
        if not disabled(self):
            original_after(self, *args, **kwargs)

    TrainingHook.on_before_node = on_before_node
    TrainingHook.on_after_node = on_after_node


def install() -> None:
    """Apply the training changes (`rasa train` only)."""
    read_project_once()
    read_domain_once()
    skip_disabled_cache()
