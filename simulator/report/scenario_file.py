"""A planned scenario file: the user's YAML with the plan's staffing (and the plan's
volumes, where they were scaled), so `callsim run FILE` checks the plan against the
forecast it was made for."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from ..model.load import read_data
from ..planner.rostering import roster_update
from ..planner.staffing import StaffingPlan
from .format import money

PLANNED = "# Staffing planned by `callsim staff"  # how a planned copy begins


def is_planned_copy(head: str) -> bool:
    """Whether a file's first lines are those of a copy `staff --write` wrote."""
    return head.startswith(PLANNED)


def planned_scenario(source: Path, p: StaffingPlan, data: Any = None) -> str:
    """The text of `source` (YAML; or its `data`, already read) staffed as planned:
    each group's staffing replaced by the plan's agents logged in
    (`StaffingPlan.staffing`), or with shifts by the plan's `roster` (its groups give
    no staffing list; `absence.absenteeism` = shrinkage unless the file has an
    `absence`: `simulator.planner.rostering`), and under a volume scale each queue's
    volumes by the scaled ones; every other key is kept (comments are not: the YAML is
    re-written, under a header saying so)."""
    if data is None:
        data = read_data(source)  # as the scenario was read (1e3 a number)
    data = copy.deepcopy(data)
    if p.shifts:
        for group in p.shifts:
            data["agents"][group].pop("staffing", None)
        data |= roster_update(p.scenario, p.shifts)
    else:
        for group, agents in p.staffing.items():
            data["agents"][group]["staffing"] = agents
    forecast = _inline_forecast(data, p)
    if p.volume_scale != 1 or forecast is not None:
        for name, q in p.scenario.queues.items():
            data["queues"][name]["volumes"] = [round(float(v), 6) for v in q.volumes]
    volumes = (
        ""
        if p.volume_scale == 1
        else f"# queues.*.volumes are the file's × {p.volume_scale:g}, as planned.\n"
    )
    header = (
        f"{PLANNED}{' --shifts' if p.shifts else ''} --method {p.method}` from {source},\n"
        f"# volume scale {p.volume_scale:g}: {_what(p)}. Comments of the original file are "
        "not kept.\n" + volumes
    )
    if forecast is not None:
        header += f"# queues.*.volumes and aht_by_interval are the forecast {forecast}'s.\n"
    return header + yaml.safe_dump(
        data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100
    )


def _inline_forecast(data: dict, p: StaffingPlan) -> str | None:
    """A plan made from a forecast file: the copy gets its AHT by interval in place of
    the `forecast:` reference (and the volumes, by the caller), so it stands alone
    wherever it is saved; the forecast's name, or None."""
    forecast = p.scenario.forecast
    if forecast is not None:
        data.pop("forecast", None)
        for name, q in p.scenario.queues.items():
            if q.aht_by_interval is not None:
                data["queues"][name]["aht_by_interval"] = q.aht_by_interval
    return forecast


def _what(p: StaffingPlan) -> str:
    """What the copy's staffing holds, in words."""
    if not p.shifts:
        return "agents.*.staffing holds agents logged in\n# (required agents)"
    words = (
        "roster holds the shift plan (agents scheduled, breaks at set\n"
        f"# times; cost {money(sum(s.cost for s in p.shifts.values()))})"
    )
    if p.scenario.absence is None and p.scenario.shrinkage > 0:
        words += (
            f"; absence.absenteeism is the shrinkage ({p.scenario.shrinkage:g}):\n"
            "# scheduled agents off the phones, paid"
        )
    return words


def write_planned(source: Path, target: Path, p: StaffingPlan) -> Path:
    """Write `planned_scenario(source, p)` to `target` (OSError if it cannot be)."""
    target.write_text(planned_scenario(source, p), encoding="utf-8")
    return target
