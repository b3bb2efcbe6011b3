"""callsim: a call-center simulator (SimPy) and staffing planner (Erlang B, C, A).

    import simulator
    sc = simulator.load_scenario("scenarios/single_queue.yaml")
    res = simulator.simulate(sc, replications=20, seed=1)
    res.summary          # KPI -> mean, ci95_low, ci95_high
    simulator.to_dict(res)   # exactly the `callsim run --json` object

The stages, each importing only those before it: `model` (the scenario), `erlang`
(theory), `sim` (the engine), `kpi`, `run` (replications), `planner`, `report`; the
`cli` sits on top. See docs/architecture.md.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model.load import load_scenario, parse_scenario
    from .model.scenario import Scenario, ScenarioError
    from .planner.compare import (
        PlanComparison,
        ScenarioComparison,
        compare_plan,
        compare_scenarios,
    )
    from .planner.edits import scale_volumes, with_staffing
    from .planner.staffing import StaffingPlan, plan
    from .report.json import to_dict
    from .run.runner import SimulationResult, simulate

# The public API, imported on first use (so `callsim --help` does not load the planner,
# pandas or scipy): name -> module that defines it.
_API = {
    "load_scenario": ".model.load",
    "parse_scenario": ".model.load",
    "Scenario": ".model.scenario",
    "ScenarioError": ".model.scenario",
    "PlanComparison": ".planner.compare",
    "ScenarioComparison": ".planner.compare",
    "compare_plan": ".planner.compare",
    "compare_scenarios": ".planner.compare",
    "scale_volumes": ".planner.edits",
    "with_staffing": ".planner.edits",
    "StaffingPlan": ".planner.staffing",
    "plan": ".planner.staffing",
    "to_dict": ".report.json",
    "SimulationResult": ".run.runner",
    "simulate": ".run.runner",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("callsim")  # single source: pyproject.toml's [project] version
    except PackageNotFoundError:  # imported from a checkout that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":  # read on first use: importlib.metadata is slow to load
        globals()[name] = _version()
        return globals()[name]
    if name not in _API:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    value = getattr(import_module(_API[name], __name__), name)
    globals()[name] = value  # found once, then a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API) | {"__version__"})


__all__ = [
    "PlanComparison",
    "Scenario",
    "ScenarioComparison",
    "ScenarioError",
    "SimulationResult",
    "StaffingPlan",
    "__version__",
    "compare_plan",
    "compare_scenarios",
    "load_scenario",
    "parse_scenario",
    "plan",
    "scale_volumes",
    "simulate",
    "to_dict",
    "with_staffing",
]
