"""Shifts: from agents required per interval to how many agents work each shift.

Planning a contact-center day has three steps, as in pyworkforce's split:

1. **requirements**: Erlang or the simulator says how many agents must be scheduled in
   each interval (after shrinkage, whole agents), see `simulator.staffing`;
2. **shift counts** (this module): agents cannot come and go every half hour; they work
   shifts (08:00 for 8 h, with a 30 min unpaid lunch between 11:30 and 13:30). Choose how
   many agents work each shift so that every interval is covered, at the least cost;
3. **staffing per interval**: the chosen shifts, turned back into agents working per
   interval (`ShiftPlan.staffing`), which the simulator can run to see the service level
   the plan really gives. Staffing is above the requirement in places: shifts are lumpy.

The problem is an integer program over a *coverage matrix* A: one row per interval, one
column per way of working a shift (a shift with a break has one column per allowed break
start, so the solver also places the breaks). With x agents per column, staffing = A·x,
and the solver looks for whole x >= 0 that, in this order of priority:

1. leave the fewest agent-intervals under-staffed (0 whenever the caps allow covering);
2. cost the least: agents × paid hours × `cost_per_hour`;
3. use the fewest paid hours (the only criterion when every cost is 0).

subject to `max_count` per shift (summed over its break starts). Each criterion is
minimised (to optimality, within the time budget), then held at that level while the
next one is minimised: a lexicographic order, with no penalty weights to tune.

Rules of the clock (chosen to be conservative, never to flatter the plan):

- An agent counts in an interval only if they work the *whole* interval: a shift
  starting 08:15 counts from the 08:30 interval when intervals are 30 min.
- A shift starts at the first time its clock `start` comes on or after `open`, or one
  day earlier if that is the only way it overlaps the day (06:00 for 8 h in a day opening
  at 08:00 covers 08:00–14:00). Only the part inside the day counts; a shift that misses
  the day entirely is an error. Shifts past midnight (22:00 for 8 h) work because this
  module builds the coverage itself. A day is at most 24 h and is not cyclic.
- A break starts on an interval boundary between `earliest` and `latest` (clock times
  within the shift), and the agent is missing from every interval the break touches, so
  a 15 min break takes a whole 30 min interval. Break minutes are unpaid (exactly).

Why OR-Tools CP-SAT directly and not `pyworkforce.scheduling.MinRequiredResources`: the
latter builds and solves its model in one `solve()` with no way to add constraints, and
it has one cap for all shifts (`max_shift_concurrency`), no cap shared by break
variants, no under-staffing (an uncoverable day is just INFEASIBLE with no plan), and its
`num_search_workers` is never passed to the solver (it sets an unused attribute), so
results may vary from run to run. Its model is the one used here (coverage columns,
staffing >= required, min cost·x), and tests check both agree where it applies.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from ..model.clock import check_clock, clock, clock_minutes
from ..model.scenario import Shift

DAY = 24 * 60
# CP-SAT needs integer objective coefficients: costs are compared in millionths of the
# currency unit per agent. The reported cost is computed from the counts, unrounded.
_COST_SCALE = 1_000_000


@dataclass(frozen=True)
class ShiftPlan:
    """Agents per shift and what they give per interval. Lists run over the day's intervals."""

    counts: dict[str, int]  # agents per shift
    break_starts: dict[str, dict[str, int]]  # shift -> break start "HH:MM" -> agents
    staffing: list[int]  # agents working (not on break) per interval
    required: list[int]
    over: list[int]  # staffing above required, per interval
    under: list[int]  # staffing below required, per interval
    cost: float  # sum of agents × paid hours × cost_per_hour
    paid_hours: float
    optimal: bool  # the solver proved every criterion optimal
    shifts: dict[str, Shift] = field(repr=False)  # the patterns planned, for table()

    def table(self) -> pd.DataFrame:
        """One row per shift: start, end, hours, paid_hours (per agent), count, cost."""
        rows = []
        for name, shift in self.shifts.items():
            paid = _paid_hours(shift)
            end = clock_minutes(shift.start) + _minutes(shift, name)
            rows.append(
                {
                    "shift": name,
                    "start": shift.start,
                    "end": clock(end),
                    "hours": shift.hours,
                    "paid_hours": paid,
                    "count": self.counts[name],
                    "cost": self.counts[name] * paid * shift.cost_per_hour,
                }
            )
        return pd.DataFrame(rows).set_index("shift")


def _check_day(
    intervals: int,
    interval_minutes: int,
    open: str,
    shifts: Mapping[str, Shift],
    max_seconds: float,
) -> None:
    """Raise ValueError naming the argument of `schedule_shifts` that is out of range."""
    if not isinstance(interval_minutes, numbers.Integral) or interval_minutes <= 0:
        raise ValueError(
            f"interval_minutes: must be a whole number of minutes > 0 (got {interval_minutes!r})"
        )
    if intervals * interval_minutes > DAY:
        raise ValueError(
            f"required: {intervals} intervals of {interval_minutes} min make more than 24 h"
        )
    try:
        check_clock(open)
    except ValueError as exc:
        raise ValueError(f"open: {exc}") from None
    if not shifts:
        raise ValueError("shifts: no shift to schedule")
    if max_seconds <= 0:
        raise ValueError(f"max_seconds: must be > 0 (got {max_seconds!r})")


def schedule_shifts(
    required: Sequence[int],
    *,
    interval_minutes: int,
    open: str,
    shifts: Mapping[str, Shift],
    max_seconds: float = 10.0,
) -> ShiftPlan:
    """Choose agents per shift (and break start) to cover `required` at least cost.

    `required[i]` is the agents to schedule in interval i (whole agents, after
    shrinkage); the day starts at clock `open` with intervals of `interval_minutes`.
    `shifts` holds the patterns to choose from (`Shift.group` is not read: for several
    agent groups, call once per group with its requirement and its shifts).
    `max_seconds` is the solver budget in CP-SAT deterministic time (close to seconds),
    so that the same input gives the same plan on any machine; `optimal` says whether
    the solver finished proving the plan optimal within it.

    Raises ValueError naming the field path (``shifts.early.break: ...``) for bad input.
    """
    need = _check_required(required)
    _check_day(len(need), interval_minutes, open, shifts, max_seconds)
    columns = [
        (name, start, covers)
        for name, shift in shifts.items()
        for start, covers in _columns(name, shift, open, interval_minutes, len(need))
    ]
    x, optimal = _solve(columns, need, shifts, max_seconds)

    matrix = np.array([covers for _, _, covers in columns], dtype=np.int64).T
    staffing = [int(v) for v in matrix @ np.array(x, dtype=np.int64)]
    counts = dict.fromkeys(shifts, 0)
    break_starts: dict[str, dict[str, int]] = {name: {} for name in shifts}
    for (name, start, _), agents in zip(columns, x):
        counts[name] += agents
        if start is not None and agents:
            break_starts[name][start] = agents
    return ShiftPlan(
        counts=counts,
        break_starts=break_starts,
        staffing=staffing,
        required=need,
        over=[max(s - r, 0) for s, r in zip(staffing, need)],
        under=[max(r - s, 0) for s, r in zip(staffing, need)],
        cost=sum(counts[n] * _paid_hours(s) * s.cost_per_hour for n, s in shifts.items()),
        paid_hours=sum(counts[n] * _paid_hours(s) for n, s in shifts.items()),
        optimal=optimal,
        shifts=dict(shifts),
    )


def _check_required(required: Sequence[int]) -> list[int]:
    need = list(required)
    if not need:
        raise ValueError("required: no intervals")
    for i, r in enumerate(need):
        whole = isinstance(r, numbers.Integral) or (isinstance(r, float) and r.is_integer())
        if not whole or r < 0:
            raise ValueError(
                f"required.{i}: must be a whole number of agents >= 0 "
                f"(got {r!r}; round up after shrinkage)"
            )
    return [int(r) for r in need]


def _minutes(shift: Shift, name: str) -> int:
    """Shift length in whole minutes."""
    length = shift.hours * 60
    if abs(length - round(length)) > 1e-9:
        raise ValueError(f"shifts.{name}.hours: {shift.hours:g} h is not a whole number of minutes")
    return round(length)


def _paid_hours(shift: Shift) -> float:
    unpaid = shift.unpaid_break.minutes if shift.unpaid_break else 0
    return shift.hours - unpaid / 60


def _columns(name: str, shift: Shift, open: str, interval: int, n: int):
    """The ways of working `shift`: (break start "HH:MM" or None, 0/1 per interval).

    Times are minutes after `open`, so interval i is [i·interval, (i+1)·interval).
    """
    length = _minutes(shift, name)
    day = n * interval
    start = (clock_minutes(shift.start) - clock_minutes(open)) % DAY
    if start >= day:
        start -= DAY  # the shift began the day before and may run into this day
    if start + length <= 0:
        raise ValueError(
            f"shifts.{name}: {shift.start} for {shift.hours:g} h does not "
            f"overlap the day {open}–{clock(clock_minutes(open) + day)}"
        )
    bounds = np.arange(n) * interval
    works = (bounds >= start) & (bounds + interval <= start + length)
    brk = shift.unpaid_break
    if brk is None:
        return [(None, works.astype(int).tolist())]

    path = f"shifts.{name}.break"
    span = f"{shift.start}–{clock(clock_minutes(shift.start) + length)}"
    first = (clock_minutes(brk.earliest) - clock_minutes(shift.start)) % DAY
    last = (clock_minutes(brk.latest) - clock_minutes(shift.start)) % DAY
    if brk.minutes >= length:
        raise ValueError(f"{path}.minutes: {brk.minutes} min is not shorter than the shift {span}")
    for key, offset in (("earliest", first), ("latest", last)):
        if offset >= length:
            raise ValueError(f"{path}.{key}: {getattr(brk, key)} is outside the shift {span}")
    if first > last:
        raise ValueError(f"{path}: window {brk.earliest}–{brk.latest} is empty")
    if last + brk.minutes > length:
        raise ValueError(
            f"{path}: a {brk.minutes} min break starting at {brk.latest} "
            f"ends after the shift {span}"
        )
    lo = -(-(start + first) // interval) * interval  # first interval boundary in the window
    if lo > start + last:
        raise ValueError(
            f"{path}: no interval start between {brk.earliest} and "
            f"{brk.latest} (breaks start on the {interval} min interval grid)"
        )
    variants = []
    for t in range(lo, start + last + 1, interval):
        off = (bounds < t + brk.minutes) & (bounds + interval > t)
        variants.append((clock(clock_minutes(open) + t), (works & ~off).astype(int).tolist()))
    return variants


def _solve(
    columns, need: list[int], shifts: Mapping[str, Shift], max_seconds: float
) -> tuple[list[int], bool]:
    """Lexicographic min of (under-staffing, cost, paid minutes); agents per column."""
    model = cp_model.CpModel()
    top = max(need)
    # More than `top` agents on one column never helps: every interval needs <= top.
    caps = {n: top if s.max_count is None else min(top, s.max_count) for n, s in shifts.items()}
    x = [model.new_int_var(0, caps[name], f"x{j}") for j, (name, _, _) in enumerate(columns)]
    under = [model.new_int_var(0, r, f"under{i}") for i, r in enumerate(need)]
    for i, r in enumerate(need):
        model.add(sum(v for v, (_, _, covers) in zip(x, columns) if covers[i]) + under[i] >= r)
    for name, shift in shifts.items():
        if shift.max_count is not None:
            model.add(sum(v for v, (n, _, _) in zip(x, columns) if n == name) <= shift.max_count)

    cost = [
        round(_paid_hours(shifts[n]) * shifts[n].cost_per_hour * _COST_SCALE) for n, _, _ in columns
    ]
    paid = [round(_paid_hours(shifts[n]) * 60) for n, _, _ in columns]
    short = [0] * len(x) + [1] * len(under)
    stages = [short, cost + [0] * len(under), paid + [0] * len(under)]

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker and a fixed seed: same input, same plan
    solver.parameters.random_seed = 0
    variables = x + under
    values = [0] * len(x) + need  # nobody scheduled, everything short: always feasible
    optimal, budget = True, max_seconds
    for weights in stages:
        objective = cp_model.LinearExpr.weighted_sum(variables, weights)
        model.clear_hints()
        for var, value in zip(variables, values):
            model.add_hint(var, value)
        model.minimize(objective)
        solver.parameters.max_deterministic_time = max(budget, 0.01)
        status = solver.solve(model)
        budget -= solver.response_proto.deterministic_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = [solver.value(v) for v in variables]
        optimal = optimal and status == cp_model.OPTIMAL
        # Hold this criterion at the level reached while minimising the next.
        model.add(objective <= sum(w * v for w, v in zip(weights, values)))
    return values[: len(x)], optimal
