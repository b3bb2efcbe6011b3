"""The `callsim staff --json` object of a StaffingPlan (`to_dict` of
`simulator.report.json` gives it): each interval's and queue's rows, the groups, and
where planned the lines, the busyness shares, the shifts, the totals, the simulation
search and the schedules. Figures as in `simulator.report.json`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..kpi.registry import PREDICTED
from ..planner.dayshare import day_names
from ..planner.lines import LinePlan
from ..planner.schedules import Roster, Schedules
from ..planner.shifts import ShiftPlan
from ..planner.staffing import StaffingPlan
from ..planner.totals import Figures, Totals
from .json import number, plain, rows_when


def _plan_rows(p: StaffingPlan, columns: dict, queue: int | None = None) -> list[dict]:
    """One object per interval: start, each column's value, and for a simulated plan
    `ci95`: KPI -> [low, high]."""
    figures = p.figures(queue)
    rows = []
    for i, when in enumerate(rows_when(p.scenario, p.starts)):
        row: dict[str, Any] = {**when, **{k: plain(v[i]) for k, v in columns.items()}}
        if figures is not None:
            row["ci95"] = {
                k: [plain(low[i]), plain(high[i])] for k, (_, low, high) in figures.items()
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
