"""Backtest day by day: a replay scenario (`calibrate --replay`, a horizon of the log's
dates) simulated date by date, beside what the log shows on the same date.

The horizon is simulated as `callsim run` does (each stretch, a day or days with no
close between them, with its own volumes, staffing and random streams), and its calls
read back through the log reader, one simulated day per (date, replication).
Per date the day's KPIs are compared: the log's (one observed day) with the
simulation's mean over replications and with Erlang A (the intervals' predictions
weighted by calls: by offered calls for service level and abandonment, by answered
calls for ASA).

A perfect model still misses a single observed day by that day's own randomness: the
noise floor per date is E|X - mean| for X a day drawn from the model, s sqrt(2/pi)
with s the replications' standard deviation, averaged over the dates.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..kpi.stats import CI, confidence
from ..model.clock import clock_minutes
from ..model.horizon import Day, Stretch, stretch_scenario
from ..model.scenario import Scenario
from ..run.runner import simulate
from .backtest import ERROR_KPIS, KPIS, erlang_predictions, mean_abs_error
from .grid import Grid
from .logs import CALLSIM_FIRST_DAY, _from_callsim
from .schema import CallLog

WEIGHT = {"service_level": "offered", "abandon_rate": "offered", "asa": "answered"}


@dataclass(frozen=True)
class ByDate:
    """Per date of the horizon: the log's day KPIs, the simulation's (CI over
    replications) and Erlang A's; errors (MAE over dates) and the noise floor."""

    dates: list[dt.date]
    observed: dict[str, np.ndarray]
    simulated: dict[str, CI]
    erlang_a: dict[str, np.ndarray]
    mae: dict[str, dict[str, float]]
    noise_floor: dict[str, float]

    def table(self) -> pd.DataFrame:
        """One row per date: the log's, the simulation's (with CI) and Erlang A's KPIs."""
        rows: dict[str, object] = {"date": [d.isoformat() for d in self.dates]}
        for k in KPIS:
            rows[f"{k}_observed"] = self.observed[k]
            rows[f"{k}_simulated"] = self.simulated[k].mean
            rows[f"{k}_simulated_low"] = self.simulated[k].low
            rows[f"{k}_simulated_high"] = self.simulated[k].high
            if k in self.erlang_a:
                rows[f"{k}_erlang_a"] = self.erlang_a[k]
        return pd.DataFrame(rows)


def dated_days(sc: Scenario) -> list[Day]:
    """The scenario's open days, each with its date (ValueError without one)."""
    days = sc.days()
    if sc.horizon is None or any(d.date is None for d in days):
        raise ValueError("a day-by-day backtest needs a scenario with dates (calibrate --replay)")
    return days


def horizon_dates(sc: Scenario) -> list[dt.date]:
    """The dates of the scenario's open days."""
    return [d.date for d in dated_days(sc) if d.date is not None]


def simulate_dates(
    sc: Scenario, replications: int, seed: int
) -> tuple[CallLog, list[pd.Timestamp]]:
    """The horizon simulated (as `callsim run` does: each stretch with its own streams)
    and its calls as one log whose days are (date, replication), numbered date after
    date (so day-level arrays reshape to dates x replications), each call on its own
    date's clock (seconds after that day's midnight)."""
    days = dated_days(sc)
    res = simulate(sc, replications, seed, keep_records=True)
    calls = _from_callsim(res.calls, "simulation", 0.0).calls
    rep = (calls["day"] - CALLSIM_FIRST_DAY).dt.days.to_numpy()
    first = np.array([d.first for d in days])
    which = np.searchsorted(first, res.calls["interval"].to_numpy(), side="right") - 1
    shift = np.array([clock_minutes(d.open) * 60.0 - d.offset for d in days])[which]
    number = which * replications + rep
    calls = calls.assign(
        day=CALLSIM_FIRST_DAY + pd.to_timedelta(number, unit="D"),
        arrival=calls["arrival"] + shift,
        answer=calls["answer"] + shift,
    )
    sim_days = list(
        CALLSIM_FIRST_DAY + pd.to_timedelta(np.arange(len(days) * replications), unit="D")
    )
    return CallLog(calls, "simulation", "callsim"), sim_days


def erlang_by_date(
    sc: Scenario, grid: Grid, patience: float
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """Erlang C and A per log interval, the mean over the dates (each date from its own
    volumes and staffing; an interval a date's agents cannot carry, where Erlang C's
    ASA is infinite, is left out of that mean), and Erlang A's day KPIs per date
    (calls-weighted)."""
    per_date = [
        erlang_predictions(stretch_scenario(sc, Stretch((day,))), grid, patience)
        for day in dated_days(sc)
    ]
    mean = {
        method: {k: _nanmean([d[method][k] for d in per_date]) for k in KPIS}
        for method in ("erlang_c", "erlang_a")
    }
    day: dict[str, np.ndarray] = {}
    for k, weight in WEIGHT.items():
        a = np.array([d["erlang_a"][k] for d in per_date])
        offered = np.array([d["erlang_a"]["offered"] for d in per_date])
        w = offered * (1 - np.array([d["erlang_a"]["abandon_rate"] for d in per_date]))
        w = offered if weight == "offered" else w
        ok = np.isfinite(a) & np.isfinite(w)
        with np.errstate(invalid="ignore", divide="ignore"):
            day[k] = np.where(ok, a * w, 0).sum(axis=1) / np.where(ok, w, 0).sum(axis=1)
    return mean, day


def _nanmean(rows: list[np.ndarray]) -> np.ndarray:
    x = np.array(rows, dtype=float)
    x = np.where(np.isfinite(x), x, np.nan) if x.size else x
    with np.errstate(invalid="ignore"):
        counts = (~np.isnan(x)).sum(axis=0)
        return np.where(counts > 0, np.nansum(x, axis=0) / np.maximum(counts, 1), np.nan)


def compare_dates(
    dates: list[dt.date],
    observed_day: dict[str, np.ndarray],
    simulated_day: dict[str, np.ndarray],
    erlang_day: dict[str, np.ndarray],
    replications: int,
) -> ByDate:
    """Day KPIs per date: the log's, the simulation's ((date, replication) days, date
    after date) and Erlang A's, with the MAE over dates and the noise floor."""
    sim = {k: simulated_day[k].reshape(len(dates), replications) for k in KPIS}
    simulated = {k: confidence(v, axis=1, kpi=k) for k, v in sim.items()}
    mae, floor = {}, {}
    for k in ERROR_KPIS:
        scale = 1.0 if k == "asa" else 100.0
        mae[k] = {
            "simulation": mean_abs_error(simulated[k].mean, observed_day[k], scale),
            "erlang_a": mean_abs_error(erlang_day[k], observed_day[k], scale),
        }
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a date without calls: NaN
            sd = np.nanstd(sim[k], axis=1, ddof=1)
            floor[k] = float(np.nanmean(sd) * np.sqrt(2 / np.pi) * scale)
    return ByDate(dates, observed_day, simulated, erlang_day, mae, floor)
