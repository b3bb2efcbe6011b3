"""The iterative staffing step (ISA) of the simulation search, after Feldman, Mandelbaum,
Massey & Whitt (2008), "Staffing of time-varying queues to achieve time-stable
performance", Management Science 54(2).

Their algorithm simulates the day at the current staffing, measures each interval's
offered load, re-staffs every interval from it, and repeats: because each round is
simulated with its neighbours' new staffing, the calls one interval leaves waiting for
the next (spill-over) are in the measurement. Here the measurement is an interval's
**effective load**: per target, the load at which the Erlang formula, at the interval's
current agents, gives the KPI the simulation gave (the backlog carried in, handle times
that are not exponential, busy signals and patience of any shape all enter it). The
interval is re-staffed at the fewest agents meeting each target at its own effective
load (the largest over targets), at most `STEP` agents from where it was (a noisy or
saturated measurement moves it by little; the search's next rounds finish the job).
"""

from __future__ import annotations

import numpy as np

from ..model.scenario import Scenario
from .chance import largest_factor
from .predict import predict
from .requirement import required_agents
from .sampling import targets

STEP = 2  # agents an interval may move in one ISA round
ROUNDS = 4  # ISA rounds at most
MOST_FACTOR = 4.0  # an effective load is at most this many times the forecast load


def effective_load(
    sc: Scenario, method: str, load: np.ndarray, agents: np.ndarray, kpi: str, simulated
) -> np.ndarray:
    """Per (queue, interval), the load at which `method` at `agents` gives `kpi` the
    `simulated` value (as a multiple of `load`, found by bisection; `load` where the
    simulation gave no value)."""
    _, sign, _ = targets(sc)[kpi]
    cells = (load > 0) & (agents > 0) & np.isfinite(simulated)

    def no_worse(x: np.ndarray) -> np.ndarray:
        value = predict(sc, method, load * x, agents)[kpi]
        return np.nan_to_num(sign * (value - simulated), nan=-1.0) >= 0

    x = largest_factor(no_worse, cells)
    return np.where(cells, load * np.minimum(x, MOST_FACTOR), load)


def isa_step(
    sc: Scenario,
    method: str,
    load: np.ndarray,
    required: np.ndarray,
    simulated: dict[str, np.ndarray],
) -> np.ndarray:
    """The next ISA staffing per (queue, interval) from the KPIs `simulated` (means per
    (queue, interval), NaN where unknown) at `required`; warm-up intervals and cells
    without calls are left as they are."""
    skip = sc.simulation.warmup_intervals
    nxt = np.zeros(required.shape, np.int64)
    for kpi in targets(sc):
        eff = effective_load(sc, method, load, required.astype(float), kpi, simulated[kpi])
        nxt = np.maximum(nxt, required_agents(sc, method, eff, only=kpi))
    moved = np.clip(nxt, required - STEP, required + STEP)
    known = np.isfinite(simulated["service_level"]) & (load > 0)
    known[:, :skip] = False
    return np.where(known, np.maximum(moved, 0), required)
