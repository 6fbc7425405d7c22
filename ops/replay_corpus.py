"""The real-conversation corpus (tests/corpora/conversations/<lang>.yml): typed and checked.

The format is described in tests/corpora/README.md. `load_corpus` turns one file into
dataclasses and raises `CorpusError` naming the file and the entry at the first problem;
`training_overlaps` lists the corpus messages that also occur in the training data, which
the replay refuses (a measurement on sentences the model was trained on measures nothing).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from catalog.vocabulary import LANGUAGES
from ops.errors import OpsError
from ops.paths import project_root

CORPUS_DIR = Path("tests") / "corpora" / "conversations"
# Written later by other hands, never used to tune anything before it was first replayed:
# the measure of how the product copes with conversations nobody fitted it to.
HELDOUT_DIR = Path("tests") / "corpora" / "heldout"
NEED_FLOWS = ("funding", "consultancy", "innovation", "internationalisation")
FLOWS = (*NEED_FLOWS, "partners", "events", "registrations", "status", "faq", "human",
         "greeting")
QUESTIONS = ("consent", "org_name", "legal_form", "country", "city", "sector", "members",
             "stage", "website", "need_category", "need_description", "discoverable", "amount",
             "timeline", "contact_name", "email", "phone")
# The columns of the Case table a corpus may expect (catalog.models.Case).
CASE_FIELDS = ("status", "language", "channel", "org_name", "legal_form", "country", "city",
               "sector", "members", "stage", "website", "need_category", "need_description",
               "amount", "currency", "timeline", "contact_name", "email", "phone",
               "discoverable")
STEP_CHECKS = ("not_fallback", "flow", "mentions", "not_mentions")
MIN_FIRST_MESSAGES = 20
MIN_CONVERSATIONS = 10
_NOTES = ("note", "notes")  # free comments allowed on every entry
_ANNOTATION = re.compile(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))")


class CorpusError(OpsError):
    """A corpus file breaks the format; the message names the file and the entry."""


@dataclass(frozen=True)
class FirstMessage:
    """The first message of a new web conversation and the flow it must start."""

    text: str
    flow: str
    names_need: bool = False


@dataclass(frozen=True)
class StepCheck:
    """What the bot's replies to one scripted message must show."""

    not_fallback: bool = False
    flow: str | None = None
    mentions: tuple[str, ...] = ()
    not_mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One scripted user message and its checks."""

    user: str
    expect: StepCheck = field(default_factory=StepCheck)


@dataclass(frozen=True)
class Conversation:
    """An intake played from its answers, or a script of fixed messages."""

    id: str
    kind: str  # "intake" or "script"
    opening: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    asides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    at_summary: tuple[str, ...] = ()
    confirm: str = ""
    expect: dict[str, Any] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    after: str = ""  # a script that goes on in the conversation of this earlier intake

    def free_messages(self) -> Iterator[str]:
        """Yield the messages that are free text, not an answer to a question."""
        if self.opening:
            yield self.opening
        for texts in self.asides.values():
            yield from texts
        yield from self.at_summary
        for step in self.steps:
            yield step.user


@dataclass(frozen=True)
class Corpus:
    """One language's corpus file."""

    language: str
    path: Path
    first_messages: tuple[FirstMessage, ...]
    conversations: tuple[Conversation, ...]

    def free_messages(self) -> Iterator[str]:
        """Yield every message checked against the training data."""
        for message in self.first_messages:
            yield message.text
        for conversation in self.conversations:
            yield from conversation.free_messages()


class _Where:
    """Builds error messages that name the file and the entry."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, entry: str, problem: str) -> CorpusError:
        name = _shown(self.path)
        return CorpusError(f"{name}: {entry}: {problem}" if entry else f"{name}: {problem}")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(project_root()))
    except ValueError:
        return str(path)


def _text(value: object, where: _Where, entry: str) -> str:
    """Return a non-empty message; numbers (a YAML `12`) are read as typed."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise where.fail(entry, f"must be a text, not {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise where.fail(entry, "is empty")
    return text


def _texts(value: object, where: _Where, entry: str) -> tuple[str, ...]:
    """Return a list of messages (a single text is a list of one)."""
    items = value if isinstance(value, list) else [value]
    return tuple(_text(item, where, f"{entry}[{i}]") for i, item in enumerate(items))


def _mapping(value: object, where: _Where, entry: str, allowed: tuple[str, ...],
             required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.fail(entry, "must be a mapping")
    for key in value:
        if key not in allowed and key not in _NOTES:
            raise where.fail(entry, f"unknown key {key!r} (allowed: {', '.join(allowed)})")
    for key in required:
        if key not in value:
            raise where.fail(entry, f"{key!r} is missing")
    return {str(k): v for k, v in value.items() if k not in _NOTES}


def _flow(value: object, where: _Where, entry: str) -> str:
    if value not in FLOWS:
        raise where.fail(entry, f"flow {value!r} is not one of {', '.join(FLOWS)}")
    return str(value)


def _first_message(raw: object, where: _Where, index: int) -> FirstMessage:
    entry = f"first_messages[{index}]"
    data = _mapping(raw, where, entry, ("text", "flow", "names_need"), ("text", "flow"))
    names_need = data.get("names_need", False)
    if not isinstance(names_need, bool):
        raise where.fail(entry, "names_need must be true or false")
    return FirstMessage(text=_text(data["text"], where, f"{entry}.text"),
                        flow=_flow(data["flow"], where, entry), names_need=names_need)


def _step(raw: object, where: _Where, entry: str) -> Step:
    data = _mapping(raw, where, entry, ("user", "expect"), ("user",))
    checks = _mapping(data.get("expect") or {}, where, f"{entry}.expect", STEP_CHECKS)
    not_fallback = checks.get("not_fallback", False)
    if not isinstance(not_fallback, bool):
        raise where.fail(entry, "not_fallback must be true or false")
    flow = _flow(checks["flow"], where, entry) if "flow" in checks else None
    return Step(user=_text(data["user"], where, f"{entry}.user"), expect=StepCheck(
        not_fallback=not_fallback, flow=flow,
        mentions=_texts(checks.get("mentions", []), where, f"{entry}.mentions"),
        not_mentions=_texts(checks.get("not_mentions", []), where, f"{entry}.not_mentions")))


def _questions(value: object, where: _Where, entry: str) -> dict[str, Any]:
    """Return a mapping keyed by intake questions."""
    data = _mapping(value or {}, where, entry, QUESTIONS)
    return data


def _expected_value(key: str, value: object, where: _Where, entry: str) -> object:
    """Check one expected field's type: numbers for amount and members, codes as stored."""
    if key in ("amount", "members"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise where.fail(entry, f"expect.{key} must be a number, not {value!r}")
    elif key == "discoverable":
        if not isinstance(value, bool):
            raise where.fail(entry, "expect.discoverable must be true or false")
    elif value is not None and not isinstance(value, str):
        raise where.fail(entry, f"expect.{key} must be a text or null, not {value!r}")
    if key == "country" and value is not None and not re.fullmatch(r"[A-Z]{2}", str(value)):
        raise where.fail(entry, f"expect.country must be an ISO alpha-2 code, not {value!r}")
    if key == "currency" and value is not None and not re.fullmatch(r"[A-Z]{3}", str(value)):
        raise where.fail(entry, f"expect.currency must be an ISO 4217 code, not {value!r}")
    return value


def _intake(data: dict[str, Any], where: _Where, entry: str, conv_id: str) -> Conversation:
    answers = {k: _text(v, where, f"{entry}.answers.{k}")
               for k, v in _questions(data.get("answers"), where, f"{entry}.answers").items()}
    asides = {k: _texts(v, where, f"{entry}.asides.{k}")
              for k, v in _questions(data.get("asides"), where, f"{entry}.asides").items()}
    expect = _mapping(data.get("expect") or {}, where, f"{entry}.expect", CASE_FIELDS)
    for key in ("opening", "answers", "confirm", "expect"):
        if not data.get(key):
            raise where.fail(entry, f"an intake conversation needs {key!r}")
    return Conversation(
        id=conv_id, kind="intake", opening=_text(data["opening"], where, f"{entry}.opening"),
        answers=answers, asides=asides,
        at_summary=_texts(data.get("at_summary", []), where, f"{entry}.at_summary"),
        confirm=_text(data["confirm"], where, f"{entry}.confirm"),
        expect={k: _expected_value(k, v, where, entry) for k, v in expect.items()})


def _conversation(raw: object, where: _Where, index: int, lang: str) -> Conversation:
    entry = f"conversations[{index}]"
    data = _mapping(raw, where, entry, ("id", "kind", "opening", "answers", "asides",
                                        "at_summary", "confirm", "expect", "steps", "after"),
                    ("id", "kind"))
    conv_id = str(data["id"])
    if not re.fullmatch(rf"{lang}-\d{{2,}}", conv_id):
        raise where.fail(entry, f"id {conv_id!r} must be {lang}-NN")
    entry = f"{entry} ({conv_id})"
    if data["kind"] == "intake":
        if "steps" in data or "after" in data:
            raise where.fail(entry, "an intake conversation has neither steps nor after")
        return _intake(data, where, entry, conv_id)
    if data["kind"] != "script":
        raise where.fail(entry, f"kind {data['kind']!r} is neither intake nor script")
    extra = sorted(set(data) - {"id", "kind", "steps", "after"})
    if extra:
        raise where.fail(entry, f"a script has only steps, not {', '.join(extra)}")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise where.fail(entry, "a script needs a list of steps")
    return Conversation(id=conv_id, kind="script", after=str(data.get("after") or ""),
                        steps=tuple(_step(step, where, f"{entry}.steps[{i}]")
                                    for i, step in enumerate(steps)))


def load_corpus(path: Path) -> Corpus:
    """Read and check one corpus file.

    Raises:
        CorpusError: the file is missing, not YAML or breaks the format (the message names
            the file and the entry).
    """
    where = _Where(path)
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise where.fail("", f"cannot be read: {exc}") from exc
    data = _mapping(raw, where, "", ("language", "first_messages", "conversations"),
                    ("language", "first_messages", "conversations"))
    lang = data["language"]
    if lang not in LANGUAGES or lang != path.stem:
        raise where.fail("language", f"{lang!r} must be the file's name, one of "
                         f"{', '.join(LANGUAGES)}")
    if not isinstance(data["first_messages"], list) or not isinstance(
            data["conversations"], list):
        raise where.fail("", "first_messages and conversations must be lists")
    first = tuple(_first_message(m, where, i) for i, m in enumerate(data["first_messages"]))
    conversations = tuple(_conversation(c, where, i, lang)
                          for i, c in enumerate(data["conversations"]))
    seen: set[str] = set()
    intakes: set[str] = set()
    for conversation in conversations:
        if conversation.id in seen:
            raise where.fail(f"conversations ({conversation.id})", "id used twice")
        if conversation.after and conversation.after not in intakes:
            raise where.fail(f"conversations ({conversation.id})", f"after "
                             f"{conversation.after!r} must name an intake above it")
        seen.add(conversation.id)
        if conversation.kind == "intake":
            intakes.add(conversation.id)
    return Corpus(language=lang, path=path, first_messages=first, conversations=conversations)


def corpus_files(root: Path | None = None, folder: Path = CORPUS_DIR) -> dict[str, Path]:
    """Return {language: corpus file} for every corpus present in ``folder``."""
    folder = (root or project_root()) / folder
    return {path.stem: path for path in sorted(folder.glob("*.yml"))}


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without accents, punctuation or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def training_examples(lang: str, root: Path | None = None) -> set[str]:
    """Return the folded training examples of one language (nlu/<lang>/nlu.yml)."""
    path = (root or project_root()) / "nlu" / lang / "nlu.yml"
    if not path.exists():
        return set()
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    found: set[str] = set()
    for block in data.get("nlu", []):
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                found.add(fold(_ANNOTATION.sub(r"\1", line[2:])))
    return found


def training_overlaps(corpus: Corpus, root: Path | None = None) -> list[str]:
    """Return the corpus's free messages that occur in its language's training data."""
    examples = training_examples(corpus.language, root)
    return [text for text in corpus.free_messages() if fold(text) in examples]
