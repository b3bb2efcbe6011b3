"""Call journeys: what happens to a call beyond one queue and one agent.

After talking, the caller may be transferred or escalated to another queue (same phone
call, a new *segment*, still holding its line); a blocked or abandoned caller may
redial, and a caller whose problem was not solved may call again later (a new *attempt*
by the same *customer*), both by the rules of the queue the customer first called. A
caller facing a long wait may take a callback instead (virtual hold).

Each decision is the caller's own draw, made when they called (`simulator.sim.draws`):
the engine only compares it with the rule's probability.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from .draws import DECISIONS, Later
from .layout import Layout, QueueRules, route
from .loop import Clock
from .records import NEXT_NONE

_NAN, _INF = float("nan"), float("inf")
_TRANSFER, _ESCALATION, _REDIAL, _REDIAL_DELAY, _REPEAT, _REPEAT_DELAY, _CALLBACK = range(
    len(DECISIONS)
)


class _Call:
    """One segment of a call (a row of the records), and the SimPy event of its
    talk end. Its fate (outcome, wait, group, start, talk, handle) is set when it is
    answered or lost; the rarer journey marks live in `__dict__`, class defaults
    standing in until set. `draws`: the caller's decisions (see DECISIONS), if any."""

    __slots__ = (
        "__dict__",
        "arrival",
        "attempt",
        "callbacks",
        "customer",
        "deadline",
        "draws",
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
    not_ready = 0.0
    entry = -1  # queue the phone call came in on, if not this one
    callbacks: list[Callable[[Any], None]] | None
    draws: Any
    talk: float
    handle: float
    patience: float

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


class Journeys:
    """The journey steps of `CallCenter` (whose state they share)."""

    env: Clock
    layout: Layout
    rules: list[QueueRules]
    staffed: list[int]
    leaving: list[int]
    idle: list[deque[float]]
    n_waiting: list[int]
    callbacks: list[deque[_Call]]
    later: list[_Call]
    in_line: int
    length: float
    n_intervals: int
    _later_draws: Later
    _at: Callable[[float, Any], None]
    _arrive: Callable[[_Call], None]
    _offer: Callable[[_Call], None]

    def _segment(self, queue: int, at: float, parent: _Call, attempt: int) -> _Call:
        """A call that was not in the forecast, of `parent`'s customer: a redial or
        repeat call (a new attempt), a transferred or escalated segment (the next one)."""
        entry = self._entry(parent)
        segment = 1 if attempt > parent.attempt else parent.segment + 1
        call = _Call(queue, at, parent.customer, attempt, segment)
        interval = min(int(at // self.length), self.n_intervals - 1)
        call.talk, call.handle, call.patience, call.draws = self._later_draws.caller(
            queue, entry, interval
        )
        self.later.append(call)
        return call

    @staticmethod
    def _entry(call: _Call) -> int:
        return call.entry if call.entry >= 0 else call.queue

    def _call_again(self, call: _Call, at: float) -> None:
        """The customer calls again at `at`, on the queue they first called."""
        again = self._segment(self._entry(call), at, call, call.attempt + 1)
        again.callbacks = [self._arrive]
        self._at(at, again)

    def _maybe_redial(self, call: _Call) -> None:
        """A blocked or abandoned caller tries again, maybe (back to their first queue)."""
        redial = self.rules[self._entry(call)].redial
        if (
            redial
            and call.attempt < redial.max_attempts
            and call.draws[_REDIAL] < redial.probability
        ):
            self._call_again(call, call.arrival + call.wait + call.draws[_REDIAL_DELAY])

    def _maybe_repeat(self, call: _Call) -> None:
        """A served caller whose problem is not solved may call again later."""
        repeat = self.rules[self._entry(call)].repeat
        if repeat and call.draws[_REPEAT] < repeat.probability:
            call.unresolved = True
            if call.attempt < repeat.max_attempts:
                self._call_again(call, self.env.now + call.draws[_REPEAT_DELAY])

    def _offers_callback(self, call: _Call) -> bool:
        """Estimate the wait (calls ahead x the AHT of the interval called in / agents
        with the skill) against the threshold; if over, the caller takes the callback
        by their own draw."""
        q = call.queue
        rules = self.rules[q]
        if rules.callback is None:
            return False
        servers = self.layout.servers[q]
        agents = sum(self.staffed[g] - self.leaving[g] for g in servers)
        aht = rules.aht
        if rules.interval_aht is not None:
            aht = rules.interval_aht[min(int(call.arrival // self.length), self.n_intervals - 1)]
        expected = (self.n_waiting[q] + 1) * aht / agents if agents else _INF
        return (
            not any(self.idle[g] for g in servers)
            and expected > rules.callback.threshold
            and call.draws[_CALLBACK] < rules.callback.acceptance
        )

    def _passed_on(self, call: _Call) -> bool:
        """Transfer or escalate the call by the queue's routing table, maybe."""
        target, kind = route(self.rules[call.queue], call.draws[_TRANSFER], call.draws[_ESCALATION])
        if target < 0:
            return False
        call.next = kind
        nxt = self._segment(target, self.env.now, call, call.attempt)
        nxt.line = call.line
        nxt.entry = self._entry(call)
        self._offer(nxt)
        return True

    def _callback_for(self, g: int) -> _Call | None:
        """The oldest callback owed in group g's skills, by rank."""
        for q in self.layout.skills[g]:
            if self.callbacks[q]:
                call = self.callbacks[q].popleft()
                call.waiting = False
                return call
        return None
