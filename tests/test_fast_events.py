"""The fast engine's events (`simulator.sim.fast_events`): a heap for the current
calendar slot, the later slots' events unsorted, those a year ahead or more in one
more list. Whatever the slot length, events must come out in (time, scheduling order),
as Python's heapq gives them, through ties, far-off and endless events; and a day's
records must not depend on the slot length. Deterministic: any difference is a bug.
"""

from __future__ import annotations

import heapq
import math
import platform

import numpy as np
import pytest
from test_fast_engine import RANDOM, differences, random_scenario

from simulator.model.load import parse_scenario
from simulator.sim import fast, fast_base
from simulator.sim import fast_events as ev
from simulator.sim.fast import _Day, _free_list

# slots per second: 0 is one endless slot (a plain heap); 1000 puts most events a year
# (1.024 s) ahead or more; 0.37 and 1 spread them over many slots
PER_SLOT = (0.0, 0.37, 1.0, 1000.0)


@fast_base.jit
def play(s, first, delays, pushes, out):
    """Schedule `first` events at delays[0..first-1]; then pop events one at a time,
    each pop followed by pushes[i] new ones at its time plus the next delays (the
    datum of an event: its index in `delays`). Writes the data in popped order to
    `out`; returns how many were popped."""
    j = 0
    for _ in range(first):
        ev.push(s, delays[j], 0, j)
        j += 1
    m = 0
    while True:
        ev.earliest(s)
        if s.iv[fast_base.HSIZE] == 0:
            break
        t, _kind, data = ev.pop(s)
        out[m] = data
        for _ in range(pushes[m]):
            if j < len(delays):
                ev.push(s, t + delays[j], 0, j)
                j += 1
        m += 1
    return m


def reference(first: int, delays: np.ndarray, pushes: np.ndarray) -> list[int]:
    """The same schedule with heapq over (time, scheduling order)."""
    heap = [(float(delays[j]), j) for j in range(first)]
    heapq.heapify(heap)
    order, j = [], first
    while heap:
        t, data = heapq.heappop(heap)
        for _ in range(pushes[len(order)]):
            if j < len(delays):
                heapq.heappush(heap, (t + float(delays[j]), j))
                j += 1
        order.append(data)
    return order


def schedule(rng: np.random.Generator, n: int) -> np.ndarray:
    """Delays: ties (0 and a few repeated values), short and long ones, some a
    calendar year or many ahead, some endless."""
    kind = rng.integers(0, 6, n)
    return np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3, kind == 4],
        [0.0, rng.choice([0.5, 1.0, 2.0], n), rng.exponential(1.0, n),
         rng.exponential(300.0, n), rng.exponential(5e4, n)],
        np.where(rng.random(n) < 0.05, math.inf, 3e5),
    )  # fmt: skip


def state(per_slot: float, capacity: int):
    sc = parse_scenario(random_scenario(0))
    s = _Day(sc, np.random.SeedSequence(0))._state()
    s = s._replace(
        h_time=np.zeros(capacity), h_key=np.zeros(capacity, np.int64),
        f_head=np.full(ev.SLOTS + 1, -1, np.int64), f_time=np.zeros(capacity),
        f_key=np.zeros(capacity, np.int64), f_next=_free_list(capacity),
    )  # fmt: skip
    s.iv[:] = 0
    s.iv[fast_base.FREE] = 0
    s.iv[fast_base.KEY_SHIFT] = ev.KIND_BITS + 20
    s.fv[fast_base.PER_SLOT] = per_slot
    return s


@pytest.mark.parametrize("per_slot", PER_SLOT)
@pytest.mark.parametrize("trial", range(3))
def test_events_come_out_in_time_then_scheduling_order_whatever_the_slot(per_slot, trial):
    rng = np.random.default_rng(trial)
    n = 20_000
    delays, pushes = schedule(rng, n), rng.integers(0, 3, n)
    first = 500
    s = state(per_slot, n)
    out = np.zeros(n, np.int64)
    m = play(s, first, delays, pushes, out)
    assert s.iv[fast_base.STATUS] == fast_base.OK
    want = reference(first, delays, pushes)
    assert m == len(want) and out[:m].tolist() == want
    assert s.iv[fast_base.N_FAR] == 0 and s.iv[fast_base.N_BUCKETED] == 0


def test_a_full_calendar_stops_the_day_with_the_heap_status():
    s = state(1.0, 4)
    out = np.zeros(8, np.int64)
    play(s, 6, np.array([5.0, 6, 7, 8, 9, 10, 0, 0]), np.zeros(8, np.int64), out)
    assert s.iv[fast_base.STATUS] == fast_base.FULL_HEAP


@pytest.mark.parametrize("i", RANDOM[:12])
@pytest.mark.parametrize("per_slot", (1.0, 1 / 7, 40.0))
def test_a_days_records_do_not_depend_on_the_slot_length(i, per_slot, monkeypatch):
    monkeypatch.setattr(fast, "_per_slot", lambda handle, most: per_slot)
    sc = parse_scenario(random_scenario(i))
    for day in range(2):
        assert differences(sc, day) == [], f"random scenario {i}, day {day}, {per_slot}"


def test_day_engine_has_the_allocator_keep_freed_memory_once_a_process(monkeypatch):
    calls = []
    monkeypatch.setattr(fast, "_ALLOCATOR", [])
    monkeypatch.setattr(fast, "keep_freed_memory", lambda: calls.append(1) or True)
    sc = parse_scenario(random_scenario(0))
    for engine in ("simpy", "fast", "auto"):
        fast.day_engine(sc, engine)
    assert calls == [1] and fast._ALLOCATOR == [True]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_on_glibc_the_allocator_takes_the_settings():
    assert fast.keep_freed_memory() is True
