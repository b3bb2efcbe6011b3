"""Fewest whole agents: one monotone search on whole numbers, used for Erlang C's agents
for a service level here and for the planner's every-target requirement.

The search assumes, as queueing theory says, that adding an agent never makes a KPI
worse: once a point meets its targets at n agents it meets them at every n' > n.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._numerics import floats, require
from .c import erlang_c_service_level

Meets = Callable[[NDArray[np.intp], NDArray[np.float64]], NDArray[np.bool_]]
DOUBLINGS = 30  # the gap to a known failure doubles 30 times: 2^30 agents is past any answer


class Unreachable(ValueError):
    """Some points meet their targets at no number of agents tried (`points`: indices)."""

    def __init__(self, points: NDArray[np.intp]) -> None:
        super().__init__(f"targets cannot be met at {points.size} point(s)")
        self.points = points


def fewest_agents(
    meets: Meets, lo: ArrayLike, hi: ArrayLike, doublings: int = DOUBLINGS
) -> NDArray[np.int64]:
    """Per point i, the fewest whole n > lo[i] for which ``meets(points, n)`` holds.

    Args:
        meets: ``meets(points, n)`` -> whether each of the points (indices into lo)
            meets its targets at agents n (an array of whole numbers, one per point).
        lo: a known failure per point (e.g. floor(load) for Erlang C).
        hi: a first guess above lo.
        doublings: how often the gap to lo may grow (hi <- hi + 2 (hi - lo)) before
            the search gives up.

    Returns:
        Whole agents per point, int64.

    Raises:
        Unreachable: naming the points still short after `doublings` widenings.
    """
    lo, hi = (np.array(v, dtype=float).ravel() for v in np.broadcast_arrays(lo, hi))
    short = np.arange(lo.size)
    for _ in range(doublings):
        short = short[~meets(short, hi[short])]
        if short.size == 0:
            break
        gap = hi[short] - lo[short]
        lo[short], hi[short] = hi[short], hi[short] + 2.0 * gap
    else:
        raise Unreachable(short)
    while True:  # bisection on whole agents
        open_ = np.flatnonzero(hi - lo > 1)
        if open_.size == 0:
            return hi.astype(np.int64)
        mid = np.floor(0.5 * (lo[open_] + hi[open_]))
        ok = meets(open_, mid)
        hi[open_] = np.where(ok, mid, hi[open_])
        lo[open_] = np.where(ok, lo[open_], mid)


def agents_for_service_level(
    load: ArrayLike, aht: ArrayLike, threshold: ArrayLike, target: ArrayLike
) -> int | NDArray[np.int64]:
    """Fewest whole agents whose Erlang C service level reaches ``target``.

    Args:
        load: offered load A, Erlangs; aht, threshold: seconds;
        target: service-level target, a fraction in (0, 1), e.g. 0.80.
    """
    A, h, T, goal = floats(load, aht, threshold, target)
    require((goal > 0) & (goal < 1), "target must be in (0, 1)")
    shape = A.shape
    A, h, T, goal = (v.ravel() for v in (A, h, T, goal))

    def meets(points: NDArray[np.intp], n: NDArray[np.float64]) -> NDArray[np.bool_]:
        sl = erlang_c_service_level(A[points], n, h[points], T[points])
        return np.asarray(sl) >= goal[points]

    lo = np.floor(A)  # service level is 0 at n <= A: always short
    agents = fewest_agents(meets, lo, lo + 1.0).reshape(shape)
    return int(agents) if agents.ndim == 0 else agents
