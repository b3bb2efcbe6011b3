"""Handle time: its mean per interval (of the call's arrival) and its shape.

The shape is chosen by a stated criterion: lognormal and gamma are fitted by maximum
likelihood to the positive handle times, the one with the higher likelihood (equal
parameter counts, so the lower AIC) is taken unless its largest gap to the observed
distribution (Kolmogorov-Smirnov distance) exceeds `EMPIRICAL_KS`; then the observed
values themselves (empirical, a sample of `EMPIRICAL_VALUES` quantiles) are used.
A handle time of 0 s (a call answered and dropped at once) cannot be lognormal or gamma:
those are counted and left out of the parametric fits, kept in the empirical one.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..kpi.stats import CI, confidence

EMPIRICAL_KS = 0.05  # KS distance above which neither lognormal nor gamma is used
EMPIRICAL_VALUES = 200


@dataclass(frozen=True)
class Shape:
    """A fitted handle-time shape: its name, cv, log-likelihood, AIC and KS distance."""

    name: str
    cv: float
    loglik: float
    aic: float
    ks: float


@dataclass(frozen=True)
class HandleTime:
    """Handle time (seconds): overall mean with CI, per-interval mean with CI, the shape
    fits and the one chosen, and the empirical quantiles for an empirical choice."""

    mean: CI
    by_interval: CI
    calls_by_interval: np.ndarray
    fits: dict[str, Shape]
    chosen: str
    cv: float
    zeros: int
    values: list[float]

    def distribution(self, mean: float | None = None) -> dict:
        """The scenario's distribution for this handle time, at `mean` (default overall)."""
        m = float(self.mean.mean if mean is None else mean)
        if self.chosen == "empirical":
            scale = m / float(np.mean(self.values))
            return {
                "distribution": "empirical",
                "values": [round(v * scale, 1) for v in self.values],
            }
        return {"distribution": self.chosen, "mean": round(m, 2), "cv": round(self.cv, 4)}


def _fit(name: str, x: np.ndarray) -> Shape:
    law = stats.lognorm if name == "lognormal" else stats.gamma
    params = law.fit(x, floc=0)
    loglik = float(law.logpdf(x, *params).sum())
    mean, var = law.stats(*params, moments="mv")
    ks = float(stats.kstest(x, law.cdf, args=params).statistic)
    return Shape(name, float(np.sqrt(var) / mean), loglik, 4.0 - 2.0 * loglik, ks)


def writable(cv: float) -> bool:
    """A fitted shape's cv a scenario accepts (model.distributions: 0.001 to 10); a
    fit outside it (values nearly all alike) is no candidate."""
    return 1e-3 <= cv <= 10.0


def estimate_handle_time(handle: np.ndarray, interval: np.ndarray, n: int) -> HandleTime:
    """Handle time from answered calls' handle seconds and their arrival interval (0..n-1)."""
    handle = np.asarray(handle, dtype=float)
    positive = handle[handle > 0]
    fits = {}
    if len(positive) > 2 and np.ptp(positive) > 0:  # one value repeated: no shape to fit
        for name in ("lognormal", "gamma"):
            with contextlib.suppress(ValueError, RuntimeError):  # no fit: not a candidate
                fits[name] = _fit(name, positive)
    fits = {k: f for k, f in fits.items() if writable(f.cv)}
    best = min(fits.values(), key=lambda s: s.aic) if fits else None
    chosen = best.name if best and best.ks <= EMPIRICAL_KS else "empirical"
    cv = best.cv if best else float(np.std(handle) / np.mean(handle))
    q = (np.arange(EMPIRICAL_VALUES) + 0.5) / EMPIRICAL_VALUES
    values = [float(v) for v in np.quantile(handle, q)]
    sizes = np.bincount(interval, minlength=n)[:n]
    per = [_mean_ci(handle[interval == i]) for i in range(n)]
    return HandleTime(
        _mean_ci(handle),
        CI(*(np.array([c[j] for c in per]) for j in range(3))),
        sizes,
        fits,
        chosen,
        cv,
        int((handle <= 0).sum()),
        values,
    )


def _mean_ci(x: np.ndarray) -> CI:
    """Mean of independent values with its 95% Student-t interval (NaN if < 2)."""
    if len(x) < 2:
        m = float(x.mean()) if len(x) else np.nan
        return CI(m, np.nan, np.nan)
    c = confidence(x)
    return CI(float(c.mean), float(c.low), float(c.high))
