"""Issue 10 item 1 (and issue 15's "validate says ok, then another command refuses"):
whatever `run`, `staff` or `compare` would refuse or choke on, `validate` refuses
first, exit 2, one line per problem naming the field, in the user's words.

Each case is the exact file or command of the issue. Every file case is tried with
`validate` and with `run` (both must exit 2 with the same line, never a traceback).
"""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from simulator.cli import app
from simulator.model import limits
from simulator.model.load import load_scenario

REPO = Path(__file__).resolve().parents[1]
SMALL = """\
name: Single queue
interval_minutes: 30
open: "08:00"
service_level: {seconds: 20, target: 0.80}
queues:
  general:
    volumes: [100, 100, 100, 100]
    handle_time: {distribution: exponential, mean: 180}
    patience: {distribution: exponential, mean: 120}
agents:
  team:
    skills: [general]
    staffing: [14, 14, 14, 14]
simulation: {replications: 20, seed: 1}
"""
TWO = SMALL.replace(
    "agents:",
    """  billing:
    volumes: [50, 50, 50, 50]
    handle_time: {distribution: exponential, mean: 240}
agents:""",
).replace("skills: [general]", "skills: [general, billing]")


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def deep(levels: int) -> str:
    return SMALL + "description: " + "[" * levels + "]" * levels + "\n"


def laughs() -> str:
    """The 'billion laughs': nine levels of aliases, 10^9 values once expanded."""
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    return SMALL + "\n".join(lines).replace("a", "x") + "\n"


# id -> (file text or bytes, a line the problem list must contain)
CASES = {
    "self_transfer_loop": (
        edit(SMALL, "    patience:", "    transfers: {general: 1.0}\n    patience:"),
        "queues.general.transfers: answered calls of general are transferred or escalated",
    ),
    "transfer_escalation_loop": (
        edit(
            edit(TWO, "    patience:", "    transfers: {billing: 1.0}\n    patience:"),
            "mean: 240}",
            "mean: 240}\n    escalation: {to: general, probability: 1.0}",
        ),
        "never leave",
    ),
    "near_loop": (
        edit(SMALL, "    patience:", "    transfers: {general: 0.999}\n    patience:"),
        "would pass through 1,000 queues on average (at most 100)",
    ),
    "staffing_typo": (
        edit(SMALL, "staffing: [14, 14, 14, 14]", "staffing: [14, 14, 14000000000, 14]"),
        "agents.team.staffing.2: 14,000,000,000 agents, at most 50,000 (a typo?)",
    ),
    "repeat_a_billion_times": (
        edit(
            SMALL,
            "    patience:",
            "    repeat: {probability: 1, max_attempts: 1000000000,"
            " delay: {distribution: exponential, mean: 600}}\n    patience:",
        ),
        "queues.general.repeat.max_attempts: must be <= 100",
    ),
    "a_billion_calls": (
        edit(SMALL, "volumes: [100, 100, 100, 100]", "volumes: [1000000000, 100, 100, 100]"),
        "queues.general.volumes.0: 1,000,000,000 calls in one interval, at most 100,000",
    ),
    "too_many_intervals": (
        edit(
            edit(SMALL, "volumes: [100, 100, 100, 100]", f"volumes: {[1] * 700}"),
            "staffing: [14, 14, 14, 14]",
            f"staffing: {[1] * 700}",
        ),
        "queues: 700 intervals, at most 672",
    ),
    "duplicate_queue": (
        edit(TWO, "agents:", "  billing:\n    volumes: [1, 1, 1, 1]\nagents:"),
        "queues.billing: given twice (lines 10 and 13); the first would be lost",
    ),
    "seed_true": (
        edit(SMALL, "seed: 1}", "seed: true}"),
        "simulation.seed: must be a number, not true/false",
    ),
    "staffing_true": (
        edit(SMALL, "staffing: [14, 14, 14, 14]", "staffing: [true, 14, 14, 14]"),
        "agents.team.staffing.0: must be a number, not true/false",
    ),
    "quoted_number": (
        edit(SMALL, "volumes: [100, 100, 100, 100]", 'volumes: ["0180", 100, 100, 100]'),
        'queues.general.volumes.0: must be a number, not text ("0180"): remove the quotes',
    ),
    "nan_target": (
        edit(SMALL, "target: 0.80", "target: .nan"),
        "service_level.target: must be a finite number (not .nan or .inf)",
    ),
    "infinite_mean": (
        edit(SMALL, "mean: 180", "mean: .inf"),
        "queues.general.handle_time.mean: must be a finite number (not .nan or .inf)",
    ),
    "infinite_sl_seconds": (
        edit(SMALL, "seconds: 20", "seconds: .inf"),
        "service_level.seconds: must be a finite number",
    ),
    "infinite_asa_target": (
        SMALL + "targets: {asa: .inf}\n",
        "targets.asa: must be a finite number",
    ),
    "gamma_tiny_cv": (
        edit(SMALL, "exponential, mean: 180", "gamma, mean: 180, cv: 1e-200"),
        "queues.general.handle_time.cv",
    ),
    "gamma_huge_cv": (
        edit(SMALL, "exponential, mean: 180", "gamma, mean: 180, cv: 1e200"),
        "queues.general.handle_time.cv",
    ),
    "uniform_huge_mean": (
        edit(SMALL, "exponential, mean: 180", "uniform, mean: 1e308, cv: 0.1"),
        "queues.general.handle_time.mean",
    ),
    "newline_in_name": (
        edit(SMALL, "  general:\n", '  "gen\\neral":\n'),
        "queues.gen\\neral: a name must not hold control characters",
    ),
    "skills_rank_zero": (
        edit(SMALL, "skills: [general]", "skills: {general: 0}"),
        "agents.team.skills.general: must be >= 1",
    ),
    "skills_a_number": (
        edit(SMALL, "skills: [general]", "skills: 5"),
        "agents.team.skills: must be a list, e.g. [1, 2]",
    ),
    "first_queue_too_short": (
        edit(TWO, "volumes: [100, 100, 100, 100]", "volumes: [100, 100, 100]"),
        "queues.general.volumes: has 3 intervals, the other queues have 4",
    ),
    "unquoted_clock": (
        edit(SMALL, 'open: "08:00"', "open: 9:30"),
        'open: must be a clock time in quotes, e.g. "09:30" (unquoted, YAML reads 9:30 as '
        "the number 570)",
    ),
    "clock_nan": (  # int(nan) raised inside the hint: a traceback
        edit(SMALL, 'open: "08:00"', "open: .nan"),
        'open: must be a clock time in quotes, e.g. "09:30" (not the number nan)',
    ),
    "clock_inf": (
        edit(SMALL, 'open: "08:00"', "open: -.inf"),
        'open: must be a clock time in quotes, e.g. "09:30" (not the number -inf)',
    ),
    "target_80": (
        edit(SMALL, "target: 0.80", "target: 80"),
        "service_level.target: must be <= 1 (a fraction: 0.8 means 80%)",
    ),
    "tab_indent": (
        edit(SMALL, "    handle_time:", "\thandle_time:"),
        "YAML does not allow tabs for indentation, use spaces",
    ),
    "latin1": (
        SMALL.replace("Single queue", "Café").encode("latin-1"),
        "not UTF-8 text (byte 0xe9 on line 1",
    ),
    "utf16": (codecs.BOM_UTF16_LE + SMALL.encode("utf-16-le"), "the file is UTF-16 text"),
    "binary": (bytes(range(256)) * 4, "a binary file (or UTF-16 text), not YAML"),
    "nested_100": (deep(100), "description: nested deeper than 64 levels"),
    "nested_5000": (deep(5000), "exceeded maximum nesting depth"),  # libyaml's own cap
    "billion_laughs": (laughs(), "more than 2,000,000 values (aliases included)"),
    "too_big_file": (SMALL + "#" * (limits.MAX_FILE_BYTES + 1), "larger than 20 MiB"),
    "break_longer_than_shift": (
        SMALL + 'shifts: {early: {start: "08:00", hours: 2, break: {earliest: "08:30",'
        ' latest: "09:00", minutes: 150}}}\n',
        "shifts.early.break.minutes: 150 min is not shorter than the shift 08:00–10:00",
    ),
    "break_outside_shift": (
        SMALL + 'shifts: {early: {start: "08:00", hours: 2, break: {earliest: "11:00",'
        ' latest: "11:30", minutes: 30}}}\n',
        "shifts.early.break.earliest: 11:00 is outside the shift 08:00–10:00",
    ),
    "shift_outside_hours": (
        SMALL + 'shifts: {night: {start: "22:00", hours: 4}}\n',
        "shifts.night: 22:00 for 4 h is outside the opening hours 08:00–10:00",
    ),
}


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "s.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# Seconds before a command counts as hung (hang guards only; speed is in benchmarks/).
HANG = 60


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", list(CASES))
def test_validate_refuses_first_what_run_would_choke_on(case, command, tmp_path):
    content, line = CASES[case]
    path = write(tmp_path, content)
    started = time.perf_counter()
    res = invoke(command, str(path))
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "Traceback" not in res.output
    assert line in res.output, res.output
    # A hang guard, not a speed test: the refusal comes before any simulation, so even a
    # loaded machine answers in seconds; a run of the file would take hours.
    assert time.perf_counter() - started < HANG


def test_each_problem_is_one_line_without_validator_internals(tmp_path):
    """The skills union said two lines of pydantic internals for one slip."""
    path = write(tmp_path, edit(SMALL, "skills: [general]", "skills: {general: 0}"))
    lines = [ln for ln in invoke("validate", str(path)).output.splitlines() if ln.startswith("  ")]
    assert lines == ["  agents.team.skills.general: must be >= 1"]


def test_a_newline_in_a_name_cannot_forge_a_problem_line(tmp_path):
    text = edit(SMALL, "  general:\n", '  "x\\nqueues.fake.volumes: must be > 0":\n')
    out = invoke("validate", str(write(tmp_path, text))).output
    assert not any(ln.strip().startswith("queues.fake") for ln in out.splitlines())


def test_validate_dev_zero_stops_at_the_size_limit():
    started = time.perf_counter()
    res = invoke("validate", "/dev/zero")
    assert res.exit_code == 2
    assert "larger than 20 MiB" in res.output
    assert time.perf_counter() - started < HANG  # stopped at the cap, not at MemoryError


def test_yaml_is_parsed_by_libyaml_in_linear_time(tmp_path, monkeypatch):
    """One 5 MB scalar (the pure-Python parser was quadratic on it): libyaml reads it."""
    path = write(tmp_path, SMALL + "description: " + "x" * 5_000_000 + "\n")
    built, real = [], yaml.CSafeLoader
    monkeypatch.setattr(yaml, "CSafeLoader", lambda text: built.append(1) or real(text))
    started = time.perf_counter()
    assert load_scenario(path).description.startswith("xxx")
    assert time.perf_counter() - started < HANG  # the pure-Python parser took minutes
    assert built == [1]


def test_memory_estimate_refuses_a_run_that_would_not_fit(tmp_path, monkeypatch):
    """400,000 calls a day: about 0.7 GiB for one day in flight; 500 MB allowed."""
    monkeypatch.setenv(limits.MEMORY_ENV, "500")
    text = edit(SMALL, "volumes: [100, 100, 100, 100]", "volumes: [100000, 100000, 100000, 100000]")
    res = invoke("validate", str(write(tmp_path, text)))
    assert res.exit_code == 2
    assert (
        "simulation.replications: this run would need about 0.7 GiB of memory "
        "(400,000 calls a day × 20 days), more than the 0.5 GiB allowed" in res.output
    )


def test_replications_asked_on_the_command_line_are_sized_too(tmp_path, monkeypatch):
    """validate passes at the file's 20 days; -r 10000 with --out (records kept) not."""
    monkeypatch.setenv(limits.MEMORY_ENV, "2000")
    path = REPO / "scenarios" / "peak_day.yaml"
    assert invoke("validate", str(path)).exit_code == 0
    res = invoke("run", str(path), "-r", "10000", "--out", str(tmp_path / "o"))
    assert res.exit_code == 2
    assert "--replications: this run would need about" in res.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "-r", "100000000000000000000"], "less than or equal to 10000"),
        (["run", "-r", "20001"], "less than or equal to 10000"),
        (["compare", "-r", "20001"], "less than or equal to 10000"),
        (["compare", "--volume-scale", "1e6"], "--volume-scale: 1e+06 is outside 0.1-10"),
        (["staff", "--volume-scale", "115"], "did you mean 1.15?"),
        (["staff", "--volume-scale", "0.01"], "--volume-scale: 0.01 is outside 0.1-10"),
    ],
)
def test_options_beyond_the_limits_are_refused(args, says):
    command, *options = args
    res = invoke(command, str(REPO / "scenarios" / "peak_day.yaml"), *options)
    assert res.exit_code == 2
    assert says in " ".join(res.output.replace("│", " ").split())


def test_more_agents_than_lines_draws_a_caution(tmp_path):
    """Issue 15: 52 agents on 46 lines said nothing."""
    text = edit(SMALL, "staffing: [14, 14, 14, 14]", "staffing: [14, 52, 14, 14]")
    res = invoke("validate", str(write(tmp_path, text + "lines: 46\n")))
    assert res.exit_code == 0
    assert "lines: 52 agents are logged in at 08:30 but there are only 46 lines" in res.output


def test_probability_one_repeat_within_the_cap_runs_with_a_caution(tmp_path):
    text = edit(
        SMALL,
        "    patience:",
        "    repeat: {probability: 1, max_attempts: 3,"
        " delay: {distribution: exponential, mean: 600}}\n    patience:",
    )
    res = invoke("validate", str(write(tmp_path, text)))
    assert res.exit_code == 0
    assert "queues.general.repeat.probability: 1 means every such caller calls again" in res.output


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "scenarios").glob("*.yaml")))
def test_the_shipped_scenarios_stay_valid_and_silent(name):
    res = invoke("validate", str(REPO / "scenarios" / name))
    assert res.exit_code == 0, res.output


def test_the_documented_limits_are_the_enforced_ones():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Limits and safety") :]
    for figure in ("20 MiB", "672", "100,000", "50,000", "10,000", "100 attempts", "75%"):
        assert figure in section, figure
    assert yaml.safe_load(SMALL)  # the base file of these cases is itself valid
    assert invoke("validate", "-").exit_code == 2  # no such file: a message, not a hang
