"""Journeys between queues, as a Markov chain: loops calls never leave, and how many
call segments a day of a scenario produces (the size of a run).

An answered call of queue s moves on to queue d with probability P[s, d] (a transfer
or an escalation), and leaves with 1 - sum_d P[s, d]. With N = (I - P)^-1 (the
fundamental matrix), N[s, d] is the expected number of times a call that starts in s
is offered to d; a set of queues from which no path leads to a way out is a loop that
answered calls never leave.
"""

from __future__ import annotations

import numpy as np

from .limits import MAX_VISITS
from .scenario import Scenario


def moves(sc: Scenario) -> np.ndarray:
    """P[s, d]: the chance an answered call of queue s goes on to queue d."""
    names = list(sc.queues)
    p = np.zeros((len(names), len(names)))
    for s, q in enumerate(sc.queues.values()):
        for target, prob in q.transfers.items():
            if target in sc.queues:
                p[s, names.index(target)] += prob
        if q.escalation and q.escalation.to in sc.queues:
            p[s, names.index(q.escalation.to)] += q.escalation.probability
    return p


def trapped(p: np.ndarray) -> list[int]:
    """Queues from which no sequence of moves reaches a way out (a closed loop)."""
    leaves = p.sum(axis=1) < 1 - 1e-9
    can_leave = set(np.flatnonzero(leaves).tolist())
    frontier = list(can_leave)
    while frontier:
        d = frontier.pop()
        for s in np.flatnonzero(p[:, d] > 0).tolist():
            if s not in can_leave:
                can_leave.add(s)
                frontier.append(s)
    return [s for s in range(len(p)) if s not in can_leave]


def visits(p: np.ndarray) -> np.ndarray:
    """Expected queues a call passes through, by the queue it starts in (row sums of N)."""
    return np.linalg.solve(np.eye(len(p)) - p, np.ones(len(p)))


def attempts(sc: Scenario) -> np.ndarray:
    """An upper bound on the calls a customer makes, by the queue they first call:
    each call is followed by another with at most q = the larger of the redial and
    repeat probabilities, up to max_attempts: (1 - q^m) / (1 - q)."""
    bounds = []
    for q in sc.queues.values():
        rules = [r for r in (q.redial, q.repeat) if r is not None]
        if not rules:
            bounds.append(1.0)
            continue
        chance = max(r.probability for r in rules)
        cap = max(r.max_attempts for r in rules)
        bounds.append(float(cap) if chance >= 1 else (1 - chance**cap) / (1 - chance))
    return np.array(bounds)


def journey_problems(sc: Scenario) -> list[str]:
    """Loops answered calls never leave, and journeys too long to simulate."""
    p = moves(sc)
    if not p.any():
        return []
    names = list(sc.queues)
    loop = trapped(p)
    if loop:
        members = ", ".join(names[s] for s in loop)
        return [
            f"queues.{names[loop[0]]}.transfers: answered calls of {members} are "
            "transferred or escalated among them with probability 1 and never leave: "
            "lower a transfer or escalation probability below 1"
        ]
    per_call = visits(p)
    worst = int(np.argmax(per_call))
    if per_call[worst] > MAX_VISITS:
        return [
            f"queues.{names[worst]}.transfers: a call of {names[worst]} would pass "
            f"through {per_call[worst]:,.0f} queues on average (at most {MAX_VISITS}): "
            "transfers and escalations loop back too often"
        ]
    return []


def segments_per_day(sc: Scenario, volume_scale: float = 1.0) -> float:
    """Expected call segments (rows of the records) of one simulated day, an upper
    bound: forecast x calls per customer x queues per call. Call after
    `journey_problems` found nothing."""
    forecast = np.array([sum(q.volumes) for q in sc.queues.values()]) * volume_scale
    p = moves(sc)
    per_call = visits(p) if p.any() else np.ones(len(forecast))
    return float(forecast @ (attempts(sc) * per_call))
