"""Engine: one simulated day of a contact center, as a SimPy event model.

Picture the ACD (automatic call distributor). Calls ring in; if every trunk line is in
use the caller hears a busy signal (blocked). Otherwise the ACD looks for the agent who
has been idle longest among those with the call's skill; if nobody is free the call
joins its queue (first come, first served) and the caller waits until an agent takes
it or their patience runs out (abandoned). An agent who finishes a call takes the
oldest waiting call of their highest-priority non-empty skill, or goes idle.

Staffing changes at interval boundaries: new agents log on idle; when fewer are
needed, idle agents log off first and busy ones log off as they finish their call.
The last interval's agents stay until every call that arrived during the day is done;
a caller who is still waiting when nothing else can happen (no agent will ever come,
and no patience was given) is counted as abandoned at that moment.

For speed the model has no process per call: every happening is a SimPy event with a
callback, waiting calls sit in a deque per queue (a caller who hangs up stays there
as a tombstone and is skipped), idle agents sit in a deque per agent group ordered by
when they became idle. Each state change costs O(skills), whatever the number of
agents. Durations come pre-drawn from numpy in batches.

The engine's only output is plain records (`DayRecords`): one row per call, and the
log of agents logged in per group; `simulator.kpi` turns them into KPIs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.events import Timeout

from .distributions import Stream
from .scenario import Scenario

ANSWERED, ABANDONED, BLOCKED = 0, 1, 2
OUTCOMES = ("answered", "abandoned", "blocked")


class _Call:
    """One call while it is in the system; becomes one row of the call records."""

    __slots__ = ("queue", "arrival", "outcome", "wait", "group", "start", "handle",
                 "waiting")

    def __init__(self, queue: int, arrival: float):
        self.queue = queue
        self.arrival = arrival
        self.outcome = -1
        self.wait = 0.0
        self.group = -1
        self.start = np.nan
        self.handle = 0.0
        self.waiting = False


@dataclass(frozen=True)
class DayRecords:
    """What happened in one simulated day: plain arrays, times in seconds from open.

    `calls` has one entry per call: queue (index), arrival, interval (of arrival),
    outcome (ANSWERED / ABANDONED / BLOCKED), wait (until answer or hang-up), group
    (agent group index, -1 if not answered), start (of handling), handle (seconds the
    agent was busy with it). `agent_log` has rows (time, group, agents logged in
    from that time on).
    """

    calls: dict[str, np.ndarray]
    agent_log: np.ndarray


class CallCenter:
    """The SimPy model of one day. Build it, then `run()` it once."""

    def __init__(self, sc: Scenario, seed: np.random.SeedSequence):
        self.env = env = simpy.Environment()
        self.sc = sc
        self.queue_names = list(sc.queues)
        self.group_names = list(sc.agents)
        q_index = {name: i for i, name in enumerate(self.queue_names)}
        nq, ng = len(self.queue_names), len(self.group_names)
        self.length = sc.interval_seconds
        self.n_intervals = sc.n_intervals

        # Independent streams per purpose, so changing one queue's handle time does not
        # reshuffle another's arrivals (common random numbers across what-ifs).
        arrival_ss, *streams = seed.spawn(1 + 2 * nq)
        self._arrivals_rng = np.random.default_rng(arrival_ss)
        self.handle = []
        self.patience = []
        for i, q in enumerate(sc.queues.values()):
            self.handle.append(Stream.of(q.handle_time, np.random.default_rng(streams[2 * i])))
            self.patience.append(Stream.of(q.patience, np.random.default_rng(streams[2 * i + 1]))
                                 if q.patience else None)

        self.waiting: list[deque[_Call]] = [deque() for _ in range(nq)]
        self.idle: list[deque[float]] = [deque() for _ in range(ng)]   # idle-since times
        self.staffed = [0] * ng          # logged in (busy or idle), leavers included
        self.leaving = [0] * ng          # busy agents who log off when their call ends
        self.skills = [[q_index[s] for s in g.skills] for g in sc.agents.values()]
        self.servers = [[g for g in range(ng) if q in self.skills[g]] for q in range(nq)]
        self.lines = sc.lines if sc.lines is not None else -1
        self.in_line = 0                 # calls talking or waiting (holding a line)
        self.calls: list[_Call] = []
        self.agent_log: list[tuple[float, int, int]] = []

    # -- arrivals ------------------------------------------------------------------
    def _arrival_times(self) -> tuple[np.ndarray, np.ndarray]:
        """Poisson arrivals with a rate constant within each interval, all queues merged."""
        rng, L = self._arrivals_rng, self.length
        times, queues = [], []
        for qi, q in enumerate(self.sc.queues.values()):
            counts = rng.poisson(np.asarray(q.volumes, dtype=float))
            start = np.repeat(np.arange(len(counts)) * L, counts)
            times.append(start + rng.uniform(0, L, counts.sum()))
            queues.append(np.full(counts.sum(), qi))
        t, q = np.concatenate(times), np.concatenate(queues)
        order = np.argsort(t, kind="stable")
        return t[order], q[order]

    def _schedule(self, delay: float, callback, value) -> None:
        Timeout(self.env, delay, value).callbacks.append(callback)

    def _next_arrival(self, event) -> None:
        i = event._value
        self._arrive(_Call(int(self._q[i]), self.env.now))
        if i + 1 < len(self._t):
            self._schedule(self._t[i + 1] - self.env.now, self._next_arrival, i + 1)

    def _arrive(self, call: _Call) -> None:
        self.calls.append(call)
        if self.in_line == self.lines:
            call.outcome = BLOCKED
            return
        self.in_line += 1
        self._offer(call)

    # -- routing -------------------------------------------------------------------
    def _offer(self, call: _Call) -> None:
        """Give the call to the longest-idle agent with its skill, or queue it."""
        best = -1
        since = np.inf
        for g in self.servers[call.queue]:
            idle = self.idle[g]
            if idle and idle[0] < since:
                best, since = g, idle[0]
        if best >= 0:
            self.idle[best].popleft()
            self._answer(call, best)
            return
        call.waiting = True
        self.waiting[call.queue].append(call)
        patience = self.patience[call.queue]
        if patience is not None:
            self._schedule(patience(), self._hang_up, call)

    def _answer(self, call: _Call, group: int) -> None:
        now = self.env.now
        call.waiting = False
        call.outcome = ANSWERED
        call.wait = now - call.arrival
        call.group = group
        call.start = now
        call.handle = h = self.handle[call.queue]()
        self._schedule(h, self._finish, call)

    def _hang_up(self, event) -> None:
        call = event._value
        if call.waiting:
            call.waiting = False
            call.outcome = ABANDONED
            call.wait = self.env.now - call.arrival
            self.in_line -= 1

    def _finish(self, event) -> None:
        call = event._value
        self.in_line -= 1
        self._agent_free(call.group)

    def _agent_free(self, g: int) -> None:
        """An agent of group g is free: log off if due, else take the next call."""
        if self.leaving[g]:
            self.leaving[g] -= 1
            self._log(g, self.staffed[g] - 1)
            return
        for q in self.skills[g]:
            waiting = self.waiting[q]
            while waiting:
                call = waiting.popleft()
                if call.waiting:
                    self._answer(call, g)
                    return
        self.idle[g].append(self.env.now)

    # -- staffing ------------------------------------------------------------------
    def _log(self, g: int, staffed: int) -> None:
        self.staffed[g] = staffed
        self.agent_log.append((self.env.now, g, staffed))

    def _restaff(self, event) -> None:
        k = event._value
        for g, group in enumerate(self.sc.agents.values()):
            target = group.staffing[k]
            present = self.staffed[g] - self.leaving[g]
            if target > present:
                stay = min(self.leaving[g], target - present)
                self.leaving[g] -= stay
                join = target - present - stay
                self._log(g, self.staffed[g] + join)
                for _ in range(join):
                    self._agent_free(g)
            elif target < present:
                drop = present - target
                leave_now = min(drop, len(self.idle[g]))
                for _ in range(leave_now):
                    self.idle[g].pop()
                self.leaving[g] += drop - leave_now
                self._log(g, self.staffed[g] - leave_now)
        if k + 1 < self.n_intervals:
            self._schedule(self.length, self._restaff, k + 1)

    # -- the day -------------------------------------------------------------------
    def run(self) -> DayRecords:
        self._t, self._q = self._arrival_times()
        self._schedule(0.0, self._restaff, 0)
        if len(self._t):
            self._schedule(self._t[0], self._next_arrival, 0)
        self.env.run()
        end = self.env.now
        for call in self.calls:                # nobody will ever answer these callers
            if call.waiting:
                call.waiting = False
                call.outcome = ABANDONED
                call.wait = end - call.arrival
        return DayRecords(self._records(), np.array(self.agent_log, dtype=float).reshape(-1, 3))

    def _records(self) -> dict[str, np.ndarray]:
        calls = self.calls
        n = len(calls)

        def col(attr: str, dtype) -> np.ndarray:
            return np.fromiter((getattr(c, attr) for c in calls), dtype, n)

        arrival = col("arrival", float)
        return {
            "queue": col("queue", np.int16),
            "arrival": arrival,
            "interval": np.minimum((arrival // self.length).astype(np.int32),
                                   self.n_intervals - 1),
            "outcome": col("outcome", np.int8),
            "wait": col("wait", float),
            "group": col("group", np.int16),
            "start": col("start", float),
            "handle": col("handle", float),
        }


def simulate_day(sc: Scenario, seed: np.random.SeedSequence) -> DayRecords:
    """Simulate one day of `sc` with the random streams of `seed`."""
    return CallCenter(sc, seed).run()
