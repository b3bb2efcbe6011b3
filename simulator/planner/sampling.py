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
records), so more days for a plan cost only the new ones.

**The decision rule** (`judge`), per (queue, interval) and target, with the target's
tolerance tol (`TOLERANCE`: 1 point of service level or occupancy, half a point of
abandon rate, 5% of an ASA target) and its indifference zone ZONE x tol (half of it):

- the cell **meets** the target when its estimated KPI is within the zone of it or on
  its right side (service level >= 79.5% for 80/20);
- it is **decided** when the one-sided 99% confidence bound on the far side of that
  verdict lies within the tolerance (a cell that meets: its lower bound >= 79%) or short
  of the target (a cell that misses: its upper bound < 80%); otherwise the day-set grows
  while a cell that matters is undecided, and at the largest the verdict is taken on
  the estimate.

So a decided cell that meets truly falls short of its target by less than the
tolerance, and one that misses truly misses its target, each at 99% per look (up to
seven looks, 40 to 2,560 days: at most 7% in all, less as the looks share their days).
The zone is the price of deciding at all: a cell whose KPI sits between 79.5% and 80%
is accepted, and a decrease is refused only where the KPI would fall below 79.5%.

A trial plan may be judged **paired** with a base plan (`estimate`): its KPI is the
base's mean over all the base's days plus the mean paired difference over the trial's
days (the same days: common random numbers). One agent fewer changes a day's service
level by far less than days differ (sd ~4 points against ~14 on peak_day.yaml), so a
trial on 640 days paired with a base on 2,560 is nearly as precise as the base.
With a **chance target** (`days_meeting` p, a share of days; the days then carry the
scenario's daily busyness factor) a cell is judged instead on the share of the days on
which it meets every target (`judge_share`, never paired; the share is of the days
with accepted calls in the cell: a day without callers neither meets nor misses, so
n is per cell): it meets when that share is
>= p, clearly so (or clearly not) when the one-sided 99% Clopper-Pearson bound lies on
that side of p, and it is precise when the one-sided 95% bound is within
`SHARE_TOLERANCE` (2 points of share) of the share. With a chance target **per day**
(`per_day`) each queue's whole day is judged so instead (`judge_day_share`: its day
figures from the same interval KPIs, `dayshare.sampled_days`), its verdict given to
each of the day's intervals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..model.horizon import slice_intervals, stretches
from ..model.scenario import Scenario
from ..model.targets import per_queue
from ..run.day import DayResult, one_day
from ..run.executors import Serial, in_use
from ..run.runner import in_play
from .allocation import group_requirement
from .dayshare import reported_day, sampled_days
from .edits import with_staffing
from .predict import meets_targets

SEARCH_STREAM = 0x5EA2C4  # entropy word of the search's days (the file's seed is the other)
Z_CLEAR = 2.3263478740408408  # one-sided 99% per look: ~5% false calls over five looks
TOLERANCE = {"service_level": 0.01, "abandon_rate": 0.005, "occupancy": 0.01}
ASA_TOLERANCE = 0.05  # share of the ASA target
ZONE = 0.5  # the indifference zone, a share of the tolerance: meets at target - ZONE x tol
BASE_DAYS = 4  # a paired trial's base plan is simulated on 4x the trial's days
SHARE_TOLERANCE = 0.02  # a chance target's precision: 2 points of the share of days
SAMPLED = ("service_level", "asa", "abandon_rate", "occupancy", "accepted", "answered", "agents")


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
    the mean over the days (NaN where no day had calls), `days` the day-set's size;
    `share`: with a chance target, the share of the days meeting every target (the
    decision is then on it, `judge_share`).
    """

    meets: np.ndarray
    decided: np.ndarray
    mean: dict[str, np.ndarray]
    days: int
    share: np.ndarray | None = None


def day_kpis(sc: Scenario, d: DayResult) -> dict[str, np.ndarray]:
    """SAMPLED KPIs of one day per (queue, reported interval); occupancy is the centre's."""
    return {k: np.array([d.queues[q].intervals[k] for q in sc.queues], float) for k in SAMPLED}


def mean_se(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error over the days (axis 0) of samples with NaN for days that
    do not define the KPI; se infinite with fewer than two such days."""
    valid = (~np.isnan(x)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, axis=0) / valid
        sd = np.sqrt(np.nansum((x - mean) ** 2, axis=0) / np.maximum(valid - 1, 1))
        return mean, np.where(valid >= 2, sd / np.sqrt(valid), np.inf)


def estimate(x: np.ndarray, base: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A plan's mean KPI per cell and its standard error, from its samples `x` (days,
    ...). With `base`, samples of another plan on at least as many days whose first are
    x's days (common random numbers), the base's mean over all its days plus the mean
    paired difference x - base over x's days: the difference varies far less from day to
    day than either plan, so the estimate is nearly as precise as the base's."""
    if base is None:
        return mean_se(x)
    diff, diff_se = mean_se(x - base[: x.shape[0]])
    level, level_se = mean_se(base)
    return level + diff, np.sqrt(diff_se**2 + level_se**2)


def judge(
    sc: Scenario, samples: dict[str, np.ndarray], base: dict[str, np.ndarray] | None = None
) -> Verdict:
    """The verdict of day samples (kpi -> (days, queues, intervals)), estimated through
    the paired differences from `base`'s samples if given (`estimate`), by the decision
    rule (module docstring): a cell meets a target when its estimate is within the
    indifference zone ZONE x tolerance of it or beyond. A cell without accepted calls on
    any day meets (nothing to answer), and so does a target whose KPI no day defines."""
    quiet = ~(np.nan_to_num(samples["accepted"]) > 0).any(axis=0)
    meets, decided, clear_miss = ~quiet | quiet, np.ones(quiet.shape, bool), ~quiet & quiet
    means = {}
    for kpi, (target, sign, tol) in targets(sc).items():
        mean, se = estimate(samples[kpi], None if base is None else base[kpi])
        margin = np.nan_to_num(sign * (mean - target) + ZONE * tol, nan=np.inf)
        ok = margin >= 0  # within the zone or beyond
        # the 99% bound on the far side: within the tolerance (meets), short of the target
        sure = Z_CLEAR * se <= np.where(ok, margin + (1 - ZONE) * tol, ZONE * tol - margin)
        meets &= ok
        clear_miss |= ~ok & sure
        decided &= sure
        means[kpi] = mean
    return Verdict(meets | quiet, decided | clear_miss | quiet, means, samples["accepted"].shape[0])


def days_met(sc: Scenario, samples: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per cell (queues, intervals) of day samples (days, queues, intervals): the days
    meeting every target, each cell held to its queue's targets, and the days counted
    (`counted_days`: a day without accepted calls there neither meets nor misses)."""
    queue = np.arange(samples["accepted"].shape[1])[:, None]
    return counted_days(meets_targets(sc, samples, queue), samples["accepted"])


def counted_days(
    met: np.ndarray, accepted: np.ndarray, axis: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, over the days (`axis`): the days on which the cell met (`met`) and the
    days counted, those with accepted calls in the cell. A day without callers there
    neither meets nor misses: a share of days is met ÷ counted (NaN where none counts)."""
    counted = np.nan_to_num(accepted) > 0
    return (met & counted).sum(axis=axis), counted.sum(axis=axis)


def share_bounds(
    met: np.ndarray, n: np.ndarray | int, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided Clopper-Pearson bounds (lower, upper) at confidence `level` of the share
    of `n` days, `met` of which met (counts, arrays or n one for all; 0 and 1 where n is
    0)."""
    k = np.asarray(met, float)
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, stats.beta.ppf(1 - level, k, n - k + 1), 0.0)
        high = np.where(k < n, stats.beta.ppf(level, k + 1, n - k), 1.0)
    return low, high


def judge_share(sc: Scenario, samples: dict[str, np.ndarray], days_meeting: float) -> Verdict:
    """The verdict of day samples against a chance target: per cell, whether the share of
    its days with calls meeting every target is >= `days_meeting` (see the module
    docstring); a cell without calls on any day meets (share NaN)."""
    meets, decided, share = share_verdict(*days_met(sc, samples), days_meeting)
    return Verdict(meets, decided, judge(sc, samples).mean, samples["accepted"].shape[0], share)


def share_verdict(
    met: np.ndarray, n: np.ndarray, days_meeting: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(meets, decided, share) of counts `met` of `n` days counted, per cell, against a
    chance target: meets when the share is >= `days_meeting`, decided when the one-sided
    99% Clopper-Pearson bound is on that side or the one-sided 95% bound within
    SHARE_TOLERANCE of the share; a cell with no day counted meets (share NaN)."""
    quiet = n == 0
    with np.errstate(invalid="ignore"):
        share = met / n
    low99, high99 = share_bounds(met, n, 0.99)
    low95, high95 = share_bounds(met, n, 0.95)
    meets = share >= days_meeting
    clear = np.where(meets, low99 >= days_meeting, high99 < days_meeting)
    near = np.where(meets, share - low95, high95 - share)
    return meets | quiet, clear | (near <= SHARE_TOLERANCE) | quiet, share


def judge_day_share(sc: Scenario, samples: dict[str, np.ndarray], days_meeting: float) -> Verdict:
    """The verdict of day samples against a chance target per day: each queue's whole day
    (`dayshare.sampled_days`) judged as `judge_share` judges a cell (of the days with
    calls that day), its verdict given to every reported interval of that day."""
    days = sampled_days(sc, samples)  # kpi -> (queues, samples, days)
    met, n = counted_days(meets_targets(sc, days), days["accepted"], axis=1)
    meets, decided, share = share_verdict(met, n, days_meeting)
    day, size = reported_day(sc), samples["accepted"].shape[0]
    return Verdict(meets[:, day], decided[:, day], judge(sc, samples).mean, size, share[:, day])


class DaySets:
    """The search's simulated days of every plan tried (see the module docstring).

    `evaluate(required, matters)` simulates `required` (agents per (queue, interval), split
    among groups as any plan is) on `first`, 2 `first`, ... up to `most` days, stopping as
    soon as every cell where `matters` is decided, and returns its `Verdict`; with
    `days_meeting` (a chance target) the verdicts are on the share of days (`judge_share`;
    `per_day`: of each queue's whole day, `judge_day_share`).

    A horizon whose nights are closed is kept **by date** (`parts`: one DaySets per
    stretch, each the horizon cut to that stretch's dates, so its days are exactly the
    stretch's days in the whole horizon: the same date-keyed streams, see
    `simulator.run.horizon`). A plan is then simulated, judged and grown date by date: a
    trial that changes only some dates simulates only those, and a date close to its
    target gets more days without the others. `most` may be a function of the scenario
    (each date's own largest day-set). `budget`: forecast calls the search may simulate
    with these days (`spent` once reached); `calls` counts them, `simulated` counts
    simulated days (a stretch of a horizon kept by date counts as one).
    """

    def __init__(
        self,
        sc: Scenario,
        seed: int,
        first: int,
        most: int | Callable[[Scenario], int],
        progress: Callable[[int], None] | None = None,
        parent: DaySets | None = None,
        days_meeting: float | None = None,
        per_day: bool = False,
    ) -> None:
        self.sc, self.first = sc, first
        self.most = max(first, most(sc) if callable(most) else most)
        self.days_meeting, self.per_day = days_meeting, per_day
        self.engine = in_play()  # `runner.playing`'s engine, else auto
        self.entropy = [SEARCH_STREAM, int(seed)]
        self.progress, self.parent = progress, parent
        self.skip = sc.simulation.warmup_intervals
        self.calls_a_day = forecast_calls(sc)
        self.budget = np.inf  # forecast calls these days may take (the search sets it)
        self._days: dict[bytes, list[dict[str, np.ndarray]]] = {}
        self._simulated, self._calls, self._plans = 0, 0.0, 0
        self.span = slice(0, sc.n_intervals)  # its intervals in the parent's
        self.parts = [
            DaySets(part, seed, first, most, progress, self, days_meeting, per_day)._within(span)
            for part, span in by_date(sc)
        ]

    def _within(self, span: slice) -> DaySets:
        self.span = span
        return self

    @property
    def simulated(self) -> int:
        """Days simulated, every plan together (a date kept apart counts one)."""
        return self._simulated + sum(p.simulated for p in self.parts)

    @property
    def calls(self) -> float:
        """Forecast calls of the days simulated, every plan together."""
        return self._calls + sum(p.calls for p in self.parts)

    @property
    def plans(self) -> int:
        """Plans simulated (of a horizon kept by date: the most any date simulated)."""
        return self._plans + max((p.plans for p in self.parts), default=0)

    @property
    def spent(self) -> bool:
        """Whether these days have taken their `budget` of simulated calls."""
        return self.calls >= self.budget

    def samples(self, required: np.ndarray, days: int) -> dict[str, np.ndarray]:
        """kpi -> (days, queues, reported intervals) of the requirement `required` (per
        queue, split among groups as any plan is) on the first `days` days."""
        return self.staffed_samples(_staffing(self.sc, required), days)

    def _split(self, staffing: dict[str, list[int]]) -> bool:
        """Whether a staffing is played date by date: kept by date, and every group
        named (else a group left to the roster plays it: the whole horizon does)."""
        return bool(self.parts) and set(staffing) == set(self.sc.agents)

    def staffed_samples(self, staffing: dict[str, list[int]], days: int) -> dict[str, np.ndarray]:
        """kpi -> (days, queues, reported intervals) of the groups staffed as given."""
        if self._split(staffing):
            cut = [p.staffed_samples(_cut(staffing, p.span), days) for p in self.parts]
            return {k: np.concatenate([c[k] for c in cut], axis=2) for k in SAMPLED}
        have = self._days.setdefault(_key(staffing), [])
        if not have:
            self._plans += 1
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
            self._simulated += len(tasks)
            self._calls += len(tasks) * self.calls_a_day
            self._report()
        return {k: np.stack([d[k] for d in have[:days]]) for k in SAMPLED}

    def _report(self) -> None:
        root = self
        while root.parent is not None:
            root = root.parent
        if root.progress:
            root.progress(root.simulated)

    def judge(self, samples: dict[str, np.ndarray], paired: dict | None = None) -> Verdict:
        """The verdict of day samples: on the means (`paired` with a base plan's), or on
        the share of days."""
        if self.days_meeting is None:
            return judge(self.sc, samples, paired)
        if self.per_day:
            return judge_day_share(self.sc, samples, self.days_meeting)
        return judge_share(self.sc, samples, self.days_meeting)

    def known(self, staffing: dict[str, list[int]]) -> int:
        """Days already simulated for the groups staffed as given (of a horizon kept by
        date: the fewest any date has)."""
        if self._split(staffing):
            return min(p.known(_cut(staffing, p.span)) for p in self.parts)
        return len(self._days.get(_key(staffing), []))

    def evaluate(
        self,
        required: np.ndarray,
        matters: np.ndarray | None = None,
        base: np.ndarray | None = None,
        deep: bool = False,
    ) -> Verdict:
        """The verdict of the requirement `required` on the smallest day-set that decides
        every cell where `matters` (all reported cells if None), or on `most` days
        (BASE_DAYS x `most` if `deep`: a round's base plan). With `base`, another
        requirement, each KPI is estimated through the paired differences from it, the
        base on BASE_DAYS times the days or as many as it already has (`estimate`)."""
        return self.evaluate_staffing(
            _staffing(self.sc, required),
            matters,
            None if base is None else _staffing(self.sc, base),
            deep,
        )

    def evaluate_staffing(
        self,
        staffing: dict[str, list[int]],
        matters: np.ndarray | None = None,
        base: dict[str, list[int]] | None = None,
        deep: bool = False,
    ) -> Verdict:
        """`evaluate` for groups staffed as given (group -> agents per interval); kept
        by date, each date on its own smallest deciding day-set."""
        if self._split(staffing):
            verdicts = [
                p.evaluate_staffing(
                    _cut(staffing, p.span),
                    None if matters is None else matters[:, p.span],
                    None if base is None else _cut(base, p.span),
                    deep,
                )
                for p in self.parts
            ]
            return joined(verdicts)
        most = BASE_DAYS * self.most if deep else self.most
        days = self.first
        while True:
            paired = None
            if base is not None and self.days_meeting is None:
                paired = self.staffed_samples(base, max(self.known(base), BASE_DAYS * days))
            v = self.judge(self.staffed_samples(staffing, days), paired)
            relevant = v.decided if matters is None else v.decided | ~matters[:, self.skip :]
            if relevant.all() or days >= most:
                return v
            days = min(2 * days, most)


def _staffing(sc: Scenario, required: np.ndarray) -> dict[str, list[int]]:
    """Agents per interval of each group, the requirement split as any plan's."""
    return {g: r.tolist() for g, r in group_requirement(sc, required).items()}


def _key(staffing: dict[str, list[int]]) -> bytes:
    """A staffing's key among those simulated."""
    return b"".join(np.asarray(staffing[g], np.int64).tobytes() for g in sorted(staffing))


def forecast_calls(sc: Scenario) -> float:
    """The forecast's calls over the scenario's day (or horizon), at least 1."""
    return max(float(sum(sum(q.volumes) for q in sc.queues.values())), 1.0)


def by_date(sc: Scenario) -> list[tuple[Scenario, slice]]:
    """A horizon with closed nights cut into its stretches (a day, or a 24/7 run of
    days), each the horizon restricted to the stretch's dates, with its intervals'
    slice; none for a scenario of one stretch, or with a roster (its days by name), or
    a warm-up longer than the first stretch."""
    runs = stretches(sc) if sc.horizon is not None else []
    if len(runs) < 2 or sc.roster is not None or sc.simulation.warmup_intervals >= runs[0].stop:
        return []
    assert sc.horizon is not None
    out = []
    for k, run in enumerate(runs):
        dates = [d.date for d in run.days]
        part = slice_intervals(sc, run.first, run.stop)
        horizon = sc.horizon.model_copy(update={"start": None, "days": None, "dates": dates})
        warmup = sc.simulation.warmup_intervals if k == 0 else 0
        simulation = sc.simulation.model_copy(update={"warmup_intervals": warmup})
        part = part.model_copy(update={"horizon": horizon, "simulation": simulation})
        out.append((part, slice(run.first, run.stop)))
    return out


def _cut(staffing: dict[str, list[int]], span: slice) -> dict[str, list[int]]:
    return {g: list(r[span]) for g, r in staffing.items()}


def joined(verdicts: list[Verdict]) -> Verdict:
    """The verdicts of consecutive runs of intervals as one (days: the largest day-set)."""
    return Verdict(
        np.concatenate([v.meets for v in verdicts], axis=1),
        np.concatenate([v.decided for v in verdicts], axis=1),
        {k: np.concatenate([v.mean[k] for v in verdicts], axis=1) for k in verdicts[0].mean},
        max(v.days for v in verdicts),
        None
        if verdicts[0].share is None
        else np.concatenate([v.share for v in verdicts if v.share is not None], axis=1),
    )
