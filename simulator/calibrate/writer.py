"""From estimates to a scenario that runs as is: the calibrated day as scenario data.

What the scenario format can say is used; what it cannot is said in `notes`:

- Handle time varies by interval, and a queue has one handle-time distribution. So the
  calls of each estimation interval get their own queue (``calls_0700``...), all of one
  rank for the agents, served first come first served across them: a caller keeps the
  handle time of the interval they called in, as the log measures it.
- Staffing is whole agents per scenario interval, and the log's presence is fractional.
  So the scenario's intervals are `staff_minutes` long (15 by default) even when the
  estimates are hourly: a mean of 6.44 agents in an hour becomes quarters such as
  6, 6, 7, 7. Each interval's volume is spread evenly over its quarters (the same
  Poisson process).
- Not-ready time after calls is the engine's, where it has it; otherwise it is written
  as after-call work (the agent is equally unavailable; reported AHT then includes it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from ..model.scenario import AgentGroup, Queue, Scenario
from .grid import Grid

GROUP = "agents"


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


def _supports(model: type[BaseModel], name: str) -> bool:
    return name in model.model_fields


def _spread(values: np.ndarray, i: int, grid: Grid, staff: Grid) -> list[float]:
    """Interval i's volume spread evenly over its staffing intervals (others 0)."""
    per = grid.minutes // staff.minutes
    out = np.zeros(staff.n)
    out[i * per : (i + 1) * per] = values[i] / per
    return [round(float(v), 3) for v in out]


def _feature_notes(not_ready: bool, head_start: float | None) -> list[str]:
    notes = []
    if not_ready and not _supports(AgentGroup, "not_ready"):
        notes.append(
            "not-ready time after calls is written as after-call work (acw): the engine "
            "has no not-ready time yet; the simulated AHT includes it"
        )
    if head_start and not _supports(Queue, "head_start"):
        notes.append(
            f"priority callers' head start ({head_start:.0f} s) is not modelled: the "
            "scenario format has no head start yet; all callers are served in arrival order"
        )
    return notes


def build_scenario(
    name: str,
    grid: Grid,
    staff: Grid,
    volumes: np.ndarray,
    high_share: np.ndarray | None,
    handle: list[dict],
    patience: dict | None,
    not_ready: dict | None,
    head_start: float | None,
    staffing: list[int],
    busyness_cv: float | None,
    service_level: tuple[float, float],
    replications: int,
    seed: int,
) -> tuple[dict[str, Any], list[str]]:
    """The scenario (plain data, ready for YAML) and notes on what it could not say."""
    notes: list[str] = []
    high = np.zeros(grid.n) if high_share is None else np.asarray(high_share, dtype=float)
    classes = [("calls", 1.0 - high)] + ([("priority", high)] if high_share is not None else [])
    queues: dict[str, dict] = {}
    head = _supports(Queue, "head_start")
    for i, start in enumerate(grid.starts):
        for cls, share in classes:
            if volumes[i] * share[i] <= 0:
                continue
            q: dict[str, Any] = {"volumes": _spread(volumes * share, i, grid, staff)}
            if not_ready is not None and not _supports(AgentGroup, "not_ready"):
                q["talk"], q["acw"] = handle[i], not_ready
            else:
                q["handle_time"] = handle[i]
            if patience is not None:
                q["patience"] = patience
            if cls == "priority" and head_start and head:
                q["head_start"] = round(head_start, 1)
            queues[f"{cls}_{start.replace(':', '')}"] = q
    notes += _feature_notes(not_ready is not None, head_start if high_share is not None else None)
    group: dict[str, Any] = {"skills": {q: 1 for q in queues}, "staffing": staffing}
    if not_ready is not None and _supports(AgentGroup, "not_ready"):
        group["not_ready"] = not_ready
    scenario: dict[str, Any] = {
        "name": name,
        "description": "",
        "interval_minutes": staff.minutes,
        "open": grid.open,
        "service_level": {"seconds": service_level[0], "target": service_level[1]},
        "queues": queues,
        "agents": {GROUP: group},
        "simulation": {"replications": replications, "seed": seed},
    }
    if busyness_cv:
        if _supports(Scenario, "arrivals"):  # the engine's Poisson-gamma arrivals
            scenario["arrivals"] = {"busyness_cv": round(min(busyness_cv, 1.0), 4)}
        else:
            notes.append(
                f"the day-to-day busyness (cv {busyness_cv:.2f}) is measured but not modelled: "
                "the engine has no busyness factor yet"
            )
    if grid.minutes != staff.minutes:
        notes.append(
            f"written on a {staff.minutes}-minute grid so that fractional staffing is kept; "
            f"each {grid.minutes}-minute interval's volume is spread evenly over it"
        )
    notes.append(
        "one queue per interval (calls_HHMM): the scenario cannot vary handle time within "
        "a queue yet; agents serve them all at one rank, oldest first"
    )
    return plain(scenario), notes
