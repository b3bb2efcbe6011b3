"""Field descriptions from attribute docstrings, filled in when a schema is asked for.

The models document each field with a docstring under it (what the JSON Schema and
docs/reference/scenario.md show). pydantic's `use_attribute_docstrings` reads them at
import by searching the source for every class, about 15 ms of every `callsim` start,
although only `callsim schema` and the docs use them; `describe(Scenario)` reads each
module's source once, on demand, and gives the models the same descriptions.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import sys
import typing
from functools import cache

from pydantic import BaseModel


@cache
def _module_docstrings(module: str) -> dict[str, dict[str, str]]:
    """Class name -> {attribute: its docstring} for the classes of a module."""
    tree = ast.parse(inspect.getsource(sys.modules[module]))
    found: dict[str, dict[str, str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        docs, body = {}, node.body
        for stmt, after in itertools.pairwise(body):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[stmt.target.id] = inspect.cleandoc(after.value.value)
        found[node.name] = docs
    return found


def _models_in(annotation: object) -> list[type[BaseModel]]:
    """The pydantic models an annotation names (through unions, lists, dicts...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _reachable(model: type[BaseModel]) -> list[type[BaseModel]]:
    """`model` and every model its fields name, the ones used by others first."""
    order: list[type[BaseModel]] = []

    def visit(m: type[BaseModel]) -> None:
        if m in order:
            return
        for f in m.model_fields.values():
            for used in _models_in(f.annotation):
                if used is not m:
                    visit(used)
        order.append(m)

    visit(model)
    return order


@cache
def describe(model: type[BaseModel]) -> None:
    """Give `model` and the models it uses their fields' docstrings as descriptions
    (where a field has none), then rebuild them (used models first) so that their
    JSON Schemas carry the descriptions."""
    for m in _reachable(model):
        own: dict[str, str] = {}
        for base in reversed(m.__mro__):  # inherited fields keep their own docstrings
            if issubclass(base, BaseModel) and base.__module__ in sys.modules:
                own |= _module_docstrings(base.__module__).get(base.__name__, {})
        for name, f in m.model_fields.items():
            if f.description is None and name in own:
                f.description = own[name]
        m.model_rebuild(force=True)
