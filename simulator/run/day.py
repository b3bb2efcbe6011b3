"""One simulated day (or horizon of days) and its KPIs: the unit of work every executor runs.

`one_day` is a plain top-level function of picklable arguments, so that local worker
processes and Dask workers can run it; its `DayResult` is small (KPIs per interval and
for the day, centre-wide and per queue, and per day of a horizon) unless the per-call
records are asked for. A horizon's replication plays its stretches one after the
other (`simulator.run.horizon`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..kpi.compute import DayKPIs, all_kpis, daily_kpis, tally_kpis
from ..kpi.groups import group_kpis, group_tallies, join_group_tallies
from ..model.scenario import Scenario
from ..sim.records import DayRecords
from .horizon import horizon_records, play_horizon


@dataclass(frozen=True)
class DayResult:
    """The KPIs of one simulated day (warm-up intervals left out).

    `intervals[kpi]`: one value per reported interval; `day[kpi]`: the day's figure
    (a horizon's: the whole horizon's); `queues[name]`: the same two for one queue's
    calls (agents and occupancy stay centre-wide); `records`: the per-call records,
    kept only when asked for; `daily[kpi]` and `queue_daily[name][kpi]`: one figure per
    reported day of a horizon (`simulator.kpi.compute.reported_days`), else empty;
    `groups[name]`: an agent group's answered calls, AHT, occupancy, agents and cost
    (`simulator.kpi.groups`).
    """

    intervals: dict[str, np.ndarray]
    day: dict[str, float]
    queues: dict[str, DayKPIs]
    records: DayRecords | None = None
    daily: dict[str, np.ndarray] = field(default_factory=dict)
    queue_daily: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    groups: dict[str, DayKPIs] = field(default_factory=dict)


def one_day(
    sc: Scenario, seed: np.random.SeedSequence, keep_records: bool, engine: str = "auto"
) -> DayResult:
    """Simulate one day (or horizon) of `sc` with the random streams of `seed`, and its KPIs.
    `engine`: auto, simpy or fast (`simulator.sim.fast.day_engine`; same records)."""
    from ..sim.fast import day_engine  # lazy: numba loads only when a day is simulated

    simulate = day_engine(sc, engine)
    if sc.horizon is None:
        records = simulate(sc, seed)
        center, queues = all_kpis(sc, records)
        return DayResult(
            center.intervals,
            center.day,
            dict(zip(sc.queues, queues)),
            records if keep_records else None,
            groups=dict(zip(sc.agents, group_kpis(sc, group_tallies(sc, records)))),
        )
    tally, played = play_horizon(sc, seed, simulate)
    center, queues = tally_kpis(sc, tally)
    daily, queue_daily = daily_kpis(sc, tally)
    groups = join_group_tallies([group_tallies(run.scenario, rec) for run, rec in played])
    return DayResult(
        center.intervals,
        center.day,
        dict(zip(sc.queues, queues)),
        horizon_records(played) if keep_records else None,
        daily,
        dict(zip(sc.queues, queue_daily)),
        dict(zip(sc.agents, group_kpis(sc, groups))),
    )
