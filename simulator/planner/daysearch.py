"""The simulation search for a chance target per day (`staff --method simulation
--days-meeting P --chance-per day`): each queue's whole day meets every target on at
least P of the search's days.

The analytic per-day plan (`dayshare`) orders the agents a day gets: greedy marginal
allocation from the **floor** (the ISA staffing, which meets the targets on the mean in
every interval, spill-over included) at the busyness factor's P-quantile gives a chain
of plans, each one agent more than the one before, past the analytic plan (which meets
at that quantile) for as many steps again plus one per interval of the day. More agents
never make a day worse, so the share of days meeting every target grows along the
chain, and the search is a bisection on it, per (queue, day) at once: starting from the
analytic plan, a plan is kept when the day's share of the search's days meeting every
target is at least P (`sampling.judge_day_share`: one-sided 99% Clopper-Pearson bound
clear, or the share known within 2 points at 95%), and the fewest agents on the chain
that the rule keeps is the plan. The plan is then judged whole (the (queue, day)s were
bisected side by side, and where agents serve several queues one's steps move the
other's share): a (queue, day) that misses moves one step up its chain until none
does. No interval goes below the floor.
"""

from __future__ import annotations

import numpy as np

from ..model.scenario import Scenario
from .allocation import queue_agents
from .daysets import DaySets
from .dayshare import day_spans, greedy_steps, membership, quantile
from .load import offered_calls, offered_load
from .predict import erlang_method


def chain(sc: Scenario, method: str, load: np.ndarray, floor: np.ndarray, cv: float, days: float):
    """(plans, analytic, top): plans[k] the floor plus the greedy's first k steps
    ((steps + 1, queues, intervals)); per (queue, day) the steps to the analytic per-day
    plan and the chain's last step."""
    steps, met = greedy_steps(sc, method, load * quantile(cv, days), floor, further=True)
    added = np.cumsum([np.zeros(floor.shape)] + steps, axis=0).astype(np.int64)
    top = added[-1] @ membership(sc)  # each (queue, day)'s steps: one agent each
    return np.asarray(floor, np.int64)[None] + added, met, top.astype(np.int64)


def at_steps(plans: np.ndarray, steps: np.ndarray, sc: Scenario) -> np.ndarray:
    """The plan with each (queue, day) at its step on the chain (the floor elsewhere)."""
    out = plans[0].copy()
    queues = np.arange(out.shape[0])
    for d, (lo, hi) in enumerate(day_spans(sc)):
        k = np.minimum(steps[:, d], plans.shape[0] - 1)
        out[:, lo:hi] = plans[k, queues, lo:hi] if hi > lo else out[:, lo:hi]
    return out


def refine_day(
    sc: Scenario,
    method: str,
    load: np.ndarray,
    floor: np.ndarray,
    sets: DaySets,
    cv: float,
    days: float,
) -> tuple[np.ndarray, bool, int]:
    """The bisection on the chain (module docstring): (staffing, converged, rounds)."""
    plans, met, top = chain(sc, method, load, floor, cv, days)
    spans, m = day_spans(sc), membership(sc)
    has = (load @ m) > 0
    lo, hi = np.full(top.shape, -1), top + 1  # a step known to miss, one known to meet
    lo[~has], k = hi[~has] - 1, met.copy()
    firsts = [first - sc.simulation.warmup_intervals for first, _ in spans]
    for rounds in range(1, 64):
        open_ = (hi - lo > 1) & has
        if not open_.any():
            return settle(sc, plans, np.minimum(hi, top), top, sets, rounds - 1)
        if sets.spent:
            break
        if rounds > 1:
            k = (lo + hi) // 2
        k = np.where(open_, k, np.minimum(hi, top))
        matters = (open_.astype(float) @ m.T) > 0
        verdict = sets.evaluate(at_steps(plans, k, sc), matters)
        ok = verdict.meets[:, firsts]
        hi, lo = np.where(open_ & ok, k, hi), np.where(open_ & ~ok, k, lo)
    return at_steps(plans, np.minimum(hi, top), sc), False, rounds


def settle(
    sc: Scenario, plans: np.ndarray, k: np.ndarray, top: np.ndarray, sets: DaySets, rounds: int
) -> tuple[np.ndarray, bool, int]:
    """The bisection's plan checked whole: where agents serve several queues, or a day
    spills into the next, a (queue, day) was judged beside other days' trial steps, so
    each that misses now moves one step up its chain, until none misses (or the chain,
    or the budget, ends): (staffing, converged, rounds)."""
    firsts = [first - sc.simulation.warmup_intervals for first, _ in day_spans(sc)]
    for more in range(1, 64):
        if sets.spent:
            return at_steps(plans, k, sc), False, rounds + more - 1
        miss = ~sets.evaluate(at_steps(plans, k, sc)).meets[:, firsts] & (k < top)
        if not miss.any():
            return at_steps(plans, k, sc), True, rounds + more
        k = k + miss
    return at_steps(plans, k, sc), False, rounds + 63


def day_raises(
    sc: Scenario, staffing: dict[str, list[int]], missed: np.ndarray, days: float
) -> np.ndarray:
    """Where a roster whose whole days miss their chance target gets one agent more: per
    (queue, day) that misses (`missed`, (queues, reported intervals), the verdict given to
    the day's intervals), the interval the Erlang greedy would staff next from the agents
    the roster logs in (at the busyness factor's `days`-quantile); the day's every
    interval if the greedy adds none there."""
    load = offered_load(sc, offered_calls(sc))
    agents = np.floor(queue_agents(sc, staffing, load) + 1e-9)
    x = quantile(sc.arrivals.busyness_cv, days)
    steps, _ = greedy_steps(sc, erlang_method(sc), load * x, agents, further=True)
    skip = sc.simulation.warmup_intervals
    first = steps[0][:, skip:] > 0 if steps else np.zeros(missed.shape, bool)
    day = membership(sc)[skip:]
    none = ((first & missed).astype(float) @ day) == 0  # (queues, days) the greedy skips
    return (first & missed) | (missed & ((none.astype(float) @ day.T) > 0))
