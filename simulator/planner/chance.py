"""Chance targets under forecast uncertainty: how often a plan meets its targets when
the day's busyness is random, and the staffing that meets them on a share of days.

A forecast is a mean; the day comes out busier or quieter. With a daily busyness
factor X (mean 1, gamma with coefficient of variation `cv`, as calibration measures
it) the day's load in a cell is ``load * X``. Every KPI gets worse as the load grows,
so at n agents a cell meets every target exactly when ``X <= x*``, the largest factor
at which it still does (found by bisection on the formula's KPIs, `predict`), and

    share of days meeting the targets = P(X <= x*) = GammaCDF(x*; 1/cv², cv²).

This is Whitt's (2006) view of staffing with an uncertain arrival rate: at 10 Erlangs,
AHT 180 s, 80/20 and cv 10%, Erlang C's 14 agents give an expected service level of
88.8% but meet 80/20 on only 81.0% of days; 15 agents on 95.7%. A *chance target*
"meets the targets on at least p of days" asks, per cell, for the fewest agents
whose share is >= p. Within-day Poisson noise is not in these figures (they are the
steady-state formulas'); the simulation adds it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

from ..erlang import fewest_agents
from ..model.scenario import Scenario
from .predict import meets_targets, predict
from .requirement import required_agents

_BISECTIONS = 60  # the critical factor to 2^-60 of its bracket


def largest_factor(ok: Callable[[np.ndarray], np.ndarray], cells: np.ndarray) -> np.ndarray:
    """Per cell, the largest factor x >= 0 with ``ok(x)`` (x an array shaped like `cells`),
    for a property that holds up to some factor and fails beyond it (bisection to 2^-60
    of its bracket); inf outside `cells`, 0 where no factor holds."""
    out = np.full(cells.shape, np.inf)
    if not cells.any():
        return out
    lo, hi = np.zeros(cells.shape), np.ones(cells.shape)
    for _ in range(64):  # widen until every cell fails at hi
        still = ok(hi) & cells
        if not still.any():
            break
        lo, hi = np.where(still, hi, lo), np.where(still, 2.0 * hi, hi)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        good = ok(mid) & cells
        lo, hi = np.where(good, mid, lo), np.where(good, hi, mid)
    out[cells] = lo[cells]
    return out


def critical_factor(sc: Scenario, method: str, load: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """Per (queue, interval), the largest busyness factor x at which `agents` still meet
    every target at load x * `load` (inf without load; 0 if no factor does)."""
    return largest_factor(
        lambda x: meets_targets(sc, predict(sc, method, load * x, agents)), load > 0
    )


def share_of_days(
    sc: Scenario, method: str, load: np.ndarray, agents: np.ndarray, cv: float
) -> np.ndarray:
    """Share of days on which each (queue, interval) meets every target at `agents`, with
    a gamma daily busyness factor of mean 1 and coefficient of variation `cv` (> 0)."""
    if not (np.isfinite(cv) and cv > 0):
        raise ValueError(f"busyness_cv: must be a number > 0 (got {cv!r})")
    x = critical_factor(sc, method, load, agents)
    return np.where(np.isinf(x), 1.0, stats.gamma.cdf(x, 1.0 / cv**2, scale=cv**2))


def chance_requirement(
    sc: Scenario, method: str, load: np.ndarray, cv: float, days: float, start: np.ndarray
) -> np.ndarray:
    """Fewest whole agents per (queue, interval), at least `start` (the mean-load
    requirement), meeting every target on at least a share `days` of days."""
    if not 0 < days < 1:
        raise ValueError(f"days_meeting: must be a share between 0 and 1 (got {days!r})")
    need = np.asarray(start, dtype=np.int64).copy()
    cells = np.flatnonzero(load.ravel() > 0)
    if cells.size == 0:
        return need
    flat = load.ravel()

    def meets(points: np.ndarray, n: np.ndarray) -> np.ndarray:
        a, m = np.zeros(flat.size), np.ones(flat.size)
        a[cells[points]], m[cells[points]] = flat[cells[points]], n
        share = share_of_days(sc, method, a.reshape(load.shape), m.reshape(load.shape), cv)
        return share.ravel()[cells[points]] >= days

    lo = need.ravel()[cells] - 1.0
    need.flat[cells] = fewest_agents(meets, lo, lo + 1.0)
    return need


def chance_increment(
    sc: Scenario, method: str, load: np.ndarray, cv: float, days: float
) -> np.ndarray:
    """Agents per (queue, interval) that the chance target "every target met on at least
    a share `days` of days" adds, by `method`, to the mean-load requirement: where a
    simulation search for that target starts from its own mean-target staffing."""
    mean = required_agents(sc, method, load)
    return chance_requirement(sc, method, load, cv, days, mean) - mean
