"""Planner papercuts of issue 15, each with a number checked against Erlang directly:
KPIs at the staffing a shift plan actually has, and the trunk lines a plan needs."""

import numpy as np
import pytest
from builders import capped_day

import simulator
from simulator.erlang import (
    erlang_a,
    erlang_b,
    erlang_b_recall,
    erlang_c,
    erlang_c_service_level,
    mmnk_abandon,
)
from simulator.model.scenario import Redial
from simulator.planner.lines import plan_lines
from simulator.planner.staffing import plan


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
    assert any("8 agent-interval(s) under-staffed" in n for n in p.notes)
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
    assert not any("under-staffed" in n for n in p.notes)


def test_a_simulated_plan_with_shifts_is_simulated_at_the_shift_staffing():
    sc = capped_day(patience=120)
    p = plan(sc, "simulation", shifts=True)
    staffed = p.search.result.scenario.agents["team"].staffing
    assert staffed == p.staffing["team"] == [12] * 4
    assert p.kpis_at == "shifts"
    assert (p.kpis["service_level"][0] == p.search.queue_figures["service_level"][0][0]).all()


# ------------------------------------------------------------------ trunk lines


def test_lines_needed_are_calls_in_the_system_sized_by_erlang_b():
    """10 Erlangs, 14 agents, patience 120 s. The lines busy on average are the calls in
    the system, 9.9239 (M/M/14+M solved state by state: busy agents + callers waiting);
    Erlang B on that load needs 18 lines for <= 1% busy signals (17 give 1.23%). The exact
    M/M/14/K+M chain agrees: 18 lines block 0.54% of calls, 17 block 1.09%."""
    sc = capped_day(patience=120, max_count=None)
    p = plan(sc, "erlang-a")
    lp = plan_lines(sc, p.offered, p.load, np.full(p.load.shape, 14.0))
    exact = mmnk_abandon(10 / 180, 1 / 180, 14, np.inf, 1 / 120, 20)
    assert lp.load == pytest.approx([exact.occupancy * 14 + exact.avg_queue] * 4, rel=1e-9)
    assert lp.load[0] == pytest.approx(9.9239, abs=1e-4)
    assert lp.needed.tolist() == [18] * 4
    assert erlang_b(lp.load[0], 18) <= 0.01 < erlang_b(lp.load[0], 17)
    assert mmnk_abandon(10 / 180, 1 / 180, 14, 18, 1 / 120, 20).blocking <= 0.01
    assert mmnk_abandon(10 / 180, 1 / 180, 14, 17, 1 / 120, 20).blocking > 0.01
    assert lp.lines is None and lp.blocked is None and not lp.binds.any()
    assert p.notes[-1].startswith("lines: the plan needs ")  # no file lines: no warning
    assert p.warnings == []


def test_staff_warns_when_the_lines_not_the_agents_bind():
    sc = capped_day(patience=120, max_count=None, lines=15)
    p = plan(sc, "erlang-c")  # 14 agents
    lp = p.lines
    assert lp.lines == 15 and lp.binds.all()
    assert lp.blocked == pytest.approx(
        [erlang_b_recall(lp.load[0], 15, 0.0).blocking] * 4, rel=1e-12
    )
    (warning,) = p.warnings
    assert warning.startswith("the lines, not the agents, bind in 4 interval(s): with 15 lines")
    assert f"about {100 * lp.blocked[0]:.1f}% of calls get a busy signal" in warning
    d = simulator.to_dict(p)
    assert d["warnings"] == p.warnings and d["lines"]["file"] == 15
    assert d["lines"]["needed"] == lp.needed.tolist() and d["lines"]["blocking_target"] == 0.01


def test_more_agents_than_lines_is_a_warning_even_if_erlang_b_would_pass():
    """A plan that logs in more agents than there are lines can never use them all: one
    shift covers the 10-Erlang peak (14 agents) and the 1-Erlang hour after it, where
    Erlang B alone would be content with 13 lines."""
    sc = capped_day(patience=None, max_count=None, lines=13, volumes=(100, 100, 10, 10))
    p = plan(sc, "erlang-c", shifts=True)
    assert p.staffing["team"] == [14] * 4
    assert p.lines.binds.tolist() == [True, True, False, False]
    (warning,) = p.warnings
    assert warning.startswith("the lines, not the agents, bind in 4 interval(s)")


def test_redials_raise_the_lines_needed():
    sc = capped_day(patience=120, max_count=None, lines=15)
    q = sc.queues["q"].model_copy(
        update={
            "redial": Redial.model_validate(
                {"probability": 0.8, "delay": {"distribution": "exponential", "mean": 60}}
            )
        }
    )
    redial = sc.model_copy(update={"queues": {"q": q}})
    plain, again = plan(sc, "erlang-c").lines, plan(redial, "erlang-c").lines
    assert again.recall == pytest.approx(0.8)
    assert again.blocked[0] > plain.blocked[0]
    r = erlang_b_recall(plain.load[0], 15, 0.8)
    assert again.blocked[0] == pytest.approx(r.blocking, rel=1e-12)


def test_staff_on_peak_day_says_the_lines_bind():
    """peak_day.yaml has 46 lines; its Erlang A plan needs 49 at 10:00 (2.2% busy at 46)."""
    from typer.testing import CliRunner

    from simulator.cli import app

    result = CliRunner().invoke(app, ["staff", "scenarios/peak_day.yaml", "-m", "erlang-a"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "note: lines: the plan needs 49 trunk lines at the peak (10:00)" in text
    assert "warning: the lines, not the agents, bind in 2 interval(s): with 46 lines" in text
