"""Runner: independent replications of a day, and their results with confidence intervals.

A single simulated day is one random draw; a planner needs to know how much the next
day could differ. The runner simulates `replications` independent days, each with its
own random streams from `numpy.random.SeedSequence(seed).spawn(replications)`, so the
result depends only on the scenario and the seed, never on how many worker processes
shared the work. Every figure is then reported as the mean over days with a 95%
Student-t confidence interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..kpi.compute import reported_days
from ..kpi.stats import CI, confidence
from ..model.horizon import Day
from ..model.scenario import Scenario
from ..sim.records import NEXT, OUTCOMES, DayRecords
from .day import DayResult, one_day
from .executors import Executor, executor, in_use


@dataclass
class SimulationResult:
    """The replications of a scenario, and their KPIs with 95% confidence intervals.

    `days` holds each day's per-call records when they were kept (else it is empty).

    `interval_samples[kpi]` is a (replications x intervals) array and
    `day_samples[kpi]` a (replications,) array: one value per simulated day, the raw
    material of every confidence interval reported. `queue_samples[queue][kpi]` and
    `queue_interval_samples[queue][kpi]` are the same for one queue's calls. In a
    horizon the day figures are the whole horizon's, and `daily_samples[kpi]` (a
    replications x days array, one column per `reported_days` entry) and
    `queue_daily_samples[queue][kpi]` hold each day's (empty without a horizon).
    `group_samples[group][kpi]` and `group_interval_samples[group][kpi]` are one agent
    group's (`simulator.kpi.groups.GROUP_KPIS`: answered, aht, occupancy, agents, cost).
    """

    scenario: Scenario
    replications: int
    seed: int
    days: list[DayRecords] = field(repr=False)
    interval_samples: dict[str, np.ndarray] = field(repr=False)
    day_samples: dict[str, np.ndarray] = field(repr=False)
    queue_samples: dict[str, dict[str, np.ndarray]] = field(repr=False)
    queue_interval_samples: dict[str, dict[str, np.ndarray]] = field(repr=False)
    daily_samples: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    queue_daily_samples: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)
    group_samples: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)
    group_interval_samples: dict[str, dict[str, np.ndarray]] = field(
        default_factory=dict, repr=False
    )

    @property
    def starts(self) -> list[str]:
        """Clock time of each reported interval (warm-up intervals left out)."""
        return self.scenario.interval_starts()[self.scenario.simulation.warmup_intervals :]

    @property
    def labels(self) -> list[str]:
        """Label of each reported interval: "Mon 12-07 08:00" in a horizon, else its
        clock time (warm-up intervals left out)."""
        skip = self.scenario.simulation.warmup_intervals
        return [slot.label for slot in self.scenario.calendar()[skip:]]

    @property
    def reported_days(self) -> list[Day]:
        """The days of a horizon that have reported intervals (none without a horizon)."""
        return reported_days(self.scenario)

    @property
    def daily(self) -> pd.DataFrame:
        """One row per (day of the horizon, KPI): day (0 = first reported), date,
        label, kpi, mean, ci95_low, ci95_high (empty without a horizon)."""
        days = self.reported_days
        rows = []
        for kpi, samples in self.daily_samples.items():
            ci = confidence(samples, kpi=kpi)
            rows += [
                (i, d.date, d.label, kpi, m, lo, hi)
                for i, (d, m, lo, hi) in enumerate(zip(days, ci.mean, ci.low, ci.high))
            ]
        return pd.DataFrame(
            rows, columns=["day", "date", "label", "kpi", "mean", "ci95_low", "ci95_high"]
        )

    @property
    def summary(self) -> pd.DataFrame:
        """KPI -> mean, ci95_low, ci95_high for the whole day."""
        return _table({k: confidence(v, kpi=k) for k, v in self.day_samples.items()})

    @property
    def intervals(self) -> pd.DataFrame:
        """One row per (interval, KPI): start, kpi, mean, ci95_low, ci95_high."""
        rows = []
        for kpi, samples in self.interval_samples.items():
            ci = confidence(samples, kpi=kpi)
            rows += [
                (i, s, kpi, m, lo, hi)
                for i, (s, m, lo, hi) in enumerate(zip(self.starts, ci.mean, ci.low, ci.high))
            ]
        return pd.DataFrame(
            rows, columns=["interval", "start", "kpi", "mean", "ci95_low", "ci95_high"]
        )

    @cached_property
    def calls(self) -> pd.DataFrame:
        """One row per call of every replication (the engine's records, with names).

        Only when the records were kept (`simulate(..., keep_records=True)`)."""
        if len(self.days) < self.replications:
            raise ValueError("calls: the per-call records were not kept (keep_records=False)")
        frames = []
        queues = np.array(list(self.scenario.queues))
        groups = np.array(list(self.scenario.agents) + [""])
        for r, day in enumerate(self.days):
            c = day.calls
            frames.append(
                pd.DataFrame(
                    {
                        "replication": r,
                        "customer": c["customer"],
                        "attempt": c["attempt"],
                        "segment": c["segment"],
                        "queue": queues[c["queue"]],
                        "interval": c["interval"],
                        "arrival_s": c["arrival"],
                        "outcome": np.array(OUTCOMES)[c["outcome"]],
                        "wait_s": c["wait"],
                        "agent_group": groups[c["group"]],
                        "answer_s": c["start"],
                        "talk_s": c["talk"],
                        "handle_s": c["handle"],
                        "not_ready_s": c["not_ready"],
                        "next": np.array(NEXT)[c["next"]],
                        "callback": c["callback"],
                        "unresolved": c["unresolved"],
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)


def _table(stats: dict[str, CI]) -> pd.DataFrame:
    df = pd.DataFrame(stats, index=["mean", "ci95_low", "ci95_high"]).T
    df.index.name = "kpi"
    return df


class Samples:
    """Per-day KPIs gathered as the days finish (in any order), each into its row.

    Only the KPIs are kept (a few numbers per interval and queue), so memory does not
    grow with the calls of a day; the records are kept only if the day carries them.
    """

    def __init__(self, sc: Scenario, replications: int) -> None:
        self.queues = list(sc.queues)
        self.replications = replications
        self.days: list[DayRecords | None] = [None] * replications
        self.interval: dict[str, np.ndarray] = {}
        self.day: dict[str, np.ndarray] = {}
        self.queue: dict[str, dict[str, np.ndarray]] = {q: {} for q in self.queues}
        self.queue_interval: dict[str, dict[str, np.ndarray]] = {q: {} for q in self.queues}
        self.daily: dict[str, np.ndarray] = {}
        self.queue_daily: dict[str, dict[str, np.ndarray]] = {q: {} for q in self.queues}
        self.group: dict[str, dict[str, np.ndarray]] = {g: {} for g in sc.agents}
        self.group_interval: dict[str, dict[str, np.ndarray]] = {g: {} for g in sc.agents}

    def add(self, r: int, d: DayResult) -> None:
        """File day `r`'s KPIs (and records, if kept) in row r."""
        _put(self.interval, r, d.intervals, self.replications)
        _put(self.day, r, d.day, self.replications)
        for q in self.queues:
            _put(self.queue_interval[q], r, d.queues[q].intervals, self.replications)
            _put(self.queue[q], r, d.queues[q].day, self.replications)
            _put(self.queue_daily[q], r, d.queue_daily.get(q, {}), self.replications)
        _put(self.daily, r, d.daily, self.replications)
        for g, kpis in d.groups.items():
            _put(self.group_interval[g], r, kpis.intervals, self.replications)
            _put(self.group[g], r, kpis.day, self.replications)
        self.days[r] = d.records


def _put(into: dict[str, np.ndarray], r: int, values: dict, rows: int) -> None:
    for k, value in values.items():
        v = np.asarray(value)
        if k not in into:  # the first day sets the shape and dtype of every row
            into[k] = np.empty((rows, *v.shape), dtype=v.dtype)
        into[k][r] = v


def simulate(
    sc: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    *,
    keep_records: bool = True,
    executor: Executor | None = None,
    engine: str | None = None,
) -> SimulationResult:
    """Simulate `replications` independent days of `sc` (defaults from its file).

    The days run on `executor` (see `simulator.run.executors`; default: the one set
    with `executors.using`), else with `workers` > 1 on that many local processes;
    results are identical either way. Each day's KPIs
    are filed as it finishes; its per-call records (`days`, `calls`) are kept only with
    `keep_records`, and are what a day costs in memory. `progress(done)` is called after
    each finished day. `engine` (auto, simpy or fast; default: the one set with
    `playing`, else auto) plays each day; the records are the same whichever plays it
    (`simulator.sim.fast`).
    """
    replications = replications or sc.simulation.replications
    seed = sc.simulation.seed if seed is None else seed
    if replications < 2:
        raise ValueError("replications: must be >= 2 (a confidence interval needs two days)")
    if workers < 1:
        raise ValueError("workers: must be >= 1")
    from ..sim.fast import day_engine

    engine = engine or _ENGINE.get()
    day_engine(sc, engine)  # a forced engine that cannot play sc fails here, not in a worker
    seeds = np.random.SeedSequence(seed).spawn(replications)
    samples = Samples(sc, replications)
    tasks = [(sc, s, keep_records, engine) for s in seeds]
    with _executor(executor, workers) as ex:
        for done, (r, day) in enumerate(ex.run(one_day, tasks), 1):
            samples.add(r, day)
            if progress:
                progress(done)
    return SimulationResult(
        sc,
        replications,
        seed,
        [d for d in samples.days if d is not None],
        samples.interval,
        samples.day,
        samples.queue,
        samples.queue_interval,
        samples.daily,
        {q: v for q, v in samples.queue_daily.items() if v},
        samples.group,
        samples.group_interval,
    )


_ENGINE: ContextVar[str] = ContextVar("callsim_engine", default="auto")


@contextmanager
def playing(engine: str) -> Iterator[str]:
    """Within the block, `simulate` plays its days with `engine` (auto, simpy or fast)
    unless given another: so a staffing search's trials and a comparison's scenarios
    use it without every planner function passing it along."""
    token = _ENGINE.set(engine)
    try:
        yield engine
    finally:
        _ENGINE.reset(token)


def in_play() -> str:
    """The engine set by `playing` (auto if none)."""
    return _ENGINE.get()


@contextmanager
def _executor(given: Executor | None, workers: int) -> Iterator[Executor]:
    """The caller's executor, or the one `executors.using` set (left open), or one for
    `workers` (closed after)."""
    given = given or in_use()
    if given is not None:
        yield given
        return
    ex = executor("processes", workers)
    try:
        yield ex
    finally:
        ex.close()
