"""Engine: one simulated day of a contact center, as a SimPy event model.

Picture the ACD (automatic call distributor). Calls ring in; if every trunk line is in
use the caller hears a busy signal (blocked). Otherwise the ACD gives the call to the
agent who has been idle longest among those with the call's skill; if nobody is free
the call joins its queue and the caller waits until an agent takes it or their
patience runs out (abandoned). An agent who finishes a call takes the oldest waiting
call of their highest-ranked non-empty skill (equal ranks: the queue with the higher
priority first), then any callback owed, or goes idle.

A call's journey may go on: after talking, the caller may be transferred or escalated
to another queue (same phone call, a new *segment*, still holding its line); the agent
stays busy through after-call work; a blocked or abandoned caller may redial, and a
caller whose problem was not solved may call again later (a new *attempt* by the same
*customer*). A caller facing a long wait may take a callback instead (virtual hold).

Staffing changes at interval boundaries: new agents log on idle; when fewer are
needed, idle agents log off first and busy ones log off as they finish their call.
The last interval's agents stay until every call that arrived during the day is done;
a caller still waiting when nothing else can happen (no agent will ever come and no
patience was given) is counted as abandoned at that moment.

For speed there is no process per call: every happening is a SimPy event with a
callback (the call object is itself the event of its arrival and talk end), waiting
calls sit in a deque per queue (a caller who hangs up stays there as a tombstone and
is skipped), idle agents sit in a deque per group ordered by when they became idle.
Each step costs O(skills), whatever the number of agents; durations come from numpy
in batches.

The only output is plain records (`DayRecords`): one row per call segment and the log
of agents logged in per group. `simulator.kpi` turns them into KPIs.
"""

from __future__ import annotations

import gc
from collections import deque
from itertools import chain
from operator import attrgetter

import numpy as np

from ..model.distributions import durations, stream
from ..model.scenario import Scenario
from .loop import Clock, Tick
from .records import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    COLUMNS,
    NEXT_ESCALATION,
    NEXT_NONE,
    NEXT_TRANSFER,
    DayRecords,
)

_NAN, _INF = float("nan"), float("inf")


class _Call:
    """One segment of a call (a row of the records), and the SimPy event of its
    talk end. Its fate (outcome, wait, group, start, talk, handle) is set when it is
    answered or lost; the rarer journey marks live in `__dict__`, class defaults
    standing in until set."""

    __slots__ = (
        "__dict__",
        "arrival",
        "attempt",
        "callbacks",
        "customer",
        "deadline",
        "group",
        "handle",
        "line",
        "outcome",
        "patience",
        "queue",
        "segment",
        "start",
        "talk",
        "wait",
        "waiting",
    )
    _ok = True
    _value = None
    next = NEXT_NONE
    callback = unresolved = False
    entry = -1  # queue the phone call came in on, if not this one

    def __init__(
        self, queue: int, arrival: float, customer: int, attempt: int = 1, segment: int = 1
    ):
        self.queue = queue
        self.arrival = arrival
        self.customer = customer
        self.attempt = attempt
        self.segment = segment
        self.waiting = self.line = False
        self.deadline = _INF

    def lost(self, outcome: int, wait: float) -> None:
        """Never reached an agent: blocked, or hung up after `wait` seconds."""
        self.outcome = outcome
        self.wait = wait
        self.group = -1
        self.start = _NAN
        self.talk = self.handle = 0.0


class _QueueRules:
    """A queue's random draws and routing rules, resolved to indices and streams."""

    def __init__(self, q, index: dict[str, int], seed: np.random.SeedSequence):
        rngs = iter(np.random.default_rng(s) for s in seed.spawn(12))
        # A caller's handle time and patience belong to the caller, drawn when they call:
        # the forecast's callers in bulk, later ones (transfers, redials) one at a time,
        # from separate streams. So a what-if with other staffing meets the same callers.
        self._parts = [
            (d, next(rngs), durations(d, next(rngs)) if d else None)
            for d in (q.handle_time or q.talk, q.hold, q.acw, q.patience)
        ]
        self.redial = q.redial
        self.redial_delay = durations(q.redial.delay, next(rngs)) if q.redial else None
        self.repeat = q.repeat
        self.repeat_delay = durations(q.repeat.delay, next(rngs)) if q.repeat else None
        self.uniform = stream(next(rngs).random)
        # after talk: cumulative probabilities -> (next queue, transfer or escalation)
        self.routes: list[tuple[float, int, int]] = []
        cum = 0.0
        for target, p in q.transfers.items():
            cum += p
            self.routes.append((cum, index[target], NEXT_TRANSFER))
        if q.escalation:
            cum += q.escalation.probability
            self.routes.append((cum, index[q.escalation.to], NEXT_ESCALATION))
        self.callback = q.callback
        self.aht = q.aht
        self.priority = q.priority

    def callers(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Talk (talk + hold), handle (talk + hold + acw) and patience (inf: endless) in
        seconds, for n callers at once."""
        talk, hold, acw, patience = (
            d.draw(rng, n) if d else np.zeros(n) for d, rng, _ in self._parts
        )
        if self._parts[3][0] is None:
            patience = np.full(n, _INF)
        return talk + hold, talk + hold + acw, patience

    def caller(self) -> tuple[float, float, float]:
        """`callers` for one caller."""
        talk, hold, acw, patience = (one() if one else 0.0 for _, _, one in self._parts)
        if self._parts[3][0] is None:
            patience = _INF
        return talk + hold, talk + hold + acw, patience


class CallCenter:
    """The SimPy model of one day. Build it, then `run()` it once."""

    def __init__(self, sc: Scenario, seed: np.random.SeedSequence):
        self.env = Clock()
        self.sc = sc
        index = {name: i for i, name in enumerate(sc.queues)}
        nq, ng = len(sc.queues), len(sc.agents)
        self.length = sc.interval_seconds
        self.n_intervals = sc.n_intervals

        # Independent streams per purpose and per queue, so changing one queue's handle
        # time does not reshuffle another's arrivals (common random numbers for what-ifs).
        arrival_seed, *queue_seeds = seed.spawn(1 + nq)
        self._arrival_rng = np.random.default_rng(arrival_seed)
        self.rules = [_QueueRules(q, index, s) for q, s in zip(sc.queues.values(), queue_seeds)]
        # A hang-up is an event only where its moment matters to others: a freed line,
        # a redial, a callback estimate. Otherwise a caller whose patience ran out is
        # found when an agent reaches them, and recorded as abandoned at their deadline.
        self._hang_up_events = bool(
            sc.lines or any(q.redial or q.callback for q in sc.queues.values())
        )

        self.waiting: list[deque[_Call]] = [deque() for _ in range(nq)]
        self.n_waiting = [0] * nq  # live callers in each queue (tombstones excluded)
        self.callbacks: list[deque[_Call]] = [deque() for _ in range(nq)]
        self.idle: list[deque[float]] = [deque() for _ in range(ng)]  # idle-since times
        self.staffed = [0] * ng  # logged in (busy or idle), leavers included
        self.leaving = [0] * ng  # busy agents who log off when their call ends
        self.tiers = [self._tiers(g.ranks, index) for g in sc.agents.values()]
        self.skills = [[q for tier in t for q in tier] for t in self.tiers]
        self.servers = [[g for g in range(ng) if q in self.skills[g]] for q in range(nq)]
        self._only = [s[0] if len(s) == 1 else -1 for s in self.skills]
        self._sole = [s[0] if len(s) == 1 else -1 for s in self.servers]
        self._any_repeat = any(q.repeat for q in sc.queues.values())
        self._any_callback = any(q.callback for q in sc.queues.values())
        self.lines = sc.lines if sc.lines is not None else -1
        self.in_line = 0  # calls talking or waiting (holding a line)
        self.first: list[_Call] = []  # the forecast's calls, customer i at index i
        self.later: list[_Call] = []  # redials, repeat calls, transferred segments
        self.agent_log: list[tuple[float, int, int]] = []
        self._at = self.env.at
        self._on_talk_end = self._talk_end  # bound once, used per call

    def _tiers(self, ranks: dict[str, int], index: dict[str, int]) -> list[list[int]]:
        """Queue indices grouped by rank (best first), each tier by priority (high first)."""
        tiers = []
        for rank in sorted(set(ranks.values())):
            tier = [index[s] for s, r in ranks.items() if r == rank]
            tiers.append(sorted(tier, key=lambda q: -self.rules[q].priority))
        return tiers

    # -- arrivals ------------------------------------------------------------------
    def _first_calls(self) -> None:
        """The forecast's callers: Poisson arrivals with a rate constant within each
        interval (a Poisson(volume) count spread uniformly over the interval), all queues
        merged in time order, with their handle times and patience."""
        rng, length = self._arrival_rng, self.length
        columns = []
        for qi, q in enumerate(self.sc.queues.values()):
            counts = rng.poisson(np.asarray(q.volumes, dtype=float))
            n = counts.sum()
            start = np.repeat(np.arange(len(counts)) * length, counts)
            columns.append(
                (start + rng.uniform(0, length, n), np.full(n, qi), *self.rules[qi].callers(n))
            )
        t, q, talk, handle, patience = (np.concatenate(c) for c in zip(*columns))
        order = np.argsort(t, kind="stable")
        self._t, self._q = t[order].tolist(), q[order].tolist()
        self._callers = list(zip(*(a[order].tolist() for a in (talk, handle, patience))))

    def _first_arrival(self, i: int) -> None:
        """Customer i's first call (customers are numbered in order of arrival)."""
        call = _Call(self._q[i], self._t[i], i)
        call.talk, call.handle, call.patience = self._callers[i]
        self.first.append(call)
        self._arrive(call)

    def _segment(
        self, queue: int, arrival: float, customer: int, attempt: int, segment: int = 1
    ) -> _Call:
        """A call that was not in the forecast: a redial, a repeat call, a transfer."""
        call = _Call(queue, arrival, customer, attempt, segment)
        call.talk, call.handle, call.patience = self.rules[queue].caller()
        self.later.append(call)
        return call

    def _arrive(self, call: _Call) -> None:
        if self.in_line >= self.lines >= 0:
            call.lost(BLOCKED, 0.0)
            self._maybe_redial(call)
            return
        self.in_line += 1
        call.line = True
        if self._any_callback and self._offers_callback(call.queue, self.rules[call.queue]):
            call.callback = True
            call.line = False
            self.in_line -= 1
            self.callbacks[call.queue].append(call)
            call.waiting = True
            return
        self._offer(call)

    def _call_again(self, call: _Call, at: float) -> None:
        """The customer calls again at `at`, on the queue they first called."""
        again = self._segment(self._entry(call), at, call.customer, call.attempt + 1)
        again.callbacks = [self._arrive]
        self._at(at, again)

    def _maybe_redial(self, call: _Call) -> None:
        """A blocked or abandoned caller tries again, maybe (back to their first queue)."""
        rules = self.rules[self._entry(call)]
        if (
            rules.redial
            and call.attempt < rules.redial.max_attempts
            and rules.uniform() < rules.redial.probability
        ):
            self._call_again(call, call.arrival + call.wait + rules.redial_delay())

    @staticmethod
    def _entry(call: _Call) -> int:
        return call.entry if call.entry >= 0 else call.queue

    def _offers_callback(self, q: int, rules: _QueueRules) -> bool:
        """Estimate the wait (calls ahead x AHT / agents with the skill) against the
        threshold; if over, the caller takes the callback with the given probability."""
        if rules.callback is None:
            return False
        agents = sum(self.staffed[g] - self.leaving[g] for g in self.servers[q])
        expected = (self.n_waiting[q] + 1) * rules.aht / agents if agents else float("inf")
        any_idle = any(self.idle[g] for g in self.servers[q])
        return (
            not any_idle
            and expected > rules.callback.threshold
            and rules.uniform() < rules.callback.acceptance
        )

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
            for g in self.servers[call.queue]:
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
        call.outcome = ANSWERED
        call.wait = now - call.arrival
        call.group = group
        call.start = now
        call.callbacks = [self._on_talk_end]
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
        rules = self.rules[call.queue]
        if not (rules.routes and self._passed_on(call, rules)):
            if call.line:
                self.in_line -= 1
            if self._any_repeat:
                self._maybe_repeat(call)
        if call.handle > call.talk:
            self._at(call.start + call.handle, Tick(self._acw_end, call.group))
        else:
            self._agent_free(call.group)

    def _passed_on(self, call: _Call, rules: _QueueRules) -> bool:
        """Transfer or escalate the call by the queue's routing table, maybe."""
        u = rules.uniform()
        for cum, target, kind in rules.routes:
            if u < cum:
                self._route(call, target, kind)
                return True
        return False

    def _route(self, call: _Call, target: int, kind: int) -> None:
        call.next = kind
        nxt = self._segment(target, self.env.now, call.customer, call.attempt, call.segment + 1)
        nxt.line = call.line
        nxt.entry = self._entry(call)
        self._offer(nxt)

    def _maybe_repeat(self, call: _Call) -> None:
        """A served caller whose problem is not solved may call again later."""
        entry = self.rules[self._entry(call)]
        if entry.repeat and entry.uniform() < entry.repeat.probability:
            call.unresolved = True
            if call.attempt < entry.repeat.max_attempts:
                self._call_again(call, self.env.now + entry.repeat_delay())

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
        queue priority, then the oldest."""
        for tier in self.tiers[g]:
            heads = [
                (-self.rules[q].priority, head.arrival, i, q)
                for i, q in enumerate(tier)
                if (head := self._head(q))
            ]
            if heads:
                return self._take(min(heads)[3])
        return None

    def _callback_for(self, g: int) -> _Call | None:
        """The oldest callback owed in group g's skills, by rank."""
        for q in self.skills[g]:
            if self.callbacks[q]:
                call = self.callbacks[q].popleft()
                call.waiting = False
                return call
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
        k = tick._value
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
            self._at((k + 1) * self.length, Tick(self._restaff, k + 1))

    # -- the day -------------------------------------------------------------------
    def run(self) -> DayRecords:
        self._first_calls()
        self._closed = False
        self._at(0.0, Tick(self._restaff, 0))
        collecting = gc.isenabled()
        gc.disable()  # the day creates objects, not garbage: skip the collector's scans
        try:
            self.env.run_all(self._t, self._first_arrival)
        finally:
            if collecting:
                gc.enable()
        end = self.env.now
        self._closed = True
        for call in chain(self.first, self.later):  # nobody will ever answer these: gone
            if call.waiting:
                call.deadline = min(call.deadline, end)
                self._abandon(call)
        return DayRecords(self._records(), np.array(self.agent_log, dtype=float).reshape(-1, 3))

    def _records(self) -> dict[str, np.ndarray]:
        """The calls as columns: the forecast's calls first (what is known of them from
        the start is taken from the arrays they were drawn into), then the others."""

        def column(calls: list[_Call], name: str) -> np.ndarray:
            return np.fromiter(map(attrgetter(name), calls), COLUMNS[name], len(calls))

        n = len(self.first)
        known = {
            "customer": np.arange(n),
            "attempt": np.ones(n),
            "segment": np.ones(n),
            "queue": self._q,
            "arrival": self._t,
        }
        cols = {
            name: np.concatenate(
                [
                    np.asarray(known[name], dtype) if name in known else column(self.first, name),
                    column(self.later, name),
                ]
            )
            for name, dtype in COLUMNS.items()
        }
        cols["interval"] = np.minimum(
            (cols["arrival"] // self.length).astype(np.int32), self.n_intervals - 1
        )
        return cols


def simulate_day(sc: Scenario, seed: np.random.SeedSequence) -> DayRecords:
    """Simulate one day of `sc` with the random streams of `seed`."""
    return CallCenter(sc, seed).run()
