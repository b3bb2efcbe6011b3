"""The per-call log: one row per call that reached the call center, in one schema.

Every ACD exports its calls differently; callsim reads them all into this table
(`CallLog.calls`, a pandas DataFrame), and calibration and backtests read only it:

- `day`: the calendar day the call arrived (datetime64, midnight);
- `arrival`: when the caller asked for an agent (joined the queue, or was put through
  at once), seconds after the day's midnight (past 86,400 for a call after midnight);
- `queue`: queue or call type (text); `priority`: priority class (the export's codes);
- `outcome`: `answered`, `abandoned` (hung up while waiting), `blocked` (refused: busy
  signal) or `self_service` (ended in the voice response unit without asking for an
  agent: not offered to the agent queue);
- `wait`: seconds from arrival to answer or hang-up (0 if blocked, self-service or put
  through at once); `answer`: when an agent took the call (NaN if not answered);
- `talk`, `hold`, `acw`: seconds of talk, hold, after-call work (NaN where unknown);
  `handle`: seconds the agent was busy, talk + hold + acw where known (0 if not answered);
- `agent`, `customer`: ids ("" if unknown).

`CallLog.quirks` counts every row the reader had to repair, reinterpret or leave out,
so nothing is dropped silently; `CallLog.left_out` keeps the rows left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

OUTCOMES = ("answered", "abandoned", "blocked", "self_service")
COLUMNS: dict[str, Any] = {
    "day": "datetime64[ns]",
    "arrival": float,
    "queue": str,
    "priority": np.int64,
    "outcome": str,
    "wait": float,
    "answer": float,
    "talk": float,
    "hold": float,
    "acw": float,
    "handle": float,
    "agent": str,
    "customer": str,
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class LogError(ValueError):
    """A log that cannot be read; `problems` lists one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class CallLog:
    """A per-call log in callsim's schema, with what reading it involved.

    `quirks` maps a quirk's description to how many rows it touched; `left_out` holds
    the rows that are not calls to the agent queue (phantoms, unreadable rows), in the
    export's own columns, with a `reason`.
    """

    calls: pd.DataFrame
    source: str
    format: str
    quirks: dict[str, int] = field(default_factory=dict)
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def queued(self) -> pd.DataFrame:
        """The calls offered to the agent queue (self-service calls left out)."""
        return self.calls[self.calls["outcome"] != "self_service"]

    @property
    def days(self) -> list[pd.Timestamp]:
        return sorted(self.calls["day"].unique())

    def on_dates(self, dates: list) -> CallLog:
        """The same log, restricted to the days listed (dates or timestamps)."""
        keep = self.calls["day"].isin(pd.to_datetime(pd.Series(dates)))
        return CallLog(self.calls[keep], self.source, self.format, self.quirks, self.left_out)

    def on_weekdays(self, weekdays: list[str] | None) -> CallLog:
        """The same log, restricted to days whose weekday (mon..sun) is listed."""
        if not weekdays:
            return self
        wanted = {WEEKDAYS.index(w) for w in weekdays}
        keep = self.calls["day"].dt.weekday.isin(wanted)
        return CallLog(self.calls[keep], self.source, self.format, self.quirks, self.left_out)


def parse_weekdays(text: str | None) -> list[str] | None:
    """'sun,mon,tue' -> ['sun', 'mon', 'tue']; raises LogError on an unknown name."""
    if not text:
        return None
    names = [w.strip().lower()[:3] for w in text.split(",") if w.strip()]
    bad = [w for w in names if w not in WEEKDAYS]
    if bad:
        raise LogError([f"--weekdays: unknown day {', '.join(bad)} (use {','.join(WEEKDAYS)})"])
    return names


def finish(calls: pd.DataFrame) -> pd.DataFrame:
    """The schema's columns in order with their dtypes, sorted by day and arrival;
    `handle` is talk + hold + acw (unknown parts count 0) for answered calls."""
    for name in ("talk", "hold", "acw", "answer"):
        if name not in calls:
            calls[name] = np.nan
    for name in ("agent", "customer"):
        if name not in calls:
            calls[name] = ""
    if "handle" not in calls:
        parts = calls[["talk", "hold", "acw"]].fillna(0.0).sum(axis=1)
        calls["handle"] = np.where(calls["outcome"] == "answered", parts, 0.0)
    out = pd.DataFrame({name: calls[name].astype(dtype) for name, dtype in COLUMNS.items()})
    return out.sort_values(["day", "arrival"], kind="stable").reset_index(drop=True)


_SECONDS = ("arrival", "wait", "answer", "talk", "hold", "acw", "handle")
_GIVEN = ("arrival", "wait")  # the others may be left empty (unknown)
LONGEST = 2 * 86_400.0  # 48 h: past it, a time or a duration in a log is not a call's


def _first_bad(calls: pd.DataFrame, name: str, wrong: pd.Series, source: str, what: str) -> str:
    """One problem line: the column, how many rows, the first as a spreadsheet numbers
    it (the header is row 1)."""
    at = int(np.flatnonzero(wrong.to_numpy())[0])
    row, value = calls.index[at], calls[name].iloc[at]
    where = f"row {row + 2}" if isinstance(row, int | np.integer) else f"row {at + 2}"
    shown = repr(value) if isinstance(value, str) else f"{float(value):g}"
    return f"{source}: {name}: {int(wrong.sum())} rows not {what} (first: {where}, {shown})"


def check(calls: pd.DataFrame, source: str, longest: float = np.inf) -> None:
    """Raise LogError naming what is wrong with a table in the schema (the column, the
    first row); its times and priorities are made numbers (text to float). Times and
    durations are finite, >= 0 and below `longest` seconds (an answer: twice that)."""
    problems = []
    bad = ~calls["outcome"].isin(OUTCOMES)
    if bad.any():
        values = ", ".join(sorted(calls.loc[bad, "outcome"].astype(str).unique())[:5])
        problems.append(
            f"{source}: outcome: {bad.sum()} rows not one of {', '.join(OUTCOMES)} ({values})"
        )
    for name in (n for n in _SECONDS if n in calls):
        number = pd.to_numeric(calls[name], errors="coerce")
        limit = 2 * longest if name == "answer" else longest  # answer: a clock, + wait
        wrong = ~((number >= 0) & (number < limit) & np.isfinite(number))
        if name not in _GIVEN:
            wrong &= calls[name].notna() & (calls[name].astype(str).str.strip() != "")
        if wrong.any():
            what = (
                f"seconds from 0 to {limit:,.0f} ({limit / 3600:.0f} h)"
                if np.isfinite(limit)
                else "seconds >= 0"
            )
            problems.append(_first_bad(calls, name, wrong, source, what))
        calls[name] = number
    if "priority" in calls:
        number = pd.to_numeric(calls["priority"], errors="coerce")
        wrong = ~((number.abs() < 2**31) & (number == np.round(number)))
        if wrong.any():
            problems.append(_first_bad(calls, "priority", wrong, source, "whole numbers"))
        calls["priority"] = number
    if problems:
        raise LogError(problems)
