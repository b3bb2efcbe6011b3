"""The verification of a plan on days it was not made on: the file's seed stream, which
the staffing search never simulates (`sampling` draws its days from a stream of its own).

`verify` simulates the plan on `days` days (never keeping per-call records) exactly as
``callsim run --replications days`` would simulate the plan written with ``--write``.
Its figures are the plan's KPIs: per (queue, interval) the mean and 95% CI of each KPI,
the share of days meeting each target and every target (of the days with accepted calls
in the cell: a day without callers neither meets nor misses), and the intervals **flagged**:
below a target by more than its tolerance (`sampling.TOLERANCE`) with the whole CI below
it. `spread` is the service level's standard deviation over the reported intervals (how
time-stable the plan is).

With a chance target (`days_meeting` p) the flags are about the share of days: an
interval is below where the share of the days meeting every target is under p, and
flagged where it is under p by more than `sampling.SHARE_TOLERANCE` with its whole 95%
Clopper-Pearson interval below p. It also counts, per queue and day, the share of days
whose **whole day** (the queue's calls of the day: `dayshare`) met every target; with a
chance target per day (`per_day`) the day flags (`day_below`, `day_flagged`) are about
that share the same way, and the interval flags about the means (each interval is
planned at least for its mean target).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..kpi.stats import confidence
from ..model.scenario import Scenario
from ..run.runner import SimulationResult, simulate
from . import sampling
from .allocation import group_requirement
from .dayshare import day_names
from .edits import with_staffing
from .predict import KPIS, meets_targets
from .requirement import meets_target
from .sampling import SHARE_TOLERANCE, counted_days, share_bounds, targets

SIMULATED = KPIS + ("accepted",)


def queue_samples(res: SimulationResult) -> dict[str, np.ndarray]:
    """Each SIMULATED KPI per (queue, day, interval) of the reported intervals."""
    if len(res.scenario.queues) == 1:
        return {k: res.interval_samples[k][None] for k in SIMULATED}
    per_queue = res.queue_interval_samples.values()
    return {k: np.array([q[k] for q in per_queue]) for k in SIMULATED}


def _pad(sc: Scenario, x: np.ndarray) -> np.ndarray:
    skip = sc.simulation.warmup_intervals
    return np.concatenate([np.full(x.shape[:-1] + (skip,), np.nan), x], axis=-1)


def simulated_figures(res: SimulationResult) -> tuple[dict, dict]:
    """(per queue, centre): mean, ci95 low and ci95 high of each SIMULATED KPI per
    interval, NaN-padded over the warm-up so that they line up with a plan's intervals."""
    sc = res.scenario
    samples = queue_samples(res)
    queues = {
        k: tuple(_pad(sc, v) for v in confidence(samples[k], axis=1, kpi=k)) for k in SIMULATED
    }
    center = {
        k: tuple(_pad(sc, np.asarray(v)) for v in confidence(res.interval_samples[k], kpi=k))
        for k in SIMULATED
    }
    return queues, center


def days_meeting_targets(res: SimulationResult, kpi: str | None = None) -> np.ndarray:
    """Share of the simulated days with accepted calls in each (queue, interval) on which
    it met every target (or only `kpi`'s), as (queues, intervals) (`counted_days`: a day
    without callers there neither meets nor misses); NaN over the warm-up and where no
    day had calls."""
    met, counted = days_counted(res, kpi)
    with np.errstate(invalid="ignore"):
        return met / counted


def days_counted(res: SimulationResult, kpi: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per (queue, interval): the days meeting every target (or `kpi`'s) and the days
    with accepted calls (`counted_days`), as floats NaN over the warm-up."""
    sc = res.scenario
    samples = queue_samples(res)
    met = meets_targets(sc, samples) if kpi is None else meets_target(sc, samples, kpi)
    met, counted = counted_days(met, samples["accepted"], axis=1)
    return _pad(sc, met.astype(float)), _pad(sc, counted.astype(float))


@dataclass(frozen=True)
class Verification:
    """A plan simulated on independent days (see the module docstring)."""

    result: SimulationResult = field(repr=False)
    queue_figures: dict[str, tuple[np.ndarray, ...]] = field(repr=False)
    center_figures: dict[str, tuple[np.ndarray, ...]] = field(repr=False)
    days_meeting: np.ndarray  # share of days meeting every target, (queues, intervals)
    days_meeting_each: dict[str, np.ndarray]  # target's KPI -> share, (queues, intervals)
    flagged: np.ndarray  # (queues, intervals): below a target by > tolerance, CI below
    below: np.ndarray  # (queues, intervals): a mean below a target (chance: the share)
    flagged_each: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # by KPI
    chance: float | None = None  # the chance target (share of days) the flags are about
    day_share: np.ndarray | None = None  # (queues, days): share of days the whole day met all
    day_below: np.ndarray | None = None  # chance per day: (queues, days) share under target
    day_flagged: np.ndarray | None = None  # ... by more than SHARE_TOLERANCE, CI below

    @property
    def spread(self) -> float:
        """Standard deviation over the reported intervals of the centre's service level."""
        return float(np.nanstd(self.center_figures["service_level"][0]))

    def share_ci(self) -> tuple[np.ndarray, np.ndarray]:
        """The 95% Clopper-Pearson interval (low, high) of `days_meeting` per cell, of
        the days with calls in the cell."""
        met, n = (np.nan_to_num(x) for x in days_counted(self.result))
        return share_bounds(met, n, 0.975)

    def day_share_ci(self) -> tuple[np.ndarray, np.ndarray]:
        """The 95% Clopper-Pearson interval (low, high) of `day_share` per (queue, day), of
        the days with calls that day."""
        return share_bounds(*whole_days_counted(self.result), 0.975)

    def notes(self, sc: Scenario) -> list[str]:
        """The verification in a sentence, its power in another, and one per flagged
        interval (its day and time, and the target it misses)."""
        res = self.result
        labels = [slot.label for slot in sc.calendar()]
        names = list(sc.queues)
        worst = np.nanmin(self.days_meeting)
        out = [
            f"verification: the plan simulated on {res.replications} independent days (seed "
            f"{res.seed}, never seen by the search): its KPIs; {int(self.below.sum())} "
            f"interval(s) with a mean below a target, {int(self.flagged.sum())} below by more "
            f"than the tolerance with the whole 95% CI below (flagged); service level sd over "
            f"intervals {self.spread:.3f}; every interval met every target on at least "
            f"{100 * worst:.0f}% of the days"
        ]
        if self.chance is not None and self.day_flagged is None:
            return self.share_notes(out, names, labels)
        found = self.power()
        if found.size:
            out.append(
                f"verification: on {res.replications} days a service level "
                f"{100 * POWER_MISS:g} points below target is flagged with at least 80% "
                f"chance in {100 * np.mean(found <= POWER_MISS):.0f}% of the intervals with "
                f"calls (the miss flagged at 80%: median {100 * np.median(found):.1f}, "
                f"largest {100 * found.max():.1f} points)"
            )
        for q, i in zip(*np.nonzero(self.flagged)):
            missed = [
                f"{KPI_WORDS.get(kpi, kpi)} {_figure(kpi, self.queue_figures[kpi], q, i)}"
                for kpi, flags in self.flagged_each.items()
                if flags[q, i]
            ]
            out.append(f"verification: flagged {names[q]} at {labels[i]}: {'; '.join(missed)}")
        return out + self.day_notes(sc)

    def day_notes(self, sc: Scenario) -> list[str]:
        """With a chance target per day: each queue's day share with its 95% interval, and
        the days below the target and flagged."""
        if self.day_flagged is None or self.day_below is None or self.day_share is None:
            return []
        chance, share = float(self.chance or 0.0), self.day_share
        low, high = self.day_share_ci()
        days, names = day_names(sc), list(sc.queues)
        each = [
            f"{names[q]}{'' if len(days) == 1 else ' ' + days[d]} "
            f"{100 * share[q, d]:.1f}% [{100 * low[q, d]:.1f}, {100 * high[q, d]:.1f}]"
            for q, d in np.ndindex(share.shape)
        ]
        return [
            f"verification: the whole day met every target on {', '.join(each)} of the "
            f"{self.result.replications} days (planned for {100 * chance:g}% per day); "
            f"{int(self.day_below.sum())} day(s) below, {int(self.day_flagged.sum())} by more "
            f"than {100 * SHARE_TOLERANCE:g} points with the whole 95% interval below (flagged)"
        ]

    def share_notes(self, out: list[str], names: list[str], labels: list[str]) -> list[str]:
        """`out` (the verification's sentence) said of the chance target, and one note per
        flagged interval: its share of days with the 95% Clopper-Pearson interval."""
        chance = float(self.chance or 0.0)
        out[0] = (
            out[0]
            .replace(
                "with a mean below a target",
                f"meeting every target on less than {100 * chance:g}% of the days",
            )
            .replace("the tolerance", f"{100 * SHARE_TOLERANCE:g} points")
        )
        low, high = self.share_ci()
        for q, i in zip(*np.nonzero(self.flagged)):
            out.append(
                f"verification: flagged {names[q]} at {labels[i]}: every target met on "
                f"{100 * self.days_meeting[q, i]:.1f}% of the days [{100 * low[q, i]:.1f}, "
                f"{100 * high[q, i]:.1f}] (planned for {100 * chance:g}%)"
            )
        return out

    def power(self) -> np.ndarray:
        """The service-level miss (a share) that the flag finds with 80% chance, per
        (queue, interval) with calls on at least two days: the tolerance or the CI's
        half-width h, whichever is larger, plus 0.84 standard errors (h / 1.96)."""
        mean, _, high = self.queue_figures["service_level"]
        tol = sampling.TOLERANCE["service_level"]
        h = high - mean
        h = h[np.isfinite(h)]
        return np.maximum(tol, h) + Z80 * h / Z95


POWER_MISS = 0.02  # the service-level miss whose chance of a flag the notes state
Z80, Z95 = 0.8416212335729143, 1.959963984540054  # normal quantiles: 80% power, 95% CI
KPI_WORDS = {
    "service_level": "service level",
    "abandon_rate": "abandon rate",
    "asa": "ASA",
    "occupancy": "occupancy",
}


def _figure(kpi: str, figures: tuple[np.ndarray, ...], q: int, i: int) -> str:
    """A KPI's mean [95% CI] in one (queue, interval): points, or seconds for ASA."""
    m, lo, hi = (float(x[q, i]) for x in figures)
    if kpi == "asa":
        return f"{m:.1f} s [{lo:.1f}, {hi:.1f}]"
    return f"{100 * m:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]"


def verify_staffing(
    sc: Scenario,
    staffing: dict[str, list[int]],
    days: int,
    chance: float | None = None,
    per_day: bool = False,
) -> Verification:
    """`sc` staffed as given (group -> agents per interval) on `days` days of its seed;
    with a `chance` target (share of days) the flags are about the share of days (of
    each interval, or `per_day` of each queue's whole day)."""
    res = simulate(with_staffing(sc, staffing), replications=days, keep_records=False)
    queues, center = simulated_figures(res)
    flagged = np.zeros(queues["service_level"][0].shape, bool)
    below, each = flagged.copy(), {}
    for kpi, (target, sign, tol) in targets(sc).items():
        mean, low, high = queues[kpi]
        worse = np.nan_to_num(sign * (mean - target), nan=0.0)
        best = high if sign > 0 else low  # the CI's end nearest to meeting the target
        beyond = np.nan_to_num(sign * (best - target), nan=0.0)
        below |= worse < 0
        each[kpi] = (worse < -tol) & (beyond < 0)
        flagged |= each[kpi]
    check = Verification(
        res,
        queues,
        center,
        days_meeting_targets(res),
        {k: days_meeting_targets(res, k) for k in targets(sc)},
        flagged,
        below,
        each,
        day_share=whole_day_share(res),
    )
    if chance is None:
        return check
    return days_short_of(check, chance) if per_day else short_of(check, chance)


def whole_day_samples(res: SimulationResult) -> dict[str, np.ndarray]:
    """Each queue's whole-day KPIs, kpi -> (queues, replications, days): the day's (a
    horizon's: each reported date's)."""
    sc, queues = res.scenario, list(res.scenario.queues)
    if sc.horizon is None:
        return {k: np.array([res.queue_samples[q][k][:, None] for q in queues]) for k in SIMULATED}
    return {k: np.array([res.queue_daily_samples[q][k] for q in queues]) for k in SIMULATED}


def whole_day_share(res: SimulationResult) -> np.ndarray:
    """Per (queue, day): the share of the days with calls whose whole day met every
    target (NaN where no day had calls)."""
    met, counted = whole_days_counted(res)
    with np.errstate(invalid="ignore", divide="ignore"):
        return met / counted


def whole_days_counted(res: SimulationResult) -> tuple[np.ndarray, np.ndarray]:
    """Per (queue, day): the simulated days whose whole day met every target, and the days
    counted (`counted_days`: a day without accepted calls neither meets nor misses)."""
    days = whole_day_samples(res)
    return counted_days(meets_targets(res.scenario, days), days["accepted"], axis=1)


def days_short_of(check: Verification, chance: float) -> Verification:
    """`check` with day flags about the chance target per day `chance` (module docstring)."""
    assert check.day_share is not None
    below = check.day_share < chance
    flagged = below & (check.day_share < chance - SHARE_TOLERANCE)
    flagged &= check.day_share_ci()[1] < chance
    return replace(check, day_below=below, day_flagged=flagged, chance=chance)


def short_of(check: Verification, chance: float) -> Verification:
    """`check` with its flags about the chance target `chance` (see the module docstring)."""
    share = np.nan_to_num(check.days_meeting, nan=1.0)  # the warm-up is not judged
    below = share < chance
    flagged = (share < chance - SHARE_TOLERANCE) & (check.share_ci()[1] < chance)
    return replace(check, flagged=flagged, below=below, chance=chance)


def verify(
    sc: Scenario,
    required: np.ndarray,
    days: int,
    chance: float | None = None,
    per_day: bool = False,
) -> Verification:
    """The requirement `required` (per queue) split among groups, verified on `days`."""
    staffing = {g: r.tolist() for g, r in group_requirement(sc, required).items()}
    return verify_staffing(sc, staffing, days, chance, per_day)
