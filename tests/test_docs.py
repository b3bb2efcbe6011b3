"""The project's documentation says what the program does: the version is written once,
`callsim schema` describes the files the program accepts, and the generated reference
pages match the code that they document."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
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
    with pytest.raises(jsonschema.ValidationError) as exc:
        jsonschema.validate(data, schema)
    where = ".".join(str(p) for p in exc.value.absolute_path)
    assert field in f"{where} {exc.value.message}"
