"""A roster worked out: every scheduled agent-shift with its breaks, in seconds from open.

`agent_shifts` expands `roster.shifts` into one `AgentShift` per agent and day (breaks
of a window staggered by `RosterBreak`'s rule), `activity_spans` the activities; times
are seconds after the scenario's first interval starts (interval i is [i·L, (i+1)·L)).
From these: the problems of a roster (`roster_problems`, one line per field path), the
per-interval staffing a roster gives a group (`roster_staffing`: the planner's rule,
an agent counts in an interval only if on the phones for the whole of it), and the
paid time the cost counts (`paid_spans`).

The days of a scenario: in a horizon, its open days (named by date or weekday); a
dateless scenario's day k (1, 2, ...) begins (k − 1) × 24 h after `open` (so a 24/7
stretch run alone keeps its days: `stretch_roster`). Absent `days` mean every day. A
shift or activity works inside the opening hours of its day's stretch (a 24/7 night
shift runs into the next day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .clock import clock, clock_minutes
from .horizon import WEEKDAYS, Stretch, stretches
from .roster import DAY_MINUTES, Roster, RosterShift

if TYPE_CHECKING:
    from .scenario import Scenario


@dataclass(frozen=True)
class AgentShift:
    """One agent working one shift on one day; seconds from open. `phones` are the
    spans on the phones (the shift less its breaks); `unpaid` the unpaid breaks."""

    shift: str
    group: str
    day: int  # index into roster_days
    agent: int  # 0-based, on this shift and day
    start: float
    end: float
    breaks: tuple[tuple[float, float, bool], ...]  # (start, end, paid), in order
    cost_per_hour: float

    def phones(self, late: float = 0.0, overruns: tuple[float, ...] = ()) -> list[tuple]:
        """(on, off) spans on the phones: from `late` seconds after the start, back from
        break i `overruns[i]` seconds after its end; nothing past the shift's end."""
        spans, on = [], self.start + late
        for i, (b0, b1, _) in enumerate(self.breaks):
            if b0 > on:
                spans.append((on, b0))
            on = max(on, b1 + (overruns[i] if overruns else 0.0))
        if self.end > on:
            spans.append((on, self.end))
        return spans


@dataclass(frozen=True)
class ActivitySpan:
    """`agents` of `group` off the phones from `start` to `end`, seconds from open."""

    activity: str
    group: str
    agents: int
    start: float
    end: float
    paid: bool


@dataclass(frozen=True)
class RosterDay:
    """A day a roster can name: its keys (date and weekday, or a day number), the
    minute after the first open interval it opens at, its opening clock time, and
    the end of its stretch (minutes: no shift may run past it) and its closing time."""

    keys: tuple[int | str | dt.date, ...]
    label: str
    begin: int
    open: str
    limit: int
    close: str


def roster_days(sc: Scenario) -> list[RosterDay]:
    """The days of a scenario, as the roster names them (see the module doc)."""
    minutes = sc.interval_minutes
    if sc.horizon is None:
        total = sc.n_intervals * minutes
        count = -(-total // DAY_MINUTES)
        close = clock(clock_minutes(sc.open) + total)
        return [
            RosterDay((k + 1,), f"day {k + 1}", k * DAY_MINUTES, sc.open, total, close)
            for k in range(count)
        ]
    return [
        RosterDay(
            (day.date, WEEKDAYS[day.date.weekday()]) if day.date else (),
            day.label,
            day.first * minutes,
            day.open,
            stretch.stop * minutes,
            stretch.days[-1].close,
        )
        for stretch in stretches(sc)
        for day in stretch.days
    ]


def _group(sc: Scenario, given: str | None) -> str:
    """The group named, or the only one ("" when there are several: a problem)."""
    if given is not None:
        return given
    return next(iter(sc.agents)) if len(sc.agents) == 1 else ""


def _worked(days: list[RosterDay], wanted: list | None) -> list[int]:
    """Indices of the days a shift or activity is worked."""
    if wanted is None:
        return list(range(len(days)))
    return [i for i, d in enumerate(days) if any(k in wanted for k in d.keys)]


def _start(day: RosterDay, at: str) -> int:
    """Minutes after open of clock time `at` on `day` (on or after the day's opening)."""
    return day.begin + (clock_minutes(at) - clock_minutes(day.open)) % DAY_MINUTES


def _offset(shift: RosterShift, at: str) -> int:
    """Minutes from the shift's start to clock time `at` (wrapping past midnight)."""
    return (clock_minutes(at) - clock_minutes(shift.start)) % DAY_MINUTES


def break_starts(shift: RosterShift, agents: int) -> list[list[int]]:
    """Per break, the start of each agent's break, minutes after the shift's start."""
    starts = []
    for brk in shift.breaks:
        lo, hi = (_offset(shift, t) for t in brk.window)
        options = list(range(lo, hi + 1, brk.step))
        m = len(options)
        starts.append([options[j * m // agents] for j in range(agents)] if agents else [])
    return starts


def agent_shifts(sc: Scenario) -> list[AgentShift]:
    """Every scheduled agent-shift of the roster (none without one), by shift name
    (file order), day and agent."""
    if sc.roster is None:
        return []
    days, out = roster_days(sc), []
    for name, shift in sc.roster.shifts.items():
        group = _group(sc, shift.group)
        rate = shift.cost_per_hour
        if rate is None:
            rate = sc.agents[group].cost_per_hour if group in sc.agents else 0.0
        starts = break_starts(shift, shift.agents)
        for d in _worked(days, shift.days):
            begin = _start(days[d], shift.start) * 60.0
            for j in range(shift.agents):
                breaks = tuple(
                    (begin + s[j] * 60.0, begin + (s[j] + b.minutes) * 60.0, b.paid)
                    for b, s in zip(shift.breaks, starts)
                )
                end = begin + shift.minutes * 60.0
                out.append(AgentShift(name, group, d, j, begin, end, breaks, rate))
    return out


def activity_spans(sc: Scenario) -> list[ActivitySpan]:
    """Every activity of the roster, one per day it is held."""
    if sc.roster is None:
        return []
    days, out = roster_days(sc), []
    for name, act in sc.roster.activities.items():
        group = _group(sc, act.group)
        for d in _worked(days, act.days):
            begin = _start(days[d], act.start) * 60.0
            out.append(
                ActivitySpan(name, group, act.agents, begin, begin + act.minutes * 60.0, act.paid)
            )
    return out


def rostered_groups(sc: Scenario) -> list[str]:
    """The agent groups the roster staffs (shifts or activities name them)."""
    if sc.roster is None:
        return []
    named = [s.group for s in sc.roster.shifts.values()]
    named += [a.group for a in sc.roster.activities.values()]
    return [g for g in sc.agents if g in {_group(sc, n) for n in named}]


def on_phones(sc: Scenario, group: str, activities: bool = True) -> np.ndarray:
    """Scheduled agents of `group` on the phones in each minute after open (before
    absence; with `activities`, theirs taken off, never below 0)."""
    total = sc.n_intervals * sc.interval_minutes
    count = np.zeros(total + 1, dtype=np.int64)
    for a in agent_shifts(sc):
        if a.group == group:
            for on, off in a.phones():
                count[int(on // 60)] += 1
                count[min(int(off // 60), total)] -= 1
    for act in activity_spans(sc) if activities else []:
        if act.group == group:
            count[int(act.start // 60)] -= act.agents
            count[min(int(act.end // 60), total)] += act.agents
    return np.maximum(np.cumsum(count)[:total], 0)


def roster_staffing(sc: Scenario) -> dict[str, list[int]]:
    """Per rostered group, the agents on the phones for the whole of each interval (the
    planner's rule; an activity takes its agents off every interval it touches)."""
    n, minutes = sc.n_intervals, sc.interval_minutes
    length = minutes * 60.0
    out = {g: np.zeros(n, dtype=np.int64) for g in rostered_groups(sc)}
    for a in agent_shifts(sc):
        for on, off in a.phones():
            first, stop = int(-(-on // length)), int(off // length)  # whole intervals inside
            out[a.group][first : min(stop, n)] += 1
    for act in activity_spans(sc):
        first, stop = int(act.start // length), int(-(-act.end // length))
        out[act.group][first : min(stop, n)] -= act.agents
    return {g: np.maximum(v, 0).tolist() for g, v in out.items()}


def paid_spans(sc: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(start, seconds, group index, cost per second) of the roster's paid time: each
    scheduled agent-shift less its unpaid breaks, less unpaid activities (negative
    spans). Absence changes none of it: the cost is the scheduled roster's."""
    index = {g: i for i, g in enumerate(sc.agents)}
    rows: list[tuple[float, float, int, float]] = []
    for a in agent_shifts(sc):
        on = a.start
        for b0, b1, paid in a.breaks:
            if not paid:
                rows.append((on, b0 - on, index[a.group], a.cost_per_hour / 3600))
                on = b1
        rows.append((on, a.end - on, index[a.group], a.cost_per_hour / 3600))
    for act in activity_spans(sc):
        if not act.paid:
            rate = sc.agents[act.group].cost_per_hour / 3600
            rows.append((act.start, act.end - act.start, index[act.group], -rate))
    cols = np.array(rows, dtype=float).reshape(-1, 4)
    return cols[:, 0], cols[:, 1], cols[:, 2].astype(np.int64), cols[:, 3]


def span_label(sc: Scenario, start: float, minutes: int) -> str:
    """ "HH:MM–HH:MM" of a span starting `start` seconds after open."""
    first = clock_minutes(sc.open) + int(start // 60)
    return f"{clock(first)}–{clock(first + minutes)}"


def with_roster_staffing(sc: Scenario) -> Scenario:
    """`sc` with each rostered group's `staffing` read from the roster
    (`roster_staffing`), so what reads per-interval staffing (cautions, Erlang
    predictions, tables) sees it; the engine plays the roster itself."""
    staffing = roster_staffing(sc)
    if not staffing:
        return sc
    groups = {
        name: g.model_copy(update={"staffing": staffing[name]}) if name in staffing else g
        for name, g in sc.agents.items()
    }
    return sc.model_copy(update={"agents": groups})


def stretch_roster(sc: Scenario, stretch: Stretch) -> Roster:
    """The roster of one stretch run alone (a dateless scenario from the stretch's
    opening): each shift and activity on the stretch's days, named by day number."""
    assert sc.roster is not None
    days = roster_days(sc)
    number = {
        i: (d.begin - stretch.first * sc.interval_minutes) // DAY_MINUTES + 1
        for i, d in enumerate(days)
        if stretch.first * sc.interval_minutes <= d.begin < stretch.stop * sc.interval_minutes
    }

    def local(span):
        worked = [number[i] for i in _worked(days, span.days) if i in number]
        return span.model_copy(update={"days": worked})

    return sc.roster.model_copy(
        update={
            "shifts": {n: local(s) for n, s in sc.roster.shifts.items()},
            "activities": {n: local(a) for n, a in sc.roster.activities.items()},
        }
    )


def planned_shrinkage(sc: Scenario) -> dict[str, float]:
    """Per rostered group, the share of its paid time the roster and `absence` keep off
    the phones: 1 − expected time on the phones ÷ paid time, where paid = shifts less
    unpaid breaks and activities, and on the phones = (1 − absenteeism) × (shifts less
    breaks, lateness and overruns, at their means) less activities. This is what
    `shrinkage` (the planning divisor of `staff`) should be for the simulation to
    tell the same story (exact while lateness and overruns fit inside the spans)."""
    a = sc.absence
    show = 1 - (a.absenteeism if a else 0.0)
    late = a.late.mean if a and a.late else 0.0
    overrun = a.break_overrun.mean if a and a.break_overrun else 0.0
    paid = dict.fromkeys(rostered_groups(sc), 0.0)
    phones = dict.fromkeys(paid, 0.0)
    for s in agent_shifts(sc):
        unpaid = sum(b1 - b0 for b0, b1, p in s.breaks if not p)
        away = sum(b1 - b0 for b0, b1, _ in s.breaks)
        paid[s.group] += s.end - s.start - unpaid
        phones[s.group] += show * (s.end - s.start - away - late - overrun * len(s.breaks))
    for act in activity_spans(sc):
        paid[act.group] -= 0.0 if act.paid else act.agents * (act.end - act.start)
        phones[act.group] -= act.agents * (act.end - act.start)
    return {g: 1 - phones[g] / paid[g] if paid[g] > 0 else 0.0 for g in paid}
