"""What every callsim command shares: the typer app and its callback, failing with exit
2, and loading a scenario (the option types are in `options`, running and writing in
`running`, the consoles in `console`)."""

import json
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from .console import err, out

# The library is imported where a command needs it, so that `callsim --help` and
# `validate` start fast (no pandas, scipy, matplotlib, ortools: see bench_startup.py).
if TYPE_CHECKING:
    from ..model.scenario import Scenario

# typer coerces each parameter it reads through a pydantic TypeAdapter unless it holds a
# bool already; --help of the group, when a command is given, reads None (not a bool), so
# `callsim run --help` imported pydantic (a third of its time) for that. False is the
# same answer, and a bool.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Call-center simulator and staffing planner.",
    context_settings={"default_map": {"help": False}},
)


def given_path(name: str, what: str, title: str = "invalid option") -> dict[str, Any]:
    """typer keywords for a path `name` (option or argument, one path or a list): typer
    keeps the text (`path_type=str`; --help shows `<path>`) and the callback gives the
    Path, or exits 2 where it is empty (typer would read "" as ".", the current folder,
    and a message would name "."); `what` completes "name ..." in the message."""

    def check(raw: str | list[str] | None) -> Path | list[Path] | None:
        if raw is None:
            return None
        texts = [raw] if isinstance(raw, str) else raw
        if any(not text.strip() for text in texts):
            fail([f"{name}: an empty path; name {what}"], title)
        return Path(raw) if isinstance(raw, str) else [Path(text) for text in raw]

    return {"path_type": str, "callback": check}


def print_version(value: bool) -> None:
    if value:
        from .. import __version__

        out.print_line(f"callsim {__version__}")
        raise typer.Exit()


@app.callback()
def callsim(
    version: Annotated[
        bool,
        typer.Option("--version", callback=print_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Call-center simulator and staffing planner."""
    signal.signal(signal.SIGTERM, stop)


def stop(signum: int, _frame: object) -> NoReturn:
    """SIGTERM (`timeout`, a CI cancel, a scheduler): unwind as SIGINT does, so that
    worker processes are ended and no partial output is left; exit 128 + 15."""
    raise SystemExit(128 + signum)


def fail(problems: list[str], title: str) -> NoReturn:
    """Print problems to stderr and exit with code 2."""
    err.print_line(f"[bold red]callsim:[/] {title}")
    for p in problems:
        err.print_line(f"  {p}", markup=False)
    raise typer.Exit(2)


def load(path: Path, forecast: Path | None = None) -> "Scenario":
    """The validated scenario (with `forecast`'s volumes, if given), or exit 2 with
    one message per problem."""
    with without_pydantic_plugins():
        from ..model.load import load_scenario
        from ..model.scenario import ScenarioError

        try:
            return load_scenario(path, forecast)
        except ScenarioError as exc:
            fail(exc.problems, f"{path} is not a valid scenario")


def load_data(path: Path, forecast: Path | None = None) -> tuple[dict, "Scenario"]:
    """The file's YAML data (read once) and the scenario it validates to (with its
    forecast file's, or `forecast`'s, volumes), or exit 2."""
    with without_pydantic_plugins():
        from ..model.load import parse_scenario, read_data, with_forecast
        from ..model.scenario import ScenarioError

        try:
            data = read_data(path)
            if data is None:
                raise ScenarioError([f"{path}: the file is empty"])
            return data, parse_scenario(with_forecast(data, path, forecast), strict=True)
        except ScenarioError as exc:
            fail(exc.problems, f"{path} is not a valid scenario")


@contextmanager
def without_pydantic_plugins() -> Iterator[None]:
    """Build the scenario's validators without looking for pydantic plugins: the
    search reads every installed package's metadata (some 20 ms of each start) and no
    plugin watches callsim's models (typer does the same for its parameters). Only
    while loading: the variable is restored, for worker processes and the library."""
    before = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYDANTIC_DISABLE_PLUGINS"]
        else:
            os.environ["PYDANTIC_DISABLE_PLUGINS"] = before


def print_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")


def kpi_list(text: str | None, option: str) -> list[str] | None:
    """KPI keys from 'asa,service_level', or exit 2 naming the unknown ones (or none
    given: '' or ','), or one given twice (its column twice)."""
    if text is None:
        return None
    from ..kpi.registry import KPIS

    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in KPIS]
    if unknown or not keys:
        wrong = f"unknown KPI {', '.join(unknown)}" if unknown else f"no KPI in {text!r}"
        fail(
            [f"{option}: {wrong}; give KPIs, comma-separated: {', '.join(KPIS)}"], "invalid option"
        )
    twice = [k for i, k in enumerate(keys) if k in keys[:i]]
    if twice:
        fail([f"{option}: {', '.join(dict.fromkeys(twice))} given twice"], "invalid option")
    return keys


@contextmanager
def library_errors(title: str) -> Iterator[None]:
    """Turn the library's ValueError / ScenarioError into field-path messages, exit 2."""
    from ..model.scenario import ScenarioError

    try:
        yield
    except ScenarioError as exc:
        fail(exc.problems, title)
    except ValueError as exc:
        fail([str(exc)], title)
