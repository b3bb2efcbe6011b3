"""Priority head start (`queues.NAME.head_start`): among skills of equal rank and
priority, a queue's callers rank as if they had waited head_start seconds longer.
Hand-built day: exact, no false alarm."""

from __future__ import annotations

import numpy as np
import pytest
from builders import deterministic, group, queue, scenario

from simulator.model.load import parse_scenario
from simulator.sim import engine
from simulator.sim.draws import Forecast


def answer_times(head_start: float, monkeypatch) -> list[float]:
    """One agent serving 'a' and 'b' (equal rank and priority), 100 s calls. Callers:
    'a' at 0 s (answered at once), 'b' at 10 s, 'a' at 30 s; the last two wait for the
    agent, free at 100 s. 'a' has the head start. Returns the three answer times."""
    data = scenario(
        {
            "a": queue([3], deterministic(100.0), head_start=head_start),
            "b": queue([3], deterministic(100.0)),
        },
        {"agent": group({"a": 1, "b": 1}, [1])},
    )
    sc = parse_scenario(data)
    three = np.full(3, 100.0)
    hand = Forecast(np.array([0.0, 10.0, 30.0]), np.array([0, 1, 0]), three, three,
                    np.full(3, np.inf), None)  # fmt: skip
    monkeypatch.setattr(engine, "forecast", lambda sc, streams: hand)
    return engine.simulate_day(sc, np.random.SeedSequence(1)).calls["start"].tolist()


@pytest.mark.parametrize(
    ("head_start", "starts"),
    [
        (0.0, [0.0, 100.0, 200.0]),  # oldest first: b (10 s) before a (30 s)
        (19.0, [0.0, 100.0, 200.0]),  # a ranks as if it came at 11 s: still after b
        (21.0, [0.0, 200.0, 100.0]),  # a ranks as if it came at 9 s: before b
    ],
)
def test_a_head_start_ranks_callers_as_if_they_had_waited_longer(head_start, starts, monkeypatch):
    assert answer_times(head_start, monkeypatch) == starts


def test_priority_still_beats_a_head_start(monkeypatch):
    """Priority first, then the head-started wait (as the docs say)."""
    data = scenario(
        {"a": queue([1], head_start=3600.0), "b": queue([1], priority=1)},
        {"agent": group({"a": 1, "b": 1}, [1])},
    )
    sc = parse_scenario(data)
    assert sc.queues["a"].head_start == 3600.0
    three = np.full(3, 100.0)
    hand = Forecast(np.array([0.0, 10.0, 30.0]), np.array([0, 0, 1]), three, three,
                    np.full(3, np.inf), None)  # fmt: skip
    monkeypatch.setattr(engine, "forecast", lambda sc, streams: hand)
    starts = engine.simulate_day(sc, np.random.SeedSequence(1)).calls["start"].tolist()
    assert starts == [0.0, 200.0, 100.0]  # b (priority 1) before a's head-started caller
