"""A forecast file's rows into the scenario: each queue's `volumes` (and
`aht_by_interval`) on the scenario's calendar, with a message naming the row for an
unknown queue, a day outside the horizon, calls in a closed interval, or an interval
a queue has no row for (the file's format: `simulator.model.forecast`)."""

from __future__ import annotations

import copy
import math
from typing import Any

from .clock import clock, clock_minutes
from .forecast import ForecastRow, ForecastTable, problem_list
from .horizon import WEEKDAYS, Horizon, open_days
from .scenario import Scenario


def placeholder_data(data: dict, table: ForecastTable) -> dict:
    """`data` with zeros standing in for the volumes of the queues the forecast names
    and lacks (as many as the scenario's intervals, `_interval_count`), so that the
    scenario's calendar can be built before the forecast is put in."""
    out = copy.deepcopy(data)
    queues = out.get("queues")
    if not isinstance(queues, dict):
        return out
    n = _interval_count(out, table)
    for name in table.queues() & set(queues):
        if isinstance(queues[name], dict):
            queues[name].setdefault("volumes", [0.0] * n)
            queues[name].pop("aht_by_interval", None)
    return out


def _interval_count(data: dict, table: ForecastTable) -> int:
    """The scenario's intervals before its volumes are known: a group's staffing list,
    else (every group rostered) the horizon's open intervals, else the one day's up to
    the forecast's last interval; 1 if the file is too broken to tell (its own
    problems are then reported)."""
    agents = data.get("agents")
    groups: dict = agents if isinstance(agents, dict) else {}
    for g in groups.values():
        if isinstance(g, dict) and isinstance(g.get("staffing"), list) and g["staffing"]:
            return len(g["staffing"])
    try:
        minutes, start = int(data["interval_minutes"]), clock_minutes(str(data["open"]))
        if data.get("horizon") is None:
            last = max(r.minutes for r in table.rows)
            return max(1, (last - start) // minutes + 1)
        frame = Scenario.model_construct(
            horizon=Horizon.model_validate(data["horizon"]),
            interval_minutes=minutes,
            open=str(data["open"]),
        )
        return max(1, open_days(frame)[-1].stop)
    except (KeyError, TypeError, ValueError, IndexError):
        return 1


def given_twice(data: dict, table: ForecastTable) -> list[str]:
    """Queues whose volumes (or AHT by interval) the scenario file gives as well as its
    own forecast file: one of the two would be lost."""
    given = data.get("queues")
    queues: dict = given if isinstance(given, dict) else {}
    problems = []
    for name in sorted(table.queues() & set(queues)):
        q = queues[name] if isinstance(queues[name], dict) else {}
        fields = ["volumes"] + (["aht_by_interval"] if table.has_aht else [])
        problems += [
            f"queues.{name}.{f}: given here and by the forecast {table.source}: keep one"
            for f in fields
            if f in q
        ]
    return problems


def _day_keys(sc: Scenario, table: ForecastTable) -> tuple[list[Any], dict[Any, Any]]:
    """Each slot's day key as the file names days, and how the file's days map to them
    (a dateless day takes the file's only day, if it has one)."""
    slots = sc.calendar()
    if table.by == "date":
        keys: list[Any] = [s.date for s in slots]
    elif table.by == "weekday":
        keys = [None if s.date is None else WEEKDAYS[s.date.weekday()] for s in slots]
    else:
        keys = [None] * len(slots)
    days = table.days()
    if None in keys and table.by is not None and len(days) == 1:
        return keys, {days.pop(): None}
    return keys, {}


def apply_forecast(data: dict, table: ForecastTable, sc: Scenario, replace: bool) -> dict:
    """`data` with the volumes (and AHT by interval) of each queue the forecast names,
    on the calendar of `sc` (the scenario with placeholder volumes); ScenarioError
    naming rows for unknown queues, days outside the horizon, calls in closed
    intervals, and the intervals a queue has no row for."""
    problems = [] if replace else given_twice(data, table)
    problems += _day_problems(sc, table)
    if problems:
        raise problem_list(table.source, problems)
    keys, alias = _day_keys(sc, table)
    slots = sc.calendar()
    at: dict[tuple[Any, int], list[int]] = {}
    for i, (key, slot) in enumerate(zip(keys, slots)):
        h, m = slot.start.split(":")
        at.setdefault((key, int(h) * 60 + int(m)), []).append(i)
    n, names = len(slots), sorted(table.queues() & set(sc.queues))
    calls = {q: [math.nan] * n for q in names}
    aht = {q: [math.nan] * n for q in names}
    for r in table.rows:
        if r.queue not in sc.queues:
            continue
        found = at.get((alias.get(r.day, r.day), r.minutes))
        if found is None:
            if r.calls > 0:
                problems.append(_closed(table, sc, r))
            continue
        for i in found:
            calls[r.queue][i], aht[r.queue][i] = r.calls, r.aht
    problems += _unknown_queues(table, sc) + _missing(table, calls, slots)
    if problems:
        raise problem_list(table.source, problems)
    out = copy.deepcopy(data)
    for q in names:
        given = out["queues"][q]
        given["volumes"] = calls[q]
        if table.has_aht:
            mean = float(sc.queues[q].aht)
            given["aht_by_interval"] = [mean if math.isnan(a) else a for a in aht[q]]
    if replace:
        out["forecast"] = table.source
    return out


def _day_problems(sc: Scenario, table: ForecastTable) -> list[str]:
    """Days the scenario cannot place: dates outside the horizon, several days for a
    dateless scenario, or no day column for a horizon of several days."""
    source, days = table.source, sc.days()
    dated = [d.date for d in days if d.date is not None]
    if table.by is None:
        if len(days) > 1:
            return [f"{source}: no date or weekday column, but the horizon has {len(days)} days"]
        return []
    found = sorted(table.days(), key=str)
    if not dated:
        if len(found) > 1:
            return [
                f"{source}: the scenario is one dateless day, but the forecast has "
                f"{len(found)} {table.by}s ({', '.join(map(str, found[:7]))}): give the "
                "scenario a horizon, or keep one day's rows"
            ]
        return []
    if table.by != "date":
        return []
    horizon = sc.horizon.calendar_dates() if sc.horizon is not None else dated
    first, last = min(horizon), max(horizon)
    inside = set(horizon)
    return [
        f"{source}: row {r.row}, column date: {r.day} is outside the horizon ({first} to {last})"
        for r in table.rows
        if r.day not in inside
    ]


def _closed(table: ForecastTable, sc: Scenario, r: ForecastRow) -> str:
    where = f"{table.source}: row {r.row}"
    minutes = r.minutes
    hhmm = clock(minutes)
    if (minutes - clock_minutes(sc.open)) % sc.interval_minutes:
        return (
            f"{where}, column interval: {hhmm} is not the start of a "
            f"{sc.interval_minutes}-minute interval"
        )
    day = "" if r.day is None else f"{r.day} "
    return (
        f"{where}: {r.calls:g} calls at {day}{hhmm}, when the centre is closed "
        "(only 0 is allowed outside opening hours)"
    )


def _unknown_queues(table: ForecastTable, sc: Scenario) -> list[str]:
    unknown: dict[str, list[int]] = {}  # queue: its rows, in the file's order
    for r in table.rows:
        if r.queue not in sc.queues:
            unknown.setdefault(r.queue, []).append(r.row)
    problems = []
    for name, rows in unknown.items():
        more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
        problems.append(
            f"{table.source}: row {rows[0]}, column queue: unknown queue "
            f"{name!r} (queues are: {', '.join(sc.queues)}){more}"
        )
    return problems


def _missing(table: ForecastTable, calls: dict[str, list[float]], slots: list) -> list[str]:
    problems = []
    for q, values in calls.items():
        gaps = [i for i, x in enumerate(values) if math.isnan(x)]
        if gaps:
            shown = ", ".join(slots[i].label for i in gaps[:4])
            more = f" ... ({len(gaps)} intervals in all)" if len(gaps) > 4 else ""
            problems.append(f"{table.source}: queue {q}: no row for {shown}{more}")
    return problems
