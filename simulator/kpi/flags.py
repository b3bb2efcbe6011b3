"""Honest flags: the intervals whose simulated mean misses a target, and the figures
whose confidence interval is too wide to read much into.

A figure *misses* its target when its mean over the simulated days is on the wrong
side of it: below the service-level target, above the ASA, abandon-rate or occupancy
target (`simulator.model.targets`). An interval with no calls (the mean undefined)
misses nothing. The day meeting its target says nothing of its intervals: a day at 88%
service level can hold an hour at 16-52%; every page counts the intervals that miss.

A confidence interval is *wide* when its half-width is over `WIDE_POINTS` (5
percentage points) for a fraction, or over `WIDE_SHARE` (20%) of the mean for
anything else: more replications narrow it (the half-width falls as 1/sqrt(days)).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..model.scenario import Scenario
from ..model.targets import TARGETED, Goal, goal
from .registry import REGISTRY, UNITS
from .stats import confidence

WIDE_POINTS = 0.05  # a fraction's CI half-width above which it is wide (5 points)
WIDE_SHARE = 0.20  # any other KPI's CI half-width above this share of its mean
WIDE_RULE = (
    "a 95% CI is wide when its half-width is over 5 percentage points (fractions) or "
    "over 20% of the mean (other figures); more replications narrow it"
)


def meets(kpi: str, value: np.ndarray | float, target: np.ndarray | float) -> np.ndarray:
    """Whether `value` meets `target`: at or above it where higher is better (service
    level), at or below it otherwise. NaN meets nothing."""
    v = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore"):
        return v >= target if REGISTRY[kpi].higher_is_better else v <= target


def misses(kpi: str, mean: np.ndarray | float, target: float | None) -> np.ndarray:
    """Whether a defined `mean` is on the wrong side of `target` (never without one)."""
    m = np.asarray(mean, dtype=float)
    if target is None:
        return np.zeros(m.shape, dtype=bool)
    return np.isfinite(m) & ~meets(kpi, m, target)


def wide(kpi: str, mean, low, high) -> np.ndarray:
    """Whether each 95% CI is wide (see the module docstring); NaN ones are not."""
    mean, low, high = (np.asarray(v, dtype=float) for v in (mean, low, high))
    half = (high - low) / 2
    limit = WIDE_POINTS if UNITS.get(kpi) == "fraction" else WIDE_SHARE * np.abs(mean)
    with np.errstate(invalid="ignore"):
        return np.isfinite(half) & (half > limit)


def targeted(sc: Scenario, kpis, queue: str | None = None) -> dict[str, float]:
    """KPI -> target, for the KPIs of `kpis` that have a target at the centre (or in
    `queue`; a queue's occupancy is the centre's, so it is judged at the centre only)."""
    g: Goal = goal(sc, queue)
    out = {}
    for k in TARGETED:
        t = g.target(k)
        if t is not None and k in kpis and not (queue is not None and k == "occupancy"):
            out[k] = t
    return out


def interval_misses(
    sc: Scenario, samples: Mapping[str, np.ndarray], queue: str | None = None
) -> dict[str, np.ndarray]:
    """KPI -> per interval, whether the simulated mean misses its target; for every KPI
    with a target (the centre's, or `queue`'s). `samples[kpi]` is (days, intervals)."""
    return {
        k: misses(k, confidence(samples[k], kpi=k).mean, t)
        for k, t in targeted(sc, samples, queue).items()
    }


def any_miss(flags: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """Per interval, whether any target is missed there."""
    out = np.zeros(n, dtype=bool)
    for v in flags.values():
        out |= v
    return out
