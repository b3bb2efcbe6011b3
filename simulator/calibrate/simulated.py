"""A simulation's days as a call log, with agent ids: what a real ACD would export.

The engine records which agent group answered a call, not which agent. The agents are
replayed from the day's records and its agent log with the engine's own rules: an
answered call goes to the longest-idle agent of its group; an agent who finishes (after
the call's handle time and any not-ready time) joins the idle line at its end; agents
who log off are the most recently idle (an agent finishing while the group is over its
staffing logs off at once); new agents log on idle. Each agent then has the services
and the presence of one agent of the simulation, so a calibration of the log can be
checked against the staffing simulated.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ..model.clock import clock_minutes
from ..run.runner import SimulationResult
from ..sim.records import ANSWERED, DayRecords
from .logs import _from_callsim
from .schema import CallLog

_END, _LOG, _START = 0, 1, 2  # at one moment: calls end, then staffing changes, then starts
# Moments are compared to the microsecond: on a horizon's clock (a day's records moved
# by its offset, `simulator.run.horizon`) a call's end and the next call's start at
# that instant may differ in the last bits.
_DIGITS = 6


def replay_agents(day: DayRecords, groups: int) -> np.ndarray:
    """The agent (numbered within its group, -1 if none) who answered each call."""
    c = day.calls
    ans = np.flatnonzero(c["outcome"] == ANSWERED)
    agent = np.full(len(c["outcome"]), -1, dtype=np.int64)
    for g in range(groups):
        mine = ans[c["group"][ans] == g]
        log = day.agent_log[day.agent_log[:, 1] == g]
        events = sorted(
            [
                (
                    round(float(c["start"][i] + c["handle"][i] + c["not_ready"][i]), _DIGITS),
                    _END,
                    int(i),
                )
                for i in mine
            ]
            + [(round(float(t), _DIGITS), _LOG, int(n)) for t, _, n in log]
            + [(round(float(c["start"][i]), _DIGITS), _START, int(i)) for i in mine]
        )
        idle: deque[int] = deque()
        staffed = next_id = 0
        for _, kind, value in events:
            if kind == _END:
                idle.append(int(agent[value]))
            elif kind == _START:
                agent[value] = idle.popleft()
            else:
                for _ in range(staffed, value):  # new agents log on idle
                    idle.append(next_id)
                    next_id += 1
                for _ in range(value, staffed):  # the most recently idle log off
                    idle.pop()
                staffed = value
    return agent


def agent_ids(res: SimulationResult) -> list[str]:
    """The agent (GROUP-N, "" if none) of every call of `res.calls`, in its order."""
    names = list(res.scenario.agents)
    ids: list[str] = []
    for day in res.days:
        who = replay_agents(day, len(names))
        ids += [f"{names[g]}-{a}" if a >= 0 else "" for g, a in zip(day.calls["group"], who)]
    return ids


def log_from_result(res: SimulationResult) -> CallLog:
    """Every replication of `res` (records kept) as a day of a call log with agent ids."""
    calls = res.calls.copy()
    calls["agent"] = agent_ids(res)
    open_s = clock_minutes(res.scenario.open) * 60.0
    return _from_callsim(calls, f"simulation of {res.scenario.name}", open_s)
