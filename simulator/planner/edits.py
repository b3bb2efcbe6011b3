"""What-if edits of a scenario: volumes scaled, agent groups restaffed (always a copy)."""

from __future__ import annotations

import math

from ..model.scenario import Scenario, ScenarioError


def scale_volumes(sc: Scenario, factor: float) -> Scenario:
    """A copy of `sc` with every queue's volumes multiplied by `factor` (> 0)."""
    if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor > 0):
        raise ValueError(f"volume_scale: must be a number > 0 (got {factor!r})")
    if factor == 1:
        return sc
    queues = {
        name: q.model_copy(update={"volumes": [v * factor for v in q.volumes]})
        for name, q in sc.queues.items()
    }
    return sc.model_copy(update={"queues": queues})


def with_staffing(sc: Scenario, staffing: dict[str, list[int]]) -> Scenario:
    """A copy of `sc` whose agent groups are staffed as given (group -> agents per
    interval); groups not named keep their staffing. Raises ScenarioError."""
    problems = []
    for name, agents in staffing.items():
        where = f"agents.{name}.staffing"
        if name not in sc.agents:
            problems.append(
                f"agents.{name}: unknown agent group (groups are: {', '.join(sc.agents)})"
            )
        elif len(agents) != sc.n_intervals:
            problems.append(
                f"{where}: has {len(agents)} intervals, the queues have {sc.n_intervals}"
            )
        elif any(float(a) != int(a) or a < 0 for a in agents):
            problems.append(f"{where}: must be whole numbers of agents >= 0")
    if problems:
        raise ScenarioError(problems)
    groups = {
        name: g.model_copy(update={"staffing": [int(a) for a in staffing[name]]})
        if name in staffing
        else g
        for name, g in sc.agents.items()
    }
    return sc.model_copy(update={"agents": groups})
