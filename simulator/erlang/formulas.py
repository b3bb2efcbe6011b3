"""Erlang B, C and A: how many callers are refused, how many wait, and for how long.

This is the analytic half of callsim. It models one queue served by ``n`` identical
agents. Calls arrive as a Poisson stream (rate lambda per second) and handle times are
exponential with mean ``aht`` seconds (rate mu = 1/aht per second). The **load**

    A = lambda * aht        (Erlangs)

is the number of agents that would be busy on average if nobody were refused and
nobody hung up: 100 calls in 30 minutes at 180 s each is 100/1800 * 180 = 10 Erlangs.
All three models describe the same birth-death chain on "calls in the system"; they
differ in what happens to a call that finds every agent busy.

* **Erlang B** (M/M/n/n) - the call is refused (a busy signal) and lost. The blocking
  probability ``B(A, n)`` sizes trunk lines. A textbook identity does the rest:
  ``1/B(A, n) = 1 + (n/A) / B(A, n-1)``, so B is a *ratio*, never a factorial.
* **Erlang C** (M/M/n) - the call queues and every caller waits as long as it takes.
  The chance of waiting is ``C = n B / (n - A (1 - B))`` if ``n > A``; with ``n <= A``
  the queue grows without bound and ``C = 1``. The wait of a delayed caller is
  exponential with rate ``(n - A)/aht``, which gives the service level
  ``P(wait <= T) = 1 - C exp(-(n - A) T / aht)`` and ``ASA = C aht / (n - A)``.
* **Erlang A** (M/M/n+M, Palm's model) - each waiting caller hangs up after an
  exponential patience of mean ``patience`` seconds (rate theta). The queue can no longer
  explode, so every load has an answer, and it is the model that does not overstaff
  when real callers abandon. With ``x = lambda/theta`` and ``a = n mu/theta``, the
  chance of finding ``n + k`` calls in the system is ``pi_n t_k`` with
  ``t_k = x^k / ((a+1)(a+2)...(a+k))``: each extra caller in queue adds one more
  way of leaving (an abandonment) to the death rate ``n mu + k theta``.
  A caller who finds k ahead of it is answered with probability ``a/(a+k+1)`` and
  then after a mean wait ``sum_{i=1..k+1} 1/(n mu + i theta)``
  (Zeltyn & Mandelbaum 2005, "Call centers with impatient customers: exact analysis
  and many-server asymptotics of the M/M/n+G queue", Queueing Systems 51).
  The service level comes from the same paper's offered-wait density
  ``f(t) = n mu pi_n exp(lambda (1 - e^{-theta t})/theta - n mu t)``, integrated
  against the chance ``e^{-theta t}`` that the caller is still there at t:
  the answered-after-T mass is ``pi_n a/(a+1) exp(-(n mu + theta) T
  + x (1 - e^{-theta T})) S(a+1, x e^{-theta T})`` with ``S(a, x) = sum_k t_k``
  (an incomplete gamma function in disguise).

``mmnk_abandon`` solves the general finite chain M/M/n/K+M (``lines`` limit the talking
plus waiting calls; patience may be infinite) by brute force, state by state, and a
tagged-caller Markov chain for the service level. It is slower, and it is the
independent witness the simulator and the tests compare against: Erlang B is
``lines = agents, abandon_rate = 0``; Erlang C is ``lines = inf, abandon_rate = 0``;
Erlang A is ``lines = inf``.

KPI definitions follow callsim's (PRODUCT.md): ``service_level`` is calls answered
within T divided by accepted calls, so an abandoned call is a miss even if the caller
hung up before T; ``asa`` is the mean wait of *answered* calls; ``abandon_rate`` is
abandoned / accepted.

Numerics. Everything broadcasts over numpy arrays (scalars in give floats out) and
works for loads of 10,000 Erlangs and more than 12,000 agents without overflow:

* Poisson probabilities ``A^n e^{-A} / n!`` are computed in log space with Loader's
  saddle-point form (``stirlerr`` + ``bd0``), accurate to a few ulps even when
  ``n log A`` and ``log n!`` are both 10^5 and cancel.
* ``B(A, n) = (A^n e^{-A}/n!) / P(Poisson(A) <= n)``, the denominator being the
  regularized upper incomplete gamma ``Q(n+1, A)`` (``scipy.special.gammaincc``).
  Where Q is small (below 1e-3: A well above n) scipy's Q loses digits and finally
  underflows, and a Lentz continued fraction gives ``1/B`` directly instead. **Fractional agents** use this same formula with real n, which
  is the standard continuous extension
  ``1/B(A, n) = A int_0^inf e^{-A y} (1 + y)^n dy``: it agrees with the recursion at
  integers, is smooth and decreasing in n. Erlang C follows from B and inherits it.
* Erlang A: the part of the distribution below n is ``1/B - 1`` (relative to pi_n),
  so it inherits the continuous extension too; the queue part uses real
  ``a = n mu/theta``. The sums over the queue length k are taken in log space over a
  window around their largest term, wide enough that every dropped term is below
  e^-40 of it (a bound, not a guess), so results are exact to rounding, about 1e-12.
  The window has at most ``22 sqrt(x) + 70`` terms (far fewer when n > A), so the cost
  grows only with the square root of ``lambda * patience``: at 1,667 Erlangs, about
  0.1 ms per point in an array and 0.5 ms for a single call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "ErlangAResult",
    "MMNKResult",
    "RecallResult",
    "agents_for_service_level",
    "erlang_a",
    "erlang_b",
    "erlang_b_recall",
    "erlang_c",
    "erlang_c_asa",
    "erlang_c_service_level",
    "mmnk_abandon",
    "occupancy",
]

FloatOrArray = float | NDArray[np.float64]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_CUT = 40.0  # terms below e^-40 (4e-18) of the largest are dropped
_CHUNK_ELEMENTS = 1 << 18  # memory budget of one vectorised block of series terms


# --------------------------------------------------------------------------- helpers


def _floats(*values: ArrayLike) -> list[NDArray[np.float64]]:
    """Broadcast the arguments to one shape, as float arrays we may write into."""
    return [np.array(v, dtype=float) for v in np.broadcast_arrays(*values)]


def _out(x: NDArray[np.float64]) -> FloatOrArray:
    """A 0-d result becomes a Python float; arrays stay arrays."""
    return float(x) if np.ndim(x) == 0 else x


def _require(ok: NDArray[np.bool_], message: str) -> None:
    if not ok.all():
        raise ValueError(message)


def _piecewise(cond: NDArray[np.bool_], if_true, if_false, *args: NDArray) -> NDArray[np.float64]:
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

    return _piecewise(m > 15.0, series, direct, m)


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

    return _piecewise(np.abs(m - x) < 0.5 * (m + x), series, direct, m, x)


def _log_poisson(m: ArrayLike, x: ArrayLike) -> NDArray[np.float64]:
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

    return _piecewise(m < 1.0, naive, loader, m, x)


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


def _log_erlang_b(A: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    """log B(A, n) for A > 0, real n >= 0 (arrays of one shape)."""
    A, n = np.atleast_1d(A, n)
    q = special.gammaincc(n + 1.0, A)  # P(Poisson(A) <= n), continuous in n

    # Where Q is small (A well above n) scipy loses digits (1e-12 at Q = 1e-200) and
    # then underflows; the continued fraction converges fast there and to 1e-15.
    def poisson_over_q(A, n, q):
        return _log_poisson(n, A) - np.log(q)

    def continued_fraction(A, n, q):  # 1/B = A h, h near 1/(A - n)
        return -np.log(A * _upper_gamma_cf(n + 1.0, A))

    return np.minimum(_piecewise(q > 1e-3, poisson_over_q, continued_fraction, A, n, q), 0.0)


def _log_below(A: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    """log(1/B(A, n) - 1) = log sum_{j<n} pi_j / pi_n: the chain below n agents busy."""
    logb = _log_erlang_b(A, n)
    with np.errstate(divide="ignore"):  # n = 0: nothing below, log 0 = -inf
        return np.log(-np.expm1(logb)) - logb


# ----------------------------------------------------------------------- Erlang B


def erlang_b(load: ArrayLike, agents: ArrayLike) -> FloatOrArray:
    """Blocking probability of M/M/n/n (Erlang B): the share of calls refused.

    Args:
        load: offered load A, Erlangs (>= 0).
        agents: servers n (agents, lines, trunks), >= 0; may be fractional
            (continuous extension through the incomplete gamma function).

    Returns:
        B(A, n), a fraction 0-1 (1 when n = 0, 0 when A = 0 < n).
    """
    A, n = _floats(load, agents)
    _require(A >= 0, "load must be >= 0 Erlangs")
    _require(n >= 0, "agents must be >= 0")
    busy = A > 0
    b = np.where(n == 0, 1.0, 0.0)
    if busy.any():
        b[busy] = np.exp(_log_erlang_b(A[busy], n[busy]))
    return _out(b)


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
    L, n, r = _floats(load, agents, recall)
    _require(L >= 0, "load must be >= 0 Erlangs")
    _require(n >= 0, "agents must be >= 0")
    _require((r >= 0) & (r < 1), "recall must be in [0, 1)")
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
    return RecallResult(blocking=_out(b), offered=_out(offered), lost=_out(lost))


# ----------------------------------------------------------------------- Erlang C


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
    A, n = _floats(load, agents)
    _require(A >= 0, "load must be >= 0 Erlangs")
    _require(n >= 0, "agents must be >= 0")
    c = np.where(n > A, 0.0, 1.0)
    calc = (n > A) & (A > 0)
    if calc.any():
        a, m = A[calc], n[calc]
        c[calc] = np.exp(-np.logaddexp(0.0, np.log1p(-a / m) + _log_below(a, m)))
    return _out(c)


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
    A, n, h, T = _floats(load, agents, aht, threshold)
    _require(h > 0, "aht must be > 0 seconds")
    _require(T >= 0, "threshold must be >= 0 seconds")
    c = np.asarray(erlang_c(A, n))
    with np.errstate(over="ignore"):
        sl = 1.0 - c * np.exp(-(n - A) * T / h)
    return _out(np.where(n > A, np.clip(sl, 0.0, 1.0), 0.0))


def erlang_c_asa(load: ArrayLike, agents: ArrayLike, aht: ArrayLike) -> FloatOrArray:
    """Erlang C average speed of answer, ``C aht / (n - A)`` seconds (inf if n <= A)."""
    A, n, h = _floats(load, agents, aht)
    _require(h > 0, "aht must be > 0 seconds")
    c = np.asarray(erlang_c(A, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.where(n > A, c * h / (n - A), np.inf)
    return _out(asa)


def occupancy(load: ArrayLike, agents: ArrayLike) -> FloatOrArray:
    """Erlang C occupancy: share of agent time spent on calls, ``min(A/n, 1)``."""
    A, n = _floats(load, agents)
    _require(A >= 0, "load must be >= 0 Erlangs")
    _require(n >= 0, "agents must be >= 0")
    return _out(np.where(n > A, A / np.where(n > 0, n, 1.0), 1.0))


def agents_for_service_level(
    load: ArrayLike, aht: ArrayLike, threshold: ArrayLike, target: ArrayLike
) -> int | NDArray[np.int64]:
    """Fewest whole agents whose Erlang C service level reaches ``target``.

    Args:
        load: offered load A, Erlangs; aht, threshold: seconds;
        target: service-level target, a fraction in (0, 1), e.g. 0.80.
    """
    A, h, T, goal = _floats(load, aht, threshold, target)
    _require((goal > 0) & (goal < 1), "target must be in (0, 1)")
    lo = np.floor(A)  # service level is 0 at n <= A: always short
    hi = lo + 1.0
    while True:  # widen until hi meets the target
        short = np.asarray(erlang_c_service_level(A, hi, h, T)) < goal
        if not np.any(short):
            break
        lo = np.where(short, hi, lo)
        hi = np.where(short, A + 2.0 * (hi - A) + 1.0, hi)
        hi = np.ceil(hi)
    while np.any(hi - lo > 1):  # bisection on whole agents
        mid = np.floor(0.5 * (lo + hi))
        ok = np.asarray(erlang_c_service_level(A, mid, h, T)) >= goal
        hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
    out = hi.astype(np.int64)
    return int(out) if out.ndim == 0 else out


# ----------------------------------------------------------------------- Erlang A


@dataclass(frozen=True)
class ErlangAResult:
    """Erlang A (M/M/n+M) KPIs, all over ALL arrivals (nobody is blocked).

    Attributes:
        p_wait: P(all agents busy on arrival), fraction.
        abandon_rate: P(the caller hangs up before an answer), fraction.
        service_level: P(answered with wait <= T); abandoned calls are misses.
        asa: mean wait of answered calls, seconds.
        occupancy: carried load / agents, ``A (1 - abandon_rate) / n``.
        avg_queue: time-average number of callers waiting.
    """

    p_wait: FloatOrArray
    abandon_rate: FloatOrArray
    service_level: FloatOrArray
    asa: FloatOrArray
    occupancy: FloatOrArray
    avg_queue: FloatOrArray


def _window(a: NDArray[np.float64], x: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """Range [lo, hi] of k holding every t_k = x^k/((a+1)...(a+k)) above e^-40 of the largest.

    The terms rise while a + k + 1 < x and fall after. Going down from the peak k*,
    the log drops by at least j^2/(2x) after j steps; going up, by at least
    j^2/(4x) while j <= x (then by log 2 per step), and by at least j g where
    g = log((a + k* + 1)/x) is the first step's decay.
    """
    peak = np.maximum(np.floor(x - a), 0.0)
    root = np.sqrt(x)
    with np.errstate(divide="ignore"):
        g = np.log((a + peak + 1.0) / x)
        up = np.where(g > 0, np.minimum(13.0 * root + 60.0, _CUT / g + 2.0), 13.0 * root + 60.0)
    lo = np.maximum(peak - np.ceil(9.0 * root + 10.0), 0.0)
    return lo, peak + np.ceil(up)


def _queue_sums(
    a: NDArray[np.float64], x: NDArray[np.float64], moments: bool = False
) -> tuple[NDArray[np.float64], ...]:
    """Sums over k, the number of callers ahead of a caller who has to wait.

    Relative weights are t_k = x^k / ((a+1)...(a+k)) = Poisson(a+k; x)/Poisson(a; x).
    Returns log S with S = sum_k t_k (= Gamma(a+1) e^x x^-a P(a, x), Kummer's
    1F1(1; a+1; x)) and, if ``moments``, the averages under t_k of: k;
    a/(a+k+1) (P(answered)); and a/(a+k+1) * sum_{i=1..k+1} 1/(a+i)
    (theta times the mean wait, counted only when answered).
    """
    size = a.size
    log_s = np.zeros(size)
    mean_k = np.zeros(size)
    mean_ans = a / (a + 1.0)  # x = 0: nobody ahead, ever
    mean_wait = mean_ans / (a + 1.0)
    rows = np.flatnonzero(x > 0)
    if rows.size:
        lo, hi = _window(a[rows], x[rows])
        length = (hi - lo + 1.0).astype(np.int64)
        order = np.argsort(length, kind="stable")
        start = 0
        while start < order.size:  # blocks of similar window length
            end = start + 1
            while end < order.size and (end + 1 - start) * length[order[end]] <= _CHUNK_ELEMENTS:
                end += 1
            pick = order[start:end]
            r = rows[pick]
            out = _queue_block(a[r], x[r], lo[pick], hi[pick], int(length[pick].max()), moments)
            log_s[r] = out[0]
            if moments:
                mean_k[r], mean_ans[r], mean_wait[r] = out[1:]
            start = end
    return (log_s, mean_k, mean_ans, mean_wait) if moments else (log_s,)


def _queue_block(a, x, lo, hi, width, moments):
    """One vectorised block of ``_queue_sums``: rows are points, columns are k = lo, lo+1, ..."""
    k = lo[:, None] + np.arange(width)[None, :]
    ak = a[:, None] + k
    # log t_k = log t_lo + sum_{i=lo+1..k} log(x/(a+i)); each step is rounded once
    steps = np.log(x[:, None] / ak[:, 1:])
    log_t = np.empty(k.shape)
    log_t[:, 0] = 0.0
    np.cumsum(steps, axis=1, out=log_t[:, 1:])
    start = lo > 0
    if start.any():
        log_t[start] += (
            _log_poisson(a[start] + lo[start], x[start]) - _log_poisson(a[start], x[start])
        )[:, None]
    log_t = np.where(k <= hi[:, None], log_t, -np.inf)
    top = log_t.max(axis=1)
    w = np.exp(log_t - top[:, None])
    s0 = w.sum(axis=1)
    log_s = top + np.log(s0)
    if not moments:
        return (log_s,)
    answered = a[:, None] / (ak + 1.0)
    # sum_{i=1..k+1} 1/(a+i): digamma difference up to lo, then a running sum
    harmonic = np.cumsum(1.0 / (ak + 1.0), axis=1)
    if start.any():
        harmonic[start] += (
            special.digamma(a[start] + lo[start] + 1.0) - special.digamma(a[start] + 1.0)
        )[:, None]
    return (
        log_s,
        (w * k).sum(axis=1) / s0,
        (w * answered).sum(axis=1) / s0,
        (w * answered * harmonic).sum(axis=1) / s0,
    )


def _erlang_a_core(A, n, aht, patience, T):
    """Erlang A on 1-d arrays with A > 0, n > 0, 0 < patience < inf."""
    x = A * patience / aht  # lambda / theta
    a = n * patience / aht  # n mu / theta
    theta_t = T / patience
    log_s, mean_k, mean_ans, mean_wait = _queue_sums(a, x, moments=True)
    log_below = _log_below(A, n)
    log_norm = np.logaddexp(log_below, log_s)  # 1 / pi_n
    p_wait = np.exp(log_s - log_norm)
    p_now = np.exp(log_below - log_norm)  # answered at once
    avg_queue = p_wait * mean_k
    abandon = np.minimum(avg_queue / x, 1.0)  # theta E[queue] / lambda
    answered_late = p_wait * mean_ans  # answered after some wait
    # answered after waiting longer than T (Zeltyn-Mandelbaum offered-wait density)
    (log_s_late,) = _queue_sums(a + 1.0, x * np.exp(-theta_t))
    with np.errstate(invalid="ignore"):  # T = inf: -inf + finite
        log_late = (
            np.log(a / (a + 1.0))
            - (a + 1.0) * theta_t
            - x * np.expm1(-theta_t)
            + log_s_late
            - log_norm
        )
    late = np.exp(np.where(np.isnan(log_late), -np.inf, log_late))
    service_level = np.clip(p_now + answered_late - late, 0.0, 1.0)
    answered = p_now + answered_late
    asa = p_wait * mean_wait * patience / answered
    busy = np.minimum(A * (1.0 - abandon) / n, 1.0)  # min: rounding in overload
    return p_wait, abandon, service_level, asa, busy, avg_queue


def erlang_a(
    load: ArrayLike, agents: ArrayLike, aht: ArrayLike, patience: ArrayLike, threshold: ArrayLike
) -> ErlangAResult:
    """Erlang A (M/M/n+M): a queue whose callers hang up after exponential patience.

    Exact (Palm / Zeltyn-Mandelbaum formulas, see the module docstring) to about
    1e-12, for any load, including ``n <= A`` where Erlang C has no answer.

    Args:
        load: offered load A, Erlangs (>= 0).
        agents: agents n (> 0). Fractional n uses the continuous extension of the
            module docstring (exact at whole numbers, smooth in between).
        aht: average handle time, seconds (> 0).
        patience: mean patience of a waiting caller, seconds (> 0); ``inf`` gives
            Erlang C (nobody hangs up).
        threshold: service-level threshold T, seconds (>= 0, may be inf).

    Returns:
        ErlangAResult of floats (scalar inputs) or arrays of the broadcast shape.
    """
    A, n, h, pat, T = _floats(load, agents, aht, patience, threshold)
    _require(A >= 0, "load must be >= 0 Erlangs")
    _require(n > 0, "agents must be > 0")
    _require(h > 0, "aht must be > 0 seconds")
    _require(pat > 0, "patience must be > 0 seconds (inf for nobody hangs up)")
    _require(T >= 0, "threshold must be >= 0 seconds")
    shape = A.shape
    A, n, h, pat, T = (v.ravel() for v in (A, n, h, pat, T))
    # idle system: no load at all
    p_wait, abandon, avg_queue = np.zeros(A.size), np.zeros(A.size), np.zeros(A.size)
    service_level, asa, occ = np.ones(A.size), np.zeros(A.size), np.zeros(A.size)
    fields = (p_wait, abandon, service_level, asa, occ, avg_queue)

    patient = (A > 0) & np.isinf(pat)  # Erlang C, or no steady state if n <= A
    if patient.any():
        a, m, hh, tt = A[patient], n[patient], h[patient], T[patient]
        c = np.asarray(erlang_c(a, m))
        stable = m > a
        with np.errstate(divide="ignore", invalid="ignore"):
            values = (
                c,
                np.zeros(a.size),
                np.asarray(erlang_c_service_level(a, m, hh, tt)),
                np.asarray(erlang_c_asa(a, m, hh)),
                np.asarray(occupancy(a, m)),
                np.where(stable, c * a / (m - a), np.inf),
            )
        for field, value in zip(fields, values):
            field[patient] = value
    core = (A > 0) & np.isfinite(pat)
    if core.any():
        values = _erlang_a_core(A[core], n[core], h[core], pat[core], T[core])
        for field, value in zip(fields, values):
            field[core] = value
    return ErlangAResult(*(_out(f.reshape(shape)) for f in fields))


# ------------------------------------------------- M/M/n/K+M, state by state


@dataclass(frozen=True)
class MMNKResult:
    """KPIs of M/M/n/K+M (see ``mmnk_abandon``). Rates among ACCEPTED calls.

    Attributes:
        blocking: P(all lines busy on arrival), fraction of offered calls.
        abandon_rate: abandoned / accepted.
        p_wait: accepted calls that find every agent busy / accepted.
        service_level: answered within T / accepted.
        asa: mean wait of answered calls, seconds.
        occupancy: mean busy agents / n.
        avg_queue: time-average number of callers waiting.
    """

    blocking: FloatOrArray
    abandon_rate: FloatOrArray
    p_wait: FloatOrArray
    service_level: FloatOrArray
    asa: FloatOrArray
    occupancy: FloatOrArray
    avg_queue: FloatOrArray


def _mmnk_point(
    lam: float, mu: float, n: int, lines: float, theta: float, T: float
) -> tuple[float, ...]:
    """One M/M/n/K+M point by brute force over the states 0..K."""
    # Stationary distribution: log pi_s - log pi_0 = sum_{i<=s} log(lambda / death_i),
    # grown block by block until the terms are past their peak and negligible.
    logs, last, top, s0 = [np.zeros(1)], 0.0, 0.0, 1
    while s0 <= lines:
        s = np.arange(s0, int(min(s0 + 4096, lines + 1)), dtype=float)
        death = np.minimum(s, n) * mu + np.maximum(s - n, 0.0) * theta
        block = last + np.cumsum(np.log(lam) - np.log(death))
        logs.append(block)
        last, top, s0 = block[-1], max(top, block.max()), int(s[-1]) + 1
        if death[-1] > lam and last < top - _CUT - 5:
            break  # death rates only grow: the rest is negligible
        if s0 > 10**7:
            raise ValueError("no steady state: no line limit, no abandonment and load >= agents")
    log_p = np.concatenate(logs)
    if log_p.size <= lines:  # cut short of K: drop the negligible tail blocks
        log_p = log_p[: np.flatnonzero(log_p >= top - _CUT - 5)[-1] + 1]
    p = np.exp(log_p - special.logsumexp(log_p))
    top_state = p.size - 1
    blocking = p[-1] if top_state == lines else 0.0  # truncated: pi_K < 1e-17
    entering = p[: int(lines)] if top_state == lines else p  # states an arrival can join
    accepted = 1.0 - blocking
    states = np.arange(p.size)
    queue = np.maximum(states - n, 0)
    avg_queue = float(queue @ p)
    busy = float(np.minimum(states, n) @ p)
    now = entering[:n].sum()  # answered at once
    waiting = entering[n:]  # arrivals with m = 0, 1, ... callers ahead
    if waiting.size == 0:
        return blocking, 0.0, 0.0, 1.0, 0.0, busy / n, avg_queue
    # Tagged caller with m ahead: m -> m-1 at n mu + m theta (from m = 0 that is its
    # answer), and it hangs up itself at theta.
    m = np.arange(waiting.size)
    down = n * mu + m * theta
    leave = down + theta
    answered_from = np.cumprod(down / leave)  # P(answered | m)
    wait_answered = answered_from * np.cumsum(1.0 / leave)  # E[wait; answered | m]
    within = _answered_within(down, leave, T) if np.isfinite(T) else answered_from
    answered = now + waiting @ answered_from
    return (
        blocking,
        theta * avg_queue / (lam * accepted),
        waiting.sum() / accepted,
        (now + waiting @ within) / accepted,
        waiting @ wait_answered / answered,
        busy / n,
        avg_queue,
    )


def _answered_within(down: NDArray, leave: NDArray, T: float) -> NDArray:
    """P(answered by time T | m ahead), by uniformisation of the tagged-caller chain.

    With the uniform rate L = max(leave), each Poisson(L T) tick moves the caller
    from m to m-1 (to "answered" from 0) with probability down_m / L, ends its wait
    by abandonment with theta / L, else nothing happens. w_j = P(answered within j
    ticks) and the answer is sum_j Poisson(j; L T) w_j; all terms are positive.
    """
    rate = float(leave.max())
    mean = rate * T
    if mean == 0.0:
        return np.zeros(down.size)
    ticks = math.ceil(mean + 12.0 * math.sqrt(mean) + 30.0)  # Poisson tail < 1e-20
    weights = np.exp(_log_poisson(np.arange(ticks + 1.0), mean))
    stay, move = 1.0 - leave / rate, down / rate
    w = np.zeros(down.size)
    result = np.zeros(down.size)
    for j in range(ticks + 1):
        result += weights[j] * w
        ahead = np.concatenate(([1.0], w[:-1]))  # one step closer; "answered" is 1
        w = stay * w + move * ahead
    return result


def mmnk_abandon(
    arrival_rate: ArrayLike,
    service_rate: ArrayLike,
    agents: ArrayLike,
    lines: ArrayLike,
    abandon_rate: ArrayLike,
    threshold: ArrayLike,
) -> MMNKResult:
    """Exact M/M/n/K+M: agents, a line limit, and impatient callers, state by state.

    At most K = ``lines`` calls are in the system (talking plus waiting); an arrival
    finding K is blocked (Poisson arrivals see time averages, so blocking = pi_K).
    Waiting callers hang up at rate theta = ``abandon_rate`` each (0: never). The
    service level comes from a tagged caller's own Markov chain (see
    ``_answered_within``), independently of the formulas of ``erlang_a``.

    Args:
        arrival_rate: lambda, calls per second.
        service_rate: mu = 1/aht, per second.
        agents: n, a whole number >= 1.
        lines: K >= n, a whole number or inf (no limit; then the chain is cut where
            its tail is below 1e-17, and theta = 0 needs lambda < n mu).
        abandon_rate: theta = 1/mean patience, per second (>= 0).
        threshold: service-level threshold T, seconds.

    Returns:
        MMNKResult; rates are among accepted calls, as in callsim's KPIs.
    """
    lam, mu, n, K, theta, T = _floats(
        arrival_rate, service_rate, agents, lines, abandon_rate, threshold
    )
    _require((lam > 0) & (mu > 0), "arrival_rate and service_rate must be > 0")
    _require((n >= 1) & (n == np.round(n)), "agents must be a whole number >= 1")
    _require((n <= K) & ((np.round(K) == K) | np.isinf(K)), "lines must be whole and >= agents")
    _require(theta >= 0, "abandon_rate must be >= 0")
    _require(T >= 0, "threshold must be >= 0 seconds")
    rows = [
        _mmnk_point(*(float(v) for v in point[:2]), int(point[2]), *(float(v) for v in point[3:]))
        for point in zip(lam.ravel(), mu.ravel(), n.ravel(), K.ravel(), theta.ravel(), T.ravel())
    ]
    columns = np.array(rows, dtype=float).reshape(lam.size, 7).T
    return MMNKResult(*(_out(c.reshape(lam.shape)) for c in columns))
