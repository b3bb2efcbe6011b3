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

For speed there is no process per call: every happening is a SimPy event with a
callback (the call object is itself the event of its arrival and talk end), waiting
calls sit in a deque per queue (a caller who hangs up stays there as a tombstone and
is skipped), idle agents sit in a deque per group ordered by when they became idle.
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
from itertools import chain, repeat
from operator import attrgetter
from typing import Any

import numpy as np

from ..model.handling import handle_factors
from ..model.scenario import Scenario
from .draws import Later, forecast, not_ready
from .journeys import Journeys, _Call
from .layout import Layout
from .loop import Clock, Tick
from .records import ABANDONED, ANSWERED, BLOCKED, COLUMNS, DayRecords, interval_column
from .rostering import staffing_events
from .streams import Streams

_INF = float("inf")
EVENTS_PER_SLOT = 1024  # calls arriving in a slot of the event calendar, at the busiest


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
        self.waiting: list[deque[_Call]] = [deque() for _ in range(nq)]
        self.n_waiting = [0] * nq  # live callers in each queue (tombstones excluded)
        self.callbacks: list[deque[_Call]] = [deque() for _ in range(nq)]
        self.idle: list[deque[float]] = [deque() for _ in range(ng)]  # idle-since times
        self.staffed = [0] * ng  # logged in (busy or idle), leavers included
        self.leaving = [0] * ng  # busy agents who log off when their call ends
        self.in_line = 0  # calls talking or waiting (holding a line)
        self.first: list[_Call] = []  # the forecast's calls, customer i at index i
        self.later: list[_Call] = []  # redials, repeat calls, transferred segments
        self.agent_log: list[tuple[float, int, int]] = []
        self._closed = False
        self._not_ready = [not_ready(g, self.streams, name) for name, g in sc.agents.items()]
        factors = handle_factors(sc)
        self._factors = None if factors is None else factors.tolist()
        # the callbacks of every talk end (one list, shared); dropped by run()
        self._talk_ends: list[Callable[[Any], None]] = [self._talk_end]

    # -- arrivals ------------------------------------------------------------------
    def _first_calls(self) -> None:
        """The forecast's callers: arrival times and queues as Python lists, their
        (talk, handle, patience, decisions) one caller at a time, in arrival order."""
        f = self._forecast = forecast(self.sc, self.streams)
        self._t, self._q = f.arrival.tolist(), f.queue.tolist()
        decisions = repeat(None) if f.decisions is None else f.decisions.tolist()
        self._callers = zip(f.talk.tolist(), f.handle.tolist(), f.patience.tolist(), decisions)

    def _first_arrival(self, i: int) -> None:
        """Customer i's first call (customers are numbered in order of arrival, and
        arrive in that order: the next caller's draws are customer i's)."""
        call = _Call(self._q[i], self._t[i], i)
        call.talk, call.handle, call.patience, call.draws = next(self._callers)
        self.first.append(call)
        self._arrive(call)

    def _arrive(self, call: _Call) -> None:
        if self.in_line >= self._lines >= 0:
            call.lost(BLOCKED, 0.0)
            self._maybe_redial(call)
            return
        self.in_line += 1
        call.line = True
        if self._any_callback and self._offers_callback(call):
            call.callback = True
            call.line = False
            self.in_line -= 1
            self.callbacks[call.queue].append(call)
            call.waiting = True
            return
        self._offer(call)

    # -- routing -------------------------------------------------------------------
    def _offer(self, call: _Call) -> None:
        """Give the call to the longest-idle agent with its skill, or queue it."""
        idle = self.idle
        best = self._sole[call.queue]
        if best >= 0:  # one group has the skill: the common case
            if not idle[best]:
                best = -1
        else:
            since = _INF
            for g in self.layout.servers[call.queue]:
                if idle[g] and idle[g][0] < since:
                    best, since = g, idle[g][0]
        if best >= 0:
            idle[best].popleft()
            self._answer(call, best)
            return
        call.waiting = True
        self.waiting[call.queue].append(call)
        self.n_waiting[call.queue] += 1
        if call.patience < _INF:
            call.deadline = call.arrival + call.patience
            if self._hang_up_events:
                self._at(call.deadline, Tick(self._hang_up, call))

    def _answer(self, call: _Call, group: int) -> None:
        now = self.env.now
        if self._factors is not None:  # proficiency: this group's pace on this queue
            f = self._factors[group][call.queue]
            call.talk *= f
            call.handle *= f
        call.outcome = ANSWERED
        call.wait = now - call.arrival
        call.group = group
        call.start = now
        call.callbacks = self._talk_ends
        self._at(now + call.talk, call)

    def _hang_up(self, tick: Tick) -> None:
        if tick._value.waiting:
            self._abandon(tick._value)

    def _abandon(self, call: _Call) -> None:
        """The caller hung up at their deadline (now, or earlier if found late)."""
        call.waiting = False
        call.lost(ABANDONED, call.deadline - call.arrival)
        if not call.callback:
            self.n_waiting[call.queue] -= 1
        if call.line:
            self.in_line -= 1
        if not self._closed:
            self._maybe_redial(call)

    def _head(self, q: int) -> _Call | None:
        """The first caller still waiting in queue q (tombstones and the impatient gone)."""
        dq, now = self.waiting[q], self.env.now
        while dq:
            call = dq[0]
            if not call.waiting:
                dq.popleft()
            elif call.deadline <= now:
                dq.popleft()
                self._abandon(call)
            else:
                return call
        return None

    def _talk_end(self, call: _Call) -> None:
        """The caller leaves the agent: transferred, escalated, or done (maybe unsolved)."""
        if not (self.rules[call.queue].routes and self._passed_on(call)):
            if call.line:
                self.in_line -= 1
            if self._any_repeat:
                self._maybe_repeat(call)
        unready = self._not_ready[call.group]
        if unready is not None:  # after ACW, the agent is not ready for a while
            call.not_ready = rest = unready()
            self._at(call.start + call.handle + rest, Tick(self._acw_end, call.group))
        elif call.handle > call.talk:
            self._at(call.start + call.handle, Tick(self._acw_end, call.group))
        else:
            self._agent_free(call.group)

    def _acw_end(self, tick: Tick) -> None:
        self._agent_free(tick._value)

    def _take(self, q: int) -> _Call | None:
        """Take the first caller still waiting in queue q (skipping tombstones and
        recording the impatient as abandoned), or None."""
        dq, now = self.waiting[q], self.env.now
        while dq:
            call = dq.popleft()
            if call.waiting:
                if call.deadline > now:
                    call.waiting = False
                    self.n_waiting[q] -= 1
                    return call
                self._abandon(call)
        return None

    def _best_call(self, g: int) -> _Call | None:
        """The call a free agent of a multi-skill group takes: best rank, then higher
        queue priority, then the longest wait counting the queue's head start."""
        rules = self.rules
        for tier in self.layout.tiers[g]:
            heads = [
                (-rules[q].priority, head.arrival - rules[q].head_start, i, q)
                for i, q in enumerate(tier)
                if (head := self._head(q))
            ]
            if heads:
                return self._take(min(heads)[3])
        return None

    def _agent_free(self, g: int) -> None:
        """An agent of group g is free: log off if due, else take the next call or idle."""
        if self.leaving[g]:
            self.leaving[g] -= 1
            self._log(g, self.staffed[g] - 1)
            return
        q = self._only[g]
        call = self._take(q) if q >= 0 else self._best_call(g)
        if call is None and self._any_callback:
            call = self._callback_for(g)
        if call is None:
            self.idle[g].append(self.env.now)
        else:
            self._answer(call, g)

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
                    self._agent_free(g)
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
        self._first_calls()
        self._staffing = staffing_events(self.sc, self.streams, self.layout.group_order)
        if self._staffing:
            self._at(self._staffing[0][0], Tick(self._restaff, 0))
        try:
            self.env.run_all(self._t, self._first_arrival)
        finally:
            del self._talk_ends  # the one cycle (self -> bound method -> self): broken
        end = self.env.now
        self._closed = True
        for call in chain(*self.waiting, *self.callbacks):  # nobody will answer them: gone
            if call.waiting:
                call.deadline = min(call.deadline, end)
                self._abandon(call)
        return DayRecords(self._records(), np.array(self.agent_log, dtype=float).reshape(-1, 3))

    def _records(self) -> dict[str, np.ndarray]:
        """The calls as columns: the forecast's calls first (what is known of them from
        the start is taken from the arrays they were drawn into), then the others."""

        n = len(self.first)
        known = {
            "customer": np.arange(n),
            "attempt": np.ones(n),
            "segment": np.ones(n),
            "queue": self._forecast.queue,
            "arrival": self._forecast.arrival,
        }
        first = _columns(self.first, [name for name in COLUMNS if name not in known])
        later = _columns(self.later, list(COLUMNS))
        cols = {
            name: np.concatenate(
                [np.asarray(known[name], dtype) if name in known else first[name], later[name]]
            )
            for name, dtype in COLUMNS.items()
        }
        cols["interval"] = interval_column(cols["arrival"], self.length, self.n_intervals)
        return cols


def _slot_seconds(sc: Scenario) -> float:
    """Seconds per slot of the event calendar (`simulator.sim.loop`): EVENTS_PER_SLOT
    calls arrive in a slot of the day's busiest interval (a call has one to three
    events), so the heap holds a thousand calls' events or so however big the center."""
    busiest = max(np.sum([q.volumes for q in sc.queues.values()], axis=0))
    return sc.interval_seconds * EVENTS_PER_SLOT / busiest if busiest > 0 else _INF


def _columns(calls: list[_Call], names: list[str]) -> dict[str, np.ndarray]:
    """The attributes `names` of the calls as record columns, read in one pass over
    the calls (a big day's calls are far out of the CPU's caches)."""
    rows = np.dtype([(name, COLUMNS[name]) for name in names])
    table = np.fromiter(map(attrgetter(*names), calls), rows, len(calls))
    return {name: table[name] for name in names}


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
