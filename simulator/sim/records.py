"""Per-call records: what the engine writes and every later stage reads.

Outcome and next-step codes, the record columns with their dtypes, and `DayRecords`,
the plain arrays of one simulated day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ANSWERED, ABANDONED, BLOCKED = 0, 1, 2
OUTCOMES = ("answered", "abandoned", "blocked")
NEXT_NONE, NEXT_TRANSFER, NEXT_ESCALATION = 0, 1, 2
NEXT = ("", "transfer", "escalation")

# record column -> dtype
COLUMNS = {
    "customer": np.int64,
    "attempt": np.int32,
    "segment": np.int32,
    "queue": np.int16,
    "arrival": float,
    "outcome": np.int8,
    "wait": float,
    "group": np.int16,
    "start": float,
    "talk": float,
    "handle": float,
    "next": np.int8,
    "callback": bool,
    "unresolved": bool,
    "not_ready": float,
}


@dataclass(frozen=True)
class DayRecords:
    """What happened in one simulated day: plain arrays, times in seconds from open.

    `calls` has one entry per call segment (see COLUMNS; the forecast's first calls
    come first, in customer order, then redials, repeats and transferred segments):
    customer id, attempt (1 = first call of the customer), segment (1 = first queue of
    this call), queue index, arrival (in this queue), interval (of that arrival),
    outcome (ANSWERED / ABANDONED / BLOCKED), wait (until answer or hang-up), group
    (agent group index, -1 if none), start (of handling), talk (caller with the agent:
    talk + hold), handle (agent busy: talk + hold + acw), next (NEXT_TRANSFER /
    NEXT_ESCALATION), callback (answered by a call back), unresolved (served, but the
    customer will call again or gave up at the attempt cap), not_ready (the agent's
    not-ready time after this call's handle time, seconds).
    `agent_log` rows: (time, group, agents logged in from then on).
    """

    calls: dict[str, np.ndarray]
    agent_log: np.ndarray


def floor_div(points: np.ndarray, length: float) -> np.ndarray:
    """points // length (numpy's exact floor of the quotient), as floats, ten times
    sooner: the rounded quotient's floor, redone exactly only where it may differ
    (within rounding of a whole number; NaN everywhere if a point is NaN or endless)."""
    q = points / length
    k = np.floor(q)
    frac = q - k
    tol = 1e-12 * np.max(np.abs(q), initial=1.0)
    near = ~((frac > tol) & (frac < 1 - tol))
    k[near] = points[near] // length
    return k


def interval_column(arrival: np.ndarray, length: float, n: int) -> np.ndarray:
    """The record column `interval`: the interval of each arrival (the last one for a
    caller after the close)."""
    return np.minimum(floor_div(arrival, length).astype(np.int32), n - 1)
