"""Cross-checks of a scenario (problems that involve several fields) and cautions
(valid but probably not meant)."""

from __future__ import annotations

from collections import Counter

from .bounds import name_problems, run_problems, shift_problems, size_problems
from .handling import handling_problems, work_means
from .horizon import horizon_problems
from .roster_checks import roster_problems, staffing_problems
from .scenario import Scenario
from .timetable import planned_shrinkage, roster_present


def _length_problems(sc: Scenario) -> list[str]:
    """Per-interval lists whose length differs from the rest of the file's: the length
    most lists have (ties: the queues' most common, then the first queue's) is taken
    as meant, so a wrong first queue is named like any other."""
    queues = {name: len(q.volumes) for name, q in sc.queues.items()}
    groups = {name: len(g.staffing) for name, g in sc.agents.items() if g.staffing}
    votes = Counter(list(queues.values()) + list(groups.values()))
    queue_votes = Counter(queues.values())
    n = max(votes, key=lambda k: (votes[k], queue_votes[k], k == sc.n_intervals))
    problems = []
    for name, length in queues.items():
        if length != n:
            others = "the other queues" if n in queue_votes else "the agents' staffing"
            problems.append(f"queues.{name}.volumes: has {length} intervals, {others} have {n}")
    for name, length in groups.items():
        if length != n:
            others = "the queues" if n in queue_votes else "the other agent groups"
            problems.append(f"agents.{name}.staffing: has {length} intervals, {others} have {n}")
    return problems


def _reference_problems(sc: Scenario) -> list[str]:
    """Skills, transfers, escalations and shifts naming what does not exist."""
    problems = []
    for name, g in sc.agents.items():
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
        problems += [
            f"queues.{name}.{where}: unknown queue '{target}'"
            for where, target in targets
            if target not in sc.queues
        ]
    served = {s for g in sc.agents.values() for s in g.skills}
    problems += [
        f"queues.{name}: no agent group has this skill" for name in sc.queues if name not in served
    ]
    for name, shift in (sc.shifts or {}).items():
        if shift.group is None and len(sc.agents) > 1:
            problems.append(
                f"shifts.{name}.group: required when there are several "
                f"agent groups ({', '.join(sc.agents)})"
            )
        elif shift.group is not None and shift.group not in sc.agents:
            problems.append(f"shifts.{name}.group: unknown agent group '{shift.group}'")
    return problems


def cross_check(sc: Scenario) -> list[str]:
    """Problems that involve more than one field or the file's size: names, limits,
    lengths, references, warm-up; then (if those hold) shifts, journey loops and the
    memory a run would need."""
    problems = (
        name_problems(sc)
        + size_problems(sc)
        + staffing_problems(sc)
        + _length_problems(sc)
        + _reference_problems(sc)
        + handling_problems(sc)
    )
    n = sc.n_intervals
    if sc.simulation.warmup_intervals >= n:
        problems.append(f"simulation.warmup_intervals: must be < the {n} intervals")
    if not problems:  # the horizon's count needs lists of one length
        problems += horizon_problems(sc)
    if problems:  # the rest needs consistent names, lengths and sizes
        return problems
    return shift_problems(sc) + roster_problems(sc) + run_problems(sc)


def cautions(sc: Scenario) -> list[str]:
    """Things that are valid but probably not meant: a file runs, with these said first.

    - calls offered to a queue in an interval where no agent has its skill (they wait
      for the next agents, or hang up if they have patience);
    - no agent at all in the last interval for a queue whose callers never hang up
      (whoever still waits at the end is counted as abandoned);
    - more offered load than agents in an interval (occupancy would exceed 100%: the
      queue grows all interval long);
    - more agents logged in than trunk lines (the lines, not the agents, will bind);
    - callers who redial or repeat with probability 1 (every one calls max_attempts
      times).
    """
    found = []
    starts = [slot.label for slot in sc.calendar()]
    length = sc.interval_seconds
    present = roster_present(sc)  # a rostered group: agents on the phones at any minute
    for name, q in sc.queues.items():
        staffed = [
            sum(present.get(n, g.staffing)[i] for n, g in sc.agents.items() if name in g.skills)
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
    work = work_means(sc)  # handle + not-ready seconds per call
    for i in range(sc.n_intervals):
        load = sum(q.volumes[i] * work[j][i] for j, q in enumerate(sc.queues.values())) / length
        agents = sum(g.staffing[i] for g in sc.agents.values())
        if agents and load > agents:
            found.append(
                f"interval {starts[i]}: offered load {load:.1f} Erlangs exceeds "
                f"the {agents} agents logged in (occupancy would pass 100%)"
            )
    return found + _line_cautions(sc) + _redial_cautions(sc) + _shrinkage_cautions(sc)


def _line_cautions(sc: Scenario) -> list[str]:
    if sc.lines is None:
        return []
    starts = [slot.label for slot in sc.calendar()]
    logged = [sum(g.staffing[i] for g in sc.agents.values()) for i in range(sc.n_intervals)]
    over = [i for i, a in enumerate(logged) if a > sc.lines]
    if not over:
        return []
    worst = max(over, key=lambda i: logged[i])
    return [
        f"lines: {logged[worst]} agents are logged in at {starts[worst]} but there are only "
        f"{sc.lines} lines ({len(over)} interval(s) like it): agents beyond the lines "
        "can never all be busy; the lines, not the agents, limit the calls taken"
    ]


def _redial_cautions(sc: Scenario) -> list[str]:
    found = []
    for name, q in sc.queues.items():
        for part in ("redial", "repeat"):
            rule = getattr(q, part)
            if rule is not None and rule.probability >= 1:
                found.append(
                    f"queues.{name}.{part}.probability: 1 means every such caller calls "
                    f"again until max_attempts ({rule.max_attempts} calls)"
                )
    return found


def _shrinkage_cautions(sc: Scenario) -> list[str]:
    """A roster whose breaks, activities and absence keep a share of paid time off the
    phones far (over 5 points) from `shrinkage`, the divisor `staff` plans with (when
    the file gives one)."""
    found: list[str] = []
    if sc.shrinkage == 0:
        return found
    for group, share in planned_shrinkage(sc).items():
        if abs(share - sc.shrinkage) > 0.05:
            found.append(
                f"shrinkage: {sc.shrinkage:g} (the divisor staff plans with), but the roster "
                f"and absence keep {share:.1%} of {group}'s paid time off the phones "
                "(see docs/rosters.md: set one to match the other)"
            )
    return found
