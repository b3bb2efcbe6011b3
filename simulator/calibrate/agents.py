"""Agents available per interval, from who served which call when.

Staffing is not in a call log. "Agents who served a call in the interval" overstates
who was there to answer: an agent who took one call at 10:05 and left counts as a
whole agent for the hour. Instead:

- **Presence in work blocks.** Each agent's services of a day, in time order, form work
  blocks: a gap of more than `gap_minutes` between the end of one service and the start
  of the next is time away (a break, the end of a shift). An agent is present from the
  start of a block's first service to the end of its last; presence is summed per
  interval as agent-seconds, so a fractional average (6.44 agents) is what it is.
- **Not-ready time.** Within a block, a gap after a service while a caller the agent
  could take (of a queue the agent served that day) was already waiting is time the
  agent was there but not taking calls (after-call work, notes, a pause). Those gaps
  are what the engine models as not-ready time after each call (agent unavailable,
  caller gone); their distribution is returned as observed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..kpi.compute import time_in_intervals
from .grid import Grid

GAP_MINUTES = 15.0  # longer gaps between an agent's services are time away


def peak_in_service(calls: pd.DataFrame, days: list, grid: Grid) -> np.ndarray:
    """The most calls in service at once in each interval (days x intervals): a lower
    bound on the agents present, for a log with no agent ids."""
    out = np.zeros((len(days), grid.n))
    ans = calls[calls["outcome"] == "answered"]
    for i, day in enumerate(days):
        one = ans[ans["day"] == day]
        start = one["answer"].to_numpy()
        end = start + one["handle"].to_numpy()
        times = np.concatenate([start, end])
        step = np.concatenate([np.ones(len(start)), -np.ones(len(end))])
        order = np.lexsort((step, times))  # an end before a start at the same moment
        level = np.cumsum(step[order])
        k = grid.index(times[order])
        inside = k >= 0
        np.maximum.at(out[i], k[inside], level[inside])
    return out


@dataclass(frozen=True)
class Agents:
    """Agents present (days x intervals, agent-seconds / interval length), not-ready
    gaps (seconds, each gap after a service while a caller waited), and counts."""

    present: np.ndarray
    served: np.ndarray  # distinct agents who served a call, days x intervals
    not_ready: np.ndarray
    not_ready_share: np.ndarray  # days x intervals: not-ready agent-seconds / present
    gaps: int  # gaps within blocks
    blocks: int
    gap_minutes: float
    unknown_agent: int  # answered calls with no agent id


def _waiting_at(calls: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    """Callers waiting at each time t (arrived before t, still waiting after t)."""
    q = calls[calls["wait"] > 0]
    arrive = np.sort(q["arrival"].to_numpy())
    leave = np.sort((q["arrival"] + q["wait"]).to_numpy())
    return np.searchsorted(arrive, t, side="left") - np.searchsorted(leave, t, side="right")


def _could_take(calls: pd.DataFrame, served: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    """Whether, at the end t of each service, a caller of a queue this agent served that
    day was waiting (a caller the agent could have taken)."""
    out = np.zeros(len(served), bool)
    agent = served["agent"].to_numpy()
    for queue, mine in served.groupby("queue")["agent"]:
        skilled = np.isin(agent, mine.unique())
        waiting = _waiting_at(calls[calls["queue"] == queue], t[skilled]) > 0
        out[skilled] |= waiting
    return out


def _seconds_in(grid: Grid, start: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """Seconds that spans spend in each interval of `grid` (parts before it dropped)."""
    begin = np.maximum(start - grid.open_s, 0.0)
    end = np.maximum(start + duration - grid.open_s, 0.0)
    return time_in_intervals(begin, end - begin, grid.n, grid.length)


def _one_day(calls: pd.DataFrame, grid: Grid, gap_s: float):
    """Presence, not-ready and served counts per interval for one day's calls."""
    served = calls[(calls["outcome"] == "answered") & (calls["agent"] != "")]
    if served.empty:
        zeros = np.zeros(grid.n)
        return zeros, zeros, zeros, np.array([]), 0, 0
    served = served.sort_values(["agent", "answer"], kind="stable")
    start = served["answer"].to_numpy()
    end = start + served["handle"].to_numpy()
    agent = served["agent"].to_numpy()
    same = np.append(agent[1:] == agent[:-1], False)
    gap = np.append(start[1:] - end[:-1], np.inf)
    inside = same & (gap <= gap_s)  # the next service is in the same block
    new_block = np.concatenate([[True], ~inside[:-1]])
    block_id = np.cumsum(new_block) - 1
    block_start = start[new_block]
    block_end = pd.Series(end).groupby(block_id).max().to_numpy()
    present = _seconds_in(grid, block_start, block_end - block_start) / grid.length
    waiting = _could_take(calls, served, end)
    nr = inside & waiting
    nr_gap = np.maximum(gap[nr], 0.0)
    not_ready = _seconds_in(grid, end[nr], nr_gap)
    k = grid.index(start)
    pairs = pd.DataFrame({"k": k, "agent": agent})[k >= 0].drop_duplicates()
    who = np.bincount(pairs["k"], minlength=grid.n)
    return present, not_ready, who, nr_gap, int(inside.sum()), int(new_block.sum())


def estimate_agents(
    calls: pd.DataFrame, days: list, grid: Grid, gap_minutes: float = GAP_MINUTES
) -> Agents:
    """Agents available per interval (see the module docstring) on `grid`."""
    present = np.zeros((len(days), grid.n))
    not_ready = np.zeros((len(days), grid.n))
    served = np.zeros((len(days), grid.n))
    gaps, n_gaps, n_blocks = [], 0, 0
    for i, day in enumerate(days):
        p, nr, who, g, inside, blocks = _one_day(calls[calls["day"] == day], grid, gap_minutes * 60)
        present[i], not_ready[i], served[i] = p, nr, who
        gaps.append(g)
        n_gaps += inside
        n_blocks += blocks
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(present > 0, not_ready / (present * grid.length), 0.0)
    unknown = int(((calls["outcome"] == "answered") & (calls["agent"] == "")).sum())
    return Agents(
        present,
        served,
        np.concatenate(gaps) if gaps else np.array([]),
        share,
        n_gaps,
        n_blocks,
        gap_minutes,
        unknown,
    )
