"""Chart geometry for the overview page, drawn as inline SVG by a template (no JS library).

Pure functions from counts to rectangles and labels: the template only places
them, so every label is escaped by Jinja like any other text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from catalog.console_queries import WeekCount

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 28
SERIES = 8  # colours in the stylesheet: .series-0 … .series-7 (the last may be "other")


@dataclass(frozen=True)
class Bar:
    """One rectangle: a series' share of one column."""

    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw one bar chart and its legend."""

    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    columns: list[tuple[float, str]]
    legend: list[tuple[int, str, int]]
    total: int

    @property
    def base(self) -> float:
        """Return the y coordinate of the x axis."""
        return float(self.height - BOTTOM)


def nice_ceiling(value: float, *, ticks: int = 4) -> int:
    """Return an axis top above ``value`` whose ``ticks`` steps are whole, round numbers."""
    needed = max(1.0, value / ticks)
    power = 10 ** math.floor(math.log10(needed))
    for step in (1, 2, 2.5, 5, 10):
        if needed <= step * power and float(step * power).is_integer():
            return int(step * power * ticks)
    return int(10 * power * ticks)


def weeks_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Return the Mondays from ``first``'s week to ``last``'s week."""
    start = first - dt.timedelta(days=first.weekday())
    return [start + dt.timedelta(weeks=i)
            for i in range((last - start).days // 7 + 1)]


def _layout(columns: Sequence[str], stacks: Sequence[Sequence[tuple[int, int, str]]],
            legend: list[tuple[int, str, int]], *, label_every: int = 1) -> Chart:
    """Place stacked columns of (series, value, title) on a shared axis."""
    peak = max((sum(v for _s, v, _t in stack) for stack in stacks), default=0)
    top = nice_ceiling(peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(columns))
    bar_w = max(2.0, slot * 0.7)
    bars: list[Bar] = []
    for i, stack in enumerate(stacks):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = float(HEIGHT - BOTTOM)
        for series, value, title in stack:
            if value <= 0:
                continue
            h = plot_h * value / top
            y -= h
            bars.append(Bar(round(x, 1), round(y, 1), round(bar_w, 1), round(h, 1), series,
                            title))
    ticks = [(round(HEIGHT - BOTTOM - plot_h * k / 4, 1), _number(top * k / 4))
             for k in range(5)]
    labels = [(round(LEFT + i * slot + slot / 2, 1), label) for i, label in enumerate(columns)
              if i % label_every == 0]
    total = sum(v for stack in stacks for _s, v, _t in stack)
    return Chart(WIDTH, HEIGHT, bars, ticks, labels, legend, total)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def stacked_by_week(counts: Sequence[WeekCount], weeks: Sequence[dt.date], *,
                    label: Callable[[str], str], day: Callable[[dt.date], str],
                    other: str) -> Chart:
    """Draw cases per week, stacked by value; the largest values get their own colour."""
    totals: Counter[str] = Counter()
    for item in counts:
        totals[item.value] += item.count
    ranked = [value for value, _n in totals.most_common()]
    own = ranked if len(ranked) <= SERIES else ranked[:SERIES - 1]
    series = {value: i for i, value in enumerate(own)}
    other_index = len(own)
    per_week: dict[dt.date, Counter[int]] = {week: Counter() for week in weeks}
    for item in counts:
        if item.week in per_week:
            per_week[item.week][series.get(item.value, other_index)] += item.count
    names = {i: label(value) for value, i in series.items()}
    names[other_index] = other
    stacks = [[(s, n, f"{day(week)} · {names[s]}: {n}") for s, n in sorted(per_week[week].items())]
              for week in weeks]
    legend = [(i, label(value), totals[value]) for value, i in series.items()]
    rest = sum(n for value, n in totals.items() if value not in series)
    if rest:
        legend.append((other_index, other, rest))
    return _layout([day(week) for week in weeks], stacks, legend,
                   label_every=max(1, math.ceil(len(weeks) / 8)))


def histogram(values: Sequence[float], edges: Sequence[float], labels: Sequence[str]) -> Chart:
    """Draw how many values fall in each bucket [edges[i], edges[i+1]) (the last is open)."""
    counts = [0] * len(labels)
    for value in values:
        index = sum(1 for edge in edges[1:] if value >= edge)
        counts[min(index, len(labels) - 1)] += 1
    stacks = [[(0, n, f"{label}: {n}")] for label, n in zip(labels, counts, strict=True)]
    return _layout(list(labels), stacks, [])
