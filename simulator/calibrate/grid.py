"""The day's interval grid of a log: which intervals are open, and each call's interval.

A log's day has no opening hours, only calls. The grid starts at midnight in steps of
`interval_minutes`; the open hours are the longest run of intervals whose mean offered
volume (over the log's days) is at least `MIN_SHARE` of the busiest interval's, unless
given. Calls outside them are counted, not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model.clock import clock, clock_minutes
from .schema import CallLog, LogError

MIN_SHARE = 0.05  # an interval is open if it has at least 5% of the peak's mean volume


@dataclass(frozen=True)
class Grid:
    """Intervals of `minutes` from `open_s` (seconds after midnight), `n` of them."""

    minutes: int
    open_s: float
    n: int

    @property
    def length(self) -> float:
        return self.minutes * 60.0

    @property
    def starts(self) -> list[str]:
        first = int(self.open_s // 60)
        return [clock(first + i * self.minutes) for i in range(self.n)]

    @property
    def open(self) -> str:
        return clock(int(self.open_s // 60))

    def index(self, seconds: np.ndarray) -> np.ndarray:
        """Interval of each time (seconds after midnight); -1 or >= n outside."""
        k = np.floor((np.asarray(seconds, dtype=float) - self.open_s) / self.length)
        return np.where((k >= 0) & (k < self.n), k, -1).astype(int)

    def finer(self, minutes: int) -> Grid:
        """The same open hours in steps of `minutes` (a divisor of this grid's)."""
        return Grid(minutes, self.open_s, self.n * self.minutes // minutes)


def counts(calls: pd.DataFrame, days: list, grid: Grid) -> np.ndarray:
    """Offered calls (days x intervals) on `grid`."""
    day_index = {d: i for i, d in enumerate(days)}
    k = grid.index(calls["arrival"].to_numpy())
    inside = k >= 0
    d = calls["day"].map(day_index).to_numpy()[inside]
    out = np.zeros((len(days), grid.n))
    np.add.at(out, (d, k[inside]), 1)
    return out


def check_minutes(minutes: int) -> None:
    """LogError unless a grid's intervals of `minutes` are 15, 30 or 60 minutes long."""
    if minutes not in (15, 30, 60):
        raise LogError([f"--interval-minutes: must be 15, 30 or 60 (got {minutes})"])


def open_grid(
    log: CallLog,
    minutes: int,
    open: str | None = None,
    close: str | None = None,
    min_share: float = MIN_SHARE,
) -> Grid:
    """The grid of open intervals (see the module docstring); LogError if none."""
    check_minutes(minutes)
    calls, days = log.queued, log.days
    if not days:
        raise LogError([f"{log.source}: no calls offered to agents on the days chosen"])
    whole = Grid(minutes, 0.0, 24 * 60 // minutes)
    if open is not None or close is not None:
        first = clock_minutes(open or "00:00")
        last = clock_minutes(close or "00:00") or 24 * 60
        if first % minutes or last % minutes or last <= first:
            raise LogError([f"--open/--close: must fall on the {minutes}-minute grid, open first"])
        return Grid(minutes, first * 60.0, (last - first) // minutes)
    mean = counts(calls, days, whole).mean(axis=0)
    busy = (mean >= min_share * mean.max()) & (mean > 0)
    best, start, run = (0, 0), 0, 0
    for i, b in enumerate(busy):
        run = run + 1 if b else 0
        if run == 1:
            start = i
        if run > best[1] - best[0]:
            best = (start, i + 1)
    return Grid(minutes, best[0] * minutes * 60.0, best[1] - best[0])
