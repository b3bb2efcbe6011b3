"""Memory (issue 14 item 4, engine part): no reference cycle outlives a simulated day.
A finished day's objects are freed by reference counting alone, as soon as its records
are returned: with the cyclic garbage collector off, nothing of the day is left."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import numpy as np
import pytest

from simulator.model.load import load_scenario
from simulator.sim.engine import CallCenter

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_finished_day_is_freed_without_the_garbage_collector(path):
    sc = load_scenario(path)
    gc.collect()
    gc.disable()
    try:
        center = CallCenter(sc, np.random.SeedSequence(3))
        day = center.run()
        assert len(day.calls["arrival"]) > 100
        alive = [weakref.ref(x) for x in (center, center.env, center.streams, center.layout)]
        del center
        assert [r() for r in alive] == [None] * len(alive)  # freed at once
        assert gc.collect() == 0  # and no cycle was left for the collector
    finally:
        gc.enable()
