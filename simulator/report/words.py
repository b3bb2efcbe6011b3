"""The scenario in words and tables: the inputs every page states before its results
(opening hours, goals, queues, agent groups, forecast and staffing)."""

from __future__ import annotations

from collections.abc import Sequence

from ..model.clock import clock, clock_minutes
from ..model.distributions import Empirical, Gamma, Lognormal, Uniform
from ..model.scenario import Distribution, Queue, Scenario
from .html import Raw, table


def describe(d: Distribution | None, none: str = "—") -> str:
    """'lognormal, mean 180 s, cv 0.6': a duration as a planner states it."""
    if d is None:
        return none
    if isinstance(d, Empirical):
        return f"empirical ({len(d.values)} values, mean {d.mean:,.0f} s)"
    cv = f", cv {d.cv:g}" if isinstance(d, Lognormal | Gamma | Uniform) else ""
    return f"{d.distribution}, mean {d.mean:,.0f} s{cv}"


def pct(p: float) -> str:
    """A fraction as a short percentage: 0.8 -> '80%'."""
    return f"{100 * p:.3g}%"


def journeys(q: Queue) -> str:
    """Where a queue's calls go next: transfers, escalation, redials, repeats, callbacks."""
    parts = [f"transfer to {t} {pct(p)}" for t, p in q.transfers.items()]
    if q.escalation:
        parts.append(f"escalate to {q.escalation.to} {pct(q.escalation.probability)}")
    if q.redial:
        parts.append(
            f"redial {pct(q.redial.probability)} after {describe(q.redial.delay)}"
            f" (≤ {q.redial.max_attempts} calls)"
        )
    if q.repeat:
        parts.append(f"repeat call {pct(q.repeat.probability)} after {describe(q.repeat.delay)}")
    if q.callback:
        parts.append(
            f"callback offered past {q.callback.threshold:g} s expected wait, "
            f"taken {pct(q.callback.acceptance)}"
        )
    return "; ".join(parts) or "—"


def handling(q: Queue) -> str:
    """The handle time, or its talk, hold and after-call-work parts with the AHT."""
    if q.handle_time is not None:
        return describe(q.handle_time)
    parts = [
        f"{name} {describe(d)}"
        for name, d in (("talk", q.talk), ("hold", q.hold), ("ACW", q.acw))
        if d is not None
    ]
    return "; ".join(parts) + f" (AHT {q.aht:,.0f} s)"


def clock_end(sc: Scenario) -> str:
    """The clock time at which the last interval ends."""
    return clock(clock_minutes(sc.open) + sc.n_intervals * sc.interval_minutes)


def hours(sc: Scenario) -> str:
    """'08:00–20:00 in 30-minute intervals' ('Mon 12-07 to Sun 12-13: 7 days in ...' for
    a horizon)."""
    if sc.horizon is None:
        return f"{sc.open}–{clock_end(sc)} in {sc.interval_minutes}-minute intervals"
    days = sc.days()
    return (
        f"{days[0].label} to {days[-1].label}: {len(days)} open days in "
        f"{sc.interval_minutes}-minute intervals"
    )


def opening_hours(sc: Scenario) -> str:
    """'08:00–20:00: 24 intervals of 30 min', or each horizon day's hours
    ('Mon 12-07 08:00–20:00, ...'; 24/7: 'open around the clock')."""
    if sc.horizon is None:
        return f"{sc.open}–{clock_end(sc)}: {sc.n_intervals} intervals of {sc.interval_minutes} min"
    days = sc.days()
    span = f"{len(days)} days, {sc.n_intervals} intervals of {sc.interval_minutes} min"
    if sc.horizon.always_open:
        return f"open around the clock ({span}): calls waiting at midnight carry over"
    each = ", ".join(f"{d.label} {d.open}–{d.close}" for d in days)
    return f"{each} ({span}; closed nights: each day starts empty)"


def goals(sc: Scenario) -> list[tuple[str, str]]:
    """The service-level goal, the other targets and the shrinkage, as (setting, value)."""
    sl, t = sc.service_level, sc.targets
    rows = [("Service-level goal", f"{pct(sl.target)} of calls answered within {sl.seconds:g} s")]
    other = [
        f"ASA ≤ {t.asa:g} s" if t.asa else "",
        f"abandon rate ≤ {pct(t.abandon_rate)}" if t.abandon_rate else "",
        f"occupancy ≤ {pct(t.occupancy_max)}" if t.occupancy_max else "",
    ]
    if any(other):
        rows.append(("Other targets", ", ".join(g for g in other if g)))
    if sc.shrinkage:
        rows.append(("Shrinkage (staffing plans)", pct(sc.shrinkage)))
    return rows


def _day_table(sc: Scenario, replications: int, seed: int) -> Raw:
    warm = sc.simulation.warmup_intervals
    day = [
        ("Opening hours", opening_hours(sc)),
        ("Trunk lines", f"{sc.lines:,}" if sc.lines else "unlimited (no busy signal)"),
        *goals(sc),
        (
            "Simulation",
            f"{replications} independent days (replications), seed {seed}"
            + (f", first {warm} interval(s) left out as warm-up" if warm else ""),
        ),
    ]
    return table(("Setting", "Value"), day, align="ll", css="keyvalue")


def _queue_table(sc: Scenario) -> Raw:
    rows = [
        (
            name,
            f"{sum(q.volumes):,.0f}",
            f"{max(q.volumes):,.0f}",
            handling(q),
            describe(q.patience, "none: nobody hangs up"),
            q.priority,
            journeys(q),
        )
        for name, q in sc.queues.items()
    ]
    header = (
        "Queue",
        "Calls forecast (day)" if sc.horizon is None else "Calls forecast (horizon)",
        "Peak interval",
        "Handle time",
        "Patience",
        "Priority",
        "Journeys",
    )
    return table(header, rows, align="lrrllrl")


def _group_table(sc: Scenario) -> Raw:
    h = sc.interval_minutes / 60
    rows = [
        (
            name,
            ", ".join(g.ranks),
            f"{min(g.staffing)}–{max(g.staffing)}",
            f"{sum(g.staffing) * h:,.1f}",
            f"{g.cost_per_hour:,.2f}" if g.cost_per_hour else "—",
        )
        for name, g in sc.agents.items()
    ]
    header = (
        "Agent group",
        "Skills (served in this order)",
        "Agents per interval",
        "Agent-hours",
        "Cost per hour",
    )
    return table(header, rows, align="llrrr")


def _forecast_table(sc: Scenario, required: Sequence[float] | None, required_label: str) -> Raw:
    skip = sc.simulation.warmup_intervals
    header = (
        ["Start" if sc.horizon is None else "Interval"]
        + [f"forecast: {q}" for q in sc.queues]
        + [f"staffed: {g}" for g in sc.agents]
        + ([required_label] if required is not None else [])
    )
    rows = []
    for i, slot in enumerate(sc.calendar()[skip:]):
        row: list = [slot.label] + [f"{q.volumes[skip + i]:,.0f}" for q in sc.queues.values()]
        row += [g.staffing[skip + i] for g in sc.agents.values()]
        if required is not None:
            row.append(f"{required[i]:,.1f}")
        rows.append(row)
    return table(header, rows, css="compact narrow")


def assumptions_html(
    sc: Scenario,
    replications: int,
    seed: int,
    required: Sequence[float] | None = None,
    required_label: str = "required",
) -> Raw:
    """The scenario's inputs as tables: the day, the queues, the agent groups, and the
    forecast and staffing per reported interval."""
    return Raw("\n").join(
        [
            _day_table(sc, replications, seed),
            Raw("<h3>Queues</h3>"),
            _queue_table(sc),
            Raw("<h3>Agent groups</h3>"),
            _group_table(sc),
            Raw("<h3>Forecast and staffing per interval</h3>"),
            _forecast_table(sc, required, required_label),
        ]
    )
