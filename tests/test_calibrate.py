"""Calibration: estimates that come back from a simulated log of a known scenario, the
estimators on hand-built logs, and the scenario written (it runs as is)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from builders import queue, scenario
from typer.testing import CliRunner

from simulator import parse_scenario, simulate
from simulator.calibrate.agents import estimate_agents
from simulator.calibrate.calibration import calibrate
from simulator.calibrate.grid import Grid
from simulator.calibrate.patience import estimate_patience
from simulator.calibrate.priority import estimate_head_start
from simulator.calibrate.schema import CallLog, finish
from simulator.calibrate.simulated import agent_ids, log_from_result
from simulator.calibrate.volumes import estimate_volumes
from simulator.cli import app

VOLUMES = [60, 120, 180, 180, 150, 120, 90, 60]
STAFFING = [4, 6, 8, 9, 8, 6, 5, 4]  # abandonment 10-21% by interval
AHT, AHT_CV, PATIENCE = 200.0, 0.8, 240.0


def _known(patience: dict) -> dict:
    q = queue(VOLUMES, {"distribution": "lognormal", "mean": AHT, "cv": AHT_CV}, patience)
    sc = scenario({"calls": q}, {"team": {"skills": ["calls"], "staffing": STAFFING}})
    return sc | {"interval_minutes": 60, "open": "08:00"}


def _simulated_log(sc: dict, days: int = 30, seed: int = 7) -> CallLog:
    """The simulated days as an ACD log, agents replayed from the records."""
    return log_from_result(simulate(parse_scenario(sc), days, seed))


@pytest.fixture(scope="module")
def round_trip():
    log = _simulated_log(_known({"distribution": "exponential", "mean": PATIENCE}))
    return log, calibrate(log, 60)


def test_round_trip_volumes_come_back(round_trip):
    """Each interval's mean volume within 3.5 standard errors of the forecast (false
    alarm about 0.4% for the 8 intervals), the day's total inside its 95% CI (5%)."""
    _, cal = round_trip
    v = cal.volumes.mean
    se = (v.high - v.mean) / 2.045  # t quantile for 29 degrees of freedom
    assert cal.grid.starts[0] == "08:00"
    assert cal.grid.n == 8
    assert np.all(np.abs(v.mean - VOLUMES) < 3.5 * se)
    totals = cal.volumes.per_day.sum(axis=1)
    half = 2.045 * totals.std(ddof=1) / np.sqrt(len(totals))
    assert abs(totals.mean() - sum(VOLUMES)) < half
    assert not cal.volumes.material  # Poisson days: no busyness factor


def test_round_trip_handle_time_and_its_shape(round_trip):
    """AHT inside its 95% CI (5% false alarm), every interval's inside its own CI
    widened to 3.5 se (0.4%); lognormal chosen, cv within 0.05."""
    _, cal = round_trip
    h = cal.handle
    assert h.mean.low < AHT < h.mean.high
    se = (h.by_interval.high - h.by_interval.mean) / 1.96
    assert np.all(np.abs(h.by_interval.mean - AHT) < 3.5 * se)
    assert h.chosen == "lognormal"
    assert abs(h.cv - AHT_CV) < 0.05


def test_round_trip_patience_with_censoring(round_trip):
    """The ratio estimator's 95% CI holds the true mean (5%); the abandoners' mean wait
    is far below it (censoring); exponential is the shape chosen."""
    log, cal = round_trip
    p = cal.patience
    rates = log.calls.groupby("day")["outcome"].apply(lambda o: (o == "abandoned").mean())
    assert 0.05 < rates.mean() < 0.30
    assert p.ratio_mean.low < PATIENCE < p.ratio_mean.high
    assert p.abandoner_mean_wait < 0.5 * PATIENCE
    assert p.chosen == "exponential"
    assert abs(p.km_median - PATIENCE * np.log(2)) < 0.15 * PATIENCE


AHT_BY_HOUR = [150, 170, 200, 220, 210, 190, 170, 150]
NOT_READY = 20.0


@pytest.fixture(scope="module")
def varying():
    """The known day with handle time by hour (aht_by_interval, lognormal cv 0.8) and
    agents not ready for an exponential 20 s after each call: 30 days, calibrated."""
    sc = _known({"distribution": "exponential", "mean": PATIENCE})
    sc["queues"]["calls"]["aht_by_interval"] = AHT_BY_HOUR
    sc["agents"]["team"]["not_ready"] = {"distribution": "exponential", "mean": NOT_READY}
    res = simulate(parse_scenario(sc), 30, 7)
    return res, calibrate(log_from_result(res), 60)


def test_round_trip_handle_time_by_interval_and_not_ready(varying):
    """Each hour's AHT within 3.5 standard errors of the known one (false alarm about
    0.4% for the 8 hours), written as the one queue's aht_by_interval (each hour's mean
    on its four quarters); the shape (lognormal, cv within 0.05) kept. The not-ready
    time goes to the agents: its mean comes back 0-25% long, as it must, since a gap
    is counted only when a caller was waiting as the call ended, and lasts past the
    not-ready time when that caller left meanwhile (measured: 22.8 s for 20)."""
    _, cal = varying
    h = cal.handle
    se = (h.by_interval.high - h.by_interval.mean) / 1.96
    assert np.all(np.abs(h.by_interval.mean - AHT_BY_HOUR) < 3.5 * se)
    assert h.chosen == "lognormal" and abs(h.cv - AHT_CV) < 0.05
    sc = cal.model
    assert list(sc.queues) == ["calls"]
    quarters = np.repeat(h.by_interval.mean, 4)
    assert sc.queues["calls"].aht_by_interval == pytest.approx(quarters, abs=0.01)
    assert NOT_READY <= sc.agents["agents"].not_ready.mean <= 1.25 * NOT_READY


def test_round_trip_calibrated_day_plays_like_the_known_one(varying):
    """The calibrated scenario simulated (30 days, another seed) against the known
    one's days: service level, abandonment (5-30%) and ASA each within the sum of the
    two 95% half-widths (a false alarm under 1% for a scenario that is right)."""
    known, cal = varying
    again = simulate(cal.model, 30, 3)
    for k in ("service_level", "abandon_rate", "asa", "aht"):
        a, b = known.summary.loc[k], again.summary.loc[k]
        reach = (a["ci95_high"] - a["mean"]) + (b["ci95_high"] - b["mean"])
        assert abs(a["mean"] - b["mean"]) < reach, k
    assert 0.05 < known.summary.loc["abandon_rate", "mean"] < 0.30


def test_round_trip_lognormal_patience_shape_comes_back():
    """Heavy-tailed patience (lognormal, cv 1.5): the censored fits choose lognormal and
    its median comes back within 20% (fixed seed; the fit's own se is about 5%)."""
    log = _simulated_log(_known({"distribution": "lognormal", "mean": 300.0, "cv": 1.5}), 20)
    q = log.queued
    p = estimate_patience(q["wait"].to_numpy(), (q["outcome"] == "abandoned").to_numpy())
    median = 300.0 / np.sqrt(1 + 1.5**2)
    assert p.chosen == "lognormal"
    assert abs(p.fits["lognormal"].median - median) < 0.2 * median
    # the hazard-matched mean is far below the distribution's mean (heavy tail)
    assert p.ratio_mean.mean < 300.0


def test_round_trip_scenario_runs_and_reproduces_the_day(round_trip):
    """The scenario written runs; its simulated offered calls and AHT match the known
    scenario's within 3% (fixed seeds; their CIs are about 1% wide)."""
    _, cal = round_trip
    sc = cal.model
    assert sc.interval_minutes == 15 and sc.open == "08:00"
    res = simulate(sc, 20, 3)
    assert abs(res.summary.loc["offered", "mean"] - sum(VOLUMES)) < 0.03 * sum(VOLUMES)
    assert abs(res.summary.loc["aht", "mean"] - AHT) < 0.03 * AHT


def test_round_trip_staffing_comes_back(round_trip):
    """Agents present (work blocks) within half an agent of the staffing in every
    interval, within 0.15 agent after the first: agents log on idle, so presence
    counted from a joining agent's first call runs a little short (most where the day
    opens). The scenario written staffs each quarter hour as simulated, give or take
    one agent."""
    log, cal = round_trip
    assert (log.calls.loc[log.calls["outcome"] == "answered", "agent"] != "").all()
    present = cal.agents.present.mean(axis=0)
    assert np.all(np.abs(present - STAFFING) < 0.5)
    assert np.all(np.abs(present[1:] - STAFFING[1:]) < 0.15)
    quarters = np.repeat(STAFFING, 4)
    assert np.all(np.abs(np.array(cal.model.agents["agents"].staffing) - quarters) <= 1)
    assert cal.agents.not_ready.mean() < 1.0  # the simulated agents are never not ready


def test_replayed_agents_serve_one_call_at_a_time(round_trip):
    log, _ = round_trip
    a = log.calls[log.calls["outcome"] == "answered"].sort_values(["day", "agent", "answer"])
    same = (a["agent"].shift(-1) == a["agent"]) & (a["day"].shift(-1) == a["day"])
    overlap = a["answer"].shift(-1) < a["answer"] + a["handle"] - 1e-9
    assert not (same & overlap).any()
    assert a["agent"].nunique() == max(STAFFING)


def test_replayed_agents_rest_their_not_ready_time():
    """With agents not ready for 20 s after each call, no replayed agent starts a call
    before the previous one's handle time and not-ready time are over (and some start
    exactly then: the agent was free at once for a waiting caller)."""
    sc = _known({"distribution": "exponential", "mean": PATIENCE})
    sc["agents"]["team"]["not_ready"] = {"distribution": "exponential", "mean": 20.0}
    res = simulate(parse_scenario(sc), 3, 4)
    calls = res.calls.assign(agent=agent_ids(res))
    a = calls[calls["outcome"] == "answered"].sort_values(["replication", "agent", "answer_s"])
    same = (a["agent"].shift(-1) == a["agent"]) & (a["replication"].shift(-1) == a["replication"])
    free = a["answer_s"] + a["handle_s"] + a["not_ready_s"]
    gap = (a["answer_s"].shift(-1) - free)[same]
    assert gap.min() > -1e-6
    assert (gap.abs() < 1e-6).mean() > 0.3


def _log(rows: list[dict]) -> pd.DataFrame:
    calls = pd.DataFrame(rows)
    calls["day"] = pd.Timestamp("2024-01-07")
    calls["queue"] = calls.get("queue", "q")
    calls["priority"] = calls.get("priority", 0)
    return finish(calls)


def test_presence_and_not_ready_by_hand():
    """Agent A serves 08:00-08:05 and 08:06-08:10 (a 60 s gap while a caller waited:
    not ready), then 08:40-08:45 (a 30-minute gap: time away). Agent B serves
    08:00-08:20. Presence 08:00-08:10, 08:40-08:45 and 08:00-08:20: 35 agent-minutes,
    0.5833 agents over the hour; not ready 60 s."""
    t0 = 8 * 3600.0

    def call(agent, start, minutes, wait=0.0):
        return {
            "arrival": t0 + start - wait,
            "outcome": "answered",
            "wait": wait,
            "answer": t0 + start,
            "talk": minutes * 60.0,
            "agent": agent,
        }

    calls = _log(
        [
            call("A", 0, 5),
            call("A", 360, 4, wait=90),  # waiting from 08:04:30 to 08:06
            call("A", 2400, 5),
            call("B", 0, 20),
        ]
    )
    grid = Grid(60, t0, 1)
    a = estimate_agents(calls, [pd.Timestamp("2024-01-07")], grid)
    assert a.present[0, 0] == pytest.approx(35 / 60)
    assert a.not_ready.tolist() == [60.0]
    assert a.served[0, 0] == 2
    assert a.not_ready_share[0, 0] == pytest.approx(60 / (35 * 60))


def test_head_start_is_found_where_the_rule_decides():
    """Priority callers taken while a regular caller had waited up to 60 s longer, and
    regular ones when they had waited 100 s longer or more: a head start in (60, 100]."""
    t0 = 10 * 3600.0
    rows = []
    for i, lead in enumerate([10, 30, 60, 100, 120, 150]):
        at = t0 + 1000 * i
        high_first = lead <= 60
        regular = {"arrival": at, "priority": 0, "outcome": "answered"}
        high = {"arrival": at + lead, "priority": 2, "outcome": "answered"}
        first, second = (high, regular) if high_first else (regular, high)
        first |= {"answer": at + 200, "talk": 100.0}
        second |= {"answer": at + 300, "talk": 100.0}
        for r in (first, second):
            r["wait"] = r["answer"] - r["arrival"]
            r["agent"] = "A"
        rows += [first, second]
    hs = estimate_head_start(_log(rows))
    assert hs is not None
    assert 60 < hs.seconds <= 100
    assert hs.agreement == 1.0
    assert hs.decisions == 6  # the first answer of each pair; then only one waits


def test_overdispersion_is_measured_and_material():
    """Days drawn with a gamma busyness factor of cv 0.2 at 1,000 calls: the estimated
    cv's 95% CI holds 0.2 (fixed seed) and the dispersion test rejects Poisson."""
    rng = np.random.default_rng(5)
    factor = rng.gamma(25, 1 / 25, size=40)
    per_day = rng.poisson(np.outer(factor, [400, 600]))
    v = estimate_volumes(per_day.astype(float))
    assert v.material
    assert v.busyness_cv.low < 0.2 < v.busyness_cv.high
    poisson = estimate_volumes(rng.poisson([400.0, 600.0], size=(40, 2)).astype(float))
    assert not poisson.material


def test_calibrate_cli_writes_a_scenario_and_report(tmp_path, round_trip):
    log, _ = round_trip
    path = tmp_path / "calls.csv"
    log.calls[log.calls["day"].isin(log.days[:5])].to_csv(path, index=False)  # 5 days
    out = tmp_path / "cal.yaml"
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    sc = parse_scenario(yaml.safe_load(out.read_text()))
    assert sc.service_level.seconds == 20 and sc.service_level.target == 0.8
    report = tmp_path / "cal_calibration"
    assert {p.name for p in report.iterdir()} == {
        "calibration.json",
        "calibration.png",
        "calibration.html",
        ".callsim-manifest.json",
    }


def test_erlang_a_patience_is_the_hazard_matched_mean():
    """Exponential: its mean. Empirical [10, 100, 1000] s over 180 s: waited 10 + 100 +
    180 = 290 s for 2 abandons, 145 s. Lognormal mean 1,885 s, median 281 s: within 1%
    of 1,000,000 draws' seconds waited ÷ abandons (fixed seed), and far below 1,885."""
    from simulator.model.load import parse_scenario as parse
    from simulator.planner.predict import hazard_matched_mean

    def dist(d: dict):
        sc = _known(d)
        return parse(sc).queues["calls"].patience

    assert hazard_matched_mean(dist({"distribution": "exponential", "mean": 240})) == 240
    empirical = dist({"distribution": "empirical", "values": [10, 100, 1000]})
    assert hazard_matched_mean(empirical) == pytest.approx(145.0)
    cv = float(np.sqrt((1885 / 281) ** 2 - 1))
    heavy = dist({"distribution": "lognormal", "mean": 1885, "cv": cv})
    draws = heavy.draw(np.random.default_rng(1), 1_000_000)
    ratio = np.minimum(draws, 180).sum() / (draws <= 180).sum()
    assert hazard_matched_mean(heavy) == pytest.approx(ratio, rel=0.01)
    assert hazard_matched_mean(heavy) < 0.25 * 1885


def test_run_out_then_calibrate_gives_the_staffing_back(tmp_path):
    """`callsim run --out` then `callsim calibrate calls.csv`: the quarter-hour staffing
    written is the simulated one, but for the first quarter (agents log on idle)."""
    path = tmp_path / "known.yaml"
    sc = _known({"distribution": "exponential", "mean": PATIENCE})
    sc["simulation"] = {"replications": 10, "seed": 2}
    path.write_text(yaml.safe_dump(sc))
    run = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "run"), "-q"])
    assert run.exit_code == 0, run.output
    out = tmp_path / "cal.yaml"
    result = CliRunner().invoke(
        app, ["calibrate", str(tmp_path / "run" / "calls.csv"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    staffing = yaml.safe_load(out.read_text())["agents"]["agents"]["staffing"]
    quarters = list(np.repeat(STAFFING, 4))
    assert staffing[1:] == quarters[1:]
    assert abs(staffing[0] - quarters[0]) <= 1
