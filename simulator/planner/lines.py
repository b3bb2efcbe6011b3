"""Trunk lines: how many a plan needs, and whether the file's lines, not the agents, bind.

A call holds a line from the moment it is accepted until it ends: while it waits and
while it talks. So the lines a queue keeps busy on average are its calls in the system,
``busy agents + callers waiting`` (Little's law), which Erlang A (or Erlang C for a
queue without patience) gives at the plan's agents per queue, with the patience it
plans with (`predict.hazard_matched_mean`). The centre's line load
is their sum over queues, and its busy-signal rate at L lines is Erlang B with
redials (`erlang_b_recall`: a share `recall` of blocked callers dials again; here the
queues' redial probabilities weighted by offered calls). Erlang B depends on the
holding time only through its mean, so the non-exponential time in system is no
obstacle; the approximation is the Poisson stream of attempts.

The plan needs, per interval, the fewest lines whose share of attempts blocked is at
most `BLOCKING` (1%, the usual trunk grade of service). Where the file's ``lines``
are fewer, or fewer than the agents the plan logs in, the lines bind: callers get
busy signals that no agent can prevent, and the plan's predicted KPIs (which assume
no line limit) are too good there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..erlang import erlang_a, erlang_b_recall, fewest_agents
from ..model.handling import effective_handle_means
from ..model.scenario import Scenario
from .predict import hazard_matched_mean

BLOCKING = 0.01  # the highest share of call attempts that may find every line busy


@dataclass(frozen=True)
class LinePlan:
    """Lines per interval (centre-wide): `load` (mean lines busy), `needed` (fewest lines
    for at most `blocking` busy signals), and at the file's `lines` (None: no limit)
    `blocked` (share of attempts refused) per interval."""

    load: np.ndarray
    needed: np.ndarray
    blocking: float
    recall: float
    lines: int | None
    blocked: np.ndarray | None

    @property
    def binds(self) -> np.ndarray:
        """Intervals where the file's lines are fewer than the plan needs."""
        if self.lines is None:
            return np.zeros(self.needed.shape, bool)
        return self.needed > self.lines


def line_load(sc: Scenario, load: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """Mean lines busy per interval: calls in the system (talking + waiting), summed over
    queues, at `agents` per (queue, interval); inf where a queue without patience has
    no more agents than load (its queue grows without bound)."""
    patience = np.array(
        [hazard_matched_mean(q.patience) if q.patience else np.inf for q in sc.queues.values()]
    )
    shape = load.shape
    aht = effective_handle_means(sc)
    theta = np.broadcast_to(patience[:, None], shape)
    in_system = np.zeros(shape)
    cells = (load > 0) & (agents > 0)
    if cells.any():
        r = erlang_a(load[cells], agents[cells], aht[cells], theta[cells], 0.0)
        in_system[cells] = np.asarray(r.occupancy) * agents[cells] + np.asarray(r.avg_queue)
    waiting_for_ever = (load > 0) & (agents == 0) & np.isinf(theta)
    in_system[waiting_for_ever] = np.inf
    nobody = (load > 0) & (agents == 0) & np.isfinite(theta)
    in_system[nobody] = load[nobody] * theta[nobody] / aht[nobody]  # all wait out patience
    return in_system.sum(axis=0)


def redial_share(sc: Scenario, offered: np.ndarray) -> float:
    """Share of blocked callers who dial again: the queues' redial probabilities weighted
    by their offered calls over the day (0 without redials)."""
    p = np.array([q.redial.probability if q.redial else 0.0 for q in sc.queues.values()])
    calls = offered.sum(axis=1)
    share = float(p @ calls / calls.sum()) if calls.sum() > 0 else 0.0
    return min(share, 0.999)


def plan_lines(
    sc: Scenario,
    offered: np.ndarray,
    load: np.ndarray,
    agents: np.ndarray,
    blocking: float = BLOCKING,
) -> LinePlan:
    """The lines a plan with `agents` per (queue, interval) needs, and what the file's
    lines give (see the module docstring)."""
    busy = line_load(sc, load, agents)
    recall = redial_share(sc, offered)
    needed = np.zeros(busy.shape, dtype=np.int64)
    finite = np.flatnonzero(np.isfinite(busy) & (busy > 0))
    if finite.size:

        def meets(points: np.ndarray, n: np.ndarray) -> np.ndarray:
            r = erlang_b_recall(busy[finite[points]], n, recall)
            return np.asarray(r.blocking) <= blocking

        a = busy[finite]
        needed[finite] = fewest_agents(meets, np.zeros(a.size), np.floor(a) + 1.0)
    needed[~np.isfinite(busy)] = np.iinfo(np.int64).max
    blocked = None
    if sc.lines is not None:
        blocked = np.where(
            np.isfinite(busy), np.asarray(erlang_b_recall(busy, sc.lines, recall).blocking), 1.0
        )
    return LinePlan(busy, needed, blocking, recall, sc.lines, blocked)


def line_notes(
    lp: LinePlan, starts: list[str], logged_in: np.ndarray
) -> tuple[list[str], list[str]]:
    """(notes, warnings): the lines the plan needs, and a warning where the file's lines
    bind (fewer than needed, or fewer than the agents logged in)."""
    finite = lp.needed < np.iinfo(np.int64).max
    if not finite.any():
        return [], []
    peak = int(np.argmax(np.where(finite, lp.needed, -1)))
    notes = [
        f"lines: the plan needs {int(lp.needed[peak])} trunk lines at the peak "
        f"({starts[peak]}) for at most {100 * lp.blocking:g}% busy signals "
        f"(Erlang B{' with redials' if lp.recall else ''} on the calls talking or waiting)"
        + (f"; the file has {lp.lines}" if lp.lines is not None else "")
    ]
    if lp.lines is None or lp.blocked is None:
        return notes, []
    short = lp.binds | (logged_in > lp.lines)
    warnings = []
    if short.any():
        worst = int(np.argmax(np.where(short, lp.blocked, -1.0)))
        warnings.append(
            f"the lines, not the agents, bind in {int(short.sum())} interval(s): "
            f"with {lp.lines} lines about {100 * lp.blocked[worst]:.1f}% of calls get a busy "
            f"signal at {starts[worst]} (the KPIs above assume no line limit); "
            f"give lines: {int(lp.needed[finite].max())} or more"
        )
    return notes, warnings
