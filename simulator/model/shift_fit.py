"""Where shift patterns fall on a scenario's intervals: the one place that says when a
shift can be worked, used by `validate` (`bounds.shift_problems`) and by the shift
solver (`simulator.planner.shifts`), so both refuse the same files with the same words.

Time is counted in minutes from midnight of the first calendar day of the scenario
(`Timeline.starts`). A pattern is worked on every calendar day of the scenario, from its
clock `start` on that day (a shift may start before the center opens, and run past
midnight into the next day). A 24/7 scenario (every minute of whole days open: a 24/7
horizon, or one dateless day of 24 h) is *cyclic*: a shift running past its end wraps
to its beginning, as the same roster repeats (Sunday 22:00 covers Monday 00:00-06:00).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .clock import clock, clock_minutes
from .horizon import WEEKDAYS, day_label
from .scenario import Scenario, Shift

DAY = 24 * 60


@dataclass(frozen=True)
class Timeline:
    """The open intervals of a scenario in minutes from midnight of its first day."""

    starts: tuple[int, ...]  # start of each open interval, minutes
    interval: int  # minutes
    labels: tuple[str, ...]  # "08:00", or "Mon 12-07 08:00" in a horizon
    first_date: dt.date | None = None  # the horizon's first calendar date; None: dateless
    horizon_days: int = 0  # calendar days of the horizon (0: dateless)
    weekday_keys: bool = False  # a roster names the days by weekday (each once), else date
    cycle: int | None = None  # minutes after which coverage wraps (24/7), else None

    @property
    def days(self) -> int:
        """Calendar days the intervals touch (from the first day's midnight)."""
        return -(-(self.starts[-1] + self.interval) // DAY)

    @property
    def calendar_days(self) -> int:
        """Days the scenario covers: its horizon's, else 24 h spans from the first
        interval (one day: 1)."""
        if self.first_date is not None:
            return self.horizon_days
        return max(1, -(-(len(self.starts) * self.interval) // DAY))

    @property
    def day_labels(self) -> list[str]:
        """The horizon's calendar days, labelled ("Mon 12-07"); [] if dateless."""
        return [self.day_label(d) for d in range(self.horizon_days)]

    @property
    def hours(self) -> str:
        """The opening hours in words, for messages."""
        first, last = self.starts[0], self.starts[-1] + self.interval
        return f"{clock(first)}–{clock(last)}"

    def date(self, day: int) -> dt.date | None:
        """The date of calendar day `day` (0: the first), None if dateless."""
        return None if self.first_date is None else self.first_date + dt.timedelta(days=day)

    def day_label(self, day: int) -> str:
        """A calendar day's name: the horizon's ("Mon 12-07"), else "day 1", "day 2"...
        (day -1: the day before the first)."""
        date = self.date(day)
        if date is not None:
            return day_label(date)
        return "day before" if day < 0 else f"day {day + 1}"

    def day_key(self, day: int) -> str | int:
        """How a roster names calendar day `day`: "Mon" or "2026-12-07" in a horizon,
        the day number (1, 2...; 0 the day before) in a dateless scenario."""
        date = self.date(day)
        if date is None:
            return day + 1
        return WEEKDAYS[date.weekday()].capitalize() if self.weekday_keys else date.isoformat()

    def clock_label(self, minute: int) -> str:
        """A time's label, as the intervals are labelled: "12:00" or "Mon 12-07 12:00"."""
        if self.first_date is not None:
            return f"{self.day_label(minute // DAY)} {clock(minute)}"
        return clock(minute)


def day_timeline(intervals: int, interval: int, open: str) -> Timeline:
    """`intervals` intervals back to back from clock `open` on a dateless day, past
    midnight if they run so far (cyclic if they make exactly whole days)."""
    first = clock_minutes(open)
    starts = tuple(first + i * interval for i in range(intervals))
    labels = tuple(clock(t) for t in starts)
    span = intervals * interval
    return Timeline(starts, interval, labels, cycle=span if span % DAY == 0 else None)


def timeline(sc: Scenario) -> Timeline:
    """The scenario's open intervals: its horizon's (from midnight of its first date;
    cyclic when always open on consecutive dates), else one dateless run from `open`."""
    h = sc.horizon
    if h is None:
        return day_timeline(sc.n_intervals, sc.interval_minutes, sc.open)
    dates = h.calendar_dates()
    starts = []
    for day in sc.days():
        assert day.date is not None
        base = (day.date - dates[0]).days * DAY + clock_minutes(day.open)
        starts += [base + i * sc.interval_minutes for i in range(day.n_intervals)]
    span = (dates[-1] - dates[0]).days + 1
    cyclic = h.always_open and span == len(dates)
    return Timeline(
        tuple(starts),
        sc.interval_minutes,
        tuple(slot.label for slot in sc.calendar()),
        first_date=dates[0],
        horizon_days=span,
        # a roster may work the day before and after a horizon that does not wrap:
        # weekday names select one day each only if those days are 7 at most
        weekday_keys=(span if cyclic else span + 2) <= 7,
        cycle=span * DAY if cyclic else None,
    )


def shift_minutes(name: str, shift: Shift) -> int:
    """Shift length in whole minutes (ValueError naming the field if it is not)."""
    length = shift.hours * 60
    if abs(length - round(length)) > 1e-9:
        raise ValueError(f"shifts.{name}.hours: {shift.hours:g} h is not a whole number of minutes")
    return round(length)


def shift_starts(shift: Shift, tl: Timeline, length: int) -> list[tuple[int, int]]:
    """(day, start minute) of every working of `shift` that overlaps an open interval:
    one a calendar day (of its weekdays, `Shift.days`, in a horizon), the day before the
    first and after the last included where a shift runs into the scenario from there
    (never in a cyclic one: it wraps)."""
    days = range(tl.cycle // DAY) if tl.cycle else range(-1, tl.days + 1)
    lo, hi = tl.starts[0], tl.starts[-1] + tl.interval
    found = []
    for d in days:
        date = tl.date(d)
        if shift.days and date is not None and WEEKDAYS[date.weekday()] not in shift.days:
            continue
        t = d * DAY + clock_minutes(shift.start)
        if tl.cycle or (t < hi and t + length > lo):
            found.append((d, t))
    return found


def covers(tl: Timeline, start: int, stop: int) -> list[bool]:
    """Per interval: is [start, stop) (minutes) holding the whole interval? Wraps in a
    cyclic timeline."""
    shifts = (0, tl.cycle, -tl.cycle) if tl.cycle else (0,)
    return [any(start <= t + k and t + k + tl.interval <= stop for k in shifts) for t in tl.starts]


def touches(tl: Timeline, start: int, stop: int) -> list[bool]:
    """Per interval: does [start, stop) overlap it? Wraps in a cyclic timeline."""
    shifts = (0, tl.cycle, -tl.cycle) if tl.cycle else (0,)
    return [any(t + k < stop and t + k + tl.interval > start for k in shifts) for t in tl.starts]


def break_slots(name: str, shift: Shift, tl: Timeline, length: int) -> list[int]:
    """Break starts allowed, in minutes after the shift's start: the interval
    boundaries between `earliest` and `latest` (ValueError naming the field if none,
    or if the break does not fit the shift)."""
    brk = shift.unpaid_break
    assert brk is not None
    path = f"shifts.{name}.break"
    span = f"{shift.start}–{clock(clock_minutes(shift.start) + length)}"
    if brk.minutes >= length:
        raise ValueError(f"{path}.minutes: {brk.minutes} min is not shorter than the shift {span}")
    first, last = (
        (clock_minutes(t) - clock_minutes(shift.start)) % DAY for t in (brk.earliest, brk.latest)
    )
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
    phase = (tl.starts[0] - clock_minutes(shift.start)) % tl.interval
    lo = first + (phase - first) % tl.interval  # first interval boundary in the window
    if lo > last:
        raise ValueError(
            f"{path}: no interval start between {brk.earliest} and "
            f"{brk.latest} (breaks start on the {tl.interval} min interval grid)"
        )
    return list(range(lo, last + 1, tl.interval))


def break_share(name: str, shift: Shift, tl: Timeline, slots: Sequence[int]) -> Fraction:
    """The most of a working's agents its break may take off one interval: the
    break's `max_share`, or by default a quarter, or the least the window allows when
    that is more (1 ÷ ⌈starts ÷ intervals a break spans⌉; a fixed-time break: all).
    ValueError naming the field when `max_share` is below what the window allows."""
    brk = shift.unpaid_break
    assert brk is not None
    spans = math.ceil(brk.minutes / tl.interval)
    least = Fraction(1, math.ceil(len(slots) / spans))
    if brk.max_share is None:
        return max(Fraction(1, 4), least)
    share = Fraction(brk.max_share).limit_denominator(1000)
    if share < least:
        raise ValueError(
            f"shifts.{name}.break.max_share: {brk.max_share:g} is less than the "
            f"{float(least):.3g} its window allows ({len(slots)} start(s) "
            f"{brk.earliest}–{brk.latest}, a {brk.minutes} min break spans up to {spans} "
            f"interval(s)): widen the window or raise max_share"
        )
    return share


def fit_problems(sc: Scenario) -> list[str]:
    """Shifts that cannot be worked: a length that is not whole minutes, no overlap
    with the opening hours, a break that does not fit its shift or the grid, a break
    share the window cannot keep (what `staff --shifts` would refuse)."""
    tl = timeline(sc)
    problems = []
    for name, shift in (sc.shifts or {}).items():
        try:
            length, _ = shift_workings(name, shift, tl)
            if shift.unpaid_break is not None:
                break_share(name, shift, tl, break_slots(name, shift, tl, length))
        except ValueError as exc:
            problems.append(str(exc))
    return problems


def shift_workings(name: str, shift: Shift, tl: Timeline) -> tuple[int, list[tuple[int, int]]]:
    """(length in minutes, `shift_starts`) of a pattern, or ValueError naming the field:
    a length that is not whole minutes, weekdays in a dateless scenario, no working
    that overlaps the opening hours."""
    length = shift_minutes(name, shift)
    if shift.days and tl.first_date is None:
        raise ValueError(
            f"shifts.{name}.days: weekdays need a horizon (give horizon: start, days); "
            "a dateless scenario's days have none"
        )
    starts = shift_starts(shift, tl, length)
    if not starts:
        on = f" on {', '.join(shift.days)}" if shift.days else ""
        raise ValueError(
            f"shifts.{name}: {shift.start} for {shift.hours:g} h{on} is outside the "
            f"opening hours {tl.hours}"
        )
    return length, starts
