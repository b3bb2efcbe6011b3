"""Erlang B (M/M/n/n): the share of calls refused when every line or agent is busy,
and its extension with redials (``erlang_b_recall``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._numerics import PLAIN, FloatOrArray, floats, log_erlang_b, out, require
from .scalar import RECURSION_MAX
from .scalar import erlang_b as _point_b


def erlang_b(load: ArrayLike, agents: ArrayLike) -> FloatOrArray:
    """Blocking probability of M/M/n/n (Erlang B): the share of calls refused.

    Args:
        load: offered load A, Erlangs (>= 0).
        agents: servers n (agents, lines, trunks), >= 0; may be fractional
            (continuous extension through the incomplete gamma function).

    Returns:
        B(A, n), a fraction 0-1 (1 when n = 0, 0 when A = 0 < n).
    """
    if (  # the commonest point, here: a function call costs as much as its sum
        agents.__class__ is int
        and load.__class__ is float
        and 0 < agents <= RECURSION_MAX
        and 0.0 < load < math.inf
    ):
        inv, r = 1.0, 1.0 / load  # 1/B_k = 1 + k/A 1/B_{k-1}, as simulator.erlang.scalar
        for k in range(1, agents + 1):
            inv = 1.0 + inv * k * r
        return 1.0 / inv
    if type(load) in PLAIN and type(agents) in PLAIN:
        point = _point_b(load, agents)  # type: ignore[arg-type]
        if point is not None:
            return point
    A, n = floats(load, agents)
    require(A >= 0, "load must be >= 0 Erlangs")
    require(n >= 0, "agents must be >= 0")
    busy = A > 0
    b = np.where(n == 0, 1.0, 0.0)
    if busy.any():
        b[busy] = np.exp(log_erlang_b(A[busy], n[busy]))
    return out(b)


@dataclass(frozen=True)
class RecallResult:
    """Erlang B with redials (see ``erlang_b_recall``).

    Attributes:
        blocking: fraction of attempts (first calls and redials) refused.
        offered: effective offered load, Erlangs: fresh load plus redials.
        lost: fraction of fresh callers who never get through (blocked and gave up).
    """

    blocking: FloatOrArray
    offered: FloatOrArray
    lost: FloatOrArray


def erlang_b_recall(load: ArrayLike, agents: ArrayLike, recall: ArrayLike) -> RecallResult:
    """Extended Erlang B: a fraction ``recall`` of blocked callers dial again.

    Redials add to the traffic, so the offered load is the fixed point
    ``offered = load + recall * offered * B(offered, n)``. The right-hand side grows
    more slowly than the left (blocked traffic rises by at most one Erlang per Erlang
    offered), so the root is unique and lies in ``[load, load/(1 - recall)]``; it is
    found by Newton's method kept inside that bracket, with
    ``dB/dA = B (n/A - 1 + B)``.

    Args:
        load: fresh offered load, Erlangs (>= 0).
        agents: servers n (>= 0, may be fractional).
        recall: probability that a blocked caller retries, 0 <= recall < 1.
    """
    L, n, r = floats(load, agents, recall)
    require(L >= 0, "load must be >= 0 Erlangs")
    require(n >= 0, "agents must be >= 0")
    require((r >= 0) & (r < 1), "recall must be in [0, 1)")
    lo, hi = L.copy(), L / (1.0 - r)
    offered = L.copy()
    for _ in range(200):
        b = np.asarray(erlang_b(offered, n))
        g = offered - L - r * offered * b
        lo = np.where(g <= 0, offered, lo)
        hi = np.where(g >= 0, offered, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = 1.0 - r * b * (1.0 + n - offered * (1.0 - b))
            step = np.where(offered > 0, offered - g / slope, offered)
        step = np.where((step > lo) & (step < hi), step, 0.5 * (lo + hi))
        done = np.abs(step - offered) <= 1e-15 * np.maximum(offered, 1e-300)
        offered = step
        if np.all(done | (L == 0)):
            break
    b = np.asarray(erlang_b(offered, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        lost = np.where(L > 0, (1.0 - r) * offered * b / L, 0.0)
    return RecallResult(blocking=out(b), offered=out(offered), lost=out(lost))
