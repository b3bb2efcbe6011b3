"""The one module that touches SimPy's internals: a faster event loop over
`simpy.Environment`'s own heap (`_queue`), event counter (`_eid`) and clock (`_now`).

SimPy's public `step()` handles failures and interrupts this model never needs; the
shortcuts here skip them. `tests/test_sim_loop.py` pins the contract they rely on, so
a SimPy release that changes these internals fails the suite, not a user's run.

The heap holds only the near future. A big center has an event pending for every busy
agent (some 43,000 talk ends at 45,000 agents), and a pop from a heap that size walks
16 levels of entries scattered in memory, most of them out of the CPU's caches. So
events further ahead wait, unsorted, in *slots* of `slot` seconds (a calendar queue).
Once the heap and the slot in hand have run dry, the next slot's events are sorted
(one `list.sort`, whose comparisons of float times are far cheaper than a heap's) and
taken from its end in order; an event scheduled into the slot in hand goes on the
heap, and the earlier of the two goes first. The order of events is that of one heap:
by time, then by when they were scheduled (SimPy's entries
`(time, priority, eid, event)`, compared whole).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from heapq import heappop, heappush
from operator import itemgetter

import simpy
from simpy.events import NORMAL

_INF = float("inf")
_LAST_SLOT = sys.maxsize  # where an event at an endless time would wait


class Clock(simpy.Environment):
    """SimPy's environment, with two shortcuts for events that cannot fail.

    `at(time, event)` schedules at an absolute time (no now + delay round-off).
    `run_all(times, arrive)` runs until no event is left, merging a pre-sorted list
    of arrival times with SimPy's event queue: arrival i is handled by `arrive(i)`
    when its time comes, without a trip through the heap (the forecast's calls are
    known before the day starts), and events skip `step()`'s failure and interrupt
    handling, which this model never needs. On a tie the queued event goes first.

    `slot`: seconds per slot of the calendar (see the module doc; infinite: one heap).
    Slot k holds the times t with int(t / slot) == k (computed as `t * _per_second`:
    monotone in t). Invariant: the heap and `_due` (the slot in hand, sorted latest
    first) hold the events of slot `_last` and before, that is those before `_horizon`
    (the first time of slot `_last + 1`); the parked ones are all later, so the earlier
    of the heap's top and `_due`'s last is the next event whenever either holds one.
    """

    def __init__(self, slot: float = _INF):
        super().__init__()
        self._per_second = 1 / slot
        self._last = 0  # the latest slot in the heap
        self._horizon = self._first_time(1)
        # slot -> its events' times and events, in the order they were scheduled
        self._parked: dict[int, tuple[list[float], list]] = {}
        self._slots: list[int] = []  # heap of the parked slots' numbers
        self._due: list[tuple] = []  # the slot in hand's (time, event), latest first

    def _slot(self, time: float) -> int:
        """The slot of `time`: int(time / slot), monotone in time (endless: the last)."""
        return int(time * self._per_second) if time < _INF else _LAST_SLOT

    def _first_time(self, slot: int) -> float:
        """The earliest time in `slot`, to the last bit (inf: none)."""
        if self._per_second == 0 or slot > _LAST_SLOT:
            return _INF
        t = slot / self._per_second
        while t > 0 and self._slot(t) >= slot:
            t = math.nextafter(t, -_INF)
        while self._slot(t) < slot:
            t = math.nextafter(t, _INF)
        return t

    def at(self, time: float, event) -> None:
        if time < self._horizon:
            heappush(self._queue, (time, NORMAL, next(self._eid), event))
            return
        slot = int(time * self._per_second) if time < _INF else _LAST_SLOT  # _slot(time)
        parked = self._parked.get(slot)
        if parked is None:
            self._parked[slot] = parked = ([], [])
            heappush(self._slots, slot)
        parked[0].append(time)
        parked[1].append(event)

    def _unpark(self) -> None:
        """The heap and the slot in hand are empty: the next slot's events are due."""
        self._last = heappop(self._slots)
        self._horizon = self._first_time(self._last + 1)
        times, events = self._parked.pop(self._last)
        due = sorted(zip(times, events), key=itemgetter(0))  # stable: a tie in scheduling order
        due.reverse()
        self._due = due

    def run_all(self, times: list[float], arrive: Callable[[int], None]) -> None:
        queue, due = self._queue, self._due
        i, n = 0, len(times)
        upcoming = times[0] if n else _INF
        while True:
            if not due and not queue and self._slots:
                self._unpark()
                due = self._due
            # the next event: the slot in hand's earliest, or the heap's top if before it
            if due and not (queue and _before(queue[0], due[-1][0])):
                event = None if due[-1][0] > upcoming else due[-1][1]
                if event is not None:
                    self._now = due.pop()[0]
            elif queue and queue[0][0] <= upcoming:
                self._now, _, _, event = heappop(queue)
            else:
                event = None
            if event is not None:
                callbacks = event.callbacks
                event.callbacks = None  # fired, as SimPy marks it
                for callback in callbacks:
                    callback(event)
            elif i < n:
                self._now = upcoming
                arrive(i)
                i += 1
                upcoming = times[i] if i < n else _INF
            else:
                return


def _before(entry: tuple, time: float) -> bool:
    """Whether a heap entry goes before a parked event at `time`: parked events were
    all scheduled before any heap entry of their slot, so a tie goes to them unless
    the entry is SimPy's URGENT."""
    return entry[0] < time or (entry[0] == time and entry[1] < NORMAL)


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
