"""The project's documentation says what the program does: the version is written once,
`callsim schema` describes the files the program accepts, and the generated reference
pages match the code that they document."""

from __future__ import annotations

import json
import os
import re
import tomllib
import typing
from pathlib import Path

import jsonschema
import pytest
import typer
import yaml
from pydantic import BaseModel
from scripts import load_script
from typer.testing import CliRunner

import simulator
from simulator.cli import app

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_version_is_the_one_in_pyproject_and_callsim_prints_it():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert simulator.__version__ == meta["project"]["version"]
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"callsim {meta['project']['version']}"


def test_changelog_has_a_section_for_the_version_in_progress():
    release = simulator.__version__.split(".dev")[0]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {release}" in changelog


@pytest.fixture(scope="module")
def schema() -> dict:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    return json.loads(result.output)


def test_schema_accepts_every_shipped_scenario(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in SCENARIOS:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d.update(intervall_minutes=30), "intervall_minutes"),  # a misspelt key
        (lambda d: d.update(interval_minutes=20), "interval_minutes"),  # 15, 30 or 60
        (lambda d: d["queues"]["general"]["handle_time"].update(mean=-1), "handle_time.mean"),
        (lambda d: d["queues"]["general"]["handle_time"].update(distribution="normal"), "normal"),
    ],
)
def test_schema_rejects_what_validate_rejects(schema, edit, field):
    data = yaml.safe_load((ROOT / "scenarios/single_queue.yaml").read_text(encoding="utf-8"))
    edit(data)
    with pytest.raises(simulator.ScenarioError):
        simulator.parse_scenario(data)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert errors
    found = []
    while errors:  # the errors and, under a union, each kind's own errors
        error = errors.pop()
        found.append(".".join(str(p) for p in error.absolute_path) + " " + error.message)
        errors += error.context or []
    assert any(field in f for f in found), found


def test_generated_pages_match_the_program():
    """The scenario reference, the schema file and the KPI page are generated from the
    models and the registry; a change to either without `make docs` fails here."""
    stale = [
        path
        for path, text in load_script("docs/generate.py").pages().items()
        if not (ROOT / "docs" / path).is_file()
        or (ROOT / "docs" / path).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"out of date: {stale}; run `make docs` (or python docs/generate.py)"


def test_scenario_reference_lists_every_key_of_every_model():
    from simulator.model.docstrings import describe

    describe(simulator.Scenario)  # the fields' docstrings, read on demand
    page = (ROOT / "docs/reference/scenario.md").read_text(encoding="utf-8")
    models = [simulator.Scenario]
    seen: set[type] = set()
    while models:
        model = models.pop()
        if model in seen:
            continue
        seen.add(model)
        assert f"## {model.__name__}\n" in page
        for name, field in model.model_fields.items():
            assert f"| `{field.alias or name}` |" in page, f"{model.__name__}.{name}"
            tag = typing.get_origin(field.annotation) is typing.Literal and name == "distribution"
            assert field.description or tag, f"{model.__name__}.{name}: no docstring (meaning)"
            models += [t for t in _models_in(field.annotation) if t not in seen]
    assert len(seen) >= 10


def _models_in(annotation) -> list[type]:
    """The pydantic models an annotation names (through unions, lists and dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


# ---------------------------------------------------------------- scenario headers


def test_peak_day_header_peak_hour_and_busy_signals_are_what_the_program_gives():
    """The header says: a peak at 10:00-11:00, and only 46 lines, so at the peak some
    callers get a busy signal. The file's own 20 days: blocking happens, and most of it
    in the peak hour (seeds 1, 2, 3, 7 give 10-15 blocked calls a day, 78-90% of them at
    the peak: the bounds asserted leave a wide margin, so no false alarm in practice)."""
    sc = simulator.load_scenario(ROOT / "scenarios/peak_day.yaml")
    header = (ROOT / "scenarios/peak_day.yaml").read_text(encoding="utf-8")
    assert "peak (10:00-11:00)" in header and "46 trunk lines" in header
    assert sc.lines == 46
    volumes = next(iter(sc.queues.values())).volumes
    starts = sc.interval_starts()
    peak = sorted(range(len(volumes)), key=lambda i: -volumes[i])[:2]
    assert sorted(starts[i] for i in peak) == ["10:00", "10:30"]
    res = simulator.simulate(sc)
    blocked = res.intervals.query("kpi == 'blocked'")["mean"].to_numpy()
    assert blocked.sum() > 3  # some callers get a busy signal (about 10 a day, seeds 1-7)
    assert blocked[peak].sum() > 0.6 * blocked.sum()  # ... at the peak


def test_bank_journeys_header_figures_are_the_files():
    header = (ROOT / "scenarios/bank_journeys.yaml").read_text(encoding="utf-8")
    sc = simulator.load_scenario(ROOT / "scenarios/bank_journeys.yaml")
    billing, tech = sc.queues["billing"], sc.queues["tech"]
    claims = {
        "12% of billing calls go on to tech": billing.transfers["tech"] == 0.12,
        "6% of tech calls go on to tier 2": tech.escalation.probability == 0.06,
        "half of the callers who get a busy signal or hang up call again within\n#   about "
        "10 minutes (at most 3 calls)": billing.redial.probability == tech.redial.probability == 0.5
        and billing.redial.delay.mean == tech.redial.delay.mean == 600
        and billing.redial.max_attempts == 3,
        "8% of billing calls did not solve the problem": billing.repeat.probability == 0.08,
        "expected wait over 2 minutes": tech.callback.threshold == 120,
        "and 40% take it": tech.callback.acceptance == 0.4,
        "higher priority": sc.queues["tier2"].priority > tech.priority,
    }
    for claim, holds in claims.items():
        assert claim in header, claim
        assert holds, claim


# ---------------------------------------------------------------- the CLI and JSON page

CLI_PAGE = (ROOT / "docs/reference/cli.md").read_text(encoding="utf-8")


def documented_keys(heading: str) -> list[str]:
    """The keys in the table under `heading` of docs/reference/cli.md."""
    section = CLI_PAGE.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", section, flags=re.M)


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cli_page_lists_exactly_the_keys_of_every_json_object():
    peak = str(ROOT / "scenarios/peak_day.yaml")
    single = str(ROOT / "scenarios/single_queue.yaml")
    run = cli_json("run", single)
    assert documented_keys("`callsim run --json`") == list(run)
    staff = cli_json("staff", peak, "--shifts")
    optional = {"simulation", "shifts", "busyness", "schedules"}  # --method simulation (--shifts)
    assert set(documented_keys("`callsim staff --json`")) == set(staff) | optional
    one = cli_json("compare", single)
    assert documented_keys("`callsim compare --json`, one scenario") == list(one)
    several = cli_json("compare", single, single, "--replications", "2")
    assert documented_keys("`callsim compare --json`, several scenarios") == list(several)


def test_cli_page_names_every_command_and_option():
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"callsim {name}" in CLI_PAGE, name
        for option in typer.main.get_command(app).commands[name].params:
            for flag in option.opts:
                if flag.startswith("--") and flag != "--help":
                    assert flag in CLI_PAGE, f"callsim {name} {flag}"


def test_callsim_help_lists_each_command_with_its_docstring_on_one_line():
    """`callsim --help` gives each command its docstring's first paragraph, rewrapped:
    typer's rich mode kept the docstring's line breaks, so the list broke mid-sentence
    ("(per day and for the" / "horizon, given one)") at any width."""
    res = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "250"})
    assert res.exit_code == 0
    rows = [" ".join(line.strip(" │").split()) for line in res.stdout.splitlines()]
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        words = " ".join(command.callback.__doc__.split("\n\n")[0].split())
        assert f"{name} {words}" in rows, name


def test_cli_page_python_example_runs():
    (code,) = re.findall(r"```python\n(.*?)```", CLI_PAGE, flags=re.S)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, "docs/reference/cli.md", "exec"), {})
    finally:
        os.chdir(cwd)
