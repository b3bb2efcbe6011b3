"""Planner papercuts of issue 15, each with a number checked against Erlang directly:
KPIs at the staffing a shift plan actually has, and the trunk lines a plan needs."""

import pytest

import simulator
from simulator import parse_scenario
from simulator.erlang import erlang_a, erlang_c, erlang_c_service_level
from simulator.planner.staffing import plan


def capped_day(max_count=12, lines=None, patience=None, volumes=(100, 100, 100, 100)):
    """Half-hours of 100 calls (10 Erlangs at 180 s: 14 agents for 80/20 by Erlang C),
    one group, one two-hour shift capped at `max_count` agents, no shrinkage."""
    exp = {"distribution": "exponential"}
    q = {"volumes": list(volumes), "handle_time": exp | {"mean": 180}}
    if patience:
        q["patience"] = exp | {"mean": patience}
    d = {
        "name": "capped",
        "interval_minutes": 30,
        "open": "08:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "queues": {"q": q},
        "agents": {"team": {"skills": ["q"], "staffing": [14] * len(volumes)}},
        "shifts": {"only": {"start": "08:00", "hours": len(volumes) / 2, "max_count": max_count}},
        "simulation": {"replications": 3, "seed": 5},
    }
    if lines:
        d["lines"] = lines
    return parse_scenario(d)


def test_a_plan_short_of_its_requirement_shows_kpis_at_the_agents_it_has():
    """Issue 15: 'a row reads SL 84.1% next to -18'. The cap leaves 12 of the 14 required
    agents: the KPIs are Erlang C's at 12 agents, not at 14 (SL 0.6402 = 1 - C e^{-2*20/180}
    with C(10 Erlangs, 12 agents) = 0.4494)."""
    p = plan(capped_day(), "erlang-c", shifts=True)
    assert p.required[0].tolist() == [14] * 4
    assert p.staffing == {"team": [12] * 4}
    assert p.kpis_at == "shifts" and p.at_words == "the agents the shifts log in"
    sl = erlang_c_service_level(10.0, 12, 180, 20)
    assert sl == pytest.approx(0.6402, abs=1e-4)  # the shortfall shows
    assert p.kpis["service_level"][0] == pytest.approx([sl] * 4, abs=1e-12)
    assert p.kpis["p_wait"][0] == pytest.approx([erlang_c(10.0, 12)] * 4, abs=1e-12)
    assert p.total["occupancy"] == pytest.approx([10 / 12] * 4)
    assert "8 agent-interval(s) under-staffed" in p.notes[-1]
    row = simulator.to_dict(p)["intervals"][0]
    assert row["service_level"] == pytest.approx(sl, abs=1e-6) and row["required"] == 14


def test_an_over_covering_shift_plan_shows_kpis_at_its_extra_agents():
    """Without a cap the one shift must cover the peak all day: the quiet intervals
    (4 Erlangs) are predicted at the peak's agents, not at their smaller requirement."""
    sc = capped_day(max_count=None, patience=120, volumes=(100, 40, 40, 100))
    p, bare = plan(sc, "erlang-a", shifts=True), plan(sc, "erlang-a")
    peak = int(p.required[0, 0])
    assert p.required[0, 1] < peak and p.staffing == {"team": [peak] * 4}
    want = erlang_a(4.0, peak, 180, 120, 20)
    assert p.kpis["service_level"][0, 1] == pytest.approx(want.service_level, abs=1e-12)
    assert p.kpis["service_level"][0, 1] > bare.kpis["service_level"][0, 1]
    assert "under-staffed" not in p.notes[-1]


def test_a_simulated_plan_with_shifts_is_simulated_at_the_shift_staffing():
    sc = capped_day(patience=120)
    p = plan(sc, "simulation", shifts=True)
    staffed = p.search.result.scenario.agents["team"].staffing
    assert staffed == p.staffing["team"] == [12] * 4
    assert p.kpis_at == "shifts"
    assert (p.kpis["service_level"][0] == p.search.queue_figures["service_level"][0][0]).all()
