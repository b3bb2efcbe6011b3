"""Erlang B, C and A: callsim.erlang against pyworkforce.queuing, ms per (load, agents) point.

    python benchmarks/bench_erlang.py

For each load (Erlang B and C: 0.5 to 5,000 Erlangs; Erlang A: 10, 100, 1,667; AHT 180 s,
threshold 20 s, patience 120 s) it times five agent counts above the load, best of N
repeats (time.perf_counter), in this one process:

* pyworkforce: one object per load, one call per KPI and point (its API);
* callsim scalar: one call per point (plain floats: the plain-math path of
  `simulator.erlang.scalar` for B and C); callsim vector: one call for all five points.

The last line gives the smallest scalar speed-up over pyworkforce for B and C (issue 14
asks for >= 1x at every load).

Erlang C means P(wait) + service level; Erlang A means P(wait), abandonment, service
level and mean wait (pyworkforce's `average_speed_of_answer` is E[queue]/lambda, over all
arrivals; callsim's avg_queue/lambda is compared with it). pyworkforce's Erlang A runs
in a subprocess with a time limit, since it can take minutes at large loads.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import numpy as np
from pyworkforce.queuing import ErlangB, ErlangC

from simulator.erlang import erlang_a, erlang_b, erlang_c, erlang_c_service_level

AHT_MIN, INTERVAL_MIN, THRESHOLD_MIN, PATIENCE_MIN = 3.0, 30.0, 20 / 60, 2.0
AHT, THRESHOLD, PATIENCE = AHT_MIN * 60, THRESHOLD_MIN * 60, PATIENCE_MIN * 60
LOADS = (10.0, 100.0, 1667.0)  # Erlang A
LOADS_BC = (0.5, 2.0, 5.0, 10.0, 30.0, 100.0, 300.0, 1667.0, 5000.0)  # Erlang B and C
TIME_LIMIT = 60.0  # seconds, for one pyworkforce Erlang A run in a subprocess


def agents_for(load: float) -> list[int]:
    """Five agent counts from just above the load to a comfortable service level."""
    step = max(1, round(math.sqrt(load) / 2))
    return [math.floor(load) + 1 + i * step for i in range(5)]


def best_ms_per_point(run, points: int, budget: float = 0.5, max_repeat: int = 50) -> float:
    """Best of N timings of run(), in ms per point; N fits the time budget (at least 3)."""
    times = []
    while len(times) < 3 or (sum(times) < budget and len(times) < max_repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) / points * 1e3


def transactions(load: float) -> float:
    return load * INTERVAL_MIN / AHT_MIN


PYWORKFORCE_ERLANG_A = f"""
import json, sys, time
from pyworkforce.queuing import ErlangA
load, agents = float(sys.argv[1]), [int(a) for a in sys.argv[2:]]
pw = ErlangA(transactions=load * {INTERVAL_MIN} / {AHT_MIN}, aht={AHT_MIN}, asa={THRESHOLD_MIN},
             interval={INTERVAL_MIN}, patience={PATIENCE_MIN})
best, out = float("inf"), None
for repeat in range(3):
    start = time.perf_counter()
    out = [[pw.waiting_probability(n), pw.abandonment_probability(n), pw.service_level(n),
            pw.average_speed_of_answer(n)] for n in agents]
    elapsed = time.perf_counter() - start
    best = min(best, elapsed)
    if elapsed > 5:
        break
print(json.dumps({{"intensity": pw.intensity, "seconds": best, "values": out}}))
"""


def pyworkforce_erlang_a(load: float, agents: list[int]) -> dict | None:
    """Run pyworkforce's Erlang A in a subprocess; None if it exceeds TIME_LIMIT."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", PYWORKFORCE_ERLANG_A, str(load), *map(str, agents)],
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout)


def bench_b(load: float, agents: list[int]) -> tuple[float, float, float, float]:
    pw = ErlangB(transactions=transactions(load), aht=AHT_MIN, interval=INTERVAL_MIN)
    a, n = pw.intensity, np.array(agents)
    t_pw = best_ms_per_point(lambda: [pw.blocking_probability(k) for k in agents], n.size)
    t_one = best_ms_per_point(lambda: [erlang_b(a, k) for k in agents], n.size)
    t_vec = best_ms_per_point(lambda: erlang_b(a, n), n.size)
    diff = np.max(np.abs(erlang_b(a, n) - [pw.blocking_probability(k) for k in agents]))
    return t_pw, t_one, t_vec, diff


def bench_c(load: float, agents: list[int]) -> tuple[float, float, float, float]:
    pw = ErlangC(
        transactions=transactions(load), aht=AHT_MIN, asa=THRESHOLD_MIN, interval=INTERVAL_MIN
    )
    a, n = pw.intensity, np.array(agents)

    def ours(k):
        return erlang_c(a, k), erlang_c_service_level(a, k, AHT, THRESHOLD)

    t_pw = best_ms_per_point(
        lambda: [(pw.waiting_probability(k), pw.service_level(k)) for k in agents], n.size
    )
    t_one = best_ms_per_point(lambda: [ours(k) for k in agents], n.size)
    t_vec = best_ms_per_point(lambda: ours(n), n.size)
    theirs = np.array([(pw.waiting_probability(k), pw.service_level(k)) for k in agents]).T
    diff = np.max(np.abs(np.array(ours(n)) - theirs))
    return t_pw, t_one, t_vec, diff


def bench_a(load: float, agents: list[int]) -> tuple[float | None, float, float, float | None]:
    pw = pyworkforce_erlang_a(load, agents)
    a = pw["intensity"] if pw else load
    n = np.array(agents)

    def ours(k):
        return erlang_a(a, k, AHT, PATIENCE, THRESHOLD)

    t_one = best_ms_per_point(lambda: [ours(k) for k in agents], n.size)
    t_vec = best_ms_per_point(lambda: ours(n), n.size)
    if pw is None:
        return None, t_one, t_vec, None
    r = ours(n)
    mine = np.array([r.p_wait, r.abandon_rate, r.service_level, r.avg_queue / (a / AHT_MIN)]).T
    return pw["seconds"] / n.size * 1e3, t_one, t_vec, float(np.max(np.abs(mine - pw["values"])))


def main() -> None:
    header = (
        f"{'model':<6}{'load':>7}  {'agents':<12}{'pyworkforce':>13}{'callsim':>10}"
        f"{'vector':>10}{'speed-up':>10}{'(vector)':>10}{'max |diff|':>12}"
    )
    print("ms per (load, agents) point; speed-up = pyworkforce time / callsim time")
    print(header)
    print("-" * len(header))
    worst = math.inf
    for model, bench, loads in (
        ("B", bench_b, LOADS_BC),
        ("C", bench_c, LOADS_BC),
        ("A", bench_a, LOADS),
    ):
        for load in loads:
            agents = agents_for(load)
            t_pw, t_one, t_vec, diff = bench(load, agents)
            if model != "A" and t_pw is not None:
                worst = min(worst, t_pw / t_one)
            span = f"{agents[0]}-{agents[-1]}"
            if t_pw is None:
                pw_text, up, up_vec = (
                    f"> {TIME_LIMIT * 1e3 / len(agents):.0f}",
                    "> " + f"{TIME_LIMIT * 1e3 / len(agents) / t_one:.0f}x",
                    f"> {TIME_LIMIT * 1e3 / len(agents) / t_vec:.0f}x",
                )
                diff_text = "n/a"
            else:
                pw_text, up, up_vec = f"{t_pw:.4f}", f"{t_pw / t_one:.2f}x", f"{t_pw / t_vec:.2f}x"
                diff_text = f"{diff:.1e}"
            print(
                f"{model:<6}{load:>7.0f}  {span:<12}{pw_text:>13}{t_one:>10.4f}{t_vec:>10.4f}"
                f"{up:>10}{up_vec:>10}{diff_text:>12}"
            )
    print(
        f"\nAHT {AHT:.0f} s, threshold {THRESHOLD:.0f} s, patience {PATIENCE:.0f} s (Erlang A); "
        f"pyworkforce Erlang A limited to {TIME_LIMIT:.0f} s per load (all five points)."
    )
    print(f"smallest scalar speed-up over pyworkforce, Erlang B and C: {worst:.2f}x")


if __name__ == "__main__":
    main()
