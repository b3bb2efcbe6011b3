"""Tests for simulator.engine: exact queueing theory, routing rules, staffing changes.

Theory
------
Where a formula's assumptions hold (Poisson arrivals at a constant rate, exponential
handle times and patience, one FCFS queue, constant staffing) the simulator must
reproduce it. Each grid point simulates 40 (cheap Erlang C points: 120) independent
days of 12 one-hour intervals at constant load, drops the first 2 hours (warm-up),
and compares the exact value, computed here with `simulator.erlang`, with a 99.9%
Student-t confidence interval (t quantile 0.9995, days - 1 degrees of freedom) over
the days' KPIs.

*False alarms.* A correct engine fails one check with probability 0.1% (day KPIs are
ratios of 800 to 24,000 calls, close enough to normal over 40-120 days; Erlang C ASA
is the most skewed, hence its 120 days). There are N_CHECKS = 32 checks, so
the family-wise false-alarm rate is at most 32 x 0.1% = 3.2% (Bonferroni). Seeds are
fixed, so the suite is deterministic: 3.2% is the chance that merely changing the
random streams (another seed, another order of draws) makes a correct engine fail.

*Power.* A check passes only if its interval is also narrow: half-width at most
0.045 for service level and P(wait), 15% of the exact value for blocked and
abandon rates, 30% for ASA. And at every point, the theory for one agent fewer
(agents - 1) must fall outside the interval of at least one KPI: the tests can tell
n agents from n - 1, so a wrong engine would fail them.

*Bias.* The day starts empty. The slowest point relaxes with time constant about
aht / (sqrt(n) - sqrt(A))^2 <= 15 minutes, so two hours of warm-up leave e^-8 of the
initial bias. Calls arriving late are followed to their end with the same staffing,
and under FCFS a caller's fate depends only on those ahead, so the end of the day adds
none. A day's rate is a ratio of sums (e.g. answered within T / accepted), and the
mean of ratios differs from the ratio of means by O(1/calls per day). The test
measures that bias instead of assuming it away: the pooled estimate (days weighted by
their denominators, whose bias is REPS times smaller) must agree with the plain mean
within a quarter of the CI half-width. Observed: at most 7% of it.

Insensitivity: Erlang B blocking depends on the handle time only through its mean, so
deterministic and lognormal handle times must give the same blocking.

Routing and staffing rules are checked on the per-call records of small days.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest
from builders import (
    AHT,
    THRESHOLD,
    deterministic,
    exponential,
    group,
    queue,
    scenario,
    single_queue,
    steady,
)
from scipy import stats

from simulator.erlang import (
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
    mmnk_abandon,
)
from simulator.kpi.compute import day_kpis
from simulator.model.load import parse_scenario
from simulator.run.runner import simulate
from simulator.sim.engine import simulate_day
from simulator.sim.records import ABANDONED, ANSWERED, BLOCKED

REPS = 40  # independent days per grid point (some get more, see ERLANG_C)
INTERVALS = 12  # one-hour intervals per day
WARMUP = 2  # hours dropped from the start of each day
CONFIDENCE = 0.999  # per check
N_CHECKS = 32  # agreement checks in this module (see the docstring)

# Largest CI half-width that still makes a check sensitive: absolute for fractions
# near 0.2-0.9, relative to the exact value for rates and ASA.
ABSOLUTE = {"service_level": 0.045, "p_wait": 0.045}
RELATIVE = {"blocked_rate": 0.15, "abandon_rate": 0.15, "asa": 0.30}


# --------------------------------------------------------------------- theory grid

HANDLES = {
    "exponential": exponential(),
    "deterministic": deterministic(),
    "lognormal": {"distribution": "lognormal", "mean": AHT, "cv": 1.5},
}


@dataclass(frozen=True)
class Point:
    """One (load, agents) point of a model, and how to simulate it."""

    model: str  # erlang_c, erlang_b, erlang_a, mmnk
    load: float  # Erlangs
    agents: int
    lines: int | None = None
    patience: float | None = None  # mean seconds (exponential)
    handle: str = "exponential"  # a key of HANDLES, all with mean AHT
    reps: int = REPS

    def __str__(self) -> str:
        extra = "".join(
            [
                f" K={self.lines}" if self.lines and self.model == "mmnk" else "",
                f" patience={self.patience:g}s" if self.patience else "",
                f" {self.handle}" if self.handle != "exponential" else "",
            ]
        )
        return f"{self.model} A={self.load:g} n={self.agents}{extra}"

    def theory(self, agents: int) -> dict[str, float]:
        """Exact KPIs with `agents` agents (Erlang B keeps lines = agents)."""
        A, n, T = self.load, agents, THRESHOLD
        if self.model == "erlang_c":
            return {
                "service_level": erlang_c_service_level(A, n, AHT, T),
                "asa": erlang_c_asa(A, n, AHT),
                "p_wait": erlang_c(A, n),
            }
        if self.model == "erlang_b":
            return {"blocked_rate": erlang_b(A, n)}
        if self.model == "erlang_a":
            r = erlang_a(A, n, AHT, self.patience, T)
            return {"abandon_rate": r.abandon_rate, "service_level": r.service_level, "asa": r.asa}
        r = mmnk_abandon(A / AHT, 1 / AHT, n, self.lines, 1 / self.patience, T)
        return {
            "blocked_rate": r.blocking,
            "abandon_rate": r.abandon_rate,
            "service_level": r.service_level,
        }

    def scenario(self) -> dict:
        patience = exponential(self.patience) if self.patience else None
        return steady(
            self.load,
            self.agents,
            INTERVALS,
            lines=self.lines,
            patience=patience,
            handle=HANDLES[self.handle],
            warmup=WARMUP,
            replications=self.reps,
            seed=2024,
        )


# Erlang C waits are heavy-tailed (a rare bad hour dominates a day's ASA): the cheap
# points get more days.
ERLANG_C = [
    Point("erlang_c", 4, 6, reps=120),
    Point("erlang_c", 16, 20, reps=120),
    Point("erlang_c", 40, 46, reps=120),
    Point("erlang_c", 90, 100),
]
ERLANG_B = [
    Point("erlang_b", 5, 8, lines=8),
    Point("erlang_b", 20, 22, lines=22),
    Point("erlang_b", 100, 100, lines=100),
]
ERLANG_A = [
    Point("erlang_a", 10, 10, patience=300),
    Point("erlang_a", 22, 20, patience=120),
    Point("erlang_a", 100, 100, patience=180),
]
MMNK = [
    Point("mmnk", 10, 10, lines=14, patience=120),
    Point("mmnk", 50, 50, lines=60, patience=200),
]
INSENSITIVE = [
    Point("erlang_b", 20, 22, lines=22, handle="deterministic"),
    Point("erlang_b", 20, 22, lines=22, handle="lognormal"),
]
GRID = ERLANG_C + ERLANG_B + ERLANG_A + MMNK + INSENSITIVE


def ci(samples: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and two-sided Student-t interval of independent day figures."""
    x = np.asarray(samples, dtype=float)
    half = stats.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half)


def wait_probability(days, warmup: int) -> tuple[np.ndarray, np.ndarray]:
    """Per day: share of answered calls (after warm-up) that waited at all, and the
    number of those answered calls."""
    share, answered = [], []
    for day in days:
        c = day.calls
        ans = (c["interval"] >= warmup) & (c["outcome"] == ANSWERED)
        share.append(np.mean(c["wait"][ans] > 0))
        answered.append(ans.sum())
    return np.array(share), np.array(answered)


# Each rate's denominator (docs/reference/kpis.md): the day weights of the pooled estimate.
BASE = {
    "service_level": "accepted",
    "abandon_rate": "accepted",
    "asa": "answered",
    "blocked_rate": "offered",
}


@cache
def simulated(point: Point) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """KPI -> (day figures, their denominators), one per replication, for every KPI
    the point's theory gives."""
    res = simulate(parse_scenario(point.scenario()))
    samples = {
        k: (res.day_samples[k], res.day_samples[BASE[k]])
        for k in point.theory(point.agents)
        if k != "p_wait"
    }
    if point.model == "erlang_c":
        samples["p_wait"] = wait_probability(res.days, WARMUP)
    return samples


def comparison(point: Point) -> list[tuple[str, float, float, float, float, float]]:
    """Rows (kpi, exact, sim mean, ci low, ci high, pooled): theory vs simulation."""
    exact, sim = point.theory(point.agents), simulated(point)
    return [(k, exact[k], *ci(x), float(np.average(x, weights=w))) for k, (x, w) in sim.items()]


def check_against_theory(point: Point) -> None:
    """Exact value inside the 99.9% CI, CI narrow enough, ratio bias negligible,
    agents - 1 rejected."""
    wrong = point.theory(point.agents - 1)
    rejected = []
    for kpi, exact, mean, low, high, pooled in comparison(point):
        where = f"{point}: {kpi} exact {exact:.4f}, simulated {mean:.4f} [{low:.4f}, {high:.4f}]"
        assert low <= exact <= high, where
        half = (high - low) / 2
        limit = ABSOLUTE[kpi] if kpi in ABSOLUTE else RELATIVE[kpi] * exact
        assert half <= limit, f"{where}: too wide to be sensitive (limit ±{limit:.4f})"
        assert abs(mean - pooled) <= half / 4, f"{where}: ratio bias, pooled {pooled:.4f}"
        if not low <= wrong[kpi] <= high:
            rejected.append(kpi)
    assert rejected, f"{point}: the theory for {point.agents - 1} agents is not rejected"


@pytest.mark.parametrize("point", ERLANG_C, ids=str)
def test_service_level_asa_and_wait_probability_match_erlang_c(point):
    check_against_theory(point)


@pytest.mark.parametrize("point", ERLANG_B, ids=str)
def test_blocked_rate_matches_erlang_b(point):
    check_against_theory(point)


@pytest.mark.parametrize("point", ERLANG_A, ids=str)
def test_abandon_rate_service_level_and_asa_match_erlang_a(point):
    check_against_theory(point)


@pytest.mark.parametrize("point", MMNK, ids=str)
def test_blocked_abandon_and_service_level_match_mmnk_with_lines_and_patience(point):
    check_against_theory(point)


@pytest.mark.parametrize("point", INSENSITIVE, ids=str)
def test_erlang_b_blocking_is_insensitive_to_the_handle_time_distribution(point):
    check_against_theory(point)


def test_the_grid_has_the_stated_number_of_checks_and_a_point_with_100_agents():
    assert sum(len(p.theory(p.agents)) for p in GRID) == N_CHECKS
    assert max(p.agents for p in GRID) >= 100
    assert len({(p.load, p.agents) for p in GRID}) >= 6


# ------------------------------------------------------------------ routing rules


def days(d: dict, n: int, seed: int = 7):
    """Records of n independent days of scenario dict d."""
    sc = parse_scenario(d)
    return sc, [simulate_day(sc, s) for s in np.random.SeedSequence(seed).spawn(n)]


def test_an_arriving_call_goes_to_the_longest_idle_agent():
    # Two one-agent groups with the same skill; deterministic 100 s calls, light load,
    # so both agents are often idle when a call arrives.
    d = scenario(
        {"q": queue([12] * 8, deterministic(100))},
        {"first": group(["q"], [1] * 8), "second": group(["q"], [1] * 8)},
        interval_minutes=30,
    )
    _, records = days(d, 5)
    decisions, chosen_counts = 0, [0, 0]
    for day in records:
        c = day.calls
        ans = c["outcome"] == ANSWERED
        start, end, grp = c["start"][ans], c["start"][ans] + c["handle"][ans], c["group"][ans]
        for i in np.flatnonzero(c["wait"][ans] == 0):
            t = start[i]
            idle_since = {}
            for g in (0, 1):
                mine = (grp == g) & (np.arange(grp.size) != i)
                if np.any((start[mine] <= t) & (t < end[mine])):
                    continue  # busy at t
                done = end[mine][end[mine] <= t]
                idle_since[g] = done.max() if done.size else 0.0
            if len(idle_since) < 2 or idle_since[0] == idle_since[1]:
                continue  # no choice, or a tie (both idle since open)
            longest = min(idle_since, key=idle_since.get)
            assert grp[i] == longest, f"call at {t:.1f}s went to group {grp[i]}, {idle_since}"
            decisions += 1
            chosen_counts[longest] += 1
    assert decisions >= 50 and min(chosen_counts) >= 10, (decisions, chosen_counts)


def test_an_agent_takes_the_oldest_call_of_the_first_skill_before_the_second():
    # One group serving [a, b]; together overloaded, so both queues hold callers.
    d = scenario(
        {"a": queue([36] * 4), "b": queue([24] * 4)},
        {"both": group(["a", "b"], [3] * 4)},
        interval_minutes=30,
    )
    _, records = days(d, 3)
    b_taken_while_a_waits, b_from_queue = 0, 0
    for day in records:
        c = day.calls
        a = c["queue"] == 0
        a_arrival, a_start = c["arrival"][a], c["start"][a]
        from_b_queue = (c["queue"] == 1) & (c["outcome"] == ANSWERED) & (c["wait"] > 0)
        for s in c["start"][from_b_queue]:
            b_taken_while_a_waits += np.sum((a_arrival < s) & (a_start > s))
        b_from_queue += from_b_queue.sum()
        # the a-queue is served oldest first
        order = np.argsort(a_arrival)
        assert np.all(np.diff(a_start[order]) >= 0)
    assert b_taken_while_a_waits == 0
    assert b_from_queue >= 20  # b calls did wait and were then taken


def test_a_single_queue_is_answered_in_order_of_arrival():
    d = single_queue([90] * 4, [5] * 4, interval_minutes=60)  # 4.5 Erlangs, 5 agents
    _, records = days(d, 3)
    for day in records:
        c = day.calls
        assert np.all(c["outcome"] == ANSWERED)  # no patience, no lines
        order = np.argsort(c["arrival"])
        assert np.all(np.diff(c["start"][order]) >= 0)
        assert np.mean(c["wait"] > 0) > 0.3  # the queue was really used


# --------------------------------------------------------------- staffing changes


def test_an_agent_who_logs_off_finishes_the_call_in_hand():
    # One agent for the first half hour only; calls last 40 minutes.
    d = single_queue([5, 0, 0, 0], [1, 0, 0, 0], handle=deterministic(2400), interval_minutes=30)
    sc, records = days(d, 6)
    for day in records:
        c = day.calls
        ans = c["outcome"] == ANSWERED
        assert ans.sum() == 1  # the agent then leaves
        start = c["start"][ans][0]
        assert c["handle"][ans][0] == c["talk"][ans][0] == 2400.0  # never cut
        end = start + 2400.0
        assert end > 1800.0  # it crossed the change
        log = day.agent_log
        assert log[-1].tolist() == [end, 0.0, 0.0]  # logged off as it ended
        per_interval, _ = day_kpis(sc, day)
        assert per_interval["occupancy"][1] == pytest.approx(1.0)
        assert per_interval["agents"][1] == pytest.approx((end - 1800.0) / 1800.0)
        # the others waited for an agent who never came: abandoned, not lost
        assert np.all(c["outcome"][~ans] == ABANDONED)


@pytest.mark.parametrize("patience", [None, exponential(300)], ids=["patient", "impatient"])
def test_an_interval_with_no_agents_loses_no_call(patience):
    d = single_queue([30] * 4, [4, 0, 6, 6], patience=patience, interval_minutes=30)
    sc, records = days(d, 4)
    for day in records:
        c = day.calls
        assert set(np.unique(c["outcome"])) <= {ANSWERED, ABANDONED, BLOCKED}
        ans = c["outcome"] == ANSWERED
        assert np.all(np.isfinite(c["start"][ans]))
        np.testing.assert_allclose(c["wait"][ans], c["start"][ans] - c["arrival"][ans])
        unstaffed = c["interval"] == 1
        assert unstaffed.sum() > 10
        # nobody answers during the gap; its calls are answered once agents are back
        assert np.all(c["start"][unstaffed & ans] >= 3600.0)
        if patience is None:
            assert np.all(ans)
        else:
            assert np.any(unstaffed & ~ans) and np.any(unstaffed & ans)
        per_interval, _ = day_kpis(sc, day)
        np.testing.assert_array_equal(
            per_interval["offered"],
            per_interval["answered"] + per_interval["abandoned"] + per_interval["blocked"],
        )
