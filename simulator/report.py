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

`write_compare(results, out_dir)` does the same for scenarios side by side, and
`write_html(path, title, sections)` with `html_table` / `html_image` lets any command
build a page in the same style.
"""

from __future__ import annotations

import base64
import html
import io
import math
from importlib import metadata
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import format as fmt
from . import plots
from .kpi import UNITS, confidence
from .runner import SimulationResult
from .scenario import Distribution, Scenario, clock_minutes

# The words of PRODUCT.md: one definition per KPI, in the CSV dictionary and the page.
DEFINITIONS = {
    "offered": "calls that arrived, blocked ones included",
    "blocked": "calls refused because all lines were in use (busy signal)",
    "blocked_rate": "blocked ÷ offered",
    "accepted": "offered − blocked",
    "answered": "accepted calls that reached an agent",
    "abandoned": "accepted calls whose caller hung up while waiting",
    "abandon_rate": "abandoned ÷ accepted",
    "service_level": "calls answered within the threshold ÷ accepted "
                     "(an abandoned call is a miss)",
    "asa": "average speed of answer: mean wait of answered calls",
    "aht": "average handle time of answered calls: talk + hold + after-call work",
    "occupancy": "agent time spent handling calls ÷ agent time logged in",
    "transfer_rate": "handled calls that were transferred ÷ answered",
    "escalation_rate": "handled calls that were escalated ÷ answered",
    "fcr": "customers resolved on their first call, with no transfer, escalation "
           "or repeat call ÷ customers",
    "longest_wait": "the longest wait of any call, answered or abandoned",
    "avg_queue": "time-average number of calls waiting",
    "agents": "agents logged in (mean over the interval)",
    "cost": "agents' paid logged-in time plus trunk lines, at the given hourly costs",
    "cost_per_call": "staffed agent cost ÷ answered calls",
    "calls": "phone calls (a transferred call counts once, in its first queue)",
    "customers": "people calling, counted by their first call",
}

TABLE_COLUMNS = {
    "kpi": ("KPI key (definitions below, as 'kpi = ...')", ""),
    "unit": ("unit of mean, ci95_low and ci95_high", ""),
    "mean": ("mean over the replications (independent simulated days)", "see unit"),
    "ci95_low": ("lower end of the 95% Student-t confidence interval of the mean",
                 "see unit"),
    "ci95_high": ("upper end of the 95% Student-t confidence interval of the mean",
                  "see unit"),
    "interval": ("interval number, 0 = first reported interval (after any warm-up)", ""),
    "start": ("clock time at which the interval starts", "HH:MM"),
}

CALL_COLUMNS = {
    "replication": ("simulated day, 0 = first", ""),
    "customer": ("caller id within the day (the same person across redials and repeats)", ""),
    "attempt": ("the customer's call number, 1 = first call", ""),
    "segment": ("the call's queue number, 1 = first queue (2+ after transfer or "
                "escalation)", ""),
    "queue": ("queue the call segment waited in", ""),
    "interval": ("interval of the arrival, 0 = the interval starting at open "
                 "(warm-up intervals included)", ""),
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
    "unresolved": ("served, but the customer will call again or gave up at the attempt "
                   "cap", "true/false"),
}
QUEUE_COLUMNS = {"queue": ("queue name; call figures are the queue's, agents and "
                           "occupancy center-wide", "")}

# Columns of the interval table on the page; blocked only where lines are limited.
INTERVAL_KPIS = ("offered", "answered", "service_level", "asa", "abandon_rate",
                 "blocked_rate", "occupancy", "avg_queue", "agents")
# Figures in the headline tiles, and the direction that is good for each.
HEADLINE = {"service_level": "high", "asa": "low", "abandon_rate": "low", "occupancy": "low"}

RUN_FILES = ("summary.csv", "intervals.csv", "queues.csv", "calls.csv", "data_dictionary.csv",
             "service_level.png", "asa_abandon.png", "staffing.png", "waits.png",
             "report.html")


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
    rows = [(q, k, UNITS.get(k, ""), *(float(x) for x in confidence(v)))
            for q, samples in res.queue_samples.items() for k, v in samples.items()]
    return pd.DataFrame(rows, columns=["queue", "kpi", "unit", "mean", "ci95_low",
                                       "ci95_high"])


def call_table(res: SimulationResult) -> pd.DataFrame:
    """The per-call records, with the clock time of each call's interval added."""
    calls = res.calls
    starts = np.array(res.scenario.interval_starts())
    calls.insert(calls.columns.get_loc("interval") + 1, "start",
                 starts[calls["interval"].to_numpy()])
    return calls


def data_dictionary(kpis: Iterable[str], call_columns: Iterable[str]) -> pd.DataFrame:
    """file, column, meaning, unit: every column written, and every KPI's definition."""
    rows = []
    for file, columns in (("summary.csv", ("kpi", "unit", "mean", "ci95_low", "ci95_high")),
                          ("intervals.csv", ("interval", "start", "kpi", "unit", "mean",
                                             "ci95_low", "ci95_high")),
                          ("queues.csv", ("queue", "kpi", "unit", "mean", "ci95_low",
                                          "ci95_high"))):
        rows += [(file, c, *(TABLE_COLUMNS | QUEUE_COLUMNS)[c]) for c in columns]
    rows += [("calls.csv", c, *CALL_COLUMNS.get(c, ("see simulator.runner", "")))
             for c in call_columns]
    rows += [("summary.csv, intervals.csv, queues.csv", f"kpi = {k}", DEFINITIONS.get(k, ""),
              UNITS.get(k, "")) for k in kpis]
    return pd.DataFrame(rows, columns=["file", "column", "meaning", "unit"])


# ---------------------------------------------------------------- HTML building blocks

class Raw(str):
    """HTML that `html_table` puts in a cell as is (everything else is escaped)."""


def _cell(x) -> str:
    return x if isinstance(x, Raw) else html.escape(str(x))


def html_table(header: Sequence[str], rows: Iterable[Sequence], align: str = "",
               css: str = "") -> Raw:
    """A table. `align` gives each column's alignment, "l" text or "r" number (default:
    the first column text, the others numbers). Cells are escaped unless `Raw`."""
    def row(cells, tag):
        return "<tr>" + "".join(
            f'<{tag}{" class=num" if (align or "l").ljust(len(cells), "r")[i] == "r" else ""}>'
            f"{_cell(c)}</{tag}>" for i, c in enumerate(cells)) + "</tr>"
    body = "\n".join(row(r, "td") for r in rows)
    return Raw(f'<div class="scroll"><table class="{css}"><thead>{row(header, "th")}'
               f"</thead>\n<tbody>\n{body}\n</tbody></table></div>")


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at the plots' resolution (100 dpi)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=plots.DPI)
    return buf.getvalue()


def html_image(png: bytes, alt: str, caption: str = "") -> Raw:
    """A PNG embedded in the page (base64), with an optional caption."""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return Raw(f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
               f"{cap}</figure>")


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


def write_html(path: str | Path, title: str, sections: Sequence[tuple[str, str]],
               subtitle: str = "", kicker: str = "callsim report", footer: str = "") -> Path:
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
{f'<p class="meta">{esc(subtitle)}</p>' if subtitle else ''}
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
    if d.distribution == "empirical":
        return f"empirical ({len(d.values)} values, mean {d.expected:,.0f} s)"
    cv = f", cv {d.cv:g}" if d.cv is not None and d.distribution not in ("exponential",
                                                                          "deterministic") else ""
    return f"{d.distribution}, mean {d.mean:,.0f} s{cv}"


def _pct(p: float) -> str:
    return f"{100 * p:.3g}%"


def _journeys(q) -> str:
    parts = [f"transfer to {t} {_pct(p)}" for t, p in q.transfers.items()]
    if q.escalation:
        parts.append(f"escalate to {q.escalation.to} {_pct(q.escalation.probability)}")
    if q.redial:
        parts.append(f"redial {_pct(q.redial.probability)} after {describe(q.redial.delay)}"
                     f" (≤ {q.redial.max_attempts} calls)")
    if q.repeat:
        parts.append(f"repeat call {_pct(q.repeat.probability)} after "
                     f"{describe(q.repeat.delay)}")
    if q.callback:
        parts.append(f"callback offered past {q.callback.threshold:g} s expected wait, "
                     f"taken {_pct(q.callback.acceptance)}")
    return "; ".join(parts) or "—"


def _handling(q) -> str:
    if q.handle_time is not None:
        return describe(q.handle_time)
    parts = [f"{name} {describe(d)}" for name, d in
             (("talk", q.talk), ("hold", q.hold), ("ACW", q.acw)) if d is not None]
    return "; ".join(parts) + f" (AHT {q.aht:,.0f} s)"


def _clock_end(sc: Scenario) -> str:
    end = clock_minutes(sc.open) + sc.n_intervals * sc.interval_minutes
    return f"{(end // 60) % 24:02d}:{end % 60:02d}"


def assumptions_html(sc: Scenario, replications: int, seed: int,
                     required: Sequence[float] | None = None) -> Raw:
    """The scenario's inputs as tables: the day, the queues, the agent groups, and the
    forecast and staffing per reported interval."""
    sl = sc.service_level
    day = [("Opening hours", f"{sc.open}–{_clock_end(sc)}: {sc.n_intervals} intervals of "
                             f"{sc.interval_minutes} min"),
           ("Service-level goal", f"{_pct(sl.target)} of calls answered within {sl.seconds:g} s"),
           ("Trunk lines", f"{sc.lines:,}" if sc.lines else "unlimited (no busy signal)")]
    t = sc.targets
    goals = [f"ASA ≤ {t.asa:g} s" if t.asa else "",
             f"abandon rate ≤ {_pct(t.abandon_rate)}" if t.abandon_rate else "",
             f"occupancy ≤ {_pct(t.occupancy_max)}" if t.occupancy_max else ""]
    if any(goals):
        day.append(("Other targets", ", ".join(g for g in goals if g)))
    if sc.shrinkage:
        day.append(("Shrinkage (staffing plans)", _pct(sc.shrinkage)))
    warm = sc.simulation.warmup_intervals
    day.append(("Simulation", f"{replications} independent days (replications), seed {seed}"
                + (f", first {warm} interval(s) left out as warm-up" if warm else "")))
    out = [html_table(("Setting", "Value"), day, align="ll", css="keyvalue")]

    queues = [(name, f"{sum(q.volumes):,.0f}", f"{max(q.volumes):,.0f}", _handling(q),
               describe(q.patience, "none: nobody hangs up"), q.priority, _journeys(q))
              for name, q in sc.queues.items()]
    out.append("<h3>Queues</h3>")
    out.append(html_table(("Queue", "Calls forecast (day)", "Peak interval",
                           "Handle time", "Patience", "Priority", "Journeys"),
                          queues, align="lrrllrl"))
    hours = sc.interval_minutes / 60
    groups = [(name, ", ".join(g.ranks), f"{min(g.staffing)}–{max(g.staffing)}",
               f"{sum(g.staffing) * hours:,.1f}",
               f"{g.cost_per_hour:,.2f}" if g.cost_per_hour else "—")
              for name, g in sc.agents.items()]
    out.append("<h3>Agent groups</h3>")
    out.append(html_table(("Agent group", "Skills (served in this order)",
                           "Agents per interval", "Agent-hours", "Cost per hour"),
                          groups, align="llrrr"))

    skip = warm
    starts = sc.interval_starts()[skip:]
    header = (["Start"] + [f"forecast: {q}" for q in sc.queues]
              + [f"staffed: {g}" for g in sc.agents]
              + (["required"] if required is not None else []))
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

def _status(kpi: str, good: str | None, target: float | None, low: float, high: float
            ) -> str:
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
    targets = {"service_level": sc.service_level.target, "asa": sc.targets.asa,
               "abandon_rate": sc.targets.abandon_rate, "occupancy": sc.targets.occupancy_max}
    names = {"service_level": f"Service level ({sc.service_level.seconds:g} s)",
             "asa": "Average speed of answer", "abandon_rate": "Abandon rate",
             "occupancy": "Agent occupancy"}
    tiles = []
    for kpi, good in HEADLINE.items():
        if kpi not in summary.index:
            continue
        m, lo, hi = summary.loc[kpi, ["mean", "ci95_low", "ci95_high"]]
        value = fmt.value(kpi, m) + (" s" if UNITS.get(kpi) == "s" and math.isfinite(m) else "")
        tiles.append(
            f'<div class="tile" style="--c:{plots.COLORS[kpi]}">'
            f'<div class="name">{html.escape(names[kpi])}</div>'
            f'<div class="value">{html.escape(value)}</div>'
            f'<div class="ci">95% CI {html.escape(fmt.interval(kpi, lo, hi))}</div>'
            f'{_status(kpi, good, targets.get(kpi), lo, hi)}</div>')
    return Raw('<div class="tiles">' + "".join(tiles) + "</div>")


def summary_html(res: SimulationResult) -> Raw:
    rows = [(fmt.LABELS.get(k, k), fmt.value(k, r["mean"]),
             fmt.interval(k, r["ci95_low"], r["ci95_high"]), DEFINITIONS.get(k, ""))
            for k, r in res.summary.iterrows()]
    return html_table(("KPI", "Mean", "95% CI", "Definition"), rows, align="lrrl")


QUEUE_KPIS = ("offered", "answered", "service_level", "asa", "abandon_rate", "aht",
              "transfer_rate", "escalation_rate")


def queues_html(res: SimulationResult) -> Raw:
    """The day's key figures per queue (mean, CI below it), one column per queue."""
    table = queue_table(res).set_index(["kpi", "queue"])
    rows = []
    for k in QUEUE_KPIS:
        if k not in table.index.get_level_values(0):
            continue
        cells = [fmt.LABELS.get(k, k)]
        for q in res.queue_samples:
            m, lo, hi = table.loc[(k, q), ["mean", "ci95_low", "ci95_high"]]
            cells.append(_mean_ci(k, m, lo, hi))
        rows.append(cells)
    return html_table(["KPI"] + list(res.queue_samples), rows, css="narrow")


def _mean_ci(kpi: str, mean: float, low: float, high: float) -> Raw:
    """A table cell: the mean, and its 95% CI in small print below it."""
    return Raw(f"{html.escape(fmt.value(kpi, mean))}<br><small>"
               f"{html.escape(fmt.interval(kpi, low, high))}</small>")


def interval_kpis(res: SimulationResult) -> list[str]:
    """The KPIs of the interval table (blocked only when lines are limited)."""
    return [k for k in INTERVAL_KPIS if k in res.interval_samples
            and (k != "blocked_rate" or res.scenario.lines is not None)]


def intervals_html(res: SimulationResult) -> Raw:
    kpis = interval_kpis(res)
    wide = res.intervals.pivot(index="interval", columns="kpi")
    rows = [[start] + [fmt.with_half_width(k, wide["mean"][k][i], wide["ci95_low"][k][i],
                                            wide["ci95_high"][k][i]) for k in kpis]
            for i, start in enumerate(res.starts)]
    return html_table(["Start"] + [fmt.LABELS.get(k, k) for k in kpis], rows, css="compact")


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


def run_figures(res: SimulationResult, required: Sequence[float] | None = None
                ) -> dict[str, Figure]:
    """The run report's plots, by file name."""
    return {"service_level.png": plots.service_level_figure(res),
            "asa_abandon.png": plots.asa_abandon_figure(res),
            "staffing.png": plots.run_staffing_figure(res, required),
            "waits.png": plots.wait_figure(res)}


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
    return (f"{sc.open}–{_clock_end(sc)} in {sc.interval_minutes}-minute intervals · "
            f"{res.replications} simulated days, seed {res.seed} · "
            f"every figure: mean and 95% confidence interval")


def write_run(res: SimulationResult, out_dir: str | Path,
              required: Sequence[float] | None = None) -> list[Path]:
    """Write the CSV tables, plots and report.html of a run into `out_dir` (created if
    needed); return the paths written, in the order of RUN_FILES.

    `required`: agents required per reported interval (e.g. the Erlang C requirement),
    drawn against the staffing and listed with the inputs.
    """
    if required is not None and len(required) != len(res.starts):
        raise ValueError(f"required: has {len(required)} intervals, the run reports "
                         f"{len(res.starts)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    calls = call_table(res)
    written = [_csv(summary_table(res), out / "summary.csv"),
               _csv(interval_table(res), out / "intervals.csv"),
               _csv(queue_table(res), out / "queues.csv"),
               _csv(calls, out / "calls.csv", float_format="%.6f"),
               _csv(data_dictionary(res.summary.index, calls.columns),
                    out / "data_dictionary.csv")]
    pngs = _save_figures(run_figures(res, required), out)
    written += [out / name for name in pngs]

    sc = res.scenario
    lead = (f'<p class="lead">{html.escape(sc.description)}</p>' if sc.description else "")
    sections = [
        ("", lead + headline_html(res)),
        ("Assumptions", assumptions_html(sc, res.replications, res.seed, required)),
        ("The day", Raw('<p class="note">Mean over the simulated days, with the 95% '
                        "Student-t confidence interval of that mean.</p>")
         + summary_html(res)),
        *([("Per queue", Raw('<p class="note">Mean, and below it the 95% confidence '
                              "interval. A transferred call counts in every queue it "
                              "passes through.</p>") + queues_html(res))]
          if len(sc.queues) > 1 else []),
        ("Per interval", Raw('<p class="note">Mean ± half-width of the 95% confidence '
                             "interval; intervals are labelled by their start.</p>")
         + intervals_html(res)),
        ("Plots", "\n".join(html_image(png, name.removesuffix(".png"), CAPTIONS[name])
                            for name, png in pngs.items())),
        ("Files", _files_html(written + [out / "report.html"])),
    ]
    written.append(write_html(out / "report.html", sc.name, sections,
                              subtitle=_subtitle(res)))
    return written


def _files_html(paths: Sequence[Path], note: str = "column meanings and units in "
                                                  "<code>data_dictionary.csv</code>") -> Raw:
    return Raw(f'<p class="note">Written next to this page ({note}): '
               + ", ".join(f"<code>{html.escape(p.name)}</code>" for p in paths) + ".</p>")


# ---------------------------------------------------------------- scenarios compared

def compare_tables(results: Mapping[str, SimulationResult]
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(side by side, long): the day's KPIs with one mean/ci95_low/ci95_high column
    triple per scenario; and every interval KPI of every scenario, tidy."""
    kpis = list(dict.fromkeys(k for r in results.values() for k in r.summary.index))
    wide = pd.DataFrame({"kpi": kpis, "unit": [UNITS.get(k, "") for k in kpis]})
    for name, res in results.items():
        s = res.summary.reindex(kpis)
        for col in ("mean", "ci95_low", "ci95_high"):
            wide[f"{name} {col}"] = s[col].to_numpy()
    long = pd.concat([interval_table(r).assign(scenario=name)
                      for name, r in results.items()], ignore_index=True)
    long = long[["scenario"] + [c for c in long.columns if c != "scenario"]]
    return wide, long


def write_compare(results: Mapping[str, SimulationResult], out_dir: str | Path,
                  kpis: Sequence[str] = ("service_level", "asa", "abandon_rate")
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
    written = [_csv(wide, out / "compare_summary.csv"),
               _csv(long, out / "compare_intervals.csv")]
    pngs = _save_figures({"compare.png": plots.compare_figure(results, kpis)}, out)
    written.append(out / "compare.png")

    names = list(results)
    overview = [(name, r.scenario.name, f"{r.scenario.open}–{_clock_end(r.scenario)}",
                 f"{r.scenario.interval_minutes} min", r.replications, r.seed)
                for name, r in results.items()]
    rows = []
    for _, row in wide.iterrows():
        k = row["kpi"]
        cells = [fmt.LABELS.get(k, k)]
        for name in names:
            cells.append(_mean_ci(k, *(row[f"{name} {c}"]
                                       for c in ("mean", "ci95_low", "ci95_high"))))
        rows.append(cells)
    details = "\n".join(
        f"<details><summary>{html.escape(name)}: {html.escape(r.scenario.name)}</summary>"
        f"{assumptions_html(r.scenario, r.replications, r.seed)}</details>"
        for name, r in results.items())
    sections = [
        ("Scenarios", html_table(("Label", "Scenario", "Hours", "Intervals",
                                  "Days simulated", "Seed"), overview, align="llllrr")),
        ("The day, side by side", Raw('<p class="note">Mean, and below it the 95% '
                                      "confidence interval. Where two intervals overlap, "
                                      "the difference may be chance.</p>")
         + html_table(["KPI"] + names, rows, css="narrow")),
        ("Per interval", html_image(pngs["compare.png"], "compare",
                                    "Each scenario's curve with its 95% confidence band.")),
        ("Assumptions", Raw(details)),
        ("Files", _files_html(written + [out / "compare.html"],
                              "units in each table's <code>unit</code> column")),
    ]
    written.append(write_html(out / "compare.html", "Scenarios compared: "
                              + " vs ".join(names), sections,
                              subtitle="every figure: mean and 95% confidence interval"))
    return written
