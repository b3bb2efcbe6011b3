"""How KPIs read to people: fractions as percentages, times in seconds, counts whole.

Shared by the terminal tables and the reports, so a figure looks the same everywhere.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..kpi.registry import PREDICTED, kpi_record
from ..kpi.stats import confidence


def label(key: str) -> str:
    """A table's column heading for a KPI ('SL %'), or the key itself."""
    record = kpi_record(key)
    return record.label if record else key


def _percent(key: str) -> bool:
    record = kpi_record(key)
    return record is not None and record.percent


def value(kpi: str, x: float | None) -> str:
    """One figure: '87.3%' for a fraction, '7.8' for seconds or calls."""
    if x is None or not math.isfinite(x):
        return "–"
    if _percent(kpi):
        return f"{100 * x:.1f}%"
    record = kpi_record(kpi)
    return f"{x:,.{record.decimals if record else 1}f}"


def money(x: float) -> str:
    """An amount of the scenario's currency: '13,136.00'."""
    return f"{x:,.2f}"


def interval(kpi: str, low: float | None, high: float | None) -> str:
    """A confidence interval: '[85.1%, 89.4%]'."""
    if low is None or not math.isfinite(low):
        return "–"
    return f"[{value(kpi, low)}, {value(kpi, high)}]"


def with_half_width(kpi: str, mean: float, low: float, high: float) -> str:
    """'87.3 ± 2.1%'-style: the mean with the CI half-width."""
    if mean is None or not math.isfinite(mean):
        return "–"
    if low is None or not math.isfinite(low):
        return value(kpi, mean)
    half = (high - low) / 2
    if _percent(kpi):
        return f"{100 * mean:.1f} ± {100 * half:.1f}%"
    return f"{mean:,.1f} ± {half:,.1f}"


# The per-interval KPIs of a simulation's tables, terminal and report page alike, in
# this order (blocked only where trunk lines are limited).
INTERVAL_COLUMNS = (
    "offered",
    "answered",
    "service_level",
    "asa",
    "abandon_rate",
    "blocked_rate",
    "occupancy",
    "avg_queue",
    "agents",
)


def interval_kpis(res) -> list[str]:
    """The per-interval table's KPIs for a SimulationResult: INTERVAL_COLUMNS, blocked
    only where trunk lines are limited."""
    return [
        k
        for k in INTERVAL_COLUMNS
        if k in res.interval_samples and (k != "blocked_rate" or res.scenario.lines is not None)
    ]


def period(sc) -> str:
    """What a run's totals cover, in words: "the day", "the week" (seven days from a
    date on), or "the N days" of a horizon."""
    days = sc.days()
    if sc.horizon is None or len(days) == 1:
        return "the day"
    dates = sc.horizon.calendar_dates()
    return (
        "the week"
        if len(dates) == 7 and (dates[-1] - dates[0]).days == 6
        else (f"the {len(days)} days")
    )


def interval_rows(res, kpis: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """(KPIs, rows) of a SimulationResult's per-interval table: one row per reported
    interval, its label (day and time in a horizon, else its start) and then 'mean ± CI
    half-width' for each KPI (`kpis`, default `interval_kpis`)."""
    kpis = interval_kpis(res) if kpis is None else kpis
    stats = {k: confidence(res.interval_samples[k], kpi=k) for k in kpis}
    rows = [
        [start]
        + [with_half_width(k, stats[k].mean[i], stats[k].low[i], stats[k].high[i]) for k in kpis]
        for i, start in enumerate(res.labels)
    ]
    return kpis, rows


def day_rows(res, kpis: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """(KPIs, rows) of a horizon's per-day table: one row per reported day, its label
    ("Mon 12-07"), then 'mean ± CI half-width' for each KPI (default `interval_kpis`)."""
    kpis = interval_kpis(res) if kpis is None else kpis
    stats = {k: confidence(res.daily_samples[k], kpi=k) for k in kpis}
    rows = [
        [day.label]
        + [with_half_width(k, stats[k].mean[i], stats[k].low[i], stats[k].high[i]) for k in kpis]
        for i, day in enumerate(res.reported_days)
    ]
    return kpis, rows


def plan_rows(plan, queue: int | None = None) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a StaffingPlan's table, the center's or queue number `queue`'s,
    one row per interval: start, offered, load, required, scheduled, agents on shift
    (center with shifts; and the gap to scheduled), then the KPIs at the plan's
    staffing (`StaffingPlan.at_words`; simulated plans: mean ± CI half-width)."""
    figures = plan.figures(queue)
    if queue is None:
        columns = plan.total
    else:
        columns = {k: v[queue] for k, v in plan.queue_columns().items()}
    on_shift = (
        [sum(c) for c in zip(*(s.staffing for s in plan.shifts.values()))]
        if plan.shifts and queue is None
        else None
    )
    header = (
        ["start", "offered", "load", "required", "scheduled"]
        + (["on shift"] if on_shift else [])
        + [label(k) for k in PREDICTED]
    )
    rows = []
    for i, start in enumerate(plan.starts):
        row = [
            start,
            value("offered", columns["offered"][i]),
            f"{columns['load'][i]:,.1f}",
            str(int(columns["required"][i])),
            str(int(columns["scheduled"][i])),
        ]
        if on_shift:
            gap = on_shift[i] - int(columns["scheduled"][i])
            row.append(f"{on_shift[i]} {gap:+d}" if gap else str(on_shift[i]))
        row += [
            with_half_width(k, *(v[i] for v in figures[k])) if figures else value(k, columns[k][i])
            for k in PREDICTED
        ]
        rows.append(row)
    return header, rows


# One meaning of the star in every table (terminal, page) that sets a formula beside
# the simulation; the CSV files and the JSON say the same in their `disagree` column.
STAR = "*"
STAR_LEGEND = (
    "* the formula's prediction lies outside the simulation's 95% confidence interval "
    "by more than the KPI's tolerance (a disagreement); inputs, such as the offered "
    "calls of the forecast, are never starred"
)


def starred(kpi: str, disagree: bool | None) -> bool:
    """Whether a prediction gets the star: a predicted KPI (never an input, such as the
    forecast's offered calls) that disagrees with the simulation."""
    return bool(disagree) and kpi in PREDICTED


def comparison_rows(cmp, kpis, mark: str = STAR) -> list[list[str]]:
    """Rows of a PlanComparison's table: start, agents, then for each KPI the prediction
    (followed by `mark` where `starred`) and the simulated mean ± half-width. The last
    row is the day's."""

    def cells(kpi, predicted, mean, low, high, disagree) -> list[str]:
        return [
            f"{value(kpi, predicted)}{mark if starred(kpi, disagree) else ' '}",
            with_half_width(kpi, mean, low, high),
        ]

    figures = {k: cmp.figures(k) for k in kpis}
    rows = [
        [start, value("agents", cmp.agents[i])]
        + [c for k in kpis for c in cells(k, *(col[i] for col in figures[k]))]
        for i, start in enumerate(cmp.simulated.starts)
    ]
    return rows + [["day", ""] + [c for k in kpis for c in cells(k, *cmp.day_figures(k))]]


def shift_rows(shift) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of one group's shift patterns: per-day agents where the plan
    covers several days, cost in money format, break starts (clock × agents), and a
    last row with the total agents and cost."""
    frame = shift.table()
    days = shift.day_labels if len(shift.day_labels) > 1 else []
    per_day = shift.day_counts
    rows = [
        [
            str(name),
            row["start"],
            row["end"],
            f"{row['hours']:g}",
            f"{row['paid_hours']:g}",
            *(str(per_day[name].get(d, 0)) for d in days),
            str(int(row["count"])),
            money(row["cost"]),
            row["breaks"],
        ]
        for name, row in frame.iterrows()
    ]
    totals = [str(sum(per_day[n].get(d, 0) for n in per_day)) for d in days]
    total = ["total", "", "", "", "", *totals, str(int(frame["count"].sum()))]
    header = ["shift", "start", "end", "hours", "paid h", *days, "agents", "cost", "breaks"]
    return header, rows + [total + [money(frame["cost"].sum()), ""]]


def totals_rows(t) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a plan's totals (`simulator.planner.totals.Totals`): one row
    per agent group and a last row with the sums."""

    def cells(name: str, f) -> list[str]:
        return [name, str(f.headcount), f"{f.fte:,.2f}", f"{f.paid_hours:,.1f}", money(f.cost)]

    rows = [cells(g, f) for g, f in t.groups.items()] + [cells("total", t.total)]
    return ["group", "headcount", "FTE", "paid hours", "cost"], rows


def fte_words(t) -> str:
    """How the FTE is counted, in words: "1 FTE = 8 paid hours over this 1-day plan
    (40 h a week)"."""
    return (
        f"1 FTE = {t.fte_basis:g} paid hours over this {t.days}-day plan "
        f"({t.fte_hours:g} h a week, 5 days)"
    )


def short_labels(labels: list[str]) -> list[str]:
    """File names without folder and extension, unless two would look the same; the
    same file given twice is told apart by its place: "peak_day (2)"."""
    stems = [Path(label).stem for label in labels]
    names = stems if len(set(stems)) == len(set(labels)) else list(labels)
    return [
        name if name not in names[:i] else f"{name} ({names[: i + 1].count(name)})"
        for i, name in enumerate(names)
    ]
