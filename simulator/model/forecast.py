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
file cell by cell; `simulator.model.forecast_apply` puts its rows into the scenario.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .clock import clock
from .distributions import MAX_MEAN
from .handling import interval_aht
from .horizon import WEEKDAYS
from .limits import MAX_VOLUME
from .scenario import Scenario, ScenarioError

KEYS = ("date", "weekday")
COLUMNS = ("date", "weekday", "interval", "queue", "calls", "aht")
TOPS = {"calls": (MAX_VOLUME, "calls in one interval"), "aht": (MAX_MEAN, "seconds")}
MAX_PROBLEMS = 20  # lines of problems shown, then a count of the rest
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ForecastTable:
    """A forecast file's rows, checked cell by cell: `rows` has columns row (the
    file's row number), day (a date, a weekday "mon".."sun", or None), minutes (of
    the interval start after midnight), queue, calls, aht (NaN where empty)."""

    source: str
    by: str | None  # "date", "weekday" or None
    has_aht: bool
    rows: pd.DataFrame


def problem_list(source: str, problems: list[str]) -> ScenarioError:
    """The first MAX_PROBLEMS problems as one ScenarioError, then a count of the rest."""
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"{source}: ... and {len(problems) - MAX_PROBLEMS} more problems")
    return ScenarioError(shown)


def read_forecast(text: str, source: str) -> ForecastTable:
    """The rows of a forecast file's text, or ScenarioError naming row and column."""
    table = _table(text, source)
    names = list(table.columns)
    problems = _column_problems(names, source)
    if problems:
        raise ScenarioError(problems)
    if table.empty:
        raise ScenarioError([f"{source}: no rows below the header (a forecast gives calls)"])
    by = next((k for k in KEYS if k in names), None)
    rows, problems = _cells(table, by, source)
    problems += _duplicates(rows, source)
    if problems:
        raise problem_list(source, problems)
    return ForecastTable(source, by, "aht" in names, rows)


def _table(text: str, source: str) -> pd.DataFrame:
    """The cells as text, indexed by row number (the header is row 1); blank rows
    left out; a row with more or fewer cells than the header refused."""
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
    names = [c.strip().lower() for c in header]
    return pd.DataFrame(rows, columns=names, index=numbers, dtype=str)


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


def _cells(table: pd.DataFrame, by: str | None, source: str) -> tuple[pd.DataFrame, list[str]]:
    """Each cell parsed, with a message per bad one."""
    problems: list[str] = []

    def bad(row: int, column: str, message: str) -> None:
        problems.append(f"{source}: row {row}, column {column}: {message}")

    out = pd.DataFrame({"row": table.index.to_numpy()}, index=table.index)
    numbers = table.index.tolist()
    if by:
        out["day"] = [_day(r, v.strip(), by, bad) for r, v in zip(numbers, table[by])]
    else:
        out["day"] = None
    out["minutes"] = [_clock(r, v.strip(), bad) for r, v in zip(numbers, table["interval"])]
    out["queue"] = table["queue"].str.strip()
    for r in out.index[out["queue"] == ""]:
        bad(r, "queue", "empty")
    out["calls"] = _numbers(table["calls"], "calls", bad, lambda x: x >= 0, ">= 0", empty=False)
    if "aht" in table:
        out["aht"] = _numbers(table["aht"], "aht", bad, lambda x: x > 0, "> 0", empty=True)
        for r in out.index[out["aht"].isna() & (out["calls"] > 0)]:
            bad(r, "aht", "required where calls > 0")
    else:
        out["aht"] = np.nan
    problems.sort(key=lambda p: int(p.split("row ", 1)[1].split(",", 1)[0]))
    return out.reset_index(drop=True), problems


def _day(row: int, value: str, by: str, bad) -> Any:
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


def _clock(row: int, value: str, bad) -> int:
    m = _CLOCK.match(value)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        bad(row, "interval", f"{value!r} is not a clock time HH:MM")
        return -1
    return int(m[1]) * 60 + int(m[2])


def _numbers(cells: pd.Series, column: str, bad, ok, bound: str, empty: bool) -> pd.Series:
    """The column as floats (NaN where empty and allowed), each bad cell named."""
    text = cells.str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    for r, raw, x in zip(cells.index, text, values):
        if raw == "":
            if not empty:
                bad(r, column, "empty")
        elif not np.isfinite(x):
            bad(r, column, f"{raw!r} is not a number")
        elif not ok(x):
            bad(r, column, f"must be {bound} (got {raw})")
        elif x > TOPS[column][0]:
            top, unit = TOPS[column]
            bad(r, column, f"{raw}: more than {top:,.0f} {unit} (a typo?)")
    return values.astype(float)


def _duplicates(rows: pd.DataFrame, source: str) -> list[str]:
    first: dict[tuple, int] = {}
    problems = []
    for r in records(rows):
        key = (r["day"], r["minutes"], r["queue"])
        if key not in first:
            first[key] = r["row"]
            continue
        day = [] if r["day"] is None else [str(r["day"])]
        what = ", ".join([*day, clock(r["minutes"]), r["queue"]])
        problems.append(
            f"{source}: rows {first[key]} and {r['row']}: the same day, interval and queue ({what})"
        )
    return problems


def forecast_frame(sc: Scenario) -> pd.DataFrame:
    """The scenario's forecast as a forecast file's table, in time order: date (with a
    horizon), interval, queue, calls, aht (the interval's mean handle time)."""
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


def records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as dicts keyed by column name."""
    return [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]
