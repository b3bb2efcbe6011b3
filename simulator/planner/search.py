"""Staffing by simulation: the simulator in the loop where the formulas' assumptions do
not hold (impatient callers of any patience, skills, peaks that spill over).

`search_by_simulation` (``method="simulation"``) works in three stages, all on the
search's own days (`sampling`: common random numbers across plans, never per-call
records, the fast engine, the executor in use):

1. **Start**: the Erlang A requirement (Erlang C if a queue has no patience).
2. **ISA** (`isa`, after Feldman, Mandelbaum, Massey & Whitt 2008): simulate, re-staff
   each interval at the agents its *effective* load needs (spill-over included), repeat
   until nothing moves (at most `isa.ROUNDS` times).
3. **Refinement** in whole agents, each decision by sequential sampling (more days while
   a cell that matters is close to its target, `daysets.DaySets`). A round first
   simulates the plan (the round's base, on up to BASE_DAYS x the largest day-set):
   every cell that misses a target gets one agent more. Once none misses, one agent
   fewer is tried in every SPACING-th interval at a time (all queues at once, or one
   queue at a time where agents serve several queues), each trial judged paired with
   the base (`sampling.estimate`); a cell keeps the decrease if every cell in its
   `reach` (the interval before, itself, the two after) still meets every target, else
   it is final (until a cell in its reach is raised). Reaches of cells tried together
   do not overlap, so a miss is put down to the one cell that may have caused it. It
   stops when a round changes nothing (`converged`), or after `MAX_ROUNDS`.

**The decision rule** (`sampling.judge`). A cell meets a target when its estimate is
within half the target's tolerance of it or better (79.5% for 80/20), decided once the
one-sided 99% bound on the far side of the verdict is within the tolerance (meets) or
short of the target (misses). So an accepted cell falls short of its target by less
than the tolerance, and one agent fewer where a decrease was refused truly misses it,
at 99% per look.

**The verification.** The plan is then simulated on `verify_days` days of the file's
seed stream, which the search never saw (`callsim run --replications N` of the written
plan gives the same days): those figures are the plan's KPIs, and an interval below a
target by more than its tolerance with its whole 95% CI below is flagged (`verification`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..model.scenario import Scenario
from ..run.runner import SimulationResult
from .chance import chance_increment
from .daysearch import refine_day
from .daysets import DaySets, forecast_calls
from .dayshare import check_scope
from .isa import ROUNDS, isa_step
from .predict import erlang_method
from .requirement import required_agents
from .sampling import BASE_DAYS, SHARE_TOLERANCE
from .verification import Verification, verify

MAX_ROUNDS = 10  # refinement rounds at most
SPACING = 4  # intervals between two cells tried at once: their `reach`es do not overlap
FIRST_DAYS = 40  # the first day-set of every plan
MOST_DAYS = 640  # the largest day-set
VERIFY_DAYS = 200  # days of the verification
# Budgets in simulated (forecast) calls, not seconds, so that a seed gives the same plan
# on any machine. They come from the goal, a week's search within 5 minutes on one idle
# core of this machine, at the fast engine's ~600,000 calls/s end to end on a multi-skill
# week (3 queues, 4 groups, KPIs and horizon included: benchmarks/bench_week.py):
CALLS_PER_SET = 2_500_000  # a day-set, ~4 s (sets the largest for big days)
CALLS_PER_SEARCH = 150_000_000  # the search, ~250 s (+ at most one day-set per run)
CALLS_PER_VERIFICATION = 20_000_000  # the verification, ~33 s (fewer days, >= 20)


@dataclass(frozen=True)
class SearchSettings:
    """How hard the search looks: `first_days` and `most_days` (None: by the scenario's
    size, see `most_days`) bound each day-set; `verify_days` days verify the plan (None:
    VERIFY_DAYS, fewer for a big scenario, see `verify_days`); `seed` seeds the search's
    own days (None: the file's seed); `days_meeting` a chance target: every target met on
    at least that share of days (the scenario's `arrivals.busyness_cv` spreads them), of
    every interval (`chance_per` "interval") or of each queue's whole day ("day",
    `daysearch`)."""

    first_days: int = FIRST_DAYS
    most_days: int | None = None
    verify_days: int | None = None
    seed: int | None = None
    days_meeting: float | None = None
    chance_per: str = "interval"

    def __post_init__(self) -> None:
        check_scope(self.chance_per)
        for name in ("first_days", "most_days", "verify_days"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int) and value >= 2):
                raise ValueError(f"{name}: must be a whole number of days >= 2 (got {value!r})")
        if self.days_meeting is not None and not 0 < self.days_meeting < 1:
            raise ValueError(
                f"days_meeting: must be a share between 0 and 1 (got {self.days_meeting!r})"
            )


calls_a_day = forecast_calls  # the forecast's calls over the day (or horizon), >= 1


def verify_days(sc: Scenario, settings: SearchSettings) -> int:
    """The verification's days: `settings.verify_days`, else VERIFY_DAYS or as many as
    CALLS_PER_VERIFICATION simulated calls allow, at least 20."""
    if settings.verify_days is not None:
        return settings.verify_days
    return int(min(VERIFY_DAYS, max(20, CALLS_PER_VERIFICATION // calls_a_day(sc))))


def most_days(sc: Scenario, settings: SearchSettings) -> int:
    """The largest day-set: `first_days` doubled while it stays within MOST_DAYS and
    CALLS_PER_SET simulated calls (the forecast's calls a day), at least `first_days`."""
    if settings.most_days is not None:
        return max(settings.most_days, settings.first_days)
    calls = calls_a_day(sc)
    most = settings.first_days
    while 2 * most <= MOST_DAYS and 2 * most * calls <= CALLS_PER_SET:
        most *= 2
    return most


@dataclass(frozen=True)
class Search:
    """How a simulation search went, and its verification on independent days.

    `result` is the verification's SimulationResult (the file's seed, `verify_days`
    days); `queue_figures[kpi]` and `center_figures[kpi]` its (mean, ci95 low, ci95 high)
    per (queues, intervals) and (intervals,), NaN over the warm-up.
    """

    start: str  # the Erlang method the search started from
    simulations: int  # plans simulated by the search (trials)
    converged: bool  # a refinement round changed nothing
    verification: Verification = field(repr=False)
    seed: int = 0  # of the search's days
    days: int = 0  # days the search simulated, every plan together
    most_days: int = 0  # the largest day-set
    rounds: int = 0  # refinement rounds
    isa_rounds: int = 0
    sets: DaySets | None = field(default=None, repr=False, compare=False)  # its days
    unfinished: tuple[str, ...] = ()  # dates searched apart that did not converge

    @property
    def result(self) -> SimulationResult:
        return self.verification.result

    @property
    def queue_figures(self) -> dict[str, tuple[np.ndarray, ...]]:
        return self.verification.queue_figures

    @property
    def center_figures(self) -> dict[str, tuple[np.ndarray, ...]]:
        return self.verification.center_figures

    @property
    def days_meeting(self) -> np.ndarray:
        """Share of the verification days each (queue, interval) met every target."""
        return self.verification.days_meeting


def padded(sc: Scenario, x: np.ndarray, fill: float | bool = np.nan) -> np.ndarray:
    """(queues, reported intervals) -> (queues, intervals), `fill` over the warm-up."""
    skip = sc.simulation.warmup_intervals
    return np.concatenate([np.full((x.shape[0], skip), fill, dtype=x.dtype), x], axis=1)


def isa(
    sc: Scenario, method: str, load: np.ndarray, required: np.ndarray, sets: DaySets
) -> tuple[np.ndarray, int]:
    """ISA rounds on the first day-set until the staffing stops moving: (staffing, rounds)."""
    for rounds in range(1, ROUNDS + 1):
        if rounds > 1 and sets.spent:  # its budget of simulated calls
            return required, rounds - 1
        v = sets.evaluate(required, np.zeros(required.shape, bool))  # the first day-set
        nxt = isa_step(sc, method, load, required, {k: padded(sc, m) for k, m in v.mean.items()})
        if (nxt == required).all():
            return required, rounds
        required = nxt
    return required, ROUNDS


def neighbours(sc: Scenario, cells: np.ndarray, before: int = 1, after: int = 1) -> np.ndarray:
    """`cells` and the `before` intervals before and `after` after each; every queue where
    agents serve several queues (they interact)."""
    near = cells.copy()
    for step in range(1, after + 1):
        near[:, step:] |= cells[:, :-step]
    for step in range(1, before + 1):
        near[:, :-step] |= cells[:, step:]
    if coupled(sc):
        near[:] = near.any(axis=0)
    return near


def coupled(sc: Scenario) -> bool:
    return len(sc.queues) > 1 and any(len(g.skills) > 1 for g in sc.agents.values())


def reach(sc: Scenario, cells: np.ndarray) -> np.ndarray:
    """What one agent fewer in `cells` may spoil: the interval before each (its last
    callers wait into it), the cell itself and the two after it (its callers left
    waiting spill over)."""
    return neighbours(sc, cells, before=1, after=2)


def culprits(sc: Scenario, misses: np.ndarray) -> np.ndarray:
    """The tried cells whose `reach` may hold `misses` (SPACING apart: one per miss)."""
    return neighbours(sc, misses, before=2, after=1)


def refine(sc: Scenario, required: np.ndarray, sets: DaySets) -> tuple[np.ndarray, bool, int]:
    """Refinement rounds (see the module docstring): (staffing, converged, rounds)."""
    skip = sc.simulation.warmup_intervals
    kept = np.zeros(required.shape, bool)  # never decreased: warm-up, raised twice
    kept[:, :skip] = True  # not reported: not searched
    final, raised = kept.copy(), np.zeros(required.shape, bool)
    queues = range(required.shape[0]) if coupled(sc) else [None]
    classes = [(q, c) for q in queues for c in range(SPACING)]
    for rounds in range(1, MAX_ROUNDS + 1):
        if sets.spent:  # its budget of simulated calls (`search_by_simulation`)
            return required, False, rounds - 1
        miss = padded(sc, ~sets.evaluate(required, deep=True).meets, False)
        if miss.any():
            kept |= miss & raised  # raised twice: kept (no cycle)
            raised |= miss
            final = kept | (final & ~culprits(sc, miss))  # tried again beside a raise
            required = required + miss
            continue
        base, moved = required, False
        for q, c in classes:
            cells = np.zeros(required.shape, bool)
            cells[slice(q, None if q is None else q + 1), c::SPACING] = True
            cells &= ~final & (required > 0)
            if not cells.any():
                continue
            if sets.spent:
                return required, False, rounds
            hood = reach(sc, cells)
            trial = sets.evaluate(required - cells, hood, base)
            spoiled = culprits(sc, padded(sc, ~trial.meets, False) & hood)
            keep = cells & ~spoiled
            final |= cells & spoiled
            required = required - keep
            moved |= bool(keep.any())
        if not moved:
            return required, True, rounds
    return required, False, MAX_ROUNDS


def search_by_simulation(
    sc: Scenario,
    load: np.ndarray,
    progress: Callable[[int], None] | None = None,
    settings: SearchSettings | None = None,
) -> tuple[np.ndarray, Search]:
    """Whole agents per (queue, interval) found by simulation, and how (see the module
    docstring). `progress(n)` after each batch of simulated days (n: days so far)."""
    settings = settings or SearchSettings()
    seed = sc.simulation.seed if settings.seed is None else settings.seed
    start = erlang_method(sc)
    chance = settings.days_meeting
    per_day = chance is not None and settings.chance_per == "day"
    sets = DaySets(
        sc,
        seed,
        settings.first_days,
        lambda part: most_days(part, settings),
        progress,
        None,
        chance,
        per_day,
    )
    parts, plans, unfinished = sets.parts or [sets], [], []
    isa_rounds = rounds = 0
    for k, part in enumerate(parts):  # a closed-night horizon date by date (`DaySets`)
        left = max(CALLS_PER_SEARCH - sets.calls, 0.0)  # what earlier dates left, by calls
        part.budget = part.calls + left * part.calls_a_day / sum(p.calls_a_day for p in parts[k:])
        cut = load[:, part.span]
        found, n_isa = isa(part.sc, start, cut, required_agents(part.sc, start, cut), part)
        cv = sc.arrivals.busyness_cv
        if per_day:  # the chain from ISA's plan for the means (`daysearch`)
            found, done, n = refine_day(part.sc, start, cut, found, part, cv, chance or 0.0)
        else:
            if chance is not None:  # ISA staffs for the means: add what the chance target adds
                found = found + chance_increment(part.sc, start, cut, cv, chance)
            found, done, n = refine(part.sc, found, part)
        plans.append(found)
        isa_rounds, rounds = max(isa_rounds, n_isa), max(rounds, n)
        if not done:
            unfinished.append(part)
    required = np.concatenate(plans, axis=1)
    check = verify(sc, required, verify_days(sc, settings), chance, per_day)
    most = min(p.most for p in parts)
    search = Search(
        start,
        sets.plans,
        not unfinished,
        check,
        seed,
        sets.simulated,
        most,
        rounds,
        isa_rounds,
        sets,
        tuple(_dates(p.sc) for p in unfinished) if sets.parts else (),
    )
    return required, search


def _dates(sc: Scenario) -> str:
    """A stretch's days, "Mon 12-07" (or "Fri 12-11 to Sun 12-13")."""
    days = sc.days()
    return days[0].label if len(days) == 1 else f"{days[0].label} to {days[-1].label}"


def goal(sc: Scenario, chance: float | None) -> str:
    """What the search holds each interval to, in words."""
    if chance is None:
        return "every target on the search's days at 95% confidence within 1 point"
    return (
        f"every target on at least {100 * chance:g}% of the search's days (a daily busyness "
        f"cv of {100 * sc.arrivals.busyness_cv:g}%) at 95% confidence within "
        f"{100 * SHARE_TOLERANCE:g} points of share"
    )


def search_notes(sc: Scenario, search: Search) -> list[str]:
    """What a simulated plan means, and its approximations, in a sentence each."""
    check = search.verification
    notes = [
        f"simulation: searched from the {search.start} requirement ({search.isa_rounds} ISA "
        f"round(s), {search.rounds} refinement round(s), {search.simulations} plans on "
        f"{search.days:,} simulated days of search seed {search.seed}); each interval meets "
        + (
            "every target on the search's days within half its tolerance (99% sure to within "
            f"the tolerance: 1 point of service level; day-sets of {FIRST_DAYS} to "
            f"{search.most_days} days, {BASE_DAYS * search.most_days} for a round's plan), and "
            "one agent fewer there makes it or an interval it spills into miss one"
            if check.chance is None
            else f"{goal(sc, check.chance)} (day-sets of {FIRST_DAYS} to {search.most_days} "
            "days), and one agent fewer there makes it or an interval it spills into miss one"
            if check.day_flagged is None
            else "its mean target (it keeps at least its ISA staffing), and its queue's whole "
            f"day meets {goal(sc, check.chance)} (day-sets of {FIRST_DAYS} to "
            f"{search.most_days} days; agents added in the order of the Erlang per-day plan, "
            "the fewest kept: docs/search.md)"
        ),
        *check.notes(sc),
    ]
    if search.most_days < MOST_DAYS:
        notes.append(
            f"simulation: a day-set is at most {search.most_days} days here (a large "
            f"scenario): decisions still undecided there are taken on the mean"
        )
    if search.sets is not None and search.sets.parts:
        notes.append(
            f"simulation: the {len(search.sets.parts)} runs of the horizon (closed nights "
            "between them) searched one after the other, each on its own days and day-sets "
            "(a day counted once per run)"
        )
    if not search.converged:
        where = f" ({', '.join(search.unfinished)} not finished)" if search.unfinished else ""
        notes.append(
            f"simulation: search stopped after {search.rounds} rounds{where} (at most "
            f"{MAX_ROUNDS}, and {CALLS_PER_SEARCH:,} simulated calls): some intervals may "
            "keep an agent too many"
        )
    if len(sc.queues) > 1:
        notes.append(
            "each queue's requirement is searched on its own simulated KPIs and "
            "goes to the groups that serve it first; occupancy is the center's"
        )
    if sc.simulation.warmup_intervals:
        notes.append(
            f"the {sc.simulation.warmup_intervals} warm-up interval(s) keep the "
            f"{search.start} requirement (not reported, so not searched)"
        )
    return notes
