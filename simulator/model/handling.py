"""Handle time as the Erlang formulas see it: one mean per (queue, interval).

The simulation plays each call's own draws; the formulas see only means. A call of
queue q arriving in interval i has the mean handle time `aht_by_interval[i]` (or the
distributions' mean); the group that answers it takes `handle_time_factor[q]` times
that (proficiency), then the group's not-ready time (`agents.NAME.not_ready`), during
which no waiting caller can be served: the *effective* handle time, handle +
not-ready, is what the offered load is made of. Which group answers is known only in
the simulation, so a queue's mean over groups is taken over its *home* groups (those
serving it at their best rank), weighted by their agents logged in in the interval
(equal weights where none is).

The arrays need numpy, loaded on first use: `work_means` gives the checks the same
figures as lists, without numpy where the handle time is the forecast's AHT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .distributions import Distribution
from .scenario import Scenario

if TYPE_CHECKING:
    import numpy as np


def home_groups(sc: Scenario) -> dict[str, list[str]]:
    """Queue -> the agent groups that serve it first (its best rank among groups)."""
    homes = {}
    for q in sc.queues:
        ranks = {g: group.ranks[q] for g, group in sc.agents.items() if q in group.ranks}
        best = min(ranks.values())
        homes[q] = [g for g, r in ranks.items() if r == best]
    return homes


def interval_aht(sc: Scenario) -> np.ndarray:
    """The forecast's mean handle time (talk + hold + ACW) of a call of each queue
    arriving in each interval, seconds, (queues, intervals): `aht_by_interval`, else
    the distributions' mean."""
    import numpy as np

    return np.array(_aht_rows(sc), dtype=float)


def _aht_rows(sc: Scenario) -> list[list[float]]:
    """`interval_aht` as lists."""
    return [
        q.aht_by_interval if q.aht_by_interval is not None else [q.aht] * sc.n_intervals
        for q in sc.queues.values()
    ]


def aht_scales(sc: Scenario) -> list[np.ndarray | None]:
    """Per queue: each interval's factor on the drawn handle times (aht_by_interval ÷
    the distributions' mean), or None where the queue has no aht_by_interval."""
    import numpy as np

    return [
        None if q.aht_by_interval is None else np.asarray(q.aht_by_interval, float) / q.aht
        for q in sc.queues.values()
    ]


def handle_factors(sc: Scenario) -> np.ndarray | None:
    """(groups, queues): each group's handle-time factor per queue (1 where not
    given), or None if no group has one."""
    if not any(g.handle_time_factor for g in sc.agents.values()):
        return None
    import numpy as np

    names = list(sc.queues)
    table = np.ones((len(sc.agents), len(names)))
    for i, g in enumerate(sc.agents.values()):
        for q, factor in g.handle_time_factor.items():
            table[i, names.index(q)] = factor
    return table


def _home_weights(sc: Scenario, homes: list[str]) -> np.ndarray:
    """(home groups, intervals): each home group's share of the queue's home agents."""
    import numpy as np

    staffed = np.array([sc.agents[g].staffing for g in homes], dtype=float)
    total = staffed.sum(axis=0)
    equal = np.full_like(staffed, 1.0 / len(homes))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, staffed / np.where(total > 0, total, 1.0), equal)


def _mean(dist: Distribution | None) -> float:
    return 0.0 if dist is None else float(dist.mean)


def _over_homes(sc: Scenario, value) -> np.ndarray:
    """(queues, intervals): value(group name, queue name) averaged over each queue's
    home groups with their staffing weights."""
    import numpy as np

    out = np.zeros((len(sc.queues), sc.n_intervals))
    for i, (q, homes) in enumerate(home_groups(sc).items()):
        out[i] = np.array([value(g, q) for g in homes]) @ _home_weights(sc, homes)
    return out


def handle_means(sc: Scenario) -> np.ndarray:
    """Mean handle time of a call of each queue in each interval, seconds, (queues,
    intervals): the interval's AHT times the home groups' handle-time factor."""
    if not any(g.handle_time_factor for g in sc.agents.values()):
        return interval_aht(sc)
    factor = _over_homes(sc, lambda g, q: sc.agents[g].handle_time_factor.get(q, 1.0))
    return interval_aht(sc) * factor


def not_ready_means(sc: Scenario) -> np.ndarray:
    """Mean not-ready time after a call of each queue in each interval, seconds,
    (queues, intervals): its home groups' `not_ready` means weighted by their staffing."""
    return _over_homes(sc, lambda g, q: _mean(sc.agents[g].not_ready))


def effective_handle_means(sc: Scenario) -> np.ndarray:
    """Agent seconds a call of each queue takes in each interval, (queues, intervals):
    handle time + not-ready time (what the offered load is made of)."""
    return handle_means(sc) + not_ready_means(sc)


def work_means(sc: Scenario) -> list[list[float]]:
    """`effective_handle_means` as lists, [queue][interval]: the forecast's AHT itself
    (no numpy) where no group has a handle-time factor or not-ready time."""
    if any(g.handle_time_factor or g.not_ready is not None for g in sc.agents.values()):
        return effective_handle_means(sc).tolist()
    return _aht_rows(sc)


def handling_problems(sc: Scenario) -> list[str]:
    """aht_by_interval lists of another length than the volumes', and handle-time
    factors for queues that are not the group's skills."""
    problems = []
    for name, q in sc.queues.items():
        given = q.aht_by_interval
        if given is not None and len(given) != len(q.volumes):
            problems.append(
                f"queues.{name}.aht_by_interval: has {len(given)} intervals, "
                f"its volumes have {len(q.volumes)}"
            )
    for name, g in sc.agents.items():
        problems += [
            f"agents.{name}.handle_time_factor.{q}: not a skill of this group "
            f"(skills: {', '.join(g.skills)})"
            for q in g.handle_time_factor
            if q not in g.skills
        ]
    return problems
