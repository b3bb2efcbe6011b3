"""A roster played by the engine at the exact minute, against the same roster turned
into per-interval staffing by hand; the exact break minute; cost; the fast engine's
refusal; conservation."""

from __future__ import annotations

import numpy as np
import pytest
from builders import deterministic, exponential, queue, scenario
from scipy import stats

from simulator import parse_scenario, simulate
from simulator.sim.engine import simulate_day
from simulator.sim.fast import simulate_day_fast, uncovered


def day(volumes, roster=None, staffing=None, minutes=60, handle=None, **extra) -> dict:
    """08:00 onward, one queue; the group staffed by `roster` or by `staffing`."""
    team = {"skills": ["sales"], "cost_per_hour": 20.0}
    if staffing is not None:
        team["staffing"] = staffing
    d = scenario(
        {"sales": queue(volumes, handle or exponential(240), exponential(150))},
        {"team": team},
        interval_minutes=minutes,
    )
    if roster is not None:
        d["roster"] = roster
    return d | extra


BOUNDARY = {
    "shifts": {
        "early": {
            "start": "08:00",
            "hours": 4,
            "agents": 9,
            "breaks": [{"start": "10:00", "minutes": 60, "paid": True}],
        },
        "late": {"start": "09:00", "hours": 3, "agents": 4},
    }
}


def test_breaks_on_interval_boundaries_play_exactly_the_staffing_by_hand():
    """9 agents 08:00-12:00 all on a paid break 10:00-11:00, 4 agents 09:00-12:00: by
    hand [9, 13, 4, 13] per hour. Every change falls on an interval start, so the day
    is the same day, call for call (identical, not within a CI)."""
    by_roster = parse_scenario(day([50] * 4, roster=BOUNDARY), strict=True)
    by_hand = parse_scenario(day([50] * 4, staffing=[9, 13, 4, 13]), strict=True)
    assert by_roster.agents["team"].staffing == [9, 13, 4, 13]
    for seed in range(3):
        a = simulate_day(by_roster, np.random.SeedSequence(seed))
        b = simulate_day(by_hand, np.random.SeedSequence(seed))
        for name in a.calls:
            np.testing.assert_array_equal(a.calls[name], b.calls[name], err_msg=name)
        changes = b.agent_log[np.append(True, np.diff(b.agent_log[:, 2]) != 0)]
        np.testing.assert_array_equal(a.agent_log, changes)


def test_a_roster_costs_its_paid_hours_as_the_shift_plan_counts_them():
    """Paid: 9 × 4 h (the break is paid) + 4 × 3 h = 48 h at 20/h = 960 every day,
    whatever the calls; an unpaid break would take 9 h (180) off."""
    sc = parse_scenario(day([50] * 4, roster=BOUNDARY), strict=True)
    res = simulate(sc, replications=3)
    assert res.day_samples["cost"].tolist() == pytest.approx([960.0] * 3)
    unpaid = BOUNDARY["shifts"]["early"]["breaks"][0] | {"paid": False}
    roster = {
        "shifts": BOUNDARY["shifts"] | {"early": BOUNDARY["shifts"]["early"] | {"breaks": [unpaid]}}
    }
    res = simulate(parse_scenario(day([50] * 4, roster=roster), strict=True), replications=2)
    assert res.day_samples["cost"].tolist() == pytest.approx([780.0] * 2)
    assert res.interval_samples["cost"][0].tolist() == pytest.approx([180, 260, 80, 260])


def one_break(at: str) -> dict:
    """3 agents 08:00-10:00, one of them on a 10-minute break at `at`."""
    return {
        "shifts": {
            "stay": {"start": "08:00", "hours": 2, "agents": 2},
            "away": {
                "start": "08:00",
                "hours": 2,
                "agents": 1,
                "breaks": [{"start": at, "minutes": 10}],
            },
        }
    }


def test_the_exact_break_minute_moves_logged_in_time_between_intervals():
    """15-minute intervals, no calls (the agent leaves on the minute): a break at
    09:00 takes 10 of the 09:00 interval's 45 agent-minutes (mean 2.333 agents);
    at 09:10 it takes 5 from 09:00 and 5 from 09:15 (2.667 each)."""
    at_9 = simulate(parse_scenario(day([0] * 8, one_break("09:00"), minutes=15)), replications=2)
    at_910 = simulate(parse_scenario(day([0] * 8, one_break("09:10"), minutes=15)), replications=2)
    assert at_9.interval_samples["agents"][0].tolist() == pytest.approx([3] * 4 + [7 / 3] + [3] * 3)
    assert at_910.interval_samples["agents"][0].tolist() == pytest.approx(
        [3] * 4 + [8 / 3, 8 / 3] + [3] * 2
    )
    log = simulate_day(
        parse_scenario(day([0] * 8, one_break("09:10"), minutes=15)), np.random.SeedSequence(0)
    ).agent_log
    assert log.tolist() == [[0.0, 0, 3.0], [4200.0, 0, 2.0], [4800.0, 0, 3.0]]


def test_the_exact_break_minute_changes_the_service_level_where_it_falls():
    """3 agents at 2 Erlangs (deterministic 120 s calls, 15 per 15 minutes): the break
    at 09:10 leaves 2 agents in 09:15-09:20, the one at 09:00 does not, so the 09:15
    interval's service level is lower with it, and the 09:00 interval's higher.
    Paired over 60 days with common random numbers; a 99.9% t interval of the paired
    difference must exclude 0 (false alarm, were there no effect: 0.1%)."""
    runs = {}
    for at in ("09:00", "09:10"):
        d = day([15] * 8, one_break(at), minutes=15, handle=deterministic(120))
        runs[at] = simulate(parse_scenario(d), replications=60, seed=3).interval_samples
    gain = runs["09:00"]["service_level"] - runs["09:10"]["service_level"]
    for interval, sign in ((5, 1), (4, -1)):
        diff = gain[:, interval] * sign
        half = stats.t.ppf(0.9995, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
        assert diff.mean() - half > 0, (interval, diff.mean(), half)


def test_the_fast_engine_plays_rosters_and_absence_with_the_same_records():
    """The fast engine covers rosters and absence (tests/test_fast_engine.py checks
    random rostered scenarios too): these days come out bit-identical."""
    absent = {"absenteeism": 0.1, "late": {"distribution": "exponential", "mean": 120.0}}
    sc = parse_scenario(day([50] * 4, roster=BOUNDARY, absence=absent), strict=True)
    assert uncovered(sc) is None
    for seed in range(3):
        ref = simulate_day(sc, np.random.SeedSequence(seed))
        got = simulate_day_fast(sc, np.random.SeedSequence(seed))
        for name, column in ref.calls.items():
            assert column.tobytes() == got.calls[name].tobytes(), (seed, name)
        assert ref.agent_log.tobytes() == got.agent_log.tobytes()


def test_calls_are_conserved_in_every_interval_of_a_staggered_roster():
    """Offered = answered + abandoned + blocked in every interval of every day, with
    staggered lunches, an activity, absence and lines."""
    roster = {
        "shifts": {
            "day": {
                "start": "08:00",
                "hours": 8,
                "agents": 14,
                "breaks": [
                    {"earliest": "10:00", "latest": "10:45", "minutes": 15, "paid": True},
                    {"earliest": "11:30", "latest": "13:30", "minutes": 30},
                ],
            }
        },
        "activities": {"huddle": {"start": "14:00", "end": "14:20", "agents": 3}},
    }
    absence = {
        "absenteeism": 0.1,
        "late": exponential(300),
        "break_overrun": exponential(120),
    }
    sc = parse_scenario(day([60] * 16, roster, minutes=30, absence=absence, lines=20))
    s = simulate(sc, replications=6).interval_samples
    lost = s["offered"] - s["blocked"] - s["answered"] - s["abandoned"]
    assert np.all(lost == 0) and np.all(s["offered"] > 0)
    assert np.all((s["occupancy"] >= 0) & (s["occupancy"] <= 1))


def test_a_horizon_plays_each_day_s_roster_and_costs_its_paid_hours():
    """Mon-Wed 08:00-12:00: 4 agents 07:00-12:00 daily (the hour before the opening is
    not simulated, but paid), 2 more on Monday 09:00-12:00; at 10/h a day costs
    4 × 5 × 10 = 200, Monday 260. A 2-day 24/7 horizon is cyclic: the night shift
    22:00-06:00 of the second night covers the first morning."""
    d = day(
        [40] * 12,
        roster={
            "shifts": {
                "early": {"start": "07:00", "hours": 5, "agents": 4},
                "mon": {"start": "09:00", "hours": 3, "agents": 2, "days": ["mon"]},
            }
        },
    ) | {"horizon": {"start": "2026-12-07", "days": 3, "close": "12:00"}}
    d["agents"]["team"]["cost_per_hour"] = 10.0
    res = simulate(parse_scenario(d), replications=2)
    assert res.daily_samples["cost"][0].tolist() == pytest.approx([260, 200, 200])
    assert res.interval_samples["agents"][0][:4].tolist() == pytest.approx([4, 6, 6, 6])
    night = day([10] * 48, roster={"shifts": {"n": {"start": "22:00", "hours": 8, "agents": 3}}})
    night |= {"open": "00:00", "horizon": {"start": "2026-12-07", "days": 2, "always_open": True}}
    res = simulate(parse_scenario(night), replications=2)
    agents = res.interval_samples["agents"][0]
    assert agents[:6].tolist() == pytest.approx([3] * 6, abs=0.2)
    assert agents[6] < 0.5 and agents[7:22].tolist() == [0] * 15  # calls in hand at 06:00
    assert res.day_samples["cost"].tolist() == pytest.approx([2 * 3 * 8 * 20.0] * 2)


def test_a_group_restaffed_by_hand_leaves_the_roster():
    """`with_staffing` (what staff's simulation search tries) takes the group off the
    roster, so the engine plays the staffing given: the day equals the file staffed
    so by hand."""
    from simulator import with_staffing

    sc = with_staffing(parse_scenario(day([50] * 4, roster=BOUNDARY)), {"team": [5, 6, 7, 8]})
    assert sc.roster is None and uncovered(sc) is None
    by_hand = parse_scenario(day([50] * 4, staffing=[5, 6, 7, 8]))
    a, b = (simulate_day(s, np.random.SeedSequence(2)) for s in (sc, by_hand))
    np.testing.assert_array_equal(a.agent_log, b.agent_log)
    np.testing.assert_array_equal(a.calls["wait"], b.calls["wait"])
