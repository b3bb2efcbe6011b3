"""Simulating a horizon: each day a stretch of its own with its own streams, 24/7 runs
carrying calls over midnight, the same numbers whatever the engine or executor, and
every KPI in range in every interval of a week."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import parse_scenario, simulate, to_dict
from simulator.kpi.compute import all_kpis, time_in_intervals
from simulator.kpi.stats import confidence
from simulator.run.horizon import stretch_runs
from simulator.sim.engine import simulate_day

HANDLE = {"distribution": "exponential", "mean": 180}
PATIENCE = {"distribution": "exponential", "mean": 120}


def horizon_scenario(horizon: dict, volumes: list[float], staffing: list[int], **extra):
    return parse_scenario(
        {
            "name": "horizon",
            "interval_minutes": 60,
            "open": extra.pop("open", "08:00"),
            "service_level": {"seconds": 20, "target": 0.8},
            "horizon": horizon,
            "queues": {
                "a": {"volumes": volumes, "handle_time": HANDLE, "patience": PATIENCE},
                "b": {"volumes": [v / 2 for v in volumes], "handle_time": HANDLE},
            },
            "agents": {
                "g": {"skills": ["a", "b"], "staffing": staffing, "cost_per_hour": 20},
            },
            **extra,
        }
    )


def two_days(days: int = 2, **extra):
    return horizon_scenario(
        {"start": "2026-12-07", "days": days, "close": "11:00"},
        [40.0, 60.0, 50.0] * days,
        [4, 5, 5] * days,
        arrivals={"busyness_cv": 0.1},
        **extra,
    )


def test_each_day_is_the_day_simulated_alone_with_its_own_streams():
    """Per-day and per-interval KPIs of a 2-day horizon with a closed night are, to the
    last bit, those of each day simulated alone as a one-day scenario (its volumes
    scaled by the day's busyness factor) with that day's seed."""
    sc = two_days()
    res = simulate(sc, 3, seed=5, workers=1, engine="simpy")
    seeds = np.random.SeedSequence(5).spawn(3)
    for r, seed in enumerate(seeds):
        runs = stretch_runs(sc, seed)
        assert [run.scenario.horizon for run in runs] == [None, None]
        for d, run in enumerate(runs):
            center, _ = all_kpis(run.scenario, simulate_day(run.scenario, run.seed))
            for kpi, value in center.day.items():
                np.testing.assert_array_equal(res.daily_samples[kpi][r, d], value, err_msg=kpi)
            for kpi, values in center.intervals.items():
                got = res.interval_samples[kpi][r, 3 * d : 3 * d + 3]
                np.testing.assert_array_equal(got, values, err_msg=kpi)
    # the days differ (own streams, own busyness factor), and counts add up to the horizon
    assert not np.array_equal(
        res.daily_samples["offered"][:, 0], res.daily_samples["offered"][:, 1]
    )
    np.testing.assert_array_equal(
        res.daily_samples["offered"].sum(axis=1), res.day_samples["offered"]
    )


def test_adding_a_day_leaves_the_other_days_unchanged():
    two, three = (simulate(two_days(n), 4, seed=2, workers=1) for n in (2, 3))
    for kpi, samples in two.daily_samples.items():
        np.testing.assert_array_equal(samples, three.daily_samples[kpi][:, :2], err_msg=kpi)


@pytest.mark.parametrize(
    "kw", [{"engine": "fast"}, {"engine": "simpy", "workers": 2}, {"engine": "auto"}]
)
def test_same_seed_same_output_whatever_the_engine_or_workers(kw):
    sc = two_days()
    reference = to_dict(simulate(sc, 3, seed=9, workers=1, engine="simpy"))
    assert to_dict(simulate(sc, 3, seed=9, **kw)) == reference


def midnight(horizon: dict):
    """24/7, hourly: 10 calls offered Mon 23:00 and nobody logged in until Tue 00:00,
    then 20 agents; callers never hang up (queue b only)."""
    volumes = [0.0] * 48
    volumes[23] = 20.0  # queue b gets half: 10 calls on average
    staffing = [0] * 24 + [20] * 24
    return horizon_scenario(horizon, volumes, staffing, open="00:00")


def test_24_7_calls_waiting_at_midnight_are_answered_after_it_in_their_interval():
    sc = midnight({"start": "2026-12-07", "days": 2, "always_open": True})
    res = simulate(sc, 4, seed=3, workers=1)
    calls = res.calls
    b = calls[calls["queue"] == "b"]
    assert len(b) > 0 and (b["interval"] == 23).all()
    assert (b["outcome"] == "answered").all()
    np.testing.assert_array_equal(b["answer_s"], 86_400.0)  # the agents log on at midnight
    np.testing.assert_allclose(b["wait_s"], 86_400.0 - b["arrival_s"])
    offered = res.interval_samples["offered"]
    answered = res.interval_samples["answered"]
    assert offered[:, 23].sum() > 0 and offered[:, 24:].sum() == 0
    # counted where they arrived: Mon 23:00 answers every call answered at midnight
    done = calls[calls["outcome"] == "answered"]
    assert (done["answer_s"] == 86_400.0).all() and (done["interval"] == 23).all()
    per_rep = done.groupby("replication").size().reindex(range(4), fill_value=0).to_numpy()
    np.testing.assert_array_equal(answered[:, 23], per_rep)
    np.testing.assert_array_equal(answered[:, 24:], 0)
    # Mon 23:00 queues for the whole interval's remainder; nobody waits after midnight
    assert (res.interval_samples["avg_queue"][:, 23] > 0).all()
    np.testing.assert_array_equal(res.interval_samples["avg_queue"][:, 24], 0.0)
    assert res.labels[23] == "Mon 12-07 23:00" and res.labels[24] == "Tue 12-08 00:00"


def test_a_gap_in_the_dates_ends_the_run_and_callers_left_waiting_abandon():
    sc = midnight({"dates": ["2026-12-07", "2026-12-09"], "always_open": True})
    res = simulate(sc, 4, seed=3, workers=1)
    b = res.calls[res.calls["queue"] == "b"]
    assert len(b) > 0 and (b["outcome"] == "abandoned").all()  # Wed starts empty
    assert np.isnan(b["answer_s"]).all()


def check_every_interval(res):
    """Every interval of every replication: conservation and KPIs in range; every CI
    inside the KPI's range and around its mean."""
    s = res.interval_samples
    np.testing.assert_array_equal(s["offered"], s["answered"] + s["abandoned"] + s["blocked"])
    np.testing.assert_array_equal(s["accepted"], s["offered"] - s["blocked"])
    for kpi in ("service_level", "abandon_rate", "blocked_rate", "occupancy", "fcr"):
        v = s[kpi][~np.isnan(s[kpi])]
        assert ((v >= 0) & (v <= 1)).all(), kpi
    for kpi in ("asa", "aht", "avg_queue", "agents", "longest_wait", "cost"):
        v = s[kpi][~np.isnan(s[kpi])]
        assert (v >= 0).all(), kpi
    closed = s["agents"] == 0
    assert np.isnan(s["occupancy"][closed]).all()
    for kpi, samples in s.items():
        ci = confidence(samples, kpi=kpi)
        ok = ~np.isnan(ci.low)
        assert (ci.low[ok] <= ci.mean[ok]).all() and (ci.mean[ok] <= ci.high[ok]).all(), kpi
        if kpi in ("service_level", "abandon_rate", "occupancy"):
            assert (ci.low[ok] >= 0).all() and (ci.high[ok] <= 1).all(), kpi
    for kpi in ("offered", "answered", "abandoned"):  # days add up to the horizon
        np.testing.assert_array_equal(res.daily_samples[kpi].sum(axis=1), res.day_samples[kpi])


def test_every_interval_of_the_shipped_week_with_closed_nights_stays_in_range():
    from simulator import load_scenario

    res = simulate(load_scenario("scenarios/week.yaml"), 4, workers=1)
    assert res.scenario.n_intervals == 148 and len(res.reported_days) == 7
    check_every_interval(res)
    # its header's claim, at its seed: Monday misses 80/20 (every interval from 09:00 to
    # 14:00), while every other day meets it
    daily = res.daily_samples["service_level"].mean(axis=0)
    assert daily[0] < 0.8 and (daily[1:] > 0.8).all(), daily
    peak = res.interval_samples["service_level"][:, 2:12].mean(axis=0)  # Mon 09:00-13:30
    assert (peak < 0.8).all(), peak


def test_every_interval_of_the_shipped_24_7_week_stays_in_range():
    from simulator import load_scenario

    res = simulate(load_scenario("scenarios/week_247.yaml"), 3, workers=1)
    assert res.scenario.n_intervals == 336 and res.labels[48] == "Tue 12-08 00:00"
    check_every_interval(res)
    calls = res.calls
    ans = calls[calls["outcome"] == "answered"]
    across = ans["answer_s"] // 86_400 < (ans["answer_s"] + ans["handle_s"]) // 86_400
    assert across.sum() > 0  # one run: calls taken before midnight are handled past it


def test_time_in_intervals_on_a_week_clock_is_exact_at_each_edge():
    """Spans late in a week: each interval's part is measured from its own edge, never
    negative, and an interval after every span's end gets exactly nothing."""
    length = 1800.0  # interval 333 is [599,400, 601,200), 334 is [601,200, 603,000)
    start = np.array([600_000.3, 601_000.0, 598_500.25])
    duration = np.array([1_199.7, 1_000.0, 300.0])  # the first ends on the edge 601,200
    got = time_in_intervals(start, duration, 336, length, np.array([7.0, 3.0, 2.0]))
    assert (got >= 0).all()
    np.testing.assert_allclose(got[332], 2 * 300.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got[333], 7 * 1_199.7 + 3 * 200.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got[334], 3 * 800.0, rtol=0, atol=1e-9)
    assert (got[335:] == 0).all() and (got[:332] == 0).all()


def test_occupancy_of_an_interval_with_no_logged_in_time_is_undefined():
    """A residue of agent time (below a microsecond) is not an occupancy: the issue
    printed -1600% from such a ratio."""
    from simulator.kpi.compute import _kpis

    zero = np.zeros(2)
    tally = {
        key: zero
        for key in ("offered", "blocked", "answered", "abandoned", "in_sl", "wait_sum")
        + ("handle_sum", "transferred", "escalated", "first_contact", "customers", "calls")
        + ("longest_wait", "queue_time", "cost")
    }
    tally |= {"busy": np.array([-1.6e-7, 900.0]), "login": np.array([1e-8, 1800.0])}
    occupancy = _kpis(tally, 1800.0)["occupancy"]
    assert np.isnan(occupancy[0]) and occupancy[1] == 0.5


def test_reports_label_each_interval_and_day_of_the_week(tmp_path):
    """Terminal, JSON, CSV and page name the days; a file without a horizon says none."""
    from typer.testing import CliRunner

    from simulator.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["run", "scenarios/week.yaml", "-r", "2", "--columns", "offered"])
    assert out.exit_code == 0, out.output
    assert "the week (2 replications" in out.output and "Per day" in out.output
    assert "Mon 12-07 08:00" in out.output and "Sun 12-13 15:30" in out.output
    d = to_dict(simulate(two_days(), 2, seed=1, workers=1))
    assert [(r["date"], r["label"]) for r in d["intervals"][2:4]] == [
        ("2026-12-07", "Mon 12-07 10:00"),
        ("2026-12-08", "Tue 12-08 08:00"),
    ]
    assert [(x["label"], x["first"], x["stop"]) for x in d["days"]] == [
        ("Mon 12-07", 0, 3),
        ("Tue 12-08", 3, 6),
    ]
    assert d["days"][1]["offered"]["mean"] == pytest.approx(
        np.mean([sum(r["offered"]["mean"] for r in d["intervals"][3:])]), rel=1e-9
    )
    assert set(d["days"][0]["queues"]) == {"a", "b"}
    plain = to_dict(simulate(parse_scenario({**_plain_day()}), 2, seed=1, workers=1))
    assert "days" not in plain and "date" not in plain["intervals"][0]
    from simulator.report.pages import write_run

    res = simulate(two_days(), 2, seed=1, workers=1)
    names = [p.name for p in write_run(res, tmp_path)]
    assert names[:3] == ["summary.csv", "intervals.csv", "days.csv"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "The 2 days" in page and "Per day" in page and "Tue 12-08 09:00" in page
    days = (tmp_path / "days.csv").read_text(encoding="utf-8").splitlines()
    assert days[0] == "day,date,label,kpi,unit,mean,ci95_low,ci95_high"
    assert days[1].startswith("0,2026-12-07,Mon 12-07,offered,calls,")


def _plain_day() -> dict:
    return {
        "name": "one day",
        "interval_minutes": 60,
        "open": "08:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "queues": {"a": {"volumes": [40.0, 60.0], "handle_time": HANDLE}},
        "agents": {"g": {"skills": ["a"], "staffing": [4, 5]}},
    }


def test_cli_page_lists_the_keys_a_horizon_adds():
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs/reference/cli.md").read_text()
    section = page.split("## `callsim run --json` of a horizon\n", 1)[1].split("\n## ", 1)[0]
    d = to_dict(simulate(two_days(), 2, seed=1, workers=1))
    plain = to_dict(simulate(parse_scenario(_plain_day()), 2, seed=1, workers=1))
    assert re.findall(r"^\| `(\w+)` \|", section, flags=re.M) == [k for k in d if k not in plain]
    for key in ("date", "label", "first", "stop", "queues"):
        assert f"`{key}`" in section or f"`{key}`" in page
