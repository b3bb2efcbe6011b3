"""Tests for `callsim staff` and `callsim compare`: JSON shapes and numbers, --write,
--shifts, --volume-scale, --method simulation, --out, and bad input (field-path
message, exit 2)."""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from simulator import load_scenario
from simulator.cli import app
from simulator.report.output import MANIFEST
from simulator.report.pages import COMPARE_FILES, PLAN_FILES, SHIFT_FILES

SINGLE = "scenarios/single_queue.yaml"
PEAK = "scenarios/peak_day.yaml"


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def json_of(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # stdout holds the JSON object and nothing else


def test_staff_json_for_the_single_queue_scenario():
    d = json_of(invoke("staff", SINGLE, "--json"))
    assert d["scenario"] == "Single queue, steady load" and d["method"] == "erlang-c"
    assert [r["start"] for r in d["intervals"]] == ["08:00", "08:30", "09:00", "09:30"]
    row = d["intervals"][0]
    assert list(row) == [
        "start",
        "offered",
        "load",
        "required",
        "scheduled",
        "service_level",
        "asa",
        "abandon_rate",
        "occupancy",
    ]
    assert row == {
        "start": "08:00",
        "offered": 100.0,
        "load": 10.0,
        "required": 14,
        "scheduled": 14,
        "service_level": pytest.approx(0.88835, abs=1e-5),
        "asa": pytest.approx(7.8359, abs=1e-4),
        "abandon_rate": 0.0,
        "occupancy": pytest.approx(10 / 14, abs=1e-6),
    }
    assert d["groups"] == {
        "team": {"required": [14] * 4, "scheduled": [14] * 4, "logged_in": [14] * 4}
    }
    assert d["queues"]["general"][0] == row
    assert any("over-staffs" in n for n in d["notes"])


def test_staff_erlang_a_uses_patience_and_needs_fewer_agents():
    d = json_of(invoke("staff", SINGLE, "--method", "erlang-a", "--json"))
    assert [r["required"] for r in d["intervals"]] == [12] * 4
    assert 0 < d["intervals"][0]["abandon_rate"] < 0.1


def test_staff_write_saves_a_scenario_that_runs(tmp_path):
    target = tmp_path / "planned.yaml"
    d = json_of(invoke("staff", PEAK, "--method", "erlang-a", "--write", target, "--json"))
    written = load_scenario(target)
    original = yaml.safe_load(Path(PEAK).read_text(encoding="utf-8"))
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert written.agents["team"].staffing == [r["required"] for r in d["intervals"]]
    # every other key of the user's file is kept as it was
    data["agents"]["team"]["staffing"] = original["agents"]["team"]["staffing"]
    assert data == original
    run = json_of(invoke("run", target, "--replications", "2", "--json", "--quiet"))
    assert len(run["intervals"]) == 24


def test_staff_shifts_cover_every_interval_of_the_peak_day(tmp_path):
    target = tmp_path / "shifts.yaml"
    d = json_of(invoke("staff", PEAK, "--shifts", "--write", target, "--json"))
    shifts = d["shifts"]["team"]
    scheduled = [r["scheduled"] for r in d["intervals"]]
    assert len(shifts["staffing"]) == 24 and shifts["under"] == [0] * 24
    assert all(s >= r for s, r in zip(shifts["staffing"], scheduled))
    assert shifts["over"] == [s - r for s, r in zip(shifts["staffing"], scheduled)]
    assert shifts["cost"] > 0 and set(shifts["counts"]) == {
        "early",
        "mid",
        "late",
        "morning_part_time",
        "evening_part_time",
    }
    # the copy holds the roster: its agents on the phones are the plan's on shift, and
    # absence (no-shows at the shrinkage) takes off the rest
    planned = load_scenario(target)
    assert planned.agents["team"].staffing == shifts["staffing"]
    assert planned.absence.absenteeism == d["shrinkage"] == 0.3


def test_staff_table_and_volume_scale():
    result = invoke("staff", PEAK, "--volume-scale", "1.15", "--shifts")
    assert result.exit_code == 0, result.stderr
    assert "volumes × 1.15" in result.stdout and "Shifts of team" in result.stdout
    assert "breaks" in result.stdout and "11:30×" in result.stdout  # break times shown
    assert "Totals" in result.stdout and "1 FTE = 8 paid hours" in result.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (("--method", "erlang-b"), "method: must be one of erlang-c, erlang-a, simulation"),
        (("--volume-scale", "-1"), "--volume-scale: -1 is outside 0.1-10"),
    ],
)
def test_staff_bad_option_exits_2_with_the_field(args, message):
    result = invoke("staff", SINGLE, *args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_staff_problems_in_the_scenario_exit_2(tmp_path):
    data = yaml.safe_load(Path(SINGLE).read_text(encoding="utf-8"))
    del data["queues"]["general"]["patience"]
    bad = tmp_path / "no_patience.yaml"
    bad.write_text(yaml.safe_dump(data))
    result = invoke("staff", bad, "--method", "erlang-a")
    assert result.exit_code == 2
    assert "queues.general.patience: erlang-a needs patience" in result.stderr
    result = invoke("staff", SINGLE, "--shifts")
    assert result.exit_code == 2 and "shifts: the scenario has no shifts" in result.stderr


def test_compare_one_scenario_json():
    d = json_of(invoke("compare", SINGLE, "--method", "erlang-a", "-r", "5", "--json"))
    assert d["method"] == "erlang-a" and d["replications"] == 5 and d["seed"] == 1
    assert len(d["intervals"]) == 4
    sl = d["intervals"][0]["service_level"]
    assert sl["predicted"] == pytest.approx(0.9327, abs=1e-4)
    assert set(sl["simulated"]) == {"mean", "ci95"} and sl["disagree"] in (True, False)


def test_staff_write_with_a_volume_scale_writes_the_scaled_volumes(tmp_path):
    """The planned file carries the forecast it was planned for (issue 15): `run` on it
    checks the plan against 115 calls an interval, not the file's 100."""
    planned = tmp_path / "planned.yaml"
    res = invoke("staff", SINGLE, "--volume-scale", "1.15", "--write", planned)
    assert res.exit_code == 0 and "volumes × 1.15" in res.stderr
    data = yaml.safe_load(planned.read_text(encoding="utf-8"))
    assert data["queues"]["general"]["volumes"] == [115.0] * 4
    assert data["agents"]["team"]["staffing"] == [15] * 4  # Erlang C at 11.5 Erlangs
    assert "× 1.15" in planned.read_text(encoding="utf-8").split("\n")[3]
    unscaled = tmp_path / "unscaled.yaml"
    assert invoke("staff", SINGLE, "--write", unscaled).exit_code == 0
    assert yaml.safe_load(unscaled.read_text())["queues"]["general"]["volumes"] == [100] * 4


def test_compare_two_scenarios_with_volume_scale(tmp_path):
    planned = tmp_path / "planned.yaml"
    assert invoke("staff", SINGLE, "--write", planned).exit_code == 0
    busier = tmp_path / "busier.yaml"  # the file's staffing, volumes scaled
    data = yaml.safe_load(planned.read_text(encoding="utf-8"))
    data["agents"]["team"]["staffing"] = [13] * 4
    busier.write_text(yaml.safe_dump(data), encoding="utf-8")
    d = json_of(
        invoke(
            "compare", SINGLE, busier, "--volume-scale", "1.15", "-r", "6", "--seed", "4", "--json"
        )
    )
    assert d["volume_scale"] == 1.15 and d["replications"] == 6 and d["seed"] == 4
    base, other = d["scenarios"]
    assert base["file"] == SINGLE and other["file"] == str(busier)
    assert base["summary"]["offered"] == other["summary"]["offered"]  # same callers
    assert base["summary"]["offered"]["mean"] == pytest.approx(460, rel=0.05)
    diff = d["differences"][0]
    assert diff["versus"] == SINGLE
    assert diff["summary"]["agents"]["mean"] == pytest.approx(-1.0)  # 13 against 14
    assert diff["summary"]["service_level"]["ci95"][1] < 0
    table = invoke("compare", SINGLE, busier, "--volume-scale", "1.15", "-r", "3")
    assert table.exit_code == 0 and "Δ busier" in table.stdout


def test_compare_table_marks_disagreements():
    result = invoke("compare", SINGLE, "-r", "5", "--method", "erlang-c")
    assert result.exit_code == 0, result.stderr
    assert "erlang-c at the file's staffing" in result.stdout and "*" in result.stdout
    assert "--method erlang-a fits this file" in result.stdout


def test_compare_defaults_to_erlang_a_when_every_queue_has_patience():
    result = invoke("compare", SINGLE, "-r", "3")
    assert result.exit_code == 0, result.stderr
    assert "erlang-a at the file's staffing" in result.stdout
    assert "note: erlang-a: chosen because every queue has a patience" in result.stdout


# ------------------------------------------------------------------ --method simulation


def test_staff_simulation_json_has_simulated_kpis_with_cis():
    d = json_of(invoke("staff", SINGLE, "--method", "simulation", "--json"))
    assert d["method"] == "simulation" and d["simulation"]["start"] == "erlang-a"
    # the KPIs are the verification's: 200 independent days (the file's seed)
    assert d["simulation"]["replications"] == 200 and d["simulation"]["converged"] is True
    assert all(not v for v in d["simulation"]["verification"]["flagged"].values())
    erlang_a = [
        r["required"]
        for r in json_of(invoke("staff", SINGLE, "--method", "erlang-a", "--json"))["intervals"]
    ]
    for row, a in zip(d["intervals"], erlang_a):
        assert abs(row["required"] - a) <= 1
        low, high = row["ci95"]["service_level"]
        assert low <= row["service_level"] <= high and high >= 0.8


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ("compare", SINGLE, "--method", "simulation"),
            "--method: must be one of erlang-c, erlang-a (not 'simulation')",
        ),
        (
            ("staff", SINGLE, "--method", "simulation", "--volume-scale", "0"),
            "--volume-scale: 0 is outside 0.1-10",
        ),
    ],
)
def test_invalid_combinations_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


# ------------------------------------------------------------------ --out


def test_staff_out_writes_the_plan_tables_plot_and_page(tmp_path):
    d = json_of(
        invoke("staff", PEAK, "--method", "erlang-a", "--shifts", "--json", "--out", tmp_path)
    )
    files = sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST)
    assert files == sorted(PLAN_FILES + SHIFT_FILES)
    center = pd.read_csv(tmp_path / "plan_intervals.csv")
    assert list(center["required_agents"]) == [r["required"] for r in d["intervals"]]
    assert list(center["scheduled_agents"]) == [r["scheduled"] for r in d["intervals"]]
    assert center["asa_s"].to_numpy() == pytest.approx(
        [r["asa"] for r in d["intervals"]],
        abs=1e-6,  # the JSON keeps 6 decimals
    )
    assert list(center["staffed_agents"]) == load_scenario(PEAK).agents["team"].staffing
    assert list(center["on_shift_agents"]) == d["shifts"]["team"]["staffing"]
    groups = pd.read_csv(tmp_path / "plan_groups.csv")
    assert list(groups["logged_in_agents"]) == d["groups"]["team"]["logged_in"]
    page = (tmp_path / "staff.html").read_text(encoding="utf-8")
    assert "Staffing plan: Monday peak day" in page and "Shifts of team" in page
    # break times and totals on the page, as in the terminal and the JSON
    breaks = d["shifts"]["team"]["break_starts"]["early"]
    assert " ".join(f"{t}×{n}" for t, n in sorted(breaks.items())) in page
    total = d["totals"]["total"]
    assert "Totals" in page and f"{total['cost']:,.2f}" in page
    totals = pd.read_csv(tmp_path / "plan_totals.csv")
    assert list(totals["group"]) == ["team", "total"]
    assert totals["cost"].tolist() == [total["cost"]] * 2
    roster = pd.read_csv(tmp_path / "plan_shifts.csv", keep_default_na=False)
    assert roster["agents"].sum() == sum(d["shifts"]["team"]["counts"].values())
    assert roster["cost"].sum() == pytest.approx(total["cost"])
    assert page.count("data:image/png;base64,") == 1


def test_staff_out_of_a_simulated_plan_keeps_the_cis(tmp_path):
    d = json_of(invoke("staff", SINGLE, "--method", "simulation", "--json", "--out", tmp_path))
    center = pd.read_csv(tmp_path / "plan_intervals.csv")
    assert center["service_level_ci95_low"].to_numpy() == pytest.approx(
        [r["ci95"]["service_level"][0] for r in d["intervals"]], abs=1e-6
    )
    assert "mean ± half-width" in (tmp_path / "staff.html").read_text(encoding="utf-8")


def test_compare_out_for_one_scenario_writes_predicted_vs_simulated(tmp_path):
    d = json_of(
        invoke("compare", SINGLE, "--method", "erlang-a", "-r", "5", "--json", "--out", tmp_path)
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST) == sorted(COMPARE_FILES)
    rows = pd.read_csv(tmp_path / "compare_intervals.csv").query("kpi == 'service_level'")
    assert list(rows["start"]) == [r["start"] for r in d["intervals"]]
    assert rows["predicted"].to_numpy() == pytest.approx(
        [r["service_level"]["predicted"] for r in d["intervals"]], abs=1e-6
    )
    assert rows["ci95_high"].to_numpy() == pytest.approx(
        [r["service_level"]["simulated"]["ci95"][1] for r in d["intervals"]], abs=1e-6
    )
    assert list(rows["disagree"]) == [r["service_level"]["disagree"] for r in d["intervals"]]
    day = pd.read_csv(tmp_path / "compare_summary.csv").set_index("kpi")
    assert day.loc["service_level", "mean"] == pytest.approx(
        d["summary"]["service_level"]["simulated"]["mean"], abs=1e-6
    )
    assert "erlang-a vs simulation" in (tmp_path / "compare.html").read_text(encoding="utf-8")


def test_compare_out_for_several_scenarios_writes_them_side_by_side(tmp_path):
    planned = tmp_path / "planned.yaml"
    assert invoke("staff", SINGLE, "--method", "erlang-a", "--write", planned).exit_code == 0
    result = invoke("compare", SINGLE, planned, "-r", "3", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    wide = pd.read_csv(tmp_path / "out" / "compare_summary.csv")
    assert {"single_queue mean", "planned mean"} <= set(wide.columns)
    assert (tmp_path / "out" / "compare.html").exists()


def test_run_out_draws_the_erlang_requirement_beside_the_staffing(tmp_path):
    assert invoke("run", SINGLE, "-r", "2", "--quiet", "--out", tmp_path).exit_code == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "required (erlang-a)" in page  # patience everywhere: Erlang A's 12


@pytest.mark.parametrize(
    "command",
    [
        ["run", SINGLE, "-r", "2", "--quiet"],
        ["staff", SINGLE],
        ["compare", SINGLE, "-r", "2", "--quiet"],
    ],
)
def test_an_out_dir_that_cannot_be_written_exits_2_without_traceback(tmp_path, command):
    in_the_way = tmp_path / "a_file"
    in_the_way.write_text("not a folder")
    res = invoke(*command, "--out", in_the_way)
    assert res.exit_code == 2
    assert f"{in_the_way}: exists and is not a directory" in res.stderr
    assert "Traceback" not in res.stderr
