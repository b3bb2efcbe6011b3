"""Cross-checks of a scenario (problems that involve several fields) and cautions
(valid but probably not meant)."""

from __future__ import annotations

from .scenario import Scenario


def cross_check(sc: Scenario) -> list[str]:
    """Problems that involve more than one field: lengths, skill names, warm-up."""
    problems = []
    n = sc.n_intervals
    for name, q in sc.queues.items():
        if len(q.volumes) != n:
            problems.append(
                f"queues.{name}.volumes: has {len(q.volumes)} intervals, the first queue has {n}"
            )
    for name, g in sc.agents.items():
        if len(g.staffing) != n:
            problems.append(
                f"agents.{name}.staffing: has {len(g.staffing)} intervals, the queues have {n}"
            )
        for i, skill in enumerate(g.skills):
            if skill not in sc.queues:
                where = skill if isinstance(g.skills, dict) else i
                problems.append(
                    f"agents.{name}.skills.{where}: unknown queue '{skill}' "
                    f"(queues are: {', '.join(sc.queues)})"
                )
    for name, q in sc.queues.items():
        targets = [(f"transfers.{t}", t) for t in q.transfers]
        if q.escalation:
            targets.append(("escalation.to", q.escalation.to))
        for where, target in targets:
            if target not in sc.queues:
                problems.append(f"queues.{name}.{where}: unknown queue '{target}'")
    served = {s for g in sc.agents.values() for s in g.skills}
    for name in sc.queues:
        if name not in served:
            problems.append(f"queues.{name}: no agent group has this skill")
    for name, shift in (sc.shifts or {}).items():
        if shift.group is None and len(sc.agents) > 1:
            problems.append(
                f"shifts.{name}.group: required when there are several "
                f"agent groups ({', '.join(sc.agents)})"
            )
        elif shift.group is not None and shift.group not in sc.agents:
            problems.append(f"shifts.{name}.group: unknown agent group '{shift.group}'")
    if sc.simulation.warmup_intervals >= n:
        problems.append(f"simulation.warmup_intervals: must be < the {n} intervals")
    return problems


def cautions(sc: Scenario) -> list[str]:
    """Things that are valid but probably not meant: a file runs, with these said first.

    - calls offered to a queue in an interval where no agent has its skill (they wait
      for the next agents, or hang up if they have patience);
    - no agent at all in the last interval for a queue whose callers never hang up
      (whoever still waits at the end is counted as abandoned);
    - more offered load than agents in an interval (occupancy would exceed 100%: the
      queue grows all interval long).
    """
    found = []
    starts = sc.interval_starts()
    length = sc.interval_seconds
    for name, q in sc.queues.items():
        staffed = [
            sum(g.staffing[i] for g in sc.agents.values() if name in g.skills)
            for i in range(sc.n_intervals)
        ]
        empty = [starts[i] for i, v in enumerate(q.volumes) if v > 0 and staffed[i] == 0]
        if empty:
            found.append(
                f"queues.{name}: calls are offered at {', '.join(empty[:6])}"
                f"{' ...' if len(empty) > 6 else ''} with no agent logged in "
                "who has this skill"
            )
        if q.patience is None and staffed[-1] == 0:
            found.append(
                f"queues.{name}: nobody serves it in the last interval and its "
                "callers never hang up: callers still waiting at the end are "
                "counted as abandoned"
            )
    for i in range(sc.n_intervals):
        load = sum(q.volumes[i] * q.aht for q in sc.queues.values()) / length
        agents = sum(g.staffing[i] for g in sc.agents.values())
        if agents and load > agents:
            found.append(
                f"interval {starts[i]}: offered load {load:.1f} Erlangs exceeds "
                f"the {agents} agents logged in (occupancy would pass 100%)"
            )
    return found


_MESSAGES = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "missing": "is required",
    "extra_forbidden": "unknown key (check the spelling)",
    "too_short": "must have at least {min_length} item(s)",
    "literal_error": "must be one of {expected}",
}
