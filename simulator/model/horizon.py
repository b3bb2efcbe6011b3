"""The horizon: the calendar days a scenario covers, with their dates and opening hours.

Without `horizon` a scenario is one dateless day from `open`, as ever. With one it
covers calendar days (`start` and `days`, or explicit `dates`), each open from its
opening to its closing time (`open` and `horizon.close`, or `hours` per weekday, where a
weekday may be `closed`), or around the clock (`always_open`). Every per-interval list
(volumes, staffing...) then holds the OPEN intervals of the whole horizon, in time order.

Days that follow one another without a close (a 24/7 desk: one day closes at 24:00,
the next opens at 00:00) form one stretch, simulated as one continuous run: calls
waiting at midnight carry over. A closed night ends a stretch: the next day starts
empty. Clock times are local wall-clock times and every day has 24 hours (no
daylight-saving hour is added or lost).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, field_validator, model_validator

from .base import MODEL_CONFIG, PerInterval
from .clock import check_clock, clock, clock_minutes

if TYPE_CHECKING:
    from .scenario import Scenario

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MAX_DAYS = 366
DAY_MINUTES = 24 * 60
MIDNIGHT = "24:00"


class _Model(BaseModel):
    model_config = MODEL_CONFIG  # strict, frozen, no NaN (see simulator.model.base)


def _closing(value: str) -> str:
    """A closing time: "HH:MM", or "24:00" for midnight at the end of the day."""
    if value == MIDNIGHT:
        return value
    try:
        return check_clock(value)
    except ValueError:
        raise ValueError('must be a clock time HH:MM, e.g. "20:00" ("24:00": midnight)') from None


def _minutes(value: str) -> int:
    return DAY_MINUTES if value == MIDNIGHT else clock_minutes(value)


class Hours(_Model):
    """A weekday's opening hours: the first interval starts at `open`, the last ends at
    `close`."""

    open: str
    """Opening time, "HH:MM"."""
    close: str
    """Closing time, "HH:MM" ("24:00": midnight), after the opening time."""

    _open = field_validator("open")(lambda cls, v: check_clock(v))
    _close = field_validator("close")(lambda cls, v: _closing(v))

    @model_validator(mode="after")
    def _order(self) -> Hours:
        if _minutes(self.close) <= clock_minutes(self.open):
            raise ValueError(
                f"close {self.close} must be after open {self.open} (a desk open past "
                "midnight: close at 24:00 and open the next day at 00:00)"
            )
        return self


HOURS_SHAPES = ("open_hours", "closed")  # tags of a weekday's union (left out of field paths)


def _hours_shape(value: Any) -> str:
    """A weekday's hours as given: text (`closed`) or a mapping {open, close}."""
    return "closed" if isinstance(value, str) else "open_hours"


def _date(value: Any) -> Any:
    """A date as YAML gives it (unquoted) or as ISO text "2026-12-07"."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f'must be a date YYYY-MM-DD, e.g. 2026-12-07 (not "{value}")'
            ) from None
    return value


class Horizon(_Model):
    """The days a scenario covers: from `start` for `days` days, or the `dates` given;
    open from `open` (the scenario's) to `close` each day, except the weekdays `hours`
    gives; or around the clock with `always_open`."""

    start: dt.date | None = None
    """The first day, a date YYYY-MM-DD (with `days`)."""
    days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    """How many consecutive days from `start`."""
    dates: list[dt.date] | None = Field(default=None, min_length=1, max_length=MAX_DAYS)
    """The days covered, in order (instead of start and days; gaps allowed)."""
    close: str | None = None
    """Closing time of every day `hours` does not give, "HH:MM" ("24:00": midnight);
    the day opens at the scenario's `open`."""
    hours: dict[
        Weekday,
        Annotated[
            Annotated[Hours, Tag("open_hours")] | Annotated[Literal["closed"], Tag("closed")],
            Discriminator(_hours_shape),
        ],
    ] = {}
    """WEEKDAY (mon..sun): its own {open, close}, or `closed`."""
    always_open: bool = False
    """Open around the clock (00:00-24:00 every day): calls waiting at midnight carry
    over; needs `open: "00:00"`, no close and no hours."""

    _close = field_validator("close")(lambda cls, v: v if v is None else _closing(v))

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: Any) -> Any:
        return _date(value)

    @field_validator("dates", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return [_date(v) for v in value] if isinstance(value, list) else value

    @field_validator("dates")
    @classmethod
    def _in_order(cls, dates: list[dt.date] | None) -> list[dt.date] | None:
        for before, after in zip(dates or [], (dates or [])[1:]):
            if after <= before:
                raise ValueError(
                    f"{after} comes after {before}: give the dates in order, once each"
                )
        return dates

    @model_validator(mode="after")
    def _shape(self) -> Horizon:
        if self.dates is not None and (self.start is not None or self.days is not None):
            raise ValueError("give either start and days, or dates")
        if self.dates is None and (self.start is None or self.days is None):
            raise ValueError("give start and days (e.g. start: 2026-12-07, days: 7), or dates")
        if self.always_open and (self.close is not None or self.hours):
            raise ValueError("always_open is open 00:00-24:00 every day: no close, no hours")
        return self

    def calendar_dates(self) -> list[dt.date]:
        """Every date of the horizon, open or closed, in order."""
        if self.dates is not None:
            return list(self.dates)
        assert self.start is not None and self.days is not None
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def opening(self, day: dt.date, default_open: str) -> tuple[int, int] | None:
        """(open, close) of `day` in minutes after midnight, or None when closed (or
        when no closing time applies: `horizon_problems` says so)."""
        if self.always_open:
            return 0, DAY_MINUTES
        hours = self.hours.get(WEEKDAYS[day.weekday()])  # type: ignore[call-overload]
        if hours == "closed":
            return None
        if isinstance(hours, Hours):
            return clock_minutes(hours.open), _minutes(hours.close)
        if self.close is None:
            return None
        return clock_minutes(default_open), _minutes(self.close)


@dataclass(frozen=True)
class Slot:
    """One interval of the scenario: its date (None in a dateless day), its start
    "HH:MM" and its label ("Mon 12-07 08:00" in a horizon, "08:00" in one day)."""

    date: dt.date | None
    start: str
    label: str


@dataclass(frozen=True)
class Day:
    """One open day: intervals `first` to `stop` - 1 of the scenario, open from `open`
    to `close` ("HH:MM"; "24:00" is midnight), its first interval `offset` seconds
    after the horizon's first interval starts."""

    date: dt.date | None
    label: str
    first: int
    stop: int
    open: str
    close: str
    offset: float

    @property
    def n_intervals(self) -> int:
        return self.stop - self.first


@dataclass(frozen=True)
class Stretch:
    """Days simulated as one run: intervals `first` to `stop` - 1, with no close
    between them (one day, or a 24/7 run), starting `offset` seconds into the horizon."""

    days: tuple[Day, ...]

    @property
    def first(self) -> int:
        return self.days[0].first

    @property
    def stop(self) -> int:
        return self.days[-1].stop

    @property
    def offset(self) -> float:
        return self.days[0].offset


def day_label(day: dt.date) -> str:
    """ "Mon 12-07": the weekday and the month-day, as interval labels begin."""
    return f"{WEEKDAYS[day.weekday()].capitalize()} {day:%m-%d}"


def open_days(sc: Scenario) -> list[Day]:
    """The days the centre is open, each with its range of the scenario's intervals
    (one dateless day without a horizon)."""
    h, minutes = sc.horizon, sc.interval_minutes
    if h is None:
        return [Day(None, "the day", 0, sc.n_intervals, sc.open, _end(sc), 0.0)]
    days: list[Day] = []
    first_date: dt.date | None = None
    first_open = 0
    for date in h.calendar_dates():
        hours = h.opening(date, sc.open)
        if hours is None:
            continue
        start, end = hours
        if first_date is None:
            first_date, first_open = date, start
        n = (end - start) // minutes
        at = days[-1].stop if days else 0
        offset = ((date - first_date).days * DAY_MINUTES + start - first_open) * 60.0
        close = MIDNIGHT if end == DAY_MINUTES else clock(end)
        days.append(Day(date, day_label(date), at, at + n, clock(start), close, offset))
    return days


def _end(sc: Scenario) -> str:
    return clock(clock_minutes(sc.open) + sc.n_intervals * sc.interval_minutes)


def calendar(sc: Scenario) -> list[Slot]:
    """One Slot per interval of the scenario, in time order."""
    if sc.horizon is None:
        return [Slot(None, s, s) for s in sc.interval_starts()]
    slots = []
    for day in open_days(sc):
        base = clock_minutes(day.open)
        for i in range(day.n_intervals):
            start = clock(base + i * sc.interval_minutes)
            slots.append(Slot(day.date, start, f"{day.label} {start}"))
    return slots


def stretches(sc: Scenario) -> list[Stretch]:
    """The open days grouped into runs with no close between them: a day closing at
    24:00 joins the next date if that opens at 00:00."""
    runs: list[list[Day]] = []
    for day in open_days(sc):
        last = runs[-1][-1] if runs else None
        joined = (
            last is not None
            and last.date is not None
            and day.date is not None
            and last.close == MIDNIGHT
            and day.open == "00:00"
            and day.date - last.date == dt.timedelta(days=1)
        )
        if joined:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [Stretch(tuple(run)) for run in runs]


def horizon_problems(sc: Scenario) -> list[str]:
    """What the horizon's fields cannot check alone: the opening time of a 24/7
    horizon, days with no closing time, hours that are not whole intervals, and
    per-interval lists that do not hold the horizon's open intervals."""
    h = sc.horizon
    if h is None:
        return []
    if h.always_open and sc.open != "00:00":
        return ['open: a 24/7 horizon (horizon.always_open) opens its days at "00:00"']
    problems = _hours_problems(sc, h)
    if problems:
        return problems
    days = open_days(sc)
    if not days:
        return ["horizon: every day is closed"]
    want = days[-1].stop
    if sc.n_intervals != want:
        problems.append(
            f"horizon: opens {want} intervals of {sc.interval_minutes} minutes over "
            f"{len(days)} days, but the per-interval lists (queues.*.volumes, "
            f"agents.*.staffing) have {sc.n_intervals}"
        )
    return problems


def _hours_problems(sc: Scenario, h: Horizon) -> list[str]:
    """Weekdays with no closing time, and opening hours that are not whole intervals."""
    minutes = sc.interval_minutes
    problems = []
    missing = sorted(
        {WEEKDAYS[d.weekday()] for d in h.calendar_dates()} - set(h.hours),
        key=WEEKDAYS.index,
    )
    if not h.always_open and h.close is None and missing:
        problems.append(
            f"horizon.close: required (or hours for {', '.join(missing)}): the closing time "
            "of the days hours does not give"
        )
    if h.close is not None and _minutes(h.close) <= clock_minutes(sc.open):
        problems.append(f"horizon.close: {h.close} must be after open {sc.open}")
    ranges = [("horizon.close", sc.open, h.close)] if h.close is not None else []
    ranges += [
        (f"horizon.hours.{day}", hours.open, hours.close)
        for day, hours in h.hours.items()
        if isinstance(hours, Hours)
    ]
    for where, start, end in ranges:
        if end is not None and (_minutes(end) - clock_minutes(start)) % minutes:
            problems.append(
                f"{where}: {start}-{end} is not a whole number of {minutes}-minute intervals"
            )
    return problems


def slice_intervals[M: BaseModel](model: M, first: int, stop: int) -> M:
    """A copy of `model` with every per-interval list (fields marked PER_INTERVAL,
    at any depth, in mappings of models too) cut to intervals first..stop-1."""
    changes: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if any(isinstance(m, PerInterval) for m in info.metadata) and isinstance(value, list):
            changes[name] = value[first:stop]
        elif isinstance(value, BaseModel):
            changes[name] = slice_intervals(value, first, stop)
        elif isinstance(value, dict) and any(isinstance(v, BaseModel) for v in value.values()):
            changes[name] = {
                k: slice_intervals(v, first, stop) if isinstance(v, BaseModel) else v
                for k, v in value.items()
            }
    return model.model_copy(update=changes)


def stretch_scenario(sc: Scenario, stretch: Stretch) -> Scenario:
    """The scenario of one stretch alone: a dateless run from the stretch's opening,
    its intervals' lists only, no warm-up (the horizon's warm-up is left out when the
    KPIs of all stretches are put together)."""
    part = slice_intervals(sc, stretch.first, stretch.stop)
    simulation = sc.simulation.model_copy(update={"warmup_intervals": 0})
    update: dict[str, Any] = {"horizon": None, "open": stretch.days[0].open}
    if sc.roster is not None:  # its days named by number in the stretch run alone
        from .timetable import stretch_roster

        update["roster"] = stretch_roster(sc, stretch)
    return part.model_copy(update=update | {"simulation": simulation})
