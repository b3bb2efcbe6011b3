"""Reading a scenario: YAML in, a validated `Scenario` out, or `ScenarioError` with one
'field.path: message' line per problem.

The file is read once, at most `limits.MAX_FILE_BYTES` of it (so `/dev/zero` or a
pipe cannot make it read forever), must be UTF-8 text, and is parsed by libyaml
(`yaml.CSafeLoader`: linear time, no Python objects but plain data; numbers written
1e3 or 1.5e3 read as numbers, as in YAML 1.2; a leading zero, 017, is refused: YAML 1.1
reads it as octal). Before the data
is built, its tree is walked once: a key given twice in one mapping (the first would
be silently lost), nesting deeper than `limits.MAX_DEPTH` or more than
`limits.MAX_VALUES` values (aliases counted each time they are used) are refused.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from . import limits
from .checks import cross_check
from .messages import describe
from .scenario import Scenario, ScenarioError
from .timetable import with_roster_staffing

# Numbers as YAML 1.2 (and JSON, and editors) read them where YAML 1.1 reads text:
# 1e3, 1.5e3, 1e-5 (1.1 wants a dot and a signed exponent). A leading zero is refused:
# YAML 1.1 reads 017 as the octal 15 and 08 as text, YAML 1.2 both as decimals.
_EXPONENT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]*[1-9][0-9_]*$")
_RESOLVERS = {k: list(v) for k, v in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}
for _first in "-+.0123456789":
    _RESOLVERS.setdefault(_first, []).append(("tag:yaml.org,2002:float", _EXPONENT))
for _first in "-+0":
    _RESOLVERS[_first].append(("tag:yaml.org,2002:int", _LEADING_ZERO))


class _LeadingZero(yaml.constructor.ConstructorError):
    """A number valid as YAML whose value depends on the YAML version read."""


def _int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """An integer, refused with a leading zero (its meaning depends on the YAML version)."""
    if _LEADING_ZERO.match(node.value):
        digits = node.value.replace("_", "").lstrip("+")
        raise _LeadingZero(
            None,
            None,
            f"{node.value}: a number with a leading zero (YAML 1.1 reads 017 as the octal "
            f"15, 08 as text); write {int(digits, 10)}",
            node.start_mark,
        )
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


_CONSTRUCTORS = {
    **yaml.constructor.SafeConstructor.yaml_constructors,
    "tag:yaml.org,2002:int": _int,
}

_BOMS = {
    "UTF-32": (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE),
    "UTF-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE),
}


def parse_scenario(data: Any, strict: bool = False) -> Scenario:
    """Validate already-parsed YAML data; raise ScenarioError listing every problem.

    `strict` (as for files): no value is coerced to its field's type (a boolean or a
    quoted number where a number belongs is refused); without it, Python callers may
    pass numpy numbers and 14.0 for 14 agents."""
    return with_roster_staffing(_checked(data, strict))


def _checked(data: Any, strict: bool) -> Scenario:
    """`parse_scenario` without the roster's staffing put in its groups."""
    if not isinstance(data, dict):
        raise ScenarioError(["(top level): must be a mapping of keys (name, queues, agents, ...)"])
    try:
        sc = Scenario.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise ScenarioError(list(dict.fromkeys(describe(dict(e)) for e in exc.errors()))) from None
    problems = cross_check(sc)
    if problems:
        raise ScenarioError(problems)
    return sc


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, as the pydantic models define
    it: what `callsim schema` prints, for editors' completion and checking of YAML."""
    from .docstrings import describe

    describe(Scenario)
    schema = Scenario.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def read_text(path: Path, kind: str = "YAML") -> str:
    """The file's text: at most MAX_FILE_BYTES, UTF-8 (a BOM is allowed); `kind` is
    what the file should hold (YAML, CSV), for the messages."""
    try:
        with open(path, "rb") as f:
            raw = f.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read file ({exc.strerror})"]) from None
    if len(raw) > limits.MAX_FILE_BYTES:
        size = limits.MAX_FILE_BYTES // 2**20
        what = "a scenario file" if kind == "YAML" else f"a {kind} file"
        raise ScenarioError([f"{path}: larger than {size} MiB, the limit for {what}"])
    for name, boms in _BOMS.items():
        if raw.startswith(boms):
            raise ScenarioError([f"{path}: the file is {name} text; save it as UTF-8"])
    if b"\x00" in raw:
        raise ScenarioError(
            [f"{path}: a binary file (or UTF-16 text), not {kind}: save it as UTF-8"]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            [
                f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}; "
                "Latin-1 or Windows-1252?): save the file as UTF-8"
            ]
        ) from None


def _key(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{node.tag}>"


def _children(node: yaml.Node) -> list[tuple[str, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        return [(_key(k), v) for k, v in node.value]
    if isinstance(node, yaml.SequenceNode):
        return [(str(i), v) for i, v in enumerate(node.value)]
    return []


def _expanded(root: yaml.Node) -> tuple[float, int]:
    """(values, levels) of the tree once aliases are expanded, each node counted once
    (memoised post-order, no recursion): linear in the file, not in its expansion.
    An alias inside its own anchor gives (inf, inf)."""
    memo: dict[int, tuple[float, int]] = {}
    open_nodes: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack[-1]
        if id(node) in memo:
            stack.pop()
            continue
        pending = [v for _, v in _children(node) if id(v) not in memo]
        if id(node) in open_nodes:
            if pending:  # a child still open: the node contains itself
                return float("inf"), 1 << 30
            kids = [memo[id(v)] for _, v in _children(node)]
            memo[id(node)] = (1 + sum(k[0] for k in kids), 1 + max((k[1] for k in kids), default=0))
            stack.pop()
            continue
        open_nodes.add(id(node))
        stack.extend(v for v in pending if id(v) not in open_nodes)
        if any(id(v) in open_nodes for v in pending):
            return float("inf"), 1 << 30
    return memo[id(root)]


def check_tree(root: yaml.Node) -> list[str]:
    """Duplicate keys, depth and size of a composed YAML tree (walked without recursion,
    each node once)."""
    values, levels = _expanded(root)
    if values > limits.MAX_VALUES:
        return [f"(top level): more than {limits.MAX_VALUES:,} values (aliases included)"]
    if levels > limits.MAX_DEPTH + 1:
        deepest = max(_children(root), key=lambda kv: _expanded(kv[1])[1], default=("", root))
        return [f"{deepest[0] or '(top level)'}: nested deeper than {limits.MAX_DEPTH} levels"]
    problems: list[str] = []
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for k, _ in node.value:
                key, line = _key(k), k.start_mark.line + 1
                if key in first and key != "<<":
                    problems.append(
                        f"{'.'.join((*path, key))}: given twice (lines {first[key]} and "
                        f"{line}); the first would be lost"
                    )
                first.setdefault(key, line)
        stack.extend((v, (*path, key)) for key, v in reversed(_children(node)))
    return problems


def _yaml_problem(path: Path, exc: yaml.YAMLError, text: str) -> str:
    where = getattr(exc, "problem_mark", None)
    at = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
    problem = getattr(exc, "problem", None) or ""
    hint = ""
    lines = text.splitlines()
    line = lines[where.line] if where and where.line < len(lines) else ""
    if "\t" in line[: where.column + 1 if where else 0] or "tab" in problem:
        hint = ": YAML does not allow tabs for indentation, use spaces"
    elif problem:
        hint = f": {problem}"
    what = "a number to write again" if isinstance(exc, _LeadingZero) else "not valid YAML"
    return f"{path}: {what}{at}{hint}"


def read_data(path: str | Path) -> Any:
    """The file's YAML data (checked by `check_tree`), or ScenarioError."""
    path = Path(path)
    text = read_text(path)
    loader = yaml.CSafeLoader(text)
    loader.yaml_implicit_resolvers = _RESOLVERS  # numbers: see above
    loader.yaml_constructors = _CONSTRUCTORS  # type: ignore[misc]
    try:
        root = loader.get_single_node()
        if root is None:
            raise ScenarioError([f"{path}: the file is empty"])
        problems = check_tree(root)
        if problems:
            raise ScenarioError(problems)
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise ScenarioError([_yaml_problem(path, exc, text)]) from None
    finally:
        loader.dispose()


def load_scenario(path: str | Path, forecast: str | Path | None = None) -> Scenario:
    """Read and validate a scenario YAML file, with its forecast file (`forecast:`,
    relative to the scenario's folder) put in; a `forecast` given here replaces the
    volumes (and AHT) of the queues it names instead."""
    data = read_data(path)
    if data is None:
        raise ScenarioError([f"{path}: the file is empty"])
    return parse_scenario(with_forecast(data, Path(path), forecast), strict=True)


def with_forecast(data: Any, path: Path, given: str | Path | None = None) -> Any:
    """The scenario data of file `path` with the forecast file's volumes and AHT by
    interval in its queues (`simulator.model.forecast`); unchanged without one."""
    if given is None:
        ref = data.get("forecast") if isinstance(data, dict) else None
        if ref is None:
            return data
        if not isinstance(ref, str) or not ref.strip():
            raise ScenarioError(
                ["forecast: must be the path of a CSV file (from the scenario's folder)"]
            )
        file, source = path.parent / ref, ref
    else:
        file, source = Path(given), str(given)
    if not isinstance(data, dict):
        return data
    from .forecast import read_forecast  # only for a file with a forecast
    from .forecast_apply import apply_forecast, placeholder_data

    table = read_forecast(read_text(file, "CSV"), source)
    calendar = _checked(placeholder_data(data, table), strict=True)  # its calendar only
    return apply_forecast(data, table, calendar, replace=given is not None)
