"""The SimPy internals `simulator.sim.loop` relies on, pinned: a SimPy release that
changes them fails here, not in a user's run. The loop pushes `(time, priority, eid,
event)` entries on `Environment._queue` (a heapq), numbers them from `_eid` (an
itertools.count), moves the clock by setting `_now`, and schedules with
`simpy.events.NORMAL`; SimPy's own `step()` must order and fire such entries the same
way, so `Clock.run_all` is a faithful shortcut of it."""

from __future__ import annotations

import itertools
import math
import random
from heapq import heappush
from pathlib import Path

import numpy as np
import pytest
import simpy
from simpy.events import NORMAL, URGENT

from simulator.sim.loop import Clock, Tick

_INF = float("inf")


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


def _fired(slot: float, seed: int) -> list[tuple[float, int]]:
    """The (time, name) order in which a Clock with `slot`-second slots fires a random
    mix of events: times on a coarse grid (ties, and times on slot edges), some
    scheduling more events when they fire (at once, or later), merged with arrivals."""
    rng = random.Random(seed)
    env, fired = Clock(slot=slot), []
    names = itertools.count()

    def fire(tick):
        fired.append((env.now, tick._value))
        if rng.random() < 0.5:  # an event that schedules another: now or later
            later = env.now + rng.choice([0.0, 0.5, 1.0, 2.5, rng.uniform(0, 30)])
            env.at(later, Tick(fire, next(names)))

    for _ in range(300):
        env.at(rng.randrange(0, 400) / 4, Tick(fire, next(names)))
    arrivals = sorted(rng.randrange(0, 400) / 4 for _ in range(100))
    env.run_all(arrivals, lambda i: fired.append((env.now, -1 - i)))
    return fired


@pytest.mark.parametrize("slot", [0.1, 0.5, 1.0, 2.5, 7.3, 1000.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_calendars_slots_fire_events_in_the_one_heaps_order(slot, seed):
    """Slots change when an event enters the heap, never the order: the same events
    and arrivals fire in the same order as with one heap (slot = inf), ties included."""
    one_heap = _fired(_INF, seed)
    assert len(one_heap) > 500 and len(set(t for t, _ in one_heap)) < len(one_heap)
    assert _fired(slot, seed) == one_heap


@pytest.mark.parametrize("slot", [0.1, 0.3, 1 / 3, 7.3, 60.0, 1e-7])
def test_a_slots_first_time_is_exact_to_the_bit(slot):
    env = Clock(slot=slot)
    for k in (1, 2, 3, 10, 997, 10**6):
        t = env._first_time(k)
        assert env._slot(t) == k and env._slot(math.nextafter(t, 0.0)) == k - 1


def test_an_endless_time_waits_in_the_last_slot():
    env, fired = Clock(slot=1.0), []
    for t in (_INF, 5.5, 0.5):
        env.at(t, Tick(lambda tick: fired.append(env.now), None))
    env.run_all([], lambda i: None)
    assert fired == [0.5, 5.5, _INF]


@pytest.mark.parametrize("name", ["bank_journeys", "multi_skill", "week_rostered"])
def test_the_engines_records_do_not_depend_on_the_slots(name, monkeypatch):
    """Every record column and the agent log are the same whether slots hold one call
    or the whole day (one heap): the calendar changes speed, not a single event."""
    from simulator.model.load import load_scenario
    from simulator.sim import engine

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / f"{name}.yaml")
    days = {}
    for per_slot in (1, engine.EVENTS_PER_SLOT, 10**12):
        monkeypatch.setattr(engine, "EVENTS_PER_SLOT", per_slot)
        days[per_slot] = engine.simulate_day(sc, np.random.SeedSequence(5))
    ref = days.pop(10**12)
    assert len(ref.calls["arrival"]) > 1000
    for day in days.values():
        assert all(np.array_equal(day.calls[k], ref.calls[k], equal_nan=True) for k in ref.calls)
        assert np.array_equal(day.agent_log, ref.agent_log)


def _tie(heap_priority: int) -> list[str]:
    """The order of a parked event and a heap entry at the same time 2.5 (slot 2 of
    1-second slots): the parked one was scheduled first (at 0.0, slot 2 still ahead),
    the heap entry once slot 2 was in hand (with `heap_priority`)."""
    env, fired = Clock(slot=1.0), []

    def push(tick):  # at 2.2, slot 2 in hand: the heap takes an entry for 2.5
        fired.append("push")
        entry = Tick(lambda t: fired.append("heap"), None)
        heappush(env._queue, (2.5, heap_priority, next(env._eid), entry))

    env.at(2.5, Tick(lambda t: fired.append("parked"), None))
    env.at(2.2, Tick(push, None))
    env.run_all([], lambda i: None)
    return fired


def test_a_tie_between_the_slot_in_hand_and_the_heap_goes_as_one_heap_would():
    """An event parked in a slot was scheduled before any heap entry of that slot, so
    on a tie in time it goes first, unless the entry is SimPy's URGENT (a smaller
    priority wins before the counter is compared, in SimPy's own order)."""
    assert _tie(NORMAL) == ["push", "parked", "heap"]
    assert _tie(URGENT) == ["push", "heap", "parked"]


def test_a_slots_events_fire_in_scheduling_order_on_a_tie():
    """A slot's events are sorted by time alone, stably: events at one time fire in
    the order they were scheduled, however many share it."""
    env, fired = Clock(slot=1.0), []
    for k in range(50):
        env.at(7.0 if k % 2 else 7.5, Tick(lambda t: fired.append(t._value), k))
    env.run_all([], lambda i: None)
    assert fired == list(range(1, 50, 2)) + list(range(0, 50, 2))
