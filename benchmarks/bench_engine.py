"""Calls simulated per second: callsim's two engines beside idiomatic SimPy and Ciw.

All four simulate the same M/M/n+M load in one process (Poisson arrivals, exponential
handle time with mean 180 s, exponential patience with mean 300 s, occupancy 0.95),
each day at least 50,000 calls, taking turns (alternating rounds, so drift on a
shared machine hits them alike); the figure is the median of the rounds, in calls per
second of the process's CPU time (all four run in one thread; on a shared machine CPU
time moves far less with the load than wall time does), with the 1-minute load average
beside each row.

- idiomatic SimPy: how SimPy's own examples write a queue (the bank-renege example):
  a generator process per call, a `simpy.Resource` for the agents, patience as
  `yield request | env.timeout(patience)`, the standard library's `random`;
- Ciw (`pip install -e '.[bench]'`), another open-source queueing simulator: one node
  with reneging; left out at 4,500 agents and more, where a round takes minutes
  (idiomatic SimPy runs 2 rounds only at 45,000 agents, for the same reason);
- callsim simpy / fast: one day of records *and* its KPIs (centre and queue), by the
  reference SimPy engine and by the compiled fast engine (identical records).

    python benchmarks/bench_engine.py              # 45, 450, 4,500 and 45,000 agents
    python benchmarks/bench_engine.py --agents 45 --rounds 3
    python benchmarks/bench_engine.py --quick      # 3 rounds (idiomatic SimPy: 1 at 45,000)

Also reported: callsim's cost per call relative to 45 agents (flat means ~1), the peak
memory of a day (records, KPIs and the engine's tables) per call, and the fast
engine's start in a fresh process: kernel loaded from numba's cache (warm) and
compiled from nothing (cold, with an empty NUMBA_CACHE_DIR).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial

import numpy as np
import simpy

import simulator
from simulator.kpi.compute import all_kpis
from simulator.model.scenario import Scenario, ScenarioError
from simulator.sim.fast import day_engine

AHT, PATIENCE, OCCUPANCY = 180.0, 300.0, 0.95
# agents -> (interval minutes, intervals): each day >= 50,000 calls
DAYS = {45: (60, 60), 450: (60, 6), 4500: (60, 1), 45000: (15, 1)}
CIW_UP_TO = 450  # agents; beyond, Ciw takes minutes a round
SIMPY_ROUNDS = {45000: 2}  # idiomatic SimPy takes 1.5 minutes or more a round there


def plain_simpy(agents: int, load: float, hours: float, seed: int) -> int:
    """The idiomatic SimPy model: one process per call, agents as a Resource."""
    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=agents)
    rng = random.Random(seed)
    rate = load / AHT
    horizon = hours * 3600
    served = [0]

    def caller(env):
        with staff.request() as req:
            result = yield req | env.timeout(rng.expovariate(1 / PATIENCE))
            if req in result:
                yield env.timeout(rng.expovariate(1 / AHT))
                served[0] += 1

    def source(env):
        n = 0
        while True:
            yield env.timeout(rng.expovariate(rate))
            if env.now >= horizon:
                return n
            env.process(caller(env))
            n += 1

    proc = env.process(source(env))
    env.run()
    return proc.value


def ciw_day(agents: int, load: float, hours: float, seed: int) -> int:
    """The same queue in Ciw: one node, exponential service and reneging."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=load / AHT)],
        service_distributions=[ciw.dists.Exponential(rate=1 / AHT)],
        number_of_servers=[agents],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / PATIENCE)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(hours * 3600)
    return len(sim.get_all_records())


def callsim_scenario(agents: int, minutes: int, intervals: int) -> simulator.Scenario:
    per_interval = OCCUPANCY * agents / AHT * minutes * 60
    data = {
        "name": f"M/M/{agents}+M benchmark",
        "interval_minutes": minutes,
        "open": "00:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "queues": {
            "q": {
                "volumes": [per_interval] * intervals,
                "handle_time": {"distribution": "exponential", "mean": AHT},
                "patience": {"distribution": "exponential", "mean": PATIENCE},
            }
        },
        "agents": {"a": {"skills": ["q"], "staffing": [agents] * intervals}},
    }
    try:
        return simulator.parse_scenario(data)
    except ScenarioError as exc:
        # 45,000 agents are offered 213,750 calls a quarter hour: past the file limit of
        # 100,000 per queue and interval, which guards users' files, not the engines
        if not all("calls in one interval" in p for p in exc.problems):
            raise
        return Scenario.model_validate(data)


def callsim_day(sc: simulator.Scenario, engine: str) -> Callable[[int], int]:
    """One day's records and KPIs by `engine`; returns the calls simulated."""
    day = day_engine(sc, engine)

    def run(seed: int) -> int:
        records = day(sc, np.random.SeedSequence(seed))
        all_kpis(sc, records)
        return len(records.calls["arrival"])

    return run


def median_rates(
    fns: dict[str, Callable[[int], int]], rounds: int, fewer: dict[str, int]
) -> dict[str, float]:
    """Median calls/s of each function over alternating rounds (`fewer[name]` rounds
    for a slow one)."""
    rates: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(rounds):
        for name, fn in fns.items():
            if r >= fewer.get(name, rounds):
                continue
            t0 = time.process_time()
            calls = fn(r)
            rates[name].append(calls / (time.process_time() - t0))
    return {name: statistics.median(v) for name, v in rates.items()}


def bytes_per_call(fn: Callable[[int], int]) -> float:
    """Peak bytes allocated (numpy included) while simulating a day, per call."""
    tracemalloc.start()
    try:
        calls = fn(99)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / calls


def fresh_start(cache_dir: str | None) -> tuple[float, float]:
    """(wall, CPU) seconds to the first fast-engine day in a new process (`warm()`)."""
    env = os.environ | ({"NUMBA_CACHE_DIR": cache_dir} if cache_dir else {})
    code = "import time; t, c = time.perf_counter(), time.process_time(); "
    code += "from simulator.sim.fast import warm; warm(); "
    code += "print(time.perf_counter() - t, time.process_time() - c)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    wall, cpu = done.stdout.split()[-2:]
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--agents", type=int, nargs="*", default=list(DAYS))
    parser.add_argument("--no-compile", action="store_true", help="skip the cold compile")
    parser.add_argument("--quick", action="store_true", help="3 rounds, SimPy 1 at 45,000")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 3
        SIMPY_ROUNDS[45000] = 1
    try:
        import ciw  # noqa: F401

        with_ciw = True
    except ImportError:
        with_ciw = False
        print("Ciw is not installed (pip install -e '.[bench]'): its column is left empty")
    names = ("SimPy", "Ciw", "simpy", "fast")
    print(
        "| agents | calls/day | idiomatic SimPy | Ciw | callsim simpy | callsim fast "
        "| simpy ÷ SimPy | fast ÷ SimPy | cost/call vs 45 (simpy, fast) "
        "| peak bytes/call (simpy, fast) | load |"
    )
    print("|" + "---|" * 11)
    first: dict[str, float] = {}
    for agents in args.agents:
        minutes, intervals = DAYS[agents]
        hours, load = minutes * intervals / 60, OCCUPANCY * agents
        sc = callsim_scenario(agents, minutes, intervals)
        fns = {
            "SimPy": partial(plain_simpy, agents, load, hours),
            "Ciw": partial(ciw_day, agents, load, hours),
            "simpy": callsim_day(sc, "simpy"),
            "fast": callsim_day(sc, "fast"),
        }
        if not with_ciw or agents > CIW_UP_TO:
            del fns["Ciw"]
        fns["fast"](0)  # the kernel loaded before timing
        fewer = {"SimPy": SIMPY_ROUNDS[agents]} if agents in SIMPY_ROUNDS else {}
        rate = median_rates(fns, args.rounds, fewer)
        memory = {e: bytes_per_call(fns[e]) for e in ("simpy", "fast")}
        calls = fns["fast"](0)
        cost = {e: 1e6 / rate[e] for e in ("simpy", "fast")}
        first = first or cost
        cells = [f"{rate[n]:,.0f}/s" if n in rate else "—" for n in names]
        print(
            f"| {agents:,} | {calls:,} | " + " | ".join(cells) + " | "
            f"{rate['simpy'] / rate['SimPy']:.1f}× | {rate['fast'] / rate['SimPy']:.1f}× | "
            f"{cost['simpy'] / first['simpy']:.2f}, {cost['fast'] / first['fast']:.2f} | "
            f"{memory['simpy']:,.0f}, {memory['fast']:,.0f} | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
    wall, cpu = fresh_start(None)
    print(
        f"\nfast engine, first day in a fresh process: {wall:.2f} s ({cpu:.2f} s CPU; warm cache)"
    )
    if not args.no_compile:
        with tempfile.TemporaryDirectory() as empty:
            wall, cpu = fresh_start(empty)
        load = os.getloadavg()[0]
        print(
            f"fast engine, compiled from nothing: {wall:.1f} s ({cpu:.1f} s CPU; cold, "
            f"load {load:.1f})"
        )


if __name__ == "__main__":
    main()
