"""Plots: the pictures a planner looks at first, one function per figure.

Every function takes plain data or a `SimulationResult` and returns a matplotlib
`Figure`; nothing is shown on a screen or written to a file here (`simulator.report`
saves them). Figures are built with the object-oriented API (no pyplot state), so
making many of them in a notebook or a server leaks nothing.

The conventions are those of an ACD report: the x axis is the clock (HH:MM), a figure
is plotted at the start of the interval it describes, and every simulated curve comes
with its 95% confidence band across replications (a curve without its band is not a
simulation result). Each KPI keeps its colour in every figure, from the Okabe-Ito
palette, which stays readable for colour-blind readers and in grey print.

Each curve carries its KPI key as `gid` (`line.get_gid() == "service_level"`), so
code and tests can find what a figure was drawn from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from ..kpi import flags
from ..kpi.registry import REGISTRY
from ..kpi.stats import confidence
from ..model.targets import goal
from ..run.runner import SimulationResult
from . import format as fmt
from .chart import (
    COLORS,
    DPI,
    SERIES,
    WIDTH,
    FigureCanvasAgg,
    _ci_patch_label,
    _kpi_axis,
    _new,
    _percent_axis,
    _styled,
    axis_label,
    band,
    clock_axis,
    clock_x,
    color,
    day_axis,
    set_title,
    text,
)

__all__ = [  # the figures, and the building blocks others draw with (report.calibration)
    "COLORS",
    "DPI",
    "SERIES",
    "WIDTH",
    "FigureCanvasAgg",
    "_styled",
    "asa_abandon_figure",
    "axis_label",
    "clock_axis",
    "clock_x",
    "color",
    "compare_figure",
    "ecdf",
    "prediction_figure",
    "run_staffing_figure",
    "service_level_figure",
    "staffing_figure",
    "text",
    "wait_figure",
]


def plot_days(res: SimulationResult) -> list[tuple[str, int]] | None:
    """A horizon's days as (label, first reported interval) for `day_axis`, else None."""
    if res.scenario.horizon is None:
        return None
    skip = res.scenario.simulation.warmup_intervals
    return [(d.label, max(d.first, skip) - skip) for d in res.reported_days]


def x_words(res: SimulationResult) -> str:
    """The x axis's label: the interval's start, or its day and start in a horizon."""
    return "interval start" if res.scenario.horizon is None else "day, then interval start"


def _interval_axis(ax, res: SimulationResult) -> np.ndarray:
    days = plot_days(res)
    if days is not None:
        return day_axis(ax, days, len(res.starts), res.scenario.interval_minutes)
    x = clock_x(res.starts, res.scenario.interval_minutes)
    clock_axis(ax, x[0], x[-1], res.scenario.interval_minutes)
    return x


def _interval_stats(res: SimulationResult, kpi: str):
    return confidence(res.interval_samples[kpi], kpi=kpi)


def target_line(ax, kpi: str, target: float) -> None:
    """A KPI's target as a dashed line, labelled with the target's value."""
    ax.axhline(
        target,
        color=color("target"),
        linestyle="--",
        linewidth=1.4,
        label=f"target {fmt.value(kpi, target)}",
        gid="target",
    )


MISS_COLOR = "#D55E00"  # the shading of an interval that misses its target


def miss_spans(ax, x: np.ndarray, interval_minutes: int, missing: np.ndarray, what: str) -> int:
    """Shade each interval whose mean misses its target (gid "miss"), with one legend
    entry naming how many; the number shaded."""
    count = int(np.sum(missing))
    for i in np.flatnonzero(missing):
        ax.axvspan(
            x[i] - interval_minutes / 2,
            x[i] + interval_minutes / 2,
            color=MISS_COLOR,
            alpha=0.13,
            linewidth=0,
            gid="miss",
            label=f"misses {what} ({count} interval{'s' if count != 1 else ''})"
            if i == np.flatnonzero(missing)[0]
            else None,
        )
    return count


def _shade_misses(ax, res: SimulationResult, x: np.ndarray, kpi: str, mean: np.ndarray) -> None:
    g = goal(res.scenario)
    target = g.target(kpi)
    if target is not None:
        missing = flags.misses(kpi, mean, target)
        miss_spans(ax, x, res.scenario.interval_minutes, missing, fmt.target_words(kpi, target, g))


@_styled
def service_level_figure(res: SimulationResult) -> Figure:
    """Service level per interval, its 95% CI band, and the target line; the intervals
    whose mean misses the target shaded."""
    sc = res.scenario
    fig, (ax,) = _new()
    x = _interval_axis(ax, res)
    mean, low, high = _interval_stats(res, "service_level")
    _shade_misses(ax, res, x, "service_level", mean)
    band(
        ax,
        x,
        mean,
        low,
        high,
        key="service_level",
        label="service level (mean)",
        color=color("service_level"),
    )
    target = sc.service_level.target
    target_line(ax, "service_level", target)
    _percent_axis(ax, 1.05)
    ax.set_ylabel(f"answered within {sc.service_level.seconds:g} s (% of accepted)")
    ax.set_xlabel(x_words(res))
    set_title(ax, f"Service level per interval — {text(sc.name)}")
    _ci_patch_label(ax)
    return fig


@_styled
def asa_abandon_figure(res: SimulationResult) -> Figure:
    """ASA (seconds) above, abandon rate (%) below, per interval with 95% CI bands;
    the scenario's targets for them, where given, as dashed lines, and the intervals
    whose mean misses one shaded."""
    sc = res.scenario
    fig, (top, bottom) = _new(rows=2, height=5.6)
    x = _interval_axis(bottom, res)
    for ax, kpi, target in (
        (top, "asa", sc.targets.asa),
        (bottom, "abandon_rate", sc.targets.abandon_rate),
    ):
        stats = _interval_stats(res, kpi)
        _shade_misses(ax, res, x, kpi, stats.mean)
        band(
            ax,
            x,
            *stats,
            key=kpi,
            label=f"{REGISTRY[kpi].name} (mean)",
            color=color(kpi),
        )
        if target is not None:
            target_line(ax, kpi, target)
        ax.set_ylabel(axis_label(kpi))
        ax.set_ylim(bottom=0)
        _ci_patch_label(ax)
    _percent_axis(bottom, decimals=None)
    bottom.set_xlabel(x_words(res))
    set_title(top, f"Speed of answer and abandonment — {text(sc.name)}")
    return fig


def _requirement_steps(
    ax,
    x: np.ndarray,
    interval_minutes: int,
    top: float,
    required: Sequence[float] | None,
    required_label: str,
    scheduled: Sequence[float] | None,
) -> float:
    """The required (solid) and scheduled (dashed) agents as steps over each
    interval's width, so they read against the bar beneath; the highest value drawn."""
    edges = np.append(x, x[-1] + interval_minutes) - interval_minutes / 2
    for key, given, label, style in (
        ("required", required, required_label, "-"),
        ("scheduled", scheduled, "scheduled (after shrinkage)", "--"),
    ):
        if given is None:
            continue
        values = np.asarray(given, float)
        ax.stairs(
            values,
            edges,
            color=color(key),
            linewidth=2.2,
            baseline=None,
            linestyle=style,
            label=label,
            gid=key,
        )
        top = max(top, float(np.nanmax(values)) if np.isfinite(values).any() else 0.0)
    return top


@_styled
def staffing_figure(
    starts: Sequence[str],
    interval_minutes: int,
    staffed: Mapping[str, Sequence[float]],
    required: Sequence[float] | None = None,
    *,
    title: str = "",
    scheduled: Sequence[float] | None = None,
    required_label: str = "required",
    days: Sequence[tuple[str, int]] | None = None,
) -> Figure:
    """Agents staffed per interval (bars, stacked by agent group) against the agents
    required (a step line), e.g. the Erlang requirement from `simulator.staffing`,
    and optionally the agents scheduled after shrinkage (a dashed step line).

    Plain data in, so the run report and the staffing planner draw the same chart:
    `staffed` maps a group name to its agents per interval. Without `required` the
    bars stand alone and the legend says the requirement was not given. `days`: a
    horizon's (label, first interval) to put on the x axis (`day_axis`).
    """
    fig, (ax,) = _new()
    if days is not None:
        x = day_axis(ax, days, len(starts), interval_minutes)
    else:
        x = clock_x(starts, interval_minutes)
        clock_axis(ax, x[0], x[-1], interval_minutes)
    base = np.zeros(len(starts))
    for i, (group, staffing) in enumerate(staffed.items()):
        agents = np.asarray(staffing, float)
        ax.bar(
            x,
            agents,
            width=interval_minutes * 0.8,
            bottom=base,
            color=SERIES[i % len(SERIES)],
            alpha=0.85,
            label=f"staffed: {text(group)}",
            gid=f"staffed:{group}",
        )
        base += agents
    top = _requirement_steps(
        ax, x, interval_minutes, float(base.max()), required, required_label, scheduled
    )
    if required is None:
        ax.plot([], [], " ", label="required: not given (see callsim staff)")
    ax.set_ylim(0, max(top * 1.15, 1))
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.set_ylabel("agents")
    ax.set_xlabel("interval start" if days is None else "day, then interval start")
    set_title(ax, title or "Agents staffed and required per interval")
    ax.legend(loc="upper left", ncols=min(len(staffed) + 2, 4))
    return fig


def run_staffing_figure(
    res: SimulationResult, required: Sequence[float] | None = None, required_label: str = "required"
) -> Figure:
    """`staffing_figure` for a simulated scenario: its agent groups' staffing."""
    sc = res.scenario
    skip = sc.simulation.warmup_intervals
    staffed = {name: g.staffing[skip:] for name, g in sc.agents.items()}
    return staffing_figure(
        res.starts,
        sc.interval_minutes,
        staffed,
        required,
        title=f"Agents staffed and required — {text(sc.name)}",
        required_label=required_label,
        days=plot_days(res),
    )


def ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted values and the fraction of values <= each one (the empirical CDF)."""
    v = np.sort(np.asarray(values, float))
    return v, np.arange(1, len(v) + 1) / max(len(v), 1)


@_styled
def wait_figure(res: SimulationResult) -> Figure:
    """How long callers waited: the share of answered calls answered within x seconds,
    and of abandoned calls that hung up within x, over all replications, with the
    service-level threshold marked."""
    sc = res.scenario
    threshold = sc.service_level.seconds
    calls = res.calls
    fig, (ax,) = _new()
    top = threshold
    for outcome in ("answered", "abandoned"):
        wait = calls.loc[calls["outcome"] == outcome, "wait_s"].to_numpy(float)
        wait = wait[np.isfinite(wait)]
        if len(wait) == 0:
            ax.plot([], [], " ", label=f"{outcome}: no calls")
            continue
        x, y = ecdf(wait)
        ax.step(
            np.insert(x, 0, 0.0),
            np.insert(y, 0, 0.0),
            where="post",
            color=color(outcome),
            gid=outcome,
            label=f"{outcome} ({len(wait):,} calls, median {np.median(wait):.0f} s)",
        )
        top = max(top, np.quantile(wait, 0.995))
    ax.axvline(
        threshold,
        color=color("target"),
        linestyle="--",
        linewidth=1.4,
        label=f"service-level threshold {threshold:g} s",
        gid="threshold",
    )
    ax.set_xlim(0, top * 1.05)
    _percent_axis(ax, 1.02)
    ax.set_xlabel("wait (s): until answered, or until the caller hung up")
    ax.set_ylabel("calls that waited at most x (%)")
    set_title(ax, f"Wait-time distribution, {res.replications} days pooled — {text(sc.name)}")
    ax.legend(loc="lower right")
    return fig


@_styled
def compare_figure(
    results: Mapping[str, SimulationResult],
    kpis: Sequence[str] = ("service_level", "asa", "abandon_rate"),
) -> Figure:
    """Scenarios side by side: one panel per KPI, one colour per scenario, each curve
    with its 95% CI band. Scenarios may open at other times or use other intervals:
    they share the clock axis."""
    fig, axes = _new(rows=len(kpis), height=1.0 + 2.4 * len(kpis))
    xs = {name: clock_x(r.starts, r.scenario.interval_minutes) for name, r in results.items()}
    for i, (name, res) in enumerate(results.items()):
        for ax, kpi in zip(axes, kpis):
            band(
                ax,
                xs[name],
                *_interval_stats(res, kpi),
                key=f"{kpi}:{name}",
                label=text(name),
                color=SERIES[i % len(SERIES)],
            )
    step = min(r.scenario.interval_minutes for r in results.values())
    clock_axis(axes[-1], min(x[0] for x in xs.values()), max(x[-1] for x in xs.values()), step)
    for ax, kpi in zip(axes, kpis):
        _kpi_axis(ax, kpi)
    axes[-1].set_xlabel("interval start")
    set_title(axes[0], "Scenarios compared per interval — " + " vs ".join(text(n) for n in results))
    _ci_patch_label(axes[0])
    return fig


@_styled
def prediction_figure(
    starts: Sequence[str],
    interval_minutes: int,
    figures: Mapping[str, Sequence[Sequence[float]]],
    *,
    method: str,
    targets: Mapping[str, float | None] | None = None,
    title: str = "",
) -> Figure:
    """A formula's prediction against the simulation, one panel per KPI: the simulated
    mean with its 95% CI band, the prediction as a dashed line, and the target where
    given. `figures[kpi]` is (predicted, mean, ci95 low, ci95 high) per interval."""
    fig, axes = _new(rows=len(figures), height=1.0 + 2.6 * len(figures))
    x = clock_x(starts, interval_minutes)
    clock_axis(axes[-1], x[0], x[-1], interval_minutes)
    for ax, (kpi, (predicted, mean, low, high)) in zip(axes, figures.items()):
        band(
            ax,
            x,
            mean,
            low,
            high,
            key=f"{kpi}:simulated",
            label="simulated (mean)",
            color=color(kpi),
        )
        ax.plot(
            x,
            predicted,
            marker="s",
            linestyle="--",
            color=color("predicted"),
            label=f"{text(method)} (predicted)",
            gid=f"{kpi}:predicted",
        )
        target = (targets or {}).get(kpi)
        if target is not None:
            ax.axhline(
                target,
                color=color("target"),
                linestyle=":",
                linewidth=1.4,
                label=f"target {fmt.value(kpi, target)}",
                gid=f"{kpi}:target",
            )
        _kpi_axis(ax, kpi)
        _ci_patch_label(ax)
    axes[-1].set_xlabel("interval start")
    set_title(axes[0], title or f"Predicted by {text(method)} vs simulated, per interval")
    return fig
