"""Sequential sampling of simulated days for the staffing search, with common random
numbers (CRN) across the candidate plans.

Day i of the search is the same day for every plan tried: its random streams come from
``SeedSequence([SEARCH_STREAM, seed], spawn_key=(i,))``, and the engine draws arrivals,
handle times and patience from streams of their own, so two plans meet the same callers
and a difference between them is the staffing's doing, not chance's. The stream is
independent of the file's seed stream (the days `callsim run` and the plan's verification
simulate), so the verification is on days the search never saw.

Days are played by the engine `runner.playing` sets (auto: the fast engine where it
covers the scenario). A plan is simulated on a growing day-set (`first` days, doubled
while needed, up to `most`); the days of every plan are kept (KPIs only, never per-call
records), so more days for a plan cost only the new ones. Each (queue, interval) is
judged on each target (`judge`): it **clearly meets** or **clearly misses** when its
one-sided 99% confidence bound over the days lies on that side of the target (99% at
each of the up to five looks: about 5% false calls in all), and it is **precise** when
its one-sided 95% bound's half-width is within the target's tolerance (`TOLERANCE`: 1
point of service level or occupancy, half a point of abandon rate, 5% of an ASA target);
otherwise it is undecided, and the day-set grows while a cell that matters is undecided.
A precise or last-day-set cell is judged on its mean."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..model.scenario import Scenario
from ..model.targets import per_queue
from ..run.day import DayResult, one_day
from ..run.executors import Serial, in_use
from ..run.runner import in_play
from .allocation import group_requirement
from .edits import with_staffing

SEARCH_STREAM = 0x5EA2C4  # entropy word of the search's days (the file's seed is the other)
Z = 1.6448536269514722  # one-sided 95% normal quantile: the precision of a decision
Z_CLEAR = 2.3263478740408408  # one-sided 99% per look: ~5% false calls over five looks
TOLERANCE = {"service_level": 0.01, "abandon_rate": 0.005, "occupancy": 0.01}
ASA_TOLERANCE = 0.05  # share of the ASA target
SAMPLED = ("service_level", "asa", "abandon_rate", "occupancy", "accepted")


def targets(sc: Scenario) -> dict[str, tuple[np.ndarray, int, np.ndarray]]:
    """KPI -> (target, sign, tolerance) of every target some queue is held to, target and
    tolerance per queue as (queues, 1) arrays (NaN: none for that queue,
    `simulator.model.targets`); sign +1 where higher is better (service level), -1 where
    lower is (ASA, abandon rate, occupancy)."""
    out = {}
    for kpi, sign in (("service_level", 1), ("asa", -1), ("abandon_rate", -1)):
        target = per_queue(sc, kpi)[:, None]
        if not np.isnan(target).all():
            tol = ASA_TOLERANCE * target if kpi == "asa" else np.full(target.shape, TOLERANCE[kpi])
            out[kpi] = (target, sign, tol)
    cap = sc.targets.occupancy_max
    if cap is not None:
        shape = (len(sc.queues), 1)
        out["occupancy"] = (np.full(shape, cap), -1, np.full(shape, TOLERANCE["occupancy"]))
    return out


@dataclass(frozen=True)
class Verdict:
    """How a plan fares on its day-set, per (queue, reported interval).

    `meets`: every target met (on the clear side, or on the mean where undecided);
    `decided`: every target clear or precise (see the module docstring); `mean[kpi]`
    the mean over the days (NaN where no day had calls), `days` the day-set's size.
    """

    meets: np.ndarray
    decided: np.ndarray
    mean: dict[str, np.ndarray]
    days: int


def day_kpis(sc: Scenario, d: DayResult) -> dict[str, np.ndarray]:
    """SAMPLED KPIs of one day per (queue, reported interval); occupancy is the centre's."""
    return {k: np.array([d.queues[q].intervals[k] for q in sc.queues], float) for k in SAMPLED}


def judge(sc: Scenario, samples: dict[str, np.ndarray]) -> Verdict:
    """The verdict of day samples (kpi -> (days, queues, intervals)); a cell without
    accepted calls on any day meets (nothing to answer), and so does a target whose KPI
    no day defines (an ASA without answered calls)."""
    quiet = ~(np.nan_to_num(samples["accepted"]) > 0).any(axis=0)
    meets, decided, clear_miss = ~quiet | quiet, np.ones(quiet.shape, bool), ~quiet & quiet
    means = {}
    for kpi, (target, sign, tol) in targets(sc).items():
        x = samples[kpi]
        valid = (~np.isnan(x)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(x, axis=0) / valid
            sd = np.sqrt(np.nansum((x - mean) ** 2, axis=0) / np.maximum(valid - 1, 1))
            se = np.where(valid >= 2, sd / np.sqrt(valid), np.inf)
        margin = np.nan_to_num(sign * (mean - target), nan=np.inf)
        ok, clear = margin >= 0, np.abs(margin) >= Z_CLEAR * se
        meets &= ok
        clear_miss |= ~ok & clear
        decided &= clear | (Z * se <= tol)
        means[kpi] = mean
    return Verdict(meets | quiet, decided | clear_miss | quiet, means, samples["accepted"].shape[0])


class DaySets:
    """The search's simulated days of every plan tried (see the module docstring).

    `evaluate(required, matters)` simulates `required` (agents per (queue, interval), split
    among groups as any plan is) on `first`, 2 `first`, ... up to `most` days, stopping as
    soon as every cell where `matters` is decided, and returns its `Verdict`.
    """

    def __init__(
        self,
        sc: Scenario,
        seed: int,
        first: int,
        most: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.sc, self.first, self.most = sc, first, max(first, most)
        self.engine = in_play()  # `runner.playing`'s engine, else auto
        self.entropy = [SEARCH_STREAM, int(seed)]
        self.progress = progress
        self.skip = sc.simulation.warmup_intervals
        self._days: dict[bytes, list[dict[str, np.ndarray]]] = {}
        self.simulated = 0  # days simulated, every plan together
        self.plans = 0  # plans simulated

    def samples(self, required: np.ndarray, days: int) -> dict[str, np.ndarray]:
        """kpi -> (days, queues, reported intervals) of the requirement `required` (per
        queue, split among groups as any plan is) on the first `days` days."""
        split = group_requirement(self.sc, required)
        return self.staffed_samples({g: r.tolist() for g, r in split.items()}, days)

    def staffed_samples(self, staffing: dict[str, list[int]], days: int) -> dict[str, np.ndarray]:
        """kpi -> (days, queues, reported intervals) of the groups staffed as given."""
        key = b"".join(np.asarray(staffing[g], np.int64).tobytes() for g in sorted(staffing))
        have = self._days.setdefault(key, [])
        if not have:
            self.plans += 1
        if len(have) < days:
            staffed = with_staffing(self.sc, staffing)
            seeds = [
                np.random.SeedSequence(self.entropy, spawn_key=(i,)) for i in range(len(have), days)
            ]
            tasks = [(staffed, s, False, self.engine) for s in seeds]
            new: list[dict[str, np.ndarray] | None] = [None] * len(tasks)
            for i, d in (in_use() or Serial()).run(one_day, tasks):
                new[i] = day_kpis(self.sc, d)
            have += [d for d in new if d is not None]
            self.simulated += len(tasks)
            if self.progress:
                self.progress(self.simulated)
        return {k: np.stack([d[k] for d in have[:days]]) for k in SAMPLED}

    def evaluate(self, required: np.ndarray, matters: np.ndarray | None = None) -> Verdict:
        """The verdict of the requirement `required` on the smallest day-set that decides
        every cell where `matters` (all reported cells if None), or on `most` days."""
        split = group_requirement(self.sc, required)
        return self.evaluate_staffing({g: r.tolist() for g, r in split.items()}, matters)

    def evaluate_staffing(
        self, staffing: dict[str, list[int]], matters: np.ndarray | None = None
    ) -> Verdict:
        """`evaluate` for groups staffed as given (group -> agents per interval)."""
        days = self.first
        while True:
            v = judge(self.sc, self.staffed_samples(staffing, days))
            relevant = v.decided if matters is None else v.decided | ~matters[:, self.skip :]
            if relevant.all() or days >= self.most:
                return v
            days = min(2 * days, self.most)
