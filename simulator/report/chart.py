"""The house style of every figure, and its building blocks: colours (the KPI's own,
from the registry), the clock axis, confidence bands, percent axes, legends beside the
panel and titles that wrap. `simulator.report.plots` draws the figures with them."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, cast

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator, PercentFormatter

from ..kpi.registry import kpi_record
from ..model.clock import clock, clock_minutes

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


def day_axis(ax, days: Sequence[tuple[str, int]], n: int, interval_minutes: int) -> np.ndarray:
    """x of each of n intervals of a horizon, side by side in time order (closed nights
    left out), each day's label at its first interval and a thin line between days."""
    x = interval_minutes * np.arange(n, dtype=float)
    ticks = [interval_minutes * first for _, first in days]
    ax.set_xticks(ticks, [text(label) for label, _ in days], ha="left")
    for tick in ticks[1:]:
        ax.axvline(tick - interval_minutes / 2, color="#bbbbbb", linewidth=0.8, zorder=0)
    ax.set_xlim(-interval_minutes / 2, (n - 0.5) * interval_minutes)
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
