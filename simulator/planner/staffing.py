"""Staffing: how many agents each interval needs, by Erlang C, Erlang A or simulation.

A planner turns a forecast into a staffing plan in three steps, per interval:

1. **load**: offered calls × AHT ÷ interval seconds, in Erlangs: 100 calls in 30 min at
   180 s each keep 10 agents busy on average;
2. **required**: the fewest *whole* productive agents that meet EVERY target of the
   scenario: the service level (``service_level``: answered within T ÷ accepted >=
   target) and, where given, ``targets.asa`` (mean wait of answered calls, seconds),
   ``targets.abandon_rate`` and ``targets.occupancy_max``. Agents are whole people:
   the Erlang formulas accept fractional agents, the plan does not;
3. **scheduled**: ``ceil(required / (1 - shrinkage))``: agents to put on the schedule
   so that, after breaks, training and absence, ``required`` are on the phones.

Three methods answer step 2; two are formulas (see `simulator.erlang`):

* ``erlang-c`` (M/M/n): callers never hang up. Its abandon rate is 0 by definition, so
  an ``abandon_rate`` target is always met; when real callers do hang up, the callers
  who leave shorten everybody else's wait, and Erlang C asks for more agents than
  needed (it over-staffs).
* ``erlang-a`` (M/M/n+M): waiting callers hang up after an exponential patience whose
  mean is the queue's ``patience`` mean (its shape is ignored). Abandoned calls count
  as misses of the service level.

The third, ``simulation``, puts the simulator in the loop where the formulas' assumptions
do not hold (see *Simulation search* below).

Erlang search: every (queue, interval) cell is solved at once on numpy arrays: from a known
failure (``floor(load)`` agents for Erlang C, whose queue explodes there; 0 for
Erlang A) the candidate doubles its distance until every target is met, then a
bisection on whole agents closes in. It assumes, as queueing theory says, that adding
an agent never makes a KPI worse; `tests/test_staffing.py` checks minimality directly.

Approximations (stated in each plan's ``notes`` where they apply):

* Each queue is sized on its own, as if its own team served it: pooling gains of
  cross-trained agents are ignored, so multi-skill plans are conservative.
* The agent groups that serve a queue first (its best rank among all groups; ties
  share) are its *home* groups. A queue's requirement is split among its home groups
  in proportion to their staffing in the file over the day (equally if none), in
  whole agents; a group that is nobody's home gets 0. To predict KPIs at given
  staffing (`predict_at`, `simulator.compare`) the rule runs backwards: a group's
  agents serve its home queues, split by their loads (possibly fractional agents).
* Transfers and escalations add to the receiving queue's offered calls (every offered
  call of the sending queue is counted, as if all were answered: an upper estimate).
  Redials, repeat calls and callbacks are not planned for; trunk ``lines`` (busy
  signals) are not modelled; handle times enter only through their mean (AHT).

Simulation search (``method="simulation"``, `search_by_simulation`): start from the
Erlang A requirement (Erlang C if a queue has no patience), simulate the day at that
staffing (the scenario's replications and seed), and adjust cell by cell on the
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
own simulated KPIs and split among its home groups as above; the simulation plays the
secondary skills, so pooling gains show. Occupancy is the centre's (agents serve
several queues), so an occupancy miss raises every queue of that interval. Warm-up
intervals keep the Erlang requirement (they are not reported, so not searched).

`plan` returns a `StaffingPlan` of plain arrays; `StaffingPlan.to_dict()` is the
``callsim staff --json`` object. `with_staffing` puts a plan's staffing into a copy of
the scenario, so the simulator can check the plan. A scenario's ``staffing`` counts
agents logged in (the simulator knows no shrinkage), so the plan's `staffing` is the
required agents, or the agents on shift less shrinkage: never the scheduled headcount.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..erlang import erlang_a, erlang_c, erlang_c_asa, erlang_c_service_level, occupancy
from ..kpi.stats import confidence
from ..model.scenario import Scenario, ScenarioError
from ..run.runner import SimulationResult, json_number, simulate
from .shifts import ShiftPlan, schedule_shifts

ERLANG = ("erlang-c", "erlang-a")
METHODS = ERLANG + ("simulation",)
KPIS = ("service_level", "asa", "abandon_rate", "occupancy")
_MAX_DOUBLINGS = 30  # the gap to the load doubles: 2^30 agents is past any answer
MAX_SIMULATIONS = 60  # simulated day-sets per search, at the most


# ----------------------------------------------------------------------- scenario views


def check_method(method: str, allowed: tuple[str, ...] = METHODS) -> None:
    if method not in allowed:
        raise ValueError(f"method: must be one of {', '.join(allowed)} (got {method!r})")


def erlang_method(sc: Scenario) -> str:
    """The formula that fits the scenario best: erlang-a if every queue has a patience,
    else erlang-c."""
    return "erlang-a" if all(q.patience for q in sc.queues.values()) else "erlang-c"


def scale_volumes(sc: Scenario, factor: float) -> Scenario:
    """A copy of `sc` with every queue's volumes multiplied by `factor` (> 0)."""
    if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor > 0):
        raise ValueError(f"volume_scale: must be a number > 0 (got {factor!r})")
    if factor == 1:
        return sc
    queues = {
        name: q.model_copy(update={"volumes": [v * factor for v in q.volumes]})
        for name, q in sc.queues.items()
    }
    return sc.model_copy(update={"queues": queues})


def with_staffing(sc: Scenario, staffing: dict[str, list[int]]) -> Scenario:
    """A copy of `sc` whose agent groups are staffed as given (group -> agents per
    interval); groups not named keep their staffing. Raises ScenarioError."""
    problems = []
    for name, agents in staffing.items():
        where = f"agents.{name}.staffing"
        if name not in sc.agents:
            problems.append(
                f"agents.{name}: unknown agent group (groups are: {', '.join(sc.agents)})"
            )
        elif len(agents) != sc.n_intervals:
            problems.append(
                f"{where}: has {len(agents)} intervals, the queues have {sc.n_intervals}"
            )
        elif any(float(a) != int(a) or a < 0 for a in agents):
            problems.append(f"{where}: must be whole numbers of agents >= 0")
    if problems:
        raise ScenarioError(problems)
    groups = {
        name: g.model_copy(update={"staffing": [int(a) for a in staffing[name]]})
        if name in staffing
        else g
        for name, g in sc.agents.items()
    }
    return sc.model_copy(update={"agents": groups})


def offered_load(sc: Scenario, offered: np.ndarray) -> np.ndarray:
    """Erlangs per queue and interval: offered calls x AHT / interval seconds."""
    aht = np.array([q.aht for q in sc.queues.values()])
    return offered * aht[:, None] / sc.interval_seconds


def offered_calls(sc: Scenario) -> np.ndarray:
    """Calls offered to each queue per interval, (queues, intervals): the forecast plus
    the calls transferred or escalated in. Solves v = forecast + P^T v, where P[s, d]
    is the chance that a call of queue s moves on to queue d."""
    names = list(sc.queues)
    forecast = np.array([q.volumes for q in sc.queues.values()], dtype=float)
    moves = np.zeros((len(names), len(names)))
    for s, q in enumerate(sc.queues.values()):
        for target, p in q.transfers.items():
            moves[s, names.index(target)] += p
        if q.escalation:
            moves[s, names.index(q.escalation.to)] += q.escalation.probability
    if not moves.any():
        return forecast
    system = np.eye(len(names)) - moves.T
    if np.linalg.cond(system) > 1e12:
        raise ScenarioError(
            ["queues: transfers and escalations form a loop that calls never leave"]
        )
    return np.linalg.solve(system, forecast)


def home_groups(sc: Scenario) -> dict[str, list[str]]:
    """Queue -> the agent groups that serve it first (its best rank among groups)."""
    homes = {}
    for q in sc.queues:
        ranks = {g: group.ranks[q] for g, group in sc.agents.items() if q in group.ranks}
        best = min(ranks.values())
        homes[q] = [g for g, r in ranks.items() if r == best]
    return homes


def _patience(sc: Scenario, method: str) -> np.ndarray:
    """Mean patience per queue, seconds (inf for erlang-c). Raises ScenarioError."""
    if method == "erlang-c":
        return np.full(len(sc.queues), np.inf)
    missing = [
        f"queues.{name}.patience: erlang-a needs patience"
        for name, q in sc.queues.items()
        if q.patience is None
    ]
    if missing:
        raise ScenarioError(missing)
    return np.array([q.patience.mean for q in sc.queues.values()])


# ----------------------------------------------------------------------- Erlang KPIs


def _erlang(method: str, load, agents, aht, patience, threshold) -> dict[str, np.ndarray]:
    """KPIs of flat arrays of cells with load > 0 and agents > 0."""
    if method == "erlang-a":
        r = erlang_a(load, agents, aht, patience, threshold)
        return {
            "p_wait": r.p_wait,
            "service_level": r.service_level,
            "asa": r.asa,
            "abandon_rate": r.abandon_rate,
            "occupancy": r.occupancy,
        }
    return {
        "p_wait": erlang_c(load, agents),
        "service_level": erlang_c_service_level(load, agents, aht, threshold),
        "asa": erlang_c_asa(load, agents, aht),
        "abandon_rate": np.zeros(np.shape(load)),
        "occupancy": occupancy(load, agents),
    }


def _predict(
    sc: Scenario, method: str, load: np.ndarray, agents: np.ndarray
) -> dict[str, np.ndarray]:
    """Erlang KPIs per (queue, interval) at `agents` (may be fractional).

    No calls: rates are undefined (NaN), occupancy 0 where agents wait idle.
    Calls but no agents: service level 0, no answered call (ASA NaN), every caller
    hangs up under Erlang A (none under Erlang C: they wait for ever).
    """
    shape = load.shape
    aht = np.broadcast_to(np.array([q.aht for q in sc.queues.values()])[:, None], shape)
    patience = np.broadcast_to(_patience(sc, method)[:, None], shape)
    out = {k: np.full(shape, np.nan) for k in ("p_wait",) + KPIS}
    out["occupancy"][(load == 0) & (agents > 0)] = 0.0
    nobody = (load > 0) & (agents == 0)
    out["p_wait"][nobody] = 1.0
    out["service_level"][nobody] = 0.0
    out["abandon_rate"][nobody] = 1.0 if method == "erlang-a" else 0.0
    cells = (load > 0) & (agents > 0)
    if cells.any():
        values = _erlang(
            method,
            load[cells],
            agents[cells],
            aht[cells],
            patience[cells],
            sc.service_level.seconds,
        )
        for k, v in values.items():
            out[k][cells] = v
    return out


def _meets(sc: Scenario, kpis: dict[str, np.ndarray]) -> np.ndarray:
    """Whether every target of the scenario is met, cell by cell."""
    ok = kpis["service_level"] >= sc.service_level.target
    t = sc.targets
    if t.asa is not None:
        ok &= kpis["asa"] <= t.asa
    if t.abandon_rate is not None:
        ok &= kpis["abandon_rate"] <= t.abandon_rate
    if t.occupancy_max is not None:
        ok &= kpis["occupancy"] <= t.occupancy_max
    return ok


def required_agents(sc: Scenario, method: str, load: np.ndarray) -> np.ndarray:
    """Fewest whole agents meeting every target, per (queue, interval); 0 without load."""
    check_method(method, ERLANG)
    required = np.zeros(load.shape, dtype=np.int64)
    cells = np.flatnonzero(load > 0)
    if cells.size == 0:
        return required

    def meets(idx: np.ndarray, n: np.ndarray) -> np.ndarray:
        a = np.zeros(load.shape)
        m = np.zeros(load.shape)
        a.flat[idx], m.flat[idx] = load.flat[idx], n
        sub = {k: v.flat[idx] for k, v in _predict(sc, method, a, m).items()}
        return _meets(sc, sub)

    A = load.flat[cells]
    # Known failures: Erlang C has no steady state at n <= A; Erlang A answers nobody at 0.
    lo = np.floor(A) if method == "erlang-c" else np.zeros(A.size)
    hi = lo + 1.0 if method == "erlang-c" else np.floor(A) + 1.0
    for _ in range(_MAX_DOUBLINGS):
        short = ~meets(cells, hi)
        if not short.any():
            break
        lo, hi = np.where(short, hi, lo), np.where(short, hi + 2.0 * (hi - lo), hi)
    else:
        i = int(np.flatnonzero(short)[0])
        q, k = divmod(int(cells[i]), load.shape[1])
        raise ScenarioError(
            [
                f"targets: cannot be met for queue {list(sc.queues)[q]} at "
                f"{sc.interval_starts()[k]} (load {A[i]:.4g} Erlangs)"
            ]
        )
    while True:  # bisection on whole agents
        open_ = hi - lo > 1
        if not open_.any():
            break
        mid = np.floor(0.5 * (lo + hi))
        ok = meets(cells[open_], mid[open_])
        hi[open_] = np.where(ok, mid[open_], hi[open_])
        lo[open_] = np.where(ok, lo[open_], mid[open_])
    required.flat[cells] = hi.astype(np.int64)
    return required


def queue_agents(sc: Scenario, staffing: dict[str, list[int]], load: np.ndarray) -> np.ndarray:
    """Agents serving each queue per interval, (queues, intervals), from group staffing:
    each group's agents serve its home queues, split by their loads (equally if none)."""
    names = list(sc.queues)
    homes = home_groups(sc)
    agents = np.zeros(load.shape)
    for g, row in staffing.items():
        mine = [names.index(q) for q, gs in homes.items() if g in gs]
        if not mine:
            continue
        weights = load[mine]
        total = weights.sum(axis=0)
        share = np.where(total > 0, weights / np.where(total > 0, total, 1), 1 / len(mine))
        agents[mine] += share * np.asarray(row, dtype=float)
    return agents


def group_requirement(sc: Scenario, required: np.ndarray) -> dict[str, np.ndarray]:
    """Agent group -> whole agents per interval: each queue's `required` split among its
    home groups in proportion to their day's staffing in the file (largest remainder)."""
    out = {g: np.zeros(required.shape[1], dtype=np.int64) for g in sc.agents}
    for q, gs in zip(required, home_groups(sc).values()):
        weights = np.array([sum(sc.agents[g].staffing) for g in gs], dtype=float)
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(gs), 1 / len(gs))
        exact = weights[:, None] * q[None, :]
        parts = np.floor(exact + 1e-9).astype(np.int64)
        left = q - parts.sum(axis=0)  # agents still to hand out
        rank = np.argsort(np.argsort(-(exact - parts), axis=0, kind="stable"), axis=0)
        parts += rank < left[None, :]
        for g, p in zip(gs, parts):
            out[g] += p
    return out


def after_shrinkage(required: np.ndarray, shrinkage: float) -> np.ndarray:
    """Agents to schedule so that `required` remain on the phones: ceil(r / (1 - s)).
    (The tolerance keeps 14 / 0.7 = 20.000000000000004 at 20.)"""
    return np.ceil(np.asarray(required) / (1.0 - shrinkage) - 1e-9).astype(np.int64)


# ----------------------------------------------------------------------- simulation search

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


def simulated_figures(res: SimulationResult) -> tuple[dict, dict]:
    """(per queue, centre): mean, ci95 low and ci95 high of each SIMULATED KPI per
    interval, NaN-padded over the warm-up so that they line up with a plan's intervals."""
    sc = res.scenario
    if len(sc.queues) == 1:
        samples = {k: res.interval_samples[k][None] for k in SIMULATED}
    else:
        per_queue = res.queue_interval_samples.values()
        samples = {k: np.array([q[k] for q in per_queue]) for k in SIMULATED}
    skip = sc.simulation.warmup_intervals

    def pad(x: np.ndarray) -> np.ndarray:
        return np.concatenate([np.full(x.shape[:-1] + (skip,), np.nan), x], axis=-1)

    queues = {k: tuple(pad(v) for v in confidence(samples[k], axis=1)) for k in SIMULATED}
    center = {
        k: tuple(pad(np.asarray(v)) for v in confidence(res.interval_samples[k])) for k in SIMULATED
    }
    return queues, center


def _misses(sc: Scenario, figures: dict[str, tuple[np.ndarray, ...]]) -> np.ndarray:
    """Cells whose simulated MEAN misses a target; a cell without accepted calls never
    misses (nothing to answer)."""
    means = {k: v[0] for k, v in figures.items()}
    return ~_meets(sc, means) & (np.nan_to_num(means["accepted"]) > 0)


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
        return (res, queues, center), _misses(sc, queues)

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


# ----------------------------------------------------------------------- center totals


def center(
    offered: np.ndarray,
    agents: np.ndarray,
    kpis: dict[str, np.ndarray],
    axis: int | tuple[int, ...] = 0,
) -> dict[str, np.ndarray]:
    """Per-queue KPIs combined over `axis` as an ACD report would: service level and
    abandon rate weighted by offered calls, ASA by answered calls, occupancy = busy
    agents ÷ agents. NaN where nothing is offered (or nobody staffed, for occupancy)."""

    def ratio(num, den):
        num, den = np.sum(num, axis=axis), np.sum(den, axis=axis)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    has = offered > 0
    answered = np.where(has, offered * (1 - np.nan_to_num(kpis["abandon_rate"])), 0.0)
    busy = np.where(agents > 0, np.nan_to_num(kpis["occupancy"]) * agents, 0.0)
    return {
        "service_level": ratio(np.where(has, offered * kpis["service_level"], 0), offered),
        "asa": ratio(np.where(answered > 0, answered * kpis["asa"], 0), answered),
        "abandon_rate": ratio(np.where(has, offered * kpis["abandon_rate"], 0), offered),
        "occupancy": ratio(busy, agents),
    }


@dataclass(frozen=True)
class Prediction:
    """Erlang KPIs per (queue, interval) at given agents; arrays are (queues, intervals)."""

    offered: np.ndarray
    agents: np.ndarray
    kpis: dict[str, np.ndarray]

    def total(self, first: int = 0) -> dict[str, np.ndarray]:
        """Center figures per interval from interval `first` on (warm-up left out)."""
        cut = {k: v[:, first:] for k, v in self.kpis.items()}
        return {
            "offered": self.offered[:, first:].sum(axis=0),
            "agents": self.agents[:, first:].sum(axis=0),
            **center(self.offered[:, first:], self.agents[:, first:], cut),
        }

    def day(self, first: int = 0) -> dict[str, float]:
        """Center figures for the day from interval `first` on."""
        cut = {k: v[:, first:] for k, v in self.kpis.items()}
        out = center(self.offered[:, first:], self.agents[:, first:], cut, axis=(0, 1))
        return {
            "offered": float(self.offered[:, first:].sum()),
            **{k: float(v) for k, v in out.items()},
        }


def predict_at(sc: Scenario, method: str = "erlang-c") -> Prediction:
    """Erlang's view of the scenario AS STAFFED in its file (groups' agents go to their
    home queues, see the module docstring)."""
    check_method(method, ERLANG)
    offered = offered_calls(sc)
    load = offered_load(sc, offered)
    agents = queue_agents(sc, {g: a.staffing for g, a in sc.agents.items()}, load)
    return Prediction(offered, agents, _predict(sc, method, load, agents))


# ----------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class StaffingPlan:
    """Agents needed per interval, and Erlang's prediction at that staffing.

    Per-queue arrays are (queues, intervals); center arrays are (intervals,).
    `required` and `scheduled` are whole agents. `shifts` holds a ShiftPlan per agent
    group when shifts were scheduled (see `plan(..., shifts=True)`).
    """

    scenario: Scenario = field(repr=False)  # as planned (volumes scaled)
    method: str
    volume_scale: float
    starts: list[str]
    queues: list[str]
    offered: np.ndarray  # calls (forecast + transfers in)
    load: np.ndarray  # Erlangs
    required: np.ndarray  # productive agents
    scheduled: np.ndarray  # after shrinkage, per queue
    kpis: dict[str, np.ndarray]  # p_wait, service_level, asa, abandon_rate, occupancy
    group_required: dict[str, np.ndarray]
    group_scheduled: dict[str, np.ndarray]
    notes: list[str]
    shifts: dict[str, ShiftPlan] | None = None
    search: Search | None = None  # method "simulation": the simulated day, with CIs

    @property
    def total(self) -> dict[str, np.ndarray]:
        """Center totals per interval: offered, load, required, scheduled (sum of the
        groups' scheduled agents), and the KPIs combined over queues (simulated: the
        center's simulated means)."""
        kpis = (
            {k: self.search.center_figures[k][0] for k in KPIS}
            if self.search
            else center(self.offered, self.required, self.kpis)
        )
        return {
            "offered": self.offered.sum(axis=0),
            "load": self.load.sum(axis=0),
            "required": self.required.sum(axis=0),
            "scheduled": sum(self.group_scheduled.values()),
            **kpis,
        }

    @property
    def staffing(self) -> dict[str, list[int]]:
        """Agents LOGGED IN per group and interval, the meaning of a scenario's
        `agents.X.staffing` (the simulator applies no shrinkage): the required agents,
        or with shifts the agents on shift less shrinkage, rounded down (never below
        required where the shifts cover the schedule). What `with_staffing` and
        `callsim staff --write` use."""
        if self.shifts:
            keep = 1.0 - self.scenario.shrinkage
            return {
                g: [math.floor(a * keep + 1e-9) for a in s.staffing]
                for g, s in self.shifts.items()
            }
        return {g: [int(v) for v in r] for g, r in self.group_required.items()}

    @property
    def intervals(self) -> pd.DataFrame:
        """Center view, one row per interval (index: start)."""
        return pd.DataFrame(self.total, index=pd.Index(self.starts, name="start"))

    @property
    def queue_intervals(self) -> pd.DataFrame:
        """Per-queue view, one row per (queue, interval)."""
        frames = [
            pd.DataFrame(
                {
                    "queue": q,
                    "start": self.starts,
                    **{k: v[i] for k, v in self.queue_columns().items()},
                }
            )
            for i, q in enumerate(self.queues)
        ]
        return pd.concat(frames, ignore_index=True)

    def queue_columns(self) -> dict[str, np.ndarray]:
        """offered, load, required, scheduled and the KPIs, each (queues, intervals)."""
        return {
            "offered": self.offered,
            "load": self.load,
            "required": self.required,
            "scheduled": self.scheduled,
            **{k: self.kpis[k] for k in KPIS},
        }

    def figures(self, queue: int | None = None) -> dict[str, tuple[np.ndarray, ...]] | None:
        """Simulated plans: KPI -> (mean, ci95 low, ci95 high) per interval, of the
        center or of queue number `queue`; None for an Erlang plan."""
        if self.search is None:
            return None
        if queue is None:
            return {k: self.search.center_figures[k] for k in KPIS}
        return {k: tuple(v[queue] for v in self.search.queue_figures[k]) for k in KPIS}

    def to_dict(self) -> dict:
        """The `callsim staff --json` object (NaN and inf -> None). Simulated plans add
        each row's 95% CIs (`ci95`: KPI -> [low, high]) and `simulation`."""

        def rows(columns: dict[str, np.ndarray], q: int | None = None) -> list[dict]:
            return [
                {
                    "start": s,
                    **{k: _plain(v[i]) for k, v in columns.items()},
                    **({"ci95": self._ci95(i, q)} if self.search else {}),
                }
                for i, s in enumerate(self.starts)
            ]

        total = self.total
        order = ("offered", "load", "required", "scheduled") + KPIS
        sc = self.scenario
        out = {
            "scenario": sc.name,
            "method": self.method,
            "volume_scale": self.volume_scale,
            "interval_minutes": sc.interval_minutes,
            "service_level": sc.service_level.model_dump(),
            "targets": sc.targets.model_dump(exclude_none=True),
            "shrinkage": sc.shrinkage,
            "intervals": rows({k: total[k] for k in order}),
            "groups": {
                g: {
                    "required": [int(v) for v in self.group_required[g]],
                    "scheduled": [int(v) for v in self.group_scheduled[g]],
                    "logged_in": self.staffing[g],
                }
                for g in self.group_required
            },
            "queues": {
                q: rows({k: v[i] for k, v in self.queue_columns().items()}, i)
                for i, q in enumerate(self.queues)
            },
            "notes": self.notes,
        }
        if self.shifts:
            out["shifts"] = {g: shift_dict(p) for g, p in self.shifts.items()}
        if self.search:
            res = self.search.result
            out["simulation"] = {
                "start": self.search.start,
                "replications": res.replications,
                "seed": res.seed,
                "simulations": self.search.simulations,
                "converged": self.search.converged,
            }
        return out

    def _ci95(self, interval: int, queue: int | None = None) -> dict[str, list]:
        """KPI -> [low, high] of the simulated interval (the center's, or a queue's)."""
        return {
            k: [_plain(low[interval]), _plain(high[interval])]
            for k, (_, low, high) in self.figures(queue).items()
        }


def _plain(x) -> int | float | None:
    if isinstance(x, (np.integer, int)):
        return int(x)
    return json_number(float(x))


def shift_dict(p: ShiftPlan) -> dict:
    return {
        "counts": p.counts,
        "break_starts": p.break_starts,
        "staffing": p.staffing,
        "required": p.required,
        "over": p.over,
        "under": p.under,
        "cost": json_number(p.cost),
        "paid_hours": json_number(p.paid_hours),
        "optimal": p.optimal,
    }


def plan(
    sc: Scenario,
    method: str = "erlang-c",
    volume_scale: float = 1.0,
    shifts: bool = False,
    progress: Callable[[int], None] | None = None,
) -> StaffingPlan:
    """Plan the day's staffing of `sc` by `method` ("erlang-c", "erlang-a" or
    "simulation"; see the module docstring).

    `volume_scale` multiplies every forecast volume first (1.15: 15% over forecast).
    `shifts=True` also turns each group's scheduled agents into shift counts
    (`simulator.shifts`), using the scenario's shifts for that group. `progress(n)` is
    called after each simulated day-set of a simulation search.
    Raises ValueError (ScenarioError for scenario fields) naming the field.
    """
    check_method(method)
    scaled = scale_volumes(sc, volume_scale)
    offered = offered_calls(scaled)
    load = offered_load(scaled, offered)
    search = None
    if method == "simulation":
        required, search = search_by_simulation(scaled, load, progress)
        kpis = {
            "p_wait": np.full(load.shape, np.nan),
            **{k: search.queue_figures[k][0] for k in KPIS},
        }
    else:
        required = required_agents(scaled, method, load)
        kpis = _predict(scaled, method, load, required.astype(float))
    group_req = group_requirement(scaled, required)
    result = StaffingPlan(
        scenario=scaled,
        method=method,
        volume_scale=float(volume_scale),
        starts=scaled.interval_starts(),
        queues=list(scaled.queues),
        offered=offered,
        load=load,
        required=required,
        scheduled=after_shrinkage(required, scaled.shrinkage),
        kpis=kpis,
        group_required=group_req,
        group_scheduled={g: after_shrinkage(r, scaled.shrinkage) for g, r in group_req.items()},
        notes=_search_notes(scaled, search) if search else _notes(scaled, method),
        search=search,
    )
    if not shifts:
        return result
    return replace(result, shifts=shift_plans(scaled, result))


def shift_plans(sc: Scenario, staffing_plan: StaffingPlan) -> dict[str, ShiftPlan]:
    """Group -> shift counts covering its scheduled agents (one solve per group)."""
    if not sc.shifts:
        raise ScenarioError(["shifts: the scenario has no shifts to schedule"])
    single = len(sc.agents) == 1
    plans, missing = {}, []
    for g, need in staffing_plan.group_scheduled.items():
        mine = {n: s for n, s in sc.shifts.items() if s.group == g or (single and s.group is None)}
        if not mine:
            missing.append(f"shifts: no shift for agent group '{g}' (give a shift with group: {g})")
            continue
        plans[g] = schedule_shifts(
            [int(v) for v in need], interval_minutes=sc.interval_minutes, open=sc.open, shifts=mine
        )
    if missing:
        raise ScenarioError(missing)
    return plans


def _notes(sc: Scenario, method: str) -> list[str]:
    """The approximations that matter for this scenario, in a sentence each."""
    queues = sc.queues.values()
    notes = []
    if method == "erlang-c" and any(q.patience for q in queues):
        notes.append(
            "erlang-c: callers never hang up (abandon_rate 0); with the "
            "patience given it over-staffs, see --method erlang-a"
        )
    if method == "erlang-a" and any(q.patience.distribution != "exponential" for q in queues):
        notes.append("erlang-a: patience enters by its mean only (exponential assumed)")
    if any(len(q.parts) > 1 or q.parts[0].distribution != "exponential" for q in queues):
        notes.append("handle times enter by their mean only (AHT; exponential assumed)")
    if len(sc.queues) > 1:
        notes.append(
            "each queue is sized on its own (no pooling gain: conservative); "
            "its agents go to the groups that serve it first"
        )
    if any(q.transfers or q.escalation for q in queues):
        notes.append(
            "transfers and escalations add to the receiving queues' offered "
            "calls (all counted: an upper estimate)"
        )
    if any(q.redial or q.repeat or q.callback for q in queues):
        notes.append("redials, repeat calls and callbacks are not planned for")
    if sc.lines is not None:
        notes.append(f"lines ({sc.lines}) are not modelled: no busy signals in the plan")
    return notes


def _search_notes(sc: Scenario, search: Search) -> list[str]:
    """What a simulated plan means, and its approximations, in a sentence each."""
    res = search.result
    notes = [
        f"simulation: searched from the {search.start} requirement; each interval's "
        f"mean over {res.replications} simulated days (seed {res.seed}, the same "
        f"callers in all {search.simulations} trials) meets every target, and one "
        "agent fewer there makes it or a neighbouring interval miss one; KPIs are "
        "those simulated means (95% CIs in --json)"
    ]
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
