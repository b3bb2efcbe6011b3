"""The search's simulated days of every plan tried, with common random numbers (CRN)
across the candidate plans (`DaySets`; the verdicts on them: `simulator.planner.sampling`).

Day i of the search is the same day for every plan tried: its random streams come from
``SeedSequence([SEARCH_STREAM, seed], spawn_key=(i,))``, and the engine draws arrivals,
handle times and patience from streams of their own, so two plans meet the same callers
and a difference between them is the staffing's doing, not chance's. The stream is
independent of the file's seed stream (the days `callsim run` and the plan's verification
simulate), so the verification is on days the search never saw.

Days are played by the engine `runner.playing` sets (auto: the fast engine where it
covers the scenario). A plan is simulated on a growing day-set (`first` days, doubled
while needed, up to `most`); the days of every plan are kept (KPIs only, never per-call
records), so more days for a plan cost only the new ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..model.horizon import slice_intervals, stretches
from ..model.scenario import Scenario
from ..run.day import one_day
from ..run.executors import Serial, in_use
from ..run.runner import in_play
from .allocation import group_requirement
from .edits import with_staffing
from .sampling import (
    BASE_DAYS,
    SAMPLED,
    SEARCH_STREAM,
    Verdict,
    day_kpis,
    judge,
    judge_day_share,
    judge_share,
)


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
