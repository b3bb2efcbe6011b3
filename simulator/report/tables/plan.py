"""Tables of a staffing plan: the center, each queue and each agent group per
interval, the totals (headcount, FTE, paid hours, cost), the roster of shifts, and
the data dictionary of their columns."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...kpi.registry import PREDICTED, REGISTRY, UNITS
from ...kpi.stats import CI
from ...model.clock import clock
from ...planner.dayshare import membership
from ...planner.shifts import ShiftPlan, paid_hours
from ...planner.staffing import StaffingPlan
from ...planner.totals import Totals
from .common import dated
from .run import TABLE_COLUMNS

# A plan's figures -> (CSV column, meaning, unit): the unit is in the name where it has one.
PLAN_COLUMNS = {
    "offered": (
        "offered_calls",
        "calls offered: the forecast (× volume scale) plus calls transferred or escalated in",
        "calls",
    ),
    "load": ("load_erlangs", "offered calls × AHT ÷ interval length: agents kept busy", "Erlangs"),
    "required": (
        "required_agents",
        "productive agents logged in needed to meet every target",
        "agents",
    ),
    "scheduled": (
        "scheduled_agents",
        "required ÷ (1 − shrinkage), rounded up: agents to put on the schedule",
        "agents",
    ),
    **{
        k: (
            f"{k}_s" if UNITS[k] == "s" else k,
            f"{REGISTRY[k].definition}, at the required agents (predicted, or simulated mean)",
            UNITS[k],
        )
        for k in PREDICTED
    },
}
PLAN_OTHER_COLUMNS = {
    "queue": ("queue", ""),
    "group": ("agent group", ""),
    "interval": ("interval number, 0 = the interval starting at open", ""),
    "start": TABLE_COLUMNS["start"],
    "date": TABLE_COLUMNS["date"],
    "label": TABLE_COLUMNS["label"],
    "staffed_agents": ("agents logged in as the scenario file staffs them", "agents"),
    "on_shift_agents": (
        "agents working on the shift plan (--shifts), shrinkage included",
        "agents",
    ),
    "logged_in_agents": (
        "agents logged in as planned: what --write puts in agents.GROUP.staffing",
        "agents",
    ),
    "headcount": (
        "agents on a shift in the busiest day (--shifts), else scheduled agents in the "
        "busiest interval; the total row sums the groups",
        "agents",
    ),
    "fte": ("paid hours ÷ the paid hours of one full-time equivalent over the plan", "FTE"),
    "paid_hours": ("paid hours: shifts less unpaid breaks, or scheduled agent-hours", "h"),
    "cost": ("paid hours × the hourly cost (the shift's, or the group's)", "currency"),
    "shift": ("the shift pattern (scenario's shifts)", ""),
    "day": ("the calendar day the shift starts", ""),
    "shift_start": ("clock time the shift starts", "HH:MM"),
    "shift_end": ("clock time the shift ends (past midnight: the next day)", "HH:MM"),
    "break_start": ("clock time the agents' unpaid break starts (empty: none)", "HH:MM"),
    "break_minutes": ("length of the unpaid break", "min"),
    "agents": ("agents working the shift that day with that break", "agents"),
    "days_meeting_share": (
        "with a busyness cv: share of days meeting every target (an Erlang plan: by its "
        "formula; simulated: counted on the verification's days); the centre: the worst queue's",
        "share",
    ),
    "day_meeting_share": (
        "with a busyness cv: share of days on which the queue's whole day (all its calls of "
        "the reported intervals of the row's day) meets every target; the centre: the worst "
        "queue's",
        "share",
    ),
}


def _plan_frame(
    p: StaffingPlan, columns: Mapping[str, np.ndarray], figures: Mapping[str, tuple] | None, **first
) -> pd.DataFrame:
    df = pd.DataFrame({**first, "interval": range(len(p.starts)), "start": p.starts})
    for key, (name, _, _) in PLAN_COLUMNS.items():
        df[name] = columns[key]
        if figures and key in figures:
            ci = CI(*figures[key])
            df[f"{name}_ci95_low"], df[f"{name}_ci95_high"] = ci.low, ci.high
    return df


def _group_table(p: StaffingPlan) -> pd.DataFrame:
    logged_in = p.staffing  # a property that rebuilds: read once
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "group": g,
                    "interval": range(len(p.starts)),
                    "start": p.starts,
                    "required_agents": p.group_required[g],
                    "scheduled_agents": p.group_scheduled[g],
                    "logged_in_agents": logged_in[g],
                    "staffed_agents": a.staffing,
                }
            )
            for g, a in p.scenario.agents.items()
        ],
        ignore_index=True,
    )


def plan_tables(p: StaffingPlan) -> dict[str, pd.DataFrame]:
    """File name -> table of a plan: the center per interval, each queue per interval,
    each agent group per interval. Simulated KPIs come with _ci95_low/_ci95_high."""
    sc = p.scenario
    center = _plan_frame(p, p.total, p.figures())
    center["staffed_agents"] = np.sum([g.staffing for g in sc.agents.values()], axis=0)
    if p.shifts:
        center["on_shift_agents"] = np.sum([s.staffing for s in p.shifts.values()], axis=0)
    columns = p.queue_columns()
    queues = pd.concat(
        [
            _plan_frame(p, {k: v[i] for k, v in columns.items()}, p.figures(i), queue=q)
            for i, q in enumerate(p.queues)
        ],
        ignore_index=True,
    )
    if p.days_share is not None:
        center["days_meeting_share"] = p.days_share.min(axis=0)  # the worst queue
        queues["days_meeting_share"] = p.days_share.ravel()
    if p.day_share is not None:
        _day_columns(p, center, queues)
    tables = {
        "plan_intervals.csv": dated(sc, center),
        "plan_queues.csv": dated(sc, queues),
        "plan_groups.csv": dated(sc, _group_table(p)),
    }
    if p.totals is not None:
        tables["plan_totals.csv"] = _totals_table(p.totals)
    if p.shifts:
        tables["plan_shifts.csv"] = _shifts_table(p.shifts)
    return tables


def _day_columns(p: StaffingPlan, center: pd.DataFrame, queues: pd.DataFrame) -> None:
    """Each row's whole-day share (`dayshare`: its queue's, on the row's day; NaN over
    the warm-up), with a simulated plan's 95% interval; the centre's: the worst queue's."""
    assert p.day_share is not None
    day = membership(p.scenario)
    inside = day.sum(axis=1) > 0
    each = [p.day_share] + (list(p.day_share_ci) if p.day_share_ci is not None else [])
    names = ["day_meeting_share", "day_meeting_share_ci95_low", "day_meeting_share_ci95_high"]
    worst = np.argmin(p.day_share[:, day.argmax(axis=1)], axis=0)  # per interval
    for name, share in zip(names, each):
        rows = np.where(inside, share[:, day.argmax(axis=1)], np.nan)  # (queues, intervals)
        center[name] = rows[worst, np.arange(rows.shape[1])]
        queues[name] = rows.ravel()


def _totals_table(t: Totals) -> pd.DataFrame:
    """One row per agent group and a total row: headcount, fte, paid_hours, cost."""
    rows = [{"group": g, **vars(f)} for g, f in t.groups.items()]
    return pd.DataFrame(rows + [{"group": "total", **vars(t.total)}])


def _shifts_table(plans: Mapping[str, ShiftPlan]) -> pd.DataFrame:
    """The roster: one row per (group, shift, day, break start) with its agents."""
    rows = []
    for g, sp in plans.items():
        assert sp.timeline is not None
        for a in sp.assignments:
            shift = sp.shifts[a.shift]
            rows.append(
                {
                    "group": g,
                    "shift": a.shift,
                    "day": sp.timeline.day_label(a.day),
                    "shift_start": clock(a.start),
                    "shift_end": clock(a.start + a.minutes),
                    "break_start": "" if a.break_start is None else clock(a.break_start),
                    "break_minutes": a.break_minutes,
                    "agents": a.agents,
                    "paid_hours": a.agents * paid_hours(shift),
                    "cost": a.agents * paid_hours(shift) * shift.cost_per_hour,
                }
            )
    return pd.DataFrame(rows, columns=list(_SHIFT_COLUMNS))


_SHIFT_COLUMNS = (
    "group",
    "shift",
    "day",
    "shift_start",
    "shift_end",
    "break_start",
    "break_minutes",
    "agents",
    "paid_hours",
    "cost",
)


def plan_dictionary(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """file, column, meaning, unit for every column of the plan's tables."""
    known = {name: (meaning, unit) for name, meaning, unit in PLAN_COLUMNS.values()}
    known |= PLAN_OTHER_COLUMNS
    rows = []
    for file, df in tables.items():
        for column in df.columns:
            base, _, end = column.partition("_ci95_")
            meaning, unit = known[base]
            if end:
                meaning = (
                    f"{'lower' if end == 'low' else 'upper'} end of the 95% "
                    f"confidence interval of the simulated {base}"
                )
            rows.append((file, column, meaning, unit))
    return pd.DataFrame(rows, columns=["file", "column", "meaning", "unit"])
