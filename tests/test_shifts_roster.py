"""`staff --shifts --write FILE` writes the plan as the scenario's roster, so that `run FILE`
checks exactly what was planned: the roster's staffing is the plan's, interval by
interval, and the simulated cost (paid hours × cost per hour, paid time off the phones
included) is the plan's cost to the cent."""

import json

import numpy as np
import pytest
import yaml
from builders import shift_week
from typer.testing import CliRunner

from simulator import parse_scenario, plan, simulate
from simulator.cli import app
from simulator.model.timetable import planned_shrinkage, roster_staffing
from simulator.planner.rostering import roster_data, rostered


def day(**extra) -> dict:
    """08:00-20:00 in 30 min intervals, a morning peak, two groups with their own shift
    patterns and costs (shift costs differ from the groups' on purpose), 30% shrinkage."""
    x = np.arange(24)
    volumes = [round(float(v), 1) for v in 60 + 60 * np.exp(-(((x - 5) / 4) ** 2))]
    lunch = {"earliest": "11:30", "latest": "13:30", "minutes": 30}
    d = {
        "name": "roster day",
        "interval_minutes": 30,
        "open": "08:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "shrinkage": 0.3,
        "queues": {
            "calls": {
                "volumes": volumes,
                "handle_time": {"distribution": "exponential", "mean": 200},
            },
            "mail": {
                "volumes": [v / 5 for v in volumes],
                "handle_time": {"distribution": "exponential", "mean": 300},
            },
        },
        "agents": {
            "front": {"skills": ["calls"], "staffing": [0] * 24, "cost_per_hour": 18},
            "back": {"skills": ["mail"], "staffing": [0] * 24, "cost_per_hour": 22},
        },
        "shifts": {
            "early": {
                "start": "08:00",
                "hours": 8.5,
                "cost_per_hour": 20.25,
                "group": "front",
                "break": lunch,
            },
            "late": {
                "start": "11:30",
                "hours": 8.5,
                "cost_per_hour": 21.5,
                "group": "front",
                "break": {"earliest": "15:00", "latest": "17:00", "minutes": 30},
            },
            "part": {
                "start": "09:00",
                "hours": 4,
                "cost_per_hour": 19,
                "group": "front",
                "max_count": 6,
            },
            "back": {"start": "08:00", "hours": 12, "cost_per_hour": 23.75, "group": "back"},
        },
        "simulation": {"replications": 3, "seed": 3},
    }
    return d | extra


def around_the_clock() -> dict:
    """One 24/7 day from 00:00 in 60 min intervals: the night shift wraps."""
    volumes = [20.0] * 6 + [80.0] * 12 + [40.0] * 6
    return {
        "name": "24/7",
        "interval_minutes": 60,
        "open": "00:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "shrinkage": 0.2,
        "queues": {
            "q": {"volumes": volumes, "handle_time": {"distribution": "exponential", "mean": 180}}
        },
        "agents": {"team": {"skills": ["q"], "staffing": [0] * 24}},
        "shifts": {
            "night": {
                "start": "22:00",
                "hours": 8,
                "cost_per_hour": 30,
                "break": {"earliest": "01:00", "latest": "03:00", "minutes": 30},
            },
            "early": {"start": "06:00", "hours": 8, "cost_per_hour": 20},
            "late": {"start": "14:00", "hours": 8, "cost_per_hour": 22},
        },
        "simulation": {"replications": 2, "seed": 1},
    }


@pytest.fixture(scope="module")
def day_plan():
    sc = parse_scenario(day())
    return sc, plan(sc, "erlang-c", shifts=True)


def test_the_roster_staffs_every_interval_as_planned(day_plan):
    sc, p = day_plan
    r = rostered(sc, p.shifts)
    staffing = roster_staffing(r)
    assert set(staffing) == {"front", "back"}
    for g, sp in p.shifts.items():
        assert staffing[g] == sp.staffing, g
    # each pattern's break starts, agents and days are the plan's
    written = roster_data(sc, p.shifts)["shifts"]
    for g, sp in p.shifts.items():
        for name, starts in sp.break_starts.items():
            mine = {
                e["breaks"][0]["start"]: e["agents"]
                for e in written.values()
                if e["group"] == g and e.get("breaks") and e["start"] == sp.shifts[name].start
            }
            assert mine == starts


def test_simulated_cost_of_the_roster_is_the_plan_cost_to_the_cent(day_plan):
    sc, p = day_plan
    res = simulate(rostered(sc, p.shifts))
    cost = res.day_samples["cost"]
    # paid time is the scheduled roster's whatever the no-shows: the same every day
    assert np.ptp(cost) < 1e-6
    assert round(float(cost[0]), 2) == round(p.totals.total.cost, 2)
    assert p.totals.total.cost == pytest.approx(sum(s.cost for s in p.shifts.values()))
    # and per interval, the cost KPI adds up to it
    assert res.interval_samples["cost"][0].sum() == pytest.approx(p.totals.total.cost)


def test_shrinkage_and_the_roster_tell_one_story(day_plan):
    sc, p = day_plan
    r = rostered(sc, p.shifts)
    assert r.absence.absenteeism == sc.shrinkage
    # the roster's planned shrinkage (paid time off the phones) is the file's
    assert planned_shrinkage(r) == pytest.approx({"front": 0.3, "back": 0.3})


def test_a_24_7_roster_wraps_the_night_shift_into_the_morning():
    """One 24/7 day: the night shift 22:00-06:00 is written whole, and the roster, on
    the planner's clock, wraps it into 00:00-06:00 as the plan does."""
    sc = parse_scenario(around_the_clock())
    p = plan(sc, "erlang-c", shifts=True)
    sp = p.shifts["team"]
    assert sp.under == [0] * 24 and sp.counts["night"] > 0
    written = roster_data(sc, p.shifts)["shifts"]
    nights = [e for n, e in written.items() if n.startswith("night")]
    assert {(e["start"], e["hours"]) for e in nights} == {("22:00", 8)}
    assert sum(e["agents"] for e in nights) == sp.counts["night"]
    r = rostered(sc, p.shifts)
    assert roster_staffing(r)["team"] == sp.staffing
    assert roster_staffing(r)["team"][:6] == sp.staffing[:6] and min(sp.staffing[:6]) > 0
    res = simulate(r)
    assert round(float(res.day_samples["cost"][0]), 2) == round(p.totals.total.cost, 2)


def test_shifts_outside_the_opening_hours_are_paid_in_full():
    """A shift starting before the center opens (07:00 in an 08:00 day) and one past the
    close: the roster works them whole, paid whole, so run's cost is still the plan's."""
    d = day()
    d["shifts"]["early"]["start"] = "07:00"
    d["shifts"]["late"]["start"] = "12:30"  # to 21:00, an hour past the close
    sc = parse_scenario(d)
    p = plan(sc, "erlang-c", shifts=True)
    r = rostered(sc, p.shifts)
    assert roster_staffing(r)["front"] == p.shifts["front"].staffing
    res = simulate(r)
    assert round(float(res.day_samples["cost"][0]), 2) == round(p.totals.total.cost, 2)


def test_staff_write_then_run_checks_the_plan(tmp_path):
    source = tmp_path / "day.yaml"
    source.write_text(yaml.safe_dump(day()), encoding="utf-8")
    target = tmp_path / "planned.yaml"
    runner = CliRunner()
    staff = runner.invoke(app, ["staff", str(source), "--shifts", "--write", str(target), "--json"])
    assert staff.exit_code == 0, staff.output
    planned = json.loads(staff.stdout)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Staffing planned by `callsim staff --shifts")
    written = yaml.safe_load(text)
    assert "staffing" not in written["agents"]["front"] and written["roster"]["shifts"]
    assert written["shifts"] == day()["shifts"]  # the patterns are kept
    run = runner.invoke(app, ["run", str(target), "--json"])
    assert run.exit_code == 0, run.output
    cost = json.loads(run.stdout)["summary"]["cost"]["mean"]
    assert round(cost, 2) == round(planned["totals"]["total"]["cost"], 2)

    # never over a file callsim did not write, nor over the scenario itself
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: mine\n", encoding="utf-8")
    again = runner.invoke(app, ["staff", str(source), "--shifts", "--write", str(mine)])
    assert again.exit_code == 2 and mine.read_text(encoding="utf-8") == "name: mine\n"
    same = runner.invoke(app, ["staff", str(source), "--shifts", "--write", str(source)])
    assert same.exit_code == 2


def test_a_week_roster_runs_at_the_plan_cost():
    """A week with closed nights and a 24/7 week (`builders.shift_week`): the roster
    staffs every interval as planned and `run`'s cost is the plan's (the late shift's
    last 30 minutes after the 20:00 close included)."""
    for always_open in (False, True):
        sc = shift_week(always_open=always_open)
        p = plan(sc, "erlang-c", shifts=True)
        r = rostered(sc, p.shifts)
        staffing = roster_staffing(r)
        assert all(staffing[g] == s.staffing for g, s in p.shifts.items())
        days = r.simulation.model_copy(update={"replications": 2})
        res = simulate(r.model_copy(update={"simulation": days}))
        assert round(float(res.day_samples["cost"][0]), 2) == round(p.totals.total.cost, 2)


def test_the_shipped_week_planned_by_shifts_then_run(tmp_path):
    """`scenarios/week.yaml` (four groups, Saturday 09:00-17:00 and Sunday 10:00-16:00)
    with shift patterns added: staff --shifts --write, then run: the written roster
    staffs every interval as planned and costs what the plan says, to the cent."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    data = yaml.safe_load((root / "scenarios/week.yaml").read_text(encoding="utf-8"))
    lunch = {"earliest": "11:30", "latest": "13:30", "minutes": 30}
    data["shrinkage"] = 0.25
    data["simulation"] = {"replications": 2, "seed": 4}
    data["shifts"] = {}
    for g in data["agents"]:
        rate = data["agents"][g]["cost_per_hour"]
        data["shifts"] |= {
            f"{g} early": {
                "group": g,
                "start": "08:00",
                "hours": 8.5,
                "break": lunch,
                "cost_per_hour": rate,
                "days": ["mon", "tue", "wed", "thu", "fri"],
            },
            f"{g} late": {
                "group": g,
                "start": "11:30",
                "hours": 8.5,
                "cost_per_hour": rate,
                "break": {"earliest": "14:30", "latest": "16:30", "minutes": 30},
            },
            f"{g} weekend": {
                "group": g,
                "start": "09:00",
                "hours": 8,
                "days": ["sat", "sun"],
                "cost_per_hour": rate + 3,
            },
        }
    source = tmp_path / "week.yaml"
    source.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    target = tmp_path / "week_planned.yaml"
    runner = CliRunner()
    staff = runner.invoke(app, ["staff", str(source), "--shifts", "--write", str(target), "--json"])
    assert staff.exit_code == 0, staff.output
    planned = json.loads(staff.stdout)
    assert planned["totals"]["days"] == 7 and planned["totals"]["fte_basis_hours"] == 40
    from simulator import load_scenario

    written = load_scenario(target)
    for g, sp in planned["shifts"].items():
        assert written.agents[g].staffing == sp["staffing"], g
        assert set(sp["day_counts"][f"{g} weekend"]) <= {"Sat 12-12", "Sun 12-13"}
    run = runner.invoke(app, ["run", str(target), "--json"])
    assert run.exit_code == 0, run.output
    cost = json.loads(run.stdout)["summary"]["cost"]["mean"]
    assert round(cost, 2) == round(planned["totals"]["total"]["cost"], 2)
