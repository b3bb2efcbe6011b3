"""The JSON contract: the objects `callsim run/staff/compare --json` print, built from
the library's results (which know nothing of JSON).

`to_dict(obj)` takes a SimulationResult, a StaffingPlan, a PlanComparison or a
ScenarioComparison. Every figure is a plain float rounded to 6 decimals, NaN and
infinity become None (null), and a simulated figure travels as
``{"mean": m, "ci95": [low, high]}``.
"""

from __future__ import annotations

import math
from functools import singledispatch
from typing import Any

import numpy as np

from ..kpi import flags
from ..kpi.registry import PREDICTED
from ..kpi.stats import CI, confidence
from ..planner.compare import COMPARED, PlanComparison, ScenarioComparison
from ..planner.dayshare import day_names
from ..planner.lines import LinePlan
from ..planner.schedules import Roster, Schedules
from ..planner.shifts import ShiftPlan
from ..planner.staffing import StaffingPlan
from ..planner.totals import Figures, Totals
from ..run.runner import SimulationResult


def number(x: Any) -> float | None:
    """A figure as JSON has it: rounded to 6 decimals, None where not finite."""
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def figure(ci: CI) -> dict:
    """{"mean": m, "ci95": [low, high]}."""
    return {"mean": number(ci.mean), "ci95": [number(ci.low), number(ci.high)]}


def _plain(x: Any) -> int | float | None:
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


def _rows_when(sc: Any, starts: list[str]) -> list[dict[str, Any]]:
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


def _plan_rows(p: StaffingPlan, columns: dict, queue: int | None = None) -> list[dict]:
    """One object per interval: start, each column's value, and for a simulated plan
    `ci95`: KPI -> [low, high]."""
    figures = p.figures(queue)
    rows = []
    for i, when in enumerate(_rows_when(p.scenario, p.starts)):
        row: dict[str, Any] = {**when, **{k: _plain(v[i]) for k, v in columns.items()}}
        if figures is not None:
            row["ci95"] = {
                k: [_plain(low[i]), _plain(high[i])] for k, (_, low, high) in figures.items()
            }
        rows.append(row)
    return rows


def shift_dict(s: ShiftPlan) -> dict:
    """One agent group's shift plan."""
    return {
        "counts": s.counts,
        "day_counts": s.day_counts,
        "break_starts": s.break_starts,
        "break_shares": {k: number(v) for k, v in s.break_shares.items()},
        "staffing": s.staffing,
        "required": s.required,
        "over": s.over,
        "under": s.under,
        "cost": number(s.cost),
        "paid_hours": number(s.paid_hours),
        "optimal": s.optimal,
    }


def totals_dict(t: Totals) -> dict:
    """Headcount, FTE, paid hours and cost per group and in total."""

    def figures(f: Figures) -> dict:
        return {
            "headcount": f.headcount,
            "fte": number(f.fte),
            "paid_hours": number(f.paid_hours),
            "cost": number(f.cost),
        }

    return {
        "fte_hours": number(t.fte_hours),
        "fte_basis_hours": number(t.fte_basis),
        "days": t.days,
        "groups": {g: figures(f) for g, f in t.groups.items()},
        "total": figures(t.total),
    }


def lines_dict(lp: LinePlan) -> dict:
    """The trunk lines a plan needs (`simulator.planner.lines`)."""
    limit = np.iinfo(np.int64).max
    return {
        "needed": [int(v) if v < limit else None for v in lp.needed],
        "blocking_target": lp.blocking,
        "recall": lp.recall,
        "file": lp.lines,
        "blocked_at_file": None if lp.blocked is None else [number(v) for v in lp.blocked],
    }


def schedules_dict(found: Schedules) -> dict:
    """The roster improved by simulation beside the Erlang requirement's roster."""

    def roster(r: Roster) -> dict:
        v = r.verification
        return {
            "cost": number(r.cost),
            "paid_hours": number(r.paid_hours),
            "below_target": int(v.below.sum()),
            "flagged": int(v.flagged.sum()),
            "service_level_sd": number(v.spread),
        }

    return {
        "rounds": found.rounds,
        "settled": found.settled,
        "simulation": roster(found.simulated),
        "erlang": roster(found.erlang),
    }


def search_dict(p: StaffingPlan) -> dict:
    """A simulated plan's search and its verification on independent days."""
    search = p.search
    assert search is not None
    check, res = search.verification, search.result

    def per_queue(x: np.ndarray) -> dict:
        return {q: [number(v) for v in x[i]] for i, q in enumerate(p.queues)}

    def starts(mask: np.ndarray) -> dict:
        return {q: [p.starts[k] for k in np.flatnonzero(mask[i])] for i, q in enumerate(p.queues)}

    return {
        "start": search.start,
        "replications": res.replications,
        "seed": res.seed,
        "simulations": search.simulations,
        "converged": search.converged,
        "days_meeting_targets": per_queue(search.days_meeting),
        "days_meeting": {k: per_queue(v) for k, v in check.days_meeting_each.items()},
        "search": {
            "seed": search.seed,
            "days": search.days,
            "most_days": search.most_days,
            "isa_rounds": search.isa_rounds,
            "rounds": search.rounds,
        },
        "verification": {
            "below_target": starts(check.below),
            "flagged": starts(check.flagged),
            "service_level_sd": number(check.spread),
            **day_flags_dict(p),
        },
    }


def day_flags_dict(p: StaffingPlan) -> dict:
    """A simulated plan for a chance target per day: the queues' days whose share is
    below the target, and those flagged (`verification.days_short_of`); else nothing."""
    check = p.search.verification if p.search else None
    if check is None or check.day_below is None or check.day_flagged is None:
        return {}
    names = day_names(p.scenario)

    def days(mask: np.ndarray) -> dict:
        return {q: [names[d] for d in np.flatnonzero(mask[i])] for i, q in enumerate(p.queues)}

    return {"below_target_days": days(check.day_below), "flagged_days": days(check.day_flagged)}


def day_share_dict(p: StaffingPlan) -> dict:
    """Each queue's share of days whose whole day met every target (`dayshare`), per day,
    with the 95% Clopper-Pearson interval of a simulated plan's."""
    assert p.day_share is not None
    out: dict[str, Any] = {
        "days": day_names(p.scenario),
        "queues": {q: [number(v) for v in p.day_share[i]] for i, q in enumerate(p.queues)},
    }
    if p.day_share_ci is not None:
        low, high = p.day_share_ci
        out["ci95"] = {
            q: [[number(a), number(b)] for a, b in zip(low[i], high[i])]
            for i, q in enumerate(p.queues)
        }
    return out


@to_dict.register
def plan_dict(p: StaffingPlan) -> dict:
    """The `callsim staff --json` object. Simulated plans add each row's 95% CIs
    (`ci95`) and `simulation`."""
    total, sc = p.total, p.scenario
    order = ("offered", "load", "required", "scheduled", *PREDICTED)
    logged_in = p.staffing  # a property that rebuilds: read once
    queue_columns = p.queue_columns()
    out: dict[str, Any] = {
        "scenario": sc.name,
        "method": p.method,
        "volume_scale": p.volume_scale,
        "interval_minutes": sc.interval_minutes,
        "service_level": sc.service_level.model_dump(),
        "targets": sc.targets.model_dump(exclude_none=True),
        "shrinkage": sc.shrinkage,
        "intervals": _plan_rows(p, {k: total[k] for k in order}),
        "groups": {
            g: {
                "required": [int(v) for v in p.group_required[g]],
                "scheduled": [int(v) for v in p.group_scheduled[g]],
                "logged_in": logged_in[g],
            }
            for g in p.group_required
        },
        "queues": {
            q: _plan_rows(p, {k: v[i] for k, v in queue_columns.items()}, i)
            for i, q in enumerate(p.queues)
        },
        "notes": p.notes,
        "warnings": p.warnings,
    }
    if p.lines is not None:
        out["lines"] = lines_dict(p.lines)
    if p.days_share is not None:
        out["busyness"] = {
            "cv": p.busyness_cv,
            "days_meeting_target": p.days_meeting,
            "scope": p.chance_per,
            "queues": {q: [number(v) for v in p.days_share[i]] for i, q in enumerate(p.queues)},
            **({"per_day": day_share_dict(p)} if p.day_share is not None else {}),
        }
    if p.shifts:
        out["shifts"] = {g: shift_dict(s) for g, s in p.shifts.items()}
    if p.totals is not None:
        out["totals"] = totals_dict(p.totals)
    if p.search:
        out["simulation"] = search_dict(p)
    if p.schedules:
        out["schedules"] = schedules_dict(p.schedules)
    return out


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
    for i, when in enumerate(_rows_when(res.scenario, res.starts)):
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
