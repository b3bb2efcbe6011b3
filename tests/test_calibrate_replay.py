"""calibrate --replay writes every day of the log with its date (a horizon), each day
its own calls and agents; backtest then compares it date by date."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
import yaml
from builders import exponential, queue, scenario
from typer.testing import CliRunner

from simulator import parse_scenario, simulate
from simulator.calibrate.backtest import backtest
from simulator.calibrate.calibration import calibrate
from simulator.calibrate.grid import counts
from simulator.calibrate.simulated import log_from_result
from simulator.cli import app

VOLUMES = [80, 120, 100]
STAFFING = [5, 7, 6]


@pytest.fixture(scope="module")
def replay():
    """Six simulated days of a known three-hour day (exponential handle time 200 s,
    patience 240 s), calibrated as a replay."""
    q = queue(VOLUMES, exponential(200), exponential(240))
    sc = scenario({"calls": q}, {"team": {"skills": ["calls"], "staffing": STAFFING}})
    log = log_from_result(simulate(parse_scenario(sc), 6, 11))
    return log, calibrate(log, 60, replay=True)


def test_replay_is_a_horizon_of_the_logs_dates(replay):
    """The dates are the log's days (callsim's days are dated from Monday 2001-01-01),
    each open 08:00-11:00; the lists hold 6 days x 12 quarter hours."""
    _, cal = replay
    sc = parse_scenario(cal.scenario, strict=True)
    assert [d.date for d in sc.days()] == [dt.date(2001, 1, 1) + dt.timedelta(i) for i in range(6)]
    assert {(d.open, d.close) for d in sc.days()} == {("08:00", "11:00")}
    assert sc.n_intervals == 6 * 12
    assert sc.arrivals.busyness_cv == 0  # the days' own volumes: no busyness factor


def test_replay_volumes_and_staffing_are_each_days_own(replay):
    """Each date's hourly volume is that day's count of offered calls in the log (spread
    over its quarters), and its staffing is that day's presence rounded per quarter."""
    log, cal = replay
    sc = parse_scenario(cal.scenario, strict=True)
    total = np.sum([q.volumes for q in sc.queues.values()], axis=0).reshape(6, 3, 4).sum(axis=2)
    assert total == pytest.approx(counts(log.queued, log.days, cal.grid), abs=0.01)
    staffing = np.array(sc.agents["agents"].staffing).reshape(6, 12)
    assert np.array_equal(staffing, np.round(cal.staff_agents.present))
    # and a Monday's staffing is not the Tuesday's average: the days are not pooled
    assert not np.array_equal(cal.staff_agents.present[0], cal.staff_agents.present.mean(axis=0))


def test_backtest_compares_day_by_day(replay):
    """Per date, the log's day service level is what the log shows that day (computed
    here by hand); the simulation of each date misses it by no more than chance: the
    MAE over the 6 dates under 2.5 noise floors (for a right model the MAE averages
    one floor with a standard deviation of about 0.3: a false alarm far under 0.1%)."""
    log, cal = replay
    sc = parse_scenario(cal.scenario, strict=True)
    bt = backtest(log, sc, cal.grid, 10, 2)
    b = bt.by_date
    assert b is not None and len(b.dates) == 6
    q = log.queued
    day = q[q["day"] == log.days[2]]
    by_hand = ((day["outcome"] == "answered") & (day["wait"] <= 20)).sum() / len(day)
    assert b.observed["service_level"][2] == pytest.approx(by_hand)
    for k in ("service_level", "asa", "abandon_rate"):
        assert b.noise_floor[k] > 0
        assert b.mae[k]["simulation"] < 2.5 * b.noise_floor[k], k
    assert bt.days == 6 and bt.replications == 10


def test_day_by_day_simulation_is_callsim_runs(replay):
    """The backtest's simulated days are `simulate`'s of the horizon (the same seeds, as
    `callsim run` plays them): each date's service level, ASA and abandonment equal its
    per-day figures (`SimulationResult.daily`)."""
    log, cal = replay
    sc = parse_scenario(cal.scenario, strict=True)
    b = backtest(log, sc, cal.grid, 4, 5).by_date
    daily = simulate(sc, 4, 5).daily.pivot(index="date", columns="kpi", values="mean")
    for k in ("service_level", "asa", "abandon_rate"):
        assert b.simulated[k].mean == pytest.approx(daily.loc[b.dates, k].to_numpy(), rel=1e-9), k


def test_replay_cli_and_day_by_day_json(tmp_path, replay):
    """`calibrate --replay` then `backtest --json --out`: a by_date object with one row
    per date, and the by-date CSV and plot beside the others."""
    log, _ = replay
    calls = tmp_path / "calls.csv"
    log.calls.to_csv(calls, index=False)
    out = tmp_path / "replay.yaml"
    made = CliRunner().invoke(app, ["calibrate", str(calls), "--replay", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert yaml.safe_load(out.read_text())["horizon"]["dates"][0] == "2001-01-01"
    folder = tmp_path / "bt"
    args = ["backtest", str(calls), str(out), "-r", "3", "--json", "--out", str(folder)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["date"] for r in data["by_date"]["dates"]][:2] == ["2001-01-01", "2001-01-02"]
    row = data["by_date"]["dates"][0]["service_level"]
    assert set(row) == {"observed", "simulated", "erlang_a"}
    assert set(data["by_date"]) == {"dates", "mae", "noise_floor"}
    assert {"backtest_by_date.csv", "backtest_by_date.png"} <= {p.name for p in folder.iterdir()}


def test_backtest_of_dates_the_log_does_not_have(tmp_path, replay):
    """A replay scenario against a log with none of its dates: exit 2, saying so."""
    log, cal = replay
    data = dict(cal.scenario)
    data["horizon"] = {"dates": ["2030-01-07", "2030-01-08", "2030-01-09", "2030-01-10",
                                 "2030-01-11", "2030-01-12"], "close": "11:00"}  # fmt: skip
    sc = tmp_path / "elsewhen.yaml"
    sc.write_text(yaml.safe_dump(data))
    calls = tmp_path / "calls.csv"
    log.calls.to_csv(calls, index=False)
    result = CliRunner().invoke(app, ["backtest", str(calls), str(sc), "-r", "2"])
    assert result.exit_code == 2
    assert "none of the scenario's 6 dates" in result.output
