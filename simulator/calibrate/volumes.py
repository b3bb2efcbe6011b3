"""Volumes: calls offered per interval over the log's days, and how much days differ.

A Poisson forecast says a day's volume varies by about its square root. Real days vary
more: some are simply busier. With a day's busyness factor B (mean 1, coefficient of
variation c) scaling every interval's rate, an interval's count has variance
lambda + c^2 lambda^2, and the day's total T has var(T) = E[T] + c^2 E[T]^2, so

    c^2 = (var(T) - mean(T)) / mean(T)^2        (method of moments, 0 if negative).

It is material when the dispersion test (sum (T_d - mean)^2 / mean ~ chi^2 with D - 1
degrees of freedom under Poisson) rejects at the 1% level: the scenario then gets a
gamma busyness factor with that cv. Its 95% interval comes from resampling days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..kpi.stats import CI, confidence

MATERIAL_P = 0.01  # dispersion test level at which day-to-day busyness is modelled


@dataclass(frozen=True)
class Volumes:
    """Offered calls per interval: mean over days with a 95% CI, and overdispersion.

    `per_day` is days x intervals; `dispersion` the variance / mean per interval;
    `busyness_cv` the day factor's cv with its CI; `p_poisson` the dispersion test's
    p-value for the daily totals (small: days differ more than Poisson allows).
    """

    per_day: np.ndarray
    mean: CI
    dispersion: np.ndarray
    busyness_cv: CI
    p_poisson: float

    @property
    def material(self) -> bool:
        return self.p_poisson < MATERIAL_P and self.busyness_cv.mean > 0


def _cv(totals: np.ndarray) -> float:
    m = totals.mean()
    if m <= 0 or len(totals) < 2:
        return 0.0
    return float(np.sqrt(max(totals.var(ddof=1) - m, 0.0)) / m)


def estimate_volumes(per_day: np.ndarray, seed: int = 1) -> Volumes:
    """Volumes from the days x intervals counts of offered calls."""
    days = per_day.shape[0]
    totals = per_day.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN: one day, or no calls
        dispersion = (
            per_day.var(axis=0, ddof=1) / per_day.mean(axis=0)
            if days > 1
            else np.full(per_day.shape[1], np.nan)
        )
    mean = totals.mean()
    chi2 = float(((totals - mean) ** 2).sum() / mean) if mean > 0 else 0.0
    p = float(stats.chi2.sf(chi2, days - 1)) if days > 1 else 1.0
    rng = np.random.default_rng(seed)
    boot = [_cv(totals[rng.integers(0, days, days)]) for _ in range(400)] if days > 1 else [0.0]
    cv = CI(_cv(totals), float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975)))
    return Volumes(per_day, confidence(per_day), dispersion, cv, p)
