"""Report: what a run leaves behind for planners, managers and students.

`write_run(res, out_dir)` writes, into `out_dir`:

- ``summary.csv``: the day's KPIs, one row each: kpi, unit, mean, ci95_low, ci95_high.
- ``intervals.csv``: tidy (long) table, one row per interval x KPI: interval (0 = first
  reported interval), start (HH:MM), kpi, unit, mean, ci95_low, ci95_high. Long rather
  than wide so that every number keeps its CI and its unit in plain columns; pivot it
  with ``df.pivot(index="start", columns="kpi", values="mean")``.
- ``queues.csv``: the day's KPIs per queue: queue, kpi, unit, mean, ci95_low, ci95_high
  (call figures are the queue's; agents and occupancy are center-wide).
- ``calls.csv``: one row per call segment of every replication; times are seconds,
  said in the column name (``wait_s``).
- ``data_dictionary.csv``: file, column, meaning, unit for every column above, and the
  definition of every KPI.
- ``service_level.png``, ``asa_abandon.png``, ``staffing.png``, ``waits.png``: the plots
  of `simulator.plots`.
- ``report.html``: one self-contained page (CSS inline, plots embedded as PNG data),
  safe to e-mail: the scenario's assumptions, the day's KPIs and the interval KPIs,
  each with its 95% confidence interval, and the plots.

Units: "fraction" columns hold 0-1 values (0.8 is 80%), "s" seconds, "calls" call
counts, "agents" agents logged in. Fractions only become percentages on the page.

`write_compare(results, out_dir)` does the same for scenarios side by side;
`write_plan(plan, out_dir)` for a staffing plan (`callsim staff --out`: plan tables per
interval, queue and agent group with a data dictionary, staffing.png, staff.html); and
`write_plan_comparison(cmp, out_dir)` for Erlang's prediction vs the simulation
(`callsim compare SCENARIO --out`: compare_summary.csv, compare_intervals.csv with
predicted, simulated mean, CI and disagree per KPI, compare.png, compare.html).
`write_html(path, title, sections)` with `html_table` / `html_image` lets any command
build a page in the same style.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..kpi.registry import REGISTRY, UNITS
from ..kpi.stats import confidence
from ..model.clock import clock, clock_minutes
from ..model.distributions import Empirical, Gamma, Lognormal, Uniform
from ..model.scenario import Distribution, Scenario
from ..planner.compare import COMPARED, PlanComparison
from ..planner.staffing import StaffingPlan
from ..run.runner import SimulationResult
from . import format as fmt
from . import plots

TABLE_COLUMNS = {
    "kpi": ("KPI key (definitions below, as 'kpi = ...')", ""),
    "unit": ("unit of mean, ci95_low and ci95_high", ""),
    "mean": ("mean over the replications (independent simulated days)", "see unit"),
    "ci95_low": ("lower end of the 95% Student-t confidence interval of the mean", "see unit"),
    "ci95_high": ("upper end of the 95% Student-t confidence interval of the mean", "see unit"),
    "interval": ("interval number, 0 = first reported interval (after any warm-up)", ""),
    "start": ("clock time at which the interval starts", "HH:MM"),
}

CALL_COLUMNS = {
    "replication": ("simulated day, 0 = first", ""),
    "customer": ("caller id within the day (the same person across redials and repeats)", ""),
    "attempt": ("the customer's call number, 1 = first call", ""),
    "segment": ("the call's queue number, 1 = first queue (2+ after transfer or escalation)", ""),
    "queue": ("queue the call segment waited in", ""),
    "interval": (
        "interval of the arrival, 0 = the interval starting at open (warm-up intervals included)",
        "",
    ),
    "start": ("clock time at which that interval starts", "HH:MM"),
    "arrival_s": ("arrival in this queue, after open", "s"),
    "outcome": ("answered, abandoned (hung up while waiting) or blocked (busy signal)", ""),
    "wait_s": ("wait until answered or until the caller hung up", "s"),
    "agent_group": ("agent group that handled it (empty if not answered)", ""),
    "answer_s": ("time the agent took the call, after open (empty if not answered)", "s"),
    "talk_s": ("caller with the agent: talk + hold (0 if not answered)", "s"),
    "handle_s": ("agent busy time: talk + hold + after-call work (0 if not answered)", "s"),
    "next": ("where the call went after this segment: transfer, escalation, or empty", ""),
    "callback": ("answered by a call back (virtual hold)", "true/false"),
    "unresolved": (
        "served, but the customer will call again or gave up at the attempt cap",
        "true/false",
    ),
}
QUEUE_COLUMNS = {
    "queue": ("queue name; call figures are the queue's, agents and occupancy center-wide", "")
}

# Figures in the headline tiles (good when high or low: the registry says).
HEADLINE = ("service_level", "asa", "abandon_rate", "occupancy")

RUN_FILES = (
    "summary.csv",
    "intervals.csv",
    "queues.csv",
    "calls.csv",
    "data_dictionary.csv",
    "service_level.png",
    "asa_abandon.png",
    "staffing.png",
    "waits.png",
    "report.html",
)


# ---------------------------------------------------------------- tables (plain data)


def summary_table(res: SimulationResult) -> pd.DataFrame:
    """The day's KPIs: kpi, unit, mean, ci95_low, ci95_high (units of simulator.kpi)."""
    df = res.summary.reset_index()
    df.insert(1, "unit", [UNITS.get(k, "") for k in df["kpi"]])
    return df


def interval_table(res: SimulationResult) -> pd.DataFrame:
    """One row per interval x KPI: interval, start, kpi, unit, mean, ci95_low, ci95_high."""
    df = res.intervals
    df.insert(3, "unit", [UNITS.get(k, "") for k in df["kpi"]])
    return df


def queue_table(res: SimulationResult) -> pd.DataFrame:
    """The day's KPIs per queue: queue, kpi, unit, mean, ci95_low, ci95_high."""
    rows = [
        (q, k, UNITS.get(k, ""), *(float(x) for x in confidence(v, kpi=k)))
        for q, samples in res.queue_samples.items()
        for k, v in samples.items()
    ]
    return pd.DataFrame(rows, columns=["queue", "kpi", "unit", "mean", "ci95_low", "ci95_high"])


def call_table(res: SimulationResult) -> pd.DataFrame:
    """The per-call records, with the clock time of each call's interval added."""
    calls = res.calls
    starts = np.array(res.scenario.interval_starts())
    calls.insert(
        calls.columns.get_loc("interval") + 1, "start", starts[calls["interval"].to_numpy()]
    )
    return calls


def data_dictionary(kpis: Iterable[str], call_columns: Iterable[str]) -> pd.DataFrame:
    """file, column, meaning, unit: every column written, and every KPI's definition."""
    rows = []
    for file, columns in (
        ("summary.csv", ("kpi", "unit", "mean", "ci95_low", "ci95_high")),
        ("intervals.csv", ("interval", "start", "kpi", "unit", "mean", "ci95_low", "ci95_high")),
        ("queues.csv", ("queue", "kpi", "unit", "mean", "ci95_low", "ci95_high")),
    ):
        rows += [(file, c, *(TABLE_COLUMNS | QUEUE_COLUMNS)[c]) for c in columns]
    rows += [
        ("calls.csv", c, *CALL_COLUMNS.get(c, ("see simulator.runner", ""))) for c in call_columns
    ]
    rows += [
        (
            "summary.csv, intervals.csv, queues.csv",
            f"kpi = {k}",
            REGISTRY[k].definition if k in REGISTRY else "",
            UNITS.get(k, ""),
        )
        for k in kpis
    ]
    return pd.DataFrame(rows, columns=["file", "column", "meaning", "unit"])


# ---------------------------------------------------------------- HTML building blocks


class Raw(str):
    """HTML that `html_table` puts in a cell as is (everything else is escaped)."""


def _cell(x) -> str:
    return x if isinstance(x, Raw) else html.escape(str(x))


def html_table(
    header: Sequence[str], rows: Iterable[Sequence], align: str = "", css: str = ""
) -> Raw:
    """A table. `align` gives each column's alignment, "l" text or "r" number (default:
    the first column text, the others numbers). Cells are escaped unless `Raw`."""

    def row(cells, tag):
        return (
            "<tr>"
            + "".join(
                f"<{tag}{' class=num' if (align or 'l').ljust(len(cells), 'r')[i] == 'r' else ''}>"
                f"{_cell(c)}</{tag}>"
                for i, c in enumerate(cells)
            )
            + "</tr>"
        )

    body = "\n".join(row(r, "td") for r in rows)
    return Raw(
        f'<div class="scroll"><table class="{css}"><thead>{row(header, "th")}'
        f"</thead>\n<tbody>\n{body}\n</tbody></table></div>"
    )


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at the plots' resolution (100 dpi)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=plots.DPI)
    return buf.getvalue()


def html_image(png: bytes, alt: str, caption: str = "") -> Raw:
    """A PNG embedded in the page (base64), with an optional caption."""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return Raw(
        f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">{cap}</figure>'
    )


CSS = """
:root { --ink:#1d2430; --muted:#5b6575; --line:#e2e6ed; --head:#f1f4f8;
        --accent:#0072B2; --bg:#eef1f5; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
main { max-width:1080px; margin:24px auto; padding:32px 40px 40px; background:#fff;
       border-radius:10px; box-shadow:0 1px 3px rgba(20,30,50,.08); }
header { border-bottom:3px solid var(--accent); padding-bottom:14px; margin-bottom:8px; }
.kicker { text-transform:uppercase; letter-spacing:.08em; font-size:12px; font-weight:600;
          color:var(--accent); }
h1 { font-size:26px; line-height:1.25; margin:4px 0 6px; }
.meta { color:var(--muted); margin:0; }
.lead { margin:10px 0 0; }
h2 { font-size:18px; margin:34px 0 12px; padding-bottom:6px; border-bottom:1px solid var(--line); }
h3 { font-size:15px; margin:22px 0 8px; }
p.note { color:var(--muted); font-size:13px; margin:6px 0 12px; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; font-size:13px; }
th, td { padding:6px 10px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
thead th { background:var(--head); font-weight:600; color:#2c3545; border-bottom:1px solid #cfd6e0; }
td.num, th.num { text-align:right; white-space:nowrap; }
tbody tr:nth-child(even) td { background:#fafbfc; }
table.keyvalue td:first-child { width:230px; color:var(--muted); }
table.compact td, table.compact th { padding:4px 10px; }
table.narrow { width:auto; min-width:40%; }
.tiles { display:grid; grid-template-columns:repeat(auto-fit,minmax(210px,1fr)); gap:14px; margin:18px 0 6px; }
.tile { border:1px solid var(--line); border-top:4px solid var(--c); border-radius:8px; padding:12px 16px; }
.tile .name { color:var(--muted); font-size:13px; font-weight:600; }
.tile .value { font-size:30px; font-weight:700; line-height:1.2; margin:2px 0; }
.tile .ci { color:var(--muted); font-size:12px; }
.badge { display:inline-block; margin-top:6px; padding:1px 9px; border-radius:10px; font-size:12px; font-weight:600; }
.ok { background:#e2f3e8; color:#17643a; } .warn { background:#fff1d1; color:#7d5300; }
.bad { background:#fde3df; color:#9e2616; }
figure { margin:16px 0 26px; }
figure img { display:block; width:100%; max-width:900px; height:auto; margin:0 auto;
             border:1px solid var(--line); border-radius:6px; }
figcaption { color:var(--muted); font-size:13px; max-width:900px; margin:6px auto 0; }
details { margin:8px 0; } summary { cursor:pointer; font-weight:600; }
footer { margin-top:36px; padding-top:12px; border-top:1px solid var(--line);
         color:var(--muted); font-size:12px; }
code { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; }
@media print { body { background:#fff; } main { box-shadow:none; margin:0; max-width:none; }
               figure, table, .tiles { break-inside:avoid; } }
"""


def _version() -> str:
    try:
        return metadata.version("callsim")
    except metadata.PackageNotFoundError:
        return "dev"


def write_html(
    path: str | Path,
    title: str,
    sections: Sequence[tuple[str, str]],
    subtitle: str = "",
    kicker: str = "callsim report",
    footer: str = "",
) -> Path:
    """Write one self-contained HTML page: a header, then `sections` as (heading, HTML
    body) pairs. `title`, `subtitle`, `kicker`, `footer` and headings are plain text
    (escaped here); bodies are HTML, built with `html_table` / `html_image`."""
    esc = html.escape
    parts = [f"<h2>{esc(h)}</h2>\n{body}" if h else body for h, body in sections]
    foot = esc(footer) + " " if footer else ""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
<div class="kicker">{esc(kicker)}</div>
<h1>{esc(title)}</h1>
{f'<p class="meta">{esc(subtitle)}</p>' if subtitle else ""}
</header>
{chr(10).join(parts)}
<footer>{foot}Made with callsim {esc(_version())}.</footer>
</main>
</body>
</html>
"""
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the scenario in words


def describe(d: Distribution | None, none: str = "—") -> str:
    """'lognormal, mean 180 s, cv 0.6': a duration as a planner states it."""
    if d is None:
        return none
    if isinstance(d, Empirical):
        return f"empirical ({len(d.values)} values, mean {d.mean:,.0f} s)"
    cv = f", cv {d.cv:g}" if isinstance(d, Lognormal | Gamma | Uniform) else ""
    return f"{d.distribution}, mean {d.mean:,.0f} s{cv}"


def _pct(p: float) -> str:
    return f"{100 * p:.3g}%"


def _journeys(q) -> str:
    parts = [f"transfer to {t} {_pct(p)}" for t, p in q.transfers.items()]
    if q.escalation:
        parts.append(f"escalate to {q.escalation.to} {_pct(q.escalation.probability)}")
    if q.redial:
        parts.append(
            f"redial {_pct(q.redial.probability)} after {describe(q.redial.delay)}"
            f" (≤ {q.redial.max_attempts} calls)"
        )
    if q.repeat:
        parts.append(f"repeat call {_pct(q.repeat.probability)} after {describe(q.repeat.delay)}")
    if q.callback:
        parts.append(
            f"callback offered past {q.callback.threshold:g} s expected wait, "
            f"taken {_pct(q.callback.acceptance)}"
        )
    return "; ".join(parts) or "—"


def _handling(q) -> str:
    if q.handle_time is not None:
        return describe(q.handle_time)
    parts = [
        f"{name} {describe(d)}"
        for name, d in (("talk", q.talk), ("hold", q.hold), ("ACW", q.acw))
        if d is not None
    ]
    return "; ".join(parts) + f" (AHT {q.aht:,.0f} s)"


def _clock_end(sc: Scenario) -> str:
    return clock(clock_minutes(sc.open) + sc.n_intervals * sc.interval_minutes)


def _goals(sc: Scenario) -> list[tuple[str, str]]:
    """The service-level goal, the other targets and the shrinkage, as (setting, value)."""
    sl, t = sc.service_level, sc.targets
    rows = [("Service-level goal", f"{_pct(sl.target)} of calls answered within {sl.seconds:g} s")]
    goals = [
        f"ASA ≤ {t.asa:g} s" if t.asa else "",
        f"abandon rate ≤ {_pct(t.abandon_rate)}" if t.abandon_rate else "",
        f"occupancy ≤ {_pct(t.occupancy_max)}" if t.occupancy_max else "",
    ]
    if any(goals):
        rows.append(("Other targets", ", ".join(g for g in goals if g)))
    if sc.shrinkage:
        rows.append(("Shrinkage (staffing plans)", _pct(sc.shrinkage)))
    return rows


def assumptions_html(
    sc: Scenario,
    replications: int,
    seed: int,
    required: Sequence[float] | None = None,
    required_label: str = "required",
) -> Raw:
    """The scenario's inputs as tables: the day, the queues, the agent groups, and the
    forecast and staffing per reported interval."""
    day = [
        (
            "Opening hours",
            f"{sc.open}–{_clock_end(sc)}: {sc.n_intervals} intervals of {sc.interval_minutes} min",
        ),
        ("Trunk lines", f"{sc.lines:,}" if sc.lines else "unlimited (no busy signal)"),
        *_goals(sc),
    ]
    warm = sc.simulation.warmup_intervals
    day.append(
        (
            "Simulation",
            f"{replications} independent days (replications), seed {seed}"
            + (f", first {warm} interval(s) left out as warm-up" if warm else ""),
        )
    )
    out = [html_table(("Setting", "Value"), day, align="ll", css="keyvalue")]

    queues = [
        (
            name,
            f"{sum(q.volumes):,.0f}",
            f"{max(q.volumes):,.0f}",
            _handling(q),
            describe(q.patience, "none: nobody hangs up"),
            q.priority,
            _journeys(q),
        )
        for name, q in sc.queues.items()
    ]
    out.append("<h3>Queues</h3>")
    out.append(
        html_table(
            (
                "Queue",
                "Calls forecast (day)",
                "Peak interval",
                "Handle time",
                "Patience",
                "Priority",
                "Journeys",
            ),
            queues,
            align="lrrllrl",
        )
    )
    hours = sc.interval_minutes / 60
    groups = [
        (
            name,
            ", ".join(g.ranks),
            f"{min(g.staffing)}–{max(g.staffing)}",
            f"{sum(g.staffing) * hours:,.1f}",
            f"{g.cost_per_hour:,.2f}" if g.cost_per_hour else "—",
        )
        for name, g in sc.agents.items()
    ]
    out.append("<h3>Agent groups</h3>")
    out.append(
        html_table(
            (
                "Agent group",
                "Skills (served in this order)",
                "Agents per interval",
                "Agent-hours",
                "Cost per hour",
            ),
            groups,
            align="llrrr",
        )
    )

    skip = warm
    starts = sc.interval_starts()[skip:]
    header = (
        ["Start"]
        + [f"forecast: {q}" for q in sc.queues]
        + [f"staffed: {g}" for g in sc.agents]
        + ([required_label] if required is not None else [])
    )
    rows = []
    for i, start in enumerate(starts):
        row = [start] + [f"{q.volumes[skip + i]:,.0f}" for q in sc.queues.values()]
        row += [g.staffing[skip + i] for g in sc.agents.values()]
        if required is not None:
            row.append(f"{required[i]:,.1f}")
        rows.append(row)
    out.append("<h3>Forecast and staffing per interval</h3>")
    out.append(html_table(header, rows, css="compact narrow"))
    return Raw("\n".join(out))


# ---------------------------------------------------------------- the results in words


def _status(kpi: str, good: str | None, target: float | None, low: float, high: float) -> str:
    """A badge saying whether the 95% CI clears the target, misses it, or straddles it."""
    if good is None or target is None or not (math.isfinite(low) and math.isfinite(high)):
        return ""
    t = ("≤ " if good == "low" else "") + fmt.value(kpi, target)
    above, below = low >= target, high <= target
    if (good == "high" and above) or (good == "low" and below):
        return f'<span class="badge ok">meets target {t}</span>'
    if (good == "high" and below) or (good == "low" and above):
        return f'<span class="badge bad">misses target {t}</span>'
    return f'<span class="badge warn">too close to call vs {t}</span>'


def headline_html(res: SimulationResult) -> Raw:
    """Tiles with the day's key figures, their CIs, and their targets where given."""
    sc, summary = res.scenario, res.summary
    targets = {
        "service_level": sc.service_level.target,
        "asa": sc.targets.asa,
        "abandon_rate": sc.targets.abandon_rate,
        "occupancy": sc.targets.occupancy_max,
    }
    names = {
        "service_level": f"Service level ({sc.service_level.seconds:g} s)",
        "asa": "Average speed of answer",
        "abandon_rate": "Abandon rate",
        "occupancy": "Agent occupancy",
    }
    tiles = []
    for kpi in HEADLINE:
        if kpi not in summary.index:
            continue
        good = {True: "high", False: "low"}.get(REGISTRY[kpi].higher_is_better)
        m, lo, hi = summary.loc[kpi, ["mean", "ci95_low", "ci95_high"]]
        value = fmt.value(kpi, m) + (" s" if UNITS.get(kpi) == "s" and math.isfinite(m) else "")
        tiles.append(
            f'<div class="tile" style="--c:{plots.color(kpi)}">'
            f'<div class="name">{html.escape(names[kpi])}</div>'
            f'<div class="value">{html.escape(value)}</div>'
            f'<div class="ci">95% CI {html.escape(fmt.interval(kpi, lo, hi))}</div>'
            f"{_status(kpi, good, targets.get(kpi), lo, hi)}</div>"
        )
    return Raw('<div class="tiles">' + "".join(tiles) + "</div>")


def summary_html(res: SimulationResult) -> Raw:
    rows = [
        (
            fmt.label(k),
            fmt.value(k, r["mean"]),
            fmt.interval(k, r["ci95_low"], r["ci95_high"]),
            REGISTRY[k].definition if k in REGISTRY else "",
        )
        for k, r in res.summary.iterrows()
    ]
    return html_table(("KPI", "Mean", "95% CI", "Definition"), rows, align="lrrl")


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


def queues_html(res: SimulationResult) -> Raw:
    """The day's key figures per queue (mean, CI below it), one column per queue."""
    table = queue_table(res).set_index(["kpi", "queue"])
    rows = []
    for k in QUEUE_KPIS:
        if k not in table.index.get_level_values(0):
            continue
        cells = [fmt.label(k)]
        for q in res.queue_samples:
            m, lo, hi = table.loc[(k, q), ["mean", "ci95_low", "ci95_high"]]
            cells.append(_mean_ci(k, m, lo, hi))
        rows.append(cells)
    return html_table(["KPI"] + list(res.queue_samples), rows, css="narrow")


def _mean_ci(kpi: str, mean: float, low: float, high: float) -> Raw:
    """A table cell: the mean, and its 95% CI in small print below it."""
    return Raw(
        f"{html.escape(fmt.value(kpi, mean))}<br><small>"
        f"{html.escape(fmt.interval(kpi, low, high))}</small>"
    )


def intervals_html(res: SimulationResult) -> Raw:
    kpis, rows = fmt.interval_rows(res)
    return html_table(["Start"] + [fmt.label(k) for k in kpis], rows, css="compact")


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


def _save_figures(figures: Mapping[str, Figure], out: Path) -> dict[str, bytes]:
    pngs = {}
    for name, fig in figures.items():
        pngs[name] = figure_png(fig)
        (out / name).write_bytes(pngs[name])
    return pngs


def _csv(df: pd.DataFrame, path: Path, **kwargs) -> Path:
    df.to_csv(path, index=False, **kwargs)
    return path


def _subtitle(res: SimulationResult) -> str:
    sc = res.scenario
    return (
        f"{sc.open}–{_clock_end(sc)} in {sc.interval_minutes}-minute intervals · "
        f"{res.replications} simulated days, seed {res.seed} · "
        f"every figure: mean and 95% confidence interval"
    )


def write_run(
    res: SimulationResult,
    out_dir: str | Path,
    required: Sequence[float] | None = None,
    required_label: str = "required",
) -> list[Path]:
    """Write the CSV tables, plots and report.html of a run into `out_dir` (created if
    needed); return the paths written, in the order of RUN_FILES.

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
        _csv(summary_table(res), out / "summary.csv"),
        _csv(interval_table(res), out / "intervals.csv"),
        _csv(queue_table(res), out / "queues.csv"),
        _csv(calls, out / "calls.csv", float_format="%.6f"),
        _csv(data_dictionary(res.summary.index, calls.columns), out / "data_dictionary.csv"),
    ]
    pngs = _save_figures(run_figures(res, required, required_label), out)
    written += [out / name for name in pngs]

    sc = res.scenario
    lead = f'<p class="lead">{html.escape(sc.description)}</p>' if sc.description else ""
    sections = [
        ("", lead + headline_html(res)),
        ("Assumptions", assumptions_html(sc, res.replications, res.seed, required, required_label)),
        (
            "The day",
            Raw(
                '<p class="note">Mean over the simulated days, with the 95% '
                "Student-t confidence interval of that mean.</p>"
            )
            + summary_html(res),
        ),
        *(
            [
                (
                    "Per queue",
                    Raw(
                        '<p class="note">Mean, and below it the 95% confidence '
                        "interval. A transferred call counts in every queue it "
                        "passes through.</p>"
                    )
                    + queues_html(res),
                )
            ]
            if len(sc.queues) > 1
            else []
        ),
        (
            "Per interval",
            Raw(
                '<p class="note">Mean ± half-width of the 95% confidence '
                "interval; intervals are labelled by their start.</p>"
            )
            + intervals_html(res),
        ),
        (
            "Plots",
            "\n".join(
                html_image(png, name.removesuffix(".png"), CAPTIONS[name])
                for name, png in pngs.items()
            ),
        ),
        ("Files", _files_html(written + [out / "report.html"])),
    ]
    written.append(write_html(out / "report.html", sc.name, sections, subtitle=_subtitle(res)))
    return written


def _files_html(
    paths: Sequence[Path],
    note: str = "column meanings and units in <code>data_dictionary.csv</code>",
) -> Raw:
    return Raw(
        f'<p class="note">Written next to this page ({note}): '
        + ", ".join(f"<code>{html.escape(p.name)}</code>" for p in paths)
        + ".</p>"
    )


# ---------------------------------------------------------------- scenarios compared


def compare_tables(results: Mapping[str, SimulationResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(side by side, long): the day's KPIs with one mean/ci95_low/ci95_high column
    triple per scenario; and every interval KPI of every scenario, tidy."""
    kpis = list(dict.fromkeys(k for r in results.values() for k in r.summary.index))
    wide = pd.DataFrame({"kpi": kpis, "unit": [UNITS.get(k, "") for k in kpis]})
    for name, res in results.items():
        s = res.summary.reindex(kpis)
        for col in ("mean", "ci95_low", "ci95_high"):
            wide[f"{name} {col}"] = s[col].to_numpy()
    long = pd.concat(
        [interval_table(r).assign(scenario=name) for name, r in results.items()], ignore_index=True
    )
    long = long[["scenario"] + [c for c in long.columns if c != "scenario"]]
    return wide, long


def write_compare(
    results: Mapping[str, SimulationResult],
    out_dir: str | Path,
    kpis: Sequence[str] = ("service_level", "asa", "abandon_rate"),
) -> list[Path]:
    """Write scenarios side by side into `out_dir`: compare_summary.csv (one column
    triple per scenario), compare_intervals.csv (tidy, with a scenario column),
    compare.png, and compare.html. `results` maps a label (e.g. the file name) to a
    run; labels are used as given, in order."""
    if len(results) < 1:
        raise ValueError("results: give at least one scenario")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wide, long = compare_tables(results)
    written = [_csv(wide, out / "compare_summary.csv"), _csv(long, out / "compare_intervals.csv")]
    pngs = _save_figures({"compare.png": plots.compare_figure(results, kpis)}, out)
    written.append(out / "compare.png")

    names = list(results)
    overview = [
        (
            name,
            r.scenario.name,
            f"{r.scenario.open}–{_clock_end(r.scenario)}",
            f"{r.scenario.interval_minutes} min",
            r.replications,
            r.seed,
        )
        for name, r in results.items()
    ]
    rows = []
    for _, row in wide.iterrows():
        k = row["kpi"]
        cells = [fmt.label(k)]
        for name in names:
            cells.append(
                _mean_ci(k, *(row[f"{name} {c}"] for c in ("mean", "ci95_low", "ci95_high")))
            )
        rows.append(cells)
    details = "\n".join(
        f"<details><summary>{html.escape(name)}: {html.escape(r.scenario.name)}</summary>"
        f"{assumptions_html(r.scenario, r.replications, r.seed)}</details>"
        for name, r in results.items()
    )
    sections = [
        (
            "Scenarios",
            html_table(
                ("Label", "Scenario", "Hours", "Intervals", "Days simulated", "Seed"),
                overview,
                align="llllrr",
            ),
        ),
        (
            "The day, side by side",
            Raw(
                '<p class="note">Mean, and below it the 95% '
                "confidence interval. Where two intervals overlap, "
                "the difference may be chance.</p>"
            )
            + html_table(["KPI"] + names, rows, css="narrow"),
        ),
        (
            "Per interval",
            html_image(
                pngs["compare.png"],
                "compare",
                "Each scenario's curve with its 95% confidence band.",
            ),
        ),
        ("Assumptions", Raw(details)),
        (
            "Files",
            _files_html(
                written + [out / "compare.html"], "units in each table's <code>unit</code> column"
            ),
        ),
    ]
    written.append(
        write_html(
            out / "compare.html",
            "Scenarios compared: " + " vs ".join(names),
            sections,
            subtitle="every figure: mean and 95% confidence interval",
        )
    )
    return written


# ---------------------------------------------------------------- staffing plans

PLAN_FILES = (
    "plan_intervals.csv",
    "plan_queues.csv",
    "plan_groups.csv",
    "data_dictionary.csv",
    "staffing.png",
    "staff.html",
)

# A plan's figures -> (CSV column, meaning, unit): the unit is in the name where it has one.
PLAN_COLUMNS = {
    "offered": (
        "offered_calls",
        "calls offered: the forecast (× volume scale) plus calls transferred or escalated in",
        "calls",
    ),
    "load": ("load_erlangs", "offered calls × AHT ÷ interval length: agents kept busy", "Erlangs"),
    "required": (
        "required_agents",
        "productive agents logged in needed to meet every target",
        "agents",
    ),
    "scheduled": (
        "scheduled_agents",
        "required ÷ (1 − shrinkage), rounded up: agents to put on the schedule",
        "agents",
    ),
    **{
        k: (
            f"{k}_s" if UNITS[k] == "s" else k,
            f"{REGISTRY[k].definition}, at the required agents (predicted, or simulated mean)",
            UNITS[k],
        )
        for k in ("service_level", "asa", "abandon_rate", "occupancy")
    },
}
PLAN_OTHER_COLUMNS = {
    "queue": ("queue", ""),
    "group": ("agent group", ""),
    "interval": ("interval number, 0 = the interval starting at open", ""),
    "start": TABLE_COLUMNS["start"],
    "staffed_agents": ("agents logged in as the scenario file staffs them", "agents"),
    "on_shift_agents": (
        "agents working on the shift plan (--shifts), shrinkage included",
        "agents",
    ),
    "logged_in_agents": (
        "agents logged in as planned: what --write puts in agents.GROUP.staffing",
        "agents",
    ),
}
METHOD_WORDS = {
    "erlang-c": "Erlang C (M/M/n): callers never hang up",
    "erlang-a": "Erlang A (M/M/n+M): callers hang up after an exponential "
    "patience with the file's mean",
}


def plan_tables(p: StaffingPlan) -> dict[str, pd.DataFrame]:
    """File name -> table of a plan: the center per interval, each queue per interval,
    each agent group per interval. Simulated KPIs come with _ci95_low/_ci95_high."""
    sc = p.scenario
    n = range(len(p.starts))

    def frame(columns: Mapping[str, np.ndarray], figures, **first) -> pd.DataFrame:
        df = pd.DataFrame({**first, "interval": n, "start": p.starts})
        for key, (name, _, _) in PLAN_COLUMNS.items():
            df[name] = columns[key]
            if figures and key in figures:
                df[f"{name}_ci95_low"], df[f"{name}_ci95_high"] = figures[key][1:]
        return df

    center = frame(p.total, p.figures())
    center["staffed_agents"] = np.sum([g.staffing for g in sc.agents.values()], axis=0)
    if p.shifts:
        center["on_shift_agents"] = np.sum([s.staffing for s in p.shifts.values()], axis=0)
    columns = p.queue_columns()
    queues = pd.concat(
        [
            frame({k: v[i] for k, v in columns.items()}, p.figures(i), queue=q)
            for i, q in enumerate(p.queues)
        ],
        ignore_index=True,
    )
    logged_in = p.staffing  # a property that rebuilds: read once
    groups = pd.concat(
        [
            pd.DataFrame(
                {
                    "group": g,
                    "interval": n,
                    "start": p.starts,
                    "required_agents": p.group_required[g],
                    "scheduled_agents": p.group_scheduled[g],
                    "logged_in_agents": logged_in[g],
                    "staffed_agents": sc.agents[g].staffing,
                }
            )
            for g in sc.agents
        ],
        ignore_index=True,
    )
    return {"plan_intervals.csv": center, "plan_queues.csv": queues, "plan_groups.csv": groups}


def plan_dictionary(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """file, column, meaning, unit for every column of the plan's tables."""
    known = {name: (meaning, unit) for name, meaning, unit in PLAN_COLUMNS.values()}
    known |= PLAN_OTHER_COLUMNS
    rows = []
    for file, df in tables.items():
        for column in df.columns:
            base, _, end = column.partition("_ci95_")
            meaning, unit = known[base]
            if end:
                meaning = (
                    f"{'lower' if end == 'low' else 'upper'} end of the 95% "
                    f"confidence interval of the simulated {base}"
                )
            rows.append((file, column, meaning, unit))
    return pd.DataFrame(rows, columns=["file", "column", "meaning", "unit"])


def plan_figure(p: StaffingPlan) -> Figure:
    """The file's staffing (bars) against the plan's required and scheduled agents."""
    sc, total = p.scenario, p.total
    return plots.staffing_figure(
        p.starts,
        sc.interval_minutes,
        {g: a.staffing for g, a in sc.agents.items()},
        total["required"],
        scheduled=total["scheduled"],
        required_label=f"required ({p.method})",
        title=f"Staffing in the file vs the {p.method} plan — {plots.text(sc.name)}",
    )


def _method_words(p: StaffingPlan) -> str:
    if p.search is None:
        return METHOD_WORDS[p.method]
    res, search = p.search.result, p.search
    return (
        f"simulation search from the {search.start} requirement: {search.simulations} "
        f"trials of the same {res.replications} simulated days (seed {res.seed})"
        + ("" if search.converged else ", stopped before the end (see the notes)")
    )


def write_plan(p: StaffingPlan, out_dir: str | Path) -> list[Path]:
    """Write a staffing plan into `out_dir`: plan_intervals.csv, plan_queues.csv,
    plan_groups.csv, data_dictionary.csv, staffing.png and staff.html (PLAN_FILES)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = plan_tables(p)
    written = [_csv(df, out / name) for name, df in tables.items()]
    written.append(_csv(plan_dictionary(tables), out / "data_dictionary.csv"))
    pngs = _save_figures({"staffing.png": plan_figure(p)}, out)
    written.append(out / "staffing.png")

    sc, total = p.scenario, p.total
    hours = sc.interval_minutes / 60
    settings = [
        ("Method", _method_words(p)),
        *_goals(sc),
        *([("Volume scale", f"forecast × {p.volume_scale:g}")] if p.volume_scale != 1 else []),
        (
            "Agent-hours",
            f"{total['required'].sum() * hours:,.1f} required, "
            f"{total['scheduled'].sum() * hours:,.1f} scheduled; "
            f"{tables['plan_intervals.csv']['staffed_agents'].sum() * hours:,.1f}"
            " staffed in the file",
        ),
    ]
    at = (
        "simulated at the required agents: mean ± half-width of the 95% confidence interval"
        if p.search
        else f"predicted by {p.method} at the required agents"
    )
    header, rows = fmt.plan_rows(p)
    sections = [
        ("", html_table(("Setting", "Value"), settings, align="ll", css="keyvalue")),
        (
            "Per interval",
            Raw(
                f'<p class="note">Required: productive agents logged in; '
                f"scheduled: after shrinkage. KPIs {at}.</p>"
            )
            + html_table(header, rows, css="compact"),
        ),
        (
            "Staffing",
            html_image(
                pngs["staffing.png"],
                "staffing",
                "The scenario's staffing (bars, by agent group) against the "
                "plan's required agents and the agents to schedule.",
            ),
        ),
    ]
    if len(p.queues) > 1:
        sections.append(
            (
                "Per queue",
                Raw(
                    "\n".join(
                        f"<details><summary>{html.escape(q)}</summary>"
                        f"{html_table(*fmt.plan_rows(p, i), css='compact')}</details>"
                        for i, q in enumerate(p.queues)
                    )
                ),
            )
        )
    logged_in = p.staffing  # a property that rebuilds: read once
    sections.append(
        (
            "Agent groups",
            html_table(
                ["Start"]
                + [f"{g}: {c}" for g in sc.agents for c in ("required", "scheduled", "logged in")],
                [
                    [s]
                    + [
                        v[i]
                        for g in sc.agents
                        for v in (p.group_required[g], p.group_scheduled[g], logged_in[g])
                    ]
                    for i, s in enumerate(p.starts)
                ],
                css="compact",
            ),
        )
    )
    for g, shift in (p.shifts or {}).items():
        frame = shift.table()
        sections.append(
            (
                f"Shifts of {g}",
                Raw(
                    f'<p class="note">Cost {shift.cost:,.2f}, {shift.paid_hours:,.1f} paid hours'
                    + ("" if shift.optimal else " (best found, not proved optimal)")
                    + ".</p>"
                )
                + html_table(
                    ["Shift"] + list(frame.columns),
                    [[name, *row] for name, row in frame.iterrows()],
                ),
            )
        )
    if p.notes:
        sections.append(
            (
                "Notes",
                Raw("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in p.notes) + "</ul>"),
            )
        )
    sections.append(("Files", _files_html(written + [out / "staff.html"])))
    written.append(
        write_html(
            out / "staff.html",
            f"Staffing plan: {sc.name}",
            sections,
            subtitle=f"{p.method} · {sc.open}–{_clock_end(sc)} in "
            f"{sc.interval_minutes}-minute intervals",
            kicker="callsim staff",
        )
    )
    return written


# ---------------------------------------------------------------- Erlang vs simulation

COMPARE_FILES = ("compare_summary.csv", "compare_intervals.csv", "compare.png", "compare.html")
PREDICTION_COLUMNS = ["kpi", "unit", "predicted", "mean", "ci95_low", "ci95_high", "disagree"]


def prediction_tables(cmp: PlanComparison) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(day, per interval): each compared KPI's prediction beside the simulated mean and
    95% CI, and whether they disagree; tidy, one row per (interval,) KPI."""
    res = cmp.simulated
    day = pd.DataFrame(
        [(k, UNITS.get(k, ""), *cmp.day_figures(k)) for k in COMPARED], columns=PREDICTION_COLUMNS
    )
    figures = {k: cmp.figures(k) for k in COMPARED}  # once per KPI, not per interval
    rows = [
        (i, s, cmp.agents[i], k, UNITS.get(k, ""), *(col[i] for col in figures[k]))
        for k in COMPARED
        for i, s in enumerate(res.starts)
    ]
    return day, pd.DataFrame(rows, columns=["interval", "start", "agents"] + PREDICTION_COLUMNS)


def write_plan_comparison(cmp: PlanComparison, out_dir: str | Path) -> list[Path]:
    """Write Erlang's prediction vs the simulation into `out_dir`: compare_summary.csv,
    compare_intervals.csv, compare.png and compare.html (COMPARE_FILES)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    day, intervals = prediction_tables(cmp)
    written = [
        _csv(day, out / "compare_summary.csv"),
        _csv(intervals, out / "compare_intervals.csv"),
    ]
    res, sc = cmp.simulated, cmp.simulated.scenario
    shown = {k: cmp.figures(k)[:4] for k in ("service_level", "abandon_rate")}
    pngs = _save_figures(
        {
            "compare.png": plots.prediction_figure(
                res.starts,
                sc.interval_minutes,
                shown,
                method=cmp.method,
                targets={
                    "service_level": sc.service_level.target,
                    "abandon_rate": sc.targets.abandon_rate,
                },
                title=f"{cmp.method} vs simulation — {plots.text(sc.name)}",
            )
        },
        out,
    )
    written.append(out / "compare.png")

    header = ["Start", "agents"] + [
        f"{fmt.label(k)} {w}" for k in COMPARED for w in (cmp.method, "simulated")
    ]
    day_rows = [
        (
            fmt.label(k),
            fmt.value(k, pred),
            fmt.value(k, mean),
            fmt.interval(k, low, high),
            {True: "yes", False: "no"}.get(flag, "–"),
        )
        for k, _, pred, mean, low, high, flag in day.itertuples(index=False, name=None)
    ]
    note = Raw(
        '<p class="note">Erlang at the scenario\'s own staffing beside the '
        "simulated mean and its 95% confidence interval; * marks a prediction "
        "outside the interval by more than a rounding gap.</p>"
    )
    sections = [
        (
            "The day",
            note
            + html_table(
                ("KPI", cmp.method, "simulated", "95% CI", "disagree"), day_rows, css="narrow"
            ),
        ),
        ("Per interval", html_table(header, fmt.comparison_rows(cmp, COMPARED), css="compact")),
        (
            "Plot",
            html_image(
                pngs["compare.png"],
                "compare",
                f"{cmp.method}'s prediction (dashed) against the simulated "
                "mean and its 95% confidence band, per interval.",
            ),
        ),
        ("Assumptions", assumptions_html(sc, res.replications, res.seed)),
        (
            "Files",
            _files_html(
                written + [out / "compare.html"], "units in each table's <code>unit</code> column"
            ),
        ),
    ]
    scale = "" if cmp.volume_scale == 1 else f", volumes × {cmp.volume_scale:g}"
    written.append(
        write_html(
            out / "compare.html",
            f"{cmp.method} vs simulation: {sc.name}",
            sections,
            subtitle=_subtitle(res) + scale,
            kicker="callsim compare",
        )
    )
    return written
