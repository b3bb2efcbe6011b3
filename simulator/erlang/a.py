"""Erlang A (M/M/n+M, Palm's model): callers hang up after an exponential patience.

Exact formulas of Zeltyn & Mandelbaum (2005); the sums over the queue length are taken
in log space over a window around their largest term (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._numerics import CUT, FloatOrArray, floats, log_below, log_poisson, out, require
from .c import erlang_c, erlang_c_asa, erlang_c_service_level, occupancy

_CHUNK_ELEMENTS = 1 << 18  # memory budget of one vectorised block of series terms


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


NEGLIGIBLE = 1e-200  # Erlangs: a queue this lightly loaded is idle to any precision


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
        up = np.where(g > 0, np.minimum(13.0 * root + 60.0, CUT / g + 2.0), 13.0 * root + 60.0)
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
            block = _queue_block(a[r], x[r], lo[pick], hi[pick], int(length[pick].max()), moments)
            log_s[r] = block[0]
            if moments:
                mean_k[r], mean_ans[r], mean_wait[r] = block[1:]
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
            log_poisson(a[start] + lo[start], x[start]) - log_poisson(a[start], x[start])
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
    log_low = log_below(A, n)
    log_norm = np.logaddexp(log_low, log_s)  # 1 / pi_n
    p_wait = np.exp(log_s - log_norm)
    p_now = np.exp(log_low - log_norm)  # answered at once
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
    A, n, h, pat, T = floats(load, agents, aht, patience, threshold)
    require(A >= 0, "load must be >= 0 Erlangs")
    require(n > 0, "agents must be > 0")
    require(h > 0, "aht must be > 0 seconds")
    require(pat > 0, "patience must be > 0 seconds (inf for nobody hangs up)")
    require(T >= 0, "threshold must be >= 0 seconds")
    shape = A.shape
    A, n, h, pat, T = (v.ravel() for v in (A, n, h, pat, T))
    # idle system: no load at all
    p_wait, abandon, avg_queue = np.zeros(A.size), np.zeros(A.size), np.zeros(A.size)
    service_level, asa, occ = np.ones(A.size), np.zeros(A.size), np.zeros(A.size)
    fields = (p_wait, abandon, service_level, asa, occ, avg_queue)

    busy = A > NEGLIGIBLE  # a denormal load (1e-320) overflowed the sums: idle
    patient = busy & np.isinf(pat)  # Erlang C, or no steady state if n <= A
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
    core = busy & np.isfinite(pat)
    if core.any():
        values = _erlang_a_core(A[core], n[core], h[core], pat[core], T[core])
        for field, value in zip(fields, values):
            field[core] = value
    return ErlangAResult(*(out(f.reshape(shape)) for f in fields))
