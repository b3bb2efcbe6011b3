"""Required agents: the fewest *whole* productive agents per (queue, interval) that meet
EVERY target of the scenario by an Erlang formula.

The targets are the service level (``service_level``: answered within T ÷ accepted >=
target) and, where given, ``targets.asa`` (mean wait of answered calls, seconds),
``targets.abandon_rate`` and ``targets.occupancy_max``, each queue held to its own
(``queues.Q.service_level``, ``queues.Q.targets``) where given. Agents are whole people: the
Erlang formulas accept fractional agents, the plan does not.

Every cell with load is solved at once on numpy arrays by `simulator.erlang`'s
`fewest_agents`: from a known failure (``floor(load)`` agents for Erlang C, whose queue
explodes there; 0 for Erlang A) the candidate doubles its distance until every target
is met, then a bisection on whole agents closes in. It assumes, as queueing theory
says, that adding an agent never makes a KPI worse; `tests/test_staffing.py` checks
minimality directly.
"""

from __future__ import annotations

import numpy as np

from ..erlang import Unreachable, fewest_agents
from ..kpi.flags import meets
from ..model.scenario import Scenario, ScenarioError
from ..model.targets import per_queue
from .predict import ERLANG, check_method, meets_targets, predict


def meets_target(
    sc: Scenario, kpis: dict[str, np.ndarray], kpi: str, queue: np.ndarray | None = None
) -> np.ndarray:
    """Whether `kpi`'s target alone is met, cell by cell, each cell held to its queue's
    target (`simulator.model.targets`; met where none is set). `queue`: each cell's queue
    index; None: the arrays' first axis is the queue."""
    shape = np.shape(kpis[kpi])
    if queue is None:
        queue = np.arange(shape[0]).reshape((-1,) + (1,) * (len(shape) - 1))
    if kpi == "occupancy":
        cap = sc.targets.occupancy_max
        target = np.full(np.shape(queue), np.nan if cap is None else cap)
    else:
        target = per_queue(sc, kpi)[queue]
    return np.isnan(target) | meets(kpi, kpis[kpi], target)


def required_agents(
    sc: Scenario, method: str, load: np.ndarray, only: str | None = None
) -> np.ndarray:
    """Fewest whole agents meeting every target (or only the target of KPI `only`), per
    (queue, interval); 0 without load. Raises ScenarioError naming the first cell where
    no staffing meets the targets."""
    check_method(method, ERLANG)
    required = np.zeros(load.shape, dtype=np.int64)
    cells = np.flatnonzero(load > 0)
    if cells.size == 0:
        return required

    def meets(points: np.ndarray, n: np.ndarray) -> np.ndarray:
        idx = cells[points]
        a, m = np.zeros(load.shape), np.zeros(load.shape)
        a.flat[idx], m.flat[idx] = load.flat[idx], n
        kpis = {k: v.flat[idx] for k, v in predict(sc, method, a, m).items()}
        queue = idx // load.shape[1]
        if only is None:
            return meets_targets(sc, kpis, queue)
        return meets_target(sc, kpis, only, queue)

    A = load.flat[cells]
    # Known failures: Erlang C has no steady state at n <= A; Erlang A answers nobody at 0.
    lo = np.floor(A) if method == "erlang-c" else np.zeros(A.size)
    hi = lo + 1.0 if method == "erlang-c" else np.floor(A) + 1.0
    try:
        required.flat[cells] = fewest_agents(meets, lo, hi)
    except Unreachable as e:
        i = int(e.points[0])
        q, k = divmod(int(cells[i]), load.shape[1])
        raise ScenarioError(
            [
                f"targets: cannot be met for queue {list(sc.queues)[q]} at "
                f"{sc.interval_starts()[k]} (load {A[i]:.4g} Erlangs)"
            ]
        ) from None
    return required
