"""Priorities as the log shows them: who is taken first when several classes wait.

A head-start rule says a class's callers rank as if they had waited X seconds longer.
At each answer where a priority caller and a regular caller of the same call type
(queue) were both waiting, let d be
how much longer the oldest regular caller had waited than the oldest priority caller;
the rule takes the priority caller exactly when d < X. X is estimated as the threshold
that classifies the most such answers correctly (cut midway between observed d, ties:
the median of the best cuts);
strict priority is X = infinity, plain first-come-first-served X = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class HeadStart:
    """The head start (s) of `high` over the other classes, from `decisions` answers
    where both waited; `agreement` is the share the rule explains; `share` the fraction
    of calls in the high class."""

    high: int
    seconds: float
    decisions: int
    agreement: float
    fifo_agreement: float
    share: float


def _decisions(day: pd.DataFrame, high: int) -> tuple[list[float], list[bool]]:
    """(d, took the high-class caller) at each answer of a queued caller while a caller
    of the other class also waited."""
    q = day[day["wait"] > 0]
    hi = q[q["priority"] == high]
    lo = q[q["priority"] != high]
    out_d, out_took = [], []
    for cls, other in ((hi, lo), (lo, hi)):
        ans = cls[cls["outcome"] == "answered"]
        t = ans["answer"].to_numpy()
        oa = other["arrival"].to_numpy()
        oleave = (other["arrival"] + other["wait"]).to_numpy()
        for when, arrived in zip(t, ans["arrival"].to_numpy()):
            waiting = (oa < when) & (oleave > when)
            if not waiting.any():
                continue
            oldest_other = oa[waiting].min()
            if cls is hi:  # took high; regular had waited when - oldest_other
                out_d.append((when - oldest_other) - (when - arrived))
                out_took.append(True)
            else:
                out_d.append((when - arrived) - (when - oldest_other))
                out_took.append(False)
    return out_d, out_took


def estimate_head_start(calls: pd.DataFrame, high: int = 2) -> HeadStart | None:
    """The head start of priority `high` (None if the log has no such class)."""
    share = float((calls["priority"] == high).mean()) if len(calls) else 0.0
    if share in {0, 1}:
        return None
    d_all: list[float] = []
    took_all: list[bool] = []
    for _, day in calls.groupby(["day", "queue"]):  # callers of one call type compete
        one_d, one_took = _decisions(day, high)
        d_all += one_d
        took_all += one_took
    if not d_all:
        return HeadStart(high, 0.0, 0, np.nan, np.nan, share)
    d, took = np.asarray(d_all), np.asarray(took_all, dtype=bool)
    order = np.argsort(d)
    d, took = d[order], took[order]
    # threshold between sorted d values: correct = took with d < X + not took with d >= X
    took_below = np.concatenate([[0], np.cumsum(took)])
    not_took_above = np.concatenate([[0], np.cumsum(~took[::-1])])[::-1]
    correct = took_below + not_took_above
    best = np.flatnonzero(correct == correct.max())
    # X with the first i values below it: midway between the i-th and the next
    cuts = np.concatenate([[min(d[0], 0.0)], (d[:-1] + d[1:]) / 2, [d[-1] + 1.0]])
    x = float(np.median(cuts[best]))
    fifo = float(((d < 0) == took).mean())
    return HeadStart(high, max(x, 0.0), len(d), float(correct.max() / len(d)), fifo, share)
