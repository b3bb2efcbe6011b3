"""Forecast files: calls offered and AHT per (date or weekday, interval, queue), from a
tidy CSV such as a WFM tool exports, into each queue's `volumes` and `aht_by_interval`.

Columns (a header row; names in any order and case; comma- or semicolon-separated):

  date | weekday   the day, 2026-12-07 (ISO), or its weekday mon ... sun (or Monday ...:
                   a weekday's rows serve every date of the horizon on that weekday).
                   Neither: one dateless day (a scenario without a horizon).
  interval         the interval's start, HH:MM (on the scenario's interval_minutes grid)
  queue            a queue of the scenario
  calls            calls offered, >= 0
  aht              optional: mean handle time, seconds, > 0 where calls > 0 (may be
                   empty where calls is 0: the queue's handle-time mean is taken there)

Every open interval of every queue the file names needs exactly one row; rows for
intervals when the centre is closed are allowed with 0 calls (and ignored). Rows are
numbered as a spreadsheet shows them (the header is row 1). `read_forecast` checks the
file cell by cell, with the standard library alone (no pandas or numpy: `validate`
starts fast); `simulator.model.forecast_apply` puts its rows into the scenario.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from .clock import clock
from .distributions import MAX_MEAN
from .handling import interval_aht
from .horizon import WEEKDAYS
from .limits import MAX_VOLUME
from .scenario import Scenario, ScenarioError

if TYPE_CHECKING:
    import pandas as pd

KEYS = ("date", "weekday")
COLUMNS = ("date", "weekday", "interval", "queue", "calls", "aht")
TOPS = {"calls": (MAX_VOLUME, "calls in one interval"), "aht": (MAX_MEAN, "seconds")}
MAX_PROBLEMS = 20  # lines of problems shown, then a count of the rest
_CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})(?::00)?$")  # ASCII digits only
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# a number as a spreadsheet writes it: ASCII digits, a point, an exponent (no "1_000",
# no other scripts' digits, which Python's float() would take); or an infinity
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INFINITY = re.compile(r"[+-]?inf(?:inity)?", re.IGNORECASE)

Bad = Callable[[int, str, str], None]  # (row, column, message)


class ForecastRow(NamedTuple):
    """One row of a forecast file, checked: row (the file's row number), day (a date,
    a weekday "mon".."sun", or None), minutes (of the interval start after midnight),
    queue, calls, aht (seconds; NaN where empty)."""

    row: int
    day: dt.date | str | None
    minutes: int
    queue: str
    calls: float
    aht: float


@dataclass(frozen=True)
class ForecastTable:
    """A forecast file's rows, checked cell by cell, in the file's order."""

    source: str
    by: str | None  # "date", "weekday" or None
    has_aht: bool
    rows: tuple[ForecastRow, ...]

    def queues(self) -> set[str]:
        """The queues the file names."""
        return {r.queue for r in self.rows}

    def days(self) -> set[Any]:
        """The days the file names (None for a file without a day column)."""
        return {r.day for r in self.rows}


def problem_list(source: str, problems: list[str]) -> ScenarioError:
    """The first MAX_PROBLEMS problems as one ScenarioError, then a count of the rest."""
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"{source}: ... and {len(problems) - MAX_PROBLEMS} more problems")
    return ScenarioError(shown)


def read_forecast(text: str, source: str) -> ForecastTable:
    """The rows of a forecast file's text, or ScenarioError naming row and column."""
    names, numbers, cells = _table(text, source)
    problems = _column_problems(names, source)
    if problems:
        raise ScenarioError(problems)
    if not cells:
        raise ScenarioError([f"{source}: no rows below the header (a forecast gives calls)"])
    by = next((k for k in KEYS if k in names), None)
    rows, problems = _cells(names, numbers, cells, by, source)
    problems += _duplicates(rows, source)
    if problems:
        raise problem_list(source, problems)
    return ForecastTable(source, by, "aht" in names, tuple(rows))


def _table(text: str, source: str) -> tuple[list[str], list[int], list[list[str]]]:
    """The header's column names (stripped, lower case), and each row's number (the
    header is row 1) and cells as text; blank rows left out; a row with more or fewer
    cells than the header refused."""
    first = text.lstrip().split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        header = next(reader, None)
        rows, numbers = [], []
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append(cells)
                numbers.append(reader.line_num)
    except csv.Error as exc:
        raise ScenarioError([f"{source}: row {reader.line_num}: not CSV ({exc})"]) from None
    if not header or not any(c.strip() for c in header):
        raise ScenarioError([f"{source}: the file is empty (no header row)"])
    ragged = [
        f"{source}: row {n}: {len(cells)} cells, the header has {len(header)}"
        for n, cells in zip(numbers, rows)
        if len(cells) != len(header)
    ]
    if ragged:
        raise problem_list(source, ragged)
    return [c.strip().lower() for c in header], numbers, rows


def _column_problems(names: list[str], source: str) -> list[str]:
    problems = [
        f"{source}: column {name!r}: not a forecast column ({', '.join(COLUMNS)})"
        for name in names
        if name not in COLUMNS
    ]
    problems += [
        f"{source}: column {name!r} is given twice" for name in set(names) if names.count(name) > 1
    ]
    problems += [
        f"{source}: no column {name} (columns: {', '.join(names)})"
        for name in ("interval", "queue", "calls")
        if name not in names
    ]
    if all(k in names for k in KEYS):
        problems.append(f"{source}: give date or weekday, not both")
    return problems


def _cells(
    names: list[str], numbers: list[int], cells: list[list[str]], by: str | None, source: str
) -> tuple[list[ForecastRow], list[str]]:
    """Each row's cells parsed, with a message per bad one (in row, then column order)."""
    problems: list[str] = []

    def bad(row: int, column: str, message: str) -> None:
        problems.append(f"{source}: row {row}, column {column}: {message}")

    at = {name: i for i, name in enumerate(names)}
    out = []
    for r, row in zip(numbers, cells):
        day = _day(r, row[at[by]].strip(), by, bad) if by else None
        minutes = _clock(r, row[at["interval"]].strip(), bad)
        queue = row[at["queue"]].strip()
        if queue == "":
            bad(r, "queue", "empty")
        calls = _number(r, row[at["calls"]], "calls", bad, empty=False)
        aht = math.nan
        if "aht" in at:
            aht = _number(r, row[at["aht"]], "aht", bad, empty=True)
            if math.isnan(aht) and calls > 0:
                bad(r, "aht", "required where calls > 0")
        out.append(ForecastRow(r, day, minutes, queue, calls + 0.0, aht))  # + 0.0: no -0
    return out, problems


def _day(row: int, value: str, by: str, bad: Bad) -> Any:
    if by == "date":
        try:
            if not _DATE.match(value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            bad(row, "date", f"{value!r} is not a date YYYY-MM-DD")
            return None
    word = value.lower()
    names = {d: d for d in WEEKDAYS} | {
        d.lower(): WEEKDAYS[i] for i, d in enumerate(("monday", "tuesday", "wednesday"))
    }
    names |= {"thursday": "thu", "friday": "fri", "saturday": "sat", "sunday": "sun"}
    if word not in names:
        bad(row, "weekday", f"{value!r} is not a weekday ({', '.join(WEEKDAYS)})")
        return None
    return names[word]


def _clock(row: int, value: str, bad: Bad) -> int:
    m = _CLOCK.match(value)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        bad(row, "interval", f"{value!r} is not a clock time HH:MM")
        return -1
    return int(m[1]) * 60 + int(m[2])


def _number(row: int, cell: str, column: str, bad: Bad, empty: bool) -> float:
    """The cell as a float, a bad one named; NaN where empty (allowed or not) or not a
    number (a number past the floats' range too: 1e400 is not an infinity)."""
    raw = cell.strip()
    infinite = _INFINITY.fullmatch(raw) is not None
    x = float(raw) if infinite or _NUMBER.fullmatch(raw) else math.nan
    if math.isinf(x) and not infinite:
        x = math.nan
    bound, ok = (">= 0", x >= 0) if column == "calls" else ("> 0", x > 0)
    if raw == "":
        if not empty:
            bad(row, column, "empty")
    elif not math.isfinite(x):
        bad(row, column, f"{raw!r} is not a number")
    elif not ok:
        bad(row, column, f"must be {bound} (got {raw})")
    elif x > TOPS[column][0]:
        top, unit = TOPS[column]
        bad(row, column, f"{raw}: more than {top:,.0f} {unit} (a typo?)")
    return x


def _duplicates(rows: list[ForecastRow], source: str) -> list[str]:
    first: dict[tuple, int] = {}
    problems = []
    for r in rows:
        key = (r.day, r.minutes, r.queue)
        if key not in first:
            first[key] = r.row
            continue
        day = [] if r.day is None else [str(r.day)]
        what = ", ".join([*day, clock(r.minutes), r.queue])
        problems.append(
            f"{source}: rows {first[key]} and {r.row}: the same day, interval and queue ({what})"
        )
    return problems


def forecast_frame(sc: Scenario) -> pd.DataFrame:
    """The scenario's forecast as a forecast file's table, in time order: date (with a
    horizon), interval, queue, calls, aht (the interval's mean handle time)."""
    import pandas as pd  # only to write a forecast out: reading needs none

    aht = interval_aht(sc)
    slots = sc.calendar()
    dated = any(s.date is not None for s in slots)
    rows = [
        ([str(slot.date)] if dated else []) + [slot.start, name, q.volumes[i], aht[j, i]]
        for i, slot in enumerate(slots)
        for j, (name, q) in enumerate(sc.queues.items())
    ]
    columns = (["date"] if dated else []) + ["interval", "queue", "calls", "aht"]
    return pd.DataFrame(rows, columns=columns)
