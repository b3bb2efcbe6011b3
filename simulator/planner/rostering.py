"""A shift plan as a roster: the scenario's `roster` form (`simulator.model.roster`), so
that `callsim run` simulates exactly what `staff --shifts` planned, minute by minute.

Each working of the plan (shift, day, break start, agents: `ShiftPlan.assignments`)
becomes a roster shift with its agents, its days and its unpaid break at a set time;
workings alike but for the day are one roster shift with several days. The roster
runs on the planner's clock (`simulator.model.roster_days`): a shift is worked whole on
its calendar day, from before the opening or past midnight, wrapping in a 24/7
scenario, and paid whole. The shift's `cost_per_hour` travels with it, so the
roster's paid hours × cost are the plan's cost.

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
from .shifts import ShiftPlan, solve_shifts


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
    """The `roster:` mapping of the plans, as a scenario file holds it: one roster shift
    per (pattern, break time, agents), with the calendar days it is worked."""
    shifts: dict[str, dict[str, Any]] = {}
    for g, plan in plans.items():
        tl = plan.timeline
        assert tl is not None
        alike = _alike(plan)
        labels = {key: key[0] if key[1] is None else f"{key[0]} break {key[1]}" for key in alike}
        shared = {lb for lb in labels.values() if list(labels.values()).count(lb) > 1}
        for key, days in alike.items():
            name, brk, agents = key
            shift = plan.shifts[name]
            entry: dict[str, Any] = {"group": g} if len(sc.agents) > 1 else {}
            entry |= {"start": shift.start, "hours": shift.hours, "agents": agents}
            if tl.calendar_days > 1 or days != [0]:
                entry["days"] = [tl.day_key(d) for d in days]
            if brk is not None:
                assert shift.unpaid_break is not None
                entry["breaks"] = [{"start": brk, "minutes": shift.unpaid_break.minutes}]
            entry["cost_per_hour"] = shift.cost_per_hour
            label = labels[key] + (f" ×{agents}" if labels[key] in shared else "")
            shifts[_unique(label, shifts)] = entry
    return {"shifts": shifts}


def _alike(plan: ShiftPlan) -> dict[tuple, list[int]]:
    """(pattern, break start "HH:MM" or None, agents) -> the calendar days it is worked
    so (the workings of a day alike summed first)."""
    per_day: dict[tuple, dict[int, int]] = {}  # (pattern, break) -> day -> agents
    for a in plan.assignments:
        days = per_day.setdefault(
            (a.shift, None if a.break_start is None else clock(a.break_start)), {}
        )
        days[a.day] = days.get(a.day, 0) + a.agents
    alike: dict[tuple, list[int]] = {}
    for key, days in per_day.items():
        for day, agents in sorted(days.items()):
            alike.setdefault((*key, agents), []).append(day)
    return alike


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
