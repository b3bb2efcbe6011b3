"""A roster worked out: every scheduled agent-shift with its breaks, on the clock and in
the run's seconds.

`agent_shifts` expands `roster.shifts` into one `AgentShift` per agent and working (a
shift on a calendar day: `simulator.model.roster_days`; breaks of a window staggered
by `RosterBreak`'s rule), `activity_spans` the activities. From these: the per-interval
staffing a roster gives a group (`roster_staffing`: the planner's rule, an agent counts
in an interval only if on the phones for the whole of it), the agents on the phones
minute by minute (`on_phones`), the paid time the cost counts (`paid_spans`), the
shrinkage the roster and its absence stand for (`planned_shrinkage`), and the roster
of one stretch of a horizon run alone (`stretch_roster`). What `validate` uses is
plain Python (a fast start: no numpy); numpy only where the engine's arrays are made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from .clock import clock_minutes
from .horizon import Stretch
from .roster import Roster, RosterShift, _Span
from .roster_days import DAY, CalendarDay, Clip, calendar_days, clip

if TYPE_CHECKING:
    import numpy as np

    from .scenario import Scenario

Spans = list[tuple[float, float]]


@dataclass(frozen=True)
class AgentShift:
    """One agent working one shift on one calendar day. Times are clock seconds (from
    midnight of the first calendar day); `clip` puts them in the run's seconds."""

    shift: str
    group: str
    day: int  # calendar day d
    agent: int  # 0-based, on this shift and day
    start: float
    end: float
    breaks: tuple[tuple[float, float, bool], ...]  # (start, end, paid), in order
    cost_per_hour: float
    clip: Clip

    def phones(self, late: float = 0.0, overruns: tuple[float, ...] = ()) -> Spans:
        """Spans on the phones in the run's seconds: from `late` seconds after the start,
        back from break i `overruns[i]` seconds after its end, never past the end."""
        spans, on = [], self.start + late
        for i, (b0, b1, _) in enumerate(self.breaks):
            if b0 > on:
                spans.append((on, b0))
            on = max(on, b1 + (overruns[i] if overruns else 0.0))
        if self.end > on:
            spans.append((on, self.end))
        return self.clip.seconds(spans)

    def paid(self) -> Spans:
        """The paid spans on the clock: the shift less its unpaid breaks."""
        spans, on = [], self.start
        for b0, b1, paid in self.breaks:
            if not paid:
                spans.append((on, b0))
                on = b1
        return [*spans, (on, self.end)]


@dataclass(frozen=True)
class ActivitySpan:
    """`agents` of `group` off the phones from `start` to `end` (clock seconds)."""

    activity: str
    group: str
    agents: int
    start: float
    end: float
    paid: bool
    clip: Clip

    def seconds(self) -> Spans:
        return self.clip.seconds([(self.start, self.end)])


def group_of(sc: Scenario, given: str | None) -> str:
    """The group named, or the only one ("" when there are several: a problem)."""
    if given is not None:
        return given
    return next(iter(sc.agents)) if len(sc.agents) == 1 else ""


def workings(span: _Span, days: list[CalendarDay], c: Clip) -> list[CalendarDay]:
    """The calendar days `span` is worked on: those its `days` name, else every day
    whose working reaches the open intervals."""
    if span.days is not None:
        return [d for d in days if any(n in span.days for n in d.names)]
    return [d for d in days if c.seconds([_clock(span, d)])]


def _clock(span: _Span, day: CalendarDay) -> tuple[float, float]:
    """(start, end) clock seconds of `span` worked on `day`."""
    start = (day.d * DAY + clock_minutes(span.start)) * 60.0
    return start, start + span.minutes * 60.0


def break_starts(shift: RosterShift, agents: int) -> list[list[int]]:
    """Per break, the start of each agent's break, minutes after the shift's start."""
    starts = []
    for brk in shift.breaks:
        lo, hi = ((clock_minutes(t) - clock_minutes(shift.start)) % DAY for t in brk.window)
        options = list(range(lo, hi + 1, brk.step))
        starts.append([options[j * len(options) // agents] for j in range(agents)])
    return starts


def agent_shifts(sc: Scenario) -> list[AgentShift]:
    """Every scheduled agent-shift of the roster (none without one), by shift name
    (file order), calendar day and agent."""
    return worked_out(sc)[0]


def activity_spans(sc: Scenario) -> list[ActivitySpan]:
    """Every activity of the roster, one per day it is held."""
    return worked_out(sc)[1]


def worked_out(sc: Scenario) -> tuple[list[AgentShift], list[ActivitySpan]]:
    """The roster's agent-shifts and activities (see `agent_shifts`, `activity_spans`)."""
    if sc.roster is None:
        return [], []
    if sc.roster._resolved is not None:
        return sc.roster._resolved
    c = clip(sc)
    days: list[CalendarDay] = calendar_days(sc, c)
    shifts, acts = [], []
    for name, shift in sc.roster.shifts.items():
        group = group_of(sc, shift.group)
        rate = shift.cost_per_hour
        if rate is None:
            rate = sc.agents[group].cost_per_hour if group in sc.agents else 0.0
        starts = break_starts(shift, shift.agents)
        for day in workings(shift, days, c):
            begin, end = _clock(shift, day)
            for j in range(shift.agents):
                breaks = tuple(
                    (begin + s[j] * 60.0, begin + (s[j] + b.minutes) * 60.0, b.paid)
                    for b, s in zip(shift.breaks, starts)
                )
                shifts.append(AgentShift(name, group, day.d, j, begin, end, breaks, rate, c))
    for name, act in sc.roster.activities.items():
        for day in workings(act, days, c):
            start, end = _clock(act, day)
            group = group_of(sc, act.group)
            acts.append(ActivitySpan(name, group, act.agents, start, end, act.paid, c))
    return shifts, acts


def rostered_groups(sc: Scenario) -> list[str]:
    """The agent groups the roster staffs (its shifts or activities name them)."""
    if sc.roster is None:
        return []
    spans: list[_Span] = [*sc.roster.shifts.values(), *sc.roster.activities.values()]
    named = {group_of(sc, s.group) for s in spans}
    return [g for g in sc.agents if g in named]


def on_phones(sc: Scenario, group: str, activities: bool = True) -> list[int]:
    """Scheduled agents of `group` on the phones in each minute of the run (before
    absence; with `activities`, theirs taken off, never below 0)."""
    return _on_phones(sc, [group], activities)[group]


def _on_phones(sc: Scenario, groups: list[str], activities: bool) -> dict[str, list[int]]:
    """`on_phones` of each of `groups`, from one working-out of the roster."""
    total = sc.n_intervals * sc.interval_minutes
    count = {g: [0] * (total + 1) for g in groups}  # the change at each minute

    def add(group: str, spans: Spans, n: int) -> None:
        for on, off in spans:
            count[group][int(on // 60)] += n
            count[group][min(int(off // 60), total)] -= n

    shifts, acts = worked_out(sc)
    for a in shifts:
        if a.group in count:
            add(a.group, a.phones(), 1)
    for act in acts if activities else []:
        if act.group in count:
            add(act.group, act.seconds(), -act.agents)
    return {g: [max(x, 0) for x in accumulate(c[:total])] for g, c in count.items()}


def roster_present(sc: Scenario) -> dict[str, list[int]]:
    """Per rostered group, the most agents on the phones at any minute of each interval
    (scheduled): 0 only where the group has nobody on the phones all interval."""
    m = sc.interval_minutes
    return {
        g: [max(minutes[i : i + m]) for i in range(0, len(minutes), m)]
        for g, minutes in _on_phones(sc, rostered_groups(sc), activities=True).items()
    }


def roster_staffing(sc: Scenario) -> dict[str, list[int]]:
    """Per rostered group, the agents on the phones for the whole of each interval (the
    planner's rule; an activity takes its agents off every interval it touches). In
    plain Python (a difference list per group): `validate` of a roster needs no numpy."""
    if sc.roster is None:
        return {}
    n, length = sc.n_intervals, sc.interval_seconds
    steps = {g: [0] * (n + 1) for g in rostered_groups(sc)}  # change at each interval

    def add(group: str, first: int, stop: int, agents: int) -> None:
        span = range(n)[first:stop]  # the intervals a slice [first:stop] takes
        if span:
            steps[group][span.start] += agents
            steps[group][span.stop] -= agents

    shifts, acts = worked_out(sc)
    for a in shifts:
        for on, off in a.phones():  # whole intervals inside
            add(a.group, int(-(-on // length)), min(int(off // length), n), 1)
    for act in acts:
        for on, off in act.seconds():
            add(act.group, int(on // length), min(int(-(-off // length)), n), -act.agents)
    return {g: [max(x, 0) for x in accumulate(v[:n])] for g, v in steps.items()}


def paid_spans(sc: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(start, seconds, group index, cost per second) of the roster's paid time in the
    run's seconds: each agent-shift less its unpaid breaks, less unpaid activities
    (negative cost). Paid time outside the open intervals counts in the shift's open
    part (its rate scaled up), so a day costs every paid hour, as the plan does.
    Absence changes none of it: the cost is the scheduled roster's."""
    import numpy as np

    index = {g: i for i, g in enumerate(sc.agents)}
    rows: list[tuple[float, float, int, float]] = []
    for a in agent_shifts(sc):
        clock_spans = a.paid()
        inside = a.clip.seconds(clock_spans)
        total, kept = sum(b - s for s, b in clock_spans), sum(b - s for s, b in inside)
        rate = a.cost_per_hour / 3600 * (total / kept if kept > 0 else 0.0)
        rows += [(s, b - s, index[a.group], rate) for s, b in inside]
    for act in activity_spans(sc):
        if not act.paid:
            rate = sc.agents[act.group].cost_per_hour / 3600
            rows += [(s, b - s, index[act.group], -rate * act.agents) for s, b in act.seconds()]
    cols = np.array(rows, dtype=float).reshape(-1, 4)
    return cols[:, 0], cols[:, 1], cols[:, 2].astype(np.int64), cols[:, 3]


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
    shifts, acts = worked_out(sc)
    for s in shifts:
        away = sum(b1 - b0 for b0, b1, _ in s.breaks)
        paid[s.group] += sum(b - a for a, b in s.paid())
        phones[s.group] += show * (s.end - s.start - away - late - overrun * len(s.breaks))
    for act in acts:
        paid[act.group] -= 0.0 if act.paid else act.agents * (act.end - act.start)
        phones[act.group] -= act.agents * (act.end - act.start)
    return {g: 1 - phones[g] / paid[g] if paid[g] > 0 else 0.0 for g in paid}


def stretch_roster(sc: Scenario, stretch: Stretch) -> Roster:
    """The roster of one stretch of a horizon run alone: its agent-shifts and
    activities worked out on the whole horizon's calendar, each in the stretch where
    it starts its open time, in the stretch's seconds."""
    assert sc.roster is not None
    c = clip(sc)
    part = Clip(c.starts[stretch.first : stretch.stop], c.interval, None)
    if stretch.first == 0 and stretch.stop == len(c.starts):
        part = c
    length = c.interval * 60.0

    def here(spans: Spans) -> bool:
        return bool(spans) and stretch.first * length <= spans[0][0] < stretch.stop * length

    shifts = [replace(a, clip=part) for a in agent_shifts(sc) if here(a.clip.seconds(a.paid()))]
    acts = [replace(a, clip=part) for a in activity_spans(sc) if here(a.seconds())]
    roster = sc.roster.model_copy()
    roster._resolved = (shifts, acts)
    return roster


def with_roster_staffing(sc: Scenario) -> Scenario:
    """`sc` with each rostered group's `staffing` read from the roster
    (`roster_staffing`), so what reads per-interval staffing (cautions, Erlang
    predictions, tables) sees it; the engine plays the roster itself."""
    staffing = roster_staffing(sc)
    if not staffing:
        return sc
    groups: dict[str, Any] = {
        name: g.model_copy(update={"staffing": staffing[name]}) if name in staffing else g
        for name, g in sc.agents.items()
    }
    return sc.model_copy(update={"agents": groups})


def unrostered(sc: Scenario, groups: set[str]) -> Scenario:
    """`sc` with `groups` no longer staffed by the roster (their shifts and activities
    dropped: they are given staffing lists instead); no roster, nor absence, is left
    when no shift is."""
    if sc.roster is None or not groups & set(rostered_groups(sc)):
        return sc
    keep = lambda spans: {n: s for n, s in spans.items() if group_of(sc, s.group) not in groups}
    shifts = keep(sc.roster.shifts)
    if not shifts:
        return sc.model_copy(update={"roster": None, "absence": None})
    roster = sc.roster.model_copy(
        update={"shifts": shifts, "activities": keep(sc.roster.activities)}
    )
    if sc.roster._resolved is not None:
        kept = worked_out(sc)
        roster._resolved = tuple([a for a in part if a.group not in groups] for part in kept)
    return sc.model_copy(update={"roster": roster})
