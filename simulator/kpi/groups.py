"""KPIs per agent group: the calls each group answered and their AHT, its occupancy,
agents logged in and cost, per interval and for the run.

A group's occupancy is its agents' busy time ÷ their logged-in time (clock time, as
the centre's); its cost is its logged-in hours at its `cost_per_hour`, or for a
group a roster staffs the roster's paid time (`compute.group_cost`; the trunk lines'
cost is the centre's alone). A call counts in the interval in which it was
offered. A horizon's stretches are tallied each on its own clock and joined, as the
centre's tallies are (`simulator.run.horizon`).
"""

from __future__ import annotations

import numpy as np

from ..model.scenario import Scenario
from ..sim.records import ANSWERED, DayRecords
from .compute import NO_TIME, DayKPIs, _ratio, group_cost, group_login, time_in_intervals

GROUP_KPIS = ("answered", "aht", "occupancy", "agents", "cost")

# key -> (groups, intervals): a group's per-interval sums
GroupTally = dict[str, np.ndarray]


def group_tallies(sc: Scenario, day: DayRecords) -> GroupTally:
    """Per (group, interval) of one dateless run: calls answered, their handle seconds,
    busy seconds, logged-in seconds and cost."""
    n, length, groups = sc.n_intervals, sc.interval_seconds, len(sc.agents)
    calls = day.calls
    ans = calls["outcome"] == ANSWERED
    group = calls["group"][ans].astype(np.int64)
    cell = group * n + calls["interval"][ans].astype(np.int64)
    login = group_login(sc, day)
    return {
        "answered": np.bincount(cell, minlength=groups * n).reshape(groups, n),
        "handle": np.bincount(cell, calls["handle"][ans], groups * n).reshape(groups, n),
        "busy": time_in_intervals(
            calls["start"][ans], calls["handle"][ans], n, length, None, group, groups
        ),
        "login": login,
        "cost": group_cost(sc, login),
    }


def join_group_tallies(parts: list[GroupTally]) -> GroupTally:
    """The group tallies of consecutive runs (a horizon's stretches), in interval order."""
    return {key: np.concatenate([p[key] for p in parts], axis=1) for key in parts[0]}


def _group(t: dict, length: float) -> dict[str, np.ndarray]:
    """One group's KPIs from its tallies (per interval, or summed over the run)."""
    return {
        "answered": t["answered"],
        "aht": _ratio(t["handle"], t["answered"]),
        "occupancy": _ratio(t["busy"], t["login"], NO_TIME),
        "agents": t["login"] / length,
        "cost": t["cost"],
    }


def group_kpis(sc: Scenario, tally: GroupTally) -> list[DayKPIs]:
    """Per agent group (in scenario order), per reported interval (warm-up left out)
    and for the whole run, from the tallies of all of `sc`'s intervals."""
    n, length = sc.n_intervals, sc.interval_seconds
    skip = sc.simulation.warmup_intervals
    out = []
    for g in range(len(sc.agents)):
        t = {k: v[g, skip:] for k, v in tally.items()}
        whole = _group({k: v.sum() for k, v in t.items()}, length * (n - skip))
        out.append(DayKPIs(_group(t, length), {k: float(v) for k, v in whole.items()}))
    return out
