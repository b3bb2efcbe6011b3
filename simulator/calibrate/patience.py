"""Patience: how long callers would wait before hanging up, from censored waits.

A caller who hung up after w seconds shows a patience of w; a caller answered after w
seconds shows only that their patience was longer than w (censored by service). The
mean wait of those who hung up is therefore not the mean patience. Estimates here:

- Kaplan-Meier: the survival curve of patience, no shape assumed (lifelines);
- parametric fits with censoring (lifelines: exponential, lognormal, Weibull; gamma by
  maximum likelihood with scipy); the scenario takes the lowest-AIC shape it can name
  (exponential, lognormal, gamma);
- the ratio estimator: abandons / total seconds waited by all callers, the hazard of
  hanging up averaged over the time callers actually spent waiting. Its inverse is the
  exponential patience mean with the same hazard where callers wait: the hazard-matched
  input Erlang A needs (the mean of a heavy-tailed fit is not);
- the abandonment-time profile: the share of abandoners gone within 30, 60 and 180 s.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from math import lgamma

import numpy as np
from scipy import optimize, stats

from ..kpi.stats import CI
from .handling import writable

PROFILE_SECONDS = (30, 60, 180)
SCENARIO_SHAPES = ("exponential", "lognormal", "gamma")


@dataclass(frozen=True)
class PatienceFit:
    """A censored fit: mean and cv (seconds), median, AIC."""

    name: str
    mean: float
    cv: float
    median: float
    aic: float


@dataclass(frozen=True)
class Patience:
    """Patience estimates from waits (s) and whether each caller abandoned."""

    callers: int
    abandons: int
    abandoner_mean_wait: float
    ratio_mean: CI  # 1 / ratio estimator, seconds
    km_times: np.ndarray
    km_survival: np.ndarray
    km_median: float
    fits: dict[str, PatienceFit]
    chosen: str
    profile: dict[int, float]

    def distribution(self) -> dict:
        """The scenario's patience: the chosen shape's mean (and cv)."""
        fit = self.fits[self.chosen]
        if fit.name == "exponential":
            return {"distribution": "exponential", "mean": round(fit.mean, 1)}
        return {"distribution": fit.name, "mean": round(fit.mean, 1), "cv": round(fit.cv, 4)}


def _gamma_fit(t: np.ndarray, event: np.ndarray) -> PatienceFit:
    """Gamma with right censoring by maximum likelihood (log shape, log scale)."""

    def nll(p: np.ndarray) -> float:
        k, s = np.exp(p)
        return -float(
            stats.gamma.logpdf(t[event], k, scale=s).sum()
            + stats.gamma.logsf(t[~event], k, scale=s).sum()
        )

    start = np.log([1.0, max(t.sum() / max(event.sum(), 1), 1.0)])
    res = optimize.minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-6}
    )
    k, s = np.exp(res.x)
    return PatienceFit(
        "gamma", k * s, 1 / np.sqrt(k), float(stats.gamma.median(k, scale=s)), 4 + 2 * res.fun
    )


def _lifelines_fits(t: np.ndarray, event: np.ndarray) -> dict[str, PatienceFit]:
    """Exponential, lognormal and Weibull fits with censoring; a shape whose fit does
    not converge (waits all alike, say) is left out of the choice."""
    from lifelines import ExponentialFitter, LogNormalFitter, WeibullFitter
    from lifelines.exceptions import ConvergenceError, StatisticalWarning

    fits = {}
    warnings.simplefilter("ignore", StatisticalWarning)  # the caller's catch_warnings
    exp = ExponentialFitter().fit(t, event)
    fits["exponential"] = PatienceFit(
        "exponential", float(exp.lambda_), 1.0, float(exp.lambda_ * np.log(2)), float(exp.AIC_)
    )
    with contextlib.suppress(ConvergenceError, ValueError, np.linalg.LinAlgError):
        ln = LogNormalFitter().fit(t, event)
        mu, sigma = float(ln.mu_), float(ln.sigma_)
        fits["lognormal"] = PatienceFit(
            "lognormal",
            float(np.exp(mu + sigma**2 / 2)),
            float(np.sqrt(np.expm1(sigma**2))),
            float(np.exp(mu)),
            float(ln.AIC_),
        )
    with contextlib.suppress(ConvergenceError, ValueError, np.linalg.LinAlgError):
        wb = WeibullFitter().fit(t, event)
        lam, rho = float(wb.lambda_), float(wb.rho_)
        mean = float(lam * np.exp(lgamma(1 + 1 / rho)))
        var = lam**2 * np.exp(lgamma(1 + 2 / rho)) - mean**2
        fits["weibull"] = PatienceFit(
            "weibull",
            mean,
            float(np.sqrt(max(var, 0)) / mean),
            float(lam * np.log(2) ** (1 / rho)),
            float(wb.AIC_),
        )
    return fits


def estimate_patience(wait: np.ndarray, abandoned: np.ndarray) -> Patience:
    """Patience from every accepted caller's wait (s) and outcome (abandoned or not)."""
    from lifelines import KaplanMeierFitter

    wait = np.asarray(wait, dtype=float)
    abandoned = np.asarray(abandoned, dtype=bool)
    n_ab = int(abandoned.sum())
    total = float(wait.sum())
    # a wait of 0 carries no information on patience, except a caller who hung up at
    # once: fits need t > 0, so those get half a second (the log's resolution is 1 s)
    t = np.where(wait > 0, wait, 0.5)
    keep = (wait > 0) | abandoned
    t, ev = t[keep], abandoned[keep]
    km = KaplanMeierFitter().fit(t, ev)
    sf = km.survival_function_.iloc[:, 0]
    with warnings.catch_warnings():  # lifelines' doubts about a fit: the AIC decides
        fits = _lifelines_fits(t, ev) | {"gamma": _gamma_fit(t, ev)}
    candidates = (f for f in fits.values() if f.name in SCENARIO_SHAPES and writable(f.cv))
    chosen = min(candidates, key=lambda f: f.aic).name  # the exponential's cv is 1
    if n_ab:
        rate = n_ab / total
        half = 1.96 / np.sqrt(n_ab)  # Poisson count of abandons over the exposure
        ratio = CI(1 / rate, 1 / (rate * (1 + half)), 1 / (rate * max(1 - half, 1e-9)))
        ab_wait = wait[abandoned]
        profile = {s: float((ab_wait <= s).mean()) for s in PROFILE_SECONDS}
        mean_ab = float(ab_wait.mean())
    else:
        ratio = CI(np.inf, np.inf, np.inf)
        profile = {s: np.nan for s in PROFILE_SECONDS}
        mean_ab = np.nan
    median = float(km.median_survival_time_)
    return Patience(
        len(wait),
        n_ab,
        mean_ab,
        ratio,
        sf.index.to_numpy(dtype=float),
        sf.to_numpy(dtype=float),
        median,
        fits,
        chosen,
        profile,
    )
