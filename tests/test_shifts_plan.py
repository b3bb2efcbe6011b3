"""`staff --shifts` over a week (a horizon with closed nights, and 24/7): shifts per day,
breaks staggered, overnight shifts, and the totals (headcount, FTE, paid hours, cost)
equal to the sum of their parts."""

import math

import numpy as np
import pytest
from builders import break_losses, shift_week

from simulator import plan
from simulator.model.shift_fit import covers, timeline
from simulator.planner.totals import fte_basis


@pytest.fixture(scope="module")
def closed_nights():
    return plan(shift_week(), "erlang-c", shifts=True)


@pytest.fixture(scope="module")
def around_the_clock():
    return plan(shift_week(always_open=True), "erlang-c", shifts=True)


def test_a_week_with_closed_nights_is_planned_day_by_day(closed_nights):
    p = closed_nights
    front = p.shifts["front"]
    assert len(front.required) == 6 * 24
    assert front.under == [0] * len(front.required)
    labels = ["Mon 12-07", "Tue 12-08", "Wed 12-09", "Thu 12-10", "Fri 12-11", "Sat 12-12"]
    assert front.day_labels == labels  # nobody on the closed Sunday
    assert set(front.day_counts["early"]) == set(labels)
    # the Monday peak (30% busier) needs more agents than Tuesday
    monday = sum(front.day_counts[s]["Mon 12-07"] for s in ("early", "late"))
    tuesday = sum(front.day_counts[s]["Tue 12-08"] for s in ("early", "late"))
    assert monday > tuesday
    assert any(k.startswith("Mon 12-07 ") for k in front.break_starts["early"])


def test_breaks_are_staggered_every_day_of_the_week(closed_nights, around_the_clock):
    for p in (closed_nights, around_the_clock):
        for sp in p.shifts.values():
            agents, off = break_losses(sp)
            for key, lost in off.items():
                share = sp.break_shares[key[0]]
                assert max(lost) <= math.ceil(share * agents[key]), key
            assert any(v.any() for v in off.values()) or not sp.break_shares


def test_a_24_7_week_has_overnight_shifts_covering_every_night(around_the_clock):
    p = around_the_clock
    front = p.shifts["front"]
    tl = front.timeline
    assert tl.cycle == 7 * 24 * 60 and len(front.required) == 7 * 48
    assert front.under == [0] * len(front.required)
    nights = [a for a in front.assignments if a.shift == "night"]
    assert {a.day for a in nights} == set(range(7))
    # 00:00-04:00 of every day, Monday's included, is worked by the night before's shift
    for d in range(7):
        small_hours = [i for i, t in enumerate(tl.starts) if d * 1440 <= t < d * 1440 + 240]
        night_before = [a for a in nights if a.day == (d - 1) % 7]
        cover = sum(
            a.agents * np.array(covers(tl, a.start, a.start + a.minutes), int) for a in night_before
        )
        assert all(cover[i] > 0 for i in small_hours), d
        assert all(front.staffing[i] >= front.required[i] for i in small_hours)


def test_totals_equal_the_sum_of_their_parts(closed_nights, around_the_clock):
    for p in (closed_nights, around_the_clock):
        t = p.totals
        assert t.days == 7 and t.fte_basis == 40.0  # a week: fte_hours a week
        for g, sp in p.shifts.items():
            f = t.groups[g]
            # by hand from the workings: paid = hours less unpaid break, × the shift's cost
            paid = sum(a.agents * (a.minutes - a.break_minutes) / 60 for a in sp.assignments)
            cost = sum(
                a.agents * (a.minutes - a.break_minutes) / 60 * sp.shifts[a.shift].cost_per_hour
                for a in sp.assignments
            )
            per_day = {}
            for a in sp.assignments:
                per_day[a.day] = per_day.get(a.day, 0) + a.agents
            assert f.paid_hours == pytest.approx(paid, rel=1e-12)
            assert f.cost == pytest.approx(cost, rel=1e-12)
            assert f.headcount == max(per_day.values())
            assert f.fte == pytest.approx(paid / 40)
        for key in ("headcount", "fte", "paid_hours", "cost"):
            parts = sum(getattr(f, key) for f in t.groups.values())
            assert getattr(t.total, key) == pytest.approx(parts, rel=1e-12)


def test_totals_without_shifts_are_the_scheduled_agent_hours():
    sc = shift_week()
    p = plan(sc, "erlang-c")
    for g, f in p.totals.groups.items():
        hours = float(np.sum(p.group_scheduled[g])) / 2  # 30 min intervals
        assert f.paid_hours == pytest.approx(hours)
        assert f.cost == pytest.approx(hours * sc.agents[g].cost_per_hour)
        assert f.headcount == int(np.max(p.group_scheduled[g]))
    assert p.totals.total.cost == pytest.approx(sum(f.cost for f in p.totals.groups.values()))


def test_the_fte_basis_is_stated_per_plan_length():
    assert fte_basis(40, 1) == 8  # a day of a 5-day, 40-hour week
    assert fte_basis(40, 7) == 40
    assert fte_basis(37.5, 14) == 75
    assert fte_basis(40, 3) == 24


def test_the_week_timeline_follows_the_calendar():
    tl = timeline(shift_week())
    assert tl.first_date.isoformat() == "2026-12-07" and tl.calendar_days == 7
    assert tl.starts[0] == 8 * 60 and tl.starts[24] == 1440 + 8 * 60  # Tuesday 08:00
    assert tl.labels[24] == "Tue 12-08 08:00"
    assert tl.cycle is None
    # a roster may work the day before and after: 9 days, so dates name them
    assert tl.day_key(0) == "2026-12-07" and tl.day_key(-1) == "2026-12-06"
    around = timeline(shift_week(always_open=True))
    assert around.cycle == 7 * 1440 and around.day_key(0) == "Mon" and around.day_key(6) == "Sun"


def test_readme_figures_of_the_stagger_on_peak_day():
    """The README's *Shifts, rosters and totals* figures, from the program."""
    from pathlib import Path

    from simulator import load_scenario

    root = Path(__file__).resolve().parents[1]
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    sc = load_scenario(root / "scenarios/peak_day.yaml")
    loose = {
        n: s.model_copy(
            update={"unpaid_break": s.unpaid_break.model_copy(update={"max_share": 1.0})}
        )
        if s.unpaid_break
        else s
        for n, s in sc.shifts.items()
    }
    staggered = plan(sc, "erlang-c", shifts=True)
    bunched = plan(sc.model_copy(update={"shifts": loose}), "erlang-c", shifts=True)
    new, old = staggered.shifts["team"], bunched.shifts["team"]
    lunch = old.break_starts["early"]
    assert f"send {lunch['11:30']} of the early shift's {old.counts['early']} agents" in readme
    assert "78 → 49 → 49 → 78" in readme and old.staffing[6:10] == [78, 49, 49, 78]
    assert new.break_times("early") == "11:30×14 12:30×14 13:30×13"
    assert "(14, 14 and 13 at 11:30, 12:30, 13:30)" in readme
    assert f"of {new.cost:,.2f} instead of {old.cost:,.2f} (+2.7%)" in readme
    assert round(100 * (new.cost / old.cost - 1), 1) == 2.7
    t = staggered.totals.total
    assert (t.headcount, t.paid_hours, t.fte, t.cost) == (90, 620.0, 77.5, 14480.0)
    assert "90 agent-shifts, 620.0 paid hours, 77.50 FTE, 14,480.00" in readme


def test_a_pattern_worked_on_some_weekdays_only():
    """`shifts.NAME.days`: a Saturday shift (cheaper, 08:00-20:00) is worked on Saturday
    only, and the weekday patterns take the rest; the roster names its day."""
    from simulator.planner.rostering import roster_data

    sc = shift_week()
    shifts = dict(sc.shifts)
    shifts["saturday"] = shifts["back"].model_copy(
        update={"cost_per_hour": 10.0, "days": ["sat"], "start": "08:00"}
    )
    sc = sc.model_copy(update={"shifts": shifts})
    p = plan(sc, "erlang-c", shifts=True)
    back = p.shifts["back"]
    assert set(back.day_counts["saturday"]) == {"Sat 12-12"}
    assert "Sat 12-12" not in back.day_counts["back"]  # the cheaper one covers Saturday
    written = roster_data(sc, p.shifts)["shifts"]
    assert written["saturday"]["days"] == ["2026-12-12"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"days": ["sun"]}, "shifts.back: 08:00 for 12 h on sun is outside the opening hours"),
        ({"days": ["funday"]}, "shifts.back.days.0: must be one of 'mon', 'tue'"),
    ],
)
def test_bad_shift_days_are_named(change, message):
    from simulator import ScenarioError

    with pytest.raises(ScenarioError) as err:
        shift_week(shifts_update={"back": change})
    assert any(line.startswith(message) for line in err.value.problems), err.value.problems


def test_shift_days_need_a_horizon():
    from simulator import ScenarioError, parse_scenario

    d = {
        "name": "dateless",
        "interval_minutes": 60,
        "open": "08:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "queues": {
            "q": {"volumes": [10] * 8, "handle_time": {"distribution": "exponential", "mean": 180}}
        },
        "agents": {"team": {"skills": ["q"], "staffing": [2] * 8}},
        "shifts": {"day": {"start": "08:00", "hours": 8, "days": ["mon"]}},
    }
    with pytest.raises(ScenarioError, match=r"shifts\.day\.days: weekdays need a horizon"):
        parse_scenario(d)
