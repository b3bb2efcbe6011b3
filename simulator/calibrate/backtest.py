"""Backtest: what the log shows beside what the scenario predicts, per interval and day.

The observed side is the log's mean over its days, with the day-to-day 95% interval.
The simulated side runs the scenario and reads its calls back through the same log
reader (`callsim` format), so both sides are measured by one function on one grid.
Erlang C and Erlang A are computed per interval from the scenario's volumes, handle
time and mean staffing; Erlang A's patience is the hazard-matched mean, 1 / (abandons ÷
seconds waited) in the log, not the mean of a fitted patience distribution.

Errors are mean absolute errors over the intervals (points of service level and
abandonment, seconds of ASA). The noise floor is what a perfect model would score
against the observed mean of D days: per interval E|N(0, s^2/D)| = s sqrt(2/(pi D)),
with s the day-to-day standard deviation, averaged over the intervals.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..erlang import erlang_a, erlang_c_asa, erlang_c_service_level
from ..kpi.stats import CI, confidence
from ..model.handling import effective_handle_means
from ..model.scenario import Scenario
from ..run.runner import simulate
from .grid import Grid, counts
from .logs import _from_callsim
from .patience import PROFILE_SECONDS
from .schema import CallLog, LogError

if TYPE_CHECKING:
    from .daily import ByDate

KPIS = ("offered", "service_level", "asa", "abandon_rate")
ERROR_KPIS = ("service_level", "asa", "abandon_rate")


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def observed_kpis(
    calls: pd.DataFrame, days: list, grid: Grid, threshold: float
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """KPIs per (day, interval) and per day from calls in the schema (self-service out)."""
    calls = calls[calls["outcome"] != "self_service"]
    ans = calls[calls["outcome"] == "answered"]
    aban = calls[calls["outcome"] == "abandoned"]
    fast = ans[ans["wait"] <= threshold]
    offered = counts(calls, days, grid)
    blocked = counts(calls[calls["outcome"] == "blocked"], days, grid)
    answered = counts(ans, days, grid)
    abandoned = counts(aban, days, grid)
    in_sl = counts(fast, days, grid)
    wait_sum = _weighted(ans, days, grid)
    sums = {
        "offered": offered,
        "accepted": offered - blocked,
        "answered": answered,
        "abandoned": abandoned,
        "in_sl": in_sl,
        "wait": wait_sum,
    }

    def kpis(s: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {
            "offered": s["offered"],
            "service_level": _ratio(s["in_sl"], s["accepted"]),
            "asa": _ratio(s["wait"], s["answered"]),
            "abandon_rate": _ratio(s["abandoned"], s["accepted"]),
        }

    return kpis(sums), kpis({k: v.sum(axis=1) for k, v in sums.items()})


def _weighted(calls: pd.DataFrame, days: list, grid: Grid) -> np.ndarray:
    day_index = {d: i for i, d in enumerate(days)}
    k = grid.index(calls["arrival"].to_numpy())
    keep = k >= 0
    out = np.zeros((len(days), grid.n))
    np.add.at(
        out, (calls["day"].map(day_index).to_numpy()[keep], k[keep]), calls["wait"].to_numpy()[keep]
    )
    return out


def abandon_profile(calls: pd.DataFrame, days: list, grid: Grid) -> dict[int, CI]:
    """Share of the day's abandoners gone within 30, 60 and 180 s: mean over days, CI."""
    ab = calls[(calls["outcome"] == "abandoned") & (grid.index(calls["arrival"].to_numpy()) >= 0)]
    waits = {d: w.to_numpy() for d, w in ab.groupby("day")["wait"]}
    out = {}
    for s in PROFILE_SECONDS:
        share = [float((waits[d] <= s).mean()) if d in waits else np.nan for d in days]
        ci = confidence(np.array(share), kpi="abandon_rate")  # a share: kept within 0-1
        out[s] = CI(*(float(v) for v in ci))
    return out


def ratio_patience(log: CallLog, grid: Grid) -> float:
    """1 / (abandons ÷ seconds waited) over the log's open intervals, seconds."""
    q = log.queued
    q = q[(grid.index(q["arrival"].to_numpy()) >= 0) & (q["outcome"] != "blocked")]
    ab = int((q["outcome"] == "abandoned").sum())
    return float(q["wait"].sum() / ab) if ab else float("inf")


def _scenario_inputs(sc: Scenario, grid: Grid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calls, load-weighted effective AHT (handle + not-ready, s) and mean agents per log
    interval, from the scenario."""
    per = grid.minutes // sc.interval_minutes
    offset = round((grid.open_s - _open_s(sc)) / sc.interval_seconds)
    vol = np.array([q.volumes for q in sc.queues.values()], dtype=float)
    work = vol * effective_handle_means(sc)  # handle + not-ready time, per interval
    staffing = np.sum([g.staffing for g in sc.agents.values()], axis=0).astype(float)

    def regroup(x: np.ndarray, how) -> np.ndarray:
        out = np.full(grid.n, np.nan)
        for i in range(grid.n):
            lo = offset + i * per
            if lo >= 0 and lo + per <= len(x):
                out[i] = how(x[lo : lo + per])
        return out

    calls = regroup(vol.sum(axis=0), np.sum)
    aht = _ratio(regroup(work.sum(axis=0), np.sum), calls)
    return calls, aht, regroup(staffing, np.mean)


def _open_s(sc: Scenario) -> float:
    h, m = sc.open.split(":")
    return int(h) * 3600.0 + int(m) * 60.0


def erlang_predictions(
    sc: Scenario, grid: Grid, patience: float
) -> dict[str, dict[str, np.ndarray]]:
    """Erlang C and Erlang A (hazard-matched patience) KPIs per log interval."""
    calls, aht, agents = _scenario_inputs(sc, grid)
    load = calls * aht / grid.length
    ok = (load > 0) & (agents > 0)
    T = sc.service_level.seconds
    out: dict[str, dict[str, np.ndarray]] = {}
    for method in ("erlang_c", "erlang_a"):
        res = {k: np.full(grid.n, np.nan) for k in KPIS}
        res["offered"] = calls
        a, n, h = load[ok], agents[ok], aht[ok]
        if method == "erlang_c":
            stable = n > a
            res["service_level"][ok] = np.where(stable, erlang_c_service_level(a, n, h, T), 0.0)
            res["asa"][ok] = np.where(
                stable, erlang_c_asa(a, np.where(stable, n, a + 1), h), np.inf
            )
            res["abandon_rate"][ok] = 0.0
        else:
            r = erlang_a(a, n, h, patience, T)
            res["service_level"][ok], res["asa"][ok] = r.service_level, r.asa
            res["abandon_rate"][ok] = r.abandon_rate
        out[method] = res
    return out


@dataclass
class Backtest:
    """Observed (CI over days), simulated (CI over replications) and Erlang C / A per
    interval and for the day; errors and noise floor per KPI."""

    grid: Grid
    days: int
    replications: int
    observed: dict[str, CI]
    simulated: dict[str, CI]
    erlang: dict[str, dict[str, np.ndarray]]
    observed_day: dict[str, CI]
    simulated_day: dict[str, CI]
    noise_floor: dict[str, float]
    mae: dict[str, dict[str, float]]
    patience: float
    profile: dict[str, dict[int, CI]]  # "observed" / "simulated" -> seconds -> share
    by_date: ByDate | None = None  # a scenario with dates: day by day

    def table(self) -> pd.DataFrame:
        """One row per interval: observed, simulated, Erlang C and A for each KPI."""
        rows: dict[str, Any] = {"start": self.grid.starts}
        for k in KPIS:
            rows[f"{k}_observed"] = self.observed[k].mean
            rows[f"{k}_observed_low"] = self.observed[k].low
            rows[f"{k}_observed_high"] = self.observed[k].high
            rows[f"{k}_simulated"] = self.simulated[k].mean
            rows[f"{k}_simulated_low"] = self.simulated[k].low
            rows[f"{k}_simulated_high"] = self.simulated[k].high
            rows[f"{k}_erlang_c"] = self.erlang["erlang_c"][k]
            rows[f"{k}_erlang_a"] = self.erlang["erlang_a"][k]
        return pd.DataFrame(rows)


def mean_abs_error(model: np.ndarray, observed: np.ndarray, scale: float) -> float:
    d = np.abs(np.asarray(model, float) - observed)
    d = d[np.isfinite(d)]
    return float(d.mean() * scale) if len(d) else float("nan")


def _errors(
    obs: dict[str, np.ndarray],
    observed: dict[str, CI],
    simulated: dict[str, CI],
    erl: dict[str, dict[str, np.ndarray]],
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The noise floor and each model's MAE over the intervals, per KPI."""
    floor, mae = {}, {}
    for k in ERROR_KPIS:
        scale = 1.0 if k == "asa" else 100.0
        valid = (~np.isnan(obs[k])).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # one day: no floor (NaN)
            sd = np.nanstd(obs[k], axis=0, ddof=1)
            per = sd * np.sqrt(2 / (np.pi * valid))
            floor[k] = float(np.nanmean(per) * scale)
        mae[k] = {
            m: mean_abs_error(
                simulated[k].mean if m == "simulation" else erl[m][k], observed[k].mean, scale
            )
            for m in ("simulation", "erlang_c", "erlang_a")
        }
    return floor, mae


def backtest(
    log: CallLog, sc: Scenario, grid: Grid, replications: int | None = None, seed: int | None = None
) -> Backtest:
    """Compare `log` (already restricted to the days to compare) with scenario `sc` on
    `grid`; a scenario with dates (a replay) is also compared date by date (`by_date`)."""
    if not log.days:  # every row left out, or none on the weekdays chosen
        raise LogError([f"{log.source}: no calls offered to agents on the days chosen"])
    T = sc.service_level.seconds
    reps = replications or sc.simulation.replications
    seed = sc.simulation.seed if seed is None else seed
    patience = ratio_patience(log, grid)
    by_date = None
    if sc.horizon is None:
        res = simulate(sc, reps, seed, keep_records=True)
        sim_log = _from_callsim(res.calls, "simulation", _open_s(sc))
        sim_days, erl = sim_log.days, erlang_predictions(sc, grid, patience)
    else:
        from . import daily  # it builds on this module's functions

        dates = daily.horizon_dates(sc)
        log = log.on_dates(dates)
        if not log.days:
            raise LogError(
                [f"{log.source}: none of the scenario's {len(dates)} dates "
                 f"({dates[0]} to {dates[-1]}) is in the log (on the weekdays chosen)"]
            )  # fmt: skip
        sim_log, sim_days = daily.simulate_dates(sc, reps, seed)
        erl, erl_day = daily.erlang_by_date(sc, grid, patience)
    days = log.days
    obs, obs_day = observed_kpis(log.calls, days, grid, T)
    sim, sim_day = observed_kpis(sim_log.calls, sim_days, grid, T)
    if sc.horizon is not None:
        observed_by_date = observed_kpis(log.calls, [pd.Timestamp(d) for d in dates], grid, T)[1]
        by_date = daily.compare_dates(dates, observed_by_date, sim_day, erl_day, reps)
    observed = {k: confidence(v, kpi=k) for k, v in obs.items()}  # CIs within 0-1, >= 0
    simulated = {k: confidence(v, kpi=k) for k, v in sim.items()}
    floor, mae = _errors(obs, observed, simulated, erl)
    return Backtest(
        grid,
        len(days),
        reps,
        observed,
        simulated,
        erl,
        {k: confidence(v, kpi=k) for k, v in obs_day.items()},
        {k: confidence(v, kpi=k) for k, v in sim_day.items()},
        floor,
        mae,
        patience,
        {
            "observed": abandon_profile(log.calls, days, grid),
            "simulated": abandon_profile(sim_log.calls, sim_days, grid),
        },
        by_date,
    )
