"""Rosters and absence: a schedule given as shifts × headcount, as a planner writes it.

A roster names shifts (a group, a start, an end or a length in hours, the agents
working it, the days it is worked), each with its breaks and lunches, either at a set
time for every agent on the shift or in a window the tool staggers across them, and
planned off-phone activities (meetings, training: so many agents of a group, from–to).
A group staffed by the roster gives no `staffing` list: the simulator logs its agents
on and off at the exact minute (`simulator.model.timetable` turns a roster into
agent-shifts, `simulator.sim.rostering` into the engine's staffing events).

`absence` makes the roster's agents behave like people: each scheduled agent-shift is
a no-show with probability `absenteeism`, agents log on `late` and come back from each
break `break_overrun` later. These are simulated losses, drawn per replication; the
paid roster (what the cost counts) is the scheduled one.

Nothing here simulates: this module only says what a valid roster is.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from .base import MODEL_CONFIG
from .clock import check_clock, clock_minutes
from .distributions import Distribution
from .horizon import WEEKDAYS

DAY_MINUTES = 24 * 60


class _Model(BaseModel):
    model_config = MODEL_CONFIG


def _check_day(value: object) -> int | str | dt.date:
    """A weekday ("mon", any case), a date (2026-12-07, quoted or not) or a day number."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if not isinstance(value, str):
        raise ValueError(
            f"must be a weekday ({', '.join(WEEKDAYS)}), a date YYYY-MM-DD or a day number >= 0"
        )
    if value.lower() in WEEKDAYS:
        return value.lower()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"must be a weekday ({', '.join(WEEKDAYS)}) or a date YYYY-MM-DD, not {value!r}"
        ) from None


DaySpec = Annotated[int | str | dt.date, BeforeValidator(_check_day)]


class RosterBreak(_Model):
    """A break or lunch: at a set `start` for every agent of the shift, or staggered in
    a window from `earliest` to `latest` (agent j of n takes the ⌊j·m/n⌋-th of the m
    starts earliest, earliest + step, ... up to latest: the agents fill the starts in
    order, the counts of any two starts differing by at most one)."""

    start: str | None = None
    """Clock time every agent of the shift starts it, "HH:MM" (or give a window)."""
    earliest: str | None = None
    """The window's first start, clock time "HH:MM"."""
    latest: str | None = None
    """The window's last start, clock time "HH:MM"."""
    step: int = Field(default=15, ge=1, le=DAY_MINUTES)
    """Minutes between the window's starts."""
    minutes: int = Field(gt=0, le=DAY_MINUTES)
    """Length, minutes."""
    paid: bool = False
    """Whether the break is paid time (the cost counts it; the agent is off the phones)."""

    _clock = field_validator("start", "earliest", "latest")(
        lambda cls, v: v if v is None else check_clock(v)
    )

    @model_validator(mode="after")
    def _set_or_window(self) -> RosterBreak:
        window = (self.earliest, self.latest)
        if self.start is not None and any(w is not None for w in window):
            raise ValueError("give either start, or a window earliest–latest, not both")
        if self.start is None and None in window:
            raise ValueError("give start, or both earliest and latest")
        return self

    @property
    def window(self) -> tuple[str, str]:
        """(earliest, latest) start; a set time is a window of one start."""
        if self.start is not None:
            return self.start, self.start
        assert self.earliest is not None and self.latest is not None
        return self.earliest, self.latest


class _Span(_Model):
    """What a shift and an activity share: a group, from–to, the days."""

    group: str | None = None
    """The agent group (default: the only group)."""
    start: str
    """Clock time it starts, "HH:MM"."""
    end: str | None = None
    """Clock time it ends, "HH:MM" (before the start: past midnight); or give hours."""
    hours: float | None = Field(default=None, gt=0, le=24)
    """Length, hours (instead of end)."""
    days: list[DaySpec] | None = None
    """The days it is worked: weekdays (mon...sun) or dates (2026-12-07) in a horizon, day
    numbers (1, 2...) in a dateless scenario; absent: every day of the scenario."""

    _clock = field_validator("start", "end")(lambda cls, v: v if v is None else check_clock(v))

    @model_validator(mode="after")
    def _end_or_hours(self):
        if (self.end is None) == (self.hours is None):
            raise ValueError("give either end or hours")
        if self.end is not None and self.end == self.start:
            raise ValueError("end equals start: give hours: 24 for a 24-hour span")
        if self.hours is not None and abs(self.hours * 60 - round(self.hours * 60)) > 1e-9:
            raise ValueError(f"hours: {self.hours:g} h is not a whole number of minutes")
        return self

    @property
    def minutes(self) -> int:
        """Length in minutes (an end before the start runs past midnight)."""
        if self.hours is not None:
            return round(self.hours * 60)
        assert self.end is not None
        return (clock_minutes(self.end) - clock_minutes(self.start)) % DAY_MINUTES


class RosterShift(_Span):
    """A shift worked by `agents` agents of a group on each of its days."""

    agents: int = Field(ge=0)
    """Agents working the shift on each of its days (scheduled, before absence)."""
    breaks: list[RosterBreak] = []
    """Breaks and lunches, in the order taken (none may overlap the next)."""
    cost_per_hour: float | None = Field(default=None, ge=0)
    """Cost of a paid hour on the shift (default: the group's cost_per_hour)."""


class Activity(_Span):
    """A planned off-phone activity (meeting, training): `agents` agents of the group
    on shift leave the phones from start to end, on each of its days."""

    agents: int = Field(ge=1)
    """Agents taken off the phones."""
    paid: bool = True
    """Whether the activity is paid time (an unpaid one is taken off the cost)."""


class Roster(_Model):
    """The schedule as shifts × headcount, breaks and activities (see `roster` in the
    scenario reference). Groups it staffs give no `staffing` list."""

    shifts: dict[str, RosterShift] = Field(min_length=1)
    """The shifts worked, by name."""
    activities: dict[str, Activity] = {}
    """Planned off-phone activities, by name."""
    # a stretch of a horizon run alone carries its agent-shifts worked out on the whole
    # horizon's calendar (`simulator.model.timetable.stretch_roster`)
    _resolved: Any = PrivateAttr(default=None)


class Absence(_Model):
    """Simulated losses of a roster's agents, drawn per replication: no-shows, lateness
    at shift start, breaks overrun. Durations are seconds."""

    absenteeism: float = Field(default=0.0, ge=0, lt=1)
    """The chance that a scheduled agent-shift is a no-show (the whole shift)."""
    late: Distribution | None = None
    """Seconds an agent logs on after the shift's start (each agent-shift one draw)."""
    break_overrun: Distribution | None = None
    """Seconds an agent comes back after each break's end (one draw per break)."""
