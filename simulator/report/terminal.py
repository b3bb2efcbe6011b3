"""Terminal tables (rich): what `callsim` prints without --json, fitted to the width of
the terminal.

A table wider than the terminal would wrap every cell onto several lines; instead the
least important columns are left out (said in the caption), so an 80-column terminal
stays readable. `callsim run --columns` chooses the per-interval columns by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from ..kpi import flags
from ..kpi.registry import PREDICTED
from ..kpi.stats import confidence
from ..planner.compare import PlanComparison, ScenarioComparison
from ..planner.shifts import ShiftPlan
from ..planner.staffing import StaffingPlan
from ..planner.totals import Totals
from ..run.runner import SimulationResult
from . import format as fmt

WIDE = 160  # characters: the width of a table printed to a pipe or a file
# The per-interval KPIs kept longest when a terminal is narrow, most important first.
INTERVAL_PRIORITY = (
    "service_level",
    "asa",
    "abandon_rate",
    "offered",
    "occupancy",
    "agents",
    "answered",
    "blocked_rate",
    "avg_queue",
)


def _needed(header: Sequence[str], rows: Sequence[Sequence[str]], columns: Sequence[int]) -> int:
    """Characters a rich table of these columns takes: each column's widest cell, plus
    one space either side and a border."""
    return 1 + sum(3 + max(len(str(r[c])) for r in [header, *rows]) for c in columns)


def fit(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int | None,
    groups: Sequence[Sequence[int]],
) -> list[int]:
    """The columns to show: all, or, where the table is wider than `width`, all but the
    last of `groups` (column indices dropped together, least important last) until it
    fits. Columns in no group are always shown."""
    shown = list(range(len(header)))
    droppable = [list(g) for g in groups]
    while width is not None and droppable and _needed(header, rows, shown) > width:
        gone = droppable.pop()
        shown = [c for c in shown if c not in gone]
    return shown


def _table(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    shown: Sequence[int],
    caption: str = "",
    bold_last: bool = False,
    styles: Sequence[Sequence[str | None]] | None = None,
) -> Table:
    """A rich table of the `shown` columns; `styles[row][column]` styles a cell."""
    left_out = [header[c] for c in range(len(header)) if c not in shown]
    if left_out:
        caption = (caption + "\n" if caption else "") + (
            f"left out at this width: {', '.join(left_out)} (a wider terminal shows them)"
        )
    table = Table(
        title=title, caption=caption or None, title_justify="left", caption_justify="left"
    )
    for i, c in enumerate(shown):
        table.add_column(header[c], justify="left" if i == 0 else "right")
    for n, row in enumerate(rows):
        last = bold_last and n == len(rows) - 1
        cells = [Text(str(row[c]), style=styles[n][c] or "") if styles else row[c] for c in shown]
        table.add_row(*cells, style="bold" if last else None)
    return table


# ------------------------------------------------------------------ callsim run

MISSED = "bold red"  # the style of a figure that misses its target


def _title(res: SimulationResult, what: str, queue: str | None) -> str:
    where = f"queue {queue}" if queue else res.scenario.name
    return f"{where}: {what}"


def what_if_words(volume_scale: float = 1.0, aht_scale: float = 1.0) -> str:
    """'volumes × 1.15, handle times × 0.9' ('' when nothing is scaled)."""
    parts = [f"volumes × {volume_scale:g}"] if volume_scale != 1 else []
    parts += [f"handle times × {aht_scale:g}"] if aht_scale != 1 else []
    return ", ".join(parts)


def summary_table(res: SimulationResult, queue: str | None = None) -> Table:
    """The day's (or horizon's) KPIs, the centre's or `queue`'s: mean and 95% CI,
    marked where the CI is wide or the day misses its target."""
    samples = res.day_samples if queue is None else res.queue_samples[queue]
    targets = flags.targeted(res.scenario, samples, queue)
    table = Table(
        title=_title(
            res,
            f"{fmt.period(res.scenario)} ({res.replications} replications, seed {res.seed}, "
            "95% CI)",
            queue,
        ),
        title_justify="left",
        caption=f"{fmt.WIDE} {flags.WIDE_RULE}",
        caption_justify="left",
    )
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    for kpi in samples:
        ci = confidence(samples[kpi], kpi=kpi)
        wide = fmt.WIDE if flags.wide(kpi, *ci) else ""
        missed = kpi in targets and bool(flags.misses(kpi, ci.mean, targets[kpi]))
        table.add_row(
            kpi,
            Text(
                fmt.value(kpi, ci.mean) + (f" {fmt.MISS}" if missed else ""),
                style=MISSED if missed else "",
            ),
            fmt.interval(kpi, ci.low, ci.high) + wide,
        )
    return table


def interval_table(
    res: SimulationResult,
    width: int | None = None,
    kpis: list[str] | None = None,
    queue: str | None = None,
) -> Table:
    """Per interval (the centre's or `queue`'s), mean ± CI half-width; `kpis` chosen,
    or fitted to `width`. An interval whose mean misses a target is marked (a `misses`
    column naming the targets, the figures in red); a wide CI is marked `~`."""
    cells = fmt.interval_cells(res, kpis, queue)
    kpis = cells.kpis
    header = ["start", "misses"] + [fmt.label(k) for k in kpis]
    rows = [[r[0], fmt.miss_words(m), *r[1:]] for r, m in zip(cells.rows, cells.missed)]
    styles = [
        [MISSED if m else None, MISSED if m else None] + [MISSED if f else None for f in flagged]
        for m, flagged in zip(cells.missed, cells.flagged)
    ]
    order = sorted(
        range(len(kpis)),
        key=lambda i: INTERVAL_PRIORITY.index(kpis[i]) if kpis[i] in INTERVAL_PRIORITY else 99,
    )
    shown = fit(header, rows, width, [[2 + i] for i in order[1:]])
    caption = "; ".join(fmt.flag_lines(res, queue))
    caption += f"\n{fmt.MISS} the interval's mean misses a target; {fmt.WIDE} {flags.WIDE_RULE}"
    title = "Per interval (mean ± 95% CI half-width)" + (f", queue {queue}" if queue else "")
    return _table(title, header, rows, shown, caption=caption, styles=styles)


def day_table(res: SimulationResult, width: int | None = None) -> Table:
    """A horizon's days, one row each: mean ± CI half-width, fitted to `width`."""
    kpis, rows = fmt.day_rows(res)
    header = ["day"] + [fmt.label(k) for k in kpis]
    order = sorted(
        range(len(kpis)),
        key=lambda i: INTERVAL_PRIORITY.index(kpis[i]) if kpis[i] in INTERVAL_PRIORITY else 99,
    )
    shown = fit(header, rows, width, [[1 + i] for i in order[1:]])
    return _table("Per day (mean ± 95% CI half-width)", header, rows, shown)


# ------------------------------------------------------------------ callsim staff


def plan_table(result: StaffingPlan, width: int | None = None) -> Table:
    """The plan per interval: offered, load, required, scheduled, the KPIs."""
    sc = result.scenario
    scale = "" if result.volume_scale == 1 else f", volumes × {result.volume_scale:g}"
    at = (
        f"simulated at {result.at_words}, mean ± 95% CI half-width"
        if result.search
        else f"predicted at {result.at_words}"
    )
    title = (
        f"{sc.name}: {result.method} plan{scale} (target "
        f"{100 * sc.service_level.target:g}% in {sc.service_level.seconds:g} s, "
        f"shrinkage {100 * sc.shrinkage:g}%; {at})"
    )
    header, rows = fmt.plan_rows(result)
    kpi_start = len(header) - len(PREDICTED) - (result.days_share is not None)
    # start, required, scheduled and SL always shown; left out first: on shift, load...
    groups = [[kpi_start + 1], [kpi_start + 2], [1], [kpi_start + 3], [2]]
    shown = fit(header, rows, width, groups + [[c] for c in range(5, kpi_start)])
    return _table(title, header, rows, shown)


def day_share_table(result: StaffingPlan) -> Table:
    """Per queue and day, the share of days its whole day meets every target (what it is:
    `format.day_share_words`, printed below it)."""
    header, rows = fmt.day_share_rows(result)
    return _table("Whole days", header, rows, range(len(header)))


def shift_table(group: str, shift_plan: ShiftPlan) -> Table:
    """One agent group's shift patterns, cost in money format, with a total row."""
    under = sum(shift_plan.under)
    title = (
        f"Shifts of {group}: cost {fmt.money(shift_plan.cost)}, "
        f"{shift_plan.paid_hours:,.1f} paid hours, over-staffed "
        f"{sum(shift_plan.over)} agent-intervals, under-staffed {under}"
        + ("" if shift_plan.optimal else " (best found, not proved optimal)")
    )
    header, rows = fmt.shift_rows(shift_plan)
    return _table(title, header, rows, range(len(header)), bold_last=True)


def totals_table(totals: Totals) -> Table:
    """Headcount, FTE, paid hours and cost per agent group, with a total row."""
    header, rows = fmt.totals_rows(totals)
    caption = fmt.fte_words(totals)
    return _table("Totals", header, rows, range(len(header)), caption, bold_last=True)


# ------------------------------------------------------------------ callsim compare


def plan_comparison_table(cmp: PlanComparison, width: int | None = None) -> Table:
    """Erlang at the file's staffing beside the simulation, per interval and the day."""
    res = cmp.simulated
    scale = "" if cmp.volume_scale == 1 else f", volumes × {cmp.volume_scale:g}"
    title = (
        f"{res.scenario.name}: {cmp.method} at the file's staffing vs "
        f"simulation ({res.replications} replications, seed {res.seed}{scale})"
    )
    header = ["start", "agents"]
    for kpi in PREDICTED:
        header += [f"{fmt.label(kpi)} {cmp.method}", f"{fmt.label(kpi)} sim"]
    rows = fmt.comparison_rows(cmp, PREDICTED, mark=fmt.STAR)
    pairs = [[2 + 2 * i, 3 + 2 * i] for i in range(len(PREDICTED))]
    shown = fit(header, rows, width, [[1], *pairs[1:]])  # SL always shown
    return _table(title, header, rows, shown, caption=fmt.STAR_LEGEND, bold_last=True)


def _day_side_by_side(cmp: ScenarioComparison, labels: list[str]) -> Table:
    first = cmp.results[0]
    scale = "" if cmp.volume_scale == 1 else f", volumes × {cmp.volume_scale:g}"
    header = ["KPI", *labels, *(f"Δ {label}" for label in labels[1:])]
    rows = []
    for kpi in (str(k) for k in first.summary.index):
        row = [kpi]
        for res in cmp.results:
            row.append(fmt.with_half_width(kpi, *confidence(res.day_samples[kpi], kpi=kpi)))
        row += [fmt.with_half_width(kpi, *cmp.difference(i, kpi)) for i in range(1, len(labels))]
        rows.append(row)
    title = (
        f"{fmt.period(first.scenario).capitalize()}, side by side ({first.replications} "
        f"replications, seed {first.seed}"
        f"{scale}; Δ = paired difference to {labels[0]}, 95% CI)"
    )
    return _table(title, header, rows, range(len(header)))


def scenarios_tables(cmp: ScenarioComparison, width: int | None = None) -> list[Table]:
    """The day side by side with paired differences; and per interval, where the
    scenarios share their intervals, side by side and as paired differences."""
    first = cmp.results[0]
    labels = fmt.short_labels(cmp.labels)
    tables = [_day_side_by_side(cmp, labels)]
    if not cmp.same_intervals:
        return tables
    kpis = ("service_level", "asa", "abandon_rate")
    header = ["start"] + [f"{fmt.label(k)} {label}" for k in kpis for label in labels]
    stats = [{k: confidence(res.interval_samples[k], kpi=k) for k in kpis} for res in cmp.results]
    rows = [
        [start]
        + [
            fmt.with_half_width(k, s[k].mean[i], s[k].low[i], s[k].high[i])
            for k in kpis
            for s in stats
        ]
        for i, start in enumerate(first.labels)
    ]
    n = len(labels)
    groups = [list(range(1 + n * j, 1 + n * (j + 1))) for j in range(len(kpis))]
    shown = fit(header, rows, width, groups[1:])
    tables.append(_table("Per interval (mean ± 95% CI half-width)", header, rows, shown))
    tables.append(_interval_differences(cmp, labels, kpis, width))
    return tables


def _interval_differences(
    cmp: ScenarioComparison, labels: list[str], kpis: Sequence[str], width: int | None
) -> Table:
    """Per interval, each scenario's paired difference to the first, mean ± half-width."""
    others = range(1, len(labels))
    header = ["start"] + [f"Δ {fmt.label(k)} {labels[i]}" for k in kpis for i in others]
    diffs = {(k, i): cmp.interval_difference(i, k) for k in kpis for i in others}
    rows = [
        [start]
        + [fmt.with_half_width(k, d.mean[j], d.low[j], d.high[j]) for (k, _), d in diffs.items()]
        for j, start in enumerate(cmp.results[0].labels)
    ]
    m = len(labels) - 1
    groups = [list(range(1 + m * j, 1 + m * (j + 1))) for j in range(len(kpis))]
    shown = fit(header, rows, width, groups[1:])
    title = f"Per interval, paired difference to {labels[0]} (mean ± 95% CI half-width)"
    return _table(title, header, rows, shown)
