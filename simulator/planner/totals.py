"""What a staffing plan adds up to, per agent group and in total: headcount, FTE, paid
hours and cost (`callsim staff`, every method, with or without `--shifts`).

- **paid hours**: with shifts, every agent-shift's hours less its unpaid break (paid
  whether the center is open or not: a 06:00 shift in a day opening at 08:00 is paid
  from 06:00); without shifts, the scheduled agents (after shrinkage) × the interval's
  hours, summed over intervals. Shrinkage is paid time off the phones, so it is in the
  paid hours either way.
- **cost**: paid hours × the hourly cost: the shift's `cost_per_hour` with shifts, the
  group's without. This is what `callsim run` of the roster `staff --shifts --write`
  writes reports as its `cost` KPI (`simulator.planner.rostering`).
- **headcount**: agents on a shift in the busiest day (agent-shifts that start that
  day); without shifts, the scheduled agents of the busiest interval (no shift can
  staff a peak with fewer people).
- **FTE**: paid hours ÷ the hours of one full-time equivalent over the plan: an FTE
  works `fte_hours` a week (default 40, 5 days of 8 h); a plan of a week or more counts
  `fte_hours` × days ÷ 7, a shorter one `fte_hours` ÷ 5 for each of its days (one day:
  8 h), since each of its days is a working day of a full-timer.

Totals are the sums of the groups' figures, headcount included (groups are different
people).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..model.scenario import Scenario
from ..model.shift_fit import timeline
from .shifts import ShiftPlan

FTE_HOURS = 40.0  # a full-time agent's paid hours a week
WORKDAYS = 5  # a full-time agent's days a week


@dataclass(frozen=True)
class Figures:
    """One group's (or the center's) totals."""

    headcount: int
    fte: float
    paid_hours: float
    cost: float


@dataclass(frozen=True)
class Totals:
    """Per group and in total (the sums); `fte_basis` is the paid hours one FTE stands
    for over this plan, from `fte_hours` a week."""

    groups: dict[str, Figures]
    total: Figures
    fte_hours: float
    fte_basis: float
    days: int


def plan_days(sc: Scenario) -> int:
    """Calendar days a scenario's plan covers: its horizon's (closed days included),
    or the days its intervals touch from the first opening (one day: 1)."""
    return timeline(sc).calendar_days


def fte_basis(fte_hours: float, days: int) -> float:
    """Paid hours of one full-time equivalent over a plan of `days` calendar days."""
    if days >= 7:
        return fte_hours * days / 7
    return fte_hours / WORKDAYS * days


def plan_totals(
    sc: Scenario,
    group_scheduled: Mapping[str, np.ndarray],
    shifts: Mapping[str, ShiftPlan] | None,
    days: int,
    fte_hours: float = FTE_HOURS,
) -> Totals:
    """The totals of a plan whose groups schedule `group_scheduled` agents per interval
    (after shrinkage), or work the `shifts` plans where given, over `days` calendar
    days (see the module docstring)."""
    if not fte_hours > 0:
        raise ValueError(f"fte_hours: must be > 0 (got {fte_hours!r})")
    basis = fte_basis(fte_hours, days)
    groups = {}
    for g, scheduled in group_scheduled.items():
        if shifts and g in shifts:
            groups[g] = _shift_figures(shifts[g], basis)
        else:
            hours = float(np.sum(scheduled)) * sc.interval_minutes / 60
            groups[g] = Figures(
                headcount=int(np.max(scheduled, initial=0)),
                fte=hours / basis,
                paid_hours=hours,
                cost=hours * sc.agents[g].cost_per_hour,
            )
    total = Figures(
        headcount=sum(f.headcount for f in groups.values()),
        fte=sum(f.fte for f in groups.values()),
        paid_hours=sum(f.paid_hours for f in groups.values()),
        cost=sum(f.cost for f in groups.values()),
    )
    return Totals(groups, total, float(fte_hours), basis, days)


def _shift_figures(plan: ShiftPlan, basis: float) -> Figures:
    """A group's totals from its shift plan: agent-shifts by start day."""
    per_day: dict[int, int] = {}
    for a in plan.assignments:
        per_day[a.day] = per_day.get(a.day, 0) + a.agents
    return Figures(
        headcount=max(per_day.values(), default=0),
        fte=plan.paid_hours / basis,
        paid_hours=plan.paid_hours,
        cost=plan.cost,
    )
