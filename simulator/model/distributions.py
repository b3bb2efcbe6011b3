"""Random durations from a planner's description: a mean in seconds and a cv.

Planners know "handle time averages 6 minutes, give or take half of that"; numpy
wants shape and scale. `draw` does that translation for every distribution a
scenario may name, matching the mean and the coefficient of variation (cv = standard
deviation / mean) exactly:

- exponential: cv 1, the memoryless textbook case (Erlang C and A assume it);
- lognormal: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2 (handle times);
- gamma: shape 1/cv^2, scale mean * cv^2;
- erlang: gamma with a whole number of phases k = 1/cv^2;
- deterministic: always the mean; uniform: mean +/- sqrt(3) * cv * mean;
- empirical: resampled from the observed values.

`durations` and `stream` hand the engine one value at a time from numpy batches, so
the engine pays for a Python float, not a numpy call, per draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np

from .scenario import Distribution

_BATCH = 1024


def draw(dist: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    """`size` independent durations (seconds) from `dist`."""
    kind, mean, cv = dist.distribution, dist.mean, dist.cv
    if kind == "exponential":
        return rng.exponential(mean, size)
    if kind == "lognormal":
        sigma2 = math.log1p(cv * cv)
        return rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2), size)
    if kind in ("gamma", "erlang"):
        shape = 1 / (cv * cv)
        if kind == "erlang":
            shape = round(shape)
        return rng.gamma(shape, mean / shape, size)
    if kind == "deterministic":
        return np.full(size, float(mean))
    if kind == "uniform":
        half = math.sqrt(3) * cv * mean
        return rng.uniform(mean - half, mean + half, size)
    if kind == "empirical":
        return rng.choice(np.asarray(dist.values, dtype=float), size)
    raise ValueError(f"unknown distribution {kind!r}")  # the scenario model forbids this


def stream(fill: Callable[[int], np.ndarray]) -> Callable[[], float]:
    """A function returning one value per call from a vectorised `fill(size)`, drawn
    in batches (a generator over Python floats: the cheapest draw Python offers)."""

    def values():
        while True:
            yield from fill(_BATCH).tolist()

    return partial(next, values())


def durations(dist: Distribution, rng: np.random.Generator) -> Callable[[], float]:
    """One duration (seconds) from `dist` per call, drawn with `rng`."""
    return stream(lambda size: draw(dist, rng, size))
