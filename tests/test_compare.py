"""Tests for simulator.compare: Erlang beside the simulation, scenarios beside each other.

The classic lesson is checked in direction and size: with callers who hang up
(exponential patience, mean 90 s), Erlang C asks for 2 more agents than Erlang A at
20 Erlangs, and at Erlang A's staffing the simulated service level is inside its 95%
confidence interval around Erlang A's prediction (84.9%) while Erlang C predicts 54.5%,
far below it. Seeds are fixed, so the outcome is deterministic. False alarms: the one
inside-the-95%-CI check would fail a correct engine with probability 5% for a random
seed (it is kept at 95% because that is the interval `compare` itself reports); the
Erlang C check needs a 30-point gap, far beyond chance (its CI half-width is ~2 points).
"""

import numpy as np
import pytest

import simulator
from simulator import parse_scenario
from simulator.planner.compare import COMPARED, compare_plan, compare_scenarios
from simulator.planner.edits import with_staffing
from simulator.planner.staffing import plan


def impatient(staffing=22, replications=30, patience=None):
    """200 calls / 30 min at 180 s (20 Erlangs), patience 90 s; the first interval of
    five is warm-up (the day starts empty)."""
    exp = {"distribution": "exponential"}
    return parse_scenario(
        {
            "name": "impatient callers",
            "interval_minutes": 30,
            "open": "08:00",
            "service_level": {"seconds": 20, "target": 0.8},
            "queues": {
                "q": {
                    "volumes": [200] * 5,
                    "handle_time": exp | {"mean": 180},
                    "patience": patience or exp | {"mean": 90},
                }
            },
            "agents": {"team": {"skills": ["q"], "staffing": [staffing] * 5}},
            "simulation": {"replications": replications, "seed": 3, "warmup_intervals": 1},
        }
    )


@pytest.fixture(scope="module")
def at_erlang_a_staffing():
    sc = impatient()
    a, c = plan(sc, "erlang-a"), plan(sc, "erlang-c")
    staffed = with_staffing(sc, a.staffing)
    return a, c, compare_plan(staffed, "erlang-a"), compare_plan(staffed, "erlang-c")


def test_erlang_c_needs_more_agents_than_erlang_a_when_callers_hang_up(at_erlang_a_staffing):
    a, c, _, _ = at_erlang_a_staffing
    assert (c.required - a.required >= 1).all()
    assert c.required[0].tolist() == [24] * 5 and a.required[0].tolist() == [22] * 5


def test_simulation_agrees_with_erlang_a_at_its_staffing(at_erlang_a_staffing):
    _, _, cmp_a, _ = at_erlang_a_staffing
    pred, _mean, low, high, flag = cmp_a.day_figures("service_level")
    assert pred == pytest.approx(0.8487, abs=1e-4)
    assert low <= pred <= high and flag is False
    assert high - low < 0.05  # narrow enough to mean something
    for kpi in ("abandon_rate", "asa"):
        assert cmp_a.day_figures(kpi)[4] is False, kpi
    # at least three of the four reported intervals agree on service level
    assert sum(f is False for f in cmp_a.figures("service_level")[4]) >= 3


def test_erlang_c_predicts_a_service_level_below_the_simulated_interval(at_erlang_a_staffing):
    _, _, _, cmp_c = at_erlang_a_staffing
    pred, _mean, low, _high, flag = cmp_c.day_figures("service_level")
    assert pred == pytest.approx(0.5452, abs=1e-4)
    assert pred < low - 0.2 and flag is True  # 30 points under, not a rounding matter
    assert all(cmp_c.figures("service_level")[4])  # every interval disagrees
    assert cmp_c.day_figures("abandon_rate")[:2] == (0.0, pytest.approx(mean_abandon(cmp_c)))
    assert cmp_c.day_figures("abandon_rate")[4] is True


def mean_abandon(cmp):
    return float(np.mean(cmp.simulated.day_samples["abandon_rate"]))


def test_comparison_dict_lists_every_reported_interval(at_erlang_a_staffing):
    _, _, cmp_a, _ = at_erlang_a_staffing
    d = simulator.to_dict(cmp_a)
    assert d["method"] == "erlang-a" and d["replications"] == 30 and d["seed"] == 3
    assert [r["start"] for r in d["intervals"]] == ["08:30", "09:00", "09:30", "10:00"]
    row = d["intervals"][0]
    assert set(row) == {"start", "agents", *COMPARED}
    assert row["agents"] == 22.0 and row["offered"]["predicted"] == 200.0
    assert set(row["service_level"]) == {"predicted", "simulated", "outside_ci", "disagree"}
    assert set(d["summary"]) == set(COMPARED)
    for r in d["intervals"]:  # a disagreement is always outside the CI
        for k in COMPARED:
            e = r[k]
            low, high = e["simulated"]["ci95"]
            assert e["outside_ci"] == (not low <= e["predicted"] <= high)
            assert e["outside_ci"] or not e["disagree"]


def test_disagreement_needs_more_than_a_rounding_gap():
    # Heavily over-staffed: every day answers everything at once, the CI is [1, 1].
    cmp = compare_plan(impatient(staffing=40, replications=4), "erlang-a")
    pred, _mean, low, high, flag = cmp.day_figures("service_level")
    assert low == high == 1.0 and pred < 1.0 and flag is False
    # ...but the JSON still says the prediction lies outside the (zero-width) interval
    assert simulator.to_dict(cmp)["summary"]["service_level"]["outside_ci"] is True


def test_same_scenario_twice_gives_identical_days():
    cmp = compare_scenarios([impatient(replications=5)] * 2, ["a", "b"])
    for kpi in ("service_level", "asa", "abandon_rate", "offered"):
        assert cmp.difference(1, kpi) == (0.0, 0.0, 0.0)


def test_common_random_numbers_make_paired_differences_tight():
    lean, rich = impatient(staffing=21, replications=10), impatient(staffing=23, replications=10)
    cmp = compare_scenarios([lean, rich], ["21", "23"], volume_scale=1.1)
    _mean, low, high = cmp.difference(1, "service_level")
    assert low > 0  # two more agents: better, and we can tell
    separate = [r.summary.loc["service_level"] for r in cmp.results]
    # independent runs would give a difference about 1.4 times as wide as either
    # interval; the same callers make it narrower than either
    assert high - low < 0.75 * min(s["ci95_high"] - s["ci95_low"] for s in separate)
    offered = cmp.results[0].day_samples["offered"]
    assert (offered == cmp.results[1].day_samples["offered"]).all()  # same callers
    assert offered.mean() == pytest.approx(880, rel=0.03)  # 4 x 200 x 1.1
    d = simulator.to_dict(cmp)
    assert [s["file"] for s in d["scenarios"]] == ["21", "23"]
    assert d["differences"][0]["versus"] == "21"
    assert d["volume_scale"] == 1.1


def test_a_prediction_needs_a_formula():
    with pytest.raises(ValueError, match="method: must be one of erlang-c, erlang-a"):
        compare_plan(impatient(replications=2), "simulation")


def two_queues(replications=2):
    """`impatient()` plus a queue 'p' whose callers never hang up (no patience)."""
    sc = impatient(replications=replications)
    q = sc.queues["q"]
    queues = {"q": q, "p": q.model_copy(update={"patience": None})}
    team = sc.agents["team"].model_copy(update={"skills": ["q", "p"], "ranks": {"q": 1, "p": 1}})
    return sc.model_copy(update={"queues": queues, "agents": {"team": team}})


def test_compare_defaults_to_the_formula_that_fits_the_file():
    """Issue 15: with patience in every queue the default is Erlang A, and a note says
    why; with a queue that has none it is Erlang C, and the note names that queue and
    says that the queues whose callers hang up disagree by construction."""
    cmp = compare_plan(impatient(replications=2))
    assert cmp.method == "erlang-a"
    assert cmp.notes == ["erlang-a: chosen because every queue has a patience"]
    assert simulator.to_dict(cmp)["notes"] == cmp.notes
    mixed = compare_plan(two_queues())
    assert mixed.method == "erlang-c"
    assert "queue(s) p have no patience" in mixed.notes[0]
    assert "callers of q do" in mixed.notes[0] and "by construction" in mixed.notes[0]


def test_erlang_c_asked_for_on_a_file_with_patience_says_why_it_disagrees():
    cmp = compare_plan(impatient(replications=2), "erlang-c")
    assert cmp.method == "erlang-c"
    assert len(cmp.notes) == 1 and "(as asked)" in cmp.notes[0]
    assert cmp.notes[0].endswith("--method erlang-a fits this file")


def test_erlang_a_notes_a_patience_it_takes_by_its_mean():
    lognormal = {"distribution": "lognormal", "mean": 90, "cv": 1.5}
    cmp = compare_plan(impatient(replications=2, patience=lognormal), "erlang-a")
    assert cmp.notes == [
        "erlang-a takes the patience of q as an exponential with its hazard-matched mean "
        "(see predict.hazard_matched_mean); the simulation draws its shape"
    ]
