"""Engine: one simulated day of a contact center, as a SimPy event model.

Picture the ACD (automatic call distributor). Calls ring in; if every trunk line is in
use the caller hears a busy signal (blocked). Otherwise the ACD gives the call to the
agent who has been idle longest among those with the call's skill; if nobody is free
the call joins its queue and the caller waits until an agent takes it or their
patience runs out (abandoned). An agent who finishes a call takes the oldest waiting
call of their highest-ranked non-empty skill (equal ranks: the queue with the higher
priority first), then any callback owed, or goes idle.

A call's journey may go on (`simulator.sim.journeys`): transfers, escalations, redials,
repeat calls and callbacks. Staffing changes at interval boundaries, or at the exact
second a roster's agents log on, take a break or an activity, or leave
(`simulator.sim.rostering`): new agents log on idle; when fewer are needed, idle agents
log off first and busy ones log off as they finish their call (a break waits for the
call in hand). The last interval's agents stay until every call that arrived during
the day is done; a caller still waiting when nothing else can happen (no agent will ever
come and no patience was given) is counted as abandoned at that moment.

For speed there is no process per call, nor an object: the day's calls are a table
(`simulator.sim.calls`), a call is its row number. Every happening is a SimPy event
with a callback; an agent is itself the event of their talk end and after-call work,
re-armed for each call they take. Waiting calls sit in a deque per queue (a caller who
hangs up stays there as a tombstone and is skipped), idle agents in a deque per group
ordered by when they became idle.
Each step costs O(skills), whatever the number of agents, and the event heap holds only
the near future (`simulator.sim.loop`'s calendar). Every random number is drawn
before it is needed, from named streams (`simulator.sim.draws`, `simulator.sim.streams`):
the engine itself draws nothing.

The only output is plain records (`DayRecords`): one row per call segment and the log
of agents logged in per group. `simulator.kpi` turns them into KPIs. No reference
cycle outlives the day: an event's callbacks are dropped when it fires, so a finished
day is freed as soon as its records are returned (before the garbage collector, asleep
through the day, wakes).
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable
from itertools import chain
from typing import Any

import numpy as np

from ..model.handling import handle_factors
from ..model.scenario import Scenario
from .calls import ABANDONED, BLOCKED, Calls
from .draws import Later, forecast, not_ready
from .journeys import Journeys
from .layout import Layout
from .loop import Clock, Tick
from .records import DayRecords
from .rostering import staffing_events
from .streams import Streams

_INF = float("inf")
EVENTS_PER_SLOT = 1024  # calls arriving in a slot of the event calendar, at the busiest


class Agent:
    """An agent logged in to group `group`, and the SimPy event of the end of their
    call's talk (then of their after-call work), re-armed for every call they take.

    What the talk's end needs is noted when the call is answered (in cache then, its
    row is not when the talk ends, minutes and thousands of calls later): `call` its
    row, `queue`, `line` (holds a trunk line), `wrap_up` the end of its handle time
    (start + handle) if after-call work or not-ready time follows, else None.
    `since`: when the agent last became idle."""

    __slots__ = ("call", "callbacks", "group", "line", "queue", "since", "wrap_up")
    _ok = True
    _value = None
    callbacks: list[Callable[[Any], None]] | None
    wrap_up: float | None

    def __init__(self, group: int):
        self.group = group
        self.call = self.queue = -1
        self.line = False
        self.since = 0.0
        self.callbacks = self.wrap_up = None


class CallCenter(Journeys):
    """The SimPy model of one day. Build it, then `run()` it once."""

    def __init__(self, sc: Scenario, seed: np.random.SeedSequence):
        self.sc = sc
        self.env = Clock(slot=_slot_seconds(sc))
        self._at = self.env.at
        self.layout = lay = Layout(sc)
        self.rules = lay.rules
        # the layout's facts read on every call, as attributes of their own (speed)
        self._lines, self._sole, self._only = lay.lines, lay.sole, lay.only
        self._any_callback, self._any_repeat = lay.any_callback, lay.any_repeat
        self._hang_up_events = lay.hang_up_events
        self.streams = Streams(seed)
        self._later_draws = Later(sc, self.streams)
        self.length = sc.interval_seconds
        self.n_intervals = sc.n_intervals
        nq, ng = len(sc.queues), len(sc.agents)
        self.waiting: list[deque[int]] = [deque() for _ in range(nq)]  # rows, by arrival
        self.n_waiting = [0] * nq  # live callers in each queue (tombstones excluded)
        self.callbacks: list[deque[int]] = [deque() for _ in range(nq)]
        self.idle: list[deque[Agent]] = [deque() for _ in range(ng)]  # by idle-since
        self.staffed = [0] * ng  # logged in (busy or idle), leavers included
        self.leaving = [0] * ng  # busy agents who log off when their call ends
        self.in_line = 0  # calls talking or waiting (holding a line)
        self.agent_log: list[tuple[float, int, int]] = []
        self._closed = False
        self._not_ready = [not_ready(g, self.streams, name) for name, g in sc.agents.items()]
        factors = handle_factors(sc)
        self._factors = None if factors is None else factors.tolist()
        # what an agent's events call, one list each, shared; dropped by run()
        self._talk_ends: list[Callable[[Any], None]] = [self._talk_end]
        self._acw_ends: list[Callable[[Any], None]] = [self._agent_free]

    # -- arrivals ------------------------------------------------------------------
    def _arrive(self, c: int) -> None:
        """Call c rings in: blocked if every line is busy, else offered a callback or
        an agent."""
        calls = self.calls
        if self.in_line >= self._lines >= 0:
            calls.lost(c, BLOCKED, 0.0)
            self._maybe_redial(c)
            return
        self.in_line += 1
        calls.line[c] = True
        if self._any_callback and self._offers_callback(c):
            calls.callback.add(c)
            calls.line[c] = False
            self.in_line -= 1
            self.callbacks[calls.queue[c]].append(c)
            calls.waiting[c] = True
            calls.deadline[c] = _INF  # a caller owed a call back does not hang up
            return
        self._offer(c)

    # -- routing -------------------------------------------------------------------
    def _offer(self, c: int) -> None:
        """Give call c to the longest-idle agent with its skill, or queue it."""
        calls, idle = self.calls, self.idle
        q = calls.queue[c]
        best = self._sole[q]
        if best >= 0:  # one group has the skill: the common case
            if not idle[best]:
                best = -1
        else:
            since = _INF
            for g in self.layout.servers[q]:
                if idle[g] and idle[g][0].since < since:
                    best, since = g, idle[g][0].since
        if best >= 0:
            self._answer(c, idle[best].popleft())
            return
        calls.waiting[c] = True
        self.waiting[q].append(c)
        self.n_waiting[q] += 1
        if self._hang_up_events and calls.deadline[c] < _INF:
            self._at(calls.deadline[c], Tick(self._hang_up, c))

    def _answer(self, c: int, agent: Agent) -> None:
        """The agent takes call c (its outcome stays ANSWERED, the table's default)."""
        calls, now, g = self.calls, self.env.now, agent.group
        if self._factors is not None:  # proficiency: this group's pace on this queue
            f = self._factors[g][calls.queue[c]]
            calls.talk[c] *= f
            calls.handle[c] *= f
        talk, handle = calls.talk[c], calls.handle[c]
        calls.wait[c] = now - calls.arrival[c]
        calls.group[c] = g
        calls.start[c] = now
        agent.call, agent.queue, agent.line = c, calls.queue[c], calls.line[c]
        wraps_up = handle > talk or self._not_ready[g] is not None
        agent.wrap_up = now + handle if wraps_up else None
        agent.callbacks = self._talk_ends
        self._at(now + talk, agent)

    def _hang_up(self, tick: Tick) -> None:
        if self.calls.waiting[tick._value]:
            self._abandon(tick._value)

    def _abandon(self, c: int) -> None:
        """The caller hung up at their deadline (now, or earlier if found late)."""
        calls = self.calls
        calls.waiting[c] = False
        calls.lost(c, ABANDONED, calls.deadline[c] - calls.arrival[c])
        if c not in calls.callback:
            self.n_waiting[calls.queue[c]] -= 1
        if calls.line[c]:
            self.in_line -= 1
        if not self._closed:
            self._maybe_redial(c)

    def _head(self, q: int) -> int | None:
        """The first caller still waiting in queue q (tombstones and the impatient gone)."""
        dq, now = self.waiting[q], self.env.now
        waiting, deadline = self.calls.waiting, self.calls.deadline
        while dq:
            c = dq[0]
            if not waiting[c]:
                dq.popleft()
            elif deadline[c] <= now:
                dq.popleft()
                self._abandon(c)
            else:
                return c
        return None

    def _talk_end(self, agent: Agent) -> None:
        """The caller leaves the agent: transferred, escalated, or done (maybe unsolved);
        the agent does after-call work and is not ready for a while, or is free."""
        c = agent.call
        if not (self.rules[agent.queue].routes and self._passed_on(c)):
            if agent.line:
                self.in_line -= 1
            if self._any_repeat:
                self._maybe_repeat(c)
        wrap_up = agent.wrap_up
        if wrap_up is None:
            self._agent_free(agent)
            return
        unready = self._not_ready[agent.group]
        if unready is not None:  # after ACW, the agent is not ready for a while
            self.calls.not_ready[c] = rest = unready()
            wrap_up += rest
        agent.callbacks = self._acw_ends
        self._at(wrap_up, agent)

    def _take(self, q: int) -> int | None:
        """Take the first caller still waiting in queue q (skipping tombstones and
        recording the impatient as abandoned), or None."""
        dq, now = self.waiting[q], self.env.now
        waiting, deadline = self.calls.waiting, self.calls.deadline
        while dq:
            c = dq.popleft()
            if waiting[c]:
                if deadline[c] > now:
                    waiting[c] = False
                    self.n_waiting[q] -= 1
                    return c
                self._abandon(c)
        return None

    def _best_call(self, g: int) -> int | None:
        """The call a free agent of a multi-skill group takes: best rank, then higher
        queue priority, then the longest wait counting the queue's head start."""
        rules, arrival = self.rules, self.calls.arrival
        for tier in self.layout.tiers[g]:
            heads = [
                (-rules[q].priority, arrival[head] - rules[q].head_start, i, q)
                for i, q in enumerate(tier)
                if (head := self._head(q)) is not None
            ]
            if heads:
                return self._take(min(heads)[3])
        return None

    def _agent_free(self, agent: Agent) -> None:
        """The agent is free: logs off if due, else takes the next call or idles."""
        g = agent.group
        if self.leaving[g]:
            self.leaving[g] -= 1
            self._log(g, self.staffed[g] - 1)
            return
        q = self._only[g]
        c = self._take(q) if q >= 0 else self._best_call(g)
        if c is None and self._any_callback:
            c = self._callback_for(g)
        if c is None:
            agent.since = self.env.now
            self.idle[g].append(agent)
        else:
            self._answer(c, agent)

    # -- staffing ------------------------------------------------------------------
    def _log(self, g: int, staffed: int) -> None:
        self.staffed[g] = staffed
        self.agent_log.append((self.env.now, g, staffed))

    def _restaff(self, tick: Tick) -> None:
        """Staffing change k: each group named moves to its target (agents on the
        phones); the next change is scheduled when this one happens."""
        k = tick._value
        for g, target in self._staffing[k][1]:
            present = self.staffed[g] - self.leaving[g]
            if target > present:
                stay = min(self.leaving[g], target - present)
                self.leaving[g] -= stay
                join = target - present - stay
                self._log(g, self.staffed[g] + join)
                for _ in range(join):
                    self._agent_free(Agent(g))
            elif target < present:
                drop = present - target
                leave_now = min(drop, len(self.idle[g]))
                for _ in range(leave_now):
                    self.idle[g].pop()
                self.leaving[g] += drop - leave_now
                self._log(g, self.staffed[g] - leave_now)
        if k + 1 < len(self._staffing):
            self._at(self._staffing[k + 1][0], Tick(self._restaff, k + 1))

    # -- the day -------------------------------------------------------------------
    def run(self) -> DayRecords:
        self.calls = calls = Calls(forecast(self.sc, self.streams))
        self._staffing = staffing_events(self.sc, self.streams, self.layout.group_order)
        if self._staffing:
            self._at(self._staffing[0][0], Tick(self._restaff, 0))
        try:  # the forecast's callers ring in at their times, customer i at row i
            self.env.run_all(calls.arrival[: calls.n_first], self._arrive)
        finally:  # the one cycle (self -> bound method -> self): broken
            del self._talk_ends, self._acw_ends
        end = self.env.now
        self._closed = True
        for c in chain(*self.waiting, *self.callbacks):  # nobody will answer them: gone
            if calls.waiting[c]:
                calls.deadline[c] = min(calls.deadline[c], end)
                self._abandon(c)
        log = np.array(self.agent_log, dtype=float).reshape(-1, 3)
        return DayRecords(calls.records(self.length, self.n_intervals), log)


def _slot_seconds(sc: Scenario) -> float:
    """Seconds per slot of the event calendar (`simulator.sim.loop`): EVENTS_PER_SLOT
    calls arrive in a slot of the day's busiest interval (a call has one to three
    events), so the heap holds a thousand calls' events or so however big the center."""
    busiest = max(np.sum([q.volumes for q in sc.queues.values()], axis=0))
    return sc.interval_seconds * EVENTS_PER_SLOT / busiest if busiest > 0 else _INF


def simulate_day(sc: Scenario, seed: np.random.SeedSequence) -> DayRecords:
    """Simulate one day of `sc` with the named random streams of `seed`.

    The garbage collector sleeps through the day: the day makes objects, not garbage
    (no cycle outlives it), and a collection would walk every call of the day. They
    are all freed, by reference counting, before it wakes."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return CallCenter(sc, seed).run()
    finally:
        if collecting:
            gc.enable()
