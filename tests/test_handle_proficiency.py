"""Proficiency (`agents.NAME.handle_time_factor: {QUEUE: factor}`): a group's calls of
a queue take factor × their drawn handle time, applied when the call is answered.

Exact checks (on seeded draws) cannot false-alarm. Erlang agreement: one group at
factor 1.2 on exponential(150 s) handle times is M/M/n+M with a 180 s mean exactly, so
Erlang A at 180 s must hold; three 99.9% Student-t intervals over 200 days (false
alarm about 0.3%); at the file's 150 s, Erlang A lies outside each.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import exponential, group, queue, scenario, single_queue
from scipy import stats

from simulator.erlang import erlang_a
from simulator.kpi.compute import day_kpis
from simulator.model.handling import effective_handle_means, handle_means
from simulator.model.load import parse_scenario
from simulator.model.scenario import ScenarioError
from simulator.planner.load import offered_calls, offered_load
from simulator.planner.predict import predict
from simulator.sim.draws import forecast
from simulator.sim.engine import simulate_day
from simulator.sim.fast import simulate_day_fast, uncovered
from simulator.sim.records import ANSWERED
from simulator.sim.streams import Streams

SEED = np.random.SeedSequence(31)


def two_groups(factor: float | None = 1.2) -> dict:
    """One queue served by 'fast' (4 agents, rank 1) and 'slow' (3 agents, rank 1)."""
    slow = group(["q"], [3] * 3)
    if factor is not None:
        slow["handle_time_factor"] = {"q": factor}
    return scenario(
        {"q": queue([70.0] * 3, exponential(150.0), exponential(200.0))},
        {"fast": group(["q"], [4] * 3), "slow": slow},
    )


def test_a_groups_calls_take_factor_times_their_drawn_handle_time():
    """Every forecast caller answered by 'slow' talks 1.2 x their drawn talk, to the
    bit; those answered by 'fast' exactly their draw."""
    sc = parse_scenario(two_groups())
    drawn = forecast(sc, Streams(SEED))
    calls = simulate_day(sc, SEED).calls
    first = (calls["attempt"] == 1) & (calls["segment"] == 1) & (calls["outcome"] == ANSWERED)
    who = calls["customer"][first]
    slow = calls["group"][first] == 1
    assert slow.sum() > 40 and (~slow).sum() > 40
    factor = np.where(slow, 1.2, 1.0)
    np.testing.assert_array_equal(calls["talk"][first], drawn.talk[who] * factor)
    np.testing.assert_array_equal(calls["handle"][first], drawn.handle[who] * factor)


def test_without_a_factor_the_day_is_unchanged():
    """A factor of 1 for every queue is the file without it, record for record."""
    plain = simulate_day(parse_scenario(two_groups(None)), SEED).calls
    ones = simulate_day(parse_scenario(two_groups(1.0)), SEED).calls
    for name in plain:
        np.testing.assert_array_equal(plain[name], ones[name], err_msg=name)


def test_the_planner_takes_the_home_groups_factor_weighted_by_staffing():
    """AHT 150 s; 'fast' 4 agents at 1, 'slow' 3 at 1.2: 150 x (4 + 3 x 1.2) / 7."""
    sc = parse_scenario(two_groups())
    np.testing.assert_allclose(handle_means(sc), 150 * (4 + 3 * 1.2) / 7, rtol=1e-15)
    data = two_groups()
    data["agents"]["fast"]["staffing"] = [0, 0, 0]  # nobody else: the slow group's pace
    np.testing.assert_allclose(handle_means(parse_scenario(data)), 180.0, rtol=1e-15)
    data["agents"]["slow"]["staffing"] = [0, 0, 0]  # nobody at all: equal weights
    np.testing.assert_allclose(handle_means(parse_scenario(data)), 165.0, rtol=1e-15)


def test_a_group_serving_at_a_lower_rank_does_not_enter_the_mean():
    data = two_groups()
    data["agents"]["slow"]["skills"] = {"q": 2}  # overflow only
    np.testing.assert_allclose(handle_means(parse_scenario(data)), 150.0)


# ------------------------------------------------------------ Erlang A must hold
LOAD, AGENTS, PATIENCE = 4.0, 5, 300.0  # 80 calls an hour at 180 s effective


@pytest.fixture(scope="module")
def slow_team():
    data = single_queue([80.0] * 12, [AGENTS] * 12, handle=exponential(150.0), warmup=2)
    data["queues"]["q"]["patience"] = exponential(PATIENCE)
    data["agents"]["team"]["handle_time_factor"] = {"q": 1.2}
    sc = parse_scenario(data)
    return sc, [day_kpis(sc, simulate_day(sc, s)).day for s in SEED.spawn(200)]


def ci(x) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.9995, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def test_erlang_a_at_the_groups_pace_agrees_with_the_simulation(slow_team):
    sc, days = slow_team
    exact = erlang_a(LOAD, AGENTS, 180.0, PATIENCE, 20.0)
    file_aht = erlang_a(80 * 150 / 3600, AGENTS, 150.0, PATIENCE, 20.0)
    for kpi in ("service_level", "abandon_rate", "asa", "aht"):
        low, high = ci([d[kpi] for d in days])
        theory = 180.0 if kpi == "aht" else float(getattr(exact, kpi))
        wrong = 150.0 if kpi == "aht" else float(getattr(file_aht, kpi))
        assert low <= theory <= high, (kpi, low, high, theory)
        assert not low <= wrong <= high, (kpi, wrong)
    load = offered_load(sc, offered_calls(sc))
    np.testing.assert_allclose(load, LOAD)
    np.testing.assert_allclose(effective_handle_means(sc), 180.0)
    kpis = predict(sc, "erlang-a", load, np.full(load.shape, float(AGENTS)))
    np.testing.assert_allclose(kpis["service_level"], exact.service_level)
    np.testing.assert_allclose(kpis["occupancy"], exact.occupancy)


def test_the_fast_engine_plays_it_with_the_same_records(slow_team):
    sc, _ = slow_team
    assert uncovered(sc) is None
    for seed in range(2):
        ref = simulate_day(sc, np.random.SeedSequence(seed)).calls
        got = simulate_day_fast(sc, np.random.SeedSequence(seed)).calls
        for name, column in ref.items():
            assert column.tobytes() == got[name].tobytes(), (seed, name)


def test_a_factor_for_a_queue_the_group_does_not_serve_is_refused():
    data = two_groups()
    data["queues"]["other"] = queue([1.0] * 3)
    data["agents"]["fast"]["skills"] = ["q", "other"]
    data["agents"]["slow"]["handle_time_factor"] = {"q": 1.2, "other": 0.9}
    with pytest.raises(ScenarioError) as e:
        parse_scenario(data, strict=True)
    assert e.value.problems == [
        "agents.slow.handle_time_factor.other: not a skill of this group (skills: q)"
    ]
    data["agents"]["slow"]["handle_time_factor"] = {"q": 0}
    with pytest.raises(ScenarioError) as e:
        parse_scenario(data, strict=True)
    assert e.value.problems == ["agents.slow.handle_time_factor.q: must be > 0"]
