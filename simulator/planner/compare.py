"""Compare: the analytic plan beside the simulation, and scenarios beside each other.

Two questions, one module:

* **Does Erlang tell the truth about this schedule?** `compare_plan` takes a scenario
  AS STAFFED in its file, predicts each interval's KPIs with Erlang C or Erlang A at
  that staffing (`predict.predict_at`: the same queue/group rules as the
  plan), simulates the day, and flags each prediction that falls outside the
  simulation's 95% confidence interval ("disagree", by more than the KPI's `tolerance` in
  `simulator.kpi.registry`: below it no planner acts).
  Where they disagree the
  formula's assumptions do not hold: callers hang up (Erlang C), handle times are
  not exponential, lines are limited, calls are transferred or redialled, agents
  are shared between queues, or the interval is too short to reach steady state.
* **Which schedule is better, and by how much?** `compare_scenarios` simulates
  several scenarios with the same replications and seed. The engine draws each
  purpose (arrivals, handle times, patience...) from its own stream, so the
  scenarios meet the same callers as far as they can (common random numbers), and
  the day-by-day differences to the first scenario get paired confidence intervals,
  much narrower than the two intervals side by side suggest.

* **What if the calls grew 15%, or handling got 10% faster?** `compare_what_ifs`
  sets a scenario against copies of itself edited (`edits.apply_what_if`), simulated
  on the same random numbers as `compare_scenarios` does, so the differences pair.

`volume_scale` rescales every forecast volume of every scenario compared, alike
(1.15: 15% over forecast); to scale one side only, compare a what-if.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..kpi.registry import PREDICTED, REGISTRY
from ..kpi.stats import CI, confidence
from ..model.scenario import Scenario
from ..run.runner import SimulationResult, simulate
from .edits import apply_what_if, not_ready_note, scale_volumes, what_if_label
from .predict import ERLANG, check_method, erlang_method, predict_at

COMPARED = ("offered", *PREDICTED)


def _disagree(kpi: str, predicted: float, low: float, high: float) -> bool | None:
    """Prediction outside [low, high] by more than the KPI's tolerance; None if either
    is undefined."""
    if np.isnan(predicted) or not np.isfinite(low) or not np.isfinite(high):
        return None
    tol = REGISTRY[kpi].tolerance or 0.0
    return bool(predicted < low - tol or predicted > high + tol)


@dataclass
class PlanComparison:
    """Erlang's predicted KPIs at the file's staffing beside the simulated ones.

    `predicted[kpi]` holds one value per reported interval (warm-up left out) and
    `predicted_day[kpi]` the day's; `simulated` is the SimulationResult.
    """

    method: str
    volume_scale: float
    predicted: dict[str, np.ndarray]
    predicted_day: dict[str, float]
    agents: np.ndarray
    simulated: SimulationResult = field(repr=False)
    notes: list[str] = field(default_factory=list)  # why this formula, what it ignores

    def figures(self, kpi: str) -> tuple[np.ndarray, ...]:
        """(predicted, simulated mean, ci95 low, ci95 high, disagree) per interval."""
        mean, low, high = confidence(self.simulated.interval_samples[kpi], kpi=kpi)
        pred = self.predicted[kpi]
        flags = np.array(
            [_disagree(kpi, p, lo, hi) for p, lo, hi in zip(pred, low, high)], dtype=object
        )
        return pred, mean, low, high, flags

    def day_figures(self, kpi: str) -> tuple:
        """(predicted, simulated mean, ci95 low, ci95 high, disagree) for the day."""
        mean, low, high = (float(v) for v in confidence(self.simulated.day_samples[kpi], kpi=kpi))
        pred = self.predicted_day[kpi]
        return pred, mean, low, high, _disagree(kpi, pred, low, high)


def formula_notes(sc: Scenario, method: str, chosen: bool) -> list[str]:
    """Why `method` was used on `sc` (`chosen`: picked by `erlang_method`, not given),
    and what in the file it ignores, in a sentence each."""
    stay = [n for n, q in sc.queues.items() if q.patience is None]  # nobody hangs up
    leave = [n for n, q in sc.queues.items() if q.patience is not None]
    notes = []
    if method == "erlang-c" and leave:
        why = (
            f"chosen because queue(s) {', '.join(stay)} have no patience (erlang-a needs it)"
            if chosen
            else "as asked"
        )
        notes.append(
            f"erlang-c ({why}) lets nobody hang up, but callers of {', '.join(leave)} do: "
            "it predicts longer waits and no abandonment there, so those intervals disagree "
            "with the simulation by construction"
            + ("" if chosen else "; --method erlang-a fits this file")
        )
    elif method == "erlang-a" and chosen:
        notes.append("erlang-a: chosen because every queue has a patience")
    if method == "erlang-a":
        shaped = [
            n
            for n, q in sc.queues.items()
            if q.patience and q.patience.distribution != "exponential"
        ]
        if shaped:
            notes.append(
                f"erlang-a takes the patience of {', '.join(shaped)} as an exponential "
                "with its hazard-matched mean (see predict.hazard_matched_mean); the "
                "simulation draws its shape"
            )
    return notes


def compare_plan(
    sc: Scenario,
    method: str | None = None,
    volume_scale: float = 1.0,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> PlanComparison:
    """Erlang (`method`: erlang-c or erlang-a; None: the one that fits the file, see
    `predict.erlang_method`) at the scenario's own staffing vs the simulated day."""
    chosen = method is None
    method = erlang_method(sc) if method is None else method
    check_method(method, ERLANG)
    scaled = scale_volumes(sc, volume_scale)
    pred = predict_at(scaled, method)  # raises before a long simulation
    res = simulate(scaled, replications, seed, workers, progress, keep_records=False)
    first = scaled.simulation.warmup_intervals
    total = pred.total(first)
    return PlanComparison(
        method=method,
        volume_scale=float(volume_scale),
        predicted={k: np.asarray(total[k], dtype=float) for k in COMPARED},
        predicted_day=pred.day(first),
        agents=total["agents"],
        simulated=res,
        notes=formula_notes(sc, method, chosen),
    )


@dataclass
class ScenarioComparison:
    """Several scenarios simulated with the same replications and seed; `notes` say
    where the pairing is weaker than it looks (other intervals, the same file twice)."""

    labels: list[str]
    volume_scale: float
    results: list[SimulationResult] = field(repr=False)
    notes: list[str] = field(default_factory=list)

    def difference(self, index: int, kpi: str) -> CI:
        """Mean and paired 95% CI of (scenario `index` - the first), over the days."""
        base = self.results[0].day_samples[kpi]
        return CI(*(float(v) for v in confidence(self.results[index].day_samples[kpi] - base)))

    @property
    def same_intervals(self) -> bool:
        """Whether every scenario reports the same intervals (so they pair one by one)."""
        first = self.results[0]
        return all(
            r.starts == first.starts
            and r.scenario.interval_minutes == first.scenario.interval_minutes
            for r in self.results
        )

    def interval_difference(self, index: int, kpi: str) -> CI:
        """Per interval, the mean and paired 95% CI of (scenario `index` - the first);
        only where `same_intervals`."""
        if not self.same_intervals:
            raise ValueError("interval_difference: the scenarios report other intervals")
        base = self.results[0].interval_samples[kpi]
        return confidence(self.results[index].interval_samples[kpi] - base)


def _span(sc: Scenario) -> str:
    """'24 intervals of 30 min from 08:00' (and the open days of a horizon)."""
    days = len(sc.days())
    over = f" over {days} days" if days > 1 else ""
    return f"{sc.n_intervals} intervals of {sc.interval_minutes} min from {sc.open}{over}"


def pairing_notes(labels: Sequence[str], scenarios: Sequence[Scenario]) -> list[str]:
    """Where the pairing of `scenarios` (to the first) is weaker than it looks: other
    intervals or horizons (the days pair, the intervals do not), other dates (the
    intervals pair in order), or a scenario that is the first one again (every
    difference is 0)."""
    notes, first = [], scenarios[0]
    for label, sc in zip(labels[1:], scenarios[1:]):
        if _span(sc) != _span(first) or sc.interval_starts() != first.interval_starts():
            notes.append(
                f"{label} covers {_span(sc)}, {labels[0]} {_span(first)}: the simulated "
                "days are paired day by day, but not the intervals, so no per-interval "
                "differences are given"
            )
        elif [s.label for s in sc.calendar()] != [s.label for s in first.calendar()]:
            notes.append(
                f"{label} and {labels[0]} open the same intervals on other dates: the "
                "intervals are paired in order (the first of one with the first of the other)"
            )
        elif sc == first:
            notes.append(
                f"{label} is the same scenario as {labels[0]}: every difference is 0; to "
                "compare a file with itself edited, use --what-if (e.g. --what-if volume=1.15)"
            )
    return notes


def compare_scenarios(
    scenarios: Sequence[Scenario],
    labels: Sequence[str] | None = None,
    volume_scale: float = 1.0,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ScenarioComparison:
    """Simulate every scenario with the same replications and seed (defaults: the
    first scenario's), for paired comparisons; `volume_scale` multiplies the volumes of
    every one alike. `progress(done)` counts days overall."""
    if not scenarios:
        raise ValueError("scenarios: give at least one")
    labels = list(labels) if labels is not None else [sc.name for sc in scenarios]
    replications = replications or scenarios[0].simulation.replications
    seed = scenarios[0].simulation.seed if seed is None else seed
    scaled = [scale_volumes(sc, volume_scale) for sc in scenarios]
    results = []
    for i, sc in enumerate(scaled):
        tick = (lambda done, i=i: progress(i * replications + done)) if progress else None
        results.append(simulate(sc, replications, seed, workers, tick, keep_records=False))
    return ScenarioComparison(labels, float(volume_scale), results, pairing_notes(labels, scaled))


def compare_what_ifs(
    sc: Scenario,
    what_ifs: Sequence[dict[str, float]],
    label: str | None = None,
    volume_scale: float = 1.0,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ScenarioComparison:
    """`sc` against copies of itself edited by each what-if (`edits.parse_what_if`:
    {"volume": 1.15}, {"aht": 0.9}...), all on the same random numbers, so each
    difference to `sc` is paired day by day. Labels: `label` (default: the scenario's
    name), then the what-ifs ("volume×1.15")."""
    if not what_ifs:
        raise ValueError("what_ifs: give at least one")
    base = label or sc.name
    edited = [apply_what_if(sc, e) for e in what_ifs]
    labels = [base, *(what_if_label(e) for e in what_ifs)]
    cmp = compare_scenarios(
        [sc, *edited], labels, volume_scale, replications, seed, workers, progress
    )
    cmp.notes += [n for e in what_ifs if (n := not_ready_note(sc, e)) is not None]
    return cmp
