"""Calibration reports: the JSON object, plots against the data, the HTML page.

`calibration_dict(cal)` is the `--json` object (every estimate with its 95% CI:
`{"mean": m, "ci95": [low, high]}`); `write_calibration(cal, dir)` writes
calibration.json, calibration.html and its plots (volumes by interval, handle time and
patience survival curves, staffing); `scenario_text(cal)` is the scenario file. The
backtest's are in `simulator.report.backtest`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..calibrate.agents import Agents
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


def num(x: Any) -> float | None:
    x = float(x)
    return round(x, 6) if math.isfinite(x) else None


def ci_dict(ci) -> dict:
    return {"mean": num(ci[0]), "ci95": [num(ci[1]), num(ci[2])]}


def _per_interval(ci) -> list[dict]:
    return [ci_dict((m, lo, hi)) for m, lo, hi in zip(*ci)]


def _volumes_dict(v: Volumes) -> dict:
    return {
        "per_interval": _per_interval(v.mean),
        "dispersion": [num(x) for x in v.dispersion],
        "busyness_cv": ci_dict(v.busyness_cv),
        "p_poisson": num(v.p_poisson),
        "modelled": v.material,
    }


def _handle_dict(h: HandleTime) -> dict:
    return {
        "mean": ci_dict(h.mean),
        "per_interval": _per_interval(h.by_interval),
        "shape": h.chosen,
        "cv": num(h.cv),
        "fits": {
            k: {"cv": num(f.cv), "aic": num(f.aic), "ks": num(f.ks)} for k, f in h.fits.items()
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
            "mean": num(np.mean(a.not_ready)) if gaps else None,
            "median": num(np.median(a.not_ready)) if gaps else None,
            "gaps": gaps,
        },
        "work_block_gap_minutes": a.gap_minutes,
        "answered_without_agent": a.unknown_agent,
    }


def _patience_dict(p: Patience) -> dict:
    return {
        "callers": p.callers,
        "abandons": p.abandons,
        "abandoner_mean_wait": num(p.abandoner_mean_wait),
        "kaplan_meier_median": num(p.km_median),
        "ratio_estimator_mean": ci_dict(p.ratio_mean),
        "fits": {
            k: {
                "mean": num(f.mean),
                "cv": num(f.cv),
                "median": num(f.median),
                "aic": num(f.aic),
            }
            for k, f in p.fits.items()
        },
        "shape": p.chosen,
        "abandoned_within": {f"{s}s": num(x) for s, x in p.profile.items()},
        "erlang_a_patience": num(p.ratio_mean.mean),
    }


def _priority_dict(hs: HeadStart) -> dict:
    return {
        "high_class": hs.high,
        "head_start_seconds": num(hs.seconds),
        "decisions": hs.decisions,
        "agreement": num(hs.agreement),
        "fifo_agreement": num(hs.fifo_agreement),
        "high_share": num(hs.share),
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


# ------------------------------------------------------------------------------ plots


def band(ax, x, ci, label: str, color: str, scale: float = 1.0) -> None:
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
    band(vol, x, cal.volumes.mean, "offered calls (mean, 95% CI)", "#0072B2")
    vol.set_title("Volumes by interval")
    vol.set_xlabel("hour")
    band(staff, x, _days_ci(cal.agents.present), "present (work blocks)", "#009E73")
    band(staff, x, _days_ci(cal.agents.served), "served a call", "#D55E00")
    xs = plots.clock_x(cal.staff_grid.starts, cal.staff_grid.minutes) / 60
    staffing = np.reshape(next(iter(cal.scenario["agents"].values()))["staffing"], (-1, len(xs)))
    label = "scenario staffing" + (" (mean over days)" if len(staffing) > 1 else "")
    staff.step(xs, staffing.mean(axis=0), where="post", label=label, color="#333333")
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
        if ax.get_legend_handles_labels()[0]:  # no patience: an empty panel, no legend
            ax.legend(fontsize=8)
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


def write_json(obj: dict, path: Path) -> Path:
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
    return [write_json(data, out / "calibration.json"), out / "calibration.png", page]


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
        label = f"priority {pr['high_class']} head start, s"
        if not pr["decisions"]:  # no answer chose between callers of both classes waiting
            rows.append((label, f"{pr['head_start_seconds']:.0f} (no choice seen to explain)"))
            return rows
        explains = f"explains {pr['agreement']:.0%} of {pr['decisions']:,} choices"
        fifo = f"first come first served {pr['fifo_agreement']:.0%}"
        rows.append((label, f"{pr['head_start_seconds']:.0f} ({explains}; {fifo})"))
    return rows
