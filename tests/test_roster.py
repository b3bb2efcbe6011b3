"""The roster model: shifts × headcount with breaks and activities, worked out by hand
(agent-shifts, staggered breaks, per-interval staffing, paid time) and its problems,
one line per field path."""

from __future__ import annotations

import numpy as np
import pytest
from builders import queue, scenario

from simulator import ScenarioError, parse_scenario
from simulator.model.timetable import (
    activity_spans,
    agent_shifts,
    break_starts,
    on_phones,
    paid_spans,
)


def rostered(roster: dict, groups: dict | None = None, intervals: int = 8, **absence) -> dict:
    """A 30-minute day 08:00-12:00 (8 intervals) of one queue, staffed by `roster`."""
    d = scenario(
        {"sales": queue([40] * intervals)},
        groups or {"team": {"skills": ["sales"], "cost_per_hour": 20.0}},
        interval_minutes=30,
    )
    d["roster"] = roster
    if absence:
        d["absence"] = absence
    return d


def problems(d: dict) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(d, strict=True)
    return err.value.problems


EARLY = {"start": "08:00", "hours": 4, "agents": 10}


def test_a_roster_gives_the_staffing_of_whole_intervals_on_the_phones():
    """10 agents 08:00-12:00, all on a 15 min break at 10:00 (the interval 10:00-10:30
    loses all 10), 4 agents 09:00-12:00 staggered over 10:00-11:00 (30 min, step 15:
    10:00, 10:15, 10:30, 10:45), a huddle of 2 at 11:00-11:30."""
    shifts = {
        "early": EARLY | {"breaks": [{"start": "10:00", "minutes": 15, "paid": True}]},
        "late": {
            "start": "09:00",
            "end": "12:00",
            "agents": 4,
            "breaks": [{"earliest": "10:00", "latest": "11:00", "minutes": 30}],
        },
    }
    activities = {"huddle": {"start": "11:00", "end": "11:30", "agents": 2}}
    sc = parse_scenario(rostered({"shifts": shifts, "activities": activities}), strict=True)
    # late agents on break: 10:00-10:30, 10:15-10:45, 10:30-11:00, 10:45-11:15
    assert sc.agents["team"].staffing == [10, 10, 14, 14, 4 - 2, 14 - 3, 14 - 1 - 2, 14]
    minutes = on_phones(sc, "team")
    assert minutes[120:135] == [4 - 1] * 15  # 10:00-10:15: late agent 0 away
    assert minutes[135] == 2 + 10  # 10:15: early back, late agents 0 and 1 away
    assert minutes[180] == 14 - 1 - 2  # 11:00: late agent 3 away, the huddle


def test_windows_stagger_agents_evenly_over_the_starts():
    """Agent j of n takes start floor(j·m/n) of the m starts: counts differ by <= 1."""
    from simulator.model.roster import RosterShift

    shift = RosterShift.model_validate(
        {
            "start": "08:00",
            "hours": 8,
            "agents": 7,
            "breaks": [{"earliest": "11:30", "latest": "12:30", "minutes": 30, "step": 30}],
        }
    )
    starts = break_starts(shift, 7)[0]
    assert starts == [210, 210, 210, 240, 240, 270, 270]
    assert break_starts(shift, 2)[0] == [210, 240]


def test_paid_time_leaves_out_unpaid_breaks_and_activities_only():
    """2 agents 08:00-12:00 (240 min) with a paid 15 and an unpaid 30 min break, an
    unpaid 60 min training of 1: paid = 2 × 210 − 60 = 360 min, at 20/h = 120."""
    shifts = {
        "early": EARLY
        | {
            "agents": 2,
            "breaks": [
                {"start": "09:00", "minutes": 15, "paid": True},
                {"start": "10:00", "minutes": 30},
            ],
        }
    }
    activities = {"training": {"start": "11:00", "hours": 1, "agents": 1, "paid": False}}
    sc = parse_scenario(rostered({"shifts": shifts, "activities": activities}), strict=True)
    _, seconds, _, rate = paid_spans(sc)
    assert np.sum(seconds * np.sign(rate)) / 60 == pytest.approx(360)
    assert np.sum(seconds * rate) == pytest.approx(120)
    assert [a.seconds() for a in activity_spans(sc)] == [[(3 * 3600.0, 4 * 3600.0)]]
    lunch = 10 * 3600.0  # clock seconds: 10:00
    assert [(a.agent, a.breaks[1][0]) for a in agent_shifts(sc)] == [(0, lunch), (1, lunch)]


def test_a_shift_may_run_past_midnight():
    d = rostered({"shifts": {"night": {"start": "23:00", "end": "01:00", "agents": 3}}})
    d["open"] = "21:00"
    sc = parse_scenario(d, strict=True)
    assert sc.agents["team"].staffing == [0, 0, 0, 0, 3, 3, 3, 3]


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"agents": {"team": {"skills": ["sales"], "staffing": [1] * 8}}},
            "agents.team.staffing: the roster staffs this group too: give one of them",
        ),
        (
            {"roster": {"shifts": {"x": {"start": "13:00", "hours": 2, "agents": 1}}}},
            "roster.shifts.x: 13:00–15:00 reaches no open interval on any day",
        ),
        (
            {"roster": {"shifts": {"x": {"start": "13:00", "hours": 2, "agents": 1, "days": [1]}}}},
            "roster.shifts.x: 13:00–15:00 on day 1 is outside the opening hours (it reaches no "
            "open interval)",
        ),
        (
            {"roster": {"shifts": {"x": EARLY | {"group": "other"}}}},
            "roster.shifts.x.group: unknown agent group 'other' (groups are: team)",
        ),
        (
            {"roster": {"shifts": {"x": EARLY | {"days": [3]}}}},
            "roster.shifts.x.days.0: day 3 is not in the scenario (its days: 1, or 0: the day "
            "before)",
        ),
        (
            {"roster": {"shifts": {"x": EARLY | {"days": ["mon"]}}}},
            "roster.shifts.x.days.0: mon names a calendar day, but this scenario is "
            "dateless: its days are numbered 1, or 0: the day before",
        ),
        (
            {"roster": {"shifts": {"x": EARLY | {"breaks": [{"start": "13:00", "minutes": 5}]}}}},
            "roster.shifts.x.breaks.0.start: 13:00 is outside the shift 08:00–12:00",
        ),
        (
            {
                "roster": {
                    "shifts": {
                        "x": EARLY
                        | {
                            "breaks": [
                                {"earliest": "09:00", "latest": "10:00", "minutes": 30},
                                {"start": "10:00", "minutes": 15},
                            ]
                        }
                    }
                }
            },
            "roster.shifts.x.breaks.1: may start before break 0 ends",
        ),
        (
            {
                "roster": {
                    "shifts": {"x": EARLY},
                    "activities": {"m": {"start": "09:00", "hours": 1, "agents": 11}},
                }
            },
            "roster.activities.m.agents: 11 agents of team in activities at 09:00, but the "
            "shifts have only 10 on the phones then",
        ),
        (
            {"roster": {"shifts": {"x": EARLY | {"end": "12:00"}}}},
            "roster.shifts.x: give either end or hours",
        ),
        (
            {"roster": {"shifts": {"x": EARLY | {"breaks": [{"minutes": 15}]}}}},
            "roster.shifts.x.breaks.0: give start, or both earliest and latest",
        ),
    ],
)
def test_bad_rosters_are_refused_naming_the_field(change, message):
    d = rostered({"shifts": {"x": EARLY}}) | change
    assert any(p.startswith(message) for p in problems(d)), problems(d)


def test_a_group_needs_staffing_or_a_roster_and_absence_needs_a_roster():
    d = scenario({"sales": queue([40] * 2)}, {"team": {"skills": ["sales"]}})
    d["absence"] = {"absenteeism": 0.1}
    assert problems(d) == [
        "agents.team.staffing: is required (agents per interval), unless roster.shifts "
        "staff the group",
        "absence: applies to a roster's agent-shifts: give roster.shifts",
    ]


def test_the_group_is_required_among_several():
    groups = {
        "a": {"skills": ["sales"], "staffing": [1] * 8},
        "b": {"skills": ["sales"], "staffing": [1] * 8},
    }
    d = rostered({"shifts": {"x": EARLY}}, groups)
    assert problems(d) == [
        "roster.shifts.x.group: required when there are several agent groups (a, b)"
    ]


def week(horizon: dict, intervals: int, shifts: dict, interval_minutes: int = 60) -> dict:
    d = scenario(
        {"sales": queue([10] * intervals)},
        {"team": {"skills": ["sales"]}},
        interval_minutes=interval_minutes,
    )
    return d | {"horizon": horizon, "roster": {"shifts": shifts}}


def test_a_horizon_roster_names_days_by_weekday_or_date():
    """Mon 2026-12-07 and Tue 08:00-12:00 (4 one-hour intervals each): 5 agents on
    Mondays, 3 on 2026-12-08 from 09:00."""
    horizon = {"start": "2026-12-07", "days": 2, "close": "12:00"}
    shifts = {
        "mon": {"start": "08:00", "hours": 4, "agents": 5, "days": ["Mon"]},
        "tue": {"start": "09:00", "hours": 3, "agents": 3, "days": ["2026-12-08"]},
    }
    sc = parse_scenario(week(horizon, 8, shifts))
    assert sc.agents["team"].staffing == [5] * 4 + [0, 3, 3, 3]
    bad = week(horizon, 8, {"x": shifts["mon"] | {"days": ["wed", 1]}})
    assert problems(bad) == [
        "roster.shifts.x.days.1: day 1: name the horizon's days by date or weekday (mon...sun)"
    ]
    sunday = week(horizon, 8, {"x": shifts["mon"] | {"days": ["sun"]}})  # the day before
    assert problems(sunday) == [
        "roster.shifts.x: 08:00–12:00 on Sun 12-06 is outside the opening hours (it reaches "
        "no open interval)"
    ]


def test_a_roster_day_outside_the_horizon_names_the_horizons_dates():
    """The horizon is Mon 2026-12-07 and Tue: the message gives those dates (it gave
    2026-12-06–2026-12-09, the calendar's neighbours), and the day before, where a night
    shift into Monday may start; a 24/7 horizon runs round: no day before."""
    horizon = {"start": "2026-12-07", "days": 2, "close": "12:00"}
    shift = {"start": "08:00", "hours": 4, "agents": 5, "days": ["2026-12-20"]}
    assert problems(week(horizon, 8, {"x": shift})) == [
        "roster.shifts.x.days.0: 2026-12-20 is not a day of the horizon (2026-12-07–2026-12-08, "
        "or 2026-12-06: the day before)"
    ]
    always = {"start": "2026-12-07", "days": 2, "always_open": True}
    assert problems(week(always, 48, {"x": shift}) | {"open": "00:00"}) == [
        "roster.shifts.x.days.0: 2026-12-20 is not a day of the horizon (2026-12-07–2026-12-08)"
    ]
    d = week(None, 20, {"x": shift | {"days": [3]}}) | {"open": "00:00"}
    del d["horizon"]
    assert problems(d) == [
        "roster.shifts.x.days.0: day 3 is not in the scenario (its days: 1, or 0: the day before)"
    ]


def test_a_night_shift_runs_into_the_next_day_of_a_24_7_horizon():
    """22:00 for 8 h on Monday covers Mon 22:00-24:00 and Tue 00:00-06:00; the stretch
    run alone (the 48 hours as one dateless run) keeps it there. Where the centre
    closes at 23:00, the shift works Mon 22:00-23:00 and is paid 8 h all the same."""
    from simulator.model.horizon import stretch_scenario, stretches

    horizon = {"start": "2026-12-07", "days": 2, "always_open": True}
    shifts = {"night": {"start": "22:00", "hours": 8, "agents": 4, "days": ["2026-12-07"]}}
    d = week(horizon, 48, shifts) | {"open": "00:00"}
    sc = parse_scenario(d)
    assert sc.agents["team"].staffing == [0] * 22 + [4] * 8 + [0] * 18
    (stretch,) = stretches(sc)
    alone = stretch_scenario(sc, stretch)
    assert [a.phones() for a in agent_shifts(alone)] == [[(22 * 3600.0, 30 * 3600.0)]] * 4
    shifts["night"]["cost_per_hour"] = 10.0
    closed = parse_scenario(week({"start": "2026-12-07", "days": 2, "close": "23:00"}, 30, shifts))
    assert closed.agents["team"].staffing == [0] * 14 + [4] + [0] * 15
    _, seconds, _, rate = paid_spans(closed)
    assert np.sum(seconds) == 4 * 3600 and np.sum(seconds * rate) == pytest.approx(4 * 8 * 10)


def test_a_24_hour_day_is_cyclic_and_a_night_shift_may_come_from_the_day_before():
    """A dateless 24-hour day wraps (the same roster repeats): 22:00 for 8 h covers
    22:00-24:00 and 00:00-06:00. A day 00:00-20:00 is not cyclic: the shift of the day
    before (day 0) covers 00:00-06:00; on day 1 it reaches no open interval."""
    night = {"night": {"start": "22:00", "hours": 8, "agents": 4}}
    d = week(None, 24, night) | {"open": "00:00"}
    del d["horizon"]
    assert parse_scenario(d).agents["team"].staffing == [4] * 6 + [0] * 16 + [4] * 2
    d = week(None, 20, night) | {"open": "00:00"}
    del d["horizon"]
    assert parse_scenario(d).agents["team"].staffing == [4] * 6 + [0] * 14
    d["roster"]["shifts"]["night"]["days"] = [1]
    assert problems(d) == [
        "roster.shifts.night: 22:00–06:00 on day 1 is outside the opening hours (it reaches "
        "no open interval)"
    ]


def test_validate_says_no_agent_only_where_nobody_is_on_the_phones_all_interval():
    """All 10 on a 15-minute break at 10:00: the planner's staffing of 10:00 is 0, but
    they are back at 10:15, so no 'no agent logged in' caution there; from 11:00 nobody is."""
    from simulator.model.checks import cautions

    d = rostered(
        {"shifts": {"x": EARLY | {"hours": 3, "breaks": [{"start": "10:00", "minutes": 15}]}}}
    )
    sc = parse_scenario(d)
    assert sc.agents["team"].staffing == [10, 10, 10, 10, 0, 10, 0, 0]
    assert [c for c in cautions(sc) if "no agent" in c] == [
        "queues.sales: calls are offered at 11:00, 11:30 with no agent logged in who has this skill"
    ]
