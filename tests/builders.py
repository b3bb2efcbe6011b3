"""Scenario dicts for tests: a day of one or more queues, described by keywords.

Tests state only what matters to them (volume, agents, lines, patience...); the rest
is a plain, valid default. Dicts, not models, so a test can also break them on purpose.
"""

from __future__ import annotations

import copy

import numpy as np

from simulator import parse_scenario
from simulator.model.shift_fit import touches

AHT = 180.0  # seconds, the default mean handle time
THRESHOLD = 20.0  # seconds, the default service-level threshold


def exponential(mean: float = AHT) -> dict:
    return {"distribution": "exponential", "mean": mean}


def deterministic(mean: float = AHT) -> dict:
    return {"distribution": "deterministic", "mean": mean}


def queue(
    volumes: list[float], handle: dict | None = None, patience: dict | None = None, **extra
) -> dict:
    """One call type: volumes per interval, handle time, optional patience."""
    q = {"volumes": list(volumes), "handle_time": handle or exponential()}
    if patience is not None:
        q["patience"] = patience
    return q | extra


def group(skills: list[str] | dict, staffing: list[int], **extra) -> dict:
    return {"skills": skills, "staffing": list(staffing)} | extra


def scenario(
    queues: dict[str, dict],
    agents: dict[str, dict],
    *,
    interval_minutes: int = 60,
    lines: int | None = None,
    threshold: float = THRESHOLD,
    warmup: int = 0,
    replications: int = 4,
    seed: int = 1,
    name: str = "test day",
) -> dict:
    """A whole scenario dict from queues and agent groups (see `queue`, `group`)."""
    d = {
        "name": name,
        "interval_minutes": interval_minutes,
        "open": "08:00",
        "service_level": {"seconds": threshold, "target": 0.8},
        "queues": copy.deepcopy(queues),
        "agents": copy.deepcopy(agents),
        "simulation": {"replications": replications, "seed": seed, "warmup_intervals": warmup},
    }
    if lines is not None:
        d["lines"] = lines
    return d


def single_queue(
    volumes: list[float],
    staffing: list[int],
    *,
    handle: dict | None = None,
    patience: dict | None = None,
    **options,
) -> dict:
    """One queue 'q' served by one agent group 'team'; options as in `scenario`."""
    return scenario(
        {"q": queue(volumes, handle, patience)}, {"team": group(["q"], staffing)}, **options
    )


def steady(load: float, agents: int, intervals: int, **options) -> dict:
    """Constant load (Erlangs, at the mean handle time AHT) and staffing, 60-min intervals."""
    volume = load * 3600.0 / AHT
    return single_queue([volume] * intervals, [agents] * intervals, interval_minutes=60, **options)


def capped_day(max_count=12, lines=None, patience=None, volumes=(100, 100, 100, 100)):
    """Half-hours of 100 calls (10 Erlangs at 180 s: 14 agents for 80/20 by Erlang C),
    one group, one two-hour shift capped at `max_count` agents, no shrinkage."""
    exp = {"distribution": "exponential"}
    q = {"volumes": list(volumes), "handle_time": exp | {"mean": 180}}
    if patience:
        q["patience"] = exp | {"mean": patience}
    d = {
        "name": "capped",
        "interval_minutes": 30,
        "open": "08:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "queues": {"q": q},
        "agents": {"team": {"skills": ["q"], "staffing": [14] * len(volumes)}},
        "shifts": {"only": {"start": "08:00", "hours": len(volumes) / 2, "max_count": max_count}},
        "simulation": {"replications": 3, "seed": 5},
    }
    if lines:
        d["lines"] = lines
    return parse_scenario(d)


def break_losses(plan):
    """Per (shift, day): agents on that working, and agents on break in each interval
    (from the assignments, by hand: the break touches an interval if it overlaps it)."""
    tl = plan.timeline
    agents, off = {}, {}
    for a in plan.assignments:
        key = (a.shift, a.day)
        agents[key] = agents.get(key, 0) + a.agents
        if a.break_start is not None:
            hit = np.array(touches(tl, a.break_start, a.break_start + a.break_minutes), int)
            off[key] = off.get(key, 0) + a.agents * hit
    return agents, off


def _volumes(days: int, per_day: int, peak_day: int = 0) -> list[float]:
    """A day's curve of `per_day` half-hours, peaking mid-morning, 30% busier on day
    `peak_day`."""
    x = np.arange(per_day)
    day = 60 + 50 * np.exp(-(((x - per_day / 3) / (per_day / 6)) ** 2))
    return [round(float(v) * (1.3 if d == peak_day else 1.0), 1) for d in range(days) for v in day]


def shift_week(always_open: bool = False, shifts_update: dict | None = None, **extra):
    """A week from Mon 2026-12-07 in 30 min intervals: 08:00-20:00 Mon-Sat and closed on
    Sunday, or 24/7; two groups with their own shifts and hourly costs (`shifts_update`:
    shift name -> keys to change). A validated Scenario."""
    per_day, days = (48, 7) if always_open else (24, 6)
    volumes = _volumes(days, per_day)
    lunch = {"earliest": "11:30", "latest": "13:30", "minutes": 30}
    shifts = {
        "early": {"start": "08:00", "hours": 8.5, "cost_per_hour": 20, "break": lunch},
        "late": {
            "start": "12:00",
            "hours": 8.5,
            "cost_per_hour": 21,
            "break": {"earliest": "15:30", "latest": "17:30", "minutes": 30},
        },
        "back": {"start": "08:00", "hours": 12, "cost_per_hour": 25, "group": "back"},
    }
    for s in ("early", "late"):
        shifts[s]["group"] = "front"
    if always_open:
        shifts["night"] = {"start": "22:00", "hours": 8, "cost_per_hour": 30, "group": "front"}
        shifts["dawn"] = {"start": "04:00", "hours": 8, "cost_per_hour": 26, "group": "front"}
        shifts["evening"] = {"start": "16:00", "hours": 8, "cost_per_hour": 23, "group": "front"}
        shifts["back"] = {"start": "20:00", "hours": 12, "cost_per_hour": 27, "group": "back"}
        shifts["back_day"] = {"start": "08:00", "hours": 12, "cost_per_hour": 25, "group": "back"}
    for name, change in (shifts_update or {}).items():
        shifts[name] = shifts[name] | change
    horizon = {"start": "2026-12-07", "days": 7}
    horizon |= (
        {"always_open": True} if always_open else {"close": "20:00", "hours": {"sun": "closed"}}
    )
    n = len(volumes)
    d = {
        "name": "a week",
        "interval_minutes": 30,
        "open": "00:00" if always_open else "08:00",
        "horizon": horizon,
        "service_level": {"seconds": 20, "target": 0.8},
        "shrinkage": 0.3,
        "queues": {
            "calls": {
                "volumes": volumes,
                "handle_time": {"distribution": "exponential", "mean": 240},
            },
            "mail": {
                "volumes": [round(v / 4, 1) for v in volumes],
                "handle_time": {"distribution": "exponential", "mean": 300},
            },
        },
        "agents": {
            "front": {"skills": ["calls"], "staffing": [0] * n, "cost_per_hour": 19},
            "back": {"skills": ["mail"], "staffing": [0] * n, "cost_per_hour": 24},
        },
        "shifts": shifts,
    }
    return parse_scenario(d | extra)


# A morning that starts short-staffed: some hours miss 80/20, some meet it.
VOLUMES = [100, 150, 200, 150, 100, 60]
STAFFING = [8, 6, 8, 11, 8, 5]


def short_morning(**extra) -> dict:
    """A morning short-staffed at 09:00-11:00: queues sales (`extra`: its own keys,
    e.g. service_level) and care, a group for each and one shared; costs per hour;
    abandon target 5% on the centre; 6 days, seed 3."""
    d = scenario(
        {
            "sales": queue(VOLUMES, exponential(150), exponential(120), **extra),
            "care": queue([v / 2 for v in VOLUMES], exponential(200), exponential(200)),
        },
        {
            "sellers": group(["sales"], STAFFING, cost_per_hour=20.0),
            "carers": group(["care"], [3, 3, 4, 4, 3, 2], cost_per_hour=25.0),
            "both": group(["care", "sales"], [1] * 6, cost_per_hour=30.0),
        },
        replications=6,
        seed=3,
    )
    d["targets"] = {"abandon_rate": 0.05}
    return d
