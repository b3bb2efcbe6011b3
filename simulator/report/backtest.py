"""Backtest reports: the JSON object, the tables, plots and the HTML page.

`backtest_dict(bt)` is the `--json` object; `write_backtest(bt, dir)` writes
backtest.json, backtest.csv (one row per interval), backtest.html and backtest.png,
and for a scenario with dates (a replay) backtest_by_date.csv and backtest_by_date.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..calibrate.backtest import ERROR_KPIS, KPIS, Backtest
from ..calibrate.daily import ByDate
from ..calibrate.writer import plain
from . import plots
from .calibration import band, ci_dict, num, write_json
from .html import figure_png, write_html
from .html import image as html_image
from .html import table as html_table


def backtest_dict(bt: Backtest) -> dict:
    """The backtest: per interval and for the day, observed / simulated / Erlang."""
    intervals = []
    for i, start in enumerate(bt.grid.starts):
        row: dict[str, Any] = {"start": start}
        for k in KPIS:
            row[k] = {
                "observed": ci_dict(
                    (bt.observed[k][0][i], bt.observed[k][1][i], bt.observed[k][2][i])
                ),
                "simulated": ci_dict(
                    (bt.simulated[k][0][i], bt.simulated[k][1][i], bt.simulated[k][2][i])
                ),
                "erlang_c": num(bt.erlang["erlang_c"][k][i]),
                "erlang_a": num(bt.erlang["erlang_a"][k][i]),
            }
        intervals.append(row)
    return plain(
        {
            "days": bt.days,
            "replications": bt.replications,
            "erlang_a_patience": num(bt.patience),
            "day": {
                k: {
                    "observed": ci_dict(bt.observed_day[k]),
                    "simulated": ci_dict(bt.simulated_day[k]),
                }
                for k in KPIS
            },
            "intervals": intervals,
            "mae": {k: {m: num(v) for m, v in d.items()} for k, d in bt.mae.items()},
            "noise_floor": {k: num(v) for k, v in bt.noise_floor.items()},
            "abandoned_within": {
                side: {f"{sec}s": ci_dict(ci) for sec, ci in p.items()}
                for side, p in bt.profile.items()
            },
            "units": {"service_level": "points", "abandon_rate": "points", "asa": "s"},
        }
        | ({"by_date": _by_date_dict(bt.by_date)} if bt.by_date is not None else {})
    )


def _by_date_dict(b: ByDate) -> dict:
    """Day by day: per date the log's day KPIs, the simulation's and Erlang A's."""
    dates = []
    for i, date in enumerate(b.dates):
        row: dict[str, Any] = {"date": date.isoformat()}
        for k in KPIS:
            sim = b.simulated[k]
            row[k] = {
                "observed": num(b.observed[k][i]),
                "simulated": ci_dict((sim.mean[i], sim.low[i], sim.high[i])),
            } | ({"erlang_a": num(b.erlang_a[k][i])} if k in b.erlang_a else {})
        dates.append(row)
    return {
        "dates": dates,
        "mae": {k: {m: num(v) for m, v in d.items()} for k, d in b.mae.items()},
        "noise_floor": {k: num(v) for k, v in b.noise_floor.items()},
    }


# ------------------------------------------------------------------------------ plots


TITLES = {"service_level": "Service level (%)", "asa": "ASA (s)", "abandon_rate": "Abandonment (%)"}


@plots._styled
def backtest_figure(bt: Backtest) -> Figure:
    """Service level, ASA and abandonment by interval: log, simulation, Erlang C and A."""
    fig = Figure(figsize=(plots.WIDTH, 9.0), dpi=plots.DPI, layout="constrained")
    plots.FigureCanvasAgg(fig)
    axes = fig.subplots(3, 1, sharex=True)
    x = (plots.clock_x(bt.grid.starts, bt.grid.minutes) + bt.grid.minutes / 2) / 60
    for ax, k in zip(axes, ERROR_KPIS):
        scale = 1.0 if k == "asa" else 100.0
        band(ax, x, bt.observed[k], "log (mean of days, 95% CI)", "#333333", scale)
        band(ax, x, bt.simulated[k], "simulation (95% CI)", "#0072B2", scale)
        ax.plot(x, bt.erlang["erlang_a"][k] * scale, "--", label="Erlang A", color="#D55E00")
        if k != "abandon_rate":
            ec = np.where(np.isfinite(bt.erlang["erlang_c"][k]), bt.erlang["erlang_c"][k], np.nan)
            ax.plot(x, ec * scale, ":", label="Erlang C", color="#009E73")
        ax.set_title(TITLES[k])
        ax.legend(fontsize=8)
    axes[-1].set_xlabel("hour")
    return fig


@plots._styled
def by_date_figure(b: ByDate) -> Figure:
    """Service level, ASA and abandonment per date: log, simulation (95% CI), Erlang A."""
    fig = Figure(figsize=(plots.WIDTH, 9.0), dpi=plots.DPI, layout="constrained")
    plots.FigureCanvasAgg(fig)
    axes = fig.subplots(3, 1, sharex=True)
    x = np.arange(len(b.dates))
    for ax, k in zip(axes, ERROR_KPIS):
        scale = 1.0 if k == "asa" else 100.0
        ax.plot(x, b.observed[k] * scale, "o-", label="log (the day)", color="#333333")
        band(ax, x, b.simulated[k], "simulation (95% CI)", "#0072B2", scale)
        ax.plot(x, b.erlang_a[k] * scale, "--", label="Erlang A", color="#D55E00")
        ax.set_title(TITLES[k])
        ax.legend(fontsize=8)
    axes[-1].set_xticks(x, [f"{d:%a %m-%d}" for d in b.dates], rotation=60, fontsize=7)
    return fig


# ------------------------------------------------------------------------------ pages


SIDES = ("log", "sim", "Erlang A")
MODELS = {"simulation": "simulation", "erlang_a": "Erlang A", "erlang_c": "Erlang C"}


def backtest_rows(bt: Backtest) -> tuple[list[str], list[list[str]]]:
    """The per-interval table: observed, simulated and Erlang A for SL, ASA, abandonment."""
    header = ["start"] + [f"{k} {side}" for k in ("SL", "ASA", "aband.") for side in SIDES]
    rows = []
    for i, start in enumerate(bt.grid.starts):
        row = [start]
        for k in ERROR_KPIS:
            for v in (bt.observed[k].mean[i], bt.simulated[k].mean[i], bt.erlang["erlang_a"][k][i]):
                row.append(_cell(v, k))
        rows.append(row)
    return header, rows


def by_date_rows(b: ByDate) -> tuple[list[str], list[list[str]]]:
    """The day-by-day table: log, simulation and Erlang A for SL, ASA, abandonment."""
    header = ["date"] + [f"{k} {side}" for k in ("SL", "ASA", "aband.") for side in SIDES]
    rows = []
    for i, date in enumerate(b.dates):
        row = [f"{date:%a %Y-%m-%d}"]
        for k in ERROR_KPIS:
            for v in (b.observed[k][i], b.simulated[k].mean[i], b.erlang_a[k][i]):
                row.append(_cell(v, k))
        rows.append(row)
    return header, rows


def _cell(v: float, kpi: str) -> str:
    scale, unit = (1.0, "") if kpi == "asa" else (100.0, "%")
    return f"{v * scale:.1f}{unit}" if np.isfinite(v) else "–"


def mae_table(mae: dict[str, dict[str, float]], floor: dict[str, float]) -> str:
    """Per KPI: each model's mean absolute error (simulation, Erlang A, Erlang C where
    measured), then the noise floor, as an HTML table."""
    models = [m for m in MODELS if m in next(iter(mae.values()))]
    rows = [[k] + [f"{d[m]:.1f}" for m in models] + [f"{floor[k]:.1f}"] for k, d in mae.items()]
    header = ["KPI"] + [MODELS[m] for m in models] + ["noise floor"]
    return html_table(header, rows, css="compact")


def write_backtest(bt: Backtest, out_dir: str | Path) -> list[Path]:
    """backtest.json, backtest.csv, backtest.png and backtest.html in `out_dir`; for a
    scenario with dates also backtest_by_date.csv and backtest_by_date.png."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "backtest.csv"
    bt.table().to_csv(csv, index=False, float_format="%.6g")
    png = figure_png(backtest_figure(bt))
    (out / "backtest.png").write_bytes(png)
    written = [write_json(backtest_dict(bt), out / "backtest.json"), csv, out / "backtest.png"]
    sections = [
        (
            "Mean absolute error over intervals (points; ASA in s)",
            mae_table(bt.mae, bt.noise_floor),
        ),
        ("Per interval", html_table(*backtest_rows(bt), css="compact")),
        ("Plots", html_image(png, "backtest plots")),
    ]
    if bt.by_date is not None:
        b = bt.by_date
        day_csv = out / "backtest_by_date.csv"
        b.table().to_csv(day_csv, index=False, float_format="%.6g")
        day_png = figure_png(by_date_figure(b))
        (out / "backtest_by_date.png").write_bytes(day_png)
        written += [day_csv, out / "backtest_by_date.png"]
        sections += [
            ("Day by day: mean absolute error over dates", mae_table(b.mae, b.noise_floor)),
            ("Day by day", html_table(*by_date_rows(b), css="compact")),
            ("Day by day, plotted", html_image(day_png, "backtest by date")),
        ]
    page = write_html(
        out / "backtest.html",
        "Backtest: log vs model",
        sections,
        subtitle=f"{bt.days} days observed, {bt.replications} simulated",
    )
    return [*written, page]
