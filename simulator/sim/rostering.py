"""Staffing as a step function: the (time, group, agents on the phones) events the
engine plays, with the roster's absence drawn before the day starts.

A group with per-interval `staffing` moves to staffing[k] at the start of interval k
(time k·L, every interval). A rostered group moves at the exact second its agents log
on, go on a break or an activity, come back or leave (`simulator.model.timetable`):
agents on the phones = the agent-shifts' phone spans less the activities' agents
(never below 0). At one time the groups move in name order. Nothing moves at or
after the close: the agents there stay until every call of the day is done, as the
last interval's agents do.

Absence (`Scenario.absence`) is drawn per replication from streams of its own, keyed
by the roster shift's NAME (see `simulator.sim.streams`), each one draw of size n (the
shift's agent-shifts, by day then agent) or n × breaks (row-major), only for what the
scenario gives:

  ("absence", S)         uniform: the agent-shift is a no-show if below absenteeism;
  ("late", S)            seconds late at the shift's start;
  ("break_overrun", S)   seconds back late from each break (n × breaks).

So adding absence, or a shift, leaves every other stream untouched.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

import numpy as np

from ..model.scenario import Scenario
from ..model.timetable import AgentShift, activity_spans, agent_shifts, rostered_groups
from .streams import Streams

Events = list[tuple[float, list[tuple[int, int]]]]  # (time, [(group, target), ...])


def _absence(sc: Scenario, shifts: list[AgentShift], streams: Streams) -> list[tuple]:
    """(agent-shift, late seconds, break overruns) of the agent-shifts who show up."""
    a = sc.absence
    if a is None:
        return [(s, 0.0, ()) for s in shifts]
    kept: list[tuple] = []
    for name, rows in groupby(shifts, key=lambda s: s.shift):
        block = list(rows)
        n, breaks = len(block), len(block[0].breaks)
        show = np.ones(n, bool)
        if a.absenteeism > 0:
            show = streams.rng("absence", name).random(n) >= a.absenteeism
        late = a.late.draw(streams.rng("late", name), n) if a.late else np.zeros(n)
        over = np.zeros((n, breaks))
        if a.break_overrun is not None and breaks:
            over = a.break_overrun.draw(streams.rng("break_overrun", name), n * breaks)
            over = over.reshape(n, breaks)
        kept += [
            (s, float(late[i]), tuple(over[i].tolist())) for i, s in enumerate(block) if show[i]
        ]
    return kept


def roster_steps(sc: Scenario, streams: Streams) -> dict[str, list[tuple[float, int]]]:
    """Per rostered group, (time, agents on the phones from then on) at each change,
    with this replication's absence; nothing at or after the close."""
    deltas: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for shift, late, overruns in _absence(sc, agent_shifts(sc), streams):
        for on, off in shift.phones(late, overruns):
            deltas[shift.group] += [(on, 1), (off, -1)]
    for act in activity_spans(sc):
        for on, off in act.seconds():
            deltas[act.group] += [(on, -act.agents), (off, act.agents)]
    close = sc.n_intervals * sc.interval_seconds
    steps = {}
    for group in rostered_groups(sc):
        level, last, out = 0, 0, []
        for time, changes in groupby(sorted(deltas[group]), key=lambda d: d[0]):
            level += sum(c for _, c in changes)
            target = max(level, 0)
            if time < close and target != last:
                out.append((time, target))
                last = target
        steps[group] = out
    return steps


def staffing_events(sc: Scenario, streams: Streams, order: list[int]) -> Events:
    """Every staffing change of the day in time order, groups in `order` (by name) at
    each time; per-interval groups at every interval start."""
    names = list(sc.agents)
    steps = roster_steps(sc, streams) if sc.roster is not None else {}
    at: dict[float, list[tuple[int, int]]] = defaultdict(list)
    length = sc.interval_seconds
    for g in order:
        if names[g] in steps:
            for time, target in steps[names[g]]:
                at[time].append((g, target))
        else:
            for k, target in enumerate(sc.agents[names[g]].staffing):
                at[k * length].append((g, target))
    return sorted(at.items())
