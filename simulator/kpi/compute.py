"""KPIs: from the per-call records of a day to the figures of an ACD report.

Every definition is the registry's (docs/reference/kpis.md). A call counts in the interval in
which it was offered. Rates divide by the right base: blocked by offered; abandoned
and service level by accepted (offered - blocked; an abandoned call misses the
service level whatever its wait); ASA and AHT by answered. Time-based figures
(occupancy, avg_queue, agents) are integrals over the interval's clock time: a
call handled from 08:25 to 08:35 gives five busy minutes to each half hour.

Journeys: each queue a call passes through counts it as offered there (as each
queue's ACD report would): `calls` counts phone calls, `customers` counts people (by
their first call). Transfer and escalation rates divide by answered; `fcr` is the
share of customers resolved on their first call with no transfer, escalation or
repeat call. `cost` is agents' paid logged-in time (a roster's: its scheduled paid
hours) plus lines; `cost_per_call`
divides it by answered calls (absent where no cost is given).

`day_kpis` computes one day (one replication); `simulator.kpi.stats.confidence` turns
the days into a mean and a 95% interval. Warm-up intervals are left out of both.
The KPI keys, their order, units and definitions: `simulator.kpi.registry`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..model.horizon import Day
from ..model.scenario import Scenario
from ..model.targets import per_queue
from ..model.timetable import paid_spans, rostered_groups
from ..sim.records import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    NEXT_ESCALATION,
    NEXT_NONE,
    NEXT_TRANSFER,
    DayRecords,
    floor_div,
)


def time_in_intervals(
    start: np.ndarray,
    duration: np.ndarray,
    n: int,
    length: float,
    weight: np.ndarray | None = None,
    key: np.ndarray | None = None,
    keys: int = 1,
) -> np.ndarray:
    """Seconds (times `weight`) that spans [start, start + duration) spend in each of
    the n intervals of `length` seconds from 0; time after the last one is dropped.

    With `key` (integers below `keys`, e.g. a queue index) the answer is one row of n
    per key, else one row. One O(calls) pass, no sort. Each span gives its first and
    last interval the part it spends there, measured from that interval's own edge
    (so a week-long clock loses no precision and no part is ever negative), and every
    interval in between `length` (counted as whole intervals, added up once).
    """
    end_of_day = n * length
    start = np.minimum(np.asarray(start, dtype=float), end_of_day)
    end = np.minimum(start + duration, end_of_day)  # also turns an endless span finite
    w = None if weight is None else np.asarray(weight, dtype=float)
    row = None if key is None or keys == 1 else np.asarray(key, np.int64) * (n + 1)
    first, last = _interval(start, n, length), _interval(end, n, length)
    within = first == last
    head = np.where(within, end - start, (first + 1) * length - start)  # in the first
    # spans across an edge: their part in the last interval, and the whole ones
    # between (first + 1 .. last - 1); the others add nothing there (zeros left out)
    cross = np.flatnonzero(~within)
    last, second = last[cross], np.minimum(first[cross] + 1, n)
    tail = end[cross] - last * length
    if w is not None:  # (a weight of 1 multiplies exactly: left out)
        head, tail = head * w, tail * w[cross]
    if row is not None:  # one row per key; column n: at or after the end, dropped
        first, last, second = first + row, last + row[cross], second + row[cross]
    size = keys * (n + 1)
    parts = np.bincount(first, head, size) + np.bincount(last, tail, size)
    across = None if w is None else w[cross]  # counts, or weights' sums
    steps = np.bincount(second, across, size) - np.bincount(last, across, size)
    whole = np.cumsum(steps.reshape(keys, n + 1), axis=1)
    total = (parts.reshape(keys, n + 1) + whole * length)[:, :n]
    return total if key is not None else total[0]


def _interval(points: np.ndarray, n: int, length: float) -> np.ndarray:
    """The interval holding each point (n: at or after the end of the day)."""
    k = floor_div(points, length)
    np.minimum(k, n - 1, out=k)
    k[~(points < n * length)] = n
    return k.astype(np.int64)


# Below this many agent-seconds an interval has no logged-in time to divide by (a
# closed or unstaffed interval): its occupancy is undefined, not a huge ratio.
NO_TIME = 1e-6


def _ratio(num: np.ndarray, den: np.ndarray, tiny: float = 0.0) -> np.ndarray:
    """num / den, NaN where den is not above `tiny` (nothing to divide by)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > tiny, num / np.where(den > tiny, den, 1), np.nan)


class _Counter:
    """Per-interval sums of selected calls, per queue (rows) and for the centre. Whole
    counts add up exactly, so the centre is the queues' sum; a sum of seconds is
    counted once more over the centre's calls (unless there is one queue), so that it
    adds in the calls' own order (the same figure, to the last bit, as summing the
    centre alone)."""

    def __init__(self, calls: dict[str, np.ndarray], n: int, queues: int) -> None:
        self.k = calls["interval"].astype(np.int64)
        self.cell = calls["queue"].astype(np.int64) * n + self.k
        self.n, self.queues = n, queues

    def kinds(self, kind: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Calls per (queue, interval) and kind (`kind`: an index below the product of
        `shape`), as an array (queues, n, *shape): all counts in one bincount."""
        size = int(np.prod(shape))
        flat = np.bincount(self.cell * size + kind, minlength=self.queues * self.n * size)
        return flat.reshape(self.queues, self.n, *shape)

    def seconds(self, mask: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = values[mask]
        per_queue = np.bincount(self.cell[mask], v, self.queues * self.n)
        per_queue = per_queue.reshape(self.queues, self.n)
        center = per_queue[0] if self.queues == 1 else np.bincount(self.k[mask], v, self.n)
        return center, per_queue

    def longest(self, mask: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        flat = np.full(self.queues * self.n, np.nan)
        np.fmax.at(flat, self.cell[mask], values[mask])
        per_queue = flat.reshape(self.queues, self.n)
        return np.fmax.reduce(per_queue, axis=0), per_queue


def _counts(
    c: _Counter, calls: dict[str, np.ndarray], threshold: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The call counts per interval (centre, per queue), from one table of calls by
    kind: outcome, met the service level, next step, left unsolved, and whether the
    segment starts a phone call (1) or a customer's first call (2)."""
    outcome = calls["outcome"].astype(np.int8)  # the kind: below 108, in 8 bits
    one = len(np.unique(threshold)) == 1  # one service level: no lookup per call
    met = calls["wait"] <= (threshold[0] if one else threshold[calls["queue"]])
    in_sl = (outcome == ANSWERED) & met
    starts = (calls["segment"] == 1).astype(np.int8) * (1 + (calls["attempt"] == 1))
    kind = ((outcome * 2 + in_sl) * 3 + calls["next"].astype(np.int8)) * 2
    kind = (kind + calls["unresolved"]) * 3 + starts
    t = c.kinds(kind, (3, 2, 3, 2, 3))  # queue, interval, then the kind's five parts
    ans = t[:, :, ANSWERED]
    per_queue = {
        "offered": t.sum(axis=(2, 3, 4, 5, 6)),
        "blocked": t[:, :, BLOCKED].sum(axis=(2, 3, 4, 5)),
        "answered": ans.sum(axis=(2, 3, 4, 5)),
        "abandoned": t[:, :, ABANDONED].sum(axis=(2, 3, 4, 5)),
        "in_sl": ans[:, :, 1].sum(axis=(2, 3, 4)),
        "transferred": ans[:, :, :, NEXT_TRANSFER].sum(axis=(2, 3, 4)),
        "escalated": ans[:, :, :, NEXT_ESCALATION].sum(axis=(2, 3, 4)),
        "calls": t[..., 1:].sum(axis=(2, 3, 4, 5, 6)),
        "customers": t[..., 2].sum(axis=(2, 3, 4, 5)),
        "first_contact": ans[:, :, :, NEXT_NONE, 0, 2].sum(axis=2),
    }
    return {key: (v.sum(axis=0), v) for key, v in per_queue.items()}


def _tallies(
    calls: dict[str, np.ndarray], n: int, queues: int, threshold: np.ndarray, length: float
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Sums per interval, (centre (n,), per queue (queues, n)): the raw material of KPIs.
    `threshold`: each queue's service-level seconds (a call meets its own queue's)."""
    c = _Counter(calls, n, queues)
    outcome, wait = calls["outcome"], calls["wait"]
    ans, waited = outcome == ANSWERED, outcome != BLOCKED
    queued = time_in_intervals(
        calls["arrival"][waited], wait[waited], n, length, None, calls["queue"][waited], queues
    )
    counts = _counts(c, calls, threshold)
    return (
        {key: counts[key] for key in ("offered", "blocked", "answered", "abandoned", "in_sl")}
        | {
            "wait_sum": c.seconds(ans, wait),
            "handle_sum": c.seconds(ans, calls["handle"]),
            "longest_wait": c.longest(waited, wait),
            "queue_time": (queued.sum(axis=0), queued),
        }
        | {
            key: counts[key]
            for key in ("transferred", "escalated", "calls", "customers", "first_contact")
        }
    )


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
        "occupancy": _ratio(t["busy"], t["login"], NO_TIME),
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
    login = group_login(sc, day)
    calls = day.calls
    ans = calls["outcome"] == ANSWERED
    n, length = sc.n_intervals, sc.interval_seconds
    rates = np.array([g.cost_per_hour for g in sc.agents.values()]) / 3600
    agents_cost = rates @ login if sc.roster is None else group_cost(sc, login).sum(axis=0)
    return {
        "busy": time_in_intervals(calls["start"][ans], calls["handle"][ans], n, length),
        "login": login.sum(axis=0),
        "cost": agents_cost + (sc.lines or 0) * sc.line_cost_per_hour * length / 3600,
    }


def group_cost(sc: Scenario, login: np.ndarray) -> np.ndarray:
    """Agents' cost per (group, interval): a group's logged-in time (`login`, seconds)
    at its cost per hour; a group a roster staffs, the roster's paid time (scheduled
    shifts less unpaid breaks and activities, whatever the absence:
    `simulator.model.timetable.paid_spans`)."""
    rates = np.array([g.cost_per_hour for g in sc.agents.values()]) / 3600
    logged = rates[:, None] * login
    if sc.roster is None:
        return logged
    n, length, groups = sc.n_intervals, sc.interval_seconds, len(sc.agents)
    start, seconds, group, rate = paid_spans(sc)
    paid = time_in_intervals(start, seconds, n, length, rate, group, groups)
    rostered = np.isin(list(sc.agents), rostered_groups(sc))
    return np.where(rostered[:, None], paid, logged)


def group_login(sc: Scenario, day: DayRecords) -> np.ndarray:
    """Seconds logged in per (agent group, interval), from the agent log."""
    n, length = sc.n_intervals, sc.interval_seconds
    log, groups = day.agent_log, len(sc.agents)
    # a group's row holds from its time until that group's next row (or forever)
    order = np.argsort(log[:, 1], kind="stable")  # agent-log rows: a few per interval
    by_group = log[order]
    rows = len(by_group)
    same = np.append(by_group[1:, 1] == by_group[:-1, 1], False)[:rows]
    until = np.where(same, np.append(by_group[1:, 0], np.inf)[:rows], np.inf)
    return time_in_intervals(
        by_group[:, 0], until - by_group[:, 0], n, length, by_group[:, 2], by_group[:, 1], groups
    )


class DayKPIs(NamedTuple):
    """KPIs of one run: `intervals[kpi]` per reported interval, `day[kpi]` the whole
    run's (the day, or the horizon)."""

    intervals: dict[str, np.ndarray]
    day: dict[str, float]


# key -> (centre (n,), per queue (queues, n)): per-interval sums, the raw material of KPIs
Tally = dict[str, tuple[np.ndarray, np.ndarray]]


def run_tallies(sc: Scenario, day: DayRecords) -> Tally:
    """The per-interval tallies of one dateless run (a day, or a stretch of a horizon)
    and its agents' time; a queue's agent time is the centre's."""
    queues = len(sc.queues)
    threshold = per_queue(sc, "seconds")
    tallies = _tallies(day.calls, sc.n_intervals, queues, threshold, sc.interval_seconds)
    agents = agent_time(sc, day)
    return tallies | {k: (v, np.broadcast_to(v, (queues, len(v)))) for k, v in agents.items()}


def join_tallies(parts: list[Tally]) -> Tally:
    """The tallies of consecutive runs (a horizon's stretches), interval after interval."""
    return {
        key: (
            np.concatenate([p[key][0] for p in parts]),
            np.concatenate([p[key][1] for p in parts], axis=1),
        )
        for key in parts[0]
    }


def _totals(tally: dict[str, np.ndarray], lo: int, hi: int) -> dict[str, np.ndarray]:
    """Tallies summed over intervals lo..hi-1 (the longest wait: the longest)."""
    part = {key: v[lo:hi] for key, v in tally.items()}
    return {
        key: (np.nanmax(v) if key == "longest_wait" and not np.all(np.isnan(v)) else v.sum())
        for key, v in part.items()
    }


def reported_days(sc: Scenario) -> list[Day]:
    """The days of a horizon with intervals past the warm-up (none without a horizon)."""
    skip = sc.simulation.warmup_intervals
    return [d for d in sc.days() if d.stop > skip] if sc.horizon is not None else []


def _day(sc: Scenario, tally: dict[str, np.ndarray]) -> DayKPIs:
    """KPIs per reported interval and for the whole run, from per-interval tallies."""
    n, length = sc.n_intervals, sc.interval_seconds
    skip = sc.simulation.warmup_intervals
    whole = _kpis(_totals(tally, skip, n), length * (n - skip))
    return DayKPIs(
        _kpis({key: v[skip:] for key, v in tally.items()}, length),
        {key: float(v) for key, v in whole.items()},
    )


def _daily(sc: Scenario, tally: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """KPI -> one figure per reported day (`reported_days`), from per-interval tallies."""
    skip, length = sc.simulation.warmup_intervals, sc.interval_seconds
    spans = [(max(d.first, skip), d.stop) for d in reported_days(sc)]
    each = [_kpis(_totals(tally, lo, hi), length * (hi - lo)) for lo, hi in spans]
    return {key: np.array([float(k[key]) for k in each]) for key in each[0]} if each else {}


def tally_kpis(sc: Scenario, tally: Tally) -> tuple[DayKPIs, list[DayKPIs]]:
    """KPIs of the whole centre and of each queue (in scenario order) from the run's
    tallies; `sc` is the scenario the tallies span."""
    center = _day(sc, {k: v[0] for k, v in tally.items()})
    return center, [_day(sc, {k: v[1][q] for k, v in tally.items()}) for q in range(len(sc.queues))]


def daily_kpis(
    sc: Scenario, tally: Tally
) -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
    """Per-day KPIs of a horizon (one figure per reported day), for the centre and for
    each queue, from the tallies of all its intervals."""
    center = _daily(sc, {k: v[0] for k, v in tally.items()})
    return center, [
        _daily(sc, {k: v[1][q] for k, v in tally.items()}) for q in range(len(sc.queues))
    ]


def all_kpis(sc: Scenario, day: DayRecords) -> tuple[DayKPIs, list[DayKPIs]]:
    """KPIs of one dateless run for the whole centre and for each queue (in scenario
    order), in one pass over the calls. A queue's agents and occupancy are the
    centre's (agents serve several queues). A horizon's runs: `simulator.run.horizon`."""
    if len(sc.days()) > 1:
        raise ValueError("all_kpis: a horizon of several days is played and counted by stretch")
    return tally_kpis(sc, run_tallies(sc, day))


def day_kpis(sc: Scenario, day: DayRecords, queue: int | None = None) -> DayKPIs:
    """KPIs of one simulated day: per interval (warm-up dropped) and for the day; with
    `queue` (an index), that queue's (see `all_kpis`, which gives them all at once)."""
    center, queues = all_kpis(sc, day)
    return center if queue is None else queues[queue]


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
