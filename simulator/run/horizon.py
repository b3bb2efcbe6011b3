"""A replication of a horizon: its stretches played one after the other, then counted.

Each stretch (a day that closes at night, or a 24/7 run of days: see
`simulator.model.horizon.stretches`) is a dateless run of its own
(`stretch_scenario`), played by the engine as any day, with random streams of its own:

    seed of a stretch = stream_seed(replication, "stretch", DATE of its first day)

so adding or removing a day leaves every other day's callers unchanged. The busyness
factor is one per calendar day, from stream ("busyness", DATE) of the replication; it
scales that day's volumes, and the stretch runs with `busyness_cv` 0 (the same Poisson
counts the engine would draw). Each stretch is tallied on its own clock (seconds from
its opening, so a week-long clock never enters a KPI) and the tallies are joined.
Records, when kept, are put on the horizon's clock (seconds from its first opening:
`Day.offset`), customers numbered on, intervals the horizon's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..kpi.compute import Tally, join_tallies, run_tallies
from ..model.horizon import Day, Stretch, stretch_scenario, stretches
from ..model.scenario import Arrivals, Scenario
from ..sim.draws import busyness
from ..sim.records import DayRecords
from ..sim.streams import Streams, stream_seed


class StretchRun(NamedTuple):
    """One stretch of a replication: what the engine plays, and with which seed."""

    stretch: Stretch
    scenario: Scenario
    seed: np.random.SeedSequence


def stretch_runs(sc: Scenario, seed: np.random.SeedSequence) -> list[StretchRun]:
    """The stretches of one replication (seeded by `seed`) as dateless runs, each day's
    volumes scaled by its busyness factor."""
    streams = Streams(seed)
    runs = []
    for stretch in stretches(sc):
        part = stretch_scenario(sc, stretch)
        factors = np.concatenate(
            [np.full(day.n_intervals, busyness(sc, streams, _date(day))) for day in stretch.days]
        )
        queues = {
            name: q.model_copy(update={"volumes": (np.asarray(q.volumes) * factors).tolist()})
            for name, q in part.queues.items()
        }
        part = part.model_copy(update={"queues": queues, "arrivals": _no_busyness(part)})
        first = _date(stretch.days[0])
        runs.append(StretchRun(stretch, part, stream_seed(seed, "stretch", first)))
    return runs


def _date(day: Day) -> str:
    assert day.date is not None  # a horizon's days have dates
    return day.date.isoformat()


def _no_busyness(sc: Scenario) -> Arrivals:
    return sc.arrivals.model_copy(update={"busyness_cv": 0.0})


def play_horizon(
    sc: Scenario,
    seed: np.random.SeedSequence,
    simulate: Callable[[Scenario, np.random.SeedSequence], DayRecords],
) -> tuple[Tally, list[tuple[StretchRun, DayRecords]]]:
    """Play every stretch of one replication with `simulate(scenario, seed)` (an
    engine's day function): the joined tallies, and each stretch's records."""
    played = [(run, simulate(run.scenario, run.seed)) for run in stretch_runs(sc, seed)]
    return join_tallies([run_tallies(run.scenario, rec) for run, rec in played]), played


def horizon_records(played: list[tuple[StretchRun, DayRecords]]) -> DayRecords:
    """The stretches' records as one replication's, on the horizon's clock. Between
    stretches every group logs off (0 agents) when the stretch's last call is done."""
    calls: list[dict[str, np.ndarray]] = []
    logs = []
    customers = 0
    for k, (run, rec) in enumerate(played):
        c = dict(rec.calls)
        offset = run.stretch.offset
        c["customer"] = c["customer"] + customers
        c["arrival"] = c["arrival"] + offset
        c["start"] = c["start"] + offset
        c["interval"] = (c["interval"] + run.stretch.first).astype(rec.calls["interval"].dtype)
        customers = int(c["customer"].max()) + 1 if len(c["customer"]) else customers
        calls.append(c)
        log = rec.agent_log.copy()
        if k + 1 < len(played):
            groups = np.arange(len(run.scenario.agents), dtype=float)
            done = np.full(len(groups), _last_moment(rec))
            log = np.vstack([log, np.column_stack([done, groups, np.zeros(len(groups))])])
        log[:, 0] += offset
        logs.append(log)
    joined = {key: np.concatenate([c[key] for c in calls]) for key in calls[0]}
    return DayRecords(joined, np.concatenate(logs))


def _last_moment(rec: DayRecords) -> float:
    """When a stretch's last call ends or its agents last change, seconds from its open."""
    c = rec.calls
    ends = np.concatenate(
        [c["arrival"] + c["wait"], c["start"] + c["handle"], rec.agent_log[:, 0], [0.0]]
    )
    return float(ends[np.isfinite(ends)].max())
