"""Calibration: from a per-call log to a scenario, each estimate with its uncertainty.

`calibrate(log, interval_minutes, ...)` chooses the open intervals, estimates volumes
(and their day-to-day overdispersion), handle time per interval and its shape, patience
with censoring, agents available per interval (presence and not-ready time) and the
priority rule, and writes them as a scenario (`Calibration.scenario`, plain data that
`simulator.parse_scenario` accepts). The modules beside this one say how each estimate
is made; `simulator.report.calibration` presents them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..model.limits import MAX_INTERVALS
from ..model.load import parse_scenario
from ..model.scenario import Scenario
from .agents import GAP_MINUTES, Agents, estimate_agents, peak_in_service
from .grid import Grid, counts, open_grid
from .handling import HandleTime, estimate_handle_time
from .patience import Patience, estimate_patience
from .priority import HeadStart, estimate_head_start
from .schema import CallLog, LogError
from .volumes import Volumes, estimate_volumes
from .writer import DayEstimates, build_scenario

HIGH_PRIORITY = 2  # the Anonymous Bank's high-priority class
NOT_READY_VALUES = 200


@dataclass
class Calibration:
    """Every estimate of a calibration, and the scenario written from them."""

    log: CallLog
    weekdays: list[str] | None
    grid: Grid
    staff_grid: Grid
    volumes: Volumes
    handle: HandleTime
    patience: Patience | None
    agents: Agents
    staff_agents: Agents
    head_start: HeadStart | None
    scenario: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    outside: int = 0  # offered calls outside the open intervals

    @property
    def model(self) -> Scenario:
        return parse_scenario(self.scenario)

    @property
    def hazard_patience(self) -> float:
        """The patience mean Erlang A should use: 1 / ratio estimator (seconds)."""
        return float(self.patience.ratio_mean.mean) if self.patience else float("inf")


def _not_ready(agents: Agents) -> dict | None:
    """The not-ready gaps as an empirical distribution (quantiles), or None where there
    is none to speak of: under 10 gaps, or a mean under half a second (the log's
    resolution is a second)."""
    gaps = agents.not_ready
    if len(gaps) < 10 or gaps.mean() < 0.5:
        return None
    q = (np.arange(NOT_READY_VALUES) + 0.5) / NOT_READY_VALUES
    values = [round(float(v), 1) for v in np.quantile(gaps, q)]
    return {"distribution": "empirical", "values": values} if sum(values) > 0 else None


def _class_volumes(
    calls: pd.DataFrame, days: list, grid: Grid, head: HeadStart | None, replay: bool
) -> dict[str, np.ndarray]:
    """Offered calls per class, days x intervals: each day's own (a replay) or the mean
    day (one row). The priority class is apart only where the log shows a rule."""
    apart = head is not None and head.decisions > 0
    high = (calls["priority"] == HIGH_PRIORITY).to_numpy() if apart else np.zeros(len(calls), bool)
    per_class = {"calls": counts(calls[~high], days, grid)}
    if apart:
        per_class["priority"] = counts(calls[high], days, grid)
    return per_class if replay else {k: v.mean(axis=0, keepdims=True) for k, v in per_class.items()}


def _staff_minutes(grid: Grid, days: int, wanted: int) -> int:
    """The finest staffing step from `wanted` minutes up to the grid's whose days fit
    the scenario's interval limit (a replay of many days may need a coarser one)."""
    steps = [m for m in (15, 30, 60) if min(wanted, grid.minutes) <= m <= grid.minutes]
    for minutes in steps:
        if days * grid.n * grid.minutes // minutes <= MAX_INTERVALS:
            return minutes
    raise LogError(
        [
            f"--replay: {days} days of {grid.n} {grid.minutes}-minute intervals are more "
            f"than a scenario's {MAX_INTERVALS} intervals; choose fewer days (--weekdays)"
        ]
    )


def _staffing(
    log: CallLog, staff: Grid, agents: Agents, replay: bool
) -> tuple[list[int], list[str]]:
    """Whole agents per staffing interval: presence, each day's (a replay, day after
    day) or the mean over days; where the log has no agent ids, the most calls in
    service at once, with a note saying so."""
    calls, notes = log.queued, []
    present = agents.present
    if not (calls["agent"] != "").any():
        present = peak_in_service(calls, log.days, staff)
        notes.append(
            "the log has no agent ids: staffing is the most calls in service at once per "
            "interval, a lower bound on the agents present"
        )
    agents_in = present if replay else present.mean(axis=0)
    return [int(v) for v in np.round(agents_in).ravel()], notes


def calibrate(
    log: CallLog,
    interval_minutes: int = 60,
    weekdays: list[str] | None = None,
    service_level: tuple[float, float] = (20.0, 0.80),
    staff_minutes: int = 15,
    gap_minutes: float = GAP_MINUTES,
    open: str | None = None,
    close: str | None = None,
    replications: int = 20,
    seed: int = 1,
    name: str | None = None,
    replay: bool = False,
) -> Calibration:
    """Estimate a scenario from `log` (days restricted to `weekdays`, mon..sun): the
    average day, or with `replay` every day of the log with its date (a horizon)."""
    log = log.on_weekdays(weekdays)
    grid = open_grid(log, interval_minutes, open, close)
    staff = grid.finer(_staff_minutes(grid, len(log.days) if replay else 1, staff_minutes))
    calls, days = log.queued, log.days
    k = grid.index(calls["arrival"].to_numpy())
    inside, k_in = calls[k >= 0], k[k >= 0]
    volumes = estimate_volumes(counts(calls, days, grid), seed)
    answered = (inside["outcome"] == "answered").to_numpy()
    handled = inside["handle"].to_numpy()[answered]
    if not (handled > 0).any():  # no handle time to estimate (all abandoned, or 0 s)
        raise LogError(
            [f"{log.source}: no answered call with a handle time above 0 s in the open "
             f"hours ({grid.n} intervals from {grid.open}): nothing to estimate it from"]
        )  # fmt: skip
    handle = estimate_handle_time(handled, k_in[answered], grid.n)
    accepted = inside[inside["outcome"] != "blocked"]
    abandoned = (accepted["outcome"] == "abandoned").to_numpy()
    patience = (
        estimate_patience(accepted["wait"].to_numpy(), abandoned) if abandoned.any() else None
    )
    agents = estimate_agents(calls, days, grid, gap_minutes)
    staff_agents = estimate_agents(calls, days, staff, gap_minutes)
    head = estimate_head_start(inside, HIGH_PRIORITY)
    staffing, notes = _staffing(log, staff, staff_agents, replay)
    aht = np.where(np.isfinite(handle.by_interval.mean), handle.by_interval.mean, handle.mean.mean)
    per_class = _class_volumes(inside, days, grid, head, replay)
    est = DayEstimates(
        grid,
        staff,
        per_class,
        handle.distribution(),
        aht,
        patience.distribution() if patience else None,
        _not_ready(agents),
        head.seconds if head is not None and "priority" in per_class else None,
        staffing,
        volumes.busyness_cv.mean if volumes.material else None,
        [pd.Timestamp(d).date() for d in days] if replay else None,
    )
    scenario, written = build_scenario(
        name or f"Calibrated from {log.source}", est, service_level, replications, seed
    )
    notes += written
    scenario["description"] = _description(log, weekdays, notes)
    return Calibration(
        log, weekdays, grid, staff, volumes, handle, patience, agents, staff_agents, head,
        scenario, notes, int((k < 0).sum()),
    )  # fmt: skip


def _description(log: CallLog, weekdays: list[str] | None, notes: list[str]) -> str:
    days_text = ",".join(weekdays) if weekdays else "all days"
    return (
        f"Calibrated by callsim from {log.source} ({len(log.days)} days: {days_text}); "
        f"estimates and their CIs in the calibration report. "
        + " ".join(f"Note: {n}." for n in notes)
    )
