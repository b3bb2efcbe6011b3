"""Chance targets per day: how often a queue's *day* meets its targets when the day's
busyness is random, and the cheapest staffing whose day meets them on a share of days.

A chance target per interval (`chance`) holds every (queue, interval) to "every target
met on at least p of days"; a target per day holds each queue's day figures instead:
all its calls of the day over the reported intervals (the day's service level, abandon
rate, ASA and occupancy, as an ACD's daily report gives them). A horizon has one day
per date (each date draws its own busyness factor).

With the daily factor X (gamma, mean 1, cv) every interval's load is ``load * X``, so
the day's service level at X is the call-weighted mean of the intervals' service
levels at their loads ``X * a_i`` (abandon rate likewise; ASA weighted by answered
calls; occupancy by agents). It falls as X grows, so the day meets every target
exactly when ``X <= x*`` (bisection, `chance.largest_factor`) and

    share of days meeting the targets = P(X <= x*) = GammaCDF(x*; 1/cv², cv²).

**The plan** (`day_requirement`) for "the day meets every target on at least p of
days" is the day meeting them at the factor's p-quantile x_p. A day-level target alone
would starve the quiet intervals (their few calls barely move the day's figure), so the
plan keeps **every interval at least at its plan for the mean target** and adds agents
from there by greedy marginal allocation: each step gives one agent to the interval
where it improves the day's figure of the first target still missed (service level,
ASA, abandon rate, occupancy; for 80/20: the most calls answered within 20 s per
agent-hour) at load ``x_p * a_i``, until the day meets every target there. A day whose
greedy plan would cost more agent-hours than the per-interval chance plan gets that plan
(which meets at x_p in every interval, so its day does too): the per-day plan never
costs more than the per-interval one.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..kpi.compute import reported_days
from ..model.scenario import Scenario
from ..model.targets import per_queue
from .chance import chance_requirement, largest_factor
from .load import offered_calls
from .predict import meets_targets, predict
from .requirement import meets_target

SCOPES = ("interval", "day")  # what a chance target holds to its share of days
ORDER = ("service_level", "asa", "abandon_rate", "occupancy")  # the first missed is served
SIGN = {"service_level": 1.0, "asa": -1.0, "abandon_rate": -1.0, "occupancy": -1.0}


def check_scope(chance_per: str) -> None:
    """Raise ValueError naming the field unless `chance_per` is one of SCOPES."""
    if chance_per not in SCOPES:
        raise ValueError(f"chance_per: must be one of {', '.join(SCOPES)} (got {chance_per!r})")


def day_spans(sc: Scenario) -> list[tuple[int, int]]:
    """The reported intervals (first, stop) of each day: one day without a horizon, each
    date of a horizon; the warm-up left out."""
    skip = sc.simulation.warmup_intervals
    if sc.horizon is None:
        return [(skip, sc.n_intervals)]
    return [(max(d.first, skip), d.stop) for d in reported_days(sc)]


def day_names(sc: Scenario) -> list[str]:
    """Each day's name: "day" without a horizon, else the date's label ("Mon 12-07")."""
    return ["day"] if sc.horizon is None else [d.label for d in reported_days(sc)]


def membership(sc: Scenario) -> np.ndarray:
    """(intervals, days): 1 where the interval is one of the day's reported intervals."""
    m = np.zeros((sc.n_intervals, len(day_spans(sc))))
    for d, (lo, hi) in enumerate(day_spans(sc)):
        m[lo:hi, d] = 1.0
    return m


def _parts(
    offered: np.ndarray, agents: np.ndarray, kpis: dict[str, np.ndarray]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per cell, the numerator and denominator each day figure sums: service level and
    abandon rate over offered calls, ASA over answered calls, occupancy over agents."""
    calls = np.where(offered > 0, offered, 0.0)
    abandon = np.nan_to_num(kpis["abandon_rate"])
    answered = calls * (1.0 - abandon)
    wait = np.where(np.isnan(kpis["asa"]), np.inf, kpis["asa"])  # nobody answered: endless
    with np.errstate(invalid="ignore"):
        asa = np.where(answered > 0, wait * answered, 0.0)
    return {
        "service_level": (calls * np.nan_to_num(kpis["service_level"]), calls),
        "asa": (np.where(answered > 0, asa, 0.0), answered),
        "abandon_rate": (calls * abandon, calls),
        "occupancy": (np.nan_to_num(kpis["occupancy"]) * agents, agents),
    }


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def day_figures(
    sc: Scenario, offered: np.ndarray, agents: np.ndarray, kpis: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each queue's day figures (queues, days) from its intervals' KPIs (an ACD report's
    day: calls weight the service level and abandon rate, answered calls the ASA, agents
    the occupancy); NaN for a day without calls."""
    spans = day_spans(sc)
    return {
        k: _ratio(per_day(num, spans), per_day(den, spans))
        for k, (num, den) in _parts(offered, agents, kpis).items()
    }


def per_day(x: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """(queues, intervals) -> (queues, days): each day's sum over its own intervals (a
    product with `membership` would spread an endless ASA, inf x 0, to the other days)."""
    return np.stack([x[:, lo:hi].sum(axis=1) for lo, hi in spans], axis=1)


def day_critical_factor(
    sc: Scenario, method: str, load: np.ndarray, agents: np.ndarray
) -> np.ndarray:
    """Per (queue, day), the largest busyness factor at which the day's figures still
    meet every target (inf for a day without load; 0 if no factor does)."""
    offered, m = offered_calls(sc), membership(sc)

    def ok(x: np.ndarray) -> np.ndarray:
        cell = x @ m.T + (m.sum(axis=1) == 0)  # each interval its day's factor
        kpis = predict(sc, method, load * cell, agents)
        return meets_targets(sc, day_figures(sc, offered, agents, kpis))

    return largest_factor(ok, (load @ m) > 0)


def day_share_of_days(
    sc: Scenario, method: str, load: np.ndarray, agents: np.ndarray, cv: float
) -> np.ndarray:
    """Share of days on which each queue's day (queues, days) meets every target at
    `agents`, with a gamma daily busyness factor of mean 1 and cv `cv` (> 0)."""
    if not (np.isfinite(cv) and cv > 0):
        raise ValueError(f"busyness_cv: must be a number > 0 (got {cv!r})")
    x = day_critical_factor(sc, method, load, agents)
    return np.where(np.isinf(x), 1.0, stats.gamma.cdf(x, 1.0 / cv**2, scale=cv**2))


def quantile(cv: float, days: float) -> float:
    """The gamma busyness factor's `days`-quantile (mean 1, cv `cv`)."""
    return float(stats.gamma.ppf(days, 1.0 / cv**2, scale=cv**2))


def greedy_steps(
    sc: Scenario, method: str, load: np.ndarray, start: np.ndarray, further: bool = False
) -> tuple[list[np.ndarray], np.ndarray]:
    """Greedy marginal allocation at `load` (the module docstring) from `start`: (the
    agents each step adds, (queues, intervals) of 0/1, one per (queue, day) still
    adding; the steps each (queue, day) took to meet every target). `further`: each day
    goes on past meeting for as many steps again, plus one per interval with calls."""
    offered, m = offered_calls(sc), membership(sc)
    agents, cells = start.astype(float), (load > 0) & (m.sum(axis=1) > 0)
    now, more = predict(sc, method, load, agents), predict(sc, method, load, agents + 1)
    met_at, steps = np.full((load.shape[0], m.shape[1]), -1), list[np.ndarray]()
    extra = (cells.astype(float) @ m) if further else np.zeros(met_at.shape)
    for step in range(100_000):
        figures = day_figures(sc, offered, agents, now)
        met = meets_targets(sc, figures)
        met_at = np.where(met & (met_at < 0), step, met_at)
        going = (met_at < 0) | (step < (2 if further else 1) * met_at + extra)
        going &= (load @ m) > 0
        if not going.any():
            return steps, np.maximum(met_at, 0)
        add = _best_cells(sc, offered, agents, now, more, figures, cells, going)
        steps.append(add)
        agents = agents + add
        changed = add > 0
        now = {k: np.where(changed, more[k], v) for k, v in now.items()}
        fresh = predict(sc, method, np.where(changed, load, 0.0), agents + 1)
        more = {k: np.where(changed, fresh[k], v) for k, v in more.items()}
    raise ValueError("targets: the day's targets are not met within 100,000 agents added")


def _targeted(sc: Scenario) -> list[str]:
    """The KPIs of ORDER some queue is held to."""
    given = [k for k in ORDER[:3] if not np.isnan(per_queue(sc, k)).all()]
    return given + (["occupancy"] if sc.targets.occupancy_max is not None else [])


def _best_cells(sc, offered, agents, now, more, figures, cells, going) -> np.ndarray:
    """One agent for each (queue, day) `going`: the interval where it most improves the
    day's figure of the first target still missed (the first target once all are met)."""
    m, kpis = membership(sc), _targeted(sc)
    served = np.full(going.shape, -1)
    for j, kpi in enumerate(kpis):
        served = np.where((served < 0) & ~meets_target(sc, figures, kpi), j, served)
    served = np.maximum(served, 0)
    base, plus = _parts(offered, agents, now), _parts(offered, agents + 1, more)
    day = m.argmax(axis=1)  # each interval's day (the warm-up's is not a cell)
    score = np.full(agents.shape, -np.inf)
    for j, kpi in enumerate(kpis):
        (n0, d0), (n1, d1) = base[kpi], plus[kpi]
        num, den = n0 @ m, d0 @ m  # the day's sums, per (queue, day)
        after = _ratio(num[:, day] - n0 + n1, den[:, day] - d0 + d1)
        gain = np.nan_to_num(SIGN[kpi] * (after - figures[kpi][:, day]), nan=-np.inf)
        score = np.where(cells & (served[:, day] == j), gain, score)
    add = np.zeros(agents.shape)
    for d, (lo, hi) in enumerate(day_spans(sc)):
        rows = np.flatnonzero(going[:, d])
        add[rows, lo + np.argmax(score[rows, lo:hi], axis=1)] = 1.0
    return add


def day_requirement(
    sc: Scenario, method: str, load: np.ndarray, cv: float, days: float, floor: np.ndarray
) -> np.ndarray:
    """Fewest agents (greedy, the module docstring) per (queue, interval), each interval at
    least at `floor` (its mean-target plan), whose every day meets every target on at
    least a share `days` of days; never more agent-hours a day than the per-interval
    chance plan."""
    if not 0 < days < 1:
        raise ValueError(f"days_meeting: must be a share between 0 and 1 (got {days!r})")
    steps, _ = greedy_steps(sc, method, load * quantile(cv, days), floor)
    need = np.asarray(floor, np.int64) + np.sum(steps, axis=0, dtype=np.int64)
    each = chance_requirement(sc, method, load, cv, days, floor)
    m = membership(sc)
    cheaper = (each @ m) < (need @ m)  # (queues, days): the per-interval plan costs less
    use = (cheaper.astype(float) @ m.T) > 0
    return np.where(use, each, need)


def reported_day(sc: Scenario) -> np.ndarray:
    """Each reported interval's day (an index into `day_spans`)."""
    return membership(sc)[sc.simulation.warmup_intervals :].argmax(axis=1)


def sampled_days(sc: Scenario, samples: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each queue's whole-day KPIs, kpi -> (queues, days, spans), from simulated days'
    interval KPIs (kpi -> (days, queues, reported intervals), with `accepted`,
    `answered` and `agents`): exactly the engine's day figures, from the same tallies."""
    m = membership(sc)[sc.simulation.warmup_intervals :]
    accepted, answered, agents = (
        np.nan_to_num(samples[k]) for k in ("accepted", "answered", "agents")
    )
    weights = {
        "service_level": accepted,
        "abandon_rate": accepted,
        "asa": answered,
        "occupancy": agents,
    }
    out = {k: _ratio((w * np.nan_to_num(samples[k])) @ m, w @ m) for k, w in weights.items()}
    out["accepted"] = accepted @ m
    return {k: np.moveaxis(v, 1, 0) for k, v in out.items()}


def check_day_scope(days: float | None, chance_per: str) -> None:
    """Raise ValueError naming the field: a scope not in SCOPES, or a day scope without a
    chance target."""
    check_scope(chance_per)
    if chance_per == "day" and days is None:
        raise ValueError("chance_per: needs days_meeting (--days-meeting P: the share of days)")
