"""The staffing search over a horizon (issue 13 item 4, issue 14): a horizon with closed
nights kept and searched date by date on exactly the days the whole horizon would
simulate, the budgets the notes state, and the verification's notes (the day of a
flagged interval, the target it misses, the flag's power).

Every check here is deterministic (fixed seeds, the search's days are fixed by them):
equalities are exact, nothing can flake. The week's timings are in
benchmarks/bench_week.py --staff.
"""

import datetime as dt

import numpy as np

from simulator import parse_scenario
from simulator.planner import search
from simulator.planner.allocation import group_requirement
from simulator.planner.daysets import DaySets, by_date
from simulator.planner.sampling import SAMPLED
from simulator.planner.search import SearchSettings
from simulator.planner.staffing import plan
from simulator.planner.verification import Z80, Z95, verify

SMALL = SearchSettings(first_days=10, most_days=40, verify_days=30)
HANDLE = {"distribution": "exponential", "mean": 180}
PATIENCE = {"distribution": "exponential", "mean": 240}
MON, TUE, WED = (dt.date(2026, 12, 7) + dt.timedelta(days=i) for i in range(3))


def horizon(dates: list[dt.date], volumes: list[float], one_queue: bool = False, **extra):
    """Days 08:00-11:00 (three hours, closed nights), two queues and a cross-trained
    group (or queue a and its team only), 80/20 and at most 5% abandoned, a daily
    busyness factor of cv 0.1."""
    data = {
        "name": "days",
        "interval_minutes": 60,
        "open": "08:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "targets": {"abandon_rate": 0.05},
        "horizon": {"dates": [d.isoformat() for d in dates], "close": "11:00"},
        "arrivals": {"busyness_cv": 0.1},
        "queues": {
            "a": {"volumes": volumes, "handle_time": HANDLE, "patience": PATIENCE},
            "b": {"volumes": [v / 2 for v in volumes], "handle_time": HANDLE},
        },
        "agents": {
            "a_team": {"skills": ["a"], "staffing": [1] * len(volumes)},
            "both": {"skills": ["a", "b"], "staffing": [1] * len(volumes)},
        },
        "simulation": {"replications": 10, "seed": 5, **extra},
    }
    if one_queue:
        del data["queues"]["b"], data["agents"]["both"]
    return parse_scenario(data)


MONDAY, TUESDAY, WEDNESDAY = [60.0, 100.0, 80.0], [40.0, 70.0, 50.0], [50.0, 50.0, 50.0]


def staffing(sc, agents: int) -> dict[str, list[int]]:
    return {
        g: r.tolist()
        for g, r in group_requirement(sc, np.full((2, sc.n_intervals), agents)).items()
    }


def test_a_closed_night_horizon_is_kept_by_date_on_the_horizon_s_own_days():
    """Kept by date (one DaySets per date, the horizon cut to it), the days are those of
    the whole horizon simulated at once, to the bit (the same date-keyed streams and
    busyness factors), with the warm-up on the first date only."""
    sc = horizon([MON, TUE, WED], MONDAY + TUESDAY + WEDNESDAY, warmup_intervals=1)
    split = DaySets(sc, 3, 4, 8)
    whole = DaySets(sc, 3, 4, 8)
    whole.parts = []  # the whole horizon as one run of days
    assert [p.span for p in split.parts] == [slice(0, 3), slice(3, 6), slice(6, 9)]
    assert [p.skip for p in split.parts] == [1, 0, 0]
    a, b = split.staffed_samples(staffing(sc, 6), 4), whole.staffed_samples(staffing(sc, 6), 4)
    for k in SAMPLED:
        assert a[k].shape == (4, 2, 8)
        assert np.array_equal(a[k], b[k], equal_nan=True), k
    assert split.simulated == 3 * 4 and whole.simulated == 4


def test_a_trial_that_changes_one_date_simulates_only_that_date():
    sc = horizon([MON, TUE, WED], MONDAY + TUESDAY + WEDNESDAY)
    sets = DaySets(sc, 3, 4, 4)
    base = np.full((2, 9), 6)
    sets.evaluate(base)
    assert sets.simulated == 3 * 4 and sets.calls == 4 * 1.5 * (240 + 160 + 150)
    tuesday = base.copy()
    tuesday[:, 3:6] -= 1
    sets.evaluate(tuesday)
    assert sets.simulated == 3 * 4 + 4  # Monday and Wednesday kept
    assert [p.simulated for p in sets.parts] == [4, 8, 4]


def test_a_two_day_horizon_search_gives_each_date_its_one_day_search_plan():
    """Searched date by date, each date's plan is the plan the search gives that date
    alone (a horizon of that one date): same days, same decisions."""
    quick = SearchSettings(first_days=6, most_days=12, verify_days=6)
    both = plan(horizon([MON, TUE], MONDAY + TUESDAY, True), "simulation", settings=quick)
    mon = plan(horizon([MON], MONDAY, True), "simulation", settings=quick)
    tue = plan(horizon([TUE], TUESDAY, True), "simulation", settings=quick)
    assert both.search.converged and mon.search.converged and tue.search.converged
    assert np.array_equal(both.required, np.concatenate([mon.required, tue.required], axis=1))
    assert not np.array_equal(mon.required, tue.required)  # the dates' plans differ
    assert both.search.days == mon.search.days + tue.search.days
    assert any("the 2 runs of the horizon (closed nights" in n for n in both.notes)


def test_a_24_7_horizon_is_one_run_and_not_cut():
    sc = horizon([MON, TUE], MONDAY + TUESDAY).model_copy(update={"horizon": None})
    assert by_date(sc) == []  # a dateless day
    night = parse_scenario(
        {
            "name": "24/7",
            "interval_minutes": 60,
            "open": "00:00",
            "service_level": {"seconds": 20, "target": 0.8},
            "horizon": {"start": "2026-12-07", "days": 2, "always_open": True},
            "queues": {"a": {"volumes": [5.0] * 48, "handle_time": HANDLE}},
            "agents": {"g": {"skills": ["a"], "staffing": [2] * 48}},
        }
    )
    assert by_date(night) == [] and DaySets(night, 1, 4, 4).parts == []


def test_the_search_keeps_to_the_budget_its_notes_state(monkeypatch):
    """With a budget of 20,000 simulated calls (a first day-set is 10 days of 360 calls on
    Monday, 240 on Tuesday), the search stops early, each date within its share of the
    budget plus one day-set, and its notes say so, naming the dates left unfinished."""
    monkeypatch.setattr(search, "CALLS_PER_SEARCH", 20_000)
    sc = horizon([MON, TUE], MONDAY + TUESDAY)
    p = plan(sc, "simulation", settings=SMALL)
    s = p.search
    assert not s.converged and s.unfinished == ("Mon 12-07", "Tue 12-08")
    for part in s.sets.parts:
        assert part.calls <= part.budget + part.most * part.calls_a_day
    assert sum(part.budget for part in s.sets.parts) <= 20_000
    note = next(n for n in p.notes if n.startswith("simulation: search stopped"))
    assert "(Mon 12-07, Tue 12-08 not finished)" in note and "20,000 simulated calls" in note


def test_a_flag_names_the_day_the_target_and_the_flag_s_power():
    """Two agents per queue for Tuesday's 09:00 (70 and 35 calls, 3.5 and 1.75 Erlangs,
    where 8 elsewhere meet everything) miss 80/20 and 5% abandoned by far: flagged, named
    by day and time, with the KPIs missed; the power note's figures are the CI
    half-widths worked out by hand."""
    sc = horizon([MON, TUE], MONDAY + TUESDAY)
    required = np.full((2, 6), 8)
    required[:, 4] = 2
    v = verify(sc, required, 30)
    assert v.flagged[0].tolist() == [False, False, False, False, True, False]
    notes = v.notes(sc)
    flag = next(n for n in notes if n.startswith("verification: flagged"))
    assert flag.startswith("verification: flagged a at Tue 12-08 09:00: service level ")
    assert "; abandon rate " in flag
    mean, _, high = v.queue_figures["service_level"]
    h = (high - mean)[np.isfinite(high - mean)]
    found = np.maximum(0.01, h) + Z80 * h / Z95
    assert np.array_equal(v.power(), found)
    share = f"in {100 * np.mean(found <= 0.02):.0f}% of the intervals with calls"
    assert any(share in n and "on 30 days a service level 2 points" in n for n in notes)
