"""`--forecast FILE` on run, validate, staff and compare; `forecast:` in a scenario;
bad forecasts exit 2 with row/column messages, never a traceback. Exact checks."""

from __future__ import annotations

import json

import pytest
import yaml
from builders import group, queue, scenario
from typer.testing import CliRunner

from simulator.cli import app
from simulator.model.load import load_scenario

TIMES = ("08:00", "08:30", "09:00", "09:30")


def files(tmp_path, calls=(60, 80, 100, 70), aht=(150, 200, 180, 160), in_file=False):
    """A one-day scenario (4 half-hours, queue q, 14 agents) and a forecast beside it."""
    data = scenario({"q": queue([1.0] * 4)}, {"team": group(["q"], [14] * 4)}, interval_minutes=30)
    rows = ["interval,queue,calls,aht"] + [f"{t},q,{c},{a}" for t, c, a in zip(TIMES, calls, aht)]
    (tmp_path / "day.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    if in_file:
        del data["queues"]["q"]["volumes"]
        data["forecast"] = "day.csv"
    path = tmp_path / "day.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path, tmp_path / "day.csv"


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", ["run", "staff", "compare"])
def test_forecast_on_the_command_line_is_the_forecast_in_the_file(tmp_path, command):
    """--forecast FILE gives the same JSON as `forecast: FILE` in the scenario."""
    path, csv = files(tmp_path)
    extra = [] if command == "staff" else ["-r", "3"]
    given = invoke(command, path, "--forecast", csv, "--json", *extra)
    assert given.exit_code == 0, given.output
    inline = tmp_path / "inline"
    inline.mkdir()
    own = invoke(command, files(inline, in_file=True)[0], "--json", *extra)
    assert own.exit_code == 0, own.output
    assert given.stdout == own.stdout
    assert json.loads(given.stdout) != json.loads(invoke(command, path, "--json", *extra).stdout)


def test_staff_plans_each_interval_at_its_own_aht(tmp_path):
    path, csv = files(tmp_path, calls=(100, 100, 100, 100), aht=(135, 205, 135, 205))
    res = invoke("staff", path, "--forecast", csv, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    required = [row["required"] for row in d["intervals"]]
    assert required[0] == required[2] < required[1] == required[3]


def test_validate_with_a_forecast_says_ok(tmp_path):
    path, csv = files(tmp_path)
    res = invoke("validate", path, "--forecast", csv)
    assert res.exit_code == 0 and "ok" in res.stdout, res.output


def test_a_bad_forecast_exits_2_naming_row_and_column(tmp_path):
    path, csv = files(tmp_path, calls=(60, -5, 100, 70))
    for command in ("run", "validate", "staff", "compare"):
        res = invoke(command, path, "--forecast", csv)
        assert res.exit_code == 2, (command, res.output)
        assert f"{csv}: row 3, column calls: must be >= 0 (got -5)" in res.stderr
        assert "Traceback" not in res.output


def test_a_missing_forecast_file_exits_2(tmp_path):
    path, _ = files(tmp_path)
    res = invoke("run", path, "--forecast", tmp_path / "none.csv")
    assert res.exit_code == 2
    assert "none.csv: cannot read file (No such file or directory)" in res.stderr


def test_staff_write_inlines_the_forecast_so_the_copy_stands_alone(tmp_path):
    path, _ = files(tmp_path, in_file=True)
    planned = tmp_path / "elsewhere" / "planned.yaml"
    planned.parent.mkdir()
    res = invoke("staff", path, "--write", planned)
    assert res.exit_code == 0, res.output
    data = yaml.safe_load(planned.read_text(encoding="utf-8"))
    assert "forecast" not in data
    assert data["queues"]["q"]["volumes"] == [60.0, 80.0, 100.0, 70.0]
    assert data["queues"]["q"]["aht_by_interval"] == [150.0, 200.0, 180.0, 160.0]
    copy = load_scenario(planned)
    assert copy.queues == load_scenario(path).queues
