"""The work a forecast brings: calls offered to each queue, the load in Erlangs, and
which agent groups serve each queue first.

* Transfers and escalations add to the receiving queue's offered calls (every offered
  call of the sending queue is counted, as if all were answered: an upper estimate).
* The agent groups that serve a queue first (its best rank among all groups; ties
  share) are its *home* groups.
"""

from __future__ import annotations

import numpy as np

from ..model.handling import effective_handle_means, home_groups
from ..model.scenario import Scenario, ScenarioError

__all__ = ["home_groups", "offered_calls", "offered_load"]


def offered_load(sc: Scenario, offered: np.ndarray) -> np.ndarray:
    """Erlangs per queue and interval: offered calls x effective handle time (the
    interval's AHT + not-ready time, `simulator.model.handling`) / interval seconds."""
    return offered * effective_handle_means(sc) / sc.interval_seconds


def offered_calls(sc: Scenario) -> np.ndarray:
    """Calls offered to each queue per interval, (queues, intervals): the forecast plus
    the calls transferred or escalated in. Solves v = forecast + P^T v, where P[s, d]
    is the chance that a call of queue s moves on to queue d."""
    names = list(sc.queues)
    forecast = np.array([q.volumes for q in sc.queues.values()], dtype=float)
    moves = np.zeros((len(names), len(names)))
    for s, q in enumerate(sc.queues.values()):
        for target, p in q.transfers.items():
            moves[s, names.index(target)] += p
        if q.escalation:
            moves[s, names.index(q.escalation.to)] += q.escalation.probability
    if not moves.any():
        return forecast
    system = np.eye(len(names)) - moves.T
    if np.linalg.cond(system) > 1e12:
        raise ScenarioError(
            ["queues: transfers and escalations form a loop that calls never leave"]
        )
    return np.linalg.solve(system, forecast)
