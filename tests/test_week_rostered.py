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


def test_staff_tables_label_a_horizons_intervals_by_day():
    """staff's CSVs over a week carry each interval's date and label, as run's do."""
    from simulator.report.tables.plan import plan_dictionary, plan_tables

    sc = simulator.load_scenario(ROOT / "scenarios/week.yaml")
    tables = plan_tables(simulator.plan(sc, "erlang-c"))
    slots = sc.calendar()
    for name in ("plan_intervals.csv", "plan_queues.csv", "plan_groups.csv"):
        df = tables[name]
        rows = df.drop_duplicates("interval")
        assert list(rows["label"]) == [slots[i].label for i in rows["interval"]], name
        assert list(rows["date"]) == [str(slots[i].date) for i in rows["interval"]], name
    assert tables["plan_intervals.csv"]["label"].iloc[0] == "Mon 12-07 08:00"
    assert {"date", "label"} <= set(plan_dictionary(tables)["column"])
