"""Per-queue and per-group detail (issue 11 item 5): each queue's and each agent
group's KPIs per interval add up to the centre's (calls exactly; rates and occupancy
weighted by their bases), and the terminal (`run --queue`), the JSON and the CSV give
the same figures."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from builders import short_morning as day
from rich.console import Console
from typer.testing import CliRunner

import simulator
from simulator.cli import app
from simulator.report import terminal
from simulator.report.pages import write_run

COUNTS = ("offered", "blocked", "accepted", "answered", "abandoned", "calls", "customers")


@pytest.fixture(scope="module")
def res():
    return simulator.simulate(simulator.parse_scenario(day()), keep_records=True)


def test_queue_calls_add_up_exactly_to_the_centre_in_every_interval_and_day(res):
    for kpi in COUNTS:
        total = sum(q[kpi] for q in res.queue_interval_samples.values())
        assert np.array_equal(total, res.interval_samples[kpi]), kpi
        day_total = sum(q[kpi] for q in res.queue_samples.values())
        assert np.array_equal(day_total, res.day_samples[kpi]), kpi


def test_queue_rates_weighted_by_their_bases_are_the_centre_s(res):
    q = res.queue_interval_samples.values()
    for kpi, base in (("service_level", "accepted"), ("abandon_rate", "accepted")):
        num = sum(np.nan_to_num(s[kpi] * s[base]) for s in q)
        den = sum(s[base] for s in q)
        np.testing.assert_allclose(num / den, res.interval_samples[kpi], rtol=1e-12)
    num = sum(np.nan_to_num(s["asa"] * s["answered"]) for s in q)
    den = sum(s["answered"] for s in q)
    np.testing.assert_allclose(num / den, res.interval_samples["asa"], rtol=1e-12)


def test_group_figures_add_up_to_the_centre_s(res):
    g = res.group_interval_samples
    assert list(g) == ["sellers", "carers", "both"]
    answered = sum(s["answered"] for s in g.values())
    assert np.array_equal(answered, res.interval_samples["answered"])
    agents = sum(s["agents"] for s in g.values())
    np.testing.assert_allclose(agents, res.interval_samples["agents"], rtol=1e-12)
    busy = sum(s["occupancy"] * s["agents"] for s in g.values())
    np.testing.assert_allclose(busy / agents, res.interval_samples["occupancy"], rtol=1e-9)
    cost = sum(s["cost"] for s in g.values())  # no trunk lines: the centre's is the groups'
    np.testing.assert_allclose(cost, res.interval_samples["cost"], rtol=1e-12)
    # by hand: the sellers' 8 agents at 20 an hour in the first hour
    assert g["sellers"]["cost"][0, 0] == pytest.approx(8 * 20.0)
    assert g["sellers"]["agents"][0, 0] == pytest.approx(8.0)
    # AHT by hand from the records: the shared group's answered calls of day 0, hour 1
    calls = res.calls.query("replication == 0 and agent_group == 'both' and interval == 1")
    aht = calls.loc[calls["outcome"] == "answered", "handle_s"].mean()
    assert g["both"]["aht"][0, 1] == pytest.approx(aht, rel=1e-12)


def test_json_and_csv_give_the_same_per_queue_and_group_figures(res, tmp_path):
    d = simulator.to_dict(res)
    write_run(res, tmp_path)
    rows = pd.read_csv(tmp_path / "queue_intervals.csv")
    sales = rows[(rows["queue"] == "sales") & (rows["kpi"] == "service_level")]
    means = [r["service_level"]["mean"] for r in d["queue_intervals"]["sales"]]
    np.testing.assert_allclose(sales["mean"], means, atol=1e-6)
    assert list(sales["target"]) == [0.8] * len(res.starts)
    groups = pd.read_csv(tmp_path / "group_intervals.csv")
    occ = groups[(groups["group"] == "both") & (groups["kpi"] == "occupancy")]
    np.testing.assert_allclose(
        occ["mean"], [r["occupancy"]["mean"] for r in d["groups"]["both"]["intervals"]], atol=1e-6
    )
    day = pd.read_csv(tmp_path / "groups.csv").set_index(["group", "kpi"])
    assert day.loc[("sellers", "cost"), "mean"] == pytest.approx(
        d["groups"]["sellers"]["summary"]["cost"]["mean"], abs=1e-6
    )
    dictionary = pd.read_csv(tmp_path / "data_dictionary.csv")
    for file in ("queue_intervals.csv", "groups.csv", "group_intervals.csv"):
        assert file in set(dictionary["file"]), file
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h2>Per agent group</h2>" in page and "<h2>Per queue, per interval</h2>" in page


def test_run_queue_prints_that_queue_s_rows(res, tmp_path):
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(terminal.interval_table(res, 200, queue="care"))
    text = console.export_text()
    assert "queue care" in text
    offered = res.queue_interval_samples["care"]["offered"].mean(axis=0)
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert [r.split("│")[3].split("±")[0].strip() for r in rows] == [f"{v:,.1f}" for v in offered]
    path = tmp_path / "day.yaml"
    path.write_text(json.dumps(day()))
    done = CliRunner().invoke(app, ["run", str(path), "--queue", "care", "-q", "-r", "2"])
    assert done.exit_code == 0, done.output
    assert "queue care: the day" in done.stdout
    wrong = CliRunner().invoke(app, ["run", str(path), "--queue", "billing"])
    assert wrong.exit_code == 2
    assert "--queue: no queue 'billing' (queues are: sales, care)" in wrong.stderr
