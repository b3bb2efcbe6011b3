"""Problems of a roster that its fields cannot see alone, one line per field path: the
groups it staffs (never also by `staffing`), its days, shifts and breaks that do not
fit the opening hours, activities with too few agents on the phones, and `absence`
without a roster."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import limits
from .clock import clock, clock_minutes
from .roster import DAY_MINUTES as DAY
from .roster import RosterShift, _Span
from .roster_days import CalendarDay, Clip, calendar_days, clip
from .timetable import _clock, activity_spans, on_phones, rostered_groups, workings

if TYPE_CHECKING:
    from .scenario import Scenario


def staffing_problems(sc: Scenario) -> list[str]:
    """The roster's groups exist; each group is staffed once: by its `staffing` list or
    by the roster."""
    problems = [p for where, span in _spans(sc) for p in _group_problems(sc, where, span)]
    if problems:
        return problems
    rostered = set(rostered_groups(sc))
    for name, g in sc.agents.items():
        if name in rostered and g.staffing:
            problems.append(
                f"agents.{name}.staffing: the roster staffs this group too: give one of "
                "them (the roster logs agents on and off at the exact minute)"
            )
        elif name not in rostered and not g.staffing:
            problems.append(
                f"agents.{name}.staffing: is required (agents per interval), unless "
                "roster.shifts staff the group"
            )
    if sc.absence is not None and sc.roster is None:
        problems.append("absence: applies to a roster's agent-shifts: give roster.shifts")
    return problems


def roster_problems(sc: Scenario) -> list[str]:
    """Everything wrong with `roster` (empty without one)."""
    if sc.roster is None:
        return []
    problems = []
    spans = _spans(sc)
    if spans:  # the open intervals and the days, worked out once for every span
        c = clip(sc)
        days = calendar_days(sc, c)
    for where, span in spans:
        found = _day_problems(sc, where, span, c, days)
        if not found and isinstance(span, RosterShift):
            found = _break_problems(where, span)
        problems += found or _fit_problems(where, span, c, days)
    for name, shift in sc.roster.shifts.items():
        if shift.agents > limits.MAX_AGENTS:
            problems.append(
                f"roster.shifts.{name}.agents: {shift.agents:,} agents, at most "
                f"{limits.MAX_AGENTS:,} (a typo?)"
            )
    return problems or _activity_problems(sc)


def _spans(sc: Scenario) -> list[tuple[str, _Span]]:
    """The roster's shifts and activities with their field paths."""
    if sc.roster is None:
        return []
    parts: list[tuple[str, _Span]] = [
        (f"roster.shifts.{n}", s) for n, s in sc.roster.shifts.items()
    ]
    return parts + [(f"roster.activities.{n}", a) for n, a in sc.roster.activities.items()]


def _group_problems(sc: Scenario, where: str, span: _Span) -> list[str]:
    if span.group is None and len(sc.agents) > 1:
        return [
            f"{where}.group: required when there are several agent groups ({', '.join(sc.agents)})"
        ]
    if span.group is not None and span.group not in sc.agents:
        return [
            f"{where}.group: unknown agent group '{span.group}' "
            f"(groups are: {', '.join(sc.agents)})"
        ]
    return []


def _day_problems(
    sc: Scenario, where: str, span: _Span, c: Clip, days: list[CalendarDay]
) -> list[str]:
    """Days named that the scenario does not have (`days`: those a span may work), with
    the days it has (`_own_days`)."""
    named = {n for d in days for n in d.names}
    own = _own_days(sc, c, days)
    problems = []
    for i, day in enumerate(span.days or []):
        if day in named:
            continue
        if sc.horizon is None and not isinstance(day, int):
            what = (
                f"{day} names a calendar day, but this scenario is dateless: its days are "
                f"numbered {own}"
            )
        elif sc.horizon is None:
            what = f"day {day} is not in the scenario (its days: {own})"
        elif isinstance(day, int):
            what = f"day {day}: name the horizon's days by date or weekday (mon...sun)"
        else:
            what = f"{day} is not a day of the horizon ({own})"
        problems.append(f"{where}.days.{i}: {what}")
    return problems


def _own_days(sc: Scenario, c: Clip, days: list[CalendarDay]) -> str:
    """The scenario's days as a message names them: a horizon's first–last date, a
    dateless scenario's day numbers, and the day before (a night shift into the first
    day may start then) unless the days run round."""
    first: object
    last: object
    if sc.horizon is not None:
        first, last = sc.horizon.calendar_dates()[0], sc.horizon.calendar_dates()[-1]
    else:
        own = days if c.cycle is not None else days[1:-1]
        first, last = own[0].names[0], own[-1].names[0]
    text = f"{first}" if first == last else f"{first}–{last}"
    return text if c.cycle is not None else f"{text}, or {days[0].names[0]}: the day before"


def _fit_problems(where: str, span: _Span, c: Clip, days: list[CalendarDay]) -> list[str]:
    """A span worked on a day where it reaches no open interval, or on no day at all."""
    end = clock(clock_minutes(span.start) + span.minutes)
    worked = workings(span, days, c)
    for day in worked:
        if not c.seconds([_clock(span, day)]):
            return [
                f"{where}: {span.start}–{end} on {day.label} is outside the opening hours "
                "(it reaches no open interval)"
            ]
    if not worked and span.days is None:
        return [f"{where}: {span.start}–{end} reaches no open interval on any day"]
    return []


def _break_problems(where: str, shift: RosterShift) -> list[str]:
    """Breaks outside the shift, with an empty window, or overlapping the next."""
    length = shift.minutes
    span = f"{shift.start}–{clock(clock_minutes(shift.start) + length)}"
    ends: list[int] = []
    for i, brk in enumerate(shift.breaks):
        path = f"{where}.breaks.{i}"
        keys = ("start", "start") if brk.start is not None else ("earliest", "latest")
        lo, hi = ((clock_minutes(t) - clock_minutes(shift.start)) % DAY for t in brk.window)
        if lo >= length or hi >= length:
            key = keys[0] if lo >= length else keys[1]
            return [f"{path}.{key}: {getattr(brk, key)} is outside the shift {span}"]
        if lo > hi:
            return [f"{path}: window {brk.earliest}–{brk.latest} is empty"]
        if hi + brk.minutes > length:
            return [
                f"{path}: a {brk.minutes} min break starting at {brk.window[1]} ends "
                f"after the shift {span}"
            ]
        if ends and lo < ends[-1]:
            return [
                f"{path}: may start before break {i - 1} ends (each break's latest end "
                "must come before the next break's earliest start)"
            ]
        ends.append(hi + brk.minutes)
    return []


def _activity_problems(sc: Scenario) -> list[str]:
    """Activities taking more agents than the shifts have on the phones at some minute."""
    spans = activity_spans(sc)
    if not spans:
        return []
    import numpy as np  # only for a roster's activities: `validate` starts without it

    problems = []
    for group in {a.group for a in spans}:
        there = on_phones(sc, group, activities=False)
        taken = np.zeros_like(there)
        for a in spans:
            if a.group == group:
                for on, off in a.seconds():
                    taken[int(on // 60) : int(off // 60)] += a.agents
        short = np.flatnonzero(taken > there)
        if len(short):
            at = int(short[0])
            act = next(
                a
                for a in spans
                if a.group == group and any(on <= at * 60 < off for on, off in a.seconds())
            )
            problems.append(
                f"roster.activities.{act.activity}.agents: {taken[at]} agents of {group} "
                f"in activities at {_minute_label(sc, at)}, but the shifts have only "
                f"{there[at]} on the phones then"
            )
    return sorted(problems)


def _minute_label(sc: Scenario, at: int) -> str:
    """ "09:10", or "Mon 12-07 09:10" in a horizon: minute `at` of the run."""
    slot = sc.calendar()[at // sc.interval_minutes]
    time = clock(clock_minutes(slot.start) + at % sc.interval_minutes)
    return time if slot.date is None else f"{slot.label.rsplit(' ', 1)[0]} {time}"
