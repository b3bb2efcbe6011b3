"""The run report's detail sections: the per-interval tables with their flags (the
centre's and each queue's) and the per-queue and per-agent-group figures."""

from __future__ import annotations

from ..kpi import flags
from ..kpi.stats import CI, confidence
from ..run.runner import SimulationResult
from . import format as fmt
from .html import Raw, details, escape, note, table

QUEUE_KPIS = (
    "offered",
    "answered",
    "service_level",
    "asa",
    "abandon_rate",
    "aht",
    "transfer_rate",
    "escalation_rate",
)
GROUP_INTERVAL_KPIS = ("occupancy", "agents", "cost")  # per group, per interval


def mean_ci(kpi: str, ci: CI) -> Raw:
    """A table cell: the mean, and its 95% CI in small print below it."""
    return (
        escape(fmt.value(kpi, ci.mean))
        + Raw("<br><small>")
        + escape(fmt.interval(kpi, ci.low, ci.high))
        + Raw("</small>")
    )


def queues_html(res: SimulationResult) -> Raw:
    """The day's key figures per queue (mean, CI below it), one column per queue."""
    rows = []
    for k in (k for k in QUEUE_KPIS if k in res.day_samples):
        cells: list = [fmt.label(k)]
        for samples in res.queue_samples.values():
            cells.append(mean_ci(k, CI(*(float(v) for v in confidence(samples[k], kpi=k)))))
        rows.append(cells)
    return table(["KPI", *res.queue_samples], rows, css="narrow")


def intervals_html(res: SimulationResult, queue: str | None = None) -> Raw:
    """The per-interval table (the centre's or `queue`'s): the terminal's columns,
    mean ± CI half-width; a `Misses` column and the figures that miss their target in
    red (`miss`), a wide CI marked `~`."""
    cells = fmt.interval_cells(res, queue=queue)
    rows = []
    for row, missed, flagged in zip(cells.rows, cells.missed, cells.flagged):
        marked = [_missed(c) if f else c for c, f in zip(row[1:], flagged)]
        start = _missed(row[0]) if missed else row[0]
        rows.append([start, fmt.miss_words(missed), *marked])
    first = "Start" if res.scenario.horizon is None else "Interval"
    header = [first, "Misses"] + [fmt.label(k) for k in cells.kpis]
    return table(header, rows, align="ll", css="compact")


def _missed(text: str) -> Raw:
    return Raw('<span class="miss">') + escape(text) + Raw("</span>")


def flags_note(res: SimulationResult, queue: str | None = None) -> Raw:
    """What the marks mean, and how many intervals miss each target."""
    counts = "; ".join(fmt.flag_lines(res, queue))
    return note(
        f"{counts}. {fmt.MISS} and red: the interval's mean misses a target; "
        f"{fmt.WIDE}: {flags.WIDE_RULE}."
    )


def queue_intervals_html(res: SimulationResult) -> Raw:
    """Each queue's per-interval table, folded, judged against the queue's targets."""
    return Raw("\n").join(
        details(
            f"{q}: " + "; ".join(fmt.flag_lines(res, q)),
            flags_note(res, q) + intervals_html(res, q),
        )
        for q in res.scenario.queues
    )


def groups_html(res: SimulationResult) -> Raw:
    """Per agent group: the day's figures (one column per group), then per interval
    each group's occupancy, agents logged in and cost."""
    groups = res.group_samples
    day_rows = [
        [fmt.label(k)]
        + [mean_ci(k, CI(*(float(v) for v in confidence(s[k], kpi=k)))) for s in groups.values()]
        for k in next(iter(groups.values()), {})
    ]
    stats = {
        (g, k): confidence(res.group_interval_samples[g][k], kpi=k)
        for k in GROUP_INTERVAL_KPIS
        for g in groups
    }
    header = ["Start"] + [f"{fmt.label(k)} {g}" for g, k in stats]
    rows = [
        [start]
        + [fmt.with_half_width(k, c.mean[i], c.low[i], c.high[i]) for (_, k), c in stats.items()]
        for i, start in enumerate(res.labels)
    ]
    intro = note(
        "A group's occupancy is its agents' busy time ÷ their logged-in time; its cost, "
        "its logged-in hours at its cost per hour (the trunk lines' cost is the centre's "
        "alone). Mean, and below it (or ±) the 95% confidence interval."
    )
    return (
        intro
        + table(["KPI", *groups], day_rows, css="narrow")
        + details("Per interval", table(header, rows, css="compact"))
    )
