"""The staffing plan's files: `write_plan(plan, out_dir)` (`callsim staff --out`) writes
plan tables per interval, queue and agent group with a data dictionary, staffing.png
and staff.html."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from ..planner.shifts import ShiftPlan
from ..planner.staffing import StaffingPlan
from . import format as fmt
from . import plots
from .html import Raw, bullets, details, files_note, image, note, table, write_html
from .run_page import save_figures
from .tables.common import write_csv
from .tables.plan import plan_dictionary, plan_tables
from .words import goals, hours

SHIFT_FILES = ("plan_shifts.csv",)  # with --shifts, beside PLAN_FILES
PLAN_FILES = (
    "plan_intervals.csv",
    "plan_queues.csv",
    "plan_groups.csv",
    "plan_totals.csv",
    "data_dictionary.csv",
    "staffing.png",
    "staff.html",
)
METHOD_WORDS = {
    "erlang-c": "Erlang C (M/M/n): callers never hang up",
    "erlang-a": "Erlang A (M/M/n+M): callers hang up after an exponential "
    "patience with the file's mean",
}


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
        days=None if sc.horizon is None else [(d.label, d.first) for d in sc.days()],
    )


def method_words(p: StaffingPlan) -> str:
    """How the plan was made, in a sentence."""
    if p.search is None:
        return METHOD_WORDS[p.method]
    res, search = p.search.result, p.search
    return (
        f"simulation search from the {search.start} requirement: {search.simulations} "
        f"trials of the same {res.replications} simulated days (seed {res.seed})"
        + ("" if search.converged else ", stopped before the end (see the notes)")
    )


def _settings(p: StaffingPlan, staffed_sum: float) -> Raw:
    sc, total = p.scenario, p.total
    h = sc.interval_minutes / 60
    rows = [
        ("Method", method_words(p)),
        *goals(sc),
        *([("Volume scale", f"forecast × {p.volume_scale:g}")] if p.volume_scale != 1 else []),
        (
            "Agent-hours",
            f"{total['required'].sum() * h:,.1f} required, "
            f"{total['scheduled'].sum() * h:,.1f} scheduled; "
            f"{staffed_sum * h:,.1f} staffed in the file",
        ),
    ]
    return table(("Setting", "Value"), rows, align="ll", css="keyvalue")


def _per_interval(p: StaffingPlan) -> Raw:
    at = (
        f"simulated at {p.at_words}: mean ± half-width of the 95% confidence interval"
        if p.search
        else f"predicted by {p.method} at {p.at_words}"
    )
    header, rows = fmt.plan_rows(p)
    return note(
        f"Required: productive agents logged in; scheduled: after shrinkage. KPIs {at}."
        + days_words(p)
    ) + table(header, rows, css="compact")


def days_words(p: StaffingPlan) -> str:
    """What the 'days met' column is, in a sentence ('' without a busyness cv)."""
    if p.days_share is None or p.busyness_cv is None:
        return ""
    how = (
        f"counted on the {p.search.result.replications} simulated days of the verification"
        if p.search
        else f"by {p.method} (steady state)"
    )
    planned = "" if p.days_meeting is None else f"; planned for at least {100 * p.days_meeting:g}%"
    return (
        f" Days met: the share of days meeting every target with a daily busyness cv of "
        f"{100 * p.busyness_cv:g}%, {how}{planned}"
        + ("; the centre's: the worst queue's." if len(p.queues) > 1 else ".")
    )


def _groups(p: StaffingPlan) -> Raw:
    groups = p.scenario.agents
    logged_in = p.staffing  # a property that rebuilds: read once
    header = ["Start"] + [
        f"{g}: {c}" for g in groups for c in ("required", "scheduled", "logged in")
    ]
    rows = [
        [s]
        + [v[i] for g in groups for v in (p.group_required[g], p.group_scheduled[g], logged_in[g])]
        for i, s in enumerate(fmt.labels(p.scenario, p.starts))
    ]
    return table(header, rows, css="compact")


def shift_section(group: str, shift: ShiftPlan) -> tuple[str, str]:
    """One agent group's shifts: cost and paid hours, then one row per shift pattern."""
    words = f"Cost {fmt.money(shift.cost)}, {shift.paid_hours:,.1f} paid hours" + (
        "" if shift.optimal else " (best found, not proved optimal)"
    )
    header, rows = fmt.shift_rows(shift)
    align = "lll" + "r" * (len(header) - 4) + "l"  # the break times are text
    return f"Shifts of {group}", note(words + ".") + table(header, rows, align=align)


def totals_section(p: StaffingPlan) -> tuple[str, str]:
    """Headcount, FTE, paid hours and cost per agent group and in total."""
    assert p.totals is not None
    header, rows = fmt.totals_rows(p.totals)
    return "Totals", note(fmt.fte_words(p.totals) + ".") + table(header, rows, align="l")


def write_plan(p: StaffingPlan, out_dir: str | Path) -> list[Path]:
    """Write a staffing plan into `out_dir`: plan_intervals.csv, plan_queues.csv,
    plan_groups.csv, data_dictionary.csv, staffing.png and staff.html (PLAN_FILES)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = plan_tables(p)
    written = [write_csv(df, out / name) for name, df in tables.items()]
    written.append(write_csv(plan_dictionary(tables), out / "data_dictionary.csv"))
    pngs = save_figures({"staffing.png": plan_figure(p)}, out)
    written.append(out / "staffing.png")

    sc = p.scenario
    staffed = float(tables["plan_intervals.csv"]["staffed_agents"].sum())
    sections: list[tuple[str, str]] = [
        ("", _settings(p, staffed)),
        ("Per interval", _per_interval(p)),
        (
            "Staffing",
            image(
                pngs["staffing.png"],
                "staffing",
                "The scenario's staffing (bars, by agent group) against the "
                "plan's required agents and the agents to schedule.",
            ),
        ),
    ]
    if len(p.queues) > 1:
        folded = (
            details(q, table(*fmt.plan_rows(p, i), css="compact")) for i, q in enumerate(p.queues)
        )
        sections.append(("Per queue", Raw("\n").join(folded)))
    if p.day_share is not None:
        header, rows = fmt.day_share_rows(p)
        sections.append(("Whole days", note(fmt.day_share_words(p)) + table(header, rows)))
    sections.append(("Agent groups", _groups(p)))
    sections += [shift_section(g, s) for g, s in (p.shifts or {}).items()]
    if p.totals is not None:
        sections.append(totals_section(p))
    if p.notes:
        sections.append(("Notes", bullets(p.notes)))
    sections.append(("Files", files_note(written + [out / "staff.html"])))
    written.append(
        write_html(
            out / "staff.html",
            f"Staffing plan: {sc.name}",
            sections,
            subtitle=f"{p.method} · {hours(sc)}",
            kicker="callsim staff",
        )
    )
    return written
