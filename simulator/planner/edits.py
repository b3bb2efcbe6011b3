"""What-if edits of a scenario: volumes or handle times scaled, agent groups
restaffed (always a copy; the scenario given is never changed).

A what-if is written `volume=1.15` (every forecast volume × 1.15) or `aht=0.9` (the AHT
× 0.9, as the trade means it: talk, hold and after-call work, each part keeping its
shape and cv), several joined by commas: `volume=1.15,aht=0.9`. `parse_what_if` reads
one, `apply_what_if` makes the edited copy.

An AHT edit leaves the agent groups as they are: a proficiency factor applies to the
shorter handle time, so every group's AHT is × 0.9 too; the not-ready time after calls
(`agents.NAME.not_ready`) is not handle time and stays, so the agents' time per call
(handle + not-ready, what the Erlang load is made of) falls by less
(`not_ready_note` says by how much).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import ValidationError

from ..model.distributions import Distribution, Empirical
from ..model.handling import effective_handle_means
from ..model.scenario import Queue, Scenario, ScenarioError
from ..model.timetable import unrostered

WHAT_IFS = {"volume": "every forecast volume", "aht": "every handle time (talk, hold, ACW)"}
SCALE_RANGE = (0.1, 10.0)  # a what-if's factor: 115 (meant 1.15) would be a hundredfold day


def _factor(name: str, factor: float) -> None:
    if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor > 0):
        raise ValueError(f"{name}: must be a number > 0 (got {factor!r})")


def scale_volumes(sc: Scenario, factor: float) -> Scenario:
    """A copy of `sc` with every queue's volumes multiplied by `factor` (> 0)."""
    _factor("volume_scale", factor)
    if factor == 1:
        return sc
    queues = {
        name: q.model_copy(update={"volumes": [v * factor for v in q.volumes]})
        for name, q in sc.queues.items()
    }
    return sc.model_copy(update={"queues": queues})


def _scaled(d: Distribution, factor: float) -> Distribution:
    """The duration `d` × `factor`: the same kind and cv, the mean (or every observed
    value) scaled; validated again, so a mean past the limits is refused."""
    data = d.model_dump()
    if isinstance(d, Empirical):
        data["values"] = [v * factor for v in d.values]
    else:
        data["mean"] = d.mean * factor
    return type(d).model_validate(data)


def _scaled_handling(name: str, q: Queue, factor: float) -> Queue:
    parts = ("handle_time", "talk", "hold", "acw")
    try:
        update: dict[str, object] = {
            p: _scaled(getattr(q, p), factor) for p in parts if getattr(q, p) is not None
        }
    except ValidationError as exc:
        problems = [f"queues.{name}: handle time × {factor:g}: {e['msg']}" for e in exc.errors()]
        raise ScenarioError(problems) from None
    if q.aht_by_interval is not None:  # the means per interval scale too
        update["aht_by_interval"] = [a * factor for a in q.aht_by_interval]
    return q.model_copy(update=update)


def scale_handle_times(sc: Scenario, factor: float) -> Scenario:
    """A copy of `sc` with every queue's handle time (each of talk, hold and after-call
    work) multiplied by `factor` (> 0): the AHT × factor, the shape and cv kept."""
    _factor("aht_scale", factor)
    if factor == 1:
        return sc
    queues = {name: _scaled_handling(name, q, factor) for name, q in sc.queues.items()}
    return sc.model_copy(update={"queues": queues})


def not_ready_note(sc: Scenario, edits: dict[str, float], label: str | None = None) -> str | None:
    """Where agents are not ready after calls, what an AHT edit does to the agents'
    time per call (handle + not-ready, over the day's calls): less than to the AHT;
    `label` names the edit (default `what_if_label`). None without an AHT edit, without
    not-ready time, or without calls."""
    factor = edits.get("aht", 1.0)
    groups = [name for name, g in sc.agents.items() if g.not_ready is not None]
    if factor == 1 or not groups:
        return None
    calls = np.array([q.volumes for q in sc.queues.values()], dtype=float)
    before = float((calls * effective_handle_means(sc)).sum())
    after = float((calls * effective_handle_means(scale_handle_times(sc, factor))).sum())
    if before <= 0:
        return None
    return (
        f"{label or what_if_label(edits)}: the AHT (talk, hold, after-call work) is "
        f"× {factor:g} in every group; the not-ready time after calls "
        f"({', '.join(groups)}) is not handle time and stays, so the agents' time per call "
        f"(handle + not-ready) is × {after / before:.3f}"
    )


def parse_what_if(text: str) -> dict[str, float]:
    """'volume=1.15,aht=0.9' -> {"volume": 1.15, "aht": 0.9}; raises ValueError naming
    what is wrong (an unknown edit, a factor outside SCALE_RANGE, a repeated edit)."""
    edits: dict[str, float] = {}
    known = "; ".join(f"{k}=X multiplies {w} by X" for k, w in WHAT_IFS.items())
    for part in (p.strip() for p in text.split(",")):
        key, eq, raw = part.partition("=")
        key = key.strip().lower()
        if not eq or key not in WHAT_IFS:
            raise ValueError(f"--what-if {text!r}: {part!r} is not an edit; {known}")
        try:
            if not raw.isascii() or "_" in raw:  # float() takes "１.2" and "1_5"
                raise ValueError
            factor = float(raw)
        except ValueError:
            raise ValueError(
                f"--what-if {text!r}: {key}: {raw.strip()!r} is not a number"
            ) from None
        low, high = SCALE_RANGE
        if not (math.isfinite(factor) and low <= factor <= high):
            meant = f"; did you mean {factor / 100:g}?" if 10 < factor <= 1000 else ""
            raise ValueError(
                f"--what-if {text!r}: {key}={factor:g} is outside {low:g}-{high:g}: it "
                f"multiplies {WHAT_IFS[key]}; 1.15 means 15% more{meant}"
            )
        if key in edits:
            raise ValueError(f"--what-if {text!r}: {key} is given twice")
        edits[key] = factor
    return edits


def what_if_label(edits: dict[str, float]) -> str:
    """'volume×1.15, aht×0.9': a what-if as a column heading."""
    return ", ".join(f"{k}×{v:g}" for k, v in edits.items())


def apply_what_if(sc: Scenario, edits: dict[str, float]) -> Scenario:
    """The copy of `sc` with the edits of `parse_what_if` applied."""
    edited = scale_volumes(sc, edits.get("volume", 1.0))
    return scale_handle_times(edited, edits.get("aht", 1.0))


def with_staffing(sc: Scenario, staffing: dict[str, list[int]]) -> Scenario:
    """A copy of `sc` whose agent groups are staffed as given (group -> agents per
    interval); groups not named keep their staffing, and a group the roster staffed
    leaves it. Raises ScenarioError."""
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
    # a group restaffed is no longer the roster's (the engine would play the roster)
    return unrostered(sc, set(staffing)).model_copy(update={"agents": groups})
