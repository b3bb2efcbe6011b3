"""What `callsim COMMAND --help` shows: the type of every value, and one wording for
an option meaning the same in several commands."""

import re

import pytest
import typer
from typer.testing import CliRunner

from simulator.cli import app

COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]
# (command, argument or option) taking a path: a file or a folder
PATHS = {
    "run": ["scenario", "--out", "--forecast"],
    "validate": ["scenario", "--forecast"],
    "schema": [],
    "staff": ["scenario", "--write", "--out", "--forecast"],
    "compare": ["--out", "--forecast"],  # its scenarios: typer shows list[Path]
    "calibrate": ["log_path", "--out", "--report"],
    "backtest": ["log_path", "scenario", "--out"],
}


def _rows(command: str) -> dict[str, str]:
    """Each argument's or option's row of the help: name -> the rest of the row."""
    res = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "250"})
    assert res.exit_code == 0
    rows = {}
    for line in res.stdout.splitlines():
        m = re.match(r"│ [* ]*(--[\w-]+|[a-z_]+)\s+(?:-\w\s+)?(<[^>]*>.*?)\s*│$", line)
        if m:
            rows[m[1]] = m[2]
    return rows


@pytest.mark.parametrize("command", COMMANDS)
def test_every_path_shows_as_a_path(command):
    """A path argument or option shows `<path>` (typer showed `<Path>`, the class's
    name, once a parser refused an empty path; and `<str>` for --out's folder)."""
    rows = _rows(command)
    assert {name: rows[name].split()[0] for name in PATHS[command]} == dict.fromkeys(
        PATHS[command], "<path>"
    )
    assert not any("<Path>" in row for row in rows.values())


def test_out_says_the_same_in_run_staff_and_compare():
    """--out means the same folder of the report in run, staff and compare: one help
    text (run said "CSV files, plots and report.html", staff "a plot and an HTML page")."""
    helps = {
        name: next(
            p.help for p in typer.main.get_command(app).commands[name].params if "--out" in p.opts
        )
        for name in ("run", "staff", "compare")
    }
    assert set(helps.values()) == {
        "Also write the report into this folder: CSV files, plots and an HTML page."
    }


def test_staff_method_lists_its_three_methods_as_its_own():
    """staff --help said "erlang-a (patience); staff also: simulation": words for a
    help shared with compare, which has its own --method."""
    (method,) = [
        p for p in typer.main.get_command(app).commands["staff"].params if "--method" in p.opts
    ]
    assert method.help == (
        "erlang-c (nobody hangs up), erlang-a (patience) or simulation (searched by "
        "simulating the day)."
    )
