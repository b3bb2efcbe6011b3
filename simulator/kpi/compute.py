"""KPIs: from the per-call records of a day to the figures of an ACD report.

Every definition here is the one in PRODUCT.md. A call counts in the interval in
which it was offered. Rates divide by the right base: blocked by offered; abandoned
and service level by accepted (offered - blocked; an abandoned call misses the
service level whatever its wait); ASA and AHT by answered. Time-based figures
(occupancy, avg_queue, agents) are integrals over the interval's clock time: a
call handled from 08:25 to 08:35 gives five busy minutes to each half hour.

Journeys: each queue a call passes through counts it as offered there (as each
queue's ACD report would): `calls` counts phone calls, `customers` counts people (by
their first call). Transfer and escalation rates divide by answered; `fcr` is the
share of customers resolved on their first call with no transfer, escalation or
repeat call. `cost` is agents' paid logged-in time plus lines; `cost_per_call`
divides it by answered calls (absent where no cost is given).

`day_kpis` computes one day (one replication); `simulator.kpi.stats.confidence` turns
the days into a mean and a 95% interval. Warm-up intervals are left out of both.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..model.scenario import Scenario
from ..sim.records import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    NEXT_ESCALATION,
    NEXT_NONE,
    NEXT_TRANSFER,
    DayRecords,
)

COUNTS = ("offered", "blocked", "accepted", "answered", "abandoned")
KPIS = (
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
    "cost",
    "cost_per_call",
    "calls",
    "customers",
)
UNITS = {
    "asa": "s",
    "aht": "s",
    "longest_wait": "s",
    "blocked_rate": "fraction",
    "abandon_rate": "fraction",
    "service_level": "fraction",
    "occupancy": "fraction",
    "transfer_rate": "fraction",
    "escalation_rate": "fraction",
    "fcr": "fraction",
    "avg_queue": "calls",
    "agents": "agents",
    "cost": "currency",
    "cost_per_call": "currency",
    "calls": "calls",
    "customers": "customers",
} | {k: "calls" for k in COUNTS}


def time_in_intervals(
    start: np.ndarray, duration: np.ndarray, n: int, length: float, weight: np.ndarray | None = None
) -> np.ndarray:
    """Seconds (times `weight`) that spans [start, start + duration) spend in each of
    the n intervals of `length` seconds from 0; time after the last one is dropped.

    With F(t) = sum of weight x (time spent before t), the answer is F's increments
    over the interval edges; F(t) = A(t, starts) - A(t, ends) where A(t, p) sums
    weight x max(t - p, 0), read off sorted points and cumulative sums: O(calls log
    calls), no calls x intervals table.
    """
    edges = np.arange(n + 1) * length
    start = np.asarray(start, dtype=float)
    w = np.ones(len(start)) if weight is None else np.asarray(weight, dtype=float)
    end = np.minimum(start + duration, edges[-1])  # also turns an endless span finite

    def ahead(points: np.ndarray) -> np.ndarray:
        order = np.argsort(points, kind="stable")
        p, pw = points[order], w[order]
        weights = np.concatenate([[0.0], np.cumsum(pw)])
        moments = np.concatenate([[0.0], np.cumsum(pw * p)])
        k = np.searchsorted(p, edges, side="left")  # points before each edge
        return weights[k] * edges - moments[k]

    return np.diff(ahead(np.minimum(start, edges[-1])) - ahead(end))


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _logged_in(agent_log: np.ndarray, n: int, length: float, groups: int) -> np.ndarray:
    """Agent-seconds logged in per group and interval, from rows (time, group, agents)."""
    login = np.zeros((groups, n))
    for g in range(groups):
        rows = agent_log[agent_log[:, 1] == g]
        ends = np.append(rows[1:, 0], np.inf)
        login[g] = time_in_intervals(rows[:, 0], ends - rows[:, 0], n, length, rows[:, 2])
    return login


def _tally(
    calls: dict[str, np.ndarray], sel: np.ndarray, n: int, threshold: float, length: float
) -> dict[str, np.ndarray]:
    """Sums per interval (n entries) for the selected calls: the raw material of KPIs."""
    k = calls["interval"][sel]
    outcome, wait = calls["outcome"][sel], calls["wait"][sel]
    ans = outcome == ANSWERED

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(k[mask], None if weights is None else weights[mask], minlength=n)

    longest = np.full(n, np.nan)
    waited = outcome != BLOCKED
    np.fmax.at(longest, k[waited], wait[waited])
    arrival = calls["arrival"][sel]
    nxt = calls["next"][sel]
    first = (calls["segment"][sel] == 1) & (calls["attempt"][sel] == 1)
    return {
        "offered": count(np.ones_like(ans)),
        "blocked": count(outcome == BLOCKED),
        "answered": count(ans),
        "abandoned": count(outcome == ABANDONED),
        "in_sl": count(ans & (wait <= threshold)),
        "wait_sum": count(ans, wait),
        "handle_sum": count(ans, calls["handle"][sel]),
        "longest_wait": longest,
        "queue_time": time_in_intervals(arrival[waited], wait[waited], n, length),
        "transferred": count(ans & (nxt == NEXT_TRANSFER)),
        "escalated": count(ans & (nxt == NEXT_ESCALATION)),
        "calls": count(calls["segment"][sel] == 1),
        "customers": count(first),
        "first_contact": count(first & ans & (nxt == NEXT_NONE) & ~calls["unresolved"][sel]),
    }


def _kpis(t: dict[str, np.ndarray], length: np.ndarray | float) -> dict[str, np.ndarray]:
    """KPIs from tallies (per interval, or summed over the day with `length` = day)."""
    accepted = t["offered"] - t["blocked"]
    return {
        "offered": t["offered"],
        "blocked": t["blocked"],
        "blocked_rate": _ratio(t["blocked"], t["offered"]),
        "accepted": accepted,
        "answered": t["answered"],
        "abandoned": t["abandoned"],
        "abandon_rate": _ratio(t["abandoned"], accepted),
        "service_level": _ratio(t["in_sl"], accepted),
        "asa": _ratio(t["wait_sum"], t["answered"]),
        "aht": _ratio(t["handle_sum"], t["answered"]),
        "occupancy": _ratio(t["busy"], t["login"]),
        "transfer_rate": _ratio(t["transferred"], t["answered"]),
        "escalation_rate": _ratio(t["escalated"], t["answered"]),
        "fcr": _ratio(t["first_contact"], t["customers"]),
        "longest_wait": t["longest_wait"],
        "avg_queue": t["queue_time"] / length,
        "agents": t["login"] / length,
        "cost": t["cost"],
        "cost_per_call": np.where(t["cost"] > 0, _ratio(t["cost"], t["answered"]), np.nan),
        "calls": t["calls"],
        "customers": t["customers"],
    }


def agent_time(sc: Scenario, day: DayRecords) -> dict[str, np.ndarray]:
    """Center-wide seconds per interval: agents busy, agents logged in, and cost."""
    n, length = sc.n_intervals, sc.interval_seconds
    calls = day.calls
    ans = calls["outcome"] == ANSWERED
    login = _logged_in(day.agent_log, n, length, len(sc.agents))
    rates = np.array([g.cost_per_hour for g in sc.agents.values()]) / 3600
    return {
        "busy": time_in_intervals(calls["start"][ans], calls["handle"][ans], n, length),
        "login": login.sum(axis=0),
        "cost": rates @ login + (sc.lines or 0) * sc.line_cost_per_hour * length / 3600,
    }


class DayKPIs(NamedTuple):
    """KPIs of one day: `intervals[kpi]` per reported interval, `day[kpi]` the day's."""

    intervals: dict[str, np.ndarray]
    day: dict[str, float]


def all_kpis(sc: Scenario, day: DayRecords) -> tuple[DayKPIs, list[DayKPIs]]:
    """KPIs of one day for the whole centre and for each queue (in scenario order)."""
    agents = agent_time(sc, day)  # center-wide: the same for every queue
    center = day_kpis(sc, day, agents=agents)
    return center, [day_kpis(sc, day, q, agents) for q in range(len(sc.queues))]


def day_kpis(
    sc: Scenario,
    day: DayRecords,
    queue: int | None = None,
    agents: dict[str, np.ndarray] | None = None,
) -> DayKPIs:
    """KPIs of one simulated day: per interval (warm-up dropped) and for the day.

    With `queue` (an index), the call figures are that queue's; agents and occupancy
    stay center-wide, since agents serve several queues. `agents` is `agent_time`'s
    result, if already at hand (it is the same for every queue).
    """
    n, length = sc.n_intervals, sc.interval_seconds
    calls = day.calls
    sel = np.ones(len(calls["arrival"]), bool) if queue is None else calls["queue"] == queue
    tally = _tally(calls, sel, n, sc.service_level.seconds, length)
    tally |= agents if agents is not None else agent_time(sc, day)

    skip = sc.simulation.warmup_intervals
    tally = {key: v[skip:] for key, v in tally.items()}
    totals = {
        key: (np.nanmax(v) if key == "longest_wait" and not np.all(np.isnan(v)) else v.sum())
        for key, v in tally.items()
    }
    per_day = _kpis(totals, length * (n - skip))
    return DayKPIs(_kpis(tally, length), {key: float(v) for key, v in per_day.items()})


CUSTOMER_OUTCOMES = ("resolved", "abandoned", "blocked", "unresolved")


def customer_outcomes(calls: dict[str, np.ndarray]) -> np.ndarray:
    """How each customer's story ended (index = customer id), from their last segment:
    0 resolved (answered, not passed on, not left unsolved), 1 abandoned for good,
    2 blocked for good, 3 unresolved (served, but still unsolved at the attempt cap).
    A last segment that was transferred or escalated cannot exist: the next one follows.
    """
    order = np.lexsort((calls["segment"], calls["attempt"], calls["customer"]))
    customer = calls["customer"][order]
    last = order[np.append(customer[1:] != customer[:-1], True)]
    outcome = calls["outcome"][last]
    ending = np.where(
        outcome == ANSWERED, np.where(calls["unresolved"][last], 3, 0), outcome
    )  # ABANDONED = 1, BLOCKED = 2 by the engine's codes
    result = np.full(customer.max() + 1 if len(customer) else 0, -1, dtype=np.int8)
    result[calls["customer"][last]] = ending
    return result
