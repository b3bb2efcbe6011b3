"""Not-ready time after calls (`agents.NAME.not_ready`): the agent is unavailable for
a drawn time after each call's handle time (after any ACW), the caller has gone. It is
recorded apart (`not_ready` column), counts as logged-in time but not as busy time, so
occupancy = handle time / logged-in time leaves it out.

Theory: waiting callers meet agents whose service time is S = handle + not-ready. With
one agent (M/G/1), exactly: P(wait > 0) = rho = lambda E[S] (PASTA) and the mean wait is
Pollaczek-Khinchine, lambda E[S^2] / (2 (1 - rho)). Here talk ~ exp(100 s), not-ready ~
exp(50 s), 14.4 calls an hour: rho = 0.6, E[S^2] = 100^2 + 50^2 + 150^2, mean wait 175 s.
Each check is a 99.9% Student-t interval over 300 days (false alarm 0.1% each);
sensitive: ignoring not-ready gives rho = 0.4 and a mean wait of 67 s.

Erlang A (M/M/n+M) with the effective handle time (handle + not-ready): exact when the
agent's time per call is exponential. Here it is 2 s of talk (deterministic) plus an
exponential not-ready of 178 s: squared cv 0.988, so the M/G/n waits differ from
M/M/n's by about (1 - 0.988) / 2 = 0.6% (far inside the intervals); with the talk alone
as AHT, Erlang A predicts nearly no waiting at all. Three more 99.9% checks, six in the
module: false alarm about 0.6%.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import deterministic, exponential, group, queue, scenario, single_queue, steady
from scipy import stats

from simulator.erlang import erlang_a
from simulator.kpi.compute import day_kpis
from simulator.model.handling import effective_handle_means
from simulator.model.load import parse_scenario
from simulator.planner.load import offered_calls, offered_load
from simulator.planner.predict import predict
from simulator.sim.engine import simulate_day
from simulator.sim.fast import simulate_day_fast, uncovered
from simulator.sim.records import ANSWERED
from simulator.sim.streams import BLOCK, stream_seed

RATE, TALK, REST = 1 / 250, 100.0, 50.0


@pytest.fixture(scope="module")
def days():
    data = single_queue([3600 * RATE] * 12, [1] * 12, handle=exponential(TALK), warmup=2)
    data["agents"]["team"]["not_ready"] = exponential(REST)
    sc = parse_scenario(data)
    return sc, [simulate_day(sc, s) for s in np.random.SeedSequence(8).spawn(300)]


def ci(x) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.9995, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def in_steady_state(calls):
    return (calls["interval"] >= 2) & (calls["outcome"] == ANSWERED)


def test_waits_follow_m_g_1_with_service_time_handle_plus_not_ready(days):
    _, records = days
    rho = RATE * (TALK + REST)
    es2 = TALK**2 + REST**2 + (TALK + REST) ** 2
    pk = RATE * es2 / (2 * (1 - rho))
    waited = [np.mean(d.calls["wait"][in_steady_state(d.calls)] > 0) for d in records]
    mean_wait = [d.calls["wait"][in_steady_state(d.calls)].mean() for d in records]
    low, high = ci(waited)
    assert low <= rho <= high and high - low < 0.06
    assert not low <= RATE * TALK <= high  # not-ready ignored: rho 0.4
    low, high = ci(mean_wait)
    assert low <= pk <= high, (low, high, pk)
    assert high < 2 * pk and not low <= RATE * (2 * TALK**2) / (2 * (1 - RATE * TALK)) <= high


def test_not_ready_is_recorded_apart_and_occupancy_leaves_it_out(days):
    sc, records = days
    calls = records[0].calls
    ans = calls["outcome"] == ANSWERED
    assert np.all(calls["not_ready"][ans] > 0) and np.all(calls["not_ready"][~ans] == 0)
    assert np.all(calls["handle"][ans] == calls["talk"][ans])  # no ACW here: apart
    rests = np.concatenate([d.calls["not_ready"][d.calls["outcome"] == ANSWERED] for d in records])
    assert abs(rests.mean() - REST) < 4.5 * REST / math.sqrt(len(rests))
    occupancy = [day_kpis(sc, d).day["occupancy"] for d in records]
    low, high = ci(occupancy)
    assert low <= RATE * TALK <= high  # handle time only, 0.4


# Erlang A: n = 5 agents, effective load 4 Erlangs (80 calls an hour x 180 s), patience
# exponential with mean 300 s, 20 s threshold.
LOAD, AGENTS, PATIENCE = 4.0, 5, 300.0


@pytest.fixture(scope="module")
def erlang_a_days():
    data = steady(LOAD, AGENTS, 12, handle=deterministic(2.0), warmup=2)
    data["queues"]["q"]["patience"] = exponential(PATIENCE)
    data["agents"]["team"]["not_ready"] = exponential(178.0)
    sc = parse_scenario(data)
    days = [simulate_day(sc, s) for s in np.random.SeedSequence(11).spawn(200)]
    return sc, [day_kpis(sc, d).day for d in days]


def test_erlang_a_with_handle_plus_not_ready_agrees_with_the_simulation(erlang_a_days):
    _, days = erlang_a_days
    exact = erlang_a(LOAD, AGENTS, 180.0, PATIENCE, 20.0)
    talk_only = erlang_a(LOAD * 2 / 180, AGENTS, 2.0, PATIENCE, 20.0)
    for kpi, width in (("service_level", 0.04), ("abandon_rate", 0.01), ("asa", 4.0)):
        low, high = ci([d[kpi] for d in days])
        theory, wrong = float(getattr(exact, kpi)), float(getattr(talk_only, kpi))
        assert low <= theory <= high, (kpi, low, high, theory)
        assert high - low < width and not low <= wrong <= high, (kpi, wrong)


def test_the_planner_loads_handle_plus_not_ready_and_counts_handling_as_occupancy(
    erlang_a_days,
):
    """Offered load = calls x (2 + 178) s / 3600 s = 4 Erlangs; the predicted occupancy
    is handling only (2 s of each 180 s busy with a call), as the simulation counts it."""
    sc, days = erlang_a_days
    np.testing.assert_allclose(effective_handle_means(sc), 180.0)
    load = offered_load(sc, offered_calls(sc))
    np.testing.assert_allclose(load, LOAD)
    kpis = predict(sc, "erlang-a", load, np.full(load.shape, float(AGENTS)))
    exact = erlang_a(LOAD, AGENTS, 180.0, PATIENCE, 20.0)
    np.testing.assert_allclose(kpis["service_level"], exact.service_level)
    np.testing.assert_allclose(kpis["occupancy"], exact.occupancy * 2 / 180)
    low, high = ci([d["occupancy"] for d in days])
    assert low <= float(exact.occupancy) * 2 / 180 <= high


def test_not_ready_leaves_every_other_draw_of_the_day_unchanged():
    """Named streams: not-ready on group 'gb' changes no draw of another queue or group
    (queue a's calls are the same, row for row), b's callers keep their arrivals and
    talk, and the not-ready times are stream ("not_ready", "gb")'s first block, in the
    order b's agents finish their calls. Exact: no false alarm."""
    desks = scenario(
        {"a": queue([90] * 4, exponential(200), exponential(240)), "b": queue([70] * 4)},
        {"ga": group(["a"], [5] * 4), "gb": group(["b"], [5] * 4)},
    )
    day = np.random.SeedSequence(2024).spawn(1)[0]
    before = simulate_day(parse_scenario(desks), day).calls
    desks["agents"]["gb"]["not_ready"] = exponential(30.0)
    after = simulate_day(parse_scenario(desks), day).calls
    for name in before:
        a0, a1 = before["queue"] == 0, after["queue"] == 0
        np.testing.assert_array_equal(before[name][a0], after[name][a1], err_msg=name)
    b0, b1 = before["queue"] == 1, after["queue"] == 1
    np.testing.assert_array_equal(before["arrival"][b0], after["arrival"][b1])
    np.testing.assert_array_equal(before["talk"][b0], after["talk"][b1])  # nobody hangs up
    assert not np.array_equal(before["wait"][b0], after["wait"][b1])
    served = after["outcome"] == ANSWERED
    finish = (after["start"] + after["handle"])[b1 & served]
    rests = after["not_ready"][b1 & served][np.argsort(finish, kind="stable")]
    block = np.random.default_rng(stream_seed(day, "not_ready", "gb")).exponential(30.0, BLOCK)
    np.testing.assert_array_equal(rests, block[: len(rests)])
    assert np.all(after["not_ready"][~b1] == 0)


def test_the_fast_engine_plays_not_ready_time_with_the_same_records(days):
    """The fast engine covers not-ready time (tests/test_fast_engine.py checks it on
    random scenarios too): these days come out bit-identical."""
    sc, ref = days
    assert uncovered(sc) is None
    for i, s in enumerate(np.random.SeedSequence(8).spawn(300)[:5]):
        got = simulate_day_fast(sc, s)
        for name, column in ref[i].calls.items():
            assert column.tobytes() == got.calls[name].tobytes(), (i, name)
