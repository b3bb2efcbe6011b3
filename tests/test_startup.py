"""Fast start: the CLI and `validate` load only what they use (issue 14, item 6).

Timing is measured in benchmarks/bench_startup.py, never here; this checks the cause:
which heavy libraries a fresh interpreter has imported after `import simulator.cli`,
after `callsim --help`, and after `callsim validate`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from builders import queue, scenario

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "scipy", "matplotlib", "ortools", "numba", "simpy", "distributed")
# what `validate` does not need either: the fields' docstrings are read only for a schema
LAZY = ("simulator.model.docstrings",)

PROBE = """
import json, sys
sys.argv = ["callsim", *json.loads(sys.argv[1])]
import simulator.cli
if len(sys.argv) > 1:
    import contextlib, io
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            simulator.cli.app()
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
from pydantic import BaseModel
def models(cls):
    return [cls, *(m for sub in cls.__subclasses__() for m in models(sub))]
ours = [m for m in models(BaseModel) if m.__module__.startswith("simulator.")]
reads = [m.__name__ for m in ours if m.model_config.get("use_attribute_docstrings")]
print(json.dumps(sorted(reads)))
"""


def imported_after(*args: str, heavy: tuple[str, ...] = HEAVY + LAZY) -> list[str]:
    """Which of `heavy` a fresh interpreter has imported after `callsim ARGS`."""
    probe = PROBE.format(heavy=heavy)
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(list(args))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-2])


@pytest.mark.parametrize(
    "args",
    [(), ("--help",), ("validate", "scenarios/peak_day.yaml"), ("--version",)],
    ids=["import", "help", "validate", "version"],
)
def test_the_cli_starts_without_the_heavy_libraries(args):
    assert imported_after(*args) == []


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "scenarios/peak_day.yaml"),
        ("validate", "scenarios/week_rostered.yaml"),
        ("validate", "scenarios/bank_journeys.yaml"),
        ("--version",),
    ],
    ids=["validate", "validate-roster", "validate-journeys", "version"],
)
def test_plain_lines_are_printed_without_rich(args):
    """`validate` and `--version` print plain lines (simulator.cli.console.print_line,
    compared with rich's output in tests/test_console.py): rich, a tenth of their
    start, is not imported; nor is typer's help module."""
    assert imported_after(*args, heavy=("rich", "typer.rich_utils")) == []


def test_a_command_help_builds_no_pydantic_adapter():
    """typer reads a parameter through a pydantic TypeAdapter unless it holds a bool;
    the group's --help defaults to False (not None), so `callsim run --help` does not
    import pydantic for it. `--help` itself (the probe can fail) does load rich."""
    assert imported_after("run", "--help") == []
    assert imported_after("run", "--help", heavy=("pydantic", "rich")) == ["rich"]


def test_no_model_reads_its_docstrings_at_import():
    """pydantic's use_attribute_docstrings searches the source of every class at import
    (about 15 ms of each start); `simulator.model.docstrings` gives the same
    descriptions when a schema is asked for (docs/scenario.schema.json, which
    test_docs compares, is unchanged)."""
    probe = PROBE.format(heavy=HEAVY + LAZY)
    args = json.dumps(["validate", "scenarios/peak_day.yaml"])
    done = subprocess.run(
        [sys.executable, "-c", probe, args], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_the_schema_carries_the_fields_docstrings():
    from simulator.model.load import scenario_schema

    schema = scenario_schema()
    assert schema["properties"]["lines"]["description"].startswith("Trunk lines: talking")
    assert schema["$defs"]["Shift"]["properties"]["break"]["description"] == "An unpaid break."


def test_the_probe_sees_a_heavy_import():
    """The check above can fail: `run` does load an engine (numba's fast one, or simpy)
    and pandas."""
    heavy = imported_after("run", "scenarios/single_queue.yaml", "-r", "2", "--json")
    assert ("numba" in heavy or "simpy" in heavy) and "pandas" in heavy


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "scenarios/week_rostered.yaml"),
        ("validate", "scenarios/week.yaml", "--forecast", "scenarios/week_forecast.csv"),
    ],
    ids=["forecast-in-file", "forecast-option"],
)
def test_validate_reads_a_forecast_file_without_pandas(args):
    """A forecast CSV is read with the standard library (tests/test_forecast_reader.py
    compares it with the pandas reader it replaced), the roster counted in plain
    Python: neither pandas nor numpy."""
    assert imported_after(*args) == []


def test_validate_loads_numpy_only_for_what_needs_it(tmp_path):
    """Without transfers or roster activities, `validate` checks a file in plain Python
    (a roster's agents are counted minute by minute in lists); transfers (the
    fundamental matrix's solve) and activities (agents taken off, minute by minute)
    load numpy, and nothing heavier."""
    d = scenario({"sales": queue([40] * 8)}, {"team": {"skills": ["sales"]}})
    d["roster"] = {"shifts": {"early": {"start": "08:00", "hours": 4, "agents": 10}}}
    rostered = tmp_path / "rostered.yaml"
    rostered.write_text(yaml.safe_dump(d))
    assert imported_after("validate", str(rostered)) == []
    d["roster"]["activities"] = {"huddle": {"start": "09:00", "end": "09:30", "agents": 2}}
    rostered.write_text(yaml.safe_dump(d))
    assert imported_after("validate", str(rostered)) == ["numpy"]
    assert imported_after("validate", "scenarios/bank_journeys.yaml") == ["numpy"]


PLUGIN_PROBE = """
import importlib.metadata, json, os, sys
groups = []
search = importlib.metadata.entry_points
importlib.metadata.entry_points = lambda **kw: groups.append(kw.get("group")) or search(**kw)
sys.argv = ["callsim", "validate", "scenarios/peak_day.yaml"]
import simulator.cli
try:
    simulator.cli.app()
except SystemExit:
    pass
print(json.dumps([groups, os.environ.get("PYDANTIC_DISABLE_PLUGINS")]))
"""


def test_loading_does_not_search_for_pydantic_plugins():
    """Looking for pydantic plugins reads every installed package's metadata; the CLI
    loads scenarios without (the variable it sets is restored after: None here)."""
    done = subprocess.run(
        [sys.executable, "-c", PLUGIN_PROBE], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == [[], None]


def test_the_plugin_probe_sees_a_search():
    """The probe above can fail: the library's own load_scenario searches as usual."""
    probe = PLUGIN_PROBE.replace(
        "import simulator.cli", "from simulator.model.load import load_scenario"
    ).replace("simulator.cli.app()", "load_scenario(sys.argv[2])")
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == [["pydantic"], None]
