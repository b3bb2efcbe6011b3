"""Tests for simulator.scenario and simulator.distributions: bad input, the smallest
valid file, and durations with the mean and cv a planner asked for.

Every broken scenario must be refused by both `callsim validate` and `callsim run` with
exit code 2 and a message naming the exact field path, never a traceback.
"""

# The smallest file below is the first contract's text, byte for byte, one comment of
# which is longer than a code line may be: line length is not checked in this file.
# ruff: noqa: E501

from __future__ import annotations

import copy
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from simulator.cli import app
from simulator.model.distributions import distribution
from simulator.model.load import load_scenario, parse_scenario
from simulator.model.scenario import ScenarioError

REPO = Path(__file__).resolve().parents[1]
SINGLE = REPO / "scenarios" / "single_queue.yaml"

# The smallest file of the first user contract (README, "Scenario files"): it must keep
# working unchanged.
SMALLEST = """\
name: Single queue, steady load
interval_minutes: 30
open: "08:00"                       # clock time of the first interval
service_level: {seconds: 20, target: 0.80}
lines: 25                           # optional: talking + waiting calls at most; more get a busy signal
queues:
  general:
    volumes: [100, 100, 100, 100]   # calls offered in each interval (a forecast)
    handle_time: {distribution: exponential, mean: 180}   # seconds
    patience: {distribution: exponential, mean: 120}      # optional: absent = nobody hangs up
agents:
  team:
    skills: [general]
    staffing: [14, 14, 14, 14]      # agents logged in, per interval
simulation: {replications: 20, seed: 1}
"""

DELETE = object()


def changed(*edits: tuple[str, object]) -> str:
    """The smallest file with edits ("dotted.path", value or DELETE), as YAML text."""
    data = yaml.safe_load(SMALLEST)
    for path, value in edits:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        if value is DELETE:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)
    return yaml.safe_dump(data)


HT = "queues.general.handle_time"
# id -> (file text, or None for no file at all; the problem as it must be printed).
# {file} stands for the file's path: a file-level problem names the file.
BROKEN = {
    "not_yaml": ("name: [unclosed\nqueues: {\n", "{file}: not valid YAML"),
    "empty_file": ("", "{file}: the file is empty"),
    "missing_file": (None, "{file}: cannot read file"),
    "missing_queues": (changed(("queues", DELETE)), "queues: is required"),
    "negative_mean": (changed((f"{HT}.mean", -180)), f"{HT}.mean: must be > 0"),
    "cv_on_exponential": (changed((f"{HT}.cv", 0.5)), f"{HT}: cv does not apply to exponential"),
    "lognormal_without_cv": (
        changed((f"{HT}.distribution", "lognormal")),
        f"{HT}: lognormal needs 'cv'",
    ),
    "unknown_distribution": (
        changed((f"{HT}.distribution", "weibull")),
        f"{HT}.distribution: must be one of",
    ),
    "staffing_length": (
        changed(("agents.team.staffing", [14, 14, 14])),
        "agents.team.staffing: has 3 intervals, the queues have 4",
    ),
    "negative_volume": (
        changed(("queues.general.volumes", [100, -5, 100, 100])),
        "queues.general.volumes.1: must be >= 0",
    ),
    "unknown_skill": (
        changed(("agents.team.skills", ["general", "sales"])),
        "agents.team.skills.1: unknown queue 'sales'",
    ),
    "target_above_1": (
        changed(("service_level.target", 1.2)),
        "service_level.target: must be <= 1",
    ),
    "zero_lines": (changed(("lines", 0)), "lines: must be >= 1"),
    "interval_20_minutes": (
        changed(("interval_minutes", 20)),
        "interval_minutes: must be one of 15, 30 or 60",
    ),
    "open_25h": (changed(("open", "25:00")), "open: must be a clock time HH:MM"),
    "open_full_width_digits": (changed(("open", "0８:00")), "open: must be a clock time HH:MM"),
    "open_arabic_indic_digits": (changed(("open", "08:0٠")), "open: must be a clock time HH:MM"),
    "open_then_a_newline": (changed(("open", "08:00\n")), "open: must be a clock time HH:MM"),
    "misspelt_key": (
        changed(("simulation.sed", 1)),
        "simulation.sed: unknown key (check the spelling)",
    ),
    "warmup_not_below_intervals": (
        changed(("simulation.warmup_intervals", 4)),
        "simulation.warmup_intervals: must be < the 4 intervals",
    ),
    "transfer_to_unknown_queue": (
        changed(("queues.general.transfers", {"billing": 0.1})),
        "queues.general.transfers.billing: unknown queue 'billing'",
    ),
    "one_replication": (
        changed(("simulation.replications", 1)),
        "simulation.replications: must be >= 2",
    ),
}


def squash(text: str) -> str:
    """Text without whitespace, so a message is found even if the terminal wrapped it."""
    return "".join(text.split())


def write(tmp_path: Path, text: str | None) -> Path:
    path = tmp_path / "s.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_scenario_exits_2_naming_the_field(case, command, tmp_path):
    text, problem = BROKEN[case]
    path = write(tmp_path, text)
    res = CliRunner().invoke(app, [command, str(path)])
    assert res.exit_code == 2, (res.stdout, res.stderr, res.exception)
    assert isinstance(res.exception, SystemExit)  # a clean exit, not a crash
    assert squash(problem.format(file=path)) in squash(res.stderr), res.stderr
    assert "Traceback" not in res.output
    assert res.stdout == ""


def test_every_problem_of_a_file_is_reported(tmp_path):
    path = write(tmp_path, changed((f"{HT}.mean", 0), ("service_level.target", 1.5), ("lines", 0)))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    fields = sorted(p.split(":")[0] for p in err.value.problems)
    assert fields == ["lines", f"{HT}.mean", "service_level.target"]
    res = CliRunner().invoke(app, ["validate", str(path)])
    for p in err.value.problems:
        assert squash(p) in squash(res.stderr)


@pytest.mark.parametrize("case", ["unknown_distribution", "missing_file"])
def test_each_problem_is_printed_on_one_line(case, tmp_path):
    deep = tmp_path / ("a_long_folder_name_" * 4)  # a path longer than a terminal
    deep.mkdir()
    path = write(deep, BROKEN[case][0])
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    problems = exc.value.problems
    res = CliRunner().invoke(app, ["validate", str(path)])
    for p in problems:
        assert f"  {p}" in res.stderr.splitlines(), res.stderr


def test_the_real_command_prints_no_traceback_for_a_bad_file(tmp_path):
    path = write(tmp_path, BROKEN["negative_mean"][0])
    callsim = Path(sys.executable).with_name("callsim")  # the installed entry point
    callsim = callsim if callsim.exists() else Path(shutil.which("callsim"))
    done = subprocess.run(
        [str(callsim), "run", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""  # --json: nothing but JSON on stdout
    assert squash(f"{HT}.mean: must be > 0") in squash(done.stderr)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["validate", ""], "invalid argument\n  scenario: an empty path; name a scenario file"),
        (["run", " "], "invalid argument\n  scenario: an empty path; name a scenario file"),
        (
            ["compare", "", SINGLE],
            "invalid argument\n  scenarios: an empty path; name a scenario file",
        ),
        (
            ["validate", SINGLE, "--forecast", ""],
            "invalid option\n  --forecast: an empty path; name a forecast CSV",
        ),
        (
            ["staff", SINGLE, "--write", ""],
            "--write refused\n  --write: an empty path; name a file",
        ),
        (
            ["calibrate", "", "--out", "x.yaml"],
            "invalid argument\n  log_path: an empty path; name a call log file",
        ),
    ],
)
def test_an_empty_path_is_named_empty_not_the_current_folder(args, message, tmp_path, monkeypatch):
    """typer reads "" as "." (the current folder): the message said ".: cannot read file
    (Is a directory)" for `validate ''`."""
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, [str(a) for a in args])
    assert (res.exit_code, res.stderr) == (2, f"callsim: {message}\n")
    assert list(tmp_path.iterdir()) == []


def test_the_smallest_product_md_file_validates_unchanged(tmp_path):
    path = write(tmp_path, SMALLEST)
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.stderr
    sc = load_scenario(path)
    assert (sc.n_intervals, sc.interval_seconds, sc.lines) == (4, 1800.0, 25)
    assert sc.queues["general"].aht == 180.0
    assert sc.queues["general"].patience.mean == 120.0
    assert sc.agents["team"].staffing == [14, 14, 14, 14]
    assert sc.interval_starts() == ["08:00", "08:30", "09:00", "09:30"]
    assert (sc.simulation.replications, sc.simulation.seed) == (20, 1)


def test_the_shipped_single_queue_file_validates():
    res = CliRunner().invoke(app, ["validate", str(REPO / "scenarios" / "single_queue.yaml")])
    assert res.exit_code == 0, res.stderr


# ----------------------------------------------------------------- distributions

N = 400_000  # draws per family
Z = 4.5  # standard errors allowed: two-sided false alarm 7e-6 per check

FAMILIES = {
    "exponential": ({"mean": 180}, 180, 1.0),
    "lognormal": ({"mean": 300, "cv": 0.8}, 300, 0.8),
    "gamma": ({"mean": 240, "cv": 0.6}, 240, 0.6),
    "erlang": ({"mean": 200, "cv": 0.5}, 200, 0.5),  # k = 4 phases
    "uniform": ({"mean": 60, "cv": 0.4}, 60, 0.4),
    "empirical": (
        {"values": [30, 60, 60, 240, 600]},
        198.0,
        float(np.std([30, 60, 60, 240, 600]) / 198.0),
    ),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_durations_have_the_mean_and_cv_asked_for(family):
    """Sample mean within Z standard errors (sd / sqrt N) of the mean; sample variance
    within Z standard errors (sqrt((m4 - var^2) / N), m4 the fourth central moment)
    of (cv x mean)^2: the central limit theorem for both."""
    spec, mean, cv = FAMILIES[family]
    x = distribution(distribution=family, **spec).draw(np.random.default_rng(11), N)
    assert x.shape == (N,) and np.all(x >= 0)
    var = (cv * mean) ** 2
    assert abs(x.mean() - mean) <= Z * math.sqrt(var / N)
    m4 = np.mean((x - x.mean()) ** 4)
    assert abs(x.var() - var) <= Z * math.sqrt((m4 - x.var() ** 2) / N)


def test_deterministic_durations_are_always_the_mean():
    dist = distribution(distribution="deterministic", mean=42.5)
    x = dist.draw(np.random.default_rng(1), 1000)
    assert np.all(x == 42.5)


def test_erlang_durations_are_sums_of_k_exponential_phases():
    # cv 0.5 -> k = 4: the third moment of Gamma(4) fixes the shape, not just mean and cv
    dist = distribution(distribution="erlang", mean=200, cv=0.5)
    x = dist.draw(np.random.default_rng(2), N)
    skew = np.mean((x - x.mean()) ** 3) / x.std() ** 3
    assert skew == pytest.approx(2 / math.sqrt(4), abs=0.05)


def test_validate_cautions_about_valid_but_doubtful_days(tmp_path):
    from simulator.model.checks import cautions

    doubtful = {
        "name": "doubtful",
        "interval_minutes": 30,
        "open": "08:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "queues": {
            "q": {
                "volumes": [100, 100, 300],
                "handle_time": {"distribution": "exponential", "mean": 180},
            }
        },
        "agents": {"g": {"skills": ["q"], "staffing": [14, 0, 0]}},
    }
    found = cautions(parse_scenario(doubtful))
    assert [c.split(":")[0] for c in found] == ["queues.q", "queues.q"]
    assert "09:00" in found[0] and "08:00" not in found[0] and "abandoned" in found[1]
    doubtful["agents"]["g"]["staffing"] = [14, 14, 20]  # 300 calls x 180 s = 30 E
    assert cautions(parse_scenario(doubtful)) == [
        "interval 09:00: offered load 30.0 Erlangs exceeds the 20 agents logged in "
        "(occupancy would pass 100%)"
    ]
    path = tmp_path / "doubtful.yaml"
    path.write_text(yaml.safe_dump(doubtful))
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 0 and "caution: interval 09:00" in res.stderr
    for shipped in sorted(Path(__file__).parent.parent.glob("scenarios/*.yaml")):
        assert cautions(load_scenario(shipped)) == [], shipped
