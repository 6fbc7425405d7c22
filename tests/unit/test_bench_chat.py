"""`iesmed bench chat`: its statistics, ratios, report and load bookkeeping (not its timings)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import httpx
import pytest

from bot.core.locales import text
from ops.bench.chat_load import (
    BareTarget,
    ProductTarget,
    cpu_seconds,
    descendants,
    examples,
    run_level,
)
from ops.bench.chat_report import markdown
from ops.bench.chat_stats import (
    Level,
    Subject,
    percentile,
    ratio,
    report,
    sustained_throughput,
    to_json,
)


def test_percentiles_interpolate_between_ranks() -> None:
    values = [0.4, 0.1, 0.3, 0.2, 0.5]
    assert percentile(values, 50) == pytest.approx(0.3)
    assert percentile(values, 0) == pytest.approx(0.1)
    assert percentile(values, 100) == pytest.approx(0.5)
    assert percentile(values, 95) == pytest.approx(0.48)
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_a_level_reports_milliseconds_throughput_and_errors() -> None:
    level = Level(8, latencies=[0.1, 0.2, 0.3, 0.4], errors=2, seconds=2.0,
                  error_samples=["HTTP 500"] * 7)
    summary = level.summary()
    assert summary["p50_ms"] == pytest.approx(250.0)
    assert summary["throughput"] == 2.0  # answered messages only
    assert summary["errors"] == 2
    assert len(summary["error_samples"]) == 5
    empty = Level(1).summary()
    assert empty["p50_ms"] is None and empty["throughput"] is None


def test_sustained_throughput_ignores_levels_with_errors() -> None:
    levels = [Level(1, [0.1] * 10, 0, 2.0), Level(8, [0.1] * 40, 0, 2.0),
              Level(32, [0.1] * 100, 3, 2.0)]
    assert sustained_throughput(levels) == 20.0
    assert sustained_throughput([Level(1, [0.1], 1, 1.0)]) is None


def test_ratios_are_product_over_bare_and_unknown_when_either_is_missing() -> None:
    assert ratio(300.0, 100.0) == 3.0
    assert ratio(None, 100.0) is None
    assert ratio(100.0, 0.0) is None
    bare = Subject("bare", [Level(1, [0.05, 0.05], 0, 1.0)], launch_to_first_answer=40.0,
                   memory_mb={"rasa": 1000.0})
    product = Subject("product", [Level(1, [0.1, 0.1], 0, 1.0), Level(8, [0.2], 0, 1.0)],
                      launch_to_first_answer=20.0,
                      memory_mb={"rasa": 700.0, "bot": 200.0, "action server": 100.0})
    data = report([bare, product], {"command": "./iesmed bench chat"})
    assert data["ratios"]["c1_p50_ms"] == 2.0
    assert data["ratios"]["c1_throughput"] == 1.0
    assert "c8_p50_ms" not in data["ratios"]  # the bare bot was not measured at 8
    assert data["ratios"]["launch_to_first_answer_s"] == 0.5
    assert data["ratios"]["memory_total_mb"] == 1.0
    assert data["ratios"]["training_s"] is None
    json.loads(to_json(data))  # valid JSON, no NaN


def test_the_markdown_report_has_the_side_by_side_table() -> None:
    bare = Subject("bare", [Level(8, [0.4] * 10, 0, 1.0)], launch_to_first_answer=48.0,
                   training_seconds=98.0, memory_mb={"rasa": 1260.0})
    product = Subject("product", [Level(8, [0.8] * 5, 2, 1.0, ["HTTP 502"])],
                      launch_to_first_answer=70.0,
                      memory_mb={"rasa": 846.0, "bot": 360.0})
    md = markdown(report([bare, product], {"command": "./iesmed bench chat --quick",
                                           "notes": ["rasa ready after 60 s"]}))
    assert "| 8 concurrent | p50 400 ms, p95 400 ms, p99 400 ms, 10 msg/s |" in md
    assert "**2 errors**" in md
    assert "p50 ×2" in md and "msg/s ×0.5" in md
    assert "| launch to first answer | 48 s | 70 s | ×1.46 |" in md
    assert "1.18 GB (rasa 846 MB, bot 360 MB)" in md
    assert "| training from scratch | 98 s | n/a | n/a |" in md
    assert "compare the ratios within one run" in md
    assert "product, 8 concurrent, error: HTTP 502" in md
    assert "rasa ready after 60 s" in md


def test_cpu_time_is_counted_per_answer_per_process_and_compared() -> None:
    bare = Subject("bare", [Level(1, [0.05] * 100, 0, 5.0, cpu_seconds={"rasa": 3.0})])
    product = Subject("product", [Level(1, [0.1] * 50, 0, 5.0, cpu_seconds={
        "rasa": 2.0, "bot": 1.0, "action server": 0.5})])
    summary = product.levels[0].summary()
    assert summary["cpu_ms_per_answer"] == 70.0  # 3.5 s of CPU for 50 answers
    assert summary["cpu_ms_per_answer_by_process"] == {"rasa": 40.0, "bot": 20.0,
                                                       "action server": 10.0}
    data = report([bare, product], {"command": "x"})
    assert data["ratios"]["c1_cpu_ms_per_answer"] == pytest.approx(70 / 30, abs=0.01)
    md = markdown(data)
    assert "| CPU per answer, 1 concurrent | 30 ms (rasa 30) | 70 ms (rasa 40, bot 20, " \
           "action server 10) | ×2.33 |" in md
    assert Level(1).summary()["cpu_ms_per_answer"] is None  # nothing answered


def test_the_load_generators_own_cpu_is_reported_beside_the_assistants() -> None:
    level = Level(8, [0.1] * 200, 0, 5.0, cpu_seconds={"rasa": 2.0},
                  client_cpu_seconds=0.3)
    assert level.summary()["load_generator_cpu_ms_per_answer"] == 1.5
    assert level.summary()["cpu_ms_per_answer"] == 10.0  # the assistant's alone
    md = markdown(report([Subject("product", [level])], {"command": "x"}))
    assert "10 ms (rasa 10); load generator 1.5 ms" in md


def test_cpu_seconds_reads_this_process() -> None:
    import os

    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))  # some work of our own
    assert cpu_seconds(os.getpid()) > before


def test_descendants_follow_the_process_tree() -> None:
    parents = {1: 0, 10: 1, 11: 10, 12: 11, 20: 1, 30: 10}
    assert descendants(10, parents) == {10, 11, 12, 30}
    assert descendants(20, parents) == {20}


def test_examples_drop_entity_annotations(tmp_path: Path) -> None:
    (tmp_path / "nlu" / "en").mkdir(parents=True)
    (tmp_path / "nlu" / "en" / "nlu.yml").write_text(
        'nlu:\n- intent: need_funding\n  examples: |\n    - I need [5000](amount) euros\n'
        '    - money for my [coop]{"entity": "legal_form"}\n- intent: greet\n'
        '  examples: |\n    - hi\n', "utf-8")
    assert examples("en", "need_funding", tmp_path) == ["I need 5000 euros", "money for my coop"]


def test_product_conversations_take_turns_between_languages() -> None:
    target = ProductTarget()
    languages = {target.message(index, 0)[0] for index in range(9)}
    assert languages == {"ca", "es", "fr", "it", "pt", "el", "tr", "ar", "en"}
    lang, greeting = target.message(8, 0)
    assert greeting in examples(lang, "greet")


async def test_apologies_and_http_errors_count_as_errors_not_answers() -> None:
    calls = {"n": 0}
    apology = text("engine_unavailable", "fr")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/conversations":
            return httpx.Response(201, json={"conversation_id": "c1"})
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            return httpx.Response(502)
        reply = apology if calls["n"] % 3 == 1 else "Bonjour !"
        return httpx.Response(200, json={"replies": [{"text": reply}]})

    level = await run_level(ProductTarget(), "http://bot", 1, 0.2,
                            transport=httpx.MockTransport(answer))
    assert calls["n"] >= 3
    assert len(level.latencies) == calls["n"] // 3 + (calls["n"] % 3 == 2)
    assert level.errors == calls["n"] - len(level.latencies)
    assert "HTTP 502" in level.error_samples
    assert "apology: assistant unavailable" in level.error_samples


async def test_the_bare_bot_must_answer_something() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(200, json=[] if body["message"] == "yes" else [{"text": "ok"}])

    level = await run_level(BareTarget(), "http://rasa", 1, 0.2,
                            transport=httpx.MockTransport(answer))
    assert level.errors >= 1 and level.latencies
    assert set(level.error_samples) == {"no reply"}


def test_rounds_of_a_level_pool_into_one_level() -> None:
    from ops.bench.chat_stats import pool

    pooled = Level(8)
    pool(pooled, Level(8, [0.1] * 30, 1, 10.0, ["HTTP 502"], {"rasa": 0.3}, 0.02))
    pool(pooled, Level(8, [0.3] * 10, 0, 10.0, [], {"rasa": 0.2, "bot": 0.1}, 0.01))
    summary = pooled.summary()
    assert summary["answered"] == 40 and summary["errors"] == 1
    assert summary["throughput"] == 2.0  # 40 answers in 20 s
    assert summary["cpu_ms_per_answer_by_process"] == {"rasa": 12.5, "bot": 2.5}
    assert summary["load_generator_cpu_ms_per_answer"] == 0.8
    assert pooled.error_samples == ["HTTP 502"]


def test_a_processs_own_memory_leaves_out_its_children() -> None:
    import os
    import subprocess
    import sys
    import time

    from ops.bench.chat_load import rss_mb

    child = subprocess.Popen([sys.executable, "-c",
                              "b = bytearray(60 * 1024 * 1024); import time; time.sleep(30)"])
    try:
        deadline = time.monotonic() + 10
        while rss_mb(os.getpid()) - rss_mb(os.getpid(), children=False) < 60:
            assert time.monotonic() < deadline, "the child never grew"
            time.sleep(0.1)
    finally:
        child.kill()
        child.wait()


def test_rounds_are_at_least_one_and_not_mixed_with_a_profile() -> None:
    from ops.bench.chat import parse

    assert parse(["--rounds", "4", "--seconds", "10"]).rounds == 4
    assert parse([]).rounds == 1
    with pytest.raises(SystemExit):
        parse(["--rounds", "0"])
    with pytest.raises(SystemExit):
        parse(["--rounds", "4", "--profile", "8", "--py-spy", "/usr/bin/true"])
