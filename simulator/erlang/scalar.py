"""Erlang B and C at one (load, whole agents) point in plain Python floats: no numpy.

A numpy call costs tens of microseconds however small its array, so `erlang_b`,
`erlang_c`, `erlang_c_service_level`, `erlang_c_asa` and `occupancy` send a single point
of plain numbers here first. Each function returns None where the vectorised path is
the better one (fractional or infinite agents, an infinite load, or a sum longer than
`TERMS_MAX` terms, that is a load of thousands of Erlangs near its agents); the results
agree with the vectorised path to about 1e-15 (`tests/test_erlang.py` holds them to
1e-12).

1/B(A, n) = sum_{j<=n} pi_j / pi_n (pi: Poisson(A) probabilities) is computed as

* up to `RECURSION_MAX` agents, the textbook recursion ``1/B_k = 1 + k/A * 1/B_{k-1}``
  (n steps of a few roundings each; 1/B overflows to inf where B < 1e-308, read as 0);
* above, with n <= A, the same sum from j = n down, ``t_k = t_{k-1} (n - k + 1)/A``,
  stopped once a term is below 1e-17 of the sum (about 9 sqrt(A) terms when n is
  near A, a handful when A is far above n);
* above, with n > A, ``1/B = 1/pi_n - sum_{j>n} pi_j/pi_n``: pi_n by Loader's
  saddle-point form (as the vectorised path), the upper tail by its terms
  ``u_k = u_{k-1} A/(n + k)``, stopped the same way.
"""

from __future__ import annotations

import math

RECURSION_MAX = 200  # whole agents up to which the n-step recursion is the cheapest
TERMS_MAX = 600  # series terms past which the vectorised path is cheaper
_SMALL = 1e-17  # a term below this share of the sum changes nothing
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_INF = math.inf


def _stirlerr(m: float) -> float:
    """log(m!) - [(m + 1/2) log m - m + log sqrt(2 pi)], m > 0."""
    if m <= 15.0:
        return math.lgamma(m + 1.0) - (m + 0.5) * math.log(m) + m - _LOG_SQRT_2PI
    nn = m * m
    return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * nn)) / nn) / nn) / nn) / m


def _bd0(m: float, x: float) -> float:
    """m log(m/x) + x - m for m, x > 0, without cancellation (see `_numerics._bd0`)."""
    d = m - x
    if abs(d) >= 0.5 * (m + x):
        return m * math.log(m / x) + x - m
    v = d / (m + x)
    v2 = v * v
    total, ej = d * v, 2.0 * m * v
    for j in range(1, 1 if v2 == 0.0 else math.ceil(-39.2 / math.log(v2)) + 1):
        ej = ej * v2
        total = total + ej / (2 * j + 1)
    return total


def log_poisson(m: float, x: float) -> float:
    """log(x^m e^-x / m!) for m > 15 and x > 0 (Loader's saddle-point form)."""
    return -_stirlerr(m) - _bd0(m, x) - 0.5 * math.log(2.0 * math.pi * m)


def _inverse_b(A: float, n: float) -> float | None:
    """1/B(A, n) for finite A > 0 and whole n > RECURSION_MAX; None past TERMS_MAX terms."""
    if n <= A:  # terms fall from j = n down
        inv = term = 1.0
        for k in range(int(n), max(int(n) - TERMS_MAX, 0), -1):
            term *= k / A
            inv += term
            if term < _SMALL * inv:
                return inv
        return inv if n <= TERMS_MAX else None
    tail = term = 1.0  # u_0 = 1 (pi_n itself), then the terms above n
    for k in range(1, TERMS_MAX + 1):
        term *= A / (n + k)
        tail += term
        if term < _SMALL * tail:
            log_p = log_poisson(n, A)  # below -700: B < 1e-304, taken as 0
            return math.exp(-log_p) - (tail - 1.0) if log_p > -700.0 else math.inf
    return None


def _general(load: float, agents: float) -> tuple[float, float, float] | None:
    """(A, n, 1/B(A, n)) after checking A and n, or None for the vectorised path."""
    A, n = float(load), float(agents)
    if not A >= 0:
        raise ValueError("load must be >= 0 Erlangs")
    if not n >= 0:
        raise ValueError("agents must be >= 0")
    if math.isinf(A) or not n.is_integer():
        return None
    if A == 0:
        return A, n, (math.inf if n > 0 else 1.0)
    if n <= RECURSION_MAX:
        inv, r = 1.0, 1.0 / A
        for k in range(1, int(n) + 1):
            inv = 1.0 + inv * k * r
        return A, n, inv
    series = _inverse_b(A, n)
    return None if series is None else (A, n, series)


def erlang_b(load: float, agents: float) -> float | None:
    """B(A, n) of one point of plain numbers, or None (use the vectorised path); the
    commonest point (int agents) is summed inline in `simulator.erlang.b.erlang_b`."""
    point = _general(load, agents)
    return None if point is None else min(1.0 / point[2], 1.0)


def erlang_c(load: float, agents: float) -> float | None:
    """P(wait) of one M/M/n point of plain numbers, or None (use the vectorised path)."""
    if 0.0 < load < agents <= RECURSION_MAX:
        m = int(agents)
        if m == agents:
            inv, r = 1.0, 1.0 / load
            for k in range(1, m + 1):
                inv = 1.0 + inv * k * r
            return 1.0 / (1.0 + (1.0 - load / agents) * (inv - 1.0))
    point = _general(load, agents)
    if point is None:
        return None
    A, n, inv = point
    if n <= A:
        return 1.0
    return 1.0 / (1.0 + (1.0 - A / n) * (inv - 1.0))


def service_level(load: float, agents: float, aht: float, threshold: float) -> float | None:
    """P(wait <= T) of one M/M/n point, or None (use the vectorised path)."""
    if not aht > 0:
        raise ValueError("aht must be > 0 seconds")
    if not threshold >= 0:
        raise ValueError("threshold must be >= 0 seconds")
    c = erlang_c(load, agents)
    if c is None:
        return None
    if agents <= load:
        return 0.0
    return min(max(1.0 - c * math.exp(-(agents - load) * threshold / aht), 0.0), 1.0)


def asa(load: float, agents: float, aht: float) -> float | None:
    """Mean wait of one M/M/n point, seconds, or None (use the vectorised path)."""
    if not aht > 0:
        raise ValueError("aht must be > 0 seconds")
    c = erlang_c(load, agents)
    if c is None:
        return None
    return c * aht / (agents - load) if agents > load else math.inf


def occupancy(load: float, agents: float) -> float:
    """Share of agent time on calls of one M/M/n point, min(A/n, 1)."""
    if not load >= 0:
        raise ValueError("load must be >= 0 Erlangs")
    if not agents >= 0:
        raise ValueError("agents must be >= 0")
    return load / agents if agents > load else 1.0
