"""The shipped rostered week: its numbers are the forecast file's and its roster's cost
is the plan's (deterministic checks: no false alarm)."""

from pathlib import Path

import pandas as pd

import simulator

ROOT = Path(__file__).resolve().parents[1]


def test_volumes_and_handle_times_are_the_forecast_files():
    sc = simulator.load_scenario(ROOT / "scenarios/week_rostered.yaml")
    forecast = pd.read_csv(ROOT / "scenarios/week_forecast.csv")
    assert sc.horizon is not None and sc.roster is not None
    for name, queue in sc.queues.items():
        rows = forecast[forecast["queue"] == name]
        assert [float(v) for v in rows["calls"]] == list(queue.volumes), name
        assert [float(v) for v in rows["aht"]] == list(queue.aht_by_interval or []), name
    assert all(group.staffing for group in sc.agents.values())  # read from the roster


def test_the_roster_costs_what_the_shift_plan_said():
    """44,215.00: the header's and README's figure, `staff --shifts` on this forecast."""
    sc = simulator.load_scenario(ROOT / "scenarios/week_rostered.yaml")
    res = simulator.simulate(sc, replications=2)
    assert [round(float(c), 2) for c in res.day_samples["cost"]] == [44_215.0, 44_215.0]
