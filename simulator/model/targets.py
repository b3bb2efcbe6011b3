"""The targets each queue is held to: its own (`queues.Q.service_level`,
`queues.Q.targets`) where given, else the scenario's, key by key.

The centre keeps the scenario's own goal (`service_level`, `targets`); occupancy is
the agents' and has one target, `targets.occupancy_max`, for the centre and every queue.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .scenario import Scenario

TARGETED = ("service_level", "asa", "abandon_rate", "occupancy")  # KPIs a target can hold


class Goal(NamedTuple):
    """The targets of the centre or of one queue: the service-level threshold (seconds)
    and, per KPI of TARGETED, its target or None (higher is better for the service
    level; at most the target for ASA, abandon rate and occupancy)."""

    seconds: float
    service_level: float
    asa: float | None
    abandon_rate: float | None
    occupancy: float | None

    def target(self, kpi: str) -> float | None:
        """The target of `kpi`, or None (no target, or not a KPI of TARGETED)."""
        return getattr(self, kpi) if kpi in TARGETED else None

    @property
    def words(self) -> str:
        """'80/20': the service-level goal as planners write it."""
        return f"{100 * self.service_level:g}/{self.seconds:g}"


def center_goal(sc: Scenario) -> Goal:
    """The scenario's own targets: the centre's."""
    sl, t = sc.service_level, sc.targets
    return Goal(sl.seconds, sl.target, t.asa, t.abandon_rate, t.occupancy_max)


def queue_goal(sc: Scenario, queue: str) -> Goal:
    """Queue `queue`'s targets: its own where given, else the scenario's, key by key."""
    q, base = sc.queues[queue], center_goal(sc)
    sl = q.service_level or sc.service_level
    own = q.targets
    asa = own.asa if own and own.asa is not None else base.asa
    abandon = own.abandon_rate if own and own.abandon_rate is not None else base.abandon_rate
    return Goal(sl.seconds, sl.target, asa, abandon, base.occupancy)


def goal(sc: Scenario, queue: str | None = None) -> Goal:
    """The centre's goal (`queue` None) or a queue's."""
    return center_goal(sc) if queue is None else queue_goal(sc, queue)


def per_queue(sc: Scenario, key: str) -> np.ndarray:
    """One field of every queue's Goal, in scenario order, as floats (NaN: no target)."""
    values = [getattr(queue_goal(sc, q), key) for q in sc.queues]
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def has_own_goals(sc: Scenario) -> bool:
    """Whether any queue sets its own service level or targets."""
    return any(q.service_level is not None or q.targets is not None for q in sc.queues.values())
