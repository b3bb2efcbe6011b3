"""Shifts: from agents required per interval to how many agents work each shift, each
day, and when each takes their break.

Planning a contact-center week has three steps, as in pyworkforce's split:

1. **requirements**: Erlang or the simulator says how many agents must be scheduled in
   each interval (after shrinkage, whole agents), see `simulator.staffing`;
2. **shift counts** (this module): agents cannot come and go every half hour; they work
   shifts (08:00 for 8 h, with a 30 min unpaid lunch between 11:30 and 13:30). Choose how
   many agents work each shift on each day, and when each takes their break, so that
   every interval is covered at the least cost;
3. **the roster**: the chosen workings (shift, day, break start, agents: `ShiftPlan.
   assignments`), which `callsim run` simulates minute by minute
   (`simulator.planner.rostering`). Staffing is above the requirement in places:
   shifts are lumpy.

The problem is an integer program over a *coverage matrix* A: one row per interval, one
column per way of working a shift on a day (a shift with a break has one column per
allowed break start, so the solver also places the breaks). With x agents per column,
staffing = A·x, and the solver looks for whole x >= 0 that, in this order of priority:

1. leave the fewest agent-intervals under-staffed (0 whenever the caps allow covering);
2. cost the least: agents × paid hours × `cost_per_hour`;
3. use the fewest paid hours (the only criterion when every cost is 0).

subject to `max_count` per shift and day (summed over its break starts), and to the
**break stagger**: in no interval may a shift's break take off more than
⌈share × its agents that day⌉ (`Break.max_share`; by default a quarter, or the least the
window allows: `simulator.model.shift_fit.break_share`). Each criterion is minimised
(to optimality, within the time budget), then held at that level while the next one is
minimised: a lexicographic order, with no penalty weights to tune.

Rules of the clock (`simulator.model.shift_fit`, chosen to be conservative, never to
flatter the plan):

- An agent counts in an interval only if they work the *whole* interval: a shift
  starting 08:15 counts from the 08:30 interval when intervals are 30 min.
- A shift may be worked on every calendar day of the scenario from its clock `start`,
  before the center opens and past midnight (22:00 for 8 h covers 00:00-06:00 of the
  next day). In a 24/7 scenario coverage is cyclic: the last night's shift covers the
  first morning, as the roster repeats. Elsewhere a shift worked the day before the
  first day may cover its first hours. A shift that misses every open interval is an
  error. All its hours are paid, open or not.
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
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from ..model.clock import check_clock, clock
from ..model.scenario import Shift
from ..model.shift_fit import (
    Timeline,
    break_share,
    break_slots,
    covers,
    day_timeline,
    shift_minutes,
    shift_workings,
    touches,
)

# CP-SAT needs integer objective coefficients: costs are compared in millionths of the
# currency unit per agent. The reported cost is computed from the counts, unrounded.
_COST_SCALE = 1_000_000


@dataclass(frozen=True)
class Assignment:
    """Agents working one shift on one calendar day, with their break at one time."""

    shift: str
    day: int  # calendar day (`Timeline.day_label`); -1: the day before the first
    start: int  # minutes from the first day's midnight
    minutes: int  # the shift's length
    break_start: int | None  # minutes from the first day's midnight, or None
    break_minutes: int  # 0 without a break
    agents: int


@dataclass(frozen=True)
class ShiftPlan:
    """Agents per shift and what they give per interval. Lists run over the intervals."""

    counts: dict[str, int]  # agent-shifts per shift (summed over days)
    break_starts: dict[str, dict[str, int]]  # shift -> break start label -> agents
    staffing: list[int]  # agents working (not on break) per interval
    required: list[int]
    over: list[int]  # staffing above required, per interval
    under: list[int]  # staffing below required, per interval
    cost: float  # sum of agents × paid hours × cost_per_hour
    paid_hours: float
    optimal: bool  # the solver proved every criterion optimal
    shifts: dict[str, Shift] = field(repr=False)  # the patterns planned, for table()
    assignments: tuple[Assignment, ...] = field(default=(), repr=False)  # the roster
    timeline: Timeline | None = field(default=None, repr=False, compare=False)
    break_shares: dict[str, float] = field(default_factory=dict)  # shift -> share kept

    @property
    def day_labels(self) -> list[str]:
        """The calendar days with workings, in order, where the intervals cover more
        than one day (a horizon, or more than 24 h); else [] (one day)."""
        tl = self.timeline
        if tl is None or (tl.first_date is None and len(tl.starts) * tl.interval <= 24 * 60):
            return []
        return [tl.day_label(d) for d in sorted({a.day for a in self.assignments})]

    @property
    def day_counts(self) -> dict[str, dict[str, int]]:
        """Shift -> calendar day label -> agents (days with nobody left out)."""
        out: dict[str, dict[str, int]] = {name: {} for name in self.shifts}
        assert self.timeline is not None
        for a in sorted(self.assignments, key=lambda a: a.day):
            label = self.timeline.day_label(a.day)
            out[a.shift][label] = out[a.shift].get(label, 0) + a.agents
        return out

    def break_times(self, name: str) -> str:
        """A shift's break starts by clock time over all days: "11:30×3 12:00×4"."""
        times: Counter[str] = Counter()
        for a in self.assignments:
            if a.shift == name and a.break_start is not None:
                times[clock(a.break_start)] += a.agents
        return " ".join(f"{t}×{n}" for t, n in sorted(times.items()))

    def table(self) -> pd.DataFrame:
        """One row per shift: start, end, hours, paid_hours (per agent), count, cost,
        breaks (start times × agents)."""
        rows = []
        for name, shift in self.shifts.items():
            paid = paid_hours(shift)
            rows.append(
                {
                    "shift": name,
                    "start": shift.start,
                    "end": clock(shift_clock_end(name, shift)),
                    "hours": shift.hours,
                    "paid_hours": paid,
                    "count": self.counts[name],
                    "cost": self.counts[name] * paid * shift.cost_per_hour,
                    "breaks": self.break_times(name),
                }
            )
        return pd.DataFrame(rows).set_index("shift")


def shift_clock_end(name: str, shift: Shift) -> int:
    """The shift's end, minutes after midnight of its start day."""
    h, m = map(int, shift.start.split(":"))
    return h * 60 + m + shift_minutes(name, shift)


def paid_hours(shift: Shift) -> float:
    """Hours paid per agent on the shift: its length less the unpaid break."""
    unpaid = shift.unpaid_break.minutes if shift.unpaid_break else 0
    return shift.hours - unpaid / 60


def schedule_shifts(
    required: Sequence[int],
    *,
    interval_minutes: int,
    open: str,
    shifts: Mapping[str, Shift],
    max_seconds: float = 10.0,
) -> ShiftPlan:
    """Choose agents per shift (and break start) to cover `required` at least cost,
    over intervals of `interval_minutes` back to back from clock `open` (a dateless
    day; `solve_shifts` takes a scenario's `Timeline`, e.g. a week).

    `required[i]` is the agents to schedule in interval i (whole agents, after
    shrinkage). `shifts` holds the patterns to choose from (`Shift.group` is not read:
    for several agent groups, call once per group with its requirement and shifts).
    Raises ValueError naming the field path (``shifts.early.break: ...``) for bad input.
    """
    if not isinstance(interval_minutes, numbers.Integral) or interval_minutes <= 0:
        raise ValueError(
            f"interval_minutes: must be a whole number of minutes > 0 (got {interval_minutes!r})"
        )
    try:
        check_clock(open)
    except ValueError as exc:
        raise ValueError(f"open: {exc}") from None
    need = check_required(required)
    return solve_shifts(need, day_timeline(len(need), interval_minutes, open), shifts, max_seconds)


def solve_shifts(
    required: Sequence[int],
    tl: Timeline,
    shifts: Mapping[str, Shift],
    max_seconds: float = 10.0,
) -> ShiftPlan:
    """`schedule_shifts` on the intervals of `tl` (`simulator.model.shift_fit.timeline`
    of a scenario: a day, a week, 24/7). `max_seconds` is the solver budget in CP-SAT
    deterministic time (close to seconds), so that the same input gives the same plan
    on any machine; `optimal` says whether the solver finished proving the plan optimal
    within it."""
    need = check_required(required)
    if len(need) != len(tl.starts):
        raise ValueError(f"required: {len(need)} intervals, the scenario has {len(tl.starts)}")
    if not shifts:
        raise ValueError("shifts: no shift to schedule")
    if max_seconds <= 0:
        raise ValueError(f"max_seconds: must be > 0 (got {max_seconds!r})")
    workings, columns = _columns(shifts, tl)
    x, optimal = _solve(workings, columns, need, shifts, max_seconds)
    staffing = [int(v) for v in np.array([c.works for c in columns]).T @ np.array(x)]
    assignments = tuple(
        Assignment(w.shift, w.day, w.start, w.minutes, c.break_start, w.break_minutes, agents)
        for c, agents in zip(columns, x)
        if agents
        for w in [workings[c.working]]
    )
    counts = dict.fromkeys(shifts, 0)
    break_starts: dict[str, dict[str, int]] = {name: {} for name in shifts}
    for a in assignments:
        counts[a.shift] += a.agents
        if a.break_start is not None:
            label = tl.clock_label(a.break_start)
            break_starts[a.shift][label] = break_starts[a.shift].get(label, 0) + a.agents
    return ShiftPlan(
        counts=counts,
        break_starts=break_starts,
        staffing=staffing,
        required=need,
        over=[max(s - r, 0) for s, r in zip(staffing, need)],
        under=[max(r - s, 0) for s, r in zip(staffing, need)],
        cost=sum(counts[n] * paid_hours(s) * s.cost_per_hour for n, s in shifts.items()),
        paid_hours=sum(counts[n] * paid_hours(s) for n, s in shifts.items()),
        optimal=optimal,
        shifts=dict(shifts),
        assignments=assignments,
        timeline=tl,
        break_shares={w.shift: float(w.share) for w in workings if w.share < 1},
    )


def check_required(required: Sequence[int]) -> list[int]:
    """Whole agents >= 0, at least one interval (ValueError naming the interval)."""
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


@dataclass(frozen=True)
class _Working:
    """A shift worked on one day: its agents share a cap and a break stagger."""

    shift: str
    day: int
    start: int
    minutes: int
    break_minutes: int
    share: Fraction  # of its agents one interval may lose to the break


@dataclass(frozen=True)
class _Column:
    working: int  # index into the workings
    break_start: int | None
    works: list[int]  # 1 where an agent on this column works the whole interval
    off: list[int]  # 1 where this column's break touches the interval


def _columns(shifts: Mapping[str, Shift], tl: Timeline) -> tuple[list[_Working], list[_Column]]:
    """Every way of working every shift on every day: a column per break start."""
    workings: list[_Working] = []
    columns: list[_Column] = []
    for name, shift in shifts.items():
        length, starts = shift_workings(name, shift, tl)
        brk = shift.unpaid_break
        slots = break_slots(name, shift, tl, length) if brk else []
        share = break_share(name, shift, tl, slots) if brk else Fraction(1)
        for day, start in starts:
            on = covers(tl, start, start + length)
            workings.append(_Working(name, day, start, length, brk.minutes if brk else 0, share))
            if brk is None:
                columns.append(_Column(len(workings) - 1, None, [int(v) for v in on], []))
                continue
            for slot in slots:
                off = touches(tl, start + slot, start + slot + brk.minutes)
                columns.append(
                    _Column(
                        len(workings) - 1,
                        start + slot,
                        [int(a and not b) for a, b in zip(on, off)],
                        [int(b) for b in off],
                    )
                )
    return workings, columns


def _solve(
    workings: list[_Working],
    columns: list[_Column],
    need: list[int],
    shifts: Mapping[str, Shift],
    max_seconds: float,
) -> tuple[list[int], bool]:
    """Lexicographic min of (under-staffing, cost, paid minutes); agents per column."""
    model = cp_model.CpModel()
    top = max(need)
    # More than `top` agents on one column never helps: every interval needs <= top.
    x = [model.new_int_var(0, top, f"x{j}") for j in range(len(columns))]
    under = [model.new_int_var(0, r, f"under{i}") for i, r in enumerate(need)]
    for i, r in enumerate(need):
        model.add(sum(v for v, c in zip(x, columns) if c.works[i]) + under[i] >= r)
    for k, w in enumerate(workings):
        mine = [(v, c) for v, c in zip(x, columns) if c.working == k]
        agents = sum(v for v, _ in mine)
        cap = shifts[w.shift].max_count
        if cap is not None:
            model.add(agents <= cap)
        _stagger(model, w.share, agents, mine)

    rate = {n: paid_hours(s) * s.cost_per_hour for n, s in shifts.items()}
    shift_of = [workings[c.working].shift for c in columns]
    cost = [round(rate[n] * _COST_SCALE) for n in shift_of]
    paid = [round(paid_hours(shifts[n]) * 60) for n in shift_of]
    short = [0] * len(x) + [1] * len(under)
    stages = [short, cost + [0] * len(under), paid + [0] * len(under)]
    return _lexicographic(model, x + under, stages, [0] * len(x) + need, max_seconds, len(x))


def _stagger(model: cp_model.CpModel, share: Fraction, agents, mine) -> None:
    """In every interval, on break <= ⌈share × agents⌉, as the linear q·off <= p·agents
    + q − 1 for share = p/q (whole numbers: off < share·agents + 1)."""
    if share >= 1 or not mine or not mine[0][1].off:
        return
    p, q = share.numerator, share.denominator
    for i in range(len(mine[0][1].off)):
        off = [v for v, c in mine if c.off[i]]
        if off:
            model.add(q * sum(off) <= p * agents + q - 1)


def _lexicographic(model, variables, stages, values, max_seconds, n_x) -> tuple[list[int], bool]:
    """Minimise each weighted sum in `stages` in turn, holding the ones before."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker and a fixed seed: same input, same plan
    solver.parameters.random_seed = 0
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
    return values[:n_x], optimal
