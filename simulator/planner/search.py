"""Staffing by simulation: the simulator in the loop where the formulas' assumptions
do not hold (impatient callers of any patience, skills, peaks that spill over).

The search (``method="simulation"``, `search_by_simulation`) starts from the
Erlang A requirement (Erlang C if a queue has no patience), simulates the day at that
staffing (the scenario's replications and seed), and adjusts cell by cell on the
*simulated means*:

* every (queue, interval) whose mean misses a target gets one agent more;
* once every cell meets every target, one agent fewer is tried in half of one queue's
  intervals at a time (every other interval, so that no two tried cells touch: calls
  left waiting at the end of an interval spill into the next). A cell keeps the
  decrease if it and the intervals either side of it still meet every target; else it
  is final ("one agent fewer there makes it, or a neighbour, miss a target").

It stops when every cell meets every target and every cell is final, and at most
`MAX_SIMULATIONS` simulated days-sets. Every trial re-uses the same seed: the engine
draws arrivals, handle times and patience from their own streams, so trials meet the
same callers (common random numbers), and a change in a mean is the staffing's doing,
not chance's. The plan is tuned to those simulated days: its 95% CIs say how far another
set of days may land. Multi-skill centres: each queue's requirement is adjusted on its
own simulated KPIs and split among its home groups (`allocation`); the simulation plays the
secondary skills, so pooling gains show. Occupancy is the centre's (agents serve
several queues), so an occupancy miss raises every queue of that interval. Warm-up
intervals keep the Erlang requirement (they are not reported, so not searched).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..kpi.stats import confidence
from ..model.scenario import Scenario
from ..run.runner import SimulationResult, simulate
from .allocation import group_requirement
from .edits import with_staffing
from .predict import KPIS, erlang_method, meets_targets
from .requirement import required_agents

MAX_SIMULATIONS = 60  # simulated day-sets per search, at the most
SIMULATED = KPIS + ("accepted",)


@dataclass(frozen=True)
class Search:
    """How a simulation search ended, and the day simulated at the plan's staffing.

    `queue_figures[kpi]` and `center_figures[kpi]` are (mean, ci95 low, ci95 high) of
    the simulated days, arrays (queues, intervals) and (intervals,), NaN in warm-up.
    """

    start: str  # the Erlang method the search started from
    simulations: int  # day-sets simulated, trials included
    converged: bool  # every cell meets every target and is final
    result: SimulationResult = field(repr=False)
    queue_figures: dict[str, tuple[np.ndarray, ...]] = field(repr=False)
    center_figures: dict[str, tuple[np.ndarray, ...]] = field(repr=False)

    @property
    def days_meeting(self) -> np.ndarray:
        """Share of the simulated days each (queue, interval) met every target."""
        return days_meeting_targets(self.result)


def queue_samples(res: SimulationResult) -> dict[str, np.ndarray]:
    """Each SIMULATED KPI per (queue, day, interval) of the reported intervals."""
    if len(res.scenario.queues) == 1:
        return {k: res.interval_samples[k][None] for k in SIMULATED}
    per_queue = res.queue_interval_samples.values()
    return {k: np.array([q[k] for q in per_queue]) for k in SIMULATED}


def simulated_figures(res: SimulationResult) -> tuple[dict, dict]:
    """(per queue, centre): mean, ci95 low and ci95 high of each SIMULATED KPI per
    interval, NaN-padded over the warm-up so that they line up with a plan's intervals."""
    sc = res.scenario
    samples = queue_samples(res)
    skip = sc.simulation.warmup_intervals

    def pad(x: np.ndarray) -> np.ndarray:
        return np.concatenate([np.full(x.shape[:-1] + (skip,), np.nan), x], axis=-1)

    queues = {k: tuple(pad(v) for v in confidence(samples[k], axis=1, kpi=k)) for k in SIMULATED}
    center = {
        k: tuple(pad(np.asarray(v)) for v in confidence(res.interval_samples[k], kpi=k))
        for k in SIMULATED
    }
    return queues, center


def days_meeting_targets(res: SimulationResult) -> np.ndarray:
    """Share of the simulated days on which each (queue, interval) met every target, as
    (queues, intervals); a day without accepted calls there counts as met; NaN over
    the warm-up."""
    sc = res.scenario
    samples = queue_samples(res)
    ok = meets_targets(sc, samples) | ~(np.nan_to_num(samples["accepted"]) > 0)
    share = ok.mean(axis=1)
    skip = sc.simulation.warmup_intervals
    return np.concatenate([np.full((share.shape[0], skip), np.nan), share], axis=1)


def misses(sc: Scenario, figures: dict[str, tuple[np.ndarray, ...]]) -> np.ndarray:
    """Cells whose simulated MEAN misses a target; a cell without accepted calls never
    misses (nothing to answer)."""
    means = {k: v[0] for k, v in figures.items()}
    return ~meets_targets(sc, means) & (np.nan_to_num(means["accepted"]) > 0)


def search_by_simulation(
    sc: Scenario, load: np.ndarray, progress: Callable[[int], None] | None = None
) -> tuple[np.ndarray, Search]:
    """Whole agents per (queue, interval) found by simulation (see the module docstring):
    every cell's simulated mean meets every target, and one agent fewer in a cell makes
    it or an interval next to it miss one. `progress(n)` after each simulated day-set."""
    start = erlang_method(sc)
    required = required_agents(sc, start, load)
    final = np.zeros(required.shape, bool)
    final[:, : sc.simulation.warmup_intervals] = True  # not reported: not searched
    runs = 0

    def run(req: np.ndarray):
        nonlocal runs
        staffed = with_staffing(sc, {g: r.tolist() for g, r in group_requirement(sc, req).items()})
        res = simulate(staffed, keep_records=False)  # the file's seed: common random numbers
        runs += 1
        if progress:
            progress(runs)
        queues, center = simulated_figures(res)
        return (res, queues, center), misses(sc, queues)

    day, miss = run(required)
    turn, converged = 0, False
    classes = 2 * required.shape[0]  # (queue, every other interval)
    while runs < MAX_SIMULATIONS:
        if miss.any():
            # not final: the miss may be chance (a change elsewhere reshuffles whose
            # call gets which handle time), so the cell is tried again later
            required = required + miss
            day, miss = run(required)
            continue
        for _ in range(classes):  # the next class with a cell left to try
            q, parity = divmod(turn % classes, 2)
            turn += 1
            cells = np.zeros(final.shape, bool)
            cells[q, parity::2] = ~final[q, parity::2] & (required[q, parity::2] > 0)
            if cells.any():
                break
        else:
            converged = True
            break
        trial, trial_miss = run(required - cells)
        near = trial_miss.any(axis=0)
        near = near | np.r_[False, near[:-1]] | np.r_[near[1:], False]
        keep = cells & ~near[None, :]
        final |= cells & near
        if keep.any():
            required = required - keep
            day, miss = (trial, trial_miss) if (keep == cells).all() else run(required)
    res, queues, center = day
    return required, Search(start, runs, converged and not miss.any(), res, queues, center)


def search_notes(sc: Scenario, search: Search) -> list[str]:
    """What a simulated plan means, and its approximations, in a sentence each."""
    res = search.result
    notes = [
        f"simulation: searched from the {search.start} requirement; each interval's "
        f"mean over {res.replications} simulated days (seed {res.seed}, the same "
        f"callers in all {search.simulations} trials) meets every target, and one "
        "agent fewer there makes it or a neighbouring interval miss one; KPIs are "
        "those simulated means (95% CIs in --json)"
    ]
    share = search.days_meeting
    if np.isfinite(share).any():
        q, i = np.unravel_index(int(np.nanargmin(share)), share.shape)
        notes.append(
            f"simulation: each interval met every target on at least "
            f"{100 * share[q, i]:.0f}% of the {res.replications} simulated days (fewest: "
            f"{list(sc.queues)[q]} at {sc.interval_starts()[i]}; per interval in --json)"
        )
    if not search.converged:
        notes.append(
            f"simulation: search stopped at {MAX_SIMULATIONS} trials: some "
            "intervals may miss a target or keep an agent too many"
        )
    if len(sc.queues) > 1:
        notes.append(
            "each queue's requirement is searched on its own simulated KPIs and "
            "goes to the groups that serve it first; occupancy is the center's"
        )
    if sc.simulation.warmup_intervals:
        notes.append(
            f"the {sc.simulation.warmup_intervals} warm-up interval(s) keep the "
            f"{search.start} requirement (not reported, so not searched)"
        )
    return notes
