"""A shift plan as a roster: the scenario's `roster` form (`simulator.model.roster`), so
that `callsim run` simulates exactly what `staff --shifts` planned, minute by minute.

Each working of the plan (shift, day, break start, agents: `ShiftPlan.assignments`)
becomes a roster shift with its agents, its days and its unpaid break at a set time;
workings alike but for the day are one roster shift with several days. The shift's
`cost_per_hour` travels with it, so the roster's paid hours × cost are the plan's cost.

How shrinkage and the roster tell one story: the plan schedules
⌈required ÷ (1 − shrinkage)⌉ agents per interval *off break* (the breaks are placed by
the solver, outside shrinkage); the rest of shrinkage (absence, training, ...) is paid
time off the phones. The roster keeps every scheduled agent (all paid), and a file
without an `absence` of its own gets `absence.absenteeism: shrinkage`, so the
simulated agents on the phones are, on average, the (1 − shrinkage) share the plan
counted on. A file's own `absence` is kept as it is.

`roster_for` is the loop's interface (`staff --method simulation --shifts`): required
agents per group and interval in, shift plans and the rostered scenario out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..model.clock import clock
from ..model.scenario import Scenario, ScenarioError
from ..model.shift_fit import timeline
from .shifts import Assignment, ShiftPlan, solve_shifts


def group_shifts(sc: Scenario, group: str) -> dict:
    """The scenario's shift patterns for agent `group` (the only group's too)."""
    single = len(sc.agents) == 1
    return {
        n: s
        for n, s in (sc.shifts or {}).items()
        if s.group == group or (single and s.group is None)
    }


def schedule_groups(
    sc: Scenario, required: Mapping[str, Sequence[int] | np.ndarray], max_seconds: float = 10.0
) -> dict[str, ShiftPlan]:
    """Group -> the shift plan covering its `required` agents per interval (one solve
    per group, over the scenario's intervals: a day, a week, 24/7). ScenarioError when
    the scenario has no shift for a group."""
    if not sc.shifts:
        raise ScenarioError(["shifts: the scenario has no shifts to schedule"])
    missing = [
        f"shifts: no shift for agent group '{g}' (give a shift with group: {g})"
        for g in required
        if not group_shifts(sc, g)
    ]
    if missing:
        raise ScenarioError(missing)
    tl = timeline(sc)
    return {
        g: solve_shifts([int(v) for v in need], tl, group_shifts(sc, g), max_seconds)
        for g, need in required.items()
    }


def roster_data(sc: Scenario, plans: Mapping[str, ShiftPlan]) -> dict[str, Any]:
    """The `roster:` mapping of the plans, as a scenario file holds it."""
    shifts: dict[str, dict[str, Any]] = {}
    for g, plan in plans.items():
        alike: dict[tuple, list[Assignment]] = {}
        for a in plan.assignments:
            brk = None if a.break_start is None else clock(a.break_start)
            alike.setdefault((a.shift, brk, a.agents), []).append(a)
        for (name, brk, _), worked in alike.items():
            label = name if brk is None else f"{name} break {brk}"
            shifts[_unique(label, shifts)] = _entry(sc, g, plan, worked)
    return {"shifts": shifts}


def _entry(sc: Scenario, group: str, plan: ShiftPlan, worked: list[Assignment]) -> dict:
    """One roster shift: the pattern, its agents, the days worked, the break."""
    a = worked[0]
    shift = plan.shifts[a.shift]
    entry: dict[str, Any] = {}
    if len(sc.agents) > 1:
        entry["group"] = group
    entry |= {"start": shift.start, "hours": shift.hours, "agents": a.agents}
    days = _day_keys(plan, sorted({w.day for w in worked}))
    if days is not None:
        entry["days"] = days
    if a.break_start is not None:
        entry["breaks"] = [{"start": clock(a.break_start), "minutes": a.break_minutes}]
    entry["cost_per_hour"] = shift.cost_per_hour
    return entry


def _day_keys(plan: ShiftPlan, days: list[int]) -> list | None:
    """How a roster names the days: None for the only day of a one-day scenario, day
    numbers (1, 2...) in a dateless scenario, weekdays or dates in a horizon."""
    tl = plan.timeline
    assert tl is not None
    if tl.calendar_days == 1 and days == [0]:
        return None
    return [tl.day_key(d) for d in days]


def _unique(label: str, taken: Mapping[str, Any]) -> str:
    """`label`, or `label (2)`, `label (3)`... the first not taken."""
    if label not in taken:
        return label
    k = 2
    while f"{label} ({k})" in taken:
        k += 1
    return f"{label} ({k})"


def roster_update(sc: Scenario, plans: Mapping[str, ShiftPlan]) -> dict[str, Any]:
    """The top-level keys a rostered copy of the scenario changes: `roster`, and
    `absence` (absenteeism = shrinkage) when the scenario has none of its own."""
    update: dict[str, Any] = {"roster": roster_data(sc, plans)}
    if getattr(sc, "absence", None) is None and sc.shrinkage > 0:
        update["absence"] = {"absenteeism": sc.shrinkage}
    return update


def rostered(sc: Scenario, plans: Mapping[str, ShiftPlan]) -> Scenario:
    """`sc` staffed by the plans' roster (the groups planned give no staffing list):
    what `callsim run` of `staff --shifts --write FILE` simulates."""
    from ..model.load import parse_scenario

    data = sc.model_dump(mode="json", by_alias=True, exclude_none=True)
    for g in plans:
        data["agents"][g].pop("staffing", None)
    return parse_scenario(data | roster_update(sc, plans))


def roster_for(
    sc: Scenario, required: Mapping[str, Sequence[int] | np.ndarray], max_seconds: float = 10.0
) -> tuple[dict[str, ShiftPlan], Scenario]:
    """Required agents per group and interval (scheduled: after shrinkage) in; the
    shift plans and the scenario staffed by their roster out."""
    plans = schedule_groups(sc, required, max_seconds)
    return plans, rostered(sc, plans)
