"""callsim: a call-center simulator (SimPy) and staffing planner (Erlang B, C, A).

    import simulator
    sc = simulator.load_scenario("scenarios/single_queue.yaml")
    res = simulator.simulate(sc, replications=20, seed=1)
    res.summary          # KPI -> mean, ci95_low, ci95_high
"""

from .runner import SimulationResult, simulate
from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = ["Scenario", "ScenarioError", "SimulationResult", "load_scenario",
           "parse_scenario", "simulate"]
