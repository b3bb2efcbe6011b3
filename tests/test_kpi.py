"""Tests for simulator.kpi: conservation, every KPI formula by hand, Student-t intervals.

Conservation (docs/reference/kpis.md): offered = answered + abandoned + blocked in every interval
of every replication, whatever the scenario does (lines, patience, an interval with no
agents, warm-up, transfers and redials). The per-call records and the interval KPIs
are counted independently and must agree.

Formulas: a day of six calls, built by hand, whose KPIs are worked out in the
comments exactly as docs/reference/kpis.md defines them.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import exponential, group, queue, scenario, single_queue
from scipy import stats

from simulator.kpi.compute import _interval, day_kpis, time_in_intervals
from simulator.kpi.stats import confidence
from simulator.model.load import parse_scenario
from simulator.run.runner import simulate
from simulator.sim.records import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    COLUMNS,
    NEXT_ESCALATION,
    NEXT_NONE,
    NEXT_TRANSFER,
    DayRecords,
)

# ------------------------------------------------------------------- conservation

CONSERVATION = {
    "lines_and_patience": single_queue(
        [150] * 4, [14] * 4, patience=exponential(120), lines=17, interval_minutes=30
    ),
    # no agents in two intervals, and none in the last: its callers are never answered
    "staffing_drops_to_zero": single_queue([60] * 4, [6, 0, 8, 0], interval_minutes=30),
    "impatient_with_a_gap": single_queue(
        [60] * 4, [6, 0, 8, 6], patience=exponential(300), interval_minutes=30
    ),
    "warm_up": single_queue(
        [40] * 6, [9] * 6, patience=exponential(90), lines=12, interval_minutes=15, warmup=2
    ),
    "transfers_escalation_redial": scenario(
        {
            "sales": queue(
                [50] * 4,
                patience=exponential(200),
                transfers={"support": 0.2},
                escalation={"to": "expert", "probability": 0.1},
                redial={"probability": 0.5, "delay": exponential(300)},
            ),
            "support": queue([30] * 4, patience=exponential(200)),
            "expert": queue([0] * 4, handle=exponential(400)),
        },
        {
            "front": group(["sales", "support"], [7] * 4),
            "back": group(["expert", "support"], [2] * 4),
        },
        lines=15,
        interval_minutes=30,
        warmup=1,
    ),
}

OUTCOME_KPIS = ("answered", "abandoned", "blocked")


@pytest.fixture(scope="module", params=list(CONSERVATION))
def result(request):
    return simulate(parse_scenario(CONSERVATION[request.param]), replications=3, seed=5)


def test_offered_is_answered_plus_abandoned_plus_blocked_in_every_interval(result):
    s = result.interval_samples
    reps, shown = s["offered"].shape
    assert (reps, shown) == (
        3,
        result.scenario.n_intervals - result.scenario.simulation.warmup_intervals,
    )
    np.testing.assert_array_equal(s["offered"], s["answered"] + s["abandoned"] + s["blocked"])
    np.testing.assert_array_equal(s["accepted"], s["offered"] - s["blocked"])
    for kpi in ("offered",) + OUTCOME_KPIS:
        np.testing.assert_array_equal(result.day_samples[kpi], s[kpi].sum(axis=1))


def test_per_call_records_agree_with_the_interval_counts(result):
    calls = result.calls
    assert set(calls["outcome"]) <= set(OUTCOME_KPIS)
    skip = result.scenario.simulation.warmup_intervals
    n = result.scenario.n_intervals
    shown = calls[calls["interval"] >= skip]
    counts = (
        shown.groupby(["replication", "interval", "outcome"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(OUTCOME_KPIS), fill_value=0)
    )
    grid = [(r, i) for r in range(result.replications) for i in range(skip, n)]
    counts = counts.reindex(grid, fill_value=0)
    for kpi in OUTCOME_KPIS:
        expected = counts[kpi].to_numpy().reshape(result.replications, n - skip)
        np.testing.assert_array_equal(result.interval_samples[kpi], expected, err_msg=kpi)
    offered = counts.sum(axis=1).to_numpy().reshape(result.replications, n - skip)
    np.testing.assert_array_equal(result.interval_samples["offered"], offered)


def test_each_queue_s_figures_are_its_own_calls_and_add_up_to_the_centre(result):
    """The one-pass per-queue tallies against the records counted queue by queue."""
    calls = result.calls
    skip = result.scenario.simulation.warmup_intervals
    n = result.scenario.n_intervals
    for name, samples in result.queue_interval_samples.items():
        mine = calls[(calls["queue"] == name) & (calls["interval"] >= skip)]
        for kpi, outcome in (("offered", None), ("answered", "answered"), ("blocked", "blocked")):
            chosen = mine if outcome is None else mine[mine["outcome"] == outcome]
            expected = np.zeros((result.replications, n - skip), int)
            np.add.at(expected, (chosen["replication"], chosen["interval"] - skip), 1)
            np.testing.assert_array_equal(samples[kpi], expected, err_msg=f"{name} {kpi}")
        ans = mine[mine["outcome"] == "answered"]
        wait = ans.groupby("replication")["wait_s"].sum().reindex(range(3), fill_value=0)
        count = ans.groupby("replication").size().reindex(range(3), fill_value=0)
        np.testing.assert_allclose(
            result.queue_samples[name]["asa"], wait / count, rtol=1e-12, err_msg=name
        )
    for kpi in ("offered", "answered", "abandoned", "blocked", "calls", "customers"):
        total = sum(q[kpi] for q in result.queue_interval_samples.values())
        np.testing.assert_array_equal(total, result.interval_samples[kpi], err_msg=kpi)


def test_each_call_has_one_consistent_fate(result):
    calls = result.calls
    answered = calls[calls["outcome"] == "answered"]
    lost = calls[calls["outcome"] != "answered"]
    np.testing.assert_allclose(answered["answer_s"], answered["arrival_s"] + answered["wait_s"])
    assert (answered["handle_s"] > 0).all()
    assert lost["answer_s"].isna().all() and (lost["handle_s"] == 0).all()
    assert (calls.loc[calls["outcome"] == "blocked", "wait_s"] == 0).all()
    assert (calls["wait_s"] >= 0).all()


# ----------------------------------------------------------------- KPIs by hand

LENGTH = 900.0  # 15-minute intervals
COST_PER_HOUR = 36  # 0.01 per agent-second


def hand_day(rows: list[dict], agent_log: list[tuple[float, int, int]]) -> DayRecords:
    """DayRecords from a few calls; unnamed columns take a plain first-call default."""
    default = {
        "attempt": 1,
        "segment": 1,
        "queue": 0,
        "group": 0,
        "start": np.nan,
        "handle": 0.0,
        "next": NEXT_NONE,
        "callback": False,
        "unresolved": False,
        "not_ready": 0.0,
    }
    rows = [default | {"customer": i} | r for i, r in enumerate(rows)]
    for r in rows:
        r.setdefault("talk", r["handle"])  # no after-call work unless given
        if r["outcome"] != ANSWERED:
            r["group"] = -1
    calls = {k: np.array([r[k] for r in rows], dtype=t) for k, t in COLUMNS.items()}
    calls["interval"] = np.minimum(calls["arrival"] // LENGTH, 1).astype(np.int32)
    return DayRecords(calls, np.array(agent_log, dtype=float))


def answered(arrival, wait, handle, **extra):
    return {
        "arrival": arrival,
        "outcome": ANSWERED,
        "wait": wait,
        "start": arrival + wait,
        "handle": handle,
    } | extra


def lost(arrival, outcome, wait=0.0):
    return {"arrival": arrival, "outcome": outcome, "wait": wait}


# Two 15-minute intervals (0-900 s, 900-1800 s); service level 80/20.
SIX_CALLS = [
    answered(100, 20, 200, talk=150),  # wait exactly T: within; 50 s after-call work
    answered(200, 30, 800),  # busy 230-1030 s: 670 s in 1st, 130 s in 2nd
    lost(300, ABANDONED, 15),  # hung up before T: still a miss
    lost(400, BLOCKED),  # busy signal: offered, not accepted
    lost(880, ABANDONED, 60),  # waited 880-940 s: 20 s in 1st, 40 s in 2nd
    answered(1000, 5, 100),
]
AGENT_LOG = [(0.0, 0, 2), (1350.0, 0, 1)]  # 2 agents, 1 from 1350 s (mid 2nd interval)

FIRST = {  # calls 1-5
    "offered": 5,
    "blocked": 1,
    "blocked_rate": 1 / 5,
    "accepted": 4,
    "answered": 2,
    "abandoned": 2,
    "abandon_rate": 2 / 4,
    "service_level": 1 / 4,
    "asa": (20 + 30) / 2,
    "aht": (200 + 800) / 2,
    "occupancy": (200 + 670) / (2 * 900),
    "longest_wait": 60,
    "avg_queue": (20 + 30 + 15 + 20) / 900,
    "agents": 2,
    "cost_per_call": 2 * 900 * 0.01 / 2,
}
SECOND = {  # call 6, plus the tails of calls 2 and 5
    "offered": 1,
    "blocked": 0,
    "blocked_rate": 0,
    "accepted": 1,
    "answered": 1,
    "abandoned": 0,
    "abandon_rate": 0,
    "service_level": 1,
    "asa": 5,
    "aht": 100,
    "occupancy": (130 + 100) / (2 * 450 + 450),
    "longest_wait": 5,
    "avg_queue": (40 + 5) / 900,
    "agents": (2 * 450 + 450) / 900,
    "cost_per_call": 1350 * 0.01 / 1,
}
DAY = {
    "offered": 6,
    "blocked": 1,
    "blocked_rate": 1 / 6,
    "accepted": 5,
    "answered": 3,
    "abandoned": 2,
    "abandon_rate": 2 / 5,
    "service_level": 2 / 5,
    "asa": (20 + 30 + 5) / 3,
    "aht": (200 + 800 + 100) / 3,
    "occupancy": (870 + 230) / (1800 + 1350),
    "longest_wait": 60,
    "avg_queue": (85 + 45) / 1800,
    "agents": (1800 + 1350) / 1800,
    "cost_per_call": (1800 + 1350) * 0.01 / 3,
}


def two_intervals(warmup: int = 0):
    return parse_scenario(
        scenario(
            {"q": queue([0, 0])},
            {"team": group(["q"], [2, 1], cost_per_hour=COST_PER_HOUR)},
            interval_minutes=15,
            warmup=warmup,
        )
    )


def test_kpis_of_a_hand_built_day_follow_the_product_definitions():
    per_interval, day = day_kpis(two_intervals(), hand_day(SIX_CALLS, AGENT_LOG))
    for k, first in FIRST.items():
        assert per_interval[k] == pytest.approx([first, SECOND[k]], rel=1e-12), k
        assert day[k] == pytest.approx(DAY[k], rel=1e-12), k


def test_warm_up_intervals_are_left_out_of_intervals_and_day():
    per_interval, day = day_kpis(two_intervals(warmup=1), hand_day(SIX_CALLS, AGENT_LOG))
    for k, second in SECOND.items():
        assert per_interval[k] == pytest.approx([second], rel=1e-12), k
        assert day[k] == pytest.approx(second, rel=1e-12), k


def test_not_ready_time_is_logged_in_but_not_busy_by_hand():
    """Not-ready time after calls (a group's `not_ready`) is the agents' logged-in time
    (from the agent log), not busy time: the same six calls with 300 s and 500 s of
    not-ready after the first two keep every figure, occupancy (200 + 670) / (2 x 900)
    included."""
    rows = [dict(r) for r in SIX_CALLS]
    rows[0]["not_ready"], rows[1]["not_ready"] = 300.0, 500.0
    per_interval, day = day_kpis(two_intervals(), hand_day(rows, AGENT_LOG))
    for k, first in FIRST.items():
        assert per_interval[k] == pytest.approx([first, SECOND[k]], rel=1e-12), k
        assert day[k] == pytest.approx(DAY[k], rel=1e-12), k


def test_transfer_escalation_and_first_contact_resolution_by_hand():
    transfer, escalation = {"next": NEXT_TRANSFER}, {"next": NEXT_ESCALATION}
    rows = [
        answered(100, 0, 60, customer=0, **transfer),  # transferred...
        answered(160, 0, 60, customer=0, segment=2),  # ...and served: not FCR
        answered(200, 0, 60, customer=1, **escalation),  # escalated: not FCR
        answered(260, 0, 60, customer=1, segment=2),
        answered(300, 0, 60, customer=2, unresolved=True),  # will call again: not FCR
        answered(400, 0, 60, customer=3),  # resolved first time: FCR
        lost(500, BLOCKED) | {"customer": 4},  # never served: not FCR
    ]
    _, day = day_kpis(two_intervals(), hand_day(rows, AGENT_LOG))
    assert day["transfer_rate"] == pytest.approx(1 / 6)  # of 6 answered segments
    assert day["escalation_rate"] == pytest.approx(1 / 6)
    assert day["fcr"] == pytest.approx(1 / 5)  # of 5 customers


# ------------------------------------------------------------- confidence intervals


def test_time_in_intervals_by_hand():
    """Three 10 s intervals: [0, 10) all in the first; [5, 25) 5 + 10 + 5; [25, inf)
    5 s in the last (the rest is after the day); [30, 40) none; with weights 1, 2, 3, 4."""
    start, duration = np.array([0.0, 5, 25, 30]), np.array([10.0, 20, np.inf, 10])
    np.testing.assert_array_equal(time_in_intervals(start, duration, 3, 10.0), [15, 10, 10])
    weighted = time_in_intervals(start, duration, 3, 10.0, np.array([1.0, 2, 3, 4]))
    np.testing.assert_array_equal(weighted, [10 + 10, 20, 10 + 15])
    by_key = time_in_intervals(start, duration, 3, 10.0, None, np.array([1, 0, 1, 0]), 2)
    np.testing.assert_array_equal(by_key, [[5, 10, 5], [10, 0, 5]])


def test_interval_of_a_point_is_numpys_floor_division_where_the_quotient_rounds_up():
    """1.0 / 0.1 rounds to 10.0, yet 1.0 // 0.1 is 9 (0.1 is stored a little above a
    tenth): a point is counted in interval points // length, as the engines' interval
    column, even where the rounded quotient's floor says otherwise; at or after the
    end of the day: n."""
    assert 1.0 / 0.1 == 10 and 1.0 // 0.1 == 9
    points = np.array([1.0, 0.7, 0.3, 0.25, 0.0, 1.2, 5.0, np.nan])
    np.testing.assert_array_equal(_interval(points, 12, 0.1), [9, 6, 2, 2, 0, 11, 12, 12])
    assert np.all(_interval(points[:-1], 12, 0.1)[:-1] == points[:-2] // 0.1)


def sorted_time_in_intervals(start, duration, n, length, weight):
    """The former sort-based formula, F(edge) = W(points < edge) x edge - M(points < edge)."""
    edges = np.arange(n + 1) * length
    end = np.minimum(start + duration, edges[-1])

    def ahead(points):
        order = np.argsort(points, kind="stable")
        p, pw = points[order], weight[order]
        weights = np.concatenate([[0.0], np.cumsum(pw)])
        moments = np.concatenate([[0.0], np.cumsum(pw * p)])
        k = np.searchsorted(p, edges, side="left")
        return weights[k] * edges - moments[k]

    return np.diff(ahead(np.minimum(start, edges[-1])) - ahead(end))


def test_time_in_intervals_agrees_with_the_sorted_formula():
    """Whole seconds: both exact, so equal to the bit. Fractional seconds: equal within
    1e-9 of an interval; the sorted formula subtracts cumulative moments of the order
    of calls x day length, so it carries a rounding error of that size x 1e-16."""
    rng = np.random.default_rng(3)
    start = rng.integers(0, 40_000, 5_000).astype(float)
    duration = rng.integers(0, 3_000, 5_000).astype(float)
    weight = rng.integers(1, 5, 5_000).astype(float)
    np.testing.assert_array_equal(
        time_in_intervals(start, duration, 20, 1800.0, weight),
        sorted_time_in_intervals(start, duration, 20, 1800.0, weight),
    )
    start, duration = rng.uniform(0, 40_000, 5_000), rng.exponential(300, 5_000)
    np.testing.assert_allclose(
        time_in_intervals(start, duration, 20, 1800.0, weight),
        sorted_time_in_intervals(start, duration, 20, 1800.0, weight),
        rtol=0,
        atol=1800 * 1e-9,
    )


def test_confidence_is_the_student_t_95_interval_of_scipy():
    x = np.random.default_rng(3).normal(10, 2, size=7)
    mean, low, high = confidence(x)
    expected = stats.t.interval(0.95, df=6, loc=x.mean(), scale=stats.sem(x))
    assert mean == pytest.approx(x.mean(), rel=1e-14)
    assert (low, high) == pytest.approx(expected, rel=1e-12)


def test_confidence_leaves_out_nan_days_column_by_column():
    x = np.random.default_rng(4).exponential(5, size=(9, 3))
    x[[1, 4], 0] = np.nan  # two days without calls in interval 0
    x[1:, 2] = np.nan  # only one valid day: no interval
    mean, low, high = confidence(x, axis=0)
    valid = x[~np.isnan(x[:, 0]), 0]
    expected = stats.t.interval(0.95, df=valid.size - 1, loc=valid.mean(), scale=stats.sem(valid))
    assert (mean[0], low[0], high[0]) == pytest.approx((valid.mean(), *expected))
    ref = stats.t.interval(0.95, df=8, loc=x[:, 1].mean(), scale=stats.sem(x[:, 1]))
    assert (low[1], high[1]) == pytest.approx(ref)
    assert mean[2] == x[0, 2] and np.isnan(low[2]) and np.isnan(high[2])


def test_confidence_of_identical_days_has_zero_width():
    assert confidence(np.full(5, 14.0)) == (14.0, 14.0, 14.0)
