"""The day's calls as a table: one list per column, a call segment is its row number.

The engine keeps no object per call. A big center has tens of thousands of calls
in flight (talking, in after-call work, waiting), each touched again minutes after it
was answered, when its talk ends: as a row, what it touches then is a few slots of a
few lists, not a scattered object with its own floats; and the records are the
columns themselves, read in one sequential pass at the end of the day.

Rows 0 .. n-1 are the forecast's callers (customer i at row i, columns taken from the
arrays they were drawn into); redials, repeat calls and transferred or escalated
segments are added after them as they happen (`add`), so the row order is the
records' order. The rarer marks (next step, callback, unresolved, not-ready time, the
entry queue of a passed-on segment) are kept only for the rows that have them.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

from .draws import Forecast
from .records import ABANDONED, ANSWERED, BLOCKED, COLUMNS, interval_column

__all__ = ["ABANDONED", "ANSWERED", "BLOCKED", "Calls"]

_NAN, _INF = float("nan"), float("inf")


class Calls:
    """The call segments of one day (see the module doc); times in seconds from open.

    Per row: customer, attempt, segment, queue, arrival, talk and handle (as drawn,
    then as handled: scaled by the answering group's proficiency, 0 if never
    answered), deadline (arrival + patience: the moment the caller hangs up; inf for
    the endlessly patient and a caller owed a callback), the caller's decisions
    (`simulator.sim.draws.DECISIONS`, or None), and their
    fate: outcome, wait (until answer or hang-up), group (-1: none) and start of
    handling (NaN: none); `waiting` while in a queue or owed a callback, `line` while
    holding a trunk line.
    """

    def __init__(self, f: Forecast):
        n = self.n_first = len(f.arrival)
        self._forecast = f
        # of the later rows only (row n + i at i): a forecast caller is customer = row,
        # attempt 1, segment 1
        self.customer: list[int] = []
        self.attempt: list[int] = []
        self.segment: list[int] = []
        self.queue: list[int] = f.queue.tolist()
        self.arrival: list[float] = f.arrival.tolist()
        self.talk: list[float] = f.talk.tolist()
        self.handle: list[float] = f.handle.tolist()
        self.deadline: list[float] = (f.arrival + f.patience).tolist()
        self.draws: list[Any] = [None] * n if f.decisions is None else f.decisions.tolist()
        self.outcome, self.wait = [ANSWERED] * n, [0.0] * n
        self.group, self.start = [-1] * n, [_NAN] * n
        self.waiting, self.line = [False] * n, [False] * n
        self.next: dict[int, int] = {}  # row -> NEXT_TRANSFER / NEXT_ESCALATION
        self.callback: set[int] = set()  # rows answered by a call back
        self.unresolved: set[int] = set()  # served, but the customer calls again
        self.not_ready: dict[int, float] = {}  # row -> the agent's not-ready seconds after
        self.entry: dict[int, int] = {}  # row -> queue its phone call came in on

    def add(
        self, queue: int, arrival: float, customer: int, attempt: int, segment: int, drawn: tuple
    ) -> int:
        """A new row (a call not in the forecast) with its (talk, handle, patience,
        decisions) drawn: its row number."""
        talk, handle, patience, draws = drawn
        row = len(self.queue)
        self.customer.append(customer)
        self.attempt.append(attempt)
        self.segment.append(segment)
        self.queue.append(queue)
        self.arrival.append(arrival)
        self.talk.append(talk)
        self.handle.append(handle)
        self.deadline.append(arrival + patience)
        self.draws.append(draws)
        self.outcome.append(ANSWERED)
        self.wait.append(0.0)
        self.group.append(-1)
        self.start.append(_NAN)
        self.waiting.append(False)
        self.line.append(False)
        return row

    def who(self, row: int) -> tuple[int, int, int]:
        """(customer, attempt, segment) of the row."""
        i = row - self.n_first
        if i < 0:
            return row, 1, 1
        return self.customer[i], self.attempt[i], self.segment[i]

    def lost(self, row: int, outcome: int, wait: float) -> None:
        """Row never reached an agent: blocked, or hung up after `wait` seconds."""
        self.outcome[row] = outcome
        self.wait[row] = wait
        self.talk[row] = self.handle[row] = 0.0

    def records(self, length: float, n_intervals: int) -> dict[str, np.ndarray]:
        """The record columns (`simulator.sim.records.COLUMNS`), rows in order."""
        n, f = self.n_first, self._forecast
        rows = len(self.queue)
        first = {"customer": np.arange(n), "attempt": np.ones(n), "segment": np.ones(n)}
        first |= {"queue": f.queue, "arrival": f.arrival}
        later: dict[str, list] = {"customer": self.customer, "attempt": self.attempt}
        later |= {"segment": self.segment, "queue": self.queue[n:], "arrival": self.arrival[n:]}
        cols: dict[str, np.ndarray] = {}
        for name in first:
            cols[name] = np.concatenate(
                [np.asarray(first[name], COLUMNS[name]), _column(later[name], COLUMNS[name])]
            )
        for name in ("outcome", "wait", "group", "start", "talk", "handle"):
            cols[name] = _column(getattr(self, name), COLUMNS[name])
        cols["next"] = _marks(rows, self.next, COLUMNS["next"])
        cols["callback"] = _marks(rows, dict.fromkeys(self.callback, True), COLUMNS["callback"])
        cols["unresolved"] = _marks(
            rows, dict.fromkeys(self.unresolved, True), COLUMNS["unresolved"]
        )
        cols["not_ready"] = _marks(rows, self.not_ready, COLUMNS["not_ready"])
        cols = {name: cols[name] for name in COLUMNS}
        cols["interval"] = interval_column(cols["arrival"], length, n_intervals)
        return cols


def _column(values: list, dtype: Any) -> np.ndarray:
    """A list as a record column (floats through `array`: a third of numpy's time)."""
    if np.dtype(dtype) == np.float64:
        return np.frombuffer(array("d", values), float) if values else np.empty(0)
    return np.fromiter(values, dtype, len(values))


def _marks(rows: int, marks: dict, dtype: Any) -> np.ndarray:
    """A column that is zero except at the rows marked (row -> value)."""
    column = np.zeros(rows, dtype)
    if marks:
        column[np.fromiter(marks, int, len(marks))] = np.fromiter(marks.values(), dtype, len(marks))
    return column
