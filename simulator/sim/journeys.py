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

from .calls import Calls
from .draws import DECISIONS, Later
from .layout import Layout, QueueRules, route
from .loop import Clock, Tick

_INF = float("inf")
_TRANSFER, _ESCALATION, _REDIAL, _REDIAL_DELAY, _REPEAT, _REPEAT_DELAY, _CALLBACK = range(
    len(DECISIONS)
)


class Journeys:
    """The journey steps of `CallCenter` (whose state they share)."""

    env: Clock
    calls: Calls
    layout: Layout
    rules: list[QueueRules]
    staffed: list[int]
    leaving: list[int]
    idle: list[deque[Any]]
    n_waiting: list[int]
    callbacks: list[deque[int]]
    in_line: int
    length: float
    n_intervals: int
    _later_draws: Later
    _at: Callable[[float, Any], None]
    _arrive: Callable[[int], None]
    _offer: Callable[[int], None]

    def _segment(self, queue: int, at: float, parent: int, attempt: int) -> int:
        """A call that was not in the forecast, of `parent`'s customer: a redial or
        repeat call (a new attempt), a transferred or escalated segment (the next one)."""
        entry = self._entry(parent)
        customer, parent_attempt, parent_segment = self.calls.who(parent)
        segment = 1 if attempt > parent_attempt else parent_segment + 1
        interval = min(int(at // self.length), self.n_intervals - 1)
        drawn = self._later_draws.caller(queue, entry, interval)
        return self.calls.add(queue, at, customer, attempt, segment, drawn)

    def _entry(self, c: int) -> int:
        """The queue call c's phone call came in on."""
        return self.calls.entry.get(c, self.calls.queue[c])

    def _call_again(self, c: int, at: float) -> None:
        """The customer calls again at `at`, on the queue they first called."""
        again = self._segment(self._entry(c), at, c, self.calls.who(c)[1] + 1)
        self._at(at, Tick(self._ring, again))

    def _ring(self, tick: Tick) -> None:
        self._arrive(tick._value)

    def _maybe_redial(self, c: int) -> None:
        """A blocked or abandoned caller tries again, maybe (back to their first queue)."""
        calls = self.calls
        redial = self.rules[self._entry(c)].redial
        if (
            redial
            and calls.who(c)[1] < redial.max_attempts
            and calls.draws[c][_REDIAL] < redial.probability
        ):
            self._call_again(c, calls.arrival[c] + calls.wait[c] + calls.draws[c][_REDIAL_DELAY])

    def _maybe_repeat(self, c: int) -> None:
        """A served caller whose problem is not solved may call again later."""
        calls = self.calls
        repeat = self.rules[self._entry(c)].repeat
        if repeat and calls.draws[c][_REPEAT] < repeat.probability:
            calls.unresolved.add(c)
            if calls.who(c)[1] < repeat.max_attempts:
                self._call_again(c, self.env.now + calls.draws[c][_REPEAT_DELAY])

    def _offers_callback(self, c: int) -> bool:
        """Estimate the wait (calls ahead x the AHT of the interval called in / agents
        with the skill) against the threshold; if over, the caller takes the callback
        by their own draw."""
        calls = self.calls
        q = calls.queue[c]
        rules = self.rules[q]
        if rules.callback is None:
            return False
        servers = self.layout.servers[q]
        agents = sum(self.staffed[g] - self.leaving[g] for g in servers)
        aht = rules.aht
        if rules.interval_aht is not None:
            interval = min(int(calls.arrival[c] // self.length), self.n_intervals - 1)
            aht = rules.interval_aht[interval]
        expected = (self.n_waiting[q] + 1) * aht / agents if agents else _INF
        return (
            not any(self.idle[g] for g in servers)
            and expected > rules.callback.threshold
            and calls.draws[c][_CALLBACK] < rules.callback.acceptance
        )

    def _passed_on(self, c: int) -> bool:
        """Transfer or escalate call c by the queue's routing table, maybe."""
        calls = self.calls
        draws = calls.draws[c]
        target, kind = route(self.rules[calls.queue[c]], draws[_TRANSFER], draws[_ESCALATION])
        if target < 0:
            return False
        calls.next[c] = kind
        nxt = self._segment(target, self.env.now, c, calls.who(c)[1])
        calls.line[nxt] = calls.line[c]
        calls.entry[nxt] = self._entry(c)
        self._offer(nxt)
        return True

    def _callback_for(self, g: int) -> int | None:
        """The oldest callback owed in group g's skills, by rank."""
        for q in self.layout.skills[g]:
            if self.callbacks[q]:
                c = self.callbacks[q].popleft()
                self.calls.waiting[c] = False
                return c
        return None
