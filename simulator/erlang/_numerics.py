"""Numerics shared by the Erlang formulas: broadcasting, Poisson terms in log space,
and log Erlang B (Loader's saddle point, scipy's incomplete gamma, a Lentz fraction).

See the package docstring (*Numerics*) for why each is needed.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

FloatOrArray = float | NDArray[np.float64]
PLAIN = frozenset((int, float, np.float64))  # types of a single point for `scalar`

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
CUT = 40.0  # terms below e^-40 (4e-18) of the largest are dropped


def floats(*values: ArrayLike) -> list[NDArray[np.float64]]:
    """Broadcast the arguments to one shape, as float arrays we may write into."""
    return [np.array(v, dtype=float) for v in np.broadcast_arrays(*values)]


def out(x: NDArray[np.float64]) -> FloatOrArray:
    """A 0-d result becomes a Python float; arrays stay arrays."""
    return float(x) if np.ndim(x) == 0 else x


def require(ok: NDArray[np.bool_], message: str) -> None:
    if not ok.all():
        raise ValueError(message)


def piecewise(cond: NDArray[np.bool_], if_true, if_false, *args: NDArray) -> NDArray[np.float64]:
    """if_true(*args) where cond, else if_false(*args), evaluating each only where needed."""
    if cond.all():
        return if_true(*args)
    if not cond.any():
        return if_false(*args)
    out = np.empty(cond.shape)
    out[cond] = if_true(*(v[cond] for v in args))
    out[~cond] = if_false(*(v[~cond] for v in args))
    return out


def _stirlerr(m: NDArray[np.float64]) -> NDArray[np.float64]:
    """log(m!) - [(m + 1/2) log m - m + log sqrt(2 pi)], the error of Stirling's formula, m > 0."""

    def series(m):
        nn = m * m
        return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * nn)) / nn) / nn) / nn) / m

    def direct(m):
        return special.gammaln(m + 1.0) - (m + 0.5) * np.log(m) + m - _LOG_SQRT_2PI

    return piecewise(m > 15.0, series, direct, m)


def _bd0(m: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """m log(m/x) + x - m for m, x > 0, without cancellation.

    With v = (m - x)/(m + x) it equals (m - x) v + 2m (v^3/3 + v^5/5 + ...), a series
    of terms of one sign (or one dominant term) that is used while |v| < 1/2, that
    is for 1/3 < m/x < 3; outside that range the direct form loses nothing.
    """

    def series(m, x):
        d = m - x
        v = d / (m + x)
        v2 = v * v
        worst = float(v2.max())
        if m.size == 1:  # one point: the same loop on floats is 20x faster
            d, v, v2, m = float(d[0]), float(v[0]), worst, float(m[0])
        total, ej = d * v, 2.0 * m * v
        for j in range(1, 1 if worst == 0.0 else math.ceil(-39.2 / math.log(worst)) + 1):
            ej = ej * v2  # v^(2j) < 1e-17 after the last term
            total = total + ej / (2 * j + 1)
        return total

    def direct(m, x):
        return m * np.log(m / x) + x - m

    return piecewise(np.abs(m - x) < 0.5 * (m + x), series, direct, m, x)


def log_poisson(m: ArrayLike, x: ArrayLike) -> NDArray[np.float64]:
    """log(x^m e^-x / Gamma(m+1)) for real m >= 0 and x > 0, as 1-d arrays.

    Loader's saddle-point form -stirlerr(m) - bd0(m, x) - log sqrt(2 pi m) is accurate
    to a few ulps of the result, where the naive m log x - x - log Gamma(m+1) would lose
    ulps of its largest term (1e-11 at m = 10,000).
    """
    m, x = np.broadcast_arrays(
        np.atleast_1d(np.asarray(m, dtype=float)), np.atleast_1d(np.asarray(x, dtype=float))
    )

    def naive(m, x):
        return special.xlogy(m, x) - x - special.gammaln(m + 1.0)

    def loader(m, x):
        return -_stirlerr(m) - _bd0(m, x) - 0.5 * np.log(2.0 * np.pi * m)

    return piecewise(m < 1.0, naive, loader, m, x)


def _upper_gamma_cf(a: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """h with Gamma(a, x) = e^-x x^a h: modified Lentz continued fraction (for x > a).

    Where it is used (Q < 1e-3) it needs a few dozen iterations even at 10,000
    Erlangs; each point stops when its factor is within 3 ulps of 1.
    """
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(b, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    active = np.ones(b.shape, dtype=bool)
    for i in range(1, 100_000):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        delta = d * c
        h = np.where(active, h * delta, h)
        active &= np.abs(delta - 1.0) > 7e-16
        if not active.any():
            break
    return h


def log_erlang_b(A: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    """log B(A, n) for A > 0, real n >= 0 (arrays of one shape)."""
    A, n = np.atleast_1d(A, n)
    q = special.gammaincc(n + 1.0, A)  # P(Poisson(A) <= n), continuous in n

    # Where Q is small (A well above n) scipy loses digits (1e-12 at Q = 1e-200) and
    # then underflows; the continued fraction converges fast there and to 1e-15.
    def poisson_over_q(A, n, q):
        return log_poisson(n, A) - np.log(q)

    def continued_fraction(A, n, q):  # 1/B = A h, h near 1/(A - n)
        return -np.log(A * _upper_gamma_cf(n + 1.0, A))

    return np.minimum(piecewise(q > 1e-3, poisson_over_q, continued_fraction, A, n, q), 0.0)


def log_below(A: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    """log(1/B(A, n) - 1) = log sum_{j<n} pi_j / pi_n: the chain below n agents busy."""
    logb = log_erlang_b(A, n)
    with np.errstate(divide="ignore"):  # n = 0: nothing below, log 0 = -inf
        return np.log(-np.expm1(logb)) - logb
