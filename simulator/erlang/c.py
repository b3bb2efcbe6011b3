"""Erlang C (M/M/n): callers wait as long as it takes; chance of waiting, service
level, ASA and occupancy.
"""

from __future__ import annotations

from math import exp

import numpy as np
from numpy.typing import ArrayLike

from . import scalar
from ._numerics import PLAIN, FloatOrArray, floats, log_below, out, require
from .scalar import RECURSION_MAX
from .scalar import erlang_c as _point_c


def erlang_c(load: ArrayLike, agents: ArrayLike) -> FloatOrArray:
    """Probability that a call waits in M/M/n (Erlang C).

    ``C = 1 / (1 + (1 - A/n)(1/B - 1))``, the same as ``n B / (n - A (1 - B))``
    but computed in log space so it cannot overflow. ``C = 1`` when ``n <= A``
    (no steady state: the queue grows for ever).

    Args:
        load: offered load A, Erlangs (>= 0).
        agents: agents n (>= 0, may be fractional).

    Returns:
        P(wait > 0), a fraction 0-1.
    """
    if (  # the commonest point, here: a function call costs as much as its sum
        agents.__class__ is int and load.__class__ is float and 0.0 < load < agents <= RECURSION_MAX
    ):
        inv, r = 1.0, 1.0 / load  # 1/B_k = 1 + k/A 1/B_{k-1}, as simulator.erlang.scalar
        for k in range(1, agents + 1):
            inv = 1.0 + inv * k * r
        return 1.0 / (1.0 + (1.0 - load / agents) * (inv - 1.0))
    if type(load) in PLAIN and type(agents) in PLAIN:
        point = _point_c(load, agents)  # type: ignore[arg-type]
        if point is not None:
            return point
    A, n = floats(load, agents)
    require(A >= 0, "load must be >= 0 Erlangs")
    require(n >= 0, "agents must be >= 0")
    c = np.where(n > A, 0.0, 1.0)
    calc = (n > A) & (A > 0)
    if calc.any():
        a, m = A[calc], n[calc]
        c[calc] = np.exp(-np.logaddexp(0.0, np.log1p(-a / m) + log_below(a, m)))
    return out(c)


def erlang_c_service_level(
    load: ArrayLike, agents: ArrayLike, aht: ArrayLike, threshold: ArrayLike
) -> FloatOrArray:
    """Erlang C service level: P(wait <= T) = 1 - C exp(-(n - A) T / aht).

    Args:
        load: offered load A, Erlangs.
        agents: agents n (may be fractional).
        aht: average handle time, seconds.
        threshold: service-level threshold T, seconds (the 20 of "80/20").

    Returns:
        Fraction of calls answered within T (0 when n <= A).
    """
    if (  # the commonest point, here (see erlang_c); the same expression as scalar's
        agents.__class__ is int
        and load.__class__ is float
        and 0.0 < load < agents <= RECURSION_MAX
        and aht.__class__ in PLAIN
        and threshold.__class__ in PLAIN
        and aht > 0
        and threshold >= 0
    ):
        c = erlang_c(load, agents)
        sl = 1.0 - c * exp(-(agents - load) * threshold / aht)
        return 0.0 if sl < 0.0 else 1.0 if sl > 1.0 else sl  # min(max(sl, 0), 1), sooner
    if (
        type(load) in PLAIN
        and type(agents) in PLAIN
        and type(aht) in PLAIN
        and type(threshold) in PLAIN
    ):
        point = scalar.service_level(load, agents, aht, threshold)  # type: ignore[arg-type]
        if point is not None:
            return point
    A, n, h, T = floats(load, agents, aht, threshold)
    require(h > 0, "aht must be > 0 seconds")
    require(T >= 0, "threshold must be >= 0 seconds")
    c = np.asarray(erlang_c(A, n))
    with np.errstate(over="ignore"):
        sl = 1.0 - c * np.exp(-(n - A) * T / h)
    return out(np.where(n > A, np.clip(sl, 0.0, 1.0), 0.0))


def erlang_c_asa(load: ArrayLike, agents: ArrayLike, aht: ArrayLike) -> FloatOrArray:
    """Erlang C average speed of answer, ``C aht / (n - A)`` seconds (inf if n <= A)."""
    if type(load) in PLAIN and type(agents) in PLAIN and type(aht) in PLAIN:
        point = scalar.asa(load, agents, aht)  # type: ignore[arg-type]
        if point is not None:
            return point
    A, n, h = floats(load, agents, aht)
    require(h > 0, "aht must be > 0 seconds")
    c = np.asarray(erlang_c(A, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.where(n > A, c * h / (n - A), np.inf)
    return out(asa)


def occupancy(load: ArrayLike, agents: ArrayLike) -> FloatOrArray:
    """Erlang C occupancy: share of agent time spent on calls, ``min(A/n, 1)``."""
    if type(load) in PLAIN and type(agents) in PLAIN:
        return scalar.occupancy(load, agents)  # type: ignore[arg-type]
    A, n = floats(load, agents)
    require(A >= 0, "load must be >= 0 Erlangs")
    require(n >= 0, "agents must be >= 0")
    return out(np.where(n > A, A / np.where(n > 0, n, 1.0), 1.0))
