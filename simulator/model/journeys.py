"""Journeys between queues, as a Markov chain: loops calls never leave, and how many
call segments a day of a scenario produces (the size of a run).

An answered call of queue s moves on to queue d with probability P[s, d] (a transfer
or an escalation), and leaves with 1 - sum_d P[s, d]. With N = (I - P)^-1 (the
fundamental matrix), N[s, d] is the expected number of times a call that starts in s
is offered to d; a set of queues from which no path leads to a way out is a loop that
answered calls never leave. Plain lists: numpy is loaded (for the solve) only when
calls do move between queues, so `validate` of a file without journeys starts fast.
"""

from __future__ import annotations

from .limits import MAX_VISITS
from .scenario import Scenario


def moves(sc: Scenario) -> list[list[float]]:
    """P[s][d]: the chance an answered call of queue s goes on to queue d."""
    names = list(sc.queues)
    p = [[0.0] * len(names) for _ in names]
    for s, q in enumerate(sc.queues.values()):
        for target, prob in q.transfers.items():
            if target in sc.queues:
                p[s][names.index(target)] += prob
        if q.escalation and q.escalation.to in sc.queues:
            p[s][names.index(q.escalation.to)] += q.escalation.probability
    return p


def trapped(p: list[list[float]]) -> list[int]:
    """Queues from which no sequence of moves reaches a way out (a closed loop)."""
    can_leave = {s for s, row in enumerate(p) if sum(row) < 1 - 1e-9}
    frontier = list(can_leave)
    while frontier:
        d = frontier.pop()
        for s, row in enumerate(p):
            if row[d] > 0 and s not in can_leave:
                can_leave.add(s)
                frontier.append(s)
    return [s for s in range(len(p)) if s not in can_leave]


def visits(p: list[list[float]]) -> list[float]:
    """Expected queues a call passes through, by the queue it starts in (row sums of N)."""
    if not any(any(row) for row in p):
        return [1.0] * len(p)  # nobody moves on: N = I
    import numpy as np

    return np.linalg.solve(np.eye(len(p)) - np.array(p), np.ones(len(p))).tolist()


def attempts(sc: Scenario) -> list[float]:
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
    return bounds


def journey_problems(sc: Scenario) -> list[str]:
    """Loops answered calls never leave, and journeys too long to simulate."""
    p = moves(sc)
    if not any(any(row) for row in p):
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
    worst = max(range(len(per_call)), key=per_call.__getitem__)
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
    per_customer = zip(sc.queues.values(), attempts(sc), visits(moves(sc)), strict=True)
    return sum(sum(q.volumes) * volume_scale * (a * v) for q, a, v in per_customer)
