"""Results of a replay and their report: figures per language and overall, every miss listed."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from ops.replay_observe import Turn

EXCERPT_TURNS = 4  # exchanges shown with a miss
EXCERPT_CHARS = 220


@dataclass
class FirstResult:
    """What the first message of a fresh conversation started."""

    text: str
    expected: str
    names_need: bool
    flow: str | None
    language: str | None
    fallback: str | None
    replies: tuple[str, ...]
    problems: list[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        """Return whether the right flow started in the right language."""
        return not self.problems


@dataclass
class ConversationResult:
    """How one complete conversation went."""

    id: str
    kind: str
    failures: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)  # questions answered, in order
    validation_failures: int = 0
    asides: int = 0
    asides_explained: int = 0
    saved: bool = False
    reference: str | None = None
    stuck_at: str | None = None  # the question whose answers were refused until it gave up
    excerpt: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        """Return whether the conversation did all it should (a saved, correct case)."""
        return not self.failures and (self.saved or self.kind == "script")

    def fail(self, problem: str, turns: list[Turn]) -> None:
        """Record a failure and keep the last exchanges to show with it."""
        self.failures.append(problem)
        self.excerpt = excerpt(turns)


def excerpt(turns: list[Turn]) -> list[str]:
    """Return the last exchanges of a conversation as short lines."""
    lines = []
    for turn in turns[-EXCERPT_TURNS:]:
        lines.append(f"user: {turn.user}")
        for reply in turn.replies or ("(no reply)",):
            text = " ".join(reply.split())
            lines.append(f"bot: {text[:EXCERPT_CHARS]}{'…' if len(text) > EXCERPT_CHARS else ''}")
    return lines


@dataclass
class LanguageResult:
    """Everything replayed in one language."""

    language: str
    first: list[FirstResult] = field(default_factory=list)
    conversations: list[ConversationResult] = field(default_factory=list)


def figures(first: list[FirstResult], conversations: list[ConversationResult]
            ) -> dict[str, Any]:
    """Return the headline figures of a set of results."""
    intake = [c for c in conversations if c.kind == "intake"]
    saved = [c for c in intake if c.saved]
    scripts = [c for c in conversations if c.kind == "script"]
    right = sum(r.right for r in first)
    return {
        "first_messages": len(first),
        "first_fallbacks": sum(r.fallback is not None for r in first),
        "first_fallbacks_naming_need": sum(r.fallback is not None and r.names_need
                                           for r in first),
        "first_right": right,
        "first_right_share": round(right / len(first), 3) if first else None,
        "intake_conversations": len(intake),
        "intake_saved": len(saved),
        "intake_correct": sum(c.correct for c in intake),
        "questions_per_saved_case": _mean([len(set(c.questions)) for c in saved]),
        "questions_per_conversation": _mean([len(set(c.questions)) for c in intake]),
        "stuck_at": dict(Counter(c.stuck_at for c in intake if c.stuck_at).most_common()),
        "validation_failures_per_case": _mean([c.validation_failures for c in intake]),
        "asides": sum(c.asides for c in intake),
        "asides_explained": sum(c.asides_explained for c in intake),
        "scripts": len(scripts),
        "scripts_passed": sum(c.correct for c in scripts),
    }


def _mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def as_json(results: list[LanguageResult]) -> str:
    """Return the whole replay as JSON: figures per language and overall, every result."""
    data = {
        "overall": figures([f for r in results for f in r.first],
                           [c for r in results for c in r.conversations]),
        "languages": {r.language: {"figures": figures(r.first, r.conversations),
                                   "first_messages": [asdict(f) | {"right": f.right}
                                                      for f in r.first],
                                   "conversations": [asdict(c) | {"correct": c.correct}
                                                     for c in r.conversations]}
                      for r in results},
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


_ROWS = (
    ("First messages", "first_messages"),
    ("First replies that are a fallback", "first_fallbacks"),
    ("… of those, the message names a need (target 0)", "first_fallbacks_naming_need"),
    ("Right flow in the right language (target ≥ 97 %)", "first_right_share"),
    ("Intake conversations", "intake_conversations"),
    ("… ended in a saved case", "intake_saved"),
    ("… saved with the right fields (target: all)", "intake_correct"),
    ("Questions asked per saved case", "questions_per_saved_case"),
    ("Questions answered per intake conversation", "questions_per_conversation"),
    ("Validation failures per intake conversation", "validation_failures_per_case"),
    ("Intakes stuck at a question refused twice", "stuck_at"),
    ("Asides explained (question asked again, no refusal)", "asides_explained"),
    ("Scripts passed", "scripts_passed"),
)


def _cell(key: str, values: dict[str, Any]) -> str:
    value = values[key]
    if value is None:
        return "–"
    if key == "stuck_at":
        return ", ".join(f"{slot} {n}" for slot, n in value.items()) or "0"
    if key == "first_right_share":
        return f"{value:.0%} ({values['first_right']}/{values['first_messages']})"
    if key in ("asides_explained", "scripts_passed"):
        total = values["asides" if key == "asides_explained" else "scripts"]
        return f"{value}/{total}"
    return str(value)


def as_markdown(results: list[LanguageResult], title: str) -> str:
    """Return the report as Markdown: one table of figures, then every miss with context."""
    columns = [(r.language, figures(r.first, r.conversations)) for r in results]
    columns.append(("all", figures([f for r in results for f in r.first],
                                   [c for r in results for c in r.conversations])))
    lines = [f"# {title}", "", "| | " + " | ".join(name for name, _ in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for label, key in _ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(key, v) for _, v in columns) + " |")
    for result in results:
        lines.extend(_misses(result))
    return "\n".join(lines) + "\n"


def _misses(result: LanguageResult) -> list[str]:
    lines = ["", f"## {result.language}: misses"]
    for first in result.first:
        if first.right:
            continue
        lines.append(f"- first message “{first.text}” (expected {first.expected}): "
                     + "; ".join(first.problems))
        lines.extend(f"    - bot: {' '.join(r.split())[:EXCERPT_CHARS]}"
                     for r in first.replies[:3])
    for conversation in result.conversations:
        if conversation.correct:
            continue
        lines.append(f"- conversation {conversation.id} ({conversation.kind}): "
                     + "; ".join(conversation.failures or ["no case saved"]))
        lines.extend(f"    - {line}" for line in conversation.excerpt)
    if len(lines) == 2:
        lines.append("- none")
    return lines
