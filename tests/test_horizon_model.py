"""The horizon model: dates, opening hours, the calendar of slots, days and stretches,
and the messages of a bad horizon (each naming its field)."""

from __future__ import annotations

import datetime as dt

import pytest

from simulator import ScenarioError, parse_scenario
from simulator.model.horizon import slice_intervals, stretch_scenario, stretches

HANDLE = {"distribution": "exponential", "mean": 180}


def scenario(horizon: dict | None, n: int, open_: str = "08:00", minutes: int = 60, **extra):
    data = {
        "name": "week",
        "interval_minutes": minutes,
        "open": open_,
        "service_level": {"seconds": 20, "target": 0.8},
        "queues": {"a": {"volumes": [float(i) for i in range(n)], "handle_time": HANDLE}},
        "agents": {"g": {"skills": ["a"], "staffing": list(range(n))}},
        **extra,
    }
    if horizon is not None:
        data["horizon"] = horizon
    return parse_scenario(data)


def problems(horizon: dict, n: int, **kw) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        scenario(horizon, n, **kw)
    return err.value.problems


def test_no_horizon_is_one_dateless_day():
    sc = scenario(None, 3)
    assert [(s.date, s.start, s.label) for s in sc.calendar()] == [
        (None, "08:00", "08:00"),
        (None, "09:00", "09:00"),
        (None, "10:00", "10:00"),
    ]
    (day,) = sc.days()
    assert (day.date, day.first, day.stop, day.open, day.close) == (None, 0, 3, "08:00", "11:00")
    assert [(s.first, s.stop) for s in stretches(sc)] == [(0, 3)]


def test_days_with_closed_sunday_and_own_saturday_hours():
    # Fri 12-04 08-10, Sat 12-05 09-12, Sun closed, Mon 12-07 08-10: 2 + 3 + 2 intervals
    h = {
        "start": dt.date(2026, 12, 4),
        "days": 4,
        "close": "10:00",
        "hours": {"sat": {"open": "09:00", "close": "12:00"}, "sun": "closed"},
    }
    sc = scenario(h, 7)
    assert [s.label for s in sc.calendar()] == [
        "Fri 12-04 08:00",
        "Fri 12-04 09:00",
        "Sat 12-05 09:00",
        "Sat 12-05 10:00",
        "Sat 12-05 11:00",
        "Mon 12-07 08:00",
        "Mon 12-07 09:00",
    ]
    assert sc.interval_starts() == [s.start for s in sc.calendar()]
    days = sc.days()
    assert [(d.label, d.first, d.stop, d.open, d.close) for d in days] == [
        ("Fri 12-04", 0, 2, "08:00", "10:00"),
        ("Sat 12-05", 2, 5, "09:00", "12:00"),
        ("Mon 12-07", 5, 7, "08:00", "10:00"),
    ]
    # Sat 09:00 is 25 h after Fri 08:00; Mon 08:00 is 72 h after it
    assert [d.offset for d in days] == [0.0, 25 * 3600.0, 72 * 3600.0]
    assert [(s.first, s.stop) for s in stretches(sc)] == [(0, 2), (2, 5), (5, 7)]


def test_explicit_dates_with_a_gap_and_iso_text():
    sc = scenario({"dates": ["2026-12-07", "2026-12-09"], "close": "09:00"}, 2)
    assert [d.date for d in sc.days()] == [dt.date(2026, 12, 7), dt.date(2026, 12, 9)]
    assert [s.label for s in sc.calendar()] == ["Mon 12-07 08:00", "Wed 12-09 08:00"]


def test_always_open_is_one_stretch_over_every_day():
    sc = scenario({"start": "2026-12-07", "days": 3, "always_open": True}, 72, open_="00:00")
    assert [(d.first, d.stop, d.close) for d in sc.days()] == [
        (0, 24, "24:00"),
        (24, 48, "24:00"),
        (48, 72, "24:00"),
    ]
    (run,) = stretches(sc)
    assert (run.first, run.stop, run.offset) == (0, 72, 0.0)
    assert sc.calendar()[24].label == "Tue 12-08 00:00"


def test_a_desk_open_past_midnight_is_one_stretch():
    h = {
        "start": "2026-12-07",
        "days": 2,
        "hours": {
            "mon": {"open": "20:00", "close": "24:00"},
            "tue": {"open": "00:00", "close": "02:00"},
        },
    }
    sc = scenario(h, 6)
    assert [(s.first, s.stop) for s in stretches(sc)] == [(0, 6)]
    assert sc.days()[1].offset == 4 * 3600.0


def test_stretch_scenario_slices_every_per_interval_list():
    h = {
        "start": "2026-12-07",
        "days": 2,
        "close": "10:00",
        "hours": {"tue": {"open": "09:00", "close": "12:00"}},
    }
    sc = scenario(h, 5, simulation={"warmup_intervals": 1})
    tue = stretch_scenario(sc, stretches(sc)[1])
    assert tue.horizon is None and tue.open == "09:00"
    assert tue.queues["a"].volumes == [2.0, 3.0, 4.0]
    assert tue.agents["g"].staffing == [2, 3, 4]
    assert tue.simulation.warmup_intervals == 0
    assert tue.interval_starts() == ["09:00", "10:00", "11:00"]
    assert slice_intervals(sc, 0, 2).queues["a"].volumes == [0.0, 1.0]


W = {"start": "2026-12-07", "days": 2}  # Mon and Tue
ONE = {"start": "2026-12-07", "days": 1}
BAD = [
    (W, 4, {}, "horizon.close: required (or hours for mon, tue)"),
    (W | {"close": "10:30"}, 4, {}, "horizon.close: 08:00-10:30 is not a whole number of 60-"),
    (W | {"close": "07:00"}, 4, {}, "horizon.close: 07:00 must be after open 08:00"),
    ({"start": "2026-12-07"}, 4, {}, "horizon: give start and days"),
    ({"dates": ["2026-12-08", "2026-12-07"]}, 4, {}, "horizon.dates: 2026-12-07 comes after"),
    (W | {"close": "11:00"}, 4, {}, "horizon: opens 6 intervals of 60 minutes over 2 days, but"),
    (ONE | {"always_open": True}, 24, {}, "open: a 24/7 horizon (horizon.always_open) opens its"),
    (ONE | {"always_open": True, "close": "10:00"}, 24, {"open_": "00:00"}, "horizon: always_o"),
    (ONE | {"hours": {"mon": {"open": "09:00", "close": "08:00"}}}, 4, {}, "horizon.hours.mon: c"),
    (ONE | {"hours": {"mon": "shut"}}, 4, {}, "horizon.hours.mon: must be one of 'closed'"),
    (ONE | {"hours": {"monday": "closed"}}, 4, {}, "horizon.hours.monday: must be one of 'mon'"),
    (ONE | {"start": "2026-13-07", "close": "10:00"}, 2, {}, "horizon.start: must be a date YYYY"),
    (ONE | {"hours": {"mon": "closed"}}, 2, {}, "horizon: every day is closed"),
    (ONE | {"close": "25:00"}, 2, {}, 'horizon.close: must be a clock time HH:MM, e.g. "20:00"'),
]


@pytest.mark.parametrize(("horizon", "n", "kw", "message"), BAD)
def test_bad_horizons_name_their_field(horizon, n, kw, message):
    found = problems(horizon, n, **kw)
    assert len(found) == 1 and found[0].startswith(message), found
