"""Erlang's view of a day: KPIs per (queue, interval) at given agents, and the same
KPIs combined over queues as an ACD report would.

Two formulas (see `simulator.erlang`):

* ``erlang-c`` (M/M/n): callers never hang up. Its abandon rate is 0 by definition, so
  an ``abandon_rate`` target is always met; when real callers do hang up, the callers
  who leave shorten everybody else's wait, and Erlang C asks for more agents than
  needed (it over-staffs).
* ``erlang-a`` (M/M/n+M): waiting callers hang up after an exponential patience. For
  an exponential ``patience`` that is its mean; for any other shape it is the
  hazard-matched mean (`hazard_matched_mean`): the exponential with the same rate of
  hanging up over the first `HAZARD_HORIZON` seconds of waiting, not the distribution's
  mean (a heavy tail makes that mean far too long). Abandoned calls count as misses of
  the service level.

Handle times enter only through their mean (AHT); redials, repeat calls, callbacks and
trunk ``lines`` (busy signals) are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..erlang import erlang_a, erlang_c, erlang_c_asa, erlang_c_service_level, occupancy
from ..kpi.flags import meets
from ..kpi.registry import PREDICTED
from ..model.distributions import Distribution
from ..model.handling import effective_handle_means, handle_means
from ..model.scenario import Scenario, ScenarioError
from ..model.targets import per_queue
from .allocation import queue_agents
from .load import offered_calls, offered_load

ERLANG = ("erlang-c", "erlang-a")
METHODS = ERLANG + ("simulation",)
KPIS = PREDICTED  # the KPIs a formula predicts (simulator.kpi.registry)


def check_method(method: str, allowed: tuple[str, ...] = METHODS) -> None:
    if method not in allowed:
        raise ValueError(f"method: must be one of {', '.join(allowed)} (got {method!r})")


def erlang_method(sc: Scenario) -> str:
    """The formula that fits the scenario best: erlang-a if every queue has a patience,
    else erlang-c."""
    return "erlang-a" if all(q.patience for q in sc.queues.values()) else "erlang-c"


HAZARD_HORIZON = 180.0  # s: where waits end in a center near its service level


def hazard_matched_mean(patience: Distribution, horizon: float = HAZARD_HORIZON) -> float:
    """The exponential mean (s) with the patience's hazard of hanging up averaged over
    the first `horizon` seconds of waiting: E[min(patience, H)] / P(patience <= H), the
    ratio estimator (seconds waited ÷ abandons) of callers who wait up to H. Exact for
    an exponential patience; inf if nobody hangs up within H."""
    if patience.distribution == "exponential":
        return float(patience.mean)
    if patience.distribution == "empirical":
        v = np.asarray(patience.values, dtype=float)
        gone = float((v <= horizon).mean())
        return float(np.minimum(v, horizon).mean() / gone) if gone else float("inf")
    if patience.distribution == "deterministic":
        return float(patience.mean) if patience.mean <= horizon else float("inf")
    law = _law(patience)
    t = np.linspace(0.0, horizon, 2001)
    waited = float(np.trapezoid(law.sf(t), t))  # E[min(patience, H)]
    gone = float(law.cdf(horizon))
    return waited / gone if gone > 0 else float("inf")


def _law(d: Distribution):
    """scipy's frozen law for a lognormal, gamma, erlang or uniform duration."""
    from scipy import stats

    mean, cv = float(d.mean), float(getattr(d, "cv", 0.0))
    if d.distribution == "lognormal":
        s2 = np.log1p(cv * cv)
        return stats.lognorm(s=np.sqrt(s2), scale=mean * np.exp(-s2 / 2))
    if d.distribution in ("gamma", "erlang"):
        return stats.gamma(1 / (cv * cv), scale=mean * cv * cv)
    half = np.sqrt(3) * cv * mean
    return stats.uniform(loc=mean - half, scale=2 * half)


def patience_means(sc: Scenario, method: str) -> np.ndarray:
    """Erlang A's patience per queue, seconds: the hazard-matched mean (inf for
    erlang-c). Raises ScenarioError."""
    if method == "erlang-c":
        return np.full(len(sc.queues), np.inf)
    missing = [
        f"queues.{name}.patience: erlang-a needs patience"
        for name, q in sc.queues.items()
        if q.patience is None
    ]
    if missing:
        raise ScenarioError(missing)
    return np.array([hazard_matched_mean(q.patience) for q in sc.queues.values() if q.patience])


def erlang_kpis(method: str, load, agents, aht, patience, threshold) -> dict[str, np.ndarray]:
    """KPIs of flat arrays of cells with load > 0 and agents > 0."""
    if method == "erlang-a":
        r = erlang_a(load, agents, aht, patience, threshold)
        values = {
            "p_wait": r.p_wait,
            "service_level": r.service_level,
            "asa": r.asa,
            "abandon_rate": r.abandon_rate,
            "occupancy": r.occupancy,
        }
    else:
        values = {
            "p_wait": erlang_c(load, agents),
            "service_level": erlang_c_service_level(load, agents, aht, threshold),
            "asa": erlang_c_asa(load, agents, aht),
            "abandon_rate": np.zeros(np.shape(load)),
            "occupancy": occupancy(load, agents),
        }
    return {k: np.asarray(v) for k, v in values.items()}


def predict(
    sc: Scenario, method: str, load: np.ndarray, agents: np.ndarray
) -> dict[str, np.ndarray]:
    """Erlang KPIs per (queue, interval) at `agents` (may be fractional).

    No calls: rates are undefined (NaN), occupancy 0 where agents wait idle.
    Calls but no agents: service level 0, no answered call (ASA NaN), every caller
    hangs up under Erlang A (none under Erlang C: they wait for ever).
    """
    shape = load.shape
    aht = effective_handle_means(sc)  # handle + not-ready: what the load is made of
    patience = np.broadcast_to(patience_means(sc, method)[:, None], shape)
    threshold = np.broadcast_to(per_queue(sc, "seconds")[:, None], shape)  # each queue's own
    out = {k: np.full(shape, np.nan) for k in ("p_wait",) + KPIS}
    out["occupancy"][(load == 0) & (agents > 0)] = 0.0
    nobody = (load > 0) & (agents == 0)
    out["p_wait"][nobody] = 1.0
    out["service_level"][nobody] = 0.0
    out["abandon_rate"][nobody] = 1.0 if method == "erlang-a" else 0.0
    cells = (load > 0) & (agents > 0)
    if cells.any():
        values = erlang_kpis(
            method,
            load[cells],
            agents[cells],
            aht[cells],
            patience[cells],
            threshold[cells],
        )
        for k, v in values.items():
            out[k][cells] = v
        out["occupancy"][cells] *= (handle_means(sc) / aht)[cells]  # not-ready is not busy
    return out


def meets_targets(
    sc: Scenario, kpis: dict[str, np.ndarray], queue: np.ndarray | None = None
) -> np.ndarray:
    """Whether every target is met, cell by cell, each cell held to its queue's
    targets (`simulator.model.targets`). `queue`: each cell's queue index (broadcast
    against the KPI arrays); None: the arrays' first axis is the queue."""
    shape = np.shape(kpis["service_level"])
    if queue is None:
        queue = np.arange(shape[0]).reshape((-1,) + (1,) * (len(shape) - 1))
    ok = np.ones(shape, dtype=bool)
    for kpi in ("service_level", "asa", "abandon_rate"):
        target = per_queue(sc, kpi)[queue]
        ok &= np.isnan(target) | meets(kpi, kpis[kpi], target)
    if sc.targets.occupancy_max is not None:
        ok &= meets("occupancy", kpis["occupancy"], sc.targets.occupancy_max)
    return ok


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
    return Prediction(offered, agents, predict(sc, method, load, agents))
