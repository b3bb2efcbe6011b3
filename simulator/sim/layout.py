"""The scenario resolved for the engine: queues and agent groups as indices, routing
tables, and the fixed orders that break ties.

Indices follow the file (records and KPIs use them), but no tie is ever broken by the
file's order: agent groups are visited by name (who logs on first, which of two equally
idle agents answers), transfer targets are listed by name, and the forecast's callers are
merged by name (see `simulator.sim.draws`). So reordering queues or groups in the file
changes nothing but the indices.
"""

from __future__ import annotations

from ..model.scenario import Queue, Scenario
from .records import NEXT_ESCALATION, NEXT_TRANSFER


class QueueRules:
    """A queue's routing rules, resolved to indices."""

    def __init__(self, q: Queue, index: dict[str, int]):
        # after talk: transferred to the first target whose cumulative share exceeds the
        # caller's transfer draw; if not, escalated if the escalation draw is below the
        # escalation probability given no transfer (so the shares are as stated)
        self.transfers: list[tuple[float, int]] = []
        cum = 0.0
        for target in sorted(q.transfers):
            cum += q.transfers[target]
            self.transfers.append((cum, index[target]))
        self.escalation: tuple[float, int] | None = None
        if q.escalation and q.escalation.probability > 0:
            stay = 1 - cum
            share = q.escalation.probability / stay if stay > 0 else 0.0
            self.escalation = (share, index[q.escalation.to])
        self.routes = bool(self.transfers or self.escalation)
        self.redial = q.redial
        self.repeat = q.repeat
        self.callback = q.callback
        self.aht = q.aht
        # each interval's AHT as the fast engine has it: the mean × (its AHT ÷ the mean)
        given = q.aht_by_interval
        self.interval_aht = None if given is None else [q.aht * (a / q.aht) for a in given]
        self.priority = q.priority
        self.head_start = q.head_start


class Layout:
    """Indices, routing and tie-breaking orders of a scenario (see the module doc)."""

    def __init__(self, sc: Scenario):
        index = {name: i for i, name in enumerate(sc.queues)}
        self.queue_names = list(sc.queues)
        self.group_names = list(sc.agents)
        self.rules = [QueueRules(q, index) for q in sc.queues.values()]
        nq = len(sc.queues)
        self.group_order = sorted(range(len(sc.agents)), key=lambda g: self.group_names[g])
        self.tiers = [self._tiers(g.ranks, index) for g in sc.agents.values()]
        self.skills = [[q for tier in t for q in tier] for t in self.tiers]
        self.servers = [[g for g in self.group_order if q in self.skills[g]] for q in range(nq)]
        self.only = [s[0] if len(s) == 1 else -1 for s in self.skills]  # a group's one queue
        self.sole = [s[0] if len(s) == 1 else -1 for s in self.servers]  # a queue's one group
        self.any_repeat = any(q.repeat for q in sc.queues.values())
        self.any_callback = any(q.callback for q in sc.queues.values())
        self.lines = sc.lines if sc.lines is not None else -1
        # A hang-up is an event only where its moment matters to others: a freed line,
        # a redial, a callback estimate. Otherwise a caller whose patience ran out is
        # found when an agent reaches them, and recorded as abandoned at their deadline.
        self.hang_up_events = bool(
            sc.lines or any(q.redial or q.callback for q in sc.queues.values())
        )

    def _tiers(self, ranks: dict[str, int], index: dict[str, int]) -> list[list[int]]:
        """Queue indices grouped by rank (best first), each tier by priority (high first)."""
        tiers = []
        for rank in sorted(set(ranks.values())):
            tier = [index[s] for s, r in ranks.items() if r == rank]
            tiers.append(sorted(tier, key=lambda q: -self.rules[q].priority))
        return tiers


def route(rules: QueueRules, transfer: float, escalation: float) -> tuple[int, int]:
    """(next queue, NEXT_TRANSFER or NEXT_ESCALATION) for a caller's draws, or (-1, 0)."""
    for cum, target in rules.transfers:
        if transfer < cum:
            return target, NEXT_TRANSFER
    if rules.escalation and escalation < rules.escalation[0]:
        return rules.escalation[1], NEXT_ESCALATION
    return -1, 0
