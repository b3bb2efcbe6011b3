"""Absence simulated: no-shows, lateness and break overruns of a roster's agents, drawn
per replication from streams of their own; the time they take off the phones against
the scheduled roster, and the service level against a roster reduced by hand."""

from __future__ import annotations

import numpy as np
import pytest
from builders import deterministic, exponential, queue, scenario
from scipy import stats

from simulator import parse_scenario, simulate
from simulator.model.timetable import planned_shrinkage
from simulator.sim.engine import simulate_day
from simulator.sim.rostering import roster_steps
from simulator.sim.streams import Streams


def day(volume: float, agents: int, absence: dict | None = None, breaks=(), **shift) -> dict:
    """08:00-16:00 in 30-minute intervals, one queue, one shift of `agents` all day."""
    d = scenario(
        {"sales": queue([volume] * 16, exponential(240), exponential(150))},
        {"team": {"skills": ["sales"], "cost_per_hour": 20.0}},
        interval_minutes=30,
    )
    d["roster"] = {
        "shifts": {
            "day": {"start": "08:00", "hours": 8, "agents": agents, "breaks": list(breaks)} | shift
        }
    }
    if absence is not None:
        d["absence"] = absence
    return d


def t_half(x: np.ndarray, confidence: float) -> float:
    return stats.t.ppf((1 + confidence) / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))


def test_absenteeism_of_a_tenth_leaves_nine_tenths_of_the_scheduled_time_logged_in():
    """40 agents all day, p = 0.1, no breaks: an agent-shift is all or nothing, so the
    day's logged-in agent time / scheduled is (shows / 40). Over 200 days its mean
    must be 0.9 within a 99.9% t interval (false alarm 0.1%); and it is not 1."""
    sc = parse_scenario(day(60, 40, {"absenteeism": 0.1}), strict=True)
    res = simulate(sc, replications=200, seed=11)
    share = res.day_samples["agents"] / 40
    assert abs(share.mean() - 0.9) < t_half(share, 0.999), share.mean()
    assert share.std() > 0.02  # days differ: absence is drawn per replication
    assert planned_shrinkage(sc)["team"] == pytest.approx(0.1)
    # the cost is the scheduled roster's, whoever showed up: 40 × 8 h × 20
    assert res.day_samples["cost"] == pytest.approx(np.full(200, 6400.0))


def test_absenteeism_gives_the_service_level_of_a_roster_reduced_by_hand():
    """40 scheduled with p = 0.1 against 36 scheduled, no absence, at 32 Erlangs (240 s,
    240 calls per half hour). Staffing varies around 36 (sd 1.9) so the two need not be
    equal, but at this load the service level is close to linear in agents over ±2:
    the day's service levels (100 days each, independent) must agree within a 99.9%
    interval of the difference of means (false alarm 0.1%)."""
    absent = simulate(
        parse_scenario(day(240, 40, {"absenteeism": 0.1})), replications=100, seed=5
    ).day_samples["service_level"]
    by_hand = simulate(parse_scenario(day(240, 36)), replications=100, seed=6).day_samples[
        "service_level"
    ]
    diff = absent.mean() - by_hand.mean()
    se = np.sqrt(absent.var(ddof=1) / len(absent) + by_hand.var(ddof=1) / len(by_hand))
    assert abs(diff) < stats.norm.ppf(0.9995) * se, (absent.mean(), by_hand.mean(), se)
    full = simulate(parse_scenario(day(240, 40)), replications=20, seed=5)
    assert full.day_samples["service_level"].mean() > absent.mean() + 0.05  # it bites


def test_lateness_and_break_overruns_move_the_log_by_their_draws():
    """No calls: 2 agents log on 600 s late (deterministic) and come back 300 s late
    from a 30-minute lunch at 12:00."""
    absence = {"late": deterministic(600), "break_overrun": deterministic(300)}
    sc = parse_scenario(day(0, 2, absence, [{"start": "12:00", "minutes": 30}]))
    log = simulate_day(sc, np.random.SeedSequence(0)).agent_log
    lunch, back = 4 * 3600.0, 4.5 * 3600 + 300
    assert log.tolist() == [[600.0, 0, 2.0], [lunch, 0, 0.0], [back, 0, 2.0]]
    # planned: paid 7.5 h each; off the phones 10 + 5 min: shrinkage 15 / 450
    assert planned_shrinkage(sc)["team"] == pytest.approx(15 / 450)


def test_absence_draws_from_its_own_streams_and_leaves_the_callers_alone():
    """The same callers (arrival, talk, patience) with and without absence; a new shift
    leaves the no-shows of the others as they were."""
    plain = parse_scenario(day(60, 12), strict=True)
    absent = parse_scenario(day(60, 12, {"absenteeism": 0.3}), strict=True)
    a = simulate_day(plain, np.random.SeedSequence(5)).calls
    b = simulate_day(absent, np.random.SeedSequence(5)).calls
    for name in ("arrival", "queue"):  # no journeys: the forecast's calls only
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    both = (a["outcome"] == 0) & (b["outcome"] == 0)  # answered in both: the same talk
    np.testing.assert_array_equal(a["talk"][both], b["talk"][both])
    assert not np.array_equal(a["wait"], b["wait"])  # the absence did change the day
    more = day(60, 12, {"absenteeism": 0.3})
    more["roster"]["shifts"]["extra"] = {"start": "12:00", "hours": 4, "agents": 5}
    steps = [
        roster_steps(parse_scenario(d), Streams(np.random.SeedSequence(9)))["team"]
        for d in (day(60, 12, {"absenteeism": 0.3}), more)
    ]
    assert steps[0][0] == steps[1][0]  # the day shift's shows at 08:00: the same draw


def test_a_shrinkage_far_from_the_rosters_losses_is_cautioned():
    """shrinkage 0.3 against a roster losing 10% (absenteeism): validate says so; at
    0.12 (2 points off) it does not."""
    from simulator.model.checks import cautions

    d = day(60, 40, {"absenteeism": 0.1}) | {"shrinkage": 0.3}
    assert cautions(parse_scenario(d)) == [
        "shrinkage: 0.3 (the divisor staff plans with), but the roster and absence keep "
        "10.0% of team's paid time off the phones (see docs/rosters.md: set one to match "
        "the other)"
    ]
    assert cautions(parse_scenario(d | {"shrinkage": 0.12})) == []
