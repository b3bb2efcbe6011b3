"""The run report: `write_run(res, out_dir)` writes, into `out_dir`:

- ``summary.csv``: the day's KPIs, one row each: kpi, unit, mean, ci95_low, ci95_high.
- ``intervals.csv``: tidy (long) table, one row per interval x KPI: interval (0 = first
  reported interval), start (HH:MM), kpi, unit, mean, ci95_low, ci95_high. Long rather
  than wide so that every number keeps its CI and its unit in plain columns; pivot it
  with ``df.pivot(index="start", columns="kpi", values="mean")``.
  Each row also gives the KPI's `target` (empty: none) and `misses_target` (the mean
  on the wrong side of it: `simulator.kpi.flags`).
- ``days.csv`` (a horizon of days only): one row per day x KPI: day, date, label, kpi,
  unit, mean, ci95_low, ci95_high; a horizon's intervals.csv adds date and label.
- ``queues.csv``: the day's KPIs per queue: queue, kpi, unit, mean, ci95_low, ci95_high
  (call figures are the queue's; agents and occupancy are center-wide).
- ``queue_intervals.csv``: as intervals.csv, per queue (a queue column first), judged
  against the queue's own targets.
- ``groups.csv``, ``group_intervals.csv``: per agent group, the day's and each
  interval's answered calls, AHT, occupancy, agents logged in and cost.
- ``calls.csv``: one row per call segment of every replication; times are seconds,
  said in the column name (``wait_s``).
- ``data_dictionary.csv``: file, column, meaning, unit for every column above, and the
  definition of every KPI.
- ``service_level.png``, ``asa_abandon.png``, ``staffing.png``, ``waits.png``: the plots
  of `simulator.report.plots`.
- ``report.html``: one self-contained page (CSS inline, plots embedded as PNG data),
  safe to e-mail: the scenario's assumptions, the day's KPIs and the interval KPIs,
  each with its 95% confidence interval, and the plots.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from ..kpi import flags
from ..kpi.registry import REGISTRY
from ..kpi.stats import CI, confidence
from ..model.targets import goal
from ..run.runner import SimulationResult
from . import format as fmt
from . import plots
from .detail import (
    flags_note,
    groups_html,
    intervals_html,
    queue_intervals_html,
    queues_html,
)
from .html import (
    Raw,
    escape,
    figure_png,
    files_note,
    image,
    note,
    render,
    table,
    write_html,
)
from .tables.common import write_csv
from .tables.run import (
    call_table,
    data_dictionary,
    day_table,
    group_interval_table,
    group_table,
    interval_table,
    queue_interval_table,
    queue_table,
    summary_table,
)
from .words import assumptions_html, hours

RUN_FILES = (
    "summary.csv",
    "intervals.csv",
    "queues.csv",
    "queue_intervals.csv",
    "groups.csv",
    "group_intervals.csv",
    "calls.csv",
    "data_dictionary.csv",
    "service_level.png",
    "asa_abandon.png",
    "staffing.png",
    "waits.png",
    "report.html",
)
DAYS_NOTE = (
    "Each day's figures from its own calls and agents; every night closed starts the "
    "next day with an empty queue (a 24/7 horizon carries calls over midnight)."
)
# Figures in the headline tiles (good when high or low: the registry says).
HEADLINE = ("service_level", "asa", "abandon_rate", "occupancy")
CAPTIONS = {
    "service_level.png": "Share of accepted calls answered within the threshold, per "
    "interval. The band is the 95% confidence interval over the "
    "simulated days; the dashed line is the target.",
    "asa_abandon.png": "Average speed of answer (top) and share of callers who hung up "
    "while waiting (bottom), per interval, with 95% confidence bands.",
    "staffing.png": "Agents scheduled per interval by agent group (the scenario's "
    "staffing), against the agents required where a requirement is given.",
    "waits.png": "Share of answered calls answered within x seconds, and of abandoned "
    "calls that hung up within x seconds, all simulated days pooled.",
}


def day_ci(res: SimulationResult, kpi: str) -> CI:
    """The day's mean and 95% CI of one KPI, as floats."""
    return CI(*(float(v) for v in confidence(res.day_samples[kpi], kpi=kpi)))


def status(kpi: str, target: float | None, ci: CI) -> tuple[str, str] | None:
    """(badge class, words): whether the 95% CI clears the target, misses it, or
    straddles it; None without a target or an interval."""
    good = REGISTRY[kpi].higher_is_better
    if good is None or target is None or not (math.isfinite(ci.low) and math.isfinite(ci.high)):
        return None
    t = ("" if good else "≤ ") + fmt.value(kpi, target)
    above, below = ci.low >= target, ci.high <= target
    if (good and above) or (not good and below):
        return "ok", f"meets target {t}"
    if (good and below) or (not good and above):
        return "bad", f"misses target {t}"
    return "warn", f"too close to call vs {t}"


def _interval_badge(res: SimulationResult, kpi: str) -> tuple[str, str] | None:
    """(badge class, '3 of 24 intervals miss 80/20') for a KPI with a target."""
    g = goal(res.scenario)
    target = g.target(kpi)
    if target is None or kpi not in res.interval_samples:
        return None
    mean = confidence(res.interval_samples[kpi], kpi=kpi).mean
    missed, of = fmt.miss_count(flags.misses(kpi, mean, target), mean)
    words = fmt.count_words(missed, of, fmt.target_words(kpi, target, g))
    return ("bad" if missed else "ok"), words


def headline_html(res: SimulationResult) -> Raw:
    """Tiles with the day's key figures, their CIs, whether the day meets its targets,
    and how many intervals miss them ("3 of 24 intervals miss 80/20")."""
    sc = res.scenario
    g = goal(sc)
    names = {
        "service_level": f"Service level ({sc.service_level.seconds:g} s)",
        "asa": "Average speed of answer",
        "abandon_rate": "Abandon rate",
        "occupancy": "Agent occupancy",
    }
    tiles = []
    for kpi in (k for k in HEADLINE if k in res.summary.index):
        ci = day_ci(res, kpi)
        seconds = REGISTRY[kpi].unit == "s" and math.isfinite(ci.mean)
        tiles.append(
            {
                "color": plots.color(kpi),
                "name": names[kpi],
                "value": fmt.value(kpi, ci.mean) + (" s" if seconds else ""),
                "ci": fmt.interval(kpi, ci.low, ci.high)
                + (" (wide)" if flags.wide(kpi, *ci) else ""),
                "badge": status(kpi, g.target(kpi), ci),
                "intervals": _interval_badge(res, kpi),
            }
        )
    return render("tiles.html.j2", tiles=tiles)


def summary_html(res: SimulationResult) -> Raw:
    """The day's KPIs: label, mean, 95% CI and definition."""
    rows = []
    for k in res.summary.index:
        ci = day_ci(res, str(k))
        rows.append(
            (
                fmt.label(str(k)),
                fmt.value(str(k), ci.mean),
                fmt.interval(str(k), ci.low, ci.high),
                REGISTRY[str(k)].definition if k in REGISTRY else "",
            )
        )
    return table(("KPI", "Mean", "95% CI", "Definition"), rows, align="lrrl")


def days_html(res: SimulationResult) -> Raw:
    """A horizon's per-day table: the terminal's columns, mean ± CI half-width."""
    kpis, rows = fmt.day_rows(res)
    return table(["Day"] + [fmt.label(k) for k in kpis], rows, css="compact")


def run_figures(
    res: SimulationResult, required: Sequence[float] | None = None, required_label: str = "required"
) -> dict[str, Figure]:
    """The run report's plots, by file name."""
    return {
        "service_level.png": plots.service_level_figure(res),
        "asa_abandon.png": plots.asa_abandon_figure(res),
        "staffing.png": plots.run_staffing_figure(res, required, required_label),
        "waits.png": plots.wait_figure(res),
    }


def save_figures(figures: Mapping[str, Figure], out: Path) -> dict[str, bytes]:
    """Write each figure as `out/NAME`; their PNG bytes, by name, for the page."""
    pngs = {}
    for name, fig in figures.items():
        pngs[name] = figure_png(fig)
        (out / name).write_bytes(pngs[name])
    return pngs


def subtitle(res: SimulationResult) -> str:
    """'08:00–20:00 in 30-minute intervals · 20 simulated days, seed 1 · ...'."""
    return (
        f"{hours(res.scenario)} · {res.replications} simulated days, seed {res.seed} · "
        f"every figure: mean and 95% confidence interval"
    )


def _run_sections(
    res: SimulationResult,
    pngs: Mapping[str, bytes],
    written: list[Path],
    required: Sequence[float] | None,
    required_label: str,
) -> list[tuple[str, str]]:
    sc = res.scenario
    lead = Raw('<p class="lead">') + escape(sc.description) + Raw("</p>") if sc.description else ""
    per_queue = note(
        "Mean, and below it the 95% confidence interval. A transferred call counts in "
        "every queue it passes through."
    )
    return [
        ("", lead + headline_html(res)),
        ("Assumptions", assumptions_html(sc, res.replications, res.seed, required, required_label)),
        (
            fmt.period(sc).capitalize(),
            note(
                "Mean over the simulated days, with the 95% Student-t confidence "
                "interval of that mean."
            )
            + summary_html(res),
        ),
        *([("Per queue", per_queue + queues_html(res))] if len(sc.queues) > 1 else []),
        *([("Per day", note(DAYS_NOTE) + days_html(res))] if res.reported_days else []),
        (
            "Per interval",
            note(
                "Mean ± half-width of the 95% confidence interval; intervals are "
                f"labelled by their {'start' if sc.horizon is None else 'day and start'}."
            )
            + flags_note(res)
            + intervals_html(res),
        ),
        *(
            [("Per queue, per interval", per_queue + queue_intervals_html(res))]
            if len(sc.queues) > 1
            else []
        ),
        ("Per agent group", groups_html(res)),
        (
            "Plots",
            Raw("\n").join(
                image(png, name.removesuffix(".png"), CAPTIONS[name]) for name, png in pngs.items()
            ),
        ),
        ("Files", files_note(written)),
    ]


def write_run(
    res: SimulationResult,
    out_dir: str | Path,
    required: Sequence[float] | None = None,
    required_label: str = "required",
) -> list[Path]:
    """Write the CSV tables, plots and report.html of a run into `out_dir` (created if
    needed); return the paths written, in the order of RUN_FILES (a horizon adds days.csv
    after intervals.csv).

    `required`: agents required per reported interval (e.g. the Erlang A requirement),
    drawn against the staffing and listed with the inputs, under `required_label`.
    """
    if required is not None and len(required) != len(res.starts):
        raise ValueError(
            f"required: has {len(required)} intervals, the run reports {len(res.starts)}"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    calls = call_table(res)
    written = [
        write_csv(summary_table(res), out / "summary.csv"),
        write_csv(interval_table(res), out / "intervals.csv"),
        *([write_csv(day_table(res), out / "days.csv")] if res.reported_days else []),
        write_csv(queue_table(res), out / "queues.csv"),
        write_csv(queue_interval_table(res), out / "queue_intervals.csv"),
        write_csv(group_table(res), out / "groups.csv"),
        write_csv(group_interval_table(res), out / "group_intervals.csv"),
        write_csv(calls, out / "calls.csv", float_format="%.6f"),
        write_csv(
            data_dictionary(res.summary.index, calls.columns, bool(res.reported_days)),
            out / "data_dictionary.csv",
        ),
    ]
    pngs = save_figures(run_figures(res, required, required_label), out)
    written += [out / name for name in pngs]
    sections = _run_sections(res, pngs, written + [out / "report.html"], required, required_label)
    written.append(
        write_html(out / "report.html", res.scenario.name, sections, subtitle=subtitle(res))
    )
    return written
