"""One simulated day and its KPIs: the unit of work every executor runs.

`one_day` is a plain top-level function of picklable arguments, so that local worker
processes and Dask workers can run it; its `DayResult` is small (KPIs per interval and
for the day, centre-wide and per queue) unless the day's per-call records are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kpi.compute import DayKPIs, all_kpis
from ..model.scenario import Scenario
from ..sim.records import DayRecords


@dataclass(frozen=True)
class DayResult:
    """The KPIs of one simulated day (warm-up intervals left out).

    `intervals[kpi]`: one value per reported interval; `day[kpi]`: the day's figure;
    `queues[name]`: the same two for one queue's calls (agents and occupancy stay
    centre-wide); `records`: the per-call records, kept only when asked for.
    """

    intervals: dict[str, np.ndarray]
    day: dict[str, float]
    queues: dict[str, DayKPIs]
    records: DayRecords | None = None


def one_day(
    sc: Scenario, seed: np.random.SeedSequence, keep_records: bool, engine: str = "auto"
) -> DayResult:
    """Simulate one day of `sc` with the random streams of `seed`, and its KPIs.
    `engine`: auto, simpy or fast (`simulator.sim.fast.day_engine`; same records)."""
    from ..sim.fast import day_engine  # lazy: numba loads only when a day is simulated

    records = day_engine(sc, engine)(sc, seed)
    center, queues = all_kpis(sc, records)
    return DayResult(
        center.intervals,
        center.day,
        dict(zip(sc.queues, queues)),
        records if keep_records else None,
    )
