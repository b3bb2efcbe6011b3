"""Problems of size and shape a field's own type cannot see: counts beyond the limits
of `simulator.model.limits`, names that would forge a message line, shifts that do not
fit their day (`shift_fit`), and runs too big for memory. (Durations check their own bounds:
`simulator.model.distributions`.)"""

from __future__ import annotations

import unicodedata

from . import limits
from .journeys import journey_problems, segments_per_day
from .scenario import Scenario
from .shift_fit import fit_problems


def _bad_name(name: str) -> bool:
    return any(unicodedata.category(ch)[0] == "C" for ch in name)


def name_problems(sc: Scenario) -> list[str]:
    """Names with control characters (a newline would forge a message line)."""
    problems = []
    named = [("name", sc.name)] + [
        (f"{part}.{key}", key)
        for part, keys in (
            ("queues", sc.queues),
            ("agents", sc.agents),
            ("shifts", sc.shifts),
            ("roster.shifts", sc.roster and sc.roster.shifts),
            ("roster.activities", sc.roster and sc.roster.activities),
        )
        for key in keys or {}
    ]
    for where, name in named:
        if _bad_name(name):
            problems.append(f"{where}: a name must not hold control characters (newline, tab...)")
    return problems


def size_problems(sc: Scenario) -> list[str]:
    """Counts beyond the limits: intervals, queues, groups, volumes, agents, attempts."""
    problems = []
    if sc.n_intervals > limits.MAX_INTERVALS:
        problems.append(
            f"queues: {sc.n_intervals} intervals, at most {limits.MAX_INTERVALS} "
            "(a week of 15-minute intervals)"
        )
    for part, count, top in (
        ("queues", len(sc.queues), limits.MAX_QUEUES),
        ("agents", len(sc.agents), limits.MAX_GROUPS),
    ):
        if count > top:
            problems.append(f"{part}: {count} entries, at most {top}")
    if sc.lines is not None and sc.lines > limits.MAX_LINES:
        problems.append(f"lines: must be <= {limits.MAX_LINES:,}")
    for name, q in sc.queues.items():
        problems += _first_over(
            q.volumes, limits.MAX_VOLUME, f"queues.{name}.volumes", "calls in one interval"
        )
        for part in ("redial", "repeat"):
            rule = getattr(q, part)
            if rule is not None and rule.max_attempts > limits.MAX_ATTEMPTS:
                problems.append(
                    f"queues.{name}.{part}.max_attempts: must be <= {limits.MAX_ATTEMPTS}"
                )
    for name, g in sc.agents.items():
        problems += _first_over(g.staffing, limits.MAX_AGENTS, f"agents.{name}.staffing", "agents")
    return problems


def _first_over(values: list, top: int, where: str, what: str) -> list[str]:
    """The first per-interval value above `top`, as a problem line."""
    for i, v in enumerate(values):
        if v > top:
            return [f"{where}.{i}: {v:,.0f} {what}, at most {top:,} (a typo?)"]
    return []


def run_problems(
    sc: Scenario,
    replications: int | None = None,
    scale: float = 1.0,
    keep_records: bool = False,
    workers: int = 1,
) -> list[str]:
    """Loops, too-long journeys, and a run that would simulate too many calls or not
    fit in memory (with the file's replications unless `replications` is given,
    volumes x `scale`; see `limits.run_size`)."""
    problems = journey_problems(sc)
    if problems:
        return problems
    days = replications or sc.simulation.replications
    size = limits.run_size(segments_per_day(sc, scale), days, keep_records, workers)
    where = "simulation.replications" if replications is None else "--replications"
    return limits.too_long(size, where) or limits.too_big(size, where)


def shift_problems(sc: Scenario) -> list[str]:
    """Shifts that cannot be worked (`shift_fit.fit_problems`: what `staff --shifts`
    would refuse)."""
    return fit_problems(sc)
