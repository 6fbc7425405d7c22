"""Draw `iesmed bench chat`'s report as a PNG: latency percentiles and throughput per level.

Run with the engine environment's Python (Rasa depends on matplotlib; the app does not):

    ~/.cache/iesmed/venvs/rasa-py310-*/bin/python ops/bench/chat_plot.py report.json out.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLOURS = {"bare": "#7f7f7f", "product": "#1f77b4"}
STYLES = {"p50_ms": "-", "p95_ms": "--", "p99_ms": ":"}


def draw(data: dict[str, Any], out: Path) -> None:
    """Latency (log scale) and throughput against concurrent conversations, per subject."""
    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(11, 4.5))
    names = list(data["subjects"])
    for offset, name in enumerate(names):
        levels = data["subjects"][name]["levels"]
        xs = [lv["concurrency"] for lv in levels]
        for key, style in STYLES.items():
            ys = [lv[key] for lv in levels]
            latency.plot(xs, ys, style, marker="o", color=COLOURS.get(name),
                         label=f"{name} {key.removesuffix('_ms')}")
        width = 0.8 / max(1, len(names))
        positions = [i + offset * width for i in range(len(xs))]
        throughput.bar(positions, [lv["throughput"] or 0 for lv in levels], width,
                       color=COLOURS.get(name), label=name)
        throughput.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(xs))],
                              [str(x) for x in xs])
    latency.set_xscale("log", base=2)
    latency.set_yscale("log")
    latency.set_xlabel("concurrent conversations")
    latency.set_ylabel("latency per message (ms)")
    latency.legend(fontsize=7)
    latency.grid(True, which="both", alpha=0.3)
    throughput.set_xlabel("concurrent conversations")
    throughput.set_ylabel("answered messages per second")
    throughput.legend(fontsize=8)
    figure.suptitle(f"iesmed bench chat, {data['context'].get('started', '')} "
                    "(compare within one run)")
    figure.tight_layout()
    figure.savefig(out, dpi=110)


if __name__ == "__main__":
    draw(json.loads(Path(sys.argv[1]).read_text("utf-8")), Path(sys.argv[2]))
