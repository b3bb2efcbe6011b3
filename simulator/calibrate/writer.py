"""From estimates to a scenario that runs as is: the calibrated day as scenario data.

How the log's day is said in the scenario format (what it cannot say goes in `notes`):

- One queue per call type (``calls``, and ``priority`` where the log shows a priority
  rule): the handle-time shape fitted over the day, and each interval's mean as
  `aht_by_interval` (a caller's handle time is that of the interval they called in, as
  the log measures it; the engine scales each draw, keeping the shape).
- Staffing is whole agents per scenario interval, and the log's presence is fractional.
  So the scenario's intervals are `staff_minutes` long (15 by default) even when the
  estimates are hourly: a mean of 6.44 agents in an hour becomes quarters such as
  6, 6, 7, 7. Each interval's volume is spread evenly over its quarters (the same
  Poisson process).
- Not-ready time after calls (the gaps after a service while a caller waited) is the
  agent group's `agents.NAME.not_ready`: the agent is unavailable, the caller has gone,
  and the simulated AHT is the log's (talk + hold + ACW) without it.
- The priority class's head start is the engine's `queues.NAME.head_start` (seconds).
- A replay (`dates` given) is a horizon of the log's days, each with its date: every
  per-interval list (volumes, staffing) holds the days one after another, each day its
  own offered calls and its own agents; no busyness factor (the days are the data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.clock import clock
from ..model.horizon import DAY_MINUTES, MIDNIGHT
from .grid import Grid

GROUP = "agents"


@dataclass(frozen=True)
class DayEstimates:
    """What the scenario is written from: the estimation grid and the finer staffing
    grid; offered calls per class ("calls", and "priority" where the log shows a
    priority rule), days x intervals (one row: the average day); the handle-time
    distribution (its shape, at the day's mean) and its mean per interval (s); the
    patience and not-ready distributions (None: none); the head start (s); whole agents
    per staffing interval, day after day; the busyness factor's cv (None: not
    modelled); and the dates of a replay (None: one day)."""

    grid: Grid
    staff: Grid
    volumes: dict[str, np.ndarray]
    handle: dict
    aht: np.ndarray
    patience: dict | None
    not_ready: dict | None
    head_start: float | None
    staffing: list[int]
    busyness_cv: float | None
    dates: list[dt.date] | None = None


def plain(x: Any) -> Any:
    """Plain Python data (numpy numbers made floats and ints) for YAML and JSON."""
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [plain(v) for v in x]
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    return x


def _call_types(est: DayEstimates) -> dict[str, dict[str, Any]]:
    """One queue per class: its volumes all day, its handle-time shape with each
    interval's mean (aht_by_interval), patience, head start."""
    per = est.grid.minutes // est.staff.minutes
    days = 1 if est.dates is None else len(est.dates)
    aht = np.tile(np.repeat(np.round(est.aht, 2), per), days)
    queues: dict[str, dict[str, Any]] = {}
    for cls, volumes in est.volumes.items():
        if volumes.sum() <= 0:
            continue
        spread = np.repeat(volumes / per, per, axis=1).ravel()
        q: dict[str, Any] = {
            "volumes": [round(float(v), 3) for v in spread],
            "handle_time": est.handle,
            "aht_by_interval": [float(v) for v in aht],
        }
        if est.patience is not None:
            q["patience"] = est.patience
        if cls == "priority" and est.head_start:
            q["head_start"] = round(est.head_start, 1)
        queues[cls] = q
    return queues


def _notes(est: DayEstimates) -> list[str]:
    """What the scenario could not say, or says differently from the log."""
    notes = []
    if est.dates is not None and est.busyness_cv:
        notes.append(
            f"a replay: each day has its own offered calls, so the day-to-day busyness "
            f"(cv {est.busyness_cv:.2f}) is in the volumes, not a busyness factor"
        )
    if est.grid.minutes != est.staff.minutes:
        notes.append(
            f"written on a {est.staff.minutes}-minute grid so that fractional staffing is "
            f"kept; each {est.grid.minutes}-minute interval's volume is spread evenly over it"
        )
    elif est.dates is not None and est.staff.minutes > 15:
        notes.append(
            f"written on the {est.staff.minutes}-minute grid: finer staffing intervals for "
            f"{len(est.dates)} days would pass the scenario's interval limit, so each "
            "day's presence is rounded to whole agents per interval"
        )
    return notes


def build_scenario(
    name: str,
    est: DayEstimates,
    service_level: tuple[float, float],
    replications: int,
    seed: int,
) -> tuple[dict[str, Any], list[str]]:
    """The scenario (plain data, ready for YAML) and notes on what it could not say."""
    queues = _call_types(est)
    group: dict[str, Any] = {"skills": {q: 1 for q in queues}, "staffing": est.staffing}
    if est.not_ready is not None:
        group["not_ready"] = est.not_ready
    scenario: dict[str, Any] = {
        "name": name,
        "description": "",
        "interval_minutes": est.staff.minutes,
        "open": est.grid.open,
        "service_level": {"seconds": service_level[0], "target": service_level[1]},
        "queues": queues,
        "agents": {GROUP: group},
        "simulation": {"replications": replications, "seed": seed},
    }
    if est.dates is not None:
        scenario["horizon"] = _horizon(est)
    elif est.busyness_cv:  # the engine's Poisson-gamma arrivals
        scenario["arrivals"] = {"busyness_cv": round(min(est.busyness_cv, 1.0), 4)}
    return plain(scenario), _notes(est)


def _horizon(est: DayEstimates) -> dict[str, Any]:
    """The replay's days, each open over the grid (around the clock if it is 24 h)."""
    dates = [d.isoformat() for d in est.dates or []]
    end = round(est.grid.open_s / 60) + est.grid.n * est.grid.minutes
    if est.grid.open_s == 0 and end == DAY_MINUTES:
        return {"dates": dates, "always_open": True}
    return {"dates": dates, "close": MIDNIGHT if end == DAY_MINUTES else clock(end)}
