"""Schedules by simulation: a shift plan improved on simulated days, beside the one the
Erlang requirement gives.

A shift plan covers each interval with whole shifts, so it logs in more agents than the
requirement in places and, where caps bind, fewer. The search's plan says how many
agents each interval needs; what the callers meet is the roster. `schedule_by_simulation`
therefore simulates the roster itself (the agents its shifts log in, on the search's days
with their common random numbers, `daysets.DaySets`), raises the agents to schedule
wherever an interval misses a target (one agent more logged in there, for the first
group that serves the queue; with a chance target per day, where a queue's whole day
misses, in the interval the Erlang per-day greedy staffs next, `daysearch.day_raises`),
re-solves the shifts, and repeats until no interval
misses or `MAX_ROUNDS` rounds. Both rosters, the one from the Erlang requirement and the
one found so, are then verified on the same independent days (`verification`), and
their costs are compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..model.scenario import Scenario
from .daysearch import day_raises
from .daysets import DaySets
from .load import home_groups
from .shifts import ShiftPlan
from .verification import Verification, verify_staffing

MAX_ROUNDS = 6  # simulate-raise-re-solve rounds at most

Schedule = Callable[[dict[str, np.ndarray]], dict[str, ShiftPlan]]


def logged_in(sc: Scenario, shifts: dict[str, ShiftPlan]) -> dict[str, list[int]]:
    """Agents logged in per group and interval: on shift less shrinkage, rounded down."""
    keep = 1.0 - sc.shrinkage
    return {g: [math.floor(a * keep + 1e-9) for a in s.staffing] for g, s in shifts.items()}


@dataclass(frozen=True)
class Roster:
    """A shift plan per group, what it costs, and its verification on independent days."""

    shifts: dict[str, ShiftPlan] = field(repr=False)
    verification: Verification = field(repr=False)

    @property
    def cost(self) -> float:
        return float(sum(s.cost for s in self.shifts.values()))

    @property
    def paid_hours(self) -> float:
        return float(sum(s.paid_hours for s in self.shifts.values()))


@dataclass(frozen=True)
class Schedules:
    """The roster from the Erlang requirement and the one improved by simulation."""

    erlang: Roster
    simulated: Roster
    rounds: int  # simulate-raise-re-solve rounds
    settled: bool  # the last roster met every target on the search's days

    def note(self) -> str:
        """The comparison in a sentence."""
        e, s = self.erlang, self.simulated

        def said(r: Roster) -> str:
            v = r.verification
            whole = ""
            if v.day_flagged is not None and v.day_share is not None:  # a chance per day
                whole = (
                    f", the lowest whole day meeting every target on "
                    f"{100 * np.nanmin(v.day_share):.1f}% of days ({int(v.day_flagged.sum())} "
                    "flagged)"
                )
            return (
                f"cost {r.cost:,.2f} ({r.paid_hours:g} paid hours), {int(v.below.sum())} "
                f"interval(s) below a target, {int(v.flagged.sum())} flagged, service level "
                f"sd {v.spread:.3f}{whole}"
            )

        return (
            f"shifts by simulation ({self.rounds} round(s)"
            + ("" if self.settled else ", stopped with misses left")
            + f"): {said(s)}; the Erlang requirement's shifts: {said(e)} (both on the "
            f"{s.verification.result.replications} verification days)"
        )


def schedule_by_simulation(
    sc: Scenario,
    need: dict[str, np.ndarray],
    erlang_need: dict[str, np.ndarray],
    schedule: Schedule,
    sets: DaySets,
    verify_days: int,
) -> Schedules:
    """Shifts improved by simulation from the agents to schedule `need` (group ->
    per interval; see the module docstring), beside the shifts of `erlang_need`.
    `schedule(need)` solves the shifts of every group."""
    need = {g: np.asarray(v, np.int64).copy() for g, v in need.items()}
    first_home = [gs[0] for gs in home_groups(sc).values()]
    skip, keep = sc.simulation.warmup_intervals, 1.0 - sc.shrinkage
    shifts = schedule(need)
    staffing = logged_in(sc, shifts)
    settled, rounds = False, 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        miss = ~sets.evaluate_staffing(staffing).meets
        if sets.per_day and sets.days_meeting is not None and miss.any():
            miss = day_raises(sc, staffing, miss, sets.days_meeting)  # a day, not its intervals
        if not miss.any():
            settled = True
            break
        for q, k in zip(*np.nonzero(miss)):
            g, i = first_home[q], k + skip
            more = math.ceil((staffing[g][i] + 1) / keep - 1e-9)
            need[g][i] = max(int(need[g][i]), more)
        shifts = schedule(need)
        staffing = logged_in(sc, shifts)
    erlang_shifts = schedule(erlang_need)
    return Schedules(
        Roster(
            erlang_shifts,
            verify_staffing(
                sc, logged_in(sc, erlang_shifts), verify_days, sets.days_meeting, sets.per_day
            ),
        ),
        Roster(shifts, verify_staffing(sc, staffing, verify_days, sets.days_meeting, sets.per_day)),
        rounds,
        settled,
    )
