"""Tests for simulator.runner and `callsim run --json`: reproducibility and the contract.

The same scenario and seed must give identical results, whatever the number of worker
processes, down to the bytes printed by `callsim run --json`; another seed must give
other days. The result tables and the JSON object must have the shape
docs/reference/cli.md documents.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from builders import exponential, single_queue
from typer.testing import CliRunner

import simulator
from simulator.cli import app
from simulator.kpi.registry import KPIS
from simulator.model.load import parse_scenario
from simulator.run.runner import simulate

REPLICATIONS, SEED, WARMUP = 4, 3, 1
SCENARIO = single_queue(
    [80, 120, 100],
    [9, 12, 11],
    patience=exponential(150),
    lines=20,
    interval_minutes=30,
    warmup=WARMUP,
    replications=REPLICATIONS,
    seed=SEED,
    name="Reproducible morning",
)

# The first user contract (docs/reference/cli.md, docs/reference/kpis.md): the --json
# object's keys, and the KPI table's keys.
PRODUCT_TOP_LEVEL = {"scenario", "replications", "seed", "summary", "intervals"}
PRODUCT_KPIS = (
    "offered",
    "blocked",
    "blocked_rate",
    "accepted",
    "answered",
    "abandoned",
    "abandon_rate",
    "service_level",
    "asa",
    "aht",
    "occupancy",
    "transfer_rate",
    "escalation_rate",
    "fcr",
    "longest_wait",
    "avg_queue",
    "agents",
    "cost_per_call",
)
# README.md, "KPIs": the documented additions to PRODUCT.md's table.
README_KPIS = ("cost", "calls", "customers")
# The contract, written out: never derived from the code's own list, so that a KPI
# dropped from the code fails here (issue 9, defect 2).
CONTRACT_KPIS = PRODUCT_KPIS + README_KPIS
CALL_COLUMNS = {
    "replication",
    "queue",
    "interval",
    "arrival_s",
    "outcome",
    "wait_s",
    "agent_group",
    "answer_s",
    "handle_s",
}


@pytest.fixture(scope="module")
def sc():
    return parse_scenario(SCENARIO)


@pytest.fixture(scope="module")
def result(sc):
    return simulate(sc)


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("runner") / "morning.yaml"
    path.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    return path


def run_json(path, *options: str) -> bytes:
    """Standard output of `callsim run PATH --json [options]`, which must succeed."""
    res = CliRunner().invoke(app, ["run", str(path), "--json", *options])
    assert res.exit_code == 0, res.stderr
    return res.stdout_bytes


def assert_same_days(a, b):
    assert simulator.to_dict(a) == simulator.to_dict(b)
    for kpi in KPIS:
        np.testing.assert_array_equal(a.interval_samples[kpi], b.interval_samples[kpi])
    pd.testing.assert_frame_equal(a.calls, b.calls)


# ---------------------------------------------------------------- reproducibility


def test_the_same_seed_gives_identical_results(sc, result):
    assert_same_days(simulate(sc, REPLICATIONS, SEED), result)


def test_two_workers_give_the_same_results_as_one(sc, result):
    assert_same_days(simulate(sc, workers=2), result)


def test_another_seed_gives_other_days(sc, result):
    other = simulate(sc, seed=SEED + 1)
    assert simulator.to_dict(other) != simulator.to_dict(result)
    assert not np.array_equal(other.day_samples["offered"], result.day_samples["offered"])


def test_callsim_run_json_is_byte_identical_across_runs_and_workers(scenario_file):
    first = run_json(scenario_file)
    assert run_json(scenario_file) == first
    assert run_json(scenario_file, "--workers", "2") == first
    assert run_json(scenario_file, "--seed", str(SEED + 1)) != first


def test_callsim_run_json_prints_exactly_the_api_result(scenario_file, result):
    out = run_json(scenario_file).decode()
    assert out.endswith("}\n") and out.count("\n") == 1  # one object, nothing else
    assert json.loads(out) == json.loads(json.dumps(simulator.to_dict(result)))


# ------------------------------------------------------------------- the contract


def test_summary_intervals_and_calls_tables_have_the_documented_shape(result):
    assert list(result.summary.index) == list(KPIS)
    assert list(result.summary.columns) == ["mean", "ci95_low", "ci95_high"]

    shown = SCENARIO["queues"]["q"]["volumes"][WARMUP:]
    intervals = result.intervals
    assert {"start", "kpi", "mean", "ci95_low", "ci95_high"} <= set(intervals.columns)
    assert len(intervals) == len(KPIS) * len(shown)
    assert sorted(intervals["start"].unique()) == ["08:30", "09:00"]  # 08:00 is warm-up

    calls = result.calls
    assert set(calls.columns) >= CALL_COLUMNS
    assert len(calls) == sum(len(day.calls["arrival"]) for day in result.days)
    assert sorted(calls["replication"].unique()) == list(range(REPLICATIONS))
    # every call of the day is listed, warm-up included
    assert sorted(calls["interval"].unique()) == [0, 1, 2]


def figures(obj: dict) -> list[tuple[str, dict]]:
    """(where, {kpi: figure}) for the summary and every interval of a --json object."""
    return [("summary", obj["summary"])] + [
        (f"interval {row['start']}", row) for row in obj["intervals"]
    ]


def test_json_has_every_product_kpi_with_mean_and_ci95(scenario_file):
    obj = json.loads(run_json(scenario_file))
    assert set(obj) >= PRODUCT_TOP_LEVEL
    assert (obj["scenario"], obj["replications"], obj["seed"]) == (
        "Reproducible morning",
        REPLICATIONS,
        SEED,
    )
    assert [row["start"] for row in obj["intervals"]] == ["08:30", "09:00"]
    for where, kpis in figures(obj):
        for kpi in CONTRACT_KPIS:
            figure = kpis[kpi]
            assert set(figure) == {"mean", "ci95"}, (where, kpi)
            assert len(figure["ci95"]) == 2, (where, kpi)
            low, high = figure["ci95"]
            if kpi == "cost_per_call":  # no cost given: absent, not a number
                assert figure["mean"] is None
                continue
            assert None not in (low, figure["mean"], high), (where, kpi, figure)
            assert low <= figure["mean"] <= high, (where, kpi, figure)


def test_every_documented_kpi_is_in_the_summary_every_interval_and_every_queue(scenario_file):
    obj = json.loads(run_json(scenario_file))
    places = [("summary", obj["summary"])]
    places += [(f"interval {row['start']}", row) for row in obj["intervals"]]
    places += [(f"queue {q}", kpis) for q, kpis in obj["queues"].items()]
    assert len(places) == 1 + 2 + 1
    for where, kpis in places:
        missing = [k for k in CONTRACT_KPIS if k not in kpis]
        assert not missing, (where, missing)
        for kpi in CONTRACT_KPIS:
            assert set(kpis[kpi]) == {"mean", "ci95"}, (where, kpi)
    # no cost given: cost is 0 and cost per call undefined (null), as README.md says
    assert obj["summary"]["cost"] == {"mean": 0.0, "ci95": [0.0, 0.0]}
    assert obj["summary"]["cost_per_call"] == {"mean": None, "ci95": [None, None]}


def test_json_top_level_keys_are_product_md_s_plus_the_documented_queues(scenario_file):
    # the first contract's five keys, `queues` (per queue KPIs) and the detail of issue
    # 11 (each queue's and group's intervals, the misses): docs/reference/cli.md
    obj = json.loads(run_json(scenario_file))
    detail = {"queues", "queue_intervals", "groups", "misses"}
    assert set(obj) == PRODUCT_TOP_LEVEL | detail
    assert list(obj["queues"]) == ["q"]
    for kpi in CONTRACT_KPIS:
        assert set(obj["queues"]["q"][kpi]) == {"mean", "ci95"}
    assert obj["queues"]["q"]["offered"] == obj["summary"]["offered"]  # the only queue


def test_progress_is_reported_once_per_day_in_order_whatever_the_workers():
    sc = parse_scenario(
        {
            "name": "progress",
            "interval_minutes": 30,
            "open": "08:00",
            "service_level": {"seconds": 20, "target": 0.8},
            "queues": {
                "q": {
                    "volumes": [50, 50],
                    "handle_time": {"distribution": "exponential", "mean": 180},
                }
            },
            "agents": {"g": {"skills": ["q"], "staffing": [8, 8]}},
        }
    )
    for workers in (1, 2):
        seen: list[int] = []
        simulate(sc, replications=4, seed=1, workers=workers, progress=seen.append)
        assert seen == [1, 2, 3, 4]


def test_progress_bar_draws_on_a_terminal_and_stays_off_stdout(capsys, monkeypatch):
    from rich.console import Console

    from simulator.cli import running as cli
    from simulator.cli.console import LazyConsole

    screen = Console(stderr=True, force_terminal=True)
    monkeypatch.setattr(cli, "err", LazyConsole(lambda: screen, "stderr", None))
    with cli.progress_bar(3, quiet=False, label="days") as tick:
        for done in (1, 2, 3):
            tick(done)
    captured = capsys.readouterr()
    assert captured.out == "" and "3/3" in captured.err
    with cli.progress_bar(3, quiet=True, label="days") as tick:
        assert tick is None  # --quiet: no bar at all
