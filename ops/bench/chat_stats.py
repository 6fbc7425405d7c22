"""Figures of `iesmed bench chat`: percentiles, throughput, ratios, and the written report.

Pure functions over recorded samples, so they can be tested without timing anything.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PERCENTILES = (50, 95, 99)


def percentile(values: Sequence[float], rank: float) -> float:
    """Return the ``rank``-th percentile (0-100) of ``values``, linearly interpolated.

    NaN for no values; the smallest value for rank 0 and the largest for rank 100.
    """
    if not values:
        return math.nan
    if not 0 <= rank <= 100:
        raise ValueError(f"percentile rank out of range: {rank}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * rank / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Level:
    """What one concurrency level measured: latencies of answered messages, errors, time."""

    concurrency: int
    latencies: list[float] = field(default_factory=list)  # seconds, answered messages only
    errors: int = 0  # HTTP errors, timeouts, or the assistant's "unavailable" apology
    seconds: float = 0.0  # wall time of the level
    error_samples: list[str] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # process -> CPU used
    # CPU the load generator itself used (it runs on the same cores as the assistant)
    client_cpu_seconds: float | None = None

    def summary(self) -> dict[str, Any]:
        """Return the level's figures: count, percentiles in ms, throughput, errors."""
        figures: dict[str, Any] = {"concurrency": self.concurrency,
                                   "answered": len(self.latencies), "errors": self.errors}
        for rank in PERCENTILES:
            figures[f"p{rank}_ms"] = _ms(percentile(self.latencies, rank))
        figures["throughput"] = (round(len(self.latencies) / self.seconds, 2)
                                 if self.seconds > 0 else None)
        figures["error_samples"] = self.error_samples[:5]
        figures.update(cpu_per_answer(self.cpu_seconds, len(self.latencies)))
        figures["load_generator_cpu_ms_per_answer"] = (
            round(1000 * self.client_cpu_seconds / len(self.latencies), 1)
            if self.client_cpu_seconds is not None and self.latencies else None)
        return figures


def pool(into: Level, level: Level) -> None:
    """Add one round's figures of a level to ``into`` (the same concurrency)."""
    into.latencies.extend(level.latencies)
    into.errors += level.errors
    into.seconds += level.seconds
    into.error_samples.extend(level.error_samples[:20 - len(into.error_samples)])
    for name, used in level.cpu_seconds.items():
        into.cpu_seconds[name] = into.cpu_seconds.get(name, 0.0) + used
    if level.client_cpu_seconds is not None:
        into.client_cpu_seconds = (into.client_cpu_seconds or 0.0) + level.client_cpu_seconds


def cpu_per_answer(cpu_seconds: dict[str, float], answered: int) -> dict[str, Any]:
    """CPU milliseconds per answered message, per process and in all (none when unknown).

    Unlike latency, CPU time hardly moves with what else runs on a shared machine, so it
    compares two assistants, or two versions, across runs.
    """
    if not cpu_seconds or not answered:
        return {"cpu_ms_per_answer": None, "cpu_ms_per_answer_by_process": {}}
    return {"cpu_ms_per_answer": round(1000 * sum(cpu_seconds.values()) / answered, 1),
            "cpu_ms_per_answer_by_process": {
                name: round(1000 * used / answered, 1) for name, used in cpu_seconds.items()}}


def _ms(seconds: float) -> float | None:
    return None if math.isnan(seconds) else round(seconds * 1000, 1)


@dataclass
class Subject:
    """One measured assistant (the bare `rasa init` bot or the product)."""

    name: str
    levels: list[Level] = field(default_factory=list)
    launch_to_first_answer: float | None = None  # seconds
    training_seconds: float | None = None
    memory_mb: dict[str, float] = field(default_factory=dict)  # process -> RSS incl. children

    def summary(self) -> dict[str, Any]:
        """Return the subject's figures as plain data."""
        return {"name": self.name,
                "levels": [level.summary() for level in self.levels],
                "launch_to_first_answer_s": _round(self.launch_to_first_answer),
                "training_s": _round(self.training_seconds),
                "memory_mb": {k: round(v) for k, v in self.memory_mb.items()},
                "memory_total_mb": round(sum(self.memory_mb.values())) if self.memory_mb
                else None,
                "sustained_throughput": sustained_throughput(self.levels)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def sustained_throughput(levels: Sequence[Level]) -> float | None:
    """Return the best throughput (answers/s) among the levels that had no error at all."""
    clean = [len(lv.latencies) / lv.seconds for lv in levels
             if lv.errors == 0 and lv.seconds > 0 and lv.latencies]
    return round(max(clean), 2) if clean else None


def ratio(product: float | None, bare: float | None) -> float | None:
    """Return product / bare, or None when either is unknown or the bare figure is zero."""
    if product is None or bare is None or bare == 0:
        return None
    return round(product / bare, 2)


def ratios(product: dict[str, Any], bare: dict[str, Any]) -> dict[str, float | None]:
    """Return product/bare for every figure both subjects have (latencies, memory, times)."""
    found: dict[str, float | None] = {}
    bare_levels = {lv["concurrency"]: lv for lv in bare["levels"]}
    for level in product["levels"]:
        other = bare_levels.get(level["concurrency"])
        if other is None:
            continue
        for key in (*(f"p{rank}_ms" for rank in PERCENTILES), "throughput",
                    "cpu_ms_per_answer"):
            found[f"c{level['concurrency']}_{key}"] = ratio(level[key], other[key])
    for key in ("launch_to_first_answer_s", "training_s", "memory_total_mb",
                "sustained_throughput"):
        found[key] = ratio(product[key], bare[key])
    return found


def report(subjects: Sequence[Subject], context: dict[str, Any]) -> dict[str, Any]:
    """Return the whole report: context (machine, options), each subject, ratios."""
    data: dict[str, Any] = {"context": context,
                            "subjects": {s.name: s.summary() for s in subjects}}
    if {"bare", "product"} <= set(data["subjects"]):
        data["ratios"] = ratios(data["subjects"]["product"], data["subjects"]["bare"])
    return data


def to_json(data: dict[str, Any]) -> str:
    """Serialise the report (NaN-free: missing figures are null)."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)

