"""The JSON contract: the objects `callsim run/staff/compare --json` print, built from
the library's results (which know nothing of JSON).

`to_dict(obj)` takes a SimulationResult, a StaffingPlan (its object is built in
`simulator.report.json_plan`), a PlanComparison or a ScenarioComparison. Every figure
is a plain float rounded to 6 decimals, NaN and infinity become None (null), and a
simulated figure travels as ``{"mean": m, "ci95": [low, high]}``.
"""

from __future__ import annotations

import math
from functools import singledispatch
from typing import Any

import numpy as np

from ..kpi import flags
from ..kpi.stats import CI, confidence
from ..planner.compare import COMPARED, PlanComparison, ScenarioComparison
from ..planner.staffing import StaffingPlan
from ..run.runner import SimulationResult


def number(x: Any) -> float | None:
    """A figure as JSON has it: rounded to 6 decimals, None where not finite."""
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def figure(ci: CI) -> dict:
    """{"mean": m, "ci95": [low, high]}."""
    return {"mean": number(ci.mean), "ci95": [number(ci.low), number(ci.high)]}


def plain(x: Any) -> int | float | None:
    """A whole number stays whole (agents); anything else is a `number`."""
    if isinstance(x, (np.integer, int)):
        return int(x)
    return number(float(x))


@singledispatch
def to_dict(obj: object) -> dict:
    """The `--json` object of a result (see the module docstring)."""
    raise TypeError(f"to_dict: no JSON form for {type(obj).__name__}")


# ------------------------------------------------------------------ callsim run


def _interval_objects(res: SimulationResult, queue: str | None = None) -> list[dict]:
    """One object per interval: start (in a horizon also date and label), KPI ->
    simulated figure, and `misses` (the KPIs whose mean misses its target there), the
    centre's or `queue`'s."""
    samples = res.interval_samples if queue is None else res.queue_interval_samples[queue]
    stats = {k: confidence(v, kpi=k) for k, v in samples.items()}
    missing = flags.interval_misses(res.scenario, samples, queue)
    return [
        {
            **when,
            **{k: figure(CI(*(v[i] for v in ci))) for k, ci in stats.items()},
            "misses": [k for k, v in missing.items() if v[i]],
        }
        for i, when in enumerate(_slots(res))
    ]


def _miss_counts(res: SimulationResult, queue: str | None = None) -> dict:
    """KPI -> {target, missed, of}: the intervals whose mean misses the target, of those
    with calls."""
    samples = res.interval_samples if queue is None else res.queue_interval_samples[queue]
    out = {}
    targets = flags.targeted(res.scenario, samples, queue)
    for k, missing in flags.interval_misses(res.scenario, samples, queue).items():
        defined = np.isfinite(confidence(samples[k], kpi=k).mean)
        out[k] = {"target": targets[k], "missed": int(missing.sum()), "of": int(defined.sum())}
    return out


def _group_object(res: SimulationResult, group: str) -> dict:
    """An agent group's `summary` (the day, or the horizon) and `intervals` (start, in
    a horizon also date and label, and KPI -> figure)."""
    per_interval = {k: confidence(v, kpi=k) for k, v in res.group_interval_samples[group].items()}
    return {
        "summary": {k: figure(confidence(v, kpi=k)) for k, v in res.group_samples[group].items()},
        "intervals": [
            {**when, **{k: figure(CI(*(v[i] for v in ci))) for k, ci in per_interval.items()}}
            for i, when in enumerate(_slots(res))
        ],
    }


@to_dict.register
def run_dict(res: SimulationResult) -> dict:
    """Exactly the `callsim run --json` object of the product contract (a horizon adds
    each interval's date and label, and `days`)."""
    out: dict[str, Any] = {
        "scenario": res.scenario.name,
        "replications": res.replications,
        "seed": res.seed,
        "summary": {k: figure(confidence(v, kpi=k)) for k, v in res.day_samples.items()},
        "intervals": _interval_objects(res),
        "queues": {
            q: {k: figure(confidence(v, kpi=k)) for k, v in samples.items()}
            for q, samples in res.queue_samples.items()
        },
        "queue_intervals": {q: _interval_objects(res, q) for q in res.queue_samples},
        "groups": {g: _group_object(res, g) for g in res.group_samples},
        "misses": {
            "center": _miss_counts(res),
            "queues": {q: _miss_counts(res, q) for q in res.queue_samples},
        },
    }
    if res.scenario.horizon is not None:
        out["days"] = _days(res)
    return out


def _slots(res: SimulationResult) -> list[dict[str, Any]]:
    """Each reported interval's start (and in a horizon its date and label)."""
    if res.scenario.horizon is None:
        return [{"start": start} for start in res.starts]
    skip = res.scenario.simulation.warmup_intervals
    return [
        {"start": s.start, "date": _date(s.date), "label": s.label}
        for s in res.scenario.calendar()[skip:]
    ]


def rows_when(sc: Any, starts: list[str]) -> list[dict[str, Any]]:
    """Each row's interval for a plan (`starts`: the scenario's intervals from the end
    of any warm-up): its start, and in a horizon its date and label."""
    if sc.horizon is None:
        return [{"start": start} for start in starts]
    slots = sc.calendar()[len(sc.calendar()) - len(starts) :]
    return [{"start": s.start, "date": _date(s.date), "label": s.label} for s in slots]


def _date(day: Any) -> str | None:
    return None if day is None else day.isoformat()


def _per_day(samples: dict[str, np.ndarray], i: int) -> dict:
    """KPI -> figure of day column i of (replications x days) samples."""
    return {k: figure(confidence(v[:, i], kpi=k)) for k, v in samples.items()}


def _days(res: SimulationResult) -> list[dict]:
    """One object per reported day of a horizon: date, label, first and stop (its
    intervals' indices in `intervals`, warm-up left out), the KPIs, and `queues`."""
    skip = res.scenario.simulation.warmup_intervals
    return [
        {
            "date": _date(day.date),
            "label": day.label,
            "first": max(day.first, skip) - skip,
            "stop": day.stop - skip,
            **_per_day(res.daily_samples, i),
            "queues": {q: _per_day(s, i) for q, s in res.queue_daily_samples.items()},
        }
        for i, day in enumerate(res.reported_days)
    ]


# ------------------------------------------------------------------ callsim staff


@to_dict.register
def _plan(p: StaffingPlan) -> dict:
    """The `callsim staff --json` object: `simulator.report.json_plan.plan_dict`."""
    from .json_plan import plan_dict

    return plan_dict(p)


# ------------------------------------------------------------------ callsim compare


def _entry(predicted: float, ci: CI, disagree: bool | None) -> dict:
    """A prediction beside the simulated figure. outside_ci: strictly outside the
    interval; disagree: outside by more than the KPI's tolerance (registry)."""
    outside = None if disagree is None else bool(predicted < ci.low or predicted > ci.high)
    return {
        "predicted": number(predicted),
        "simulated": figure(ci),
        "outside_ci": outside,
        "disagree": disagree,
    }


@to_dict.register
def plan_comparison_dict(cmp: PlanComparison) -> dict:
    """The `callsim compare SCENARIO --json` object for one scenario."""
    res = cmp.simulated
    per_kpi = {k: cmp.figures(k) for k in COMPARED}
    intervals = []
    for i, when in enumerate(rows_when(res.scenario, res.starts)):
        row: dict[str, Any] = {**when, "agents": number(cmp.agents[i])}
        for k, (pred, mean, low, high, flag) in per_kpi.items():
            row[k] = _entry(pred[i], CI(mean[i], low[i], high[i]), flag[i])
        intervals.append(row)
    summary = {}
    for k in COMPARED:
        pred, mean, low, high, flag = cmp.day_figures(k)
        summary[k] = _entry(pred, CI(mean, low, high), flag)
    return {
        "scenario": res.scenario.name,
        "method": cmp.method,
        "volume_scale": cmp.volume_scale,
        "replications": res.replications,
        "seed": res.seed,
        "summary": summary,
        "intervals": intervals,
        "notes": cmp.notes,
    }


def _interval_differences(cmp: ScenarioComparison, index: int) -> list[dict] | None:
    """Per interval: start (in a horizon also date and label) and KPI -> paired
    difference to the first scenario (None where the scenarios report other intervals)."""
    if not cmp.same_intervals:
        return None
    first = cmp.results[0]
    diffs = {k: cmp.interval_difference(index, k) for k in first.interval_samples}
    return [
        {**when, **{k: figure(CI(*(v[i] for v in d))) for k, d in diffs.items()}}
        for i, when in enumerate(_slots(first))
    ]


@to_dict.register
def scenario_comparison_dict(cmp: ScenarioComparison) -> dict:
    """The `callsim compare A B ... --json` object (or `compare A --what-if ...`):
    each run, the paired differences of the day's and each interval's KPIs to the
    first scenario, and notes where the pairing is weaker than it looks."""
    first = cmp.results[0]
    return {
        "volume_scale": cmp.volume_scale,
        "replications": first.replications,
        "seed": first.seed,
        "scenarios": [
            {"file": label, **run_dict(res)} for label, res in zip(cmp.labels, cmp.results)
        ],
        "differences": [
            {
                "file": cmp.labels[i],
                "versus": cmp.labels[0],
                "summary": {k: figure(cmp.difference(i, k)) for k in first.day_samples},
                "intervals": _interval_differences(cmp, i),
            }
            for i in range(1, len(cmp.results))
        ],
        "notes": cmp.notes,
    }
