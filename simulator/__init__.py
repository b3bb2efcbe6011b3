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

from importlib.metadata import PackageNotFoundError, version

from .model.load import load_scenario, parse_scenario
from .model.scenario import Scenario, ScenarioError
from .planner.compare import PlanComparison, ScenarioComparison, compare_plan, compare_scenarios
from .planner.edits import scale_volumes, with_staffing
from .planner.staffing import StaffingPlan, plan
from .report.json import to_dict
from .run.runner import SimulationResult, simulate

try:
    __version__ = version("callsim")  # single source: pyproject.toml's [project] version
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"

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
