"""M/M/n/K+M solved state by state: agents, a line limit and impatient callers.

Slower than the formulas and independent of them: the witness that the simulator and
the tests compare against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._numerics import CUT, FloatOrArray, floats, log_poisson, out, require


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
        if death[-1] > lam and last < top - CUT - 5:
            break  # death rates only grow: the rest is negligible
        if s0 > 10**7:
            raise ValueError("no steady state: no line limit, no abandonment and load >= agents")
    log_p = np.concatenate(logs)
    if log_p.size <= lines:  # cut short of K: drop the negligible tail blocks
        log_p = log_p[: np.flatnonzero(log_p >= top - CUT - 5)[-1] + 1]
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
    weights = np.exp(log_poisson(np.arange(ticks + 1.0), mean))
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
    lam, mu, n, K, theta, T = floats(
        arrival_rate, service_rate, agents, lines, abandon_rate, threshold
    )
    require((lam > 0) & (mu > 0), "arrival_rate and service_rate must be > 0")
    require((n >= 1) & (n == np.round(n)), "agents must be a whole number >= 1")
    require((n <= K) & ((np.round(K) == K) | np.isinf(K)), "lines must be whole and >= agents")
    require(theta >= 0, "abandon_rate must be >= 0")
    require(T >= 0, "threshold must be >= 0 seconds")
    rows = [
        _mmnk_point(float(la), float(m), int(k), float(cap), float(th), float(t))
        for la, m, k, cap, th, t in zip(
            lam.ravel(), mu.ravel(), n.ravel(), K.ravel(), theta.ravel(), T.ravel()
        )
    ]
    columns = np.array(rows, dtype=float).reshape(lam.size, 7).T
    return MMNKResult(*(out(c.reshape(lam.shape)) for c in columns))
