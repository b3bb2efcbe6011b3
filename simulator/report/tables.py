"""CSV tables and their data dictionaries: plain data, one row per figure, units in a
column or in the column name, every KPI's words from the registry.

Units: "fraction" columns hold 0-1 values (0.8 is 80%), "s" seconds, "calls" call
counts, "agents" agents logged in. Fractions only become percentages on a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..kpi import flags
from ..kpi.registry import PREDICTED, REGISTRY, UNITS
from ..kpi.stats import CI, confidence
from ..model.clock import clock
from ..model.scenario import Scenario
from ..planner.compare import COMPARED, PlanComparison, ScenarioComparison
from ..planner.shifts import ShiftPlan, paid_hours
from ..planner.staffing import StaffingPlan
from ..planner.totals import Totals
from ..run.runner import SimulationResult

TABLE_COLUMNS = {
    "kpi": ("KPI key (definitions below, as 'kpi = ...')", ""),
    "unit": ("unit of mean, ci95_low and ci95_high", ""),
    "mean": ("mean over the replications (independent simulated days)", "see unit"),
    "ci95_low": ("lower end of the 95% Student-t confidence interval of the mean", "see unit"),
    "ci95_high": ("upper end of the 95% Student-t confidence interval of the mean", "see unit"),
    "interval": ("interval number, 0 = first reported interval (after any warm-up)", ""),
    "start": ("clock time at which the interval starts", "HH:MM"),
    "date": ("the interval's (or day's) date, in a horizon of days", "YYYY-MM-DD"),
    "label": ("the interval's day and start, e.g. 'Mon 12-07 08:00' (a day: 'Mon 12-07')", ""),
    "day": ("day number of the horizon, 0 = first reported day", ""),
    "queue": ("queue name; call figures are the queue's, agents and occupancy center-wide", ""),
    "group": (
        "agent group; its answered calls and their AHT, its occupancy (its busy ÷ its "
        "logged-in time), agents logged in and cost (its hours × cost_per_hour)",
        "",
    ),
    "target": (
        "the KPI's target in this interval (the queue's own, else the scenario's; empty: none)",
        "see unit",
    ),
    "misses_target": (
        "the mean is on the wrong side of the target (below a service level, above an ASA, "
        "abandon or occupancy target); empty without a target or without calls",
        "true/false",
    ),
}
CALL_COLUMNS = {
    "replication": ("simulated day, 0 = first", ""),
    "customer": ("caller id within the day (the same person across redials and repeats)", ""),
    "attempt": ("the customer's call number, 1 = first call", ""),
    "segment": ("the call's queue number, 1 = first queue (2+ after transfer or escalation)", ""),
    "queue": ("queue the call segment waited in", ""),
    "interval": (
        "interval of the arrival, 0 = the interval starting at open (warm-up intervals included)",
        "",
    ),
    "start": ("clock time at which that interval starts", "HH:MM"),
    "date": ("date of that interval, in a horizon of days", "YYYY-MM-DD"),
    "arrival_s": ("arrival in this queue, after open (a horizon: its first day's open)", "s"),
    "outcome": ("answered, abandoned (hung up while waiting) or blocked (busy signal)", ""),
    "wait_s": ("wait until answered or until the caller hung up", "s"),
    "agent_group": ("agent group that handled it (empty if not answered)", ""),
    "agent": (
        "the agent who handled it, GROUP-N, replayed from the records by the engine's "
        "routing (longest idle first; empty if not answered): what an ACD log would show",
        "",
    ),
    "answer_s": ("time the agent took the call, after open (empty if not answered)", "s"),
    "talk_s": ("caller with the agent: talk + hold (0 if not answered)", "s"),
    "handle_s": ("agent busy time: talk + hold + after-call work (0 if not answered)", "s"),
    "not_ready_s": (
        "the agent's not-ready time after this call's handle time (group not_ready; "
        "0 if not answered or the group is always ready)",
        "s",
    ),
    "next": ("where the call went after this segment: transfer, escalation, or empty", ""),
    "callback": ("answered by a call back (virtual hold)", "true/false"),
    "unresolved": (
        "served, but the customer will call again or gave up at the attempt cap",
        "true/false",
    ),
}
_JUDGED = ("mean", "ci95_low", "ci95_high", "target", "misses_target")
RUN_TABLES = {
    "summary.csv": ("kpi", "unit", "mean", "ci95_low", "ci95_high"),
    "intervals.csv": ("interval", "start", "kpi", "unit", *_JUDGED),
    "queues.csv": ("queue", "kpi", "unit", "mean", "ci95_low", "ci95_high"),
    "queue_intervals.csv": ("queue", "interval", "start", "kpi", "unit", *_JUDGED),
    "groups.csv": ("group", "kpi", "unit", "mean", "ci95_low", "ci95_high"),
    "group_intervals.csv": ("group", "interval", "start", "kpi", "unit", *_JUDGED[:3]),
}
# A horizon's run adds the interval's date and label, and a table per day.
HORIZON_TABLES = {
    "intervals.csv": ("interval", "date", "start", "label", "kpi", "unit", *_JUDGED),
    "queue_intervals.csv": ("queue", "interval", "date", "start", "label", "kpi", "unit",
                            *_JUDGED),
    "days.csv": ("day", "date", "label", "kpi", "unit", "mean", "ci95_low", "ci95_high"),
}  # fmt: skip


def write_csv(df: pd.DataFrame, path: Path, **kwargs) -> Path:
    """`df` as CSV without the index; the path written."""
    df.to_csv(path, index=False, **kwargs)
    return path


def _unit(kpi: str) -> str:
    return UNITS.get(kpi, "")


# ---------------------------------------------------------------- a run


def summary_table(res: SimulationResult) -> pd.DataFrame:
    """The day's KPIs: kpi, unit, mean, ci95_low, ci95_high."""
    df = res.summary.reset_index()
    df.insert(1, "unit", [_unit(k) for k in df["kpi"]])
    return df


def _interval_frame(
    res: SimulationResult, samples: Mapping[str, np.ndarray], queue: str | None
) -> pd.DataFrame:
    """One row per interval x KPI: interval, start, kpi, unit, mean, ci95_low,
    ci95_high, target and misses_target (`simulator.kpi.flags`)."""
    targets = flags.targeted(res.scenario, samples, queue)
    missing = flags.interval_misses(res.scenario, samples, queue)
    frames = []
    for kpi, v in samples.items():
        ci = confidence(v, kpi=kpi)
        judged = kpi in missing
        defined = np.isfinite(np.asarray(ci.mean, dtype=float))
        frames.append(
            pd.DataFrame(
                {
                    "interval": range(len(res.starts)),
                    "start": res.starts,
                    "kpi": kpi,
                    "unit": _unit(kpi),
                    "mean": ci.mean,
                    "ci95_low": ci.low,
                    "ci95_high": ci.high,
                    "target": targets.get(kpi, np.nan),
                    "misses_target": pd.array(
                        [bool(m) if d else None for m, d in zip(missing[kpi], defined)]
                        if judged
                        else [None] * len(res.starts),
                        dtype="boolean",
                    ),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def interval_table(res: SimulationResult) -> pd.DataFrame:
    """One row per interval x KPI of the centre (columns: RUN_TABLES["intervals.csv"];
    a horizon: HORIZON_TABLES', with the interval's date and label)."""
    return _with_slots(res, _interval_frame(res, res.interval_samples, None))


def _with_slots(res: SimulationResult, df: pd.DataFrame) -> pd.DataFrame:
    """In a horizon, each row's date (after `interval`) and label (after `start`)."""
    return _dated(res.scenario, df, res.scenario.simulation.warmup_intervals)


def _dated(sc: Scenario, df: pd.DataFrame, skip: int = 0) -> pd.DataFrame:
    """`df` with its rows' date and label in a horizon (interval i is slot skip + i)."""
    if sc.horizon is not None:
        slots = sc.calendar()[skip:]
        index = df["interval"].to_numpy()
        df.insert(
            list(df.columns).index("interval") + 1, "date", [str(slots[i].date) for i in index]
        )
        df.insert(list(df.columns).index("start") + 1, "label", [slots[i].label for i in index])
    return df


def queue_interval_table(res: SimulationResult) -> pd.DataFrame:
    """One row per queue x interval x KPI (columns: RUN_TABLES["queue_intervals.csv"];
    a horizon adds date and label as in intervals.csv)."""
    df = pd.concat(
        [
            _interval_frame(res, res.queue_interval_samples[q], q).assign(queue=q)
            for q in res.queue_interval_samples
        ],
        ignore_index=True,
    )[list(RUN_TABLES["queue_intervals.csv"])]
    return _with_slots(res, df)


def day_table(res: SimulationResult) -> pd.DataFrame:
    """A horizon's days, one row per day x KPI: day, date, label, kpi, unit, mean,
    ci95_low, ci95_high."""
    df = res.daily
    df["date"] = df["date"].astype(str)
    df.insert(4, "unit", [_unit(k) for k in df["kpi"]])
    return df


def queue_table(res: SimulationResult) -> pd.DataFrame:
    """The day's KPIs per queue: queue, kpi, unit, mean, ci95_low, ci95_high."""
    return _per_name(res.queue_samples, "queues.csv")


def group_table(res: SimulationResult) -> pd.DataFrame:
    """The day's KPIs per agent group: group, kpi, unit, mean, ci95_low, ci95_high."""
    return _per_name(res.group_samples, "groups.csv")


def _per_name(samples: Mapping[str, Mapping[str, np.ndarray]], file: str) -> pd.DataFrame:
    """One row per name (queue or group) x KPI with its mean and 95% CI."""
    rows = [
        (name, k, _unit(k), *(float(x) for x in confidence(v, kpi=k)))
        for name, kpis in samples.items()
        for k, v in kpis.items()
    ]
    return pd.DataFrame(rows, columns=list(RUN_TABLES[file]))


def group_interval_table(res: SimulationResult) -> pd.DataFrame:
    """Per agent group, interval and KPI (columns: RUN_TABLES["group_intervals.csv"])."""
    rows = []
    for g, samples in res.group_interval_samples.items():
        for k, v in samples.items():
            ci = confidence(v, kpi=k)
            rows += [
                (g, i, start, k, _unit(k), ci.mean[i], ci.low[i], ci.high[i])
                for i, start in enumerate(res.starts)
            ]
    return pd.DataFrame(rows, columns=list(RUN_TABLES["group_intervals.csv"]))


def call_table(res: SimulationResult) -> pd.DataFrame:
    """The per-call records, with the clock time of each call's interval and the agent
    who handled it added (a new table: the result's own `calls` is left as it is)."""
    from ..calibrate.simulated import agent_ids

    calls = res.calls.copy()
    starts = np.array(res.scenario.interval_starts())
    at = list(calls.columns).index("interval") + 1
    calls.insert(at, "start", starts[calls["interval"].to_numpy()])
    if res.scenario.horizon is not None:
        dates = np.array([str(slot.date) for slot in res.scenario.calendar()])
        calls.insert(at, "date", dates[calls["interval"].to_numpy()])
    calls.insert(list(calls.columns).index("agent_group") + 1, "agent", agent_ids(res))
    return calls


def data_dictionary(
    kpis: Iterable[str], call_columns: Iterable[str], horizon: bool = False
) -> pd.DataFrame:
    """file, column, meaning, unit: every column of a run's tables (a `horizon`'s run:
    with its date and label columns and days.csv), and every KPI's definition (from
    the registry)."""
    files = RUN_TABLES | HORIZON_TABLES if horizon else RUN_TABLES
    rows = [(f, c, *TABLE_COLUMNS[c]) for f, columns in files.items() for c in columns]
    rows += [
        ("calls.csv", c, *CALL_COLUMNS.get(c, ("see simulator.run.runner", "")))
        for c in call_columns
    ]
    rows += [
        (
            ", ".join(files),
            f"kpi = {k}",
            REGISTRY[k].definition if k in REGISTRY else "",
            _unit(k),
        )
        for k in kpis
    ]
    return pd.DataFrame(rows, columns=["file", "column", "meaning", "unit"])


# ---------------------------------------------------------------- scenarios compared


def compare_tables(results: Mapping[str, SimulationResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(side by side, long): the day's KPIs with one mean/ci95_low/ci95_high column
    triple per scenario; and every interval KPI of every scenario, tidy."""
    kpis = list(dict.fromkeys(k for r in results.values() for k in r.summary.index))
    wide = pd.DataFrame({"kpi": kpis, "unit": [_unit(k) for k in kpis]})
    for name, res in results.items():
        s = res.summary.reindex(kpis)
        for col in ("mean", "ci95_low", "ci95_high"):
            wide[f"{name} {col}"] = s[col].to_numpy()
    long = pd.concat(
        [interval_table(r).assign(scenario=name) for name, r in results.items()], ignore_index=True
    )
    long = long[["scenario"] + [c for c in long.columns if c != "scenario"]]
    return wide, long


DIFFERENCE_COLUMNS = ["file", "versus", "kpi", "unit", "mean", "ci95_low", "ci95_high"]


def difference_tables(cmp: ScenarioComparison) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(day, per interval): each scenario's paired difference to the first, mean and
    95% CI over the days, one row per (interval,) KPI; the per-interval table is None
    where the scenarios report other intervals. The unit is the KPI's (a fraction's
    difference is in fractions: 0.05 is 5 percentage points)."""
    first = cmp.results[0]
    versus = cmp.labels[0]
    day = pd.DataFrame(
        [
            (cmp.labels[i], versus, k, _unit(k), *cmp.difference(i, k))
            for i in range(1, len(cmp.results))
            for k in first.day_samples
        ],
        columns=DIFFERENCE_COLUMNS,
    )
    if not cmp.same_intervals:
        return day, None
    frames = []
    for i in range(1, len(cmp.results)):
        for k in first.interval_samples:
            d = cmp.interval_difference(i, k)
            frames.append(
                pd.DataFrame(
                    {
                        "file": cmp.labels[i],
                        "versus": versus,
                        "interval": range(len(first.starts)),
                        "start": first.starts,
                        **({"label": first.labels} if first.scenario.horizon else {}),
                        "kpi": k,
                        "unit": _unit(k),
                        "mean": d.mean,
                        "ci95_low": d.low,
                        "ci95_high": d.high,
                    }
                )
            )
    return day, pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- Erlang vs simulation

PREDICTION_COLUMNS = ["kpi", "unit", "predicted", "mean", "ci95_low", "ci95_high", "disagree"]


def prediction_tables(cmp: PlanComparison) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(day, per interval): each compared KPI's prediction beside the simulated mean and
    95% CI, and whether they disagree; tidy, one row per (interval,) KPI."""
    res = cmp.simulated
    day = pd.DataFrame(
        [(k, _unit(k), *_judged(k, cmp.day_figures(k))) for k in COMPARED],
        columns=PREDICTION_COLUMNS,
    )
    figures = {k: cmp.figures(k) for k in COMPARED}  # once per KPI, not per interval
    rows = [
        (i, s, cmp.agents[i], k, _unit(k), *_judged(k, tuple(col[i] for col in figures[k])))
        for k in COMPARED
        for i, s in enumerate(res.starts)
    ]
    return day, pd.DataFrame(rows, columns=["interval", "start", "agents"] + PREDICTION_COLUMNS)


def _judged(kpi: str, figures: tuple) -> tuple:
    """(predicted, mean, low, high, disagree), disagree left empty for an input (the
    forecast's offered calls are no prediction to judge)."""
    return figures if kpi in PREDICTED else (*figures[:4], None)


# ---------------------------------------------------------------- staffing plans

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
    tables = {
        "plan_intervals.csv": _dated(sc, center),
        "plan_queues.csv": _dated(sc, queues),
        "plan_groups.csv": _dated(sc, _group_table(p)),
    }
    if p.totals is not None:
        tables["plan_totals.csv"] = _totals_table(p.totals)
    if p.shifts:
        tables["plan_shifts.csv"] = _shifts_table(p.shifts)
    return tables


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
