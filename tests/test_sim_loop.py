"""The SimPy internals `simulator.sim.loop` relies on, pinned: a SimPy release that
changes them fails here, not in a user's run. The loop pushes `(time, priority, eid,
event)` entries on `Environment._queue` (a heapq), numbers them from `_eid` (an
itertools.count), moves the clock by setting `_now`, and schedules with
`simpy.events.NORMAL`; SimPy's own `step()` must order and fire such entries the same
way, so `Clock.run_all` is a faithful shortcut of it."""

from __future__ import annotations

import itertools

import simpy
from simpy.events import NORMAL, URGENT

from simulator.sim.loop import Clock, Tick


def test_the_environment_has_the_private_heap_counter_and_clock():
    env = simpy.Environment(initial_time=5.0)
    assert env._queue == [] and isinstance(env._queue, list)
    assert isinstance(env._eid, itertools.count) and next(env._eid) == 0
    assert env._now == 5.0 == env.now
    assert (URGENT, NORMAL) == (0, 1)


def test_simpy_queues_events_as_time_priority_eid_event():
    env = simpy.Environment()
    timeout = env.timeout(3.0)
    (entry,) = env._queue
    assert entry[0] == 3.0 and entry[1] == NORMAL and entry[3] is timeout
    assert isinstance(entry[2], int)


def test_simpy_step_fires_what_clock_at_pushed_in_time_then_eid_order():
    env, fired = Clock(), []
    for t, name in ((2.0, "b"), (1.0, "a"), (2.0, "c")):
        env.at(t, Tick(lambda tick: fired.append((env.now, tick._value)), name))
    assert [e[:2] for e in sorted(env._queue)] == [(1.0, NORMAL), (2.0, NORMAL), (2.0, NORMAL)]
    while env._queue:
        env.step()  # SimPy's own loop over the entries our loop pushed
    assert fired == [(1.0, "a"), (2.0, "b"), (2.0, "c")]


def test_run_all_merges_arrivals_with_the_heap_queued_event_first_on_a_tie():
    env, seen = Clock(), []
    env.at(1.0, Tick(lambda tick: seen.append(("tick", env.now)), None))
    env.run_all([0.5, 1.0, 2.0], lambda i: seen.append(("arrival", env.now)))
    assert seen == [("arrival", 0.5), ("tick", 1.0), ("arrival", 1.0), ("arrival", 2.0)]
    assert env.now == 2.0 and env._queue == []
