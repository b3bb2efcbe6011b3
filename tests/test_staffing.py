"""Tests for simulator.planner (staffing plans): published cases, minimality over a grid, the
multi-queue rules, transfers, shrinkage, shifts and the plain-data outputs.

Minimality is checked with `simulator.erlang` called directly, cell by cell, not with
the module's own search: `required` must meet every target and `required - 1` must
miss at least one.

The simulation search has its own tests (tests/test_search.py).
"""

import math

import numpy as np
import pytest

import simulator
from simulator import load_scenario, parse_scenario
from simulator.erlang import erlang_a, erlang_c, erlang_c_asa, erlang_c_service_level
from simulator.model.scenario import ScenarioError
from simulator.planner.allocation import group_requirement
from simulator.planner.edits import with_staffing
from simulator.planner.load import offered_calls
from simulator.planner.predict import predict_at
from simulator.planner.staffing import plan

SCENARIOS = "scenarios"


def day(
    volumes,
    *,
    aht=180.0,
    patience=None,
    interval=30,
    threshold=20.0,
    target=0.8,
    targets=None,
    shrinkage=0.0,
    staffing=None,
):
    """A one-queue scenario 'q' served by group 'team' (a validated model)."""
    q = {"volumes": list(volumes), "handle_time": {"distribution": "exponential", "mean": aht}}
    if patience is not None:
        q["patience"] = {"distribution": "exponential", "mean": patience}
    d = {
        "name": "test",
        "interval_minutes": interval,
        "open": "08:00",
        "service_level": {"seconds": threshold, "target": target},
        "shrinkage": shrinkage,
        "targets": targets or {},
        "queues": {"q": q},
        "agents": {"team": {"skills": ["q"], "staffing": staffing or [1] * len(volumes)}},
    }
    return parse_scenario(d)


# ------------------------------------------------------------------ published cases


def test_published_case_100_calls_in_30_min_needs_14_agents():
    # The textbook 80/20 example: 100 calls / 30 min, AHT 180 s = 10 Erlangs.
    p = plan(day([100]))
    assert p.load[0, 0] == pytest.approx(10.0)
    assert p.required[0, 0] == 14
    assert p.kpis["p_wait"][0, 0] == pytest.approx(0.1741, abs=5e-5)
    assert p.kpis["service_level"][0, 0] == pytest.approx(0.8884, abs=5e-5)
    assert p.kpis["asa"][0, 0] == pytest.approx(7.84, abs=5e-3)
    assert p.kpis["occupancy"][0, 0] == pytest.approx(10 / 14)
    assert p.kpis["abandon_rate"][0, 0] == 0.0


def test_shrinkage_30_percent_schedules_20_for_14_required():
    p = plan(day([100], shrinkage=0.30))
    assert p.required[0, 0] == 14
    assert p.scheduled[0, 0] == 20  # 14 / 0.7 is 20.000000000000004 in floats
    assert p.total["scheduled"][0] == 20
    assert p.staffing == {"team": [14]}  # logged in: the simulator has no shrinkage


def test_occupancy_cap_85_percent_needs_40_agents_at_33_erlangs():
    # 1,000 calls/hour at 120 s = 33.3 Erlangs. 80/20 alone needs 38; 39 agents are
    # 85.5% busy, so the cap asks for 40.
    free = plan(day([1000], aht=120, interval=60))
    capped = plan(day([1000], aht=120, interval=60, targets={"occupancy_max": 0.85}))
    assert free.required[0, 0] == 38
    assert capped.required[0, 0] == 40
    assert capped.kpis["occupancy"][0, 0] == pytest.approx(33.3333 / 40, abs=1e-4)


def test_5000_erlangs_is_sized_exactly():
    volume = 5000 * 3600 / 180  # 100,000 calls an hour
    p = plan(day([volume], interval=60))
    n = int(p.required[0, 0])
    assert 5000 < n < 5100
    assert erlang_c_service_level(5000, n, 180, 20) >= 0.8
    assert erlang_c_service_level(5000, n - 1, 180, 20) < 0.8


# ------------------------------------------------------------------ minimality grid

LOADS = [0.2, 1.0, 3.7, 10.0, 47.3, 200.0, 1234.5]


def kpis_at(method, load, n, aht, patience, threshold):
    """The KPIs a target is checked on, straight from simulator.erlang."""
    if n == 0:
        return {
            "service_level": 0.0,
            "asa": math.inf,
            "occupancy": 1.0,
            "abandon_rate": 1.0 if method == "erlang-a" else 0.0,
        }
    if method == "erlang-a":
        r = erlang_a(load, n, aht, patience, threshold)
        return {
            "service_level": r.service_level,
            "asa": r.asa,
            "abandon_rate": r.abandon_rate,
            "occupancy": r.occupancy,
        }
    return {
        "service_level": erlang_c_service_level(load, n, aht, threshold),
        "asa": erlang_c_asa(load, n, aht),
        "abandon_rate": 0.0,
        "occupancy": min(load / n, 1.0),
    }


def missed(k, target, targets):
    """The targets that the KPIs `k` miss."""
    limits = {
        "asa": ("asa", math.inf),
        "abandon_rate": ("abandon_rate", 1.0),
        "occupancy_max": ("occupancy", 1.0),
    }
    out = {name for name, (kpi, default) in limits.items() if k[kpi] > targets.get(name, default)}
    return out | ({"service_level"} if k["service_level"] < target else set())


@pytest.mark.parametrize("method", ["erlang-c", "erlang-a"])
@pytest.mark.parametrize(
    "targets,target",
    [
        ({}, 0.80),
        ({}, 0.95),
        ({"asa": 5.0}, 0.70),
        ({"abandon_rate": 0.02}, 0.80),
        ({"occupancy_max": 0.80}, 0.80),
        ({"asa": 15.0, "abandon_rate": 0.03, "occupancy_max": 0.9}, 0.85),
    ],
)
def test_required_is_the_fewest_agents_meeting_every_target(method, targets, target):
    aht, patience, threshold = 240.0, 100.0, 20.0
    volumes = [load * 3600 / aht for load in LOADS]
    sc = day(
        volumes,
        aht=aht,
        patience=patience,
        interval=60,
        threshold=threshold,
        target=target,
        targets=targets,
    )
    p = plan(sc, method)
    binding = set()
    for load, agents in zip(LOADS, p.required[0]):
        n = int(agents)
        at = kpis_at(method, load, n, aht, patience, threshold)
        below = kpis_at(method, load, n - 1, aht, patience, threshold)
        assert not missed(at, target, targets), (load, n, at)
        assert missed(below, target, targets), (load, n, below)
        binding |= missed(below, target, targets)
    if method == "erlang-c":  # Erlang C never abandons: target trivial
        assert "abandon_rate" not in binding
    # the optional targets are not decoration: each one binds somewhere on the grid
    if method == "erlang-a" and len(targets) == 1:
        assert set(targets) <= binding


def test_erlang_c_over_staffs_impatient_callers_compared_with_erlang_a():
    # 200 calls / 30 min at 180 s = 20 Erlangs, callers hang up after 90 s on average.
    sc = day([200] * 3, patience=90)
    c, a = plan(sc, "erlang-c"), plan(sc, "erlang-a")
    assert (c.required == 24).all() and (a.required == 22).all()
    # Erlang C's own prediction at Erlang A's staffing is far below target
    assert erlang_c_service_level(20, 22, 180, 20) == pytest.approx(0.5452, abs=1e-4)
    assert a.kpis["service_level"][0, 0] == pytest.approx(0.8487, abs=1e-4)
    assert any("over-staffs" in note for note in c.notes)


def test_zero_volume_needs_no_agents_and_has_no_kpis():
    p = plan(day([0, 50, 0]))
    assert p.required.tolist() == [[0, 8, 0]]  # 5 Erlangs -> 8 agents for 80/20
    assert erlang_c_service_level(5, 7, 180, 20) < 0.8 <= erlang_c_service_level(5, 8, 180, 20)
    rows = simulator.to_dict(p)["intervals"]
    assert rows[0] == {
        "start": "08:00",
        "offered": 0.0,
        "load": 0.0,
        "required": 0,
        "scheduled": 0,
        "service_level": None,
        "asa": None,
        "abandon_rate": None,
        "occupancy": None,
    }
    assert rows[1]["service_level"] == pytest.approx(
        erlang_c_service_level(5, 8, 180, 20), abs=1e-6
    )


def test_erlang_a_needs_patience_and_says_where():
    with pytest.raises(ScenarioError) as exc:
        plan(day([100]), "erlang-a")
    assert exc.value.problems == ["queues.q.patience: erlang-a needs patience"]


def test_unknown_method_and_bad_scale_are_refused():
    with pytest.raises(ValueError, match="method: must be one of erlang-c, erlang-a, simulation"):
        plan(day([100]), "erlang-b")
    with pytest.raises(ValueError, match=r"method: must be one of erlang-c, erlang-a \("):
        predict_at(day([100]), "simulation")  # a prediction needs a formula
    with pytest.raises(ValueError, match="volume_scale: must be a number > 0"):
        plan(day([100]), volume_scale=0)


def test_volume_scale_multiplies_the_forecast_before_planning():
    p = plan(day([100, 200]), volume_scale=1.15)
    assert p.offered[0].tolist() == pytest.approx([115, 230])
    assert p.required.tolist() == plan(day([115, 230])).required.tolist()


# ------------------------------------------------------------------ several queues


def test_multi_skill_requirements_go_to_the_groups_that_serve_a_queue_first():
    sc = load_scenario(f"{SCENARIOS}/multi_skill.yaml")
    p = plan(sc, "erlang-a")
    sales, support = p.required
    g = p.group_required
    # sales is served first by sales_team only (universal has it second)
    assert g["sales_team"].tolist() == sales.tolist()
    # support is split between support_team and universal by their day's staffing
    assert (g["support_team"] + g["universal"]).tolist() == support.tolist()
    share = sum(sc.agents["universal"].staffing) / (
        sum(sc.agents["universal"].staffing) + sum(sc.agents["support_team"].staffing)
    )
    assert np.abs(g["universal"] - share * support).max() <= 1
    # and back: the plan's staffing gives each queue exactly its requirement
    back = predict_at(with_staffing(sc, p.staffing), "erlang-a")
    assert back.agents.tolist() == p.required.astype(float).tolist()
    assert back.kpis["service_level"] == pytest.approx(p.kpis["service_level"])


def test_largest_remainder_split_keeps_whole_agents_and_totals():
    sc = parse_scenario(
        {
            "name": "three",
            "interval_minutes": 60,
            "open": "08:00",
            "service_level": {"seconds": 20, "target": 0.8},
            "queues": {
                "q": {
                    "volumes": [1] * 4,
                    "handle_time": {"distribution": "exponential", "mean": 60},
                }
            },
            "agents": {n: {"skills": ["q"], "staffing": [1] * 4} for n in ("a", "b", "c")},
        }
    )
    split = group_requirement(sc, np.array([[0, 1, 2, 10]]))
    assert [split[n].tolist() for n in "abc"] == [[0, 1, 1, 4], [0, 0, 1, 3], [0, 0, 0, 3]]


def test_transfers_and_escalations_add_to_the_receiving_queues():
    exp = {"distribution": "exponential", "mean": 180}
    sc = parse_scenario(
        {
            "name": "journeys",
            "interval_minutes": 60,
            "open": "08:00",
            "service_level": {"seconds": 20, "target": 0.8},
            "queues": {
                "a": {"volumes": [100], "handle_time": exp, "transfers": {"b": 0.2}},
                "b": {
                    "volumes": [50],
                    "handle_time": exp,
                    "escalation": {"to": "c", "probability": 0.1},
                },
                "c": {"volumes": [0], "handle_time": exp},
            },
            "agents": {"all": {"skills": ["a", "b", "c"], "staffing": [10]}},
        }
    )
    assert offered_calls(sc)[:, 0].tolist() == pytest.approx([100, 70, 7])
    p = plan(sc)
    assert p.required[2, 0] > 0  # tier c is staffed although its forecast is 0
    assert any("transfers and escalations" in note for note in p.notes)


def test_with_staffing_checks_groups_and_lengths():
    sc = day([100, 100])
    assert with_staffing(sc, {"team": [3, 4]}).agents["team"].staffing == [3, 4]
    assert sc.agents["team"].staffing == [1, 1]  # the original is left alone
    with pytest.raises(ScenarioError) as exc:
        with_staffing(sc, {"team": [3], "crew": [1, 1]})
    assert exc.value.problems == [
        "agents.team.staffing: has 1 intervals, the queues have 2",
        "agents.crew: unknown agent group (groups are: team)",
    ]


# ------------------------------------------------------------------ shifts and outputs


def test_peak_day_shifts_cover_every_scheduled_interval():
    sc = load_scenario(f"{SCENARIOS}/peak_day.yaml")
    p = plan(sc, "erlang-a", shifts=True)
    shift = p.shifts["team"]
    assert shift.required == p.group_scheduled["team"].tolist()
    assert len(shift.staffing) == sc.n_intervals == 24
    assert shift.under == [0] * 24
    assert all(s >= r for s, r in zip(shift.staffing, shift.required))
    assert shift.cost == pytest.approx(
        sum(
            shift.counts[n]
            * (s.hours - (s.unpaid_break.minutes / 60 if s.unpaid_break else 0))
            * s.cost_per_hour
            for n, s in sc.shifts.items()
        )
    )
    # logged in = on shift less 30% shrinkage, never below the requirement
    logged_in = p.staffing["team"]
    assert logged_in == [math.floor(s * 0.7 + 1e-9) for s in shift.staffing]
    assert all(a >= r for a, r in zip(logged_in, p.required[0]))


def test_shifts_need_shifts_in_the_scenario():
    with pytest.raises(ScenarioError, match="shifts: the scenario has no shifts"):
        plan(day([100]), shifts=True)


def test_to_dict_and_tables_agree():
    sc = load_scenario(f"{SCENARIOS}/peak_day.yaml")
    p = plan(sc, "erlang-a")
    d = simulator.to_dict(p)
    assert list(d) == [
        "scenario",
        "method",
        "volume_scale",
        "interval_minutes",
        "service_level",
        "targets",
        "shrinkage",
        "intervals",
        "groups",
        "queues",
        "notes",
        "warnings",
        "lines",
        "totals",
    ]
    assert d["targets"] == {"abandon_rate": 0.05, "occupancy_max": 0.9}
    assert [r["start"] for r in d["intervals"]] == sc.interval_starts()
    assert [r["required"] for r in d["intervals"]] == p.intervals["required"].tolist()
    assert d["groups"]["team"]["scheduled"] == [r["scheduled"] for r in d["intervals"]]
    assert d["queues"]["customer_service"][4]["service_level"] == pytest.approx(
        p.intervals["service_level"].iloc[4], abs=1e-6
    )
    assert len(p.queue_intervals) == 24
    # every target met in every interval
    assert all(
        r["service_level"] >= 0.8 and r["abandon_rate"] <= 0.05 and r["occupancy"] <= 0.9
        for r in d["intervals"]
    )


def test_center_kpis_weight_queues_by_their_calls():
    sc = load_scenario(f"{SCENARIOS}/multi_skill.yaml")
    p = plan(sc)
    v, k = p.offered[:, 0], {x: p.kpis[x][:, 0] for x in p.kpis}
    assert p.total["service_level"][0] == pytest.approx((v * k["service_level"]).sum() / v.sum())
    assert p.total["asa"][0] == pytest.approx((v * k["asa"]).sum() / v.sum())
    assert p.total["occupancy"][0] == pytest.approx(p.load[:, 0].sum() / p.required[:, 0].sum())
    assert erlang_c(p.load[0, 0], p.required[0, 0]) == pytest.approx(p.kpis["p_wait"][0, 0])
