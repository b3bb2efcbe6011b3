"""Comparison pages: scenarios side by side (`write_compare`, `callsim compare A B
--out`) and a formula's prediction against the simulation (`write_plan_comparison`,
`callsim compare SCENARIO --out`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..kpi.registry import PREDICTED
from ..kpi.stats import CI
from ..planner.compare import COMPARED, PlanComparison, ScenarioComparison
from ..run.runner import SimulationResult
from . import format as fmt
from . import plots
from .detail import mean_ci
from .html import Raw, details, files_note, image, note, table, write_html
from .run_page import save_figures, subtitle
from .tables.common import write_csv
from .tables.compare import compare_tables, difference_tables, prediction_tables
from .words import assumptions_html, clock_end

COMPARE_FILES = ("compare_summary.csv", "compare_intervals.csv", "compare.png", "compare.html")
# scenarios side by side also write their paired differences (per interval: where the
# scenarios share their intervals)
DIFFERENCE_FILES = ("compare_differences.csv", "compare_interval_differences.csv")
PAIRED_NOTE = (
    "Mean, and below it the 95% confidence interval. The scenarios were simulated with "
    "the same seed, so they meet the same callers as far as they can (common random "
    "numbers): each Δ column is the mean of the day-by-day differences to the first "
    "scenario with its paired 95% confidence interval. Where that interval leaves out "
    "0 the difference is not chance, even where the scenarios' own intervals overlap; "
    "where it holds 0 the days cannot tell the scenarios apart."
)


def _scenario_comparison(
    results: ScenarioComparison | Mapping[str, SimulationResult],
) -> ScenarioComparison:
    if isinstance(results, ScenarioComparison):  # labels: the file names, shortened
        return ScenarioComparison(
            fmt.short_labels(results.labels), results.volume_scale, results.results, results.notes
        )
    return ScenarioComparison(list(results), 1.0, list(results.values()))


def _interval_differences(cmp: ScenarioComparison, kpis: Sequence[str]) -> Raw:
    """Per interval, each scenario's paired difference to the first (mean, CI below)."""
    names = cmp.labels
    header = ["Start"] + [f"Δ {fmt.label(k)} {n}" for k in kpis for n in names[1:]]
    diffs = [cmp.interval_difference(i, k) for k in kpis for i in range(1, len(names))]
    kinds = [k for k in kpis for _ in names[1:]]
    rows = [
        [start] + [mean_ci(k, CI(d.mean[j], d.low[j], d.high[j])) for k, d in zip(kinds, diffs)]
        for j, start in enumerate(cmp.results[0].labels)
    ]
    return table(header, rows, css="compact")


def _side_by_side(cmp: ScenarioComparison, wide) -> Raw:
    names = cmp.labels
    header = ["KPI", *names, *(f"Δ {n}" for n in names[1:])]
    rows = []
    for k in wide["kpi"]:
        row = wide.set_index("kpi").loc[k]
        cells: list = [fmt.label(k)]
        for name in names:
            cells.append(
                mean_ci(
                    k, CI(*(float(row[f"{name} {c}"]) for c in ("mean", "ci95_low", "ci95_high")))
                )
            )
        for i in range(1, len(names)):
            diff = (
                cmp.difference(i, k) if k in cmp.results[0].day_samples else CI(*[float("nan")] * 3)
            )
            cells.append(mean_ci(k, diff))
        rows.append(cells)
    return note(PAIRED_NOTE) + table(header, rows, css="narrow")


def _overview(cmp: ScenarioComparison) -> Raw:
    rows = [
        (
            name,
            r.scenario.name,
            f"{r.scenario.open}–{clock_end(r.scenario)}",
            f"{r.scenario.interval_minutes} min",
            r.replications,
            r.seed,
        )
        for name, r in zip(cmp.labels, cmp.results)
    ]
    header = ("Label", "Scenario", "Hours", "Intervals", "Days simulated", "Seed")
    return table(header, rows, align="llllrr")


def write_compare(
    results: ScenarioComparison | Mapping[str, SimulationResult],
    out_dir: str | Path,
    kpis: Sequence[str] = ("service_level", "asa", "abandon_rate"),
) -> list[Path]:
    """Write scenarios side by side into `out_dir`: compare_summary.csv (one column
    triple per scenario), compare_intervals.csv (tidy, with a scenario column),
    compare_differences.csv and compare_interval_differences.csv (the paired
    differences to the first scenario, as the page and the JSON give them; per
    interval only where the scenarios share their intervals), compare.png, and
    compare.html. `results`: a ScenarioComparison, or a label (e.g.
    the file name) -> run mapping, the first the base of the paired differences."""
    cmp = _scenario_comparison(results)
    if not cmp.results:
        raise ValueError("results: give at least one scenario")
    runs = dict(zip(cmp.labels, cmp.results))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wide, long = compare_tables(runs)
    day_diff, interval_diff = difference_tables(cmp)
    written = [
        write_csv(wide, out / "compare_summary.csv"),
        write_csv(long, out / "compare_intervals.csv"),
    ]
    if len(cmp.results) > 1:
        written.append(write_csv(day_diff, out / DIFFERENCE_FILES[0]))
    if len(cmp.results) > 1 and interval_diff is not None:
        written.append(write_csv(interval_diff, out / DIFFERENCE_FILES[1]))
    pngs = save_figures({"compare.png": plots.compare_figure(runs, kpis)}, out)
    written.append(out / "compare.png")
    paired = (
        [
            (
                "Per interval, paired differences",
                note(PAIRED_NOTE) + _interval_differences(cmp, kpis),
            )
        ]
        if len(cmp.results) > 1 and cmp.same_intervals
        else []
    )
    folded = Raw("\n").join(
        details(f"{name}: {r.scenario.name}", assumptions_html(r.scenario, r.replications, r.seed))
        for name, r in runs.items()
    )
    caption = "Each scenario's curve with its 95% confidence band."
    sections: list[tuple[str, str]] = [
        ("Scenarios", _overview(cmp) + Raw("").join(note(f"Note: {n}") for n in cmp.notes)),
        ("The day, side by side", _side_by_side(cmp, wide)),
        ("Per interval", image(pngs["compare.png"], "compare", caption)),
        *paired,
        ("Assumptions", folded),
        (
            "Files",
            files_note(written + [out / "compare.html"], "units in each table's unit column"),
        ),
    ]
    written.append(
        write_html(
            out / "compare.html",
            "Scenarios compared: " + " vs ".join(cmp.labels),
            sections,
            subtitle="every figure: mean and 95% confidence interval",
        )
    )
    return written


def _prediction_figure(cmp: PlanComparison):
    res, sc = cmp.simulated, cmp.simulated.scenario
    shown = {k: cmp.figures(k)[:4] for k in ("service_level", "abandon_rate")}
    return plots.prediction_figure(
        res.starts,
        sc.interval_minutes,
        shown,
        method=cmp.method,
        targets={"service_level": sc.service_level.target, "abandon_rate": sc.targets.abandon_rate},
        title=f"{cmp.method} vs simulation — {plots.text(sc.name)}",
    )


def _day_table(cmp: PlanComparison, day) -> Raw:
    rows = [
        (
            fmt.label(k),
            fmt.value(k, pred) + (fmt.STAR if fmt.starred(k, flag) else ""),
            fmt.value(k, mean),
            fmt.interval(k, low, high),
            "input" if k not in PREDICTED else {True: "yes", False: "no"}.get(flag, "–"),
        )
        for k, _, pred, mean, low, high, flag in day.itertuples(index=False, name=None)
    ]
    header = ("KPI", cmp.method, "simulated", "95% CI", "disagree")
    return table(header, rows, css="narrow")


def write_plan_comparison(cmp: PlanComparison, out_dir: str | Path) -> list[Path]:
    """Write Erlang's prediction vs the simulation into `out_dir`: compare_summary.csv,
    compare_intervals.csv, compare.png and compare.html (COMPARE_FILES)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    day, intervals = prediction_tables(cmp)
    written = [
        write_csv(day, out / "compare_summary.csv"),
        write_csv(intervals, out / "compare_intervals.csv"),
    ]
    pngs = save_figures({"compare.png": _prediction_figure(cmp)}, out)
    written.append(out / "compare.png")
    res, sc = cmp.simulated, cmp.simulated.scenario
    header = ["Start", "agents"] + [
        f"{fmt.label(k)} {w}" for k in COMPARED for w in (cmp.method, "simulated")
    ]
    legend = note(fmt.STAR_LEGEND + ".")
    intro = note(
        "Erlang at the scenario's own staffing beside the simulated mean and its 95% "
        "confidence interval."
    )
    caption = (
        f"{cmp.method}'s prediction (dashed) against the simulated mean and its 95% "
        "confidence band, per interval."
    )
    sections: list[tuple[str, str]] = [
        ("The day", intro + _day_table(cmp, day) + legend),
        ("Per interval", table(header, fmt.comparison_rows(cmp, COMPARED), css="compact") + legend),
        ("Plot", image(pngs["compare.png"], "compare", caption)),
        ("Assumptions", assumptions_html(sc, res.replications, res.seed)),
        (
            "Files",
            files_note(written + [out / "compare.html"], "units in each table's unit column"),
        ),
    ]
    scale = "" if cmp.volume_scale == 1 else f", volumes × {cmp.volume_scale:g}"
    written.append(
        write_html(
            out / "compare.html",
            f"{cmp.method} vs simulation: {sc.name}",
            sections,
            subtitle=subtitle(res) + scale,
            kicker="callsim compare",
        )
    )
    return written
