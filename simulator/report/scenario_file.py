"""A planned scenario file: the user's YAML with the plan's staffing (and the plan's
volumes, where they were scaled), so `callsim run FILE` checks the plan against the
forecast it was made for."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from ..planner.staffing import StaffingPlan

PLANNED = "# Staffing planned by `callsim staff"  # how a planned copy begins


def planned_scenario(source: Path, p: StaffingPlan, data: Any = None) -> str:
    """The text of `source` (YAML; or its `data`, already read) with each group's
    staffing replaced by the plan's agents logged in (`StaffingPlan.staffing`) and,
    under a volume scale, each queue's volumes by the scaled ones; every other key is
    kept (comments are not: the YAML is re-written, under a header saying so)."""
    if data is None:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    for group, agents in p.staffing.items():
        data["agents"][group]["staffing"] = agents
    if p.volume_scale != 1:
        for name, q in p.scenario.queues.items():
            data["queues"][name]["volumes"] = [round(float(v), 6) for v in q.volumes]
    what = "agents on the shift plan less shrinkage" if p.shifts else "required agents"
    volumes = (
        ""
        if p.volume_scale == 1
        else f"# queues.*.volumes are the file's × {p.volume_scale:g}, as planned.\n"
    )
    header = (
        f"{PLANNED} --method {p.method}` from {source},\n"
        f"# volume scale {p.volume_scale:g}: agents.*.staffing holds agents logged in\n"
        f"# ({what}). Comments of the original file are not kept.\n" + volumes
    )
    return header + yaml.safe_dump(
        data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100
    )


def write_planned(source: Path, target: Path, p: StaffingPlan) -> Path:
    """Write `planned_scenario(source, p)` to `target` (OSError if it cannot be)."""
    target.write_text(planned_scenario(source, p), encoding="utf-8")
    return target
