"""When a roster's shifts are worked, on the same clock as the shift planner.

Time is counted in minutes from midnight of the scenario's first calendar day (a
dateless scenario: the midnight before `open`), as `simulator.model.shift_fit` counts
it for `staff --shifts`. A shift or activity is worked on calendar day d from its
clock `start` that day (minute d·1440 + start): it may start before the center opens
or run past midnight; the part outside the open intervals is not simulated (it is
paid: `simulator.model.timetable.paid_spans`). A 24/7 scenario (a horizon always
open on consecutive dates, or a dateless run of whole days) is *cyclic*: what runs
past its end wraps to its beginning, as the same roster repeats (Sunday 22:00 covers
Monday 00:00–06:00).

Days are named as the planner writes them: dates (2026-12-07) and weekdays (mon...sun)
in a horizon, day numbers in a dateless scenario (1 = the first calendar day, 0 = the
day before, for a night shift running into the first morning).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from .clock import clock_minutes
from .horizon import WEEKDAYS

if TYPE_CHECKING:
    from .scenario import Scenario

DAY = 24 * 60


@dataclass(frozen=True)
class Clip:
    """Where clock minutes fall in a run's seconds: the start of each open interval
    (minutes from midnight of the first calendar day), the interval (minutes), and
    the cycle (minutes) of a 24/7 run, else None. The run's second s is in interval
    ⌊s / (60 · interval)⌋."""

    starts: tuple[int, ...]
    interval: int
    cycle: int | None

    def seconds(self, spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """Spans in clock seconds as spans in the run's seconds: wrapped in a cyclic
        run, else cut to the open intervals (closed time drops out)."""
        out = []
        for a, b in spans:
            if self.cycle is not None:
                cycle = self.cycle * 60.0
                a0 = (a - self.starts[0] * 60.0) % cycle
                b0 = a0 + (b - a)
                out += [(a0, cycle), (0.0, b0 - cycle)] if b0 > cycle else [(a0, b0)]
            else:
                a0, b0 = self._at(a), self._at(b)
                if b0 > a0:
                    out.append((a0, b0))
        return out

    @cached_property
    def _seconds(self) -> list[float]:
        return [start * 60.0 for start in self.starts]

    def _at(self, t: float) -> float:
        """The run's second of clock second t (a closed time: the next open second)."""
        length = self.interval * 60.0
        i = bisect.bisect_right(self._seconds, t) - 1
        if i < 0:
            return 0.0
        return i * length + min(t - self.starts[i] * 60.0, length)


@dataclass(frozen=True)
class CalendarDay:
    """A calendar day a roster may work: d (0: the first), the names that select it,
    its label in messages."""

    d: int
    names: tuple[int | str | dt.date, ...]
    label: str


def clip(sc: Scenario) -> Clip:
    """The scenario's open intervals on the clock (see the module doc)."""
    minutes = sc.interval_minutes
    if sc.horizon is None:
        first = clock_minutes(sc.open)
        span = sc.n_intervals * minutes
        starts = tuple(first + i * minutes for i in range(sc.n_intervals))
        return Clip(starts, minutes, span if span % DAY == 0 else None)
    dates = sc.horizon.calendar_dates()
    starts_list: list[int] = []
    for day in sc.days():
        assert day.date is not None
        base = (day.date - dates[0]).days * DAY + clock_minutes(day.open)
        starts_list += [base + i * minutes for i in range(day.n_intervals)]
    span = (dates[-1] - dates[0]).days + 1
    cyclic = sc.horizon.always_open and span == len(dates)
    return Clip(tuple(starts_list), minutes, span * DAY if cyclic else None)


def calendar_days(sc: Scenario, c: Clip) -> list[CalendarDay]:
    """The days a shift may be worked on: every day of a cyclic run; else the days the
    open intervals touch, with the day before and the day after."""
    if c.cycle is not None:
        days = range(c.cycle // DAY)
    else:
        days = range(-1, -(-(c.starts[-1] + c.interval) // DAY) + 1)
    if sc.horizon is None:
        return [CalendarDay(d, (d + 1,), f"day {d + 1}") for d in days]
    first = sc.horizon.calendar_dates()[0]
    out = []
    for d in days:
        date = first + dt.timedelta(days=d)
        label = f"{WEEKDAYS[date.weekday()].capitalize()} {date:%m-%d}"
        out.append(CalendarDay(d, (date, WEEKDAYS[date.weekday()]), label))
    return out
