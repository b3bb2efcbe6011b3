"""The README's examples are run, so the documentation cannot rot."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import yaml

import simulator

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_python_examples_run_and_print_the_published_erlang_values():
    assert blocks("python"), "the README has Python examples"
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            for code in blocks("python"):
                exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert "0.1741 0.8884" in out.getvalue()


def test_yaml_example_is_the_shipped_smallest_scenario_and_valid():
    (example,) = [b for b in blocks("yaml") if "Single queue" in b]
    shipped = yaml.safe_load((ROOT / "scenarios/single_queue.yaml").read_text())
    assert yaml.safe_load(example) == shipped
    assert simulator.parse_scenario(yaml.safe_load(example)).n_intervals == 4


def test_every_shipped_scenario_is_named_in_the_readme_and_valid():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert path.name in README, path.name
        simulator.load_scenario(path)


def test_planner_figures_for_the_peak_day_are_the_programs():
    """The README's sentence on the search's plan for `peak_day.yaml`, figure by figure
    (the search and its verification are deterministic for the file's seed: no false
    alarm). The figures on fresh days, one agent fewer and other seeds are
    benchmarks/bench_search.py's (too long for the suite)."""
    text = " ".join(README.split())
    assert "its plan has 297.5 agent-hours against Erlang A's 297.5 (Erlang C: 321)" in text
    assert "its own verification (200 independent days) has 4 intervals below a target" in text
    sc = simulator.load_scenario(ROOT / "scenarios/peak_day.yaml")
    plans = {m: simulator.plan(sc, m) for m in ("simulation", "erlang-a", "erlang-c")}
    hours = {m: p.required.sum() / 2 for m, p in plans.items()}
    assert (hours["simulation"], hours["erlang-a"], hours["erlang-c"]) == (297.5, 297.5, 321)
    check = plans["simulation"].search.verification
    assert (int(check.below.sum()), int(check.flagged.sum())) == (4, 0)
    assert check.result.replications == 200


def test_what_the_readme_says_of_cost_without_costs_is_what_the_json_gives():
    """single_queue.yaml gives no cost: `cost` is 0 and `cost_per_call` null (issue 15)."""
    text = " ".join(README.split())
    assert "`cost` (agents' paid logged-in time plus trunk lines; 0 when no cost is given)" in text
    assert "`null` in the JSON" in text and "absent when no cost" not in text
    sc = simulator.load_scenario(ROOT / "scenarios/single_queue.yaml")
    summary = simulator.to_dict(simulator.simulate(sc, replications=2, seed=1))["summary"]
    assert summary["cost"]["mean"] == 0.0 and summary["cost_per_call"]["mean"] is None
