"""The staffing search by simulation, verified on fresh days (issue 13's figures).

    python benchmarks/bench_search.py [scenarios/peak_day.yaml ...] [--workers N]

For each scenario: the search's wall time, then the plan and the Erlang A plan both
re-simulated on `FRESH` days of a seed neither the search nor its built-in verification
used (`FRESH_SEED`), and:

- **safety**: intervals below a target by more than its tolerance (1 point) with the
  whole 95% CI below (must be 0), and intervals whose mean is below a target;
- **minimality**: for every interval, the plan with one agent fewer there, on the same
  fresh days: does that interval or a neighbour miss a target (mean below)? The
  intervals where none does are listed, with "clearly" where their whole CIs meet;
- **seeds**: the plans of the file's seed and of search seeds 1, 2 and 3, the largest
  difference in agents between any two in any interval (must be <= 1), and each seed's
  plan checked as above (safety and minimality on the same fresh days);
- agent-hours of both plans, and the service level's sd over intervals of both.

With `--chance P --cv CV` (e.g. 0.9 and 0.1) it prints the chance figures instead:
for the Erlang A chance plan and the simulation chance plan, each for both scopes
(`--chance-per interval` and `day`), the agent-hours, the search time, and on the
`FRESH` days (each with its own gamma busyness factor of cv CV) the per-interval shares
of days meeting every target (the lowest, the median, the intervals below P and those
flagged) and each queue's whole-day share with its 95% Clopper-Pearson interval; a
simulated plan also its built-in verification's whole-day share.

A plan meeting the search's rule (sampling.judge) still shows a loose interval or a
flagged one on 200 fresh days now and then: the fresh days' own standard error of a
service level is about 1 point (docs/search.md gives the rates).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from simulator import load_scenario
from simulator.planner.sampling import targets
from simulator.planner.search import SearchSettings
from simulator.planner.staffing import plan
from simulator.planner.verification import Verification, short_of, verify
from simulator.run.executors import executor, using

FRESH, FRESH_SEED = 200, 20_261_201
SEEDS = (1, 2, 3)


_FRESH: dict[tuple[str, bytes], Verification] = {}


def fresh(sc, required: np.ndarray) -> Verification:
    """`required` on FRESH days of FRESH_SEED (kept: the seeds' plans share many)."""
    key = (sc.name, required.tobytes())
    if key not in _FRESH:
        other = sc.model_copy(
            update={"simulation": sc.simulation.model_copy(update={"seed": FRESH_SEED})}
        )
        _FRESH[key] = verify(other, required, FRESH)
    return _FRESH[key]


def line(name: str, sc, required: np.ndarray, v: Verification) -> str:
    hours = required.sum() * sc.interval_minutes / 60
    return (
        f"  {name:<11} agent-hours {hours:7.1f}  below target {int(v.below.sum()):2d}  "
        f"flagged {int(v.flagged.sum()):2d}  SL sd over intervals {v.spread:.4f}  "
        f"days meeting (fewest) {np.nanmin(v.days_meeting):.2f}"
    )


def minimality(sc, required: np.ndarray) -> list[str]:
    """The intervals where one agent fewer still meets every target nearby, fresh days."""
    skip, out = sc.simulation.warmup_intervals, []
    starts = sc.interval_starts()
    for q in range(required.shape[0]):
        for k in range(skip, required.shape[1]):
            if required[q, k] == 0:
                continue
            fewer = required.copy()
            fewer[q, k] -= 1
            v = fresh(sc, fewer)
            near = slice(max(k - 1, skip), k + 2)
            if not v.below[:, near].any():
                out.append(f"{starts[k]}{' (clearly)' if clearly(sc, v, near) else ''}")
    return out


def clearly(sc, v: Verification, near: slice) -> bool:
    """Whether every target's whole 95% CI meets it in the intervals `near`."""
    for kpi, (target, sign, _) in targets(sc).items():
        _, low, high = (x[:, near] for x in v.queue_figures[kpi])
        worst = low if sign > 0 else high
        if (np.nan_to_num(sign * (worst - target)) < 0).any():
            return False
    return True


def model(zones=(0.0, 0.25, 0.5, 0.75, 1.0), steps=(4.5, 6.0), se_search=0.3, se_fresh=1.0):
    """The indifference zone's trade-off in a model of one target (docs/search.md): each
    interval's service level falls by `step` points per agent fewer, the target sits
    uniformly between two staffing levels; the search takes the fewest agents whose
    estimate (error se_search, the same for every level: common random numbers) is
    >= target - zone, and 200 fresh days (error se_fresh) judge the plan. Per 24
    intervals: loose (one agent fewer still meets on the fresh mean), flagged (more than
    1 point below with the whole 95% CI below)."""
    rng = np.random.default_rng(1)
    n = 400_000
    for step in steps:
        for zone in zones:
            top = rng.uniform(0, step, n)  # the fewest agents meeting: its level - target
            err = rng.normal(0, se_search, n)
            fewer = top - step
            level = np.where(
                fewer + err >= -zone, fewer, np.where(top + err >= -zone, top, top + step)
            )
            loose = (level - step + rng.normal(0, se_fresh, n) >= 0).mean()
            flag = (level + rng.normal(0, se_fresh, n) < -max(1.0, 1.96 * se_fresh)).mean()
            print(
                f"  step {step} points, zone {zone:.2f}: loose {24 * loose:.2f}, flagged "
                f"{24 * flag:.2f} per 24 intervals; mean level {np.mean(level):+.2f} points"
            )


def chance_figures(sc, days: float, cv: float) -> None:
    """The chance plans of both scopes by Erlang A and by simulation, on the fresh days."""
    sc = sc.model_copy(update={"arrivals": sc.arrivals.model_copy(update={"busyness_cv": cv})})
    other = sc.model_copy(
        update={"simulation": sc.simulation.model_copy(update={"seed": FRESH_SEED})}
    )
    print(
        f"  chance target {days:g} of days, busyness cv {cv:g}; fresh days: {FRESH} of seed "
        f"{FRESH_SEED}"
    )
    for method in ("erlang-a", "simulation"):
        for per in ("interval", "day"):
            t = time.perf_counter()
            p = plan(sc, method, days_meeting=days, chance_per=per)
            took = time.perf_counter() - t
            v = verify(other, p.required, FRESH, days, per == "day")
            share, whole = v.days_meeting[:, sc.simulation.warmup_intervals :], v.day_share
            low, high = v.day_share_ci()
            assert whole is not None
            flagged = short_of(v, days).flagged
            built = ""
            if p.search is not None and p.day_share_ci is not None:
                built = (
                    f"; built-in verification whole day {100 * p.day_share.min():.1f}% "
                    f"[{100 * p.day_share_ci[0].min():.1f}, {100 * p.day_share_ci[1].min():.1f}]"
                )
            print(
                f"  {method:<10} per {per:<8} agent-hours "
                f"{p.required.sum() * sc.interval_minutes / 60:6.1f} ({took:5.1f} s)  "
                f"intervals: lowest {100 * np.nanmin(share):.1f}%, median "
                f"{100 * np.nanmedian(share):.1f}%, below {int((share < days).sum())}, "
                f"flagged {int(flagged.sum())}  whole day "
                + ", ".join(
                    f"{100 * whole[q, d]:.1f}% [{100 * low[q, d]:.1f}, {100 * high[q, d]:.1f}]"
                    for q, d in np.ndindex(whole.shape)
                )
                + built
            )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("scenarios", nargs="*", default=["scenarios/peak_day.yaml"])
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--no-seeds", action="store_true", help="skip the three-seed comparison")
    p.add_argument("--model", action="store_true", help="only the zone's trade-off, modelled")
    p.add_argument("--chance", type=float, help="the chance figures for this share of days")
    p.add_argument("--cv", type=float, default=0.1, help="with --chance: the busyness cv")
    a = p.parse_args()
    if a.model:
        return model()
    with executor("processes", a.workers) as ex, using(ex):
        for path in a.scenarios:
            sc = load_scenario(path)
            plan(sc, "erlang-a")
            if a.chance is not None:
                print(path)
                chance_figures(sc, a.chance, a.cv)
                continue
            t = time.perf_counter()
            sim = plan(sc, "simulation")
            took = time.perf_counter() - t
            s = sim.search
            assert s is not None
            print(
                f"{path}: search {took:.1f} s, {s.simulations} plans, {s.days} days "
                f"(day-sets up to {s.most_days}), converged {s.converged}; built-in "
                f"verification: below {int(s.verification.below.sum())}, flagged "
                f"{int(s.verification.flagged.sum())}"
            )
            erlang = plan(sc, "erlang-a")
            print(f"  fresh days: {FRESH} of seed {FRESH_SEED}")
            print(line("simulation", sc, sim.required, fresh(sc, sim.required)))
            print(line("erlang-a", sc, erlang.required, fresh(sc, erlang.required)))
            print(f"  simulation  {sim.required[0].tolist()}")
            print(f"  erlang-a    {erlang.required[0].tolist()}")
            loose = minimality(sc, sim.required)
            print(f"  one agent fewer still meets nearby at: {loose or 'none'}")
            if a.no_seeds:
                continue
            plans = [sim.required] + [
                plan(sc, "simulation", settings=SearchSettings(seed=seed)).required
                for seed in SEEDS
            ]
            diff = max(int(np.abs(x - y).max()) for x in plans for y in plans)
            changed = max(int((x != y).sum()) for x in plans for y in plans)
            seeds = (sc.simulation.seed, *SEEDS)
            print(f"  search seeds {seeds}: at most {diff} agent(s) apart, {changed} cells")
            for seed, r in zip(seeds, plans):
                v, loose = fresh(sc, r), minimality(sc, r)
                print(
                    f"    seed {seed}: {r[0].tolist()}  agent-hours "
                    f"{r.sum() * sc.interval_minutes / 60:.1f}  below {int(v.below.sum())}  "
                    f"flagged {int(v.flagged.sum())}  loose {loose or 'none'}"
                )


if __name__ == "__main__":
    main()
