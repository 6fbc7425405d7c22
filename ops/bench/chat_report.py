"""The Markdown (and terminal) form of `iesmed bench chat`'s report."""

from __future__ import annotations

import re
from typing import Any

NOISE = ("Both assistants were measured one after the other in the same run on the same "
         "machine; other work on a shared machine moves absolute figures between runs, so "
         "compare the ratios within one run.")


def _ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 1000:.1f} s" if value >= 10000 else f"{value:.0f} ms"


def _num(value: float | None, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:g}{unit}"


def level_cell(level: dict[str, Any] | None) -> str:
    """Summarise one concurrency level in a table cell."""
    if level is None:
        return "not measured"
    cell = (f"p50 {_ms(level['p50_ms'])}, p95 {_ms(level['p95_ms'])}, "
            f"p99 {_ms(level['p99_ms'])}, {_num(level['throughput'])} msg/s")
    if level["errors"]:
        cell += f", **{level['errors']} errors**"
    return cell


def cpu_cell(level: dict[str, Any] | None) -> str:
    """CPU time per answered message, in all and per process."""
    if level is None or level.get("cpu_ms_per_answer") is None:
        return "n/a"
    parts = ", ".join(f"{name} {ms:g}" for name, ms in
                      level["cpu_ms_per_answer_by_process"].items())
    client = level.get("load_generator_cpu_ms_per_answer")
    extra = f"; load generator {client:g} ms" if client is not None else ""
    return f"{level['cpu_ms_per_answer']:g} ms ({parts}){extra}"


def memory_cell(subject: dict[str, Any]) -> str:
    """Total resident memory and each process's share."""
    memory = subject["memory_mb"]
    if not memory:
        return "n/a"
    parts = ", ".join(f"{name} {mb} MB" for name, mb in memory.items())
    total = subject["memory_total_mb"]
    return f"{total / 1024:.2f} GB ({parts})" if len(memory) > 1 else f"{total} MB ({parts})"


def _label(key: str) -> str:
    """Name a ratio in a table cell: `c8_p95_ms` -> `p95 `, `c8_throughput` -> `msg/s `."""
    name = re.sub(r"^c\d+_", "", key)
    if name == "throughput":
        return "msg/s "
    if name == "cpu_ms_per_answer":
        return ""
    return f"{name.removesuffix('_ms')} " if name.startswith("p") else ""


def _level(subject: dict[str, Any], concurrency: int) -> dict[str, Any] | None:
    return next((lv for lv in subject["levels"] if lv["concurrency"] == concurrency), None)


def table(data: dict[str, Any]) -> list[str]:
    """The side-by-side table of the issue: rows of figures, one column per subject."""
    subjects = data["subjects"]
    names = [n for n in ("bare", "product") if n in subjects]
    titles = {"bare": "bare `rasa init` assistant (REST channel)",
              "product": "this product (chat API)"}
    ratios = data.get("ratios", {})
    lines = ["| | " + " | ".join(titles[n] for n in names)
             + (" | product / bare |" if len(names) == 2 else " |"),
             "|---" * (len(names) + 1 + (len(names) == 2)) + "|"]
    levels = sorted({lv["concurrency"] for n in names for lv in subjects[n]["levels"]})

    def row(label: str, cells: list[str], ratio_keys: list[str]) -> None:
        line = f"| {label} | " + " | ".join(cells)
        if len(names) == 2:
            shown = [f"{_label(key)}×{ratios[key]:g}" for key in ratio_keys
                     if ratios.get(key) is not None]
            line += " | " + (", ".join(shown) or "n/a")
        lines.append(line + " |")

    for concurrency in levels:
        row(f"{concurrency} concurrent", [level_cell(_level(subjects[n], concurrency))
                                          for n in names],
            [f"c{concurrency}_p50_ms", f"c{concurrency}_p95_ms", f"c{concurrency}_throughput"])
    for concurrency in levels:
        row(f"CPU per answer, {concurrency} concurrent",
            [cpu_cell(_level(subjects[n], concurrency)) for n in names],
            [f"c{concurrency}_cpu_ms_per_answer"])
    row("sustained throughput (no errors)",
        [_num(subjects[n]["sustained_throughput"], " msg/s") for n in names],
        ["sustained_throughput"])
    row("launch to first answer",
        [_num(subjects[n]["launch_to_first_answer_s"], " s") for n in names],
        ["launch_to_first_answer_s"])
    row("resident memory", [memory_cell(subjects[n]) for n in names], ["memory_total_mb"])
    row("training from scratch", [_num(subjects[n]["training_s"], " s") for n in names],
        ["training_s"])
    return lines


def markdown(data: dict[str, Any]) -> str:
    """Return the whole report as Markdown."""
    context = data["context"]
    lines = ["# Chat benchmark: bare Rasa assistant and this product, side by side", "",
             f"Run {context.get('started', '')} on {context.get('machine', '')}; "
             f"command `{context.get('command', '')}`.", "", NOISE, "", *table(data), ""]
    notes = context.get("notes") or []
    if notes:
        lines += ["Notes:", *(f"- {note}" for note in notes), ""]
    for name, subject in data["subjects"].items():
        for level in subject["levels"]:
            for sample in level["error_samples"]:
                lines.append(f"- {name}, {level['concurrency']} concurrent, error: {sample}")
    return "\n".join(lines).rstrip() + "\n"
