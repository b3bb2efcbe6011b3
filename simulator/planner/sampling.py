"""Sequential sampling for the staffing search: the verdicts on a plan's simulated days
(the days themselves, common random numbers across plans: `simulator.planner.daysets`).

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

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..model.scenario import Scenario
from ..model.targets import per_queue
from ..run.day import DayResult
from .dayshare import reported_day, sampled_days
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
