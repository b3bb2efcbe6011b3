"""Pydantic's validation errors in a planner's words: one 'field.path: message' line,
no validator internals, and a hint for the usual slips (80 for 0.80, an unquoted
clock time, a number in quotes)."""

from __future__ import annotations

import math
from typing import Any

from .horizon import HOURS_SHAPES
from .scenario import SKILL_SHAPES

_MESSAGES = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "missing": "is required",
    "extra_forbidden": "unknown key (check the spelling)",
    "too_short": "must have at least {min_length} item(s)",
    "literal_error": "must be one of {expected}",
    "finite_number": "must be a finite number (not .nan or .inf)",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "dict_type": "must be a mapping of keys",
    "model_type": "must be a mapping of keys",
    "model_attributes_type": "must be a mapping of keys",
    "list_type": "must be a list, e.g. [1, 2]",
    "string_type": "must be text",
    "bool_type": "must be true or false",
}
_NUMBER_TYPES = ("int_type", "float_type", "int_parsing", "float_parsing", "int_from_float")
_CLOCK_FIELDS = ("open", "start", "earliest", "latest")
# Fields holding a fraction (0.80, not 80).
_FRACTIONS = ("target", "shrinkage", "abandon_rate", "occupancy_max", "probability", "acceptance")


def _path(loc: tuple) -> str:
    """The field path without union tags (the skills shape)."""
    kept: list[str] = []
    for part in map(str, loc):
        after = kept[-1] if kept else ""
        if after == "skills" and part in SKILL_SHAPES:
            continue
        if len(kept) > 1 and kept[-2] == "hours" and part in HOURS_SHAPES:
            continue
        if "[" in part:  # pydantic's name for a union member, e.g. 'list[str]'
            continue
        kept.append(part)
    return ".".join(kept) or "(top level)"


def _type_hint(error: dict[str, Any], path: str) -> str | None:
    """A message for a value of the wrong type (strict: nothing is coerced)."""
    value, kind = error.get("input"), error["type"]
    if path.rsplit(".", 1)[-1] in _CLOCK_FIELDS and isinstance(value, int | float):
        if not math.isfinite(value):  # .nan, .inf: no clock reads them
            return f'must be a clock time in quotes, e.g. "09:30" (not the number {value})'
        h, m = divmod(int(value), 60)
        example = f'"{h:02d}:{m:02d}"' if 0 <= value < 24 * 60 else '"09:30"'
        return (
            f"must be a clock time in quotes, e.g. {example} (unquoted, YAML reads "
            f"{h}:{m:02d} as the number {value})"
        )
    expected = str(error.get("ctx", {}).get("expected", ""))
    if kind in _NUMBER_TYPES or (kind == "literal_error" and expected[:1].isdigit()):
        if isinstance(value, bool):
            return "must be a number, not true/false"
        if isinstance(value, str):
            return f'must be a number, not text ("{value}"): remove the quotes'
    return None


def _fraction_hint(error: dict[str, Any], path: str) -> str:
    value = error.get("input")
    last = path.split(".")
    fraction = last[-1] in _FRACTIONS or (len(last) > 1 and last[-2] == "transfers")
    if fraction and isinstance(value, int | float) and 1 < value <= 100:
        return f" (a fraction: {value / 100:g} means {value:g}%)"
    return ""


def describe(error: dict[str, Any]) -> str:
    """One problem line for one pydantic error."""
    path = _path(error["loc"])
    message = _type_hint(error, path)
    if message is None:
        template = _MESSAGES.get(error["type"])
        ctx = {
            k: (f"{v:g}" if isinstance(v, float) else v) for k, v in error.get("ctx", {}).items()
        }
        message = template.format(**ctx) if template else error["msg"]
        message = message.removeprefix("Value error, ")
        if error["type"] in ("less_than_equal", "less_than"):
            message += _fraction_hint(error, path)
    return f"{path}: {message}"
