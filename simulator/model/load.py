"""Reading a scenario: YAML in, a validated `Scenario` out, or `ScenarioError` with one
'field.path: message' line per problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .checks import cross_check
from .scenario import Scenario, ScenarioError

_MESSAGES = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "missing": "is required",
    "extra_forbidden": "unknown key (check the spelling)",
    "too_short": "must have at least {min_length} item(s)",
    "literal_error": "must be one of {expected}",
}


def _describe(error: ErrorDetails) -> str:
    path = ".".join(str(p) for p in error["loc"]) or "(top level)"
    template = _MESSAGES.get(error["type"])
    ctx = {k: (f"{v:g}" if isinstance(v, float) else v) for k, v in error.get("ctx", {}).items()}
    message = template.format(**ctx) if template else error["msg"]
    message = message.removeprefix("Value error, ")
    return f"{path}: {message}"


def parse_scenario(data: Any) -> Scenario:
    """Validate already-parsed YAML data; raise ScenarioError listing every problem."""
    if not isinstance(data, dict):
        raise ScenarioError(["(top level): must be a mapping of keys (name, queues, agents, ...)"])
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([_describe(e) for e in exc.errors()]) from None
    problems = cross_check(sc)
    if problems:
        raise ScenarioError(problems)
    return sc


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, as the pydantic models define
    it: what `callsim schema` prints, for editors' completion and checking of YAML."""
    schema = Scenario.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read file ({exc.strerror})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
        raise ScenarioError([f"{path}: not valid YAML{at}"]) from None
    if data is None:
        raise ScenarioError([f"{path}: the file is empty"])
    return parse_scenario(data)
