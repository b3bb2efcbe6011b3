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
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.clock import clock, clock_minutes
from ..model.scenario import Scenario, ScenarioError
from ..model.shift_fit import DAY, Timeline, timeline
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


@dataclass(frozen=True)
class Piece:
    """The part of a working a roster can hold: inside one run of open intervals."""

    start: int  # minutes from the first day's midnight (in [0, cycle) when cyclic)
    minutes: int
    break_start: int | None
    break_minutes: int


def open_runs(tl: Timeline) -> list[tuple[int, int]]:
    """(start, stop) minutes of each run of back-to-back open intervals."""
    runs: list[list[int]] = []
    for t in tl.starts:
        if runs and runs[-1][1] == t:
            runs[-1][1] = t + tl.interval
        else:
            runs.append([t, t + tl.interval])
    return [(a, b) for a, b in runs]


def pieces(tl: Timeline, a: Assignment) -> list[Piece]:
    """The working `a` cut to the open hours (a roster works inside them): in a 24/7
    scenario the part past the end wraps to the start (Sunday night's shift is Monday
    morning's, the same roster repeating); elsewhere time outside the opening hours is
    left out (it covers no interval)."""
    spans = [(a.start, a.start + a.minutes)]
    brk = None if a.break_start is None else (a.break_start, a.break_start + a.break_minutes)
    if tl.cycle and spans[0][1] > tl.cycle:
        spans = [(a.start, tl.cycle), (0, spans[0][1] - tl.cycle)]
        if brk and brk[0] >= tl.cycle:
            brk = (brk[0] - tl.cycle, brk[1] - tl.cycle)
    out = []
    for lo, hi in spans:
        for run_lo, run_hi in open_runs(tl):
            p0, p1 = max(lo, run_lo), min(hi, run_hi)
            if p0 >= p1:
                continue
            inside = brk is not None and p0 <= brk[0] < p1
            b1 = min(brk[1], p1) if brk and inside else 0
            out.append(
                Piece(
                    p0,
                    p1 - p0,
                    brk[0] if brk and inside else None,
                    b1 - brk[0] if brk and inside else 0,
                )
            )
    return out


def roster_data(sc: Scenario, plans: Mapping[str, ShiftPlan]) -> dict[str, Any]:
    """The `roster:` mapping of the plans, as a scenario file holds it: one roster shift
    per (pattern, piece, break time, agents), with the days it is worked."""
    shifts: dict[str, dict[str, Any]] = {}
    for g, plan in plans.items():
        tl = plan.timeline
        assert tl is not None
        alike = _alike(plan)
        labels = {key: _label(plan, *key[:4]) for key in alike}
        shared = {lb for lb in labels.values() if list(labels.values()).count(lb) > 1}
        for key, days in alike.items():
            name, start, minutes, brk, brk_minutes, agents = key
            entry: dict[str, Any] = {"group": g} if len(sc.agents) > 1 else {}
            entry |= {"start": start, "hours": minutes / 60, "agents": agents}
            if tl.calendar_days > 1 or days != [0]:
                entry["days"] = [tl.day_key(d) for d in days]
            if brk is not None:
                entry["breaks"] = [{"start": brk, "minutes": brk_minutes}]
            entry["cost_per_hour"] = plan.shifts[name].cost_per_hour
            label = labels[key] + (f" ×{agents}" if labels[key] in shared else "")
            shifts[_unique(label, shifts)] = entry
    return {"shifts": shifts}


def _alike(plan: ShiftPlan) -> dict[tuple, list[int]]:
    """(pattern, piece start, minutes, break start, break minutes, agents) -> the days
    it is worked: the workings of a day alike are summed first."""
    tl = plan.timeline
    assert tl is not None
    per_day: dict[tuple, dict[int, int]] = {}  # piece -> day -> agents
    for a in plan.assignments:
        for piece in pieces(tl, a):
            brk = None if piece.break_start is None else clock(piece.break_start)
            key = (a.shift, clock(piece.start), piece.minutes, brk, piece.break_minutes)
            days = per_day.setdefault(key, {})
            day = _day_number(tl, piece.start)
            days[day] = days.get(day, 0) + a.agents
    alike: dict[tuple, list[int]] = {}
    for key, days in per_day.items():
        for day, agents in sorted(days.items()):
            alike.setdefault((*key, agents), []).append(day)
    return alike


def _label(plan: ShiftPlan, name: str, start: str, minutes: int, brk: str | None) -> str:
    """A roster shift's name: the pattern's, its span if cut ("night 00:00–06:00"), and
    its break time ("early break 12:00")."""
    shift = plan.shifts[name]
    whole = minutes == round(shift.hours * 60) and start == shift.start
    label = name if whole else f"{name} {start}–{clock(clock_minutes(start) + minutes)}"
    return label if brk is None else f"{label} break {brk}"


def _day_number(tl: Timeline, minute: int) -> int:
    """The day a roster names a piece by: its calendar day in a horizon; in a dateless
    scenario the day counted from the first opening (day k opens (k − 1) × 24 h after)."""
    if tl.first_date is not None:
        return minute // DAY
    return (minute - tl.starts[0]) // DAY


def outside_hours(plans: Mapping[str, ShiftPlan]) -> float:
    """Paid hours of the plans that fall outside the opening hours (not in the roster)."""
    lost = 0.0
    for plan in plans.values():
        assert plan.timeline is not None
        for a in plan.assignments:
            kept = sum(p.minutes for p in pieces(plan.timeline, a))
            lost += a.agents * (a.minutes - kept) / 60
    return lost


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
