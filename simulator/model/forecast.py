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
numbered as a spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .clock import clock_minutes
from .handling import interval_aht
from .horizon import WEEKDAYS, Horizon, open_days
from .scenario import Scenario, ScenarioError

KEYS = ("date", "weekday")
COLUMNS = ("date", "weekday", "interval", "queue", "calls", "aht")
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


def _problem_list(source: str, problems: list[str]) -> ScenarioError:
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
    by = next((k for k in KEYS if k in names), None)
    rows, problems = _cells(table, by, source)
    problems += _duplicates(rows, source)
    if problems:
        raise _problem_list(source, problems)
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
        raise _problem_list(source, ragged)
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
    return values.astype(float)


def _duplicates(rows: pd.DataFrame, source: str) -> list[str]:
    first: dict[tuple, int] = {}
    problems = []
    for r in _records(rows):
        key = (r["day"], r["minutes"], r["queue"])
        if key not in first:
            first[key] = r["row"]
            continue
        day = [] if r["day"] is None else [str(r["day"])]
        what = ", ".join([*day, _hhmm(r["minutes"]), r["queue"]])
        problems.append(
            f"{source}: rows {first[key]} and {r['row']}: the same day, interval and queue ({what})"
        )
    return problems


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


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


# ------------------------------------------------------------- into the scenario
def placeholder_data(data: dict, table: ForecastTable) -> dict:
    """`data` with zeros standing in for the volumes of the queues the forecast names
    and lacks (as many as the scenario's intervals, `_interval_count`), so that the
    scenario's calendar can be built before the forecast is put in."""
    out = copy.deepcopy(data)
    queues = out.get("queues")
    if not isinstance(queues, dict):
        return out
    n = _interval_count(out, table)
    for name in set(table.rows["queue"]) & set(queues):
        if isinstance(queues[name], dict):
            queues[name].setdefault("volumes", [0.0] * n)
            queues[name].pop("aht_by_interval", None)
    return out


def _interval_count(data: dict, table: ForecastTable) -> int:
    """The scenario's intervals before its volumes are known: a group's staffing list,
    else (every group rostered) the horizon's open intervals, else the one day's up to
    the forecast's last interval; 1 if the file is too broken to tell (its own
    problems are then reported)."""
    agents = data.get("agents")
    groups: dict = agents if isinstance(agents, dict) else {}
    for g in groups.values():
        if isinstance(g, dict) and isinstance(g.get("staffing"), list) and g["staffing"]:
            return len(g["staffing"])
    try:
        minutes, start = int(data["interval_minutes"]), clock_minutes(str(data["open"]))
        if data.get("horizon") is None:
            return max(1, (int(table.rows["minutes"].max()) - start) // minutes + 1)
        frame = Scenario.model_construct(
            horizon=Horizon.model_validate(data["horizon"]),
            interval_minutes=minutes,
            open=str(data["open"]),
        )
        return max(1, open_days(frame)[-1].stop)
    except (KeyError, TypeError, ValueError, IndexError):
        return 1


def given_twice(data: dict, table: ForecastTable) -> list[str]:
    """Queues whose volumes (or AHT by interval) the scenario file gives as well as its
    own forecast file: one of the two would be lost."""
    given = data.get("queues")
    queues: dict = given if isinstance(given, dict) else {}
    problems = []
    for name in sorted(set(table.rows["queue"]) & set(queues)):
        q = queues[name] if isinstance(queues[name], dict) else {}
        fields = ["volumes"] + (["aht_by_interval"] if table.has_aht else [])
        problems += [
            f"queues.{name}.{f}: given here and by the forecast {table.source}: keep one"
            for f in fields
            if f in q
        ]
    return problems


def _day_keys(sc: Scenario, table: ForecastTable) -> tuple[list[Any], dict[Any, Any]]:
    """Each slot's day key as the file names days, and how the file's days map to them
    (a dateless day takes the file's only day, if it has one)."""
    slots = sc.calendar()
    if table.by == "date":
        keys: list[Any] = [s.date for s in slots]
    elif table.by == "weekday":
        keys = [None if s.date is None else WEEKDAYS[s.date.weekday()] for s in slots]
    else:
        keys = [None] * len(slots)
    days = set(table.rows["day"])
    if None in keys and table.by is not None and len(days) == 1:
        return keys, {days.pop(): None}
    return keys, {}


def apply_forecast(data: dict, table: ForecastTable, sc: Scenario, replace: bool) -> dict:
    """`data` with the volumes (and AHT by interval) of each queue the forecast names,
    on the calendar of `sc` (the scenario with placeholder volumes); ScenarioError
    naming rows for unknown queues, days outside the horizon, calls in closed
    intervals, and the intervals a queue has no row for."""
    problems = [] if replace else given_twice(data, table)
    problems += _day_problems(sc, table)
    if problems:
        raise _problem_list(table.source, problems)
    keys, alias = _day_keys(sc, table)
    slots = sc.calendar()
    at: dict[tuple[Any, int], list[int]] = {}
    for i, (key, slot) in enumerate(zip(keys, slots)):
        h, m = slot.start.split(":")
        at.setdefault((key, int(h) * 60 + int(m)), []).append(i)
    n, names = len(slots), sorted(set(table.rows["queue"]) & set(sc.queues))
    calls = {q: np.full(n, np.nan) for q in names}
    aht = {q: np.full(n, np.nan) for q in names}
    for r in _records(table.rows):
        if r["queue"] not in sc.queues:
            continue
        found = at.get((alias.get(r["day"], r["day"]), r["minutes"]))
        if found is None:
            if r["calls"] > 0:
                problems.append(_closed(table, sc, r))
            continue
        calls[r["queue"]][found], aht[r["queue"]][found] = r["calls"], r["aht"]
    problems += _unknown_queues(table, sc) + _missing(table, calls, slots)
    if problems:
        raise _problem_list(table.source, problems)
    out = copy.deepcopy(data)
    for q in names:
        given = out["queues"][q]
        given["volumes"] = calls[q].tolist()
        if table.has_aht:
            mean = sc.queues[q].aht
            given["aht_by_interval"] = np.where(np.isnan(aht[q]), mean, aht[q]).tolist()
    if replace:
        out["forecast"] = table.source
    return out


def _day_problems(sc: Scenario, table: ForecastTable) -> list[str]:
    """Days the scenario cannot place: dates outside the horizon, several days for a
    dateless scenario, or no day column for a horizon of several days."""
    source, days = table.source, sc.days()
    dated = [d.date for d in days if d.date is not None]
    if table.by is None:
        if len(days) > 1:
            return [f"{source}: no date or weekday column, but the horizon has {len(days)} days"]
        return []
    found = sorted(set(table.rows["day"]), key=str)
    if not dated:
        if len(found) > 1:
            return [
                f"{source}: the scenario is one dateless day, but the forecast has "
                f"{len(found)} {table.by}s ({', '.join(map(str, found[:7]))}): give the "
                "scenario a horizon, or keep one day's rows"
            ]
        return []
    if table.by != "date":
        return []
    horizon = sc.horizon.calendar_dates() if sc.horizon is not None else dated
    first, last = min(horizon), max(horizon)
    outside = table.rows[[d not in set(horizon) for d in table.rows["day"]]]
    return [
        f"{source}: row {r.row}, column date: {r.day} is outside the horizon ({first} to {last})"
        for r in outside.itertuples()
    ]


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]


def _closed(table: ForecastTable, sc: Scenario, r: dict[str, Any]) -> str:
    where = f"{table.source}: row {r['row']}"
    minutes = int(r["minutes"])
    hhmm = _hhmm(minutes)
    if (minutes - clock_minutes(sc.open)) % sc.interval_minutes:
        return (
            f"{where}, column interval: {hhmm} is not the start of a "
            f"{sc.interval_minutes}-minute interval"
        )
    day = "" if r["day"] is None else f"{r['day']} "
    return (
        f"{where}: {r['calls']:g} calls at {day}{hhmm}, when the centre is closed "
        "(only 0 is allowed outside opening hours)"
    )


def _unknown_queues(table: ForecastTable, sc: Scenario) -> list[str]:
    rows = table.rows[~table.rows["queue"].isin(list(sc.queues))]
    problems = []
    for name, group in rows.groupby("queue", sort=False):
        more = f" (and {len(group) - 1} more rows)" if len(group) > 1 else ""
        problems.append(
            f"{table.source}: row {group['row'].iloc[0]}, column queue: unknown queue "
            f"{name!r} (queues are: {', '.join(sc.queues)}){more}"
        )
    return problems


def _missing(table: ForecastTable, calls: dict[str, np.ndarray], slots: list) -> list[str]:
    problems = []
    for q, values in calls.items():
        gaps = np.flatnonzero(np.isnan(values))
        if gaps.size:
            shown = ", ".join(slots[i].label for i in gaps[:4])
            more = f" ... ({gaps.size} intervals in all)" if gaps.size > 4 else ""
            problems.append(f"{table.source}: queue {q}: no row for {shown}{more}")
    return problems
