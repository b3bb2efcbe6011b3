"""Calibration and backtest reports: JSON objects, plots against the data, HTML pages.

`calibration_dict(cal)` / `backtest_dict(bt)` are the `--json` objects (every estimate
with its 95% CI: `{"mean": m, "ci95": [low, high]}`); `write_calibration(cal, dir)`
writes calibration.json, calibration.html and its plots (volumes by interval, handle
time and patience survival curves, staffing); `write_backtest(bt, dir)` writes
backtest.json, backtest.csv (one row per interval), backtest.html and backtest.png.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..calibrate.agents import Agents
from ..calibrate.backtest import ERROR_KPIS, KPIS, Backtest
from ..calibrate.calibration import Calibration
from ..calibrate.handling import HandleTime
from ..calibrate.patience import Patience
from ..calibrate.priority import HeadStart
from ..calibrate.volumes import Volumes
from ..calibrate.writer import plain
from . import plots
from .html import figure_png, write_html
from .html import image as html_image
from .html import table as html_table


def _num(x: Any) -> float | None:
    x = float(x)
    return round(x, 6) if math.isfinite(x) else None


def _ci(ci) -> dict:
    return {"mean": _num(ci[0]), "ci95": [_num(ci[1]), _num(ci[2])]}


def _per_interval(ci) -> list[dict]:
    return [_ci((m, lo, hi)) for m, lo, hi in zip(*ci)]


def _volumes_dict(v: Volumes) -> dict:
    return {
        "per_interval": _per_interval(v.mean),
        "dispersion": [_num(x) for x in v.dispersion],
        "busyness_cv": _ci(v.busyness_cv),
        "p_poisson": _num(v.p_poisson),
        "modelled": v.material,
    }


def _handle_dict(h: HandleTime) -> dict:
    return {
        "mean": _ci(h.mean),
        "per_interval": _per_interval(h.by_interval),
        "shape": h.chosen,
        "cv": _num(h.cv),
        "fits": {
            k: {"cv": _num(f.cv), "aic": _num(f.aic), "ks": _num(f.ks)} for k, f in h.fits.items()
        },
        "criterion": "lower AIC of lognormal and gamma; empirical if its KS distance > 0.05",
        "zero_seconds": h.zeros,
    }


def _agents_dict(a: Agents) -> dict:
    gaps = len(a.not_ready)
    return {
        "present": _per_interval(_days_ci(a.present)),
        "served_a_call": _per_interval(_days_ci(a.served)),
        "not_ready_share": _per_interval(_days_ci(a.not_ready_share)),
        "not_ready_seconds": {
            "mean": _num(np.mean(a.not_ready)) if gaps else None,
            "median": _num(np.median(a.not_ready)) if gaps else None,
            "gaps": gaps,
        },
        "work_block_gap_minutes": a.gap_minutes,
        "answered_without_agent": a.unknown_agent,
    }


def _patience_dict(p: Patience) -> dict:
    return {
        "callers": p.callers,
        "abandons": p.abandons,
        "abandoner_mean_wait": _num(p.abandoner_mean_wait),
        "kaplan_meier_median": _num(p.km_median),
        "ratio_estimator_mean": _ci(p.ratio_mean),
        "fits": {
            k: {
                "mean": _num(f.mean),
                "cv": _num(f.cv),
                "median": _num(f.median),
                "aic": _num(f.aic),
            }
            for k, f in p.fits.items()
        },
        "shape": p.chosen,
        "abandoned_within": {f"{s}s": _num(x) for s, x in p.profile.items()},
        "erlang_a_patience": _num(p.ratio_mean.mean),
    }


def _priority_dict(hs: HeadStart) -> dict:
    return {
        "high_class": hs.high,
        "head_start_seconds": _num(hs.seconds),
        "decisions": hs.decisions,
        "agreement": _num(hs.agreement),
        "fifo_agreement": _num(hs.fifo_agreement),
        "high_share": _num(hs.share),
    }


def calibration_dict(cal: Calibration) -> dict:
    """Every estimate of `cal` with its CI, the notes, the quirks and the scenario."""
    out: dict[str, Any] = {
        "log": cal.log.source,
        "format": cal.log.format,
        "days": len(cal.log.days),
        "weekdays": cal.weekdays,
        "interval_minutes": cal.grid.minutes,
        "open": cal.grid.open,
        "starts": cal.grid.starts,
        "quirks": cal.log.quirks,
        "calls_outside_open_intervals": cal.outside,
        "volumes": _volumes_dict(cal.volumes),
        "handle_time": _handle_dict(cal.handle),
        "agents": _agents_dict(cal.agents),
        "notes": cal.notes,
        "scenario": cal.scenario,
    }
    if cal.patience is not None:
        out["patience"] = _patience_dict(cal.patience)
    if cal.head_start is not None:
        out["priority"] = _priority_dict(cal.head_start)
    return plain(out)


def _days_ci(x: np.ndarray):
    from ..kpi.stats import confidence

    return confidence(x)


def backtest_dict(bt: Backtest) -> dict:
    """The backtest: per interval and for the day, observed / simulated / Erlang."""
    intervals = []
    for i, start in enumerate(bt.grid.starts):
        row: dict[str, Any] = {"start": start}
        for k in KPIS:
            row[k] = {
                "observed": _ci((bt.observed[k][0][i], bt.observed[k][1][i], bt.observed[k][2][i])),
                "simulated": _ci(
                    (bt.simulated[k][0][i], bt.simulated[k][1][i], bt.simulated[k][2][i])
                ),
                "erlang_c": _num(bt.erlang["erlang_c"][k][i]),
                "erlang_a": _num(bt.erlang["erlang_a"][k][i]),
            }
        intervals.append(row)
    return plain(
        {
            "days": bt.days,
            "replications": bt.replications,
            "erlang_a_patience": _num(bt.patience),
            "day": {
                k: {"observed": _ci(bt.observed_day[k]), "simulated": _ci(bt.simulated_day[k])}
                for k in KPIS
            },
            "intervals": intervals,
            "mae": {k: {m: _num(v) for m, v in d.items()} for k, d in bt.mae.items()},
            "noise_floor": {k: _num(v) for k, v in bt.noise_floor.items()},
            "abandoned_within": {
                side: {f"{sec}s": _ci(ci) for sec, ci in p.items()}
                for side, p in bt.profile.items()
            },
            "units": {"service_level": "points", "abandon_rate": "points", "asa": "s"},
        }
    )


# ------------------------------------------------------------------------------ plots


def _band(ax, x, ci, label: str, color: str, scale: float = 1.0) -> None:
    m, lo, hi = (np.asarray(c, float) * scale for c in ci)
    ax.plot(x, m, marker="o", label=label, color=color)
    ax.fill_between(x, lo, hi, alpha=0.2, color=color, linewidth=0)


def _law(name: str, mean: float, cv: float):
    """scipy's frozen law of a lognormal, gamma or exponential with this mean and cv."""
    from scipy import stats

    if name == "lognormal":
        s2 = np.log1p(cv * cv)
        return stats.lognorm(s=np.sqrt(s2), scale=mean * np.exp(-s2 / 2))
    if name == "gamma":
        return stats.gamma(1 / (cv * cv), scale=mean * cv * cv)
    return stats.expon(scale=mean)


@plots._styled
def calibration_figure(cal: Calibration) -> Figure:
    """Volumes and staffing by interval; handle-time and patience survival curves."""
    fig = Figure(figsize=(plots.WIDTH, 8.4), dpi=plots.DPI, layout="constrained")
    plots.FigureCanvasAgg(fig)
    (vol, staff), (ht, pat) = fig.subplots(2, 2)
    x = (plots.clock_x(cal.grid.starts, cal.grid.minutes) + cal.grid.minutes / 2) / 60
    _band(vol, x, cal.volumes.mean, "offered calls (mean, 95% CI)", "#0072B2")
    vol.set_title("Volumes by interval")
    vol.set_xlabel("hour")
    _band(staff, x, _days_ci(cal.agents.present), "present (work blocks)", "#009E73")
    _band(staff, x, _days_ci(cal.agents.served), "served a call", "#D55E00")
    xs = plots.clock_x(cal.staff_grid.starts, cal.staff_grid.minutes) / 60
    staffing = next(iter(cal.scenario["agents"].values()))["staffing"]
    staff.step(xs, staffing, where="post", label="scenario staffing", color="#333333")
    staff.set_title("Agents per interval")
    staff.set_xlabel("hour")
    handle = np.sort(cal.log.queued.query("outcome == 'answered'")["handle"].to_numpy())
    ht.plot(handle, 1 - np.arange(1, len(handle) + 1) / len(handle), label="log", color="#0072B2")
    top = float(np.quantile(handle, 0.99)) if len(handle) else 1.0
    t = np.linspace(0, top, 300)
    for name, style in (("lognormal", "--"), ("gamma", ":")):
        if name in cal.handle.fits:
            law = _law(name, float(cal.handle.mean.mean), cal.handle.fits[name].cv)
            ht.plot(t, law.sf(t), style, label=f"{name} fit (KS {cal.handle.fits[name].ks:.3f})")
    ht.set_xlim(0, top)
    ht.set_title(f"Handle time survival (shape: {cal.handle.chosen})")
    ht.set_xlabel("seconds")
    if cal.patience is not None:
        p = cal.patience
        pat.step(p.km_times, p.km_survival, where="post", label="Kaplan-Meier", color="#0072B2")
        t = np.linspace(0, max(p.km_times.max(), 1), 200)
        rate = 1 / p.ratio_mean.mean
        pat.plot(t, np.exp(-rate * t), "--", label="exponential, ratio estimator", color="#D55E00")
        fit = p.fits[p.chosen]
        law = _law(p.chosen, fit.mean, fit.cv)
        pat.plot(t, law.sf(t), ":", label=f"{p.chosen} fit (censored)", color="#009E73")
        pat.set_title(f"Patience survival (chosen: {p.chosen})")
        pat.set_xlabel("seconds waited")
    for ax in (vol, staff, ht, pat):
        ax.legend(fontsize=8)
    return fig


@plots._styled
def backtest_figure(bt: Backtest) -> Figure:
    """Service level, ASA and abandonment by interval: log, simulation, Erlang C and A."""
    fig = Figure(figsize=(plots.WIDTH, 9.0), dpi=plots.DPI, layout="constrained")
    plots.FigureCanvasAgg(fig)
    axes = fig.subplots(3, 1, sharex=True)
    x = (plots.clock_x(bt.grid.starts, bt.grid.minutes) + bt.grid.minutes / 2) / 60
    titles = {
        "service_level": "Service level (%)",
        "asa": "ASA (s)",
        "abandon_rate": "Abandonment (%)",
    }
    for ax, k in zip(axes, ERROR_KPIS):
        scale = 1.0 if k == "asa" else 100.0
        _band(ax, x, bt.observed[k], "log (mean of days, 95% CI)", "#333333", scale)
        _band(ax, x, bt.simulated[k], "simulation (95% CI)", "#0072B2", scale)
        ax.plot(x, bt.erlang["erlang_a"][k] * scale, "--", label="Erlang A", color="#D55E00")
        if k != "abandon_rate":
            ec = np.where(np.isfinite(bt.erlang["erlang_c"][k]), bt.erlang["erlang_c"][k], np.nan)
            ax.plot(x, ec * scale, ":", label="Erlang C", color="#009E73")
        ax.set_title(titles[k])
        ax.legend(fontsize=8)
    axes[-1].set_xlabel("hour")
    return fig


# ------------------------------------------------------------------------------ pages


CALIBRATED = "# Calibrated by `callsim calibrate` from "  # how a calibrated scenario begins


def scenario_text(cal: Calibration) -> str:
    """The calibrated scenario as YAML, under a header naming the log and the report."""
    import yaml

    header = (
        f"{CALIBRATED}{cal.log.source} ({len(cal.log.days)} days);\n"
        "# every estimate, with its 95% CI, is in the calibration report.\n"
    )
    return header + yaml.safe_dump(cal.scenario, sort_keys=False, width=100, allow_unicode=True)


def _write_json(obj: dict, path: Path) -> Path:
    path.write_text(json.dumps(obj, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


def write_calibration(cal: Calibration, out_dir: str | Path) -> list[Path]:
    """calibration.json, calibration.png and calibration.html in `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = calibration_dict(cal)
    png = figure_png(calibration_figure(cal))
    (out / "calibration.png").write_bytes(png)
    rows = [(k, f"{v:,}") for k, v in cal.log.quirks.items()]
    est = _estimate_rows(data)
    sections = [
        ("Estimates (95% CI)", html_table(["estimate", "value"], est, css="keyvalue")),
        ("Against the data", html_image(png, "calibration plots")),
        (
            "What the scenario could not say",
            "<ul>" + "".join(f"<li>{n}</li>" for n in cal.notes) + "</ul>",
        ),
        ("Reading the log", html_table(["quirk", "rows"], rows, css="compact")),
    ]
    page = write_html(out / "calibration.html", "Calibration", sections, subtitle=cal.log.source)
    return [_write_json(data, out / "calibration.json"), out / "calibration.png", page]


def _fmt(ci: dict | None, unit: str = "") -> str:
    if not ci or ci["mean"] is None:
        return "–"
    lo, hi = ci["ci95"]
    band = f" [{lo:,.3g}, {hi:,.3g}]" if lo is not None and hi is not None else ""
    return f"{ci['mean']:,.4g}{unit}{band}"


def _estimate_rows(d: dict) -> list[tuple[str, str]]:
    h, v = d["handle_time"], d["volumes"]
    rows = [
        ("days", str(d["days"])),
        (
            "calls per day (sum of interval means)",
            f"{sum(x['mean'] or 0 for x in v['per_interval']):,.0f}",
        ),
        ("busyness factor cv", _fmt(v["busyness_cv"]) + (" (modelled)" if v["modelled"] else "")),
        ("handle time, s", _fmt(h["mean"]) + f", shape {h['shape']} (cv {h['cv']:.2f})"),
    ]
    if "patience" in d:
        p = d["patience"]
        rows += [
            ("patience: ratio estimator mean, s (Erlang A input)", _fmt(p["ratio_estimator_mean"])),
            ("patience: Kaplan-Meier median, s", f"{p['kaplan_meier_median']}"),
            (
                "patience: shape chosen (lowest AIC)",
                f"{p['shape']}, mean {p['fits'][p['shape']]['mean']:,.0f} s",
            ),
            ("abandoners' mean wait, s", f"{p['abandoner_mean_wait']:.1f}"),
            (
                "abandoned within 30 / 60 / 180 s",
                " / ".join(f"{x:.0%}" for x in p["abandoned_within"].values()),
            ),
        ]
    a = d["agents"]["not_ready_seconds"]
    if a["mean"] is not None:
        rows.append(
            (
                "not-ready gap after a call while callers waited, s",
                f"mean {a['mean']:.1f}, median {a['median']:.0f} ({a['gaps']:,} gaps)",
            )
        )
    if "priority" in d:
        pr = d["priority"]
        explains = f"explains {pr['agreement']:.0%} of {pr['decisions']:,} choices"
        fifo = f"first come first served {pr['fifo_agreement']:.0%}"
        label = f"priority {pr['high_class']} head start, s"
        rows.append((label, f"{pr['head_start_seconds']:.0f} ({explains}; {fifo})"))
    return rows


def backtest_rows(bt: Backtest) -> tuple[list[str], list[list[str]]]:
    """The per-interval table: observed, simulated and Erlang A for SL, ASA, abandonment."""
    header = [
        "start",
        "SL log",
        "SL sim",
        "SL Erlang A",
        "ASA log",
        "ASA sim",
        "ASA Erlang A",
        "aband. log",
        "aband. sim",
        "aband. Erlang A",
    ]
    rows = []
    for i, start in enumerate(bt.grid.starts):
        row = [start]
        for k in ERROR_KPIS:
            scale, unit = (1.0, "") if k == "asa" else (100.0, "%")
            for v in (bt.observed[k].mean[i], bt.simulated[k].mean[i], bt.erlang["erlang_a"][k][i]):
                row.append(f"{v * scale:.1f}{unit}" if np.isfinite(v) else "–")
        rows.append(row)
    return header, rows


def write_backtest(bt: Backtest, out_dir: str | Path) -> list[Path]:
    """backtest.json, backtest.csv, backtest.png and backtest.html in `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = backtest_dict(bt)
    csv = out / "backtest.csv"
    bt.table().to_csv(csv, index=False, float_format="%.6g")
    png = figure_png(backtest_figure(bt))
    (out / "backtest.png").write_bytes(png)
    header, rows = backtest_rows(bt)
    err = [
        [
            k,
            f"{d['simulation']:.1f}",
            f"{d['erlang_a']:.1f}",
            f"{d['erlang_c']:.1f}",
            f"{bt.noise_floor[k]:.1f}",
        ]
        for k, d in bt.mae.items()
    ]
    sections = [
        (
            "Mean absolute error over intervals (points; ASA in s)",
            html_table(
                ["KPI", "simulation", "Erlang A", "Erlang C", "noise floor"], err, css="compact"
            ),
        ),
        ("Per interval", html_table(header, rows, css="compact")),
        ("Plots", html_image(png, "backtest plots")),
    ]
    page = write_html(
        out / "backtest.html",
        "Backtest: log vs model",
        sections,
        subtitle=f"{bt.days} days observed, {bt.replications} simulated",
    )
    return [_write_json(data, out / "backtest.json"), csv, out / "backtest.png", page]
