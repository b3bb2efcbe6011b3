"""Handle time varying by interval (`queues.NAME.aht_by_interval`): each call's drawn
handle time is scaled by its arrival interval's AHT ÷ the distributions' mean, so every
interval has its stated mean and the distribution's cv.

Exact checks (the scaled draws are the unscaled ones times the factor, bit for bit;
named streams; fast = simpy) cannot false-alarm. The statistical ones: per-interval
sample means of 20,000 lognormal draws within 4.5 standard errors (false alarm 7e-6
each, 3 intervals) and cv within 0.03 of 0.8 (its standard error is about 0.008);
the simulated AHT per interval within its 99.9% Student-t interval over 200 days.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import exponential, group, queue, scenario, single_queue
from scipy import stats

from simulator.erlang import erlang_c_service_level
from simulator.kpi.compute import day_kpis
from simulator.model.handling import effective_handle_means, handle_means
from simulator.model.load import parse_scenario
from simulator.model.scenario import ScenarioError
from simulator.planner.load import offered_calls, offered_load
from simulator.planner.staffing import plan
from simulator.sim.draws import Later, forecast
from simulator.sim.engine import simulate_day
from simulator.sim.fast import day_engine, simulate_day_fast, uncovered
from simulator.sim.streams import Streams

AHT_BY_HOUR = [135.0, 205.0, 160.0]  # the bank log's range, by hour
LOGNORMAL = {"distribution": "lognormal", "mean": 180.0, "cv": 0.8}
SEED = np.random.SeedSequence(77)


def by_hour(aht=AHT_BY_HOUR, volume=20_000.0, **extra) -> dict:
    data = single_queue([volume] * 3, [1] * 3, handle=LOGNORMAL)
    if aht is not None:
        data["queues"]["q"]["aht_by_interval"] = list(aht)
    data["queues"]["q"] |= extra
    return data


def test_scaled_draws_are_the_unscaled_ones_times_the_interval_factor():
    """Arrivals, patience and the draws themselves are those of the file without
    aht_by_interval: only talk and handle move, by AHT_i ÷ 180 in interval i."""
    plain = forecast(parse_scenario(by_hour(None, 500.0)), Streams(SEED))
    scaled = forecast(parse_scenario(by_hour(volume=500.0)), Streams(SEED))
    np.testing.assert_array_equal(plain.arrival, scaled.arrival)
    np.testing.assert_array_equal(plain.patience, scaled.patience)
    interval = (plain.arrival // 3600).astype(int)
    factor = (np.array(AHT_BY_HOUR) / 180.0)[interval]
    np.testing.assert_array_equal(scaled.talk, plain.talk * factor)
    np.testing.assert_array_equal(scaled.handle, plain.handle * factor)


def test_each_interval_has_its_mean_and_the_distributions_cv():
    f = forecast(parse_scenario(by_hour()), Streams(SEED))
    interval = (f.arrival // 3600).astype(int)
    for i, aht in enumerate(AHT_BY_HOUR):
        x = f.handle[interval == i]
        assert len(x) > 19_000
        assert abs(x.mean() - aht) < 4.5 * 0.8 * aht / math.sqrt(len(x)), (i, x.mean())
        assert abs(x.std() / x.mean() - 0.8) < 0.03, (i, x.std() / x.mean())


def test_talk_hold_and_acw_are_scaled_alike():
    """Handling in parts: talk and talk + acw scale by the same factor, so acw does too."""
    parts = {"talk": exponential(120.0), "acw": exponential(60.0)}
    data = single_queue([300.0] * 3, [1] * 3)
    data["queues"]["q"] = {"volumes": [300.0] * 3, **parts}
    plain = forecast(parse_scenario(data), Streams(SEED))
    data["queues"]["q"]["aht_by_interval"] = AHT_BY_HOUR
    scaled = forecast(parse_scenario(data), Streams(SEED))
    factor = (np.array(AHT_BY_HOUR) / 180.0)[(plain.arrival // 3600).astype(int)]
    np.testing.assert_array_equal(scaled.talk, plain.talk * factor)
    np.testing.assert_array_equal(scaled.handle, plain.handle * factor)
    acw = (scaled.handle - scaled.talk) / (plain.handle - plain.talk)
    np.testing.assert_allclose(acw, factor, rtol=1e-12)  # the ACW part scales alike


def test_later_callers_take_the_aht_of_the_interval_they_call_in():
    """A redial's row comes from its origin stream's block (as without aht_by_interval),
    scaled by the interval it arrives in."""
    redial = {"probability": 0.5, "delay": exponential(300.0)}
    plain = Later(parse_scenario(by_hour(None, 100.0, redial=redial)), Streams(SEED))
    scaled = Later(parse_scenario(by_hour(volume=100.0, redial=redial)), Streams(SEED))
    for k in (0, 2, 1, 1):
        talk, handle, patience, decisions = plain.caller(0, 0, k)
        factor = AHT_BY_HOUR[k] / 180.0
        row = scaled.caller(0, 0, k)
        assert row[:3] == (talk * factor, handle * factor, patience)
        np.testing.assert_array_equal(row[3], decisions)  # NaN where no decision


def test_the_simulated_aht_of_each_interval_is_its_stated_mean():
    data = by_hour(volume=60.0)
    data["agents"]["team"]["staffing"] = [6] * 3
    sc = parse_scenario(data)
    days = [day_kpis(sc, simulate_day(sc, s)).intervals["aht"] for s in SEED.spawn(200)]
    x = np.array(days)
    half = stats.t.ppf(0.9995, len(x) - 1) * x.std(axis=0, ddof=1) / math.sqrt(len(x))
    low, high = x.mean(axis=0) - half, x.mean(axis=0) + half
    assert np.all((low <= AHT_BY_HOUR) & (np.array(AHT_BY_HOUR) <= high)), (low, high)
    assert not low[1] <= 180.0 <= high[1] and np.all(high - low < 25)


def test_the_fast_engine_plays_it_bit_for_bit_later_callers_too():
    redial = {"probability": 0.5, "delay": exponential(300.0)}
    for sc in (parse_scenario(by_hour(volume=60.0)), parse_scenario(by_hour(redial=redial))):
        assert uncovered(sc) is None and day_engine(sc, "fast") is simulate_day_fast
        for s in SEED.spawn(2):
            simpy, fast = simulate_day(sc, s).calls, simulate_day_fast(sc, s).calls
            for name in simpy:
                np.testing.assert_array_equal(simpy[name], fast[name], err_msg=name)


def test_other_queues_draws_are_unchanged():
    """Named streams: AHT by interval on queue a changes no row of queue b."""
    two = scenario(
        {"a": queue([50.0] * 3), "b": queue([40.0] * 3)},
        {"ga": group(["a"], [6] * 3), "gb": group(["b"], [5] * 3)},
    )
    before = simulate_day(parse_scenario(two), SEED).calls
    two["queues"]["a"]["aht_by_interval"] = AHT_BY_HOUR
    after = simulate_day(parse_scenario(two), SEED).calls
    b0, b1 = before["queue"] == 1, after["queue"] == 1
    for name in before:
        np.testing.assert_array_equal(before[name][b0], after[name][b1], err_msg=name)
    assert not np.array_equal(before["handle"][~b0], after["handle"][~b1])


def test_the_erlang_planner_loads_each_interval_at_its_own_aht():
    """Load = volume x AHT_i / 3600 s; each interval's plan is Erlang C at AHT_i (the
    same required agents as a one-interval file with that mean)."""
    data = by_hour(volume=100.0)
    data["agents"]["team"]["staffing"] = [10] * 3
    sc = parse_scenario(data)
    np.testing.assert_array_equal(handle_means(sc), [AHT_BY_HOUR])
    np.testing.assert_array_equal(effective_handle_means(sc), [AHT_BY_HOUR])
    load = offered_load(sc, offered_calls(sc))
    np.testing.assert_allclose(load, [[100 * a / 3600 for a in AHT_BY_HOUR]], rtol=1e-15)
    required = plan(sc, "erlang-c").required[0]
    for i, aht in enumerate(AHT_BY_HOUR):
        n = required[i]
        a = 100 * aht / 3600
        assert erlang_c_service_level(a, n, aht, 20.0) >= 0.8
        assert n - 1 <= a or erlang_c_service_level(a, n - 1, aht, 20.0) < 0.8
    assert required[1] > required[0]


@pytest.mark.parametrize(
    ("aht", "message"),
    [
        ([135.0, 205.0], "queues.q.aht_by_interval: has 2 intervals, its volumes have 3"),
        ([135.0, 0.0, 160.0], "queues.q.aht_by_interval.1: must be > 0"),
    ],
)
def test_bad_aht_by_interval_is_refused_naming_the_field(aht, message):
    with pytest.raises(ScenarioError) as e:
        parse_scenario(by_hour(aht), strict=True)
    assert message in e.value.problems, e.value.problems


def test_the_aht_what_if_scales_the_means_per_interval_too():
    """`compare FILE --what-if aht=0.9` (scale_handle_times) on a queue with AHT by
    interval: every interval's mean × 0.9, so each call's handle time is 0.9 x its
    draw's scaled value (scaling the distribution alone would change nothing)."""
    from simulator.planner.edits import scale_handle_times

    sc = parse_scenario(by_hour(volume=500.0))
    faster = scale_handle_times(sc, 0.9)
    assert faster.queues["q"].aht_by_interval == pytest.approx([0.9 * a for a in AHT_BY_HOUR])
    before, after = (forecast(s, Streams(SEED)) for s in (sc, faster))
    np.testing.assert_allclose(after.handle, 0.9 * before.handle, rtol=1e-12)


def _callback_day(aht_by_interval: bool):
    """3 agents, 120 calls per half-hour, callbacks offered over a 60 s expected wait
    (every caller offered takes one); the AHT is 30 s in both intervals, given as
    aht_by_interval on a 300 s distribution, or as the distribution's mean."""
    q = queue([120.0, 120.0], exponential(300.0 if aht_by_interval else 30.0))
    q["callback"] = {"threshold": 60.0, "acceptance": 1.0}
    if aht_by_interval:
        q["aht_by_interval"] = [30.0, 30.0]
    return parse_scenario(scenario({"q": q}, {"g": group(["q"], [3, 3])}, interval_minutes=30))


@pytest.mark.parametrize("engine", ["simpy", "fast"])
def test_the_callback_offer_estimates_the_wait_at_the_intervals_aht(engine):
    """The expected wait is (callers ahead + 1) × the AHT of the interval called in ÷
    the agents: 30 s here, as in the file whose distribution's mean is 30 s, so the
    two give the same callbacks day by day (5, 3, 11, 2 over seed 3's days); with the
    queue's overall 300 s, 117, 72, 140, 91 callers were offered one (any wait over
    60 s ÷ 300 s × 3 agents)."""
    from simulator.run.runner import simulate

    counts = []
    for by_interval in (True, False):
        res = simulate(_callback_day(by_interval), 4, seed=3, engine=engine)
        counts.append(res.calls.groupby("replication")["callback"].sum().tolist())
    assert counts[0] == counts[1] == [5, 3, 11, 2]
