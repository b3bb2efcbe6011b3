"""The one module that touches SimPy's internals: a faster event loop over
`simpy.Environment`'s own heap (`_queue`), event counter (`_eid`) and clock (`_now`).

SimPy's public `step()` handles failures and interrupts this model never needs; the
shortcuts here skip them. `tests/test_sim_loop.py` pins the contract they rely on, so
a SimPy release that changes these internals fails the suite, not a user's run.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush

import simpy
from simpy.events import NORMAL

_INF = float("inf")


class Clock(simpy.Environment):
    """SimPy's environment, with two shortcuts for events that cannot fail.

    `at(time, event)` schedules at an absolute time (no now + delay round-off).
    `run_all(times, arrive)` runs until no event is left, merging a pre-sorted list
    of arrival times with SimPy's event queue: arrival i is handled by `arrive(i)`
    when its time comes, without a trip through the heap (the forecast's calls are
    known before the day starts), and events skip `step()`'s failure and interrupt
    handling, which this model never needs. On a tie the queued event goes first.
    """

    def at(self, time: float, event) -> None:
        heappush(self._queue, (time, NORMAL, next(self._eid), event))

    def run_all(self, times: list[float], arrive: Callable[[int], None]) -> None:
        queue = self._queue
        i, n = 0, len(times)
        upcoming = times[0] if n else _INF
        while True:
            if queue and queue[0][0] <= upcoming:
                self._now, _, _, event = heappop(queue)
                callbacks = event.callbacks
                event.callbacks = None  # type: ignore[assignment]  # fired, as SimPy marks it
                for callback in callbacks:
                    callback(event)
            elif i < n:
                self._now = upcoming
                arrive(i)
                i += 1
                upcoming = times[i] if i < n else _INF
            else:
                return


class Tick:
    """A bare SimPy event: scheduled with `env.schedule`, it fires `callback(self)`.

    It is all a `simpy.Timeout` is to the event loop (callbacks, ok, value), without
    the bookkeeping this model never reads.
    """

    __slots__ = ("_value", "callbacks")
    _ok = True

    def __init__(self, callback, value):
        self.callbacks = [callback]
        self._value = value
