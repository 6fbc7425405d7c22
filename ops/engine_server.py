"""Start Rasa 3.6 with fixes for what it repeats on every message (`python -m ops.engine_server`).

Runs in the engine environment and takes `rasa`'s own command line (`... run --enable-api
--model M ...`). Before handing over to Rasa's entry point it changes what Rasa repeats
on every message, each measured with `iesmed bench chat` (figures in docs/DECISIONS.md),
none changing what an action receives or returns:

- calls to the action server: the answer schema checked once, the domain sent once then
  by digest, connections kept, bodies serialised with ujson (ops/engine_calls.py);
- the schema of the entity annotations of the training data is checked once, not once
  per annotated example (a third of a training);
- serving only: trackers kept between turns, SQLite tracker connections pooled, graphs
  run in order without dask (ops/engine_turns.py); each conversation's dialogue states
  replayed once and continued, rules tested only on the turns they reach, forms' unique
  entity mappings listed once, trackers copied from their state rather than replayed
  (ops/engine_policies.py);
- events read from the tracker store find their class through a table, and an SQLite
  tracker store writes ahead (WAL, synced at checkpoints) instead of journalling and
  syncing each commit;
- the CRF entity taggers, which Rasa trains again at every model load, are kept in
  crfsuite's files under the user cache and reused (also by `rasa train` run through it,
  which fits them in a child process beside the other components), found from the
  digest of the model's files without reading the CRF's data set;
- the model's domain, whose YAML Rasa parses three times at each load, is read from a
  JSON copy kept under the user cache by the digest of that YAML;
- training only: the project read once, not twice, and no fingerprints computed for a
  training cache that is switched off (ops/engine_training.py);
- serving only: once a model is loaded, what it holds is left out of the garbage
  collector's scans (catalog/heap.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any


def cache_training_data_validators() -> None:
    """Check each training-data schema once, not once per annotated entity.

    Reading the NLU data validates every entity written as `[text]{"entity": ...}` with
    `jsonschema.validate`, which first checks the schema itself against the meta-schema:
    a third of a whole training here (27,000 examples, read four times per training).
    The validator is built once per schema; the same errors are raised.
    """
    import rasa.shared.utils.validation as validation
    from jsonschema import exceptions, validators
    from rasa.shared.exceptions import SchemaValidationError

    built: dict[str, Any] = {}

    def validate_training_data(json_data: dict[str, Any], schema: dict[str, Any]) -> None:
        key = json.dumps(schema, sort_keys=True, default=str)
        validator = built.get(key)
        if validator is None:
            cls = validators.validator_for(schema)
            cls.check_schema(schema)
            validator = built[key] = cls(schema)
        error = exceptions.best_match(validator.iter_errors(json_data))
        if error is None:
            return
        error.message += (f". Failed to validate data, make sure your data is valid. For "
                          f"more information about the format visit "
                          f"{validation.DOCS_URL_TRAINING_DATA}.")
        raise SchemaValidationError.create_from(error) from error

    validation.validate_training_data = validate_training_data


def cache_event_types() -> None:
    """Resolve an event's type name through a table instead of walking every subclass.

    `Event.resolve_by_type` lists all subclasses of `Event` for each event read from the
    tracker store (about 11 % of Rasa's time); the first match per name is remembered.
    """
    from rasa.shared.core import events

    original = events.Event.resolve_by_type
    found: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and getattr(cls, "type_name", None) == type_name:
                found[type_name] = cls
        return cls

    events.Event.resolve_by_type = staticmethod(resolve_by_type)


def sqlite_write_ahead_log() -> None:
    """Open SQLite tracker stores in WAL mode: one synced append per commit, not a journal."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def on_connect(connection: Any, _record: Any) -> None:
        if isinstance(connection, sqlite3.Connection):
            connection.execute("PRAGMA journal_mode=WAL")
            # Synced at checkpoints, not at every commit: a crash of Rasa loses nothing,
            # a power cut may lose the last turns (PostgreSQL is the production store).
            connection.execute("PRAGMA synchronous=NORMAL")

    event.listen(Engine, "connect", on_connect)


# `rasa train` only (`fit_crfs_beside`): whether CRF fits go to child processes, the
# children running, and what waits for them (kept copies of their taggers under another key).
_FIT_CRFS_BESIDE = False
_CRF_FITS: list[int] = []
_AFTER_CRF_FITS: list[Any] = []


def fit_crfs_beside() -> None:
    """Fit the CRF taggers of a `rasa train` in a child process, beside the other components.

    Rasa 3.6 stores the CRF's training set in the model, not the taggers, and trains them
    again at the first load; a training through this wrapper fits them anyway, so the
    first launch finds them kept (`reuse_trained_crfs`). That fit (about 50 s here) does
    not feed any other component: a forked child runs it on the second core while the
    intent classifier is fitted, and the training process waits for it before it exits.
    If the child fails, the taggers are simply not kept and the first launch fits them.
    """
    import atexit

    def wait() -> None:
        failed = 0
        while _CRF_FITS:
            _, status = os.waitpid(_CRF_FITS.pop(), 0)
            failed += status != 0
        if failed:
            print("iesmed: the CRF taggers could not be kept; the first launch fits them",
                  file=sys.stderr, flush=True)
            _AFTER_CRF_FITS.clear()
        while _AFTER_CRF_FITS:
            _AFTER_CRF_FITS.pop(0)()

    atexit.register(wait)
    global _FIT_CRFS_BESIDE
    _FIT_CRFS_BESIDE = True


def reuse_trained_crfs(folder: Path) -> None:
    """Keep the CRF entity taggers in crfsuite's own files, keyed by what they are trained on.

    Rasa 3.6's CRFEntityExtractor stores its training set in the model and trains the
    CRFs again every time the model is loaded (most of the launch time on this model).
    Training is deterministic (L-BFGS on the same data and settings), so taggers trained
    once for a given data set, configuration and crfsuite version are reused.
    """
    from collections import OrderedDict
    from importlib import metadata

    import sklearn_crfsuite
    from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor

    original = CRFEntityExtractor.train_model.__func__
    versions = ":".join(metadata.version(name) for name in ("sklearn-crfsuite",
                                                            "python-crfsuite"))

    def train_model(cls: Any, df_train: Any, config: Any, crf_order: Any) -> Any:
        key = _crf_key(df_train, config, crf_order, versions)
        paths = OrderedDict((name, folder / key / f"{index}.crfsuite")
                            for index, name in enumerate(crf_order))
        if paths and all(path.exists() for path in paths.values()):
            return OrderedDict((name, sklearn_crfsuite.CRF(model_filename=str(path)))
                               for name, path in paths.items())
        def fit_and_keep() -> tuple[Any, bool]:
            taggers = original(cls, df_train, config, crf_order)
            try:
                (folder / key).mkdir(parents=True, exist_ok=True)
                for name, path in paths.items():
                    partial = path.with_suffix(".partial")
                    shutil.copyfile(taggers[name].modelfile.name, partial)
                    partial.replace(path)
            except (OSError, AttributeError, TypeError):
                return taggers, False  # trained, just not kept: the next launch trains again
            return taggers, True

        if not (_FIT_CRFS_BESIDE and paths):
            return fit_and_keep()[0]
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:  # the child fits, keeps the files and leaves without cleaning up
            code = 1
            try:
                taggers, kept = fit_and_keep()
                for tagger in taggers.values():
                    tagger.modelfile.cleanup()
                code = 0 if kept else 1
            finally:
                os._exit(code)
        _CRF_FITS.append(child)
        # Taggers read from the kept files, which exist once the child is done.
        return OrderedDict((name, sklearn_crfsuite.CRF(model_filename=str(path)))
                           for name, path in paths.items())

    CRFEntityExtractor.train_model = classmethod(train_model)


def reuse_crfs_by_file(folder: Path) -> None:
    """Find the kept CRF taggers from the model's own files, without reading its data set.

    `reuse_trained_crfs` still makes Rasa read the CRF's stored training set (a large JSON
    file), build a token object per word and serialise it all again for the key: about
    a fifth of a model load. The taggers are now also kept under the digest of the two
    files Rasa stores for the extractor (data set and tag order, plus its configuration
    and crfsuite's version), written when the model is trained, so a load reads neither.
    """
    from collections import OrderedDict
    from importlib import metadata

    import sklearn_crfsuite
    from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor

    versions = ":".join(metadata.version(name) for name in ("sklearn-crfsuite",
                                                            "python-crfsuite"))
    original_load = CRFEntityExtractor.load.__func__
    original_persist = CRFEntityExtractor.persist

    def stored(model_dir: Path, config: Any) -> tuple[Path, list[str]]:
        digest = hashlib.sha256(versions.encode())
        digest.update(json.dumps(config, sort_keys=True, default=str).encode())
        for name in ("crf_dataset.json", "crf_order.json"):
            digest.update(hashlib.sha256((model_dir / name).read_bytes()).digest())
        order = json.loads((model_dir / "crf_order.json").read_text(encoding="utf-8"))
        return folder / f"file-{digest.hexdigest()[:24]}", [str(name) for name in order]

    def keep(taggers: Any, key: Path, order: list[str]) -> None:
        try:
            key.mkdir(parents=True, exist_ok=True)
            for index, name in enumerate(order):
                partial = key / f"{index}.partial"
                shutil.copyfile(taggers[name].modelfile.name, partial)
                partial.replace(key / f"{index}.crfsuite")
        except (OSError, AttributeError, TypeError, KeyError):
            pass  # not kept: the next load reads the data set

    def load(cls: Any, /, config: Any, model_storage: Any, resource: Any,
             execution_context: Any,
             **kwargs: Any) -> Any:
        key: Path | None = None
        order: list[str] = []
        try:
            with model_storage.read_from(resource) as model_dir:
                key, order = stored(Path(model_dir), config)
        except (ValueError, OSError):
            pass
        paths = [key / f"{index}.crfsuite" for index in range(len(order))] if key else []
        if paths and all(path.exists() for path in paths):
            taggers = OrderedDict((name, sklearn_crfsuite.CRF(model_filename=str(path)))
                                  for name, path in zip(order, paths, strict=True))
            extractor = cls(config, model_storage, resource, taggers)
            extractor.crf_order = order
            return extractor
        extractor = original_load(cls, config, model_storage, resource, execution_context,
                                  **kwargs)
        if key is not None and extractor.entity_taggers:
            keep(extractor.entity_taggers, key, order)
        return extractor

    def persist(self: Any, dataset: Any) -> None:
        original_persist(self, dataset)
        try:
            with self._model_storage.read_from(self._resource) as model_dir:
                key, order = stored(Path(model_dir), self.component_config)
        except (ValueError, OSError):
            return
        if self.entity_taggers:
            if _CRF_FITS:  # the taggers' files are written by a fit still running
                taggers = self.entity_taggers
                _AFTER_CRF_FITS.append(lambda: keep(taggers, key, order))
            else:
                keep(self.entity_taggers, key, order)

    _typed_like(load, original_load)
    CRFEntityExtractor.load = classmethod(load)
    CRFEntityExtractor.persist = persist


def reuse_parsed_domains(folder: Path) -> None:
    """Read the model's domain from a JSON copy instead of parsing and validating its YAML.

    Rasa's domain provider reads the model's domain.yml (about 0.5 MB here: nine languages
    of responses) three times at each load: to decide it is a domain file, to validate it
    against the schema, to read it. That was the largest part of a model load. When it is
    written (training) or first read, the parsed file is kept as JSON under the digest of
    its bytes and Rasa's version; a load finds it there and builds the same `Domain` from
    it, as Rasa's `Domain.from_directory` does from the YAML of a single file.
    """
    import rasa
    import rasa.shared.utils.io as rasa_io
    from rasa.graph_components.providers.domain_provider import DomainProvider
    from rasa.shared.core.domain import Domain

    original_load = DomainProvider.load.__func__
    original_persist = DomainProvider._persist

    def only_file(directory: Path) -> Path | None:
        files = [path for path in directory.rglob("*") if path.is_file()]
        return files[0] if len(files) == 1 and files[0].name == "domain.yml" else None

    def copy_of(path: Path) -> Path:
        digest = hashlib.sha256(rasa.__version__.encode())
        digest.update(path.read_bytes())
        return folder / f"{digest.hexdigest()[:24]}.json"

    def keep(path: Path) -> None:
        try:
            data = rasa_io.read_yaml(rasa_io.read_file(path))
            target = copy_of(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            partial.replace(target)
        except (OSError, TypeError, ValueError):
            pass  # not kept: the next load parses the YAML

    def load(cls: Any, /, config: Any, model_storage: Any, resource: Any,
             execution_context: Any,
             **kwargs: Any) -> Any:
        path = None
        try:
            with model_storage.read_from(resource) as directory:
                path = only_file(Path(directory))
                if path is not None and copy_of(path).exists():
                    data = json.loads(copy_of(path).read_text(encoding="utf-8"))
                    return cls(model_storage, resource, Domain.from_dict(data))
        except (ValueError, OSError):
            pass
        provider = original_load(cls, config, model_storage, resource, execution_context,
                                  **kwargs)
        if path is not None:
            keep(path)
        return provider

    def persist(self: Any, domain: Any) -> None:
        original_persist(self, domain)
        try:
            with self._model_storage.read_from(self._resource) as directory:
                path = only_file(Path(directory))
                if path is not None:
                    keep(path)
        except (ValueError, OSError):
            pass

    _typed_like(load, original_load)
    DomainProvider.load = classmethod(load)
    DomainProvider._persist = persist


def _typed_like(replacement: Any, original: Any) -> None:
    """Give a replacement graph-component method the original's resolved type hints.

    Rasa validates the types of `load`'s parameters and return value before it trains or
    loads a model (`typing.get_type_hints`, resolved in the function's own module).
    """
    import typing

    replacement.__annotations__ = typing.get_type_hints(original)


def _crf_key(dataset: Any, config: Any, order: Any, version: str) -> str:
    """Digest of a CRF training run's inputs."""
    digest = hashlib.sha256(version.encode())
    digest.update(json.dumps([config, order], sort_keys=True, default=str).encode())
    for sentence in dataset:
        digest.update(json.dumps([t.to_dict() for t in sentence], sort_keys=True,
                                 default=str).encode())
    return digest.hexdigest()[:24]


def settle_heap_after_loading() -> None:
    """After a model is loaded, leave what it holds out of the collector's scans.

    Rasa's process spent 12 % of its CPU in the cyclic garbage collector at 32
    conversations, mostly in full scans of the loaded model and domain (catalog/heap.py).
    """
    from rasa.core.agent import Agent

    from catalog import heap

    original = Agent.load_model

    def load_model(self: Any, *args: Any, **kwargs: Any) -> Any:
        loaded = original(self, *args, **kwargs)
        heap.settle()
        return loaded

    Agent.load_model = load_model


def install() -> None:
    """Apply every change to the imported Rasa."""
    from ops.engine_calls import cache_response_validator, pool_connections, send_domain_once
    from ops.paths import cache_dir

    cache_response_validator()
    cache_training_data_validators()
    send_domain_once()
    pool_connections()
    cache_event_types()
    sqlite_write_ahead_log()
    reuse_trained_crfs(cache_dir() / "crf")
    reuse_crfs_by_file(cache_dir() / "crf")
    reuse_parsed_domains(cache_dir() / "domains")


def main() -> None:
    """Apply the changes, then run Rasa's command line as `python -m rasa` would."""
    from ops.engine_imports import (
        config_needs_tensorflow,
        model_needs_tensorflow,
        stand_in_for_tensorflow,
    )

    model = model_argument(sys.argv[1:])
    config = config_argument(sys.argv[1:])
    if ((model is not None and not model_needs_tensorflow(model))
            or (config is not None and not config_needs_tensorflow(config))):
        stand_in_for_tensorflow()
    install()
    if sys.argv[1:2] == ["train"]:
        from ops import engine_training

        engine_training.install()
        fit_crfs_beside()
    if sys.argv[1:2] == ["run"]:
        from ops.engine_policies import (
            copy_slots_plainly,
            copy_trackers_from_state,
            keep_past_states,
            keep_unique_entity_mappings,
            match_rules_by_turn,
        )
        from ops.engine_turns import (
            keep_trackers,
            pool_sqlite_connections,
            run_graphs_in_order,
            skip_needless_readings,
        )

        keep_trackers()
        pool_sqlite_connections()
        run_graphs_in_order()
        skip_needless_readings()
        keep_past_states()
        match_rules_by_turn()
        keep_unique_entity_mappings()
        copy_slots_plainly()
        copy_trackers_from_state()
        settle_heap_after_loading()
    from rasa.__main__ import main as rasa_main

    rasa_main()


def model_argument(argv: list[str]) -> Path | None:
    """Return the `--model` of Rasa's command line, if it names a file."""
    return _file_argument(argv, "--model", "-m")


def config_argument(argv: list[str]) -> Path | None:
    """Return the config.yml `rasa train` reads (`--config`, or its default), if it exists."""
    if not argv or argv[0] != "train":
        return None
    return _file_argument(argv, "--config", "-c") or (
        Path("config.yml") if Path("config.yml").is_file() else None)


def _file_argument(argv: list[str], long: str, short: str) -> Path | None:
    """Return the file an option of Rasa's command line names, if it is one."""
    for index, arg in enumerate(argv):
        value = (arg.split("=", 1)[1] if arg.startswith(f"{long}=")
                 else argv[index + 1] if arg in {long, short} and index + 1 < len(argv)
                 else None)
        if value and Path(value).is_file():
            return Path(value)
    return None


if __name__ == "__main__":
    main()
