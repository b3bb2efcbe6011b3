"""Agents between queues and agent groups, and the shrinkage on top.

Each queue is sized on its own, as if its own team served it: pooling gains of
cross-trained agents are ignored, so multi-skill plans are conservative. A queue's
requirement is split among its home groups (`load.home_groups`) in proportion to their
staffing in the file over the day (equally if none), in whole agents; a group that is
nobody's home gets 0. To predict KPIs at given staffing the rule runs backwards: a
group's agents serve its home queues, split by their loads (possibly fractional agents).
"""

from __future__ import annotations

import numpy as np

from ..model.scenario import Scenario
from .load import home_groups


def queue_agents(sc: Scenario, staffing: dict[str, list[int]], load: np.ndarray) -> np.ndarray:
    """Agents serving each queue per interval, (queues, intervals), from group staffing:
    each group's agents serve its home queues, split by their loads (equally if none)."""
    names = list(sc.queues)
    homes = home_groups(sc)
    agents = np.zeros(load.shape)
    for g, row in staffing.items():
        mine = [names.index(q) for q, gs in homes.items() if g in gs]
        if not mine:
            continue
        weights = load[mine]
        total = weights.sum(axis=0)
        share = np.where(total > 0, weights / np.where(total > 0, total, 1), 1 / len(mine))
        agents[mine] += share * np.asarray(row, dtype=float)
    return agents


def group_requirement(sc: Scenario, required: np.ndarray) -> dict[str, np.ndarray]:
    """Agent group -> whole agents per interval: each queue's `required` split among its
    home groups in proportion to their day's staffing in the file (largest remainder)."""
    out = {g: np.zeros(required.shape[1], dtype=np.int64) for g in sc.agents}
    for q, gs in zip(required, home_groups(sc).values()):
        weights = np.array([sum(sc.agents[g].staffing) for g in gs], dtype=float)
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(gs), 1 / len(gs))
        exact = weights[:, None] * q[None, :]
        parts = np.floor(exact + 1e-9).astype(np.int64)
        left = q - parts.sum(axis=0)  # agents still to hand out
        rank = np.argsort(np.argsort(-(exact - parts), axis=0, kind="stable"), axis=0)
        parts += rank < left[None, :]
        for g, p in zip(gs, parts):
            out[g] += p
    return out


def after_shrinkage(required: np.ndarray, shrinkage: float) -> np.ndarray:
    """Agents to schedule so that `required` remain on the phones: ceil(r / (1 - s)).
    (The tolerance keeps 14 / 0.7 = 20.000000000000004 at 20.)"""
    return np.ceil(np.asarray(required) / (1.0 - shrinkage) - 1e-9).astype(np.int64)
