"""Runner: independent replications of a day, and their results with confidence intervals.

A single simulated day is one random draw; a planner needs to know how much the next
day could differ. The runner simulates `replications` independent days, each with its
own random streams from `numpy.random.SeedSequence(seed).spawn(replications)`, so the
result depends only on the scenario and the seed, never on how many worker processes
shared the work. Every figure is then reported as the mean over days with a 95%
Student-t confidence interval.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..kpi.compute import KPIS, agent_time, day_kpis
from ..kpi.stats import confidence
from ..model.scenario import Scenario
from ..sim.engine import simulate_day
from ..sim.records import NEXT, OUTCOMES, DayRecords


def _one_day(sc: Scenario, seed: np.random.SeedSequence):
    day = simulate_day(sc, seed)
    agents = agent_time(sc, day)  # center-wide: the same for every queue
    queues = {name: day_kpis(sc, day, q, agents) for q, name in enumerate(sc.queues)}
    return day, day_kpis(sc, day, agents=agents), queues


@dataclass
class SimulationResult:
    """The replications of a scenario, and their KPIs with 95% confidence intervals.

    `interval_samples[kpi]` is a (replications x intervals) array and
    `day_samples[kpi]` a (replications,) array: one value per simulated day, the raw
    material of every confidence interval reported. `queue_samples[queue][kpi]` and
    `queue_interval_samples[queue][kpi]` are the same for one queue's calls.
    """

    scenario: Scenario
    replications: int
    seed: int
    days: list[DayRecords] = field(repr=False)
    interval_samples: dict[str, np.ndarray] = field(repr=False)
    day_samples: dict[str, np.ndarray] = field(repr=False)
    queue_samples: dict[str, dict[str, np.ndarray]] = field(repr=False)
    queue_interval_samples: dict[str, dict[str, np.ndarray]] = field(repr=False)

    @property
    def starts(self) -> list[str]:
        """Clock time of each reported interval (warm-up intervals left out)."""
        return self.scenario.interval_starts()[self.scenario.simulation.warmup_intervals :]

    @property
    def summary(self) -> pd.DataFrame:
        """KPI -> mean, ci95_low, ci95_high for the whole day."""
        return _table({k: confidence(v) for k, v in self.day_samples.items()})

    @property
    def intervals(self) -> pd.DataFrame:
        """One row per (interval, KPI): start, kpi, mean, ci95_low, ci95_high."""
        rows = []
        for kpi, samples in self.interval_samples.items():
            mean, low, high = confidence(samples)
            rows += [
                (i, s, kpi, m, lo, hi)
                for i, (s, m, lo, hi) in enumerate(zip(self.starts, mean, low, high))
            ]
        return pd.DataFrame(
            rows, columns=["interval", "start", "kpi", "mean", "ci95_low", "ci95_high"]
        )

    @cached_property
    def calls(self) -> pd.DataFrame:
        """One row per call of every replication (the engine's records, with names)."""
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
                        "next": np.array(NEXT)[c["next"]],
                        "callback": c["callback"],
                        "unresolved": c["unresolved"],
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def to_dict(self) -> dict:
        """Exactly the `callsim run --json` object of PRODUCT.md (NaN -> None)."""
        summary = {k: json_figure(*confidence(v)) for k, v in self.day_samples.items()}
        intervals = []
        stats = {k: confidence(v) for k, v in self.interval_samples.items()}
        for i, start in enumerate(self.starts):
            row = {"start": start}
            row.update({k: json_figure(m[i], lo[i], hi[i]) for k, (m, lo, hi) in stats.items()})
            intervals.append(row)
        queues = {
            q: {k: json_figure(*confidence(v)) for k, v in samples.items()}
            for q, samples in self.queue_samples.items()
        }
        return {
            "scenario": self.scenario.name,
            "replications": self.replications,
            "seed": self.seed,
            "summary": summary,
            "intervals": intervals,
            "queues": queues,
        }


def json_number(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def json_figure(mean, low, high) -> dict:
    return {"mean": json_number(mean), "ci95": [json_number(low), json_number(high)]}


def _table(stats: dict[str, tuple]) -> pd.DataFrame:
    df = pd.DataFrame(stats, index=["mean", "ci95_low", "ci95_high"]).T
    df.index.name = "kpi"
    return df


def simulate(
    sc: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Simulate `replications` independent days of `sc` (defaults from its file).

    `workers` > 1 spreads days over processes; results are identical either way.
    `progress(done)` is called after each finished day.
    """
    replications = replications or sc.simulation.replications
    seed = sc.simulation.seed if seed is None else seed
    if replications < 2:
        raise ValueError("replications: must be >= 2 (a confidence interval needs two days)")
    if workers < 1:
        raise ValueError("workers: must be >= 1")
    seeds = np.random.SeedSequence(seed).spawn(replications)
    if workers == 1:
        outputs = []
        for s in seeds:
            outputs.append(_one_day(sc, s))
            if progress:
                progress(len(outputs))
    else:
        # forkserver: workers start from a clean, single-threaded process (plain fork
        # from a process with threads, such as a progress bar's, may deadlock).
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["simulator.runner"])
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            outputs = []
            for out in pool.map(_one_day, [sc] * replications, seeds):
                outputs.append(out)
                if progress:
                    progress(len(outputs))
    days = [o[0] for o in outputs]
    interval_samples = {k: np.vstack([o[1][0][k] for o in outputs]) for k in KPIS}
    day_samples = {k: np.array([o[1][1][k] for o in outputs]) for k in KPIS}
    queue_samples = {
        q: {k: np.array([o[2][q][1][k] for o in outputs]) for k in KPIS} for q in sc.queues
    }
    queue_interval_samples = {
        q: {k: np.vstack([o[2][q][0][k] for o in outputs]) for k in KPIS} for q in sc.queues
    }
    return SimulationResult(
        sc,
        replications,
        seed,
        days,
        interval_samples,
        day_samples,
        queue_samples,
        queue_interval_samples,
    )
