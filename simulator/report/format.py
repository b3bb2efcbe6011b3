"""How KPIs read to people: fractions as percentages, times in seconds, counts whole.

Shared by the terminal tables and the reports, so a figure looks the same everywhere.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..kpi import flags
from ..kpi.registry import PREDICTED, kpi_record
from ..kpi.stats import confidence
from ..model.targets import goal


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


def labels(sc, starts: list[str]) -> list[str]:
    """What rows of `starts` (the scenario's intervals from the end of any warm-up) are
    called: their start, or in a horizon their day and start ("Mon 12-07 08:00")."""
    if sc.horizon is None:
        return list(starts)
    return [slot.label for slot in sc.calendar()[len(sc.calendar()) - len(starts) :]]


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


def interval_samples(res, queue: str | None = None) -> dict:
    """KPI -> (days, intervals) samples of the centre, or of `queue` (a name)."""
    if queue is None:
        return res.interval_samples
    return res.queue_interval_samples[queue]


# The mark of an interval that misses a target, and of a wide confidence interval, in
# every table (terminal, page); the CSV and JSON say the same in their own columns.
MISS = "✗"
WIDE = "~"
SHORT = {"service_level": "SL", "asa": "ASA", "abandon_rate": "abandon", "occupancy": "occupancy"}


class IntervalCells(NamedTuple):
    """A per-interval table: `rows` (the label: day and time in a horizon, else the
    start; then a 'mean ± half-width' cell per KPI, `WIDE` marking a wide CI),
    `missed` (per interval, the KPIs whose mean misses its target) and
    `flagged[i][j]` (cell j of interval i misses its target)."""

    kpis: list[str]
    rows: list[list[str]]
    missed: list[list[str]]
    flagged: list[list[bool]]


def interval_cells(res, kpis: list[str] | None = None, queue: str | None = None) -> IntervalCells:
    """The per-interval table of a SimulationResult, the centre's or `queue`'s: `kpis`
    (default `interval_kpis`), each cell marked where its CI is wide, and the targets
    each interval misses (`simulator.kpi.flags`)."""
    kpis = interval_kpis(res) if kpis is None else kpis
    samples = interval_samples(res, queue)
    stats = {k: confidence(samples[k], kpi=k) for k in kpis}
    wide = {k: flags.wide(k, *stats[k]) for k in kpis}
    missing = flags.interval_misses(res.scenario, samples, queue)
    rows, missed, flagged = [], [], []
    for i, start in enumerate(res.labels):
        cells = [
            with_half_width(k, stats[k].mean[i], stats[k].low[i], stats[k].high[i])
            + (WIDE if wide[k][i] else "")
            for k in kpis
        ]
        rows.append([start, *cells])
        missed.append([k for k, v in missing.items() if v[i]])
        flagged.append([bool(k in missing and missing[k][i]) for k in kpis])
    return IntervalCells(kpis, rows, missed, flagged)


def interval_rows(res, kpis: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """(KPIs, rows) of a SimulationResult's per-interval table (`interval_cells`)."""
    cells = interval_cells(res, kpis)
    return cells.kpis, cells.rows


def miss_words(missed: list[str]) -> str:
    """'✗ SL, ASA': the mark and the targets an interval misses ('' for none)."""
    return f"{MISS} " + ", ".join(SHORT.get(k, k) for k in missed) if missed else ""


def target_words(kpi: str, target: float, goal) -> str:
    """'80/20', 'ASA ≤ 20 s', 'abandon ≤ 5%': a target as planners write it."""
    if kpi == "service_level":
        return goal.words
    shown = f"{100 * target:g}%" if _percent(kpi) else f"{target:g} s"
    return f"{SHORT.get(kpi, kpi)} ≤ {shown}"


def miss_count(missing, means) -> tuple[int, int]:
    """(intervals missing, intervals with a defined mean) of one KPI."""
    return int(np.sum(missing)), int(np.sum(np.isfinite(np.asarray(means, dtype=float))))


def count_words(missed: int, of: int, words: str) -> str:
    """'3 of 24 intervals miss 80/20', or 'every interval meets 80/20'."""
    if of == 0:
        return f"no interval with calls to judge against {words}"
    if missed == 0:
        return f"every interval meets {words}"
    verb = "misses" if missed == 1 else "miss"
    return f"{missed} of {of} interval{'s' if of != 1 else ''} {verb} {words}"


def flag_lines(res, queue: str | None = None) -> list[str]:
    """One line per target: how many intervals miss it ('3 of 24 intervals miss 80/20')."""
    samples = interval_samples(res, queue)
    g = goal(res.scenario, queue)
    lines = []
    targets = flags.targeted(res.scenario, samples, queue)
    for k, missing in flags.interval_misses(res.scenario, samples, queue).items():
        mean = confidence(samples[k], kpi=k).mean
        lines.append(count_words(*miss_count(missing, mean), target_words(k, targets[k], g)))
    return lines


def plan_rows(plan, queue: int | None = None) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a StaffingPlan's table, the center's or queue number `queue`'s,
    one row per interval: start, offered, load, required, scheduled, agents on shift
    (center with shifts; and the gap to scheduled), then the KPIs at the plan's
    staffing (`StaffingPlan.at_words`; simulated plans: mean ± CI half-width), and with a
    busyness cv the share of days meeting every target (`days_met`)."""
    figures = plan.figures(queue)
    share = days_met(plan, queue)
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
        + (["days met"] if share is not None else [])
    )
    rows = []
    for i, start in enumerate(labels(plan.scenario, plan.starts)):
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
        if share is not None:
            row.append("" if np.isnan(share[i]) else f"{100 * share[i]:.1f}%")
        rows.append(row)
    return header, rows


def days_met(plan, queue: int | None = None) -> np.ndarray | None:
    """Per interval, the share of days meeting every target (a plan made with a busyness
    cv; else None): queue number `queue`'s, or the centre's, the worst queue's (one
    busyness factor moves every queue: by the formula, every queue meets on exactly the
    worst queue's days; simulated, on at most those). NaN over the warm-up."""
    share = plan.days_share
    if share is None:
        return None
    return share[queue] if queue is not None else share.min(axis=0)


def day_share_rows(plan) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a plan's whole-day shares (`dayshare`): per queue and day, the
    share of days whose whole day meets every target (a simulated plan's with its 95%
    Clopper-Pearson interval)."""
    from ..planner.dayshare import day_names

    share, ci = plan.day_share, plan.day_share_ci
    rows = []
    for q, d in np.ndindex(share.shape):
        figure = f"{100 * share[q, d]:.1f}%"
        if ci is not None:
            figure += f" [{100 * ci[0][q, d]:.1f}, {100 * ci[1][q, d]:.1f}]"
        rows.append([plan.queues[q], day_names(plan.scenario)[d], figure])
    return ["queue", "day", "whole day met"], rows


def day_share_words(plan) -> str:
    """What the whole-day shares are, in a sentence (which scope the plan was made for)."""
    how = (
        f"counted on the {plan.search.result.replications} verification days, 95% interval"
        if plan.search
        else f"by {plan.method} (steady state)"
    )
    planned = (
        f"; planned for at least {100 * plan.days_meeting:g}% of days per {plan.chance_per}"
        if plan.days_meeting is not None
        else ""
    )
    return (
        "Whole day met: the share of days on which the queue's whole day (all its calls of "
        f"the reported intervals) meets every target, {how}{planned}."
    )


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
        for i, start in enumerate(labels(cmp.simulated.scenario, cmp.simulated.starts))
    ]
    return rows + [
        [period(cmp.simulated.scenario).removeprefix("the "), ""]
        + [c for k in kpis for c in cells(k, *cmp.day_figures(k))]
    ]


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
    same file given twice is told apart by its place: "peak_day (2)". A label that is
    no file name (a what-if, "volume×1.15") stays as it is."""
    stems = [
        Path(label).stem if Path(label).suffix in (".yaml", ".yml") else label for label in labels
    ]
    names = stems if len(set(stems)) == len(set(labels)) else list(labels)
    return [
        name if name not in names[:i] else f"{name} ({names[: i + 1].count(name)})"
        for i, name in enumerate(names)
    ]
