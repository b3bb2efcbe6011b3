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

import functools
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator, PercentFormatter

from ..kpi.registry import REGISTRY, kpi_record
from ..kpi.stats import confidence
from ..model.clock import clock, clock_minutes
from ..run.runner import SimulationResult
from . import format as fmt

DPI = 100
WIDTH = 9.0  # inches: 900 px at DPI, readable in an e-mail or a slide

# The lines that are not KPIs; each KPI's colour is in simulator.kpi.registry.
COLORS = {
    "required": "#222222",
    "scheduled": "#7F7F7F",
    "target": "#4D4D4D",
    "predicted": "#222222",
}
# Scenarios in a comparison, and agent groups in a staffing chart, in this order.
SERIES = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")


def color(key: str) -> str:
    """The colour of a KPI (registry) or of a reference line (COLORS)."""
    record = kpi_record(key)
    return (record.color if record else None) or COLORS.get(key, SERIES[0])


def axis_label(key: str) -> str:
    """A KPI's axis label, unit in brackets ('ASA (s)')."""
    record = kpi_record(key)
    return record.axis if record else key


def _kpi_axis(ax, key: str) -> None:
    """Label the y axis of a KPI panel; percentages for fractions, else from zero."""
    ax.set_ylabel(axis_label(key))
    record = kpi_record(key)
    if record is not None and record.percent:
        _percent_axis(ax, decimals=None)
    else:
        ax.set_ylim(bottom=0)


STYLE = {
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "lines.linewidth": 2.0,
    "lines.markersize": 4.5,
}


def _styled(make: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build the figure under the house style, whatever the caller's rcParams."""

    @functools.wraps(make)
    def wrapper(*args, **kwargs) -> Figure:
        with mpl.rc_context(cast(Any, STYLE)):
            return make(*args, **kwargs)

    return wrapper


def _new(rows: int = 1, height: float = 4.2, sharex: bool = True) -> tuple[Figure, list]:
    fig = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # an off-screen canvas: the figure can be saved, never shown
    axes = fig.subplots(rows, 1, sharex=sharex, squeeze=False)[:, 0]
    return fig, list(axes)


def text(s: str) -> str:
    """A user's string as literal figure text (no $math$, not hidden from legends)."""
    s = str(s).replace("$", r"\$")
    return "\u200b" + s if s.startswith("_") else s


def clock_x(starts: Sequence[str], interval_minutes: int) -> np.ndarray:
    """x of each interval start: minutes after midnight of the first day, increasing
    past midnight, so scenarios that open at other times or use other intervals can
    share an axis."""
    return clock_minutes(starts[0]) + interval_minutes * np.arange(len(starts), dtype=float)


def clock_axis(ax, first: float, last: float, interval_minutes: int) -> None:
    """The clock (HH:MM) on the x axis, from interval start `first` to `last` (minutes),
    with at most about 12 labels on whole intervals or hours."""
    span = last - first + interval_minutes
    step = next(
        (
            s
            for s in (interval_minutes, 30, 60, 120, 180, 240, 360, 720)
            if s >= interval_minutes and span / s <= 12
        ),
        1440,
    )
    ax.xaxis.set_major_locator(MultipleLocator(step, offset=first % step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: clock(round(v))))
    ax.set_xlim(first - interval_minutes / 2, last + interval_minutes / 2)


def _interval_axis(ax, res: SimulationResult) -> np.ndarray:
    x = clock_x(res.starts, res.scenario.interval_minutes)
    clock_axis(ax, x[0], x[-1], res.scenario.interval_minutes)
    return x


def band(
    ax,
    x,
    mean,
    low,
    high,
    *,
    key: str,
    label: str,
    color: str,
    marker: str = "o",
    linestyle: str = "-",
) -> None:
    """A mean curve with its 95% CI as a shaded band (the band is omitted if all NaN)."""
    ax.plot(x, mean, marker=marker, linestyle=linestyle, color=color, label=label, gid=key)
    low, high = np.asarray(low, float), np.asarray(high, float)
    if np.isfinite(low).any():
        ax.fill_between(x, low, high, color=color, alpha=0.18, linewidth=0, gid=f"{key}_ci")


def _interval_stats(res: SimulationResult, kpi: str):
    return confidence(res.interval_samples[kpi], kpi=kpi)


def _percent_axis(ax, top: float | None = None, decimals: int | None = 0) -> None:
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=decimals))
    ax.set_ylim(0, top)


TITLE_CHARACTERS = 80  # a title longer than this wraps (bold 12 pt on a 9-inch figure)


def set_title(ax, words: str) -> None:
    """The panel's title, wrapped so a long scenario name is never cut off."""
    ax.set_title(textwrap.fill(words, TITLE_CHARACTERS, break_long_words=True))


def _ci_patch_label(ax) -> None:
    """The legend, with one grey entry standing for all the 95% CI bands."""
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(color="#888888", alpha=0.3, linewidth=0))
    labels.append("95% confidence interval")
    # beside the panel, never over a curve or a target line
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


@_styled
def service_level_figure(res: SimulationResult) -> Figure:
    """Service level per interval, its 95% CI band, and the target line."""
    sc = res.scenario
    fig, (ax,) = _new()
    x = _interval_axis(ax, res)
    mean, low, high = _interval_stats(res, "service_level")
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
    ax.axhline(
        target,
        color=color("target"),
        linestyle="--",
        linewidth=1.4,
        label=f"target {fmt.value('service_level', target)}",
        gid="target",
    )
    _percent_axis(ax, 1.05)
    ax.set_ylabel(f"answered within {sc.service_level.seconds:g} s (% of accepted)")
    ax.set_xlabel("interval start")
    set_title(ax, f"Service level per interval — {text(sc.name)}")
    _ci_patch_label(ax)
    return fig


@_styled
def asa_abandon_figure(res: SimulationResult) -> Figure:
    """ASA (seconds) above, abandon rate (%) below, per interval with 95% CI bands;
    the scenario's targets for them, where given, as dashed lines."""
    sc = res.scenario
    fig, (top, bottom) = _new(rows=2, height=5.6)
    x = _interval_axis(bottom, res)
    for ax, kpi, target in (
        (top, "asa", sc.targets.asa),
        (bottom, "abandon_rate", sc.targets.abandon_rate),
    ):
        band(
            ax,
            x,
            *_interval_stats(res, kpi),
            key=kpi,
            label=f"{REGISTRY[kpi].name} (mean)",
            color=color(kpi),
        )
        if target is not None:
            ax.axhline(
                target,
                color=color("target"),
                linestyle="--",
                linewidth=1.4,
                label=f"target {fmt.value(kpi, target)}",
                gid="target",
            )
        ax.set_ylabel(axis_label(kpi))
        ax.set_ylim(bottom=0)
        _ci_patch_label(ax)
    _percent_axis(bottom, decimals=None)
    bottom.set_xlabel("interval start")
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
) -> Figure:
    """Agents staffed per interval (bars, stacked by agent group) against the agents
    required (a step line), e.g. the Erlang requirement from `simulator.staffing`,
    and optionally the agents scheduled after shrinkage (a dashed step line).

    Plain data in, so the run report and the staffing planner draw the same chart:
    `staffed` maps a group name to its agents per interval. Without `required` the
    bars stand alone and the legend says the requirement was not given.
    """
    fig, (ax,) = _new()
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
    ax.set_xlabel("interval start")
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
