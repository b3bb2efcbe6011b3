"""Staffing plans: milliseconds per `simulator.staffing.plan`, best of N repeats.

    python benchmarks/bench_staffing.py

Cases: the shipped peak day (24 intervals, one queue) and multi-skill day (16 intervals,
two queues) by Erlang C and Erlang A; a 24-interval day at 5,000 Erlangs per interval
(the search's worst case: requirements near 5,000 agents); and the peak day with its
shift scheduling (CP-SAT), which dominates when asked for. Then one staffing search by
simulation of peak_day.yaml and of sharp_peak.yaml (wall seconds, with the days it
simulated; issue 13's bar: about a minute on this machine).
"""

from __future__ import annotations

import time

from simulator import load_scenario, parse_scenario
from simulator.planner.staffing import plan

REPEATS = 20


def big_day():
    exp = {"distribution": "exponential"}
    return parse_scenario(
        {
            "name": "5,000 Erlangs",
            "interval_minutes": 60,
            "open": "00:00",
            "service_level": {"seconds": 20, "target": 0.8},
            "queues": {
                "q": {
                    "volumes": [100_000] * 24,
                    "handle_time": exp | {"mean": 180},
                    "patience": exp | {"mean": 120},
                }
            },
            "agents": {"team": {"skills": ["q"], "staffing": [1] * 24}},
        }
    )


def best_ms(fn, repeats=REPEATS) -> float:
    fn()  # warm caches and imports
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * min(times)


def main() -> None:
    cases = {
        "peak_day": load_scenario("scenarios/peak_day.yaml"),
        "multi_skill": load_scenario("scenarios/multi_skill.yaml"),
        "5,000 Erlangs x 24": big_day(),
    }
    print(f"{'case':<22}{'method':<10}{'ms/plan':>10}")
    for name, sc in cases.items():
        for method in ("erlang-c", "erlang-a"):
            ms = best_ms(lambda sc=sc, method=method: plan(sc, method))
            print(f"{name:<22}{method:<10}{ms:>10.2f}")
    ms = best_ms(lambda: plan(cases["peak_day"], "erlang-a", shifts=True), repeats=3)
    print(f"{'peak_day + shifts':<22}{'erlang-a':<10}{ms:>10.2f}")
    for name in ("peak_day", "sharp_peak"):  # one search each (seconds, not ms)
        sc = load_scenario(f"scenarios/{name}.yaml")
        t = time.perf_counter()
        p = plan(sc, "simulation")
        search = p.search
        assert search is not None
        print(
            f"{name:<22}{'search':<10}{time.perf_counter() - t:>9.1f}s  ({search.simulations} "
            f"plans, {search.days} days, {search.result.replications} verification days)"
        )


if __name__ == "__main__":
    main()
