"""Handle time as the Erlang formulas see it: one mean per (queue, interval).

The simulation plays each call's own draws; the formulas see only means. A call of
queue q costs its agent its handle time (talk + hold + ACW) and then the group's
not-ready time (`agents.NAME.not_ready`), during which no waiting caller can be served:
the *effective* handle time, handle + not-ready, is what the offered load is made of.
Which group answers is known only in the simulation, so a queue's mean over groups is
taken over its *home* groups (those serving it at their best rank), weighted by their
agents logged in in the interval (equal weights where none is).
"""

from __future__ import annotations

import numpy as np

from .scenario import Scenario


def home_groups(sc: Scenario) -> dict[str, list[str]]:
    """Queue -> the agent groups that serve it first (its best rank among groups)."""
    homes = {}
    for q in sc.queues:
        ranks = {g: group.ranks[q] for g, group in sc.agents.items() if q in group.ranks}
        best = min(ranks.values())
        homes[q] = [g for g, r in ranks.items() if r == best]
    return homes


def handle_means(sc: Scenario) -> np.ndarray:
    """Mean handle time (talk + hold + ACW) of a call of each queue in each interval,
    seconds, (queues, intervals)."""
    aht = np.array([q.aht for q in sc.queues.values()], dtype=float)
    return np.repeat(aht[:, None], sc.n_intervals, axis=1)


def _home_weights(sc: Scenario, queue: str, homes: list[str]) -> np.ndarray:
    """(home groups, intervals): each home group's share of the queue's home agents."""
    staffed = np.array([sc.agents[g].staffing for g in homes], dtype=float)
    total = staffed.sum(axis=0)
    equal = np.full_like(staffed, 1.0 / len(homes))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, staffed / np.where(total > 0, total, 1.0), equal)


def not_ready_means(sc: Scenario) -> np.ndarray:
    """Mean not-ready time after a call of each queue in each interval, seconds,
    (queues, intervals): its home groups' `not_ready` means weighted by their staffing."""
    out = np.zeros((len(sc.queues), sc.n_intervals))
    for i, (q, homes) in enumerate(home_groups(sc).items()):
        rest = np.array([_mean(sc.agents[g].not_ready) for g in homes])
        out[i] = rest @ _home_weights(sc, q, homes)
    return out


def _mean(dist) -> float:
    return 0.0 if dist is None else float(dist.mean)


def effective_handle_means(sc: Scenario) -> np.ndarray:
    """Agent seconds a call of each queue takes in each interval, (queues, intervals):
    handle time + not-ready time (what the offered load is made of)."""
    return handle_means(sc) + not_ready_means(sc)
