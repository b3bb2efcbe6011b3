"""Calls simulated per second: callsim's engine against a plain idiomatic SimPy model.

Both simulate the same M/M/n+M load (Poisson arrivals, exponential handle time with
mean 180 s, exponential patience with mean 300 s, occupancy about 0.95) in the same
process, taking turns, best of `--repeat` runs each. The baseline is how SimPy's
own examples write a queue (the bank-renege example): a generator process per call,
a `simpy.Resource` for the agents, patience as `yield request | env.timeout(patience)`,
and the standard library's `random` for draws.

    python benchmarks/bench_engine.py            # 45, 450 and 4,500 agents

The last column is callsim's cost per call relative to 45 agents: flat means ~1.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
import simpy

import simulator

AHT, PATIENCE = 180.0, 300.0


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


def callsim_scenario(agents: int, load: float, hours: int) -> simulator.Scenario:
    per_hour = load / AHT * 3600
    return simulator.parse_scenario(
        {
            "name": f"M/M/{agents}+M benchmark",
            "interval_minutes": 60,
            "open": "00:00",
            "service_level": {"seconds": 20, "target": 0.8},
            "queues": {
                "q": {
                    "volumes": [per_hour] * hours,
                    "handle_time": {"distribution": "exponential", "mean": AHT},
                    "patience": {"distribution": "exponential", "mean": PATIENCE},
                }
            },
            "agents": {"a": {"skills": ["q"], "staffing": [agents] * hours}},
        }
    )


def callsim_day(sc: simulator.Scenario, seed: int) -> int:
    from simulator.sim.engine import simulate_day

    return len(simulate_day(sc, np.random.SeedSequence(seed)).calls["arrival"])


def best_rates(fns, repeat: int) -> list[float]:
    """Best calls/s of each function, run in turns so drift on a shared machine hits
    them alike."""
    best = [0.0] * len(fns)
    for r in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            calls = fn(r)
            best[i] = max(best[i], calls / (time.perf_counter() - t0))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{'agents':>7} {'load (E)':>9} {'calls/day':>10} {'plain SimPy':>12} "
        f"{'callsim':>10} {'ratio':>6} {'us/call':>8} {'vs 45 agents':>13}"
    )
    first = None
    for agents, hours in ((45, 40), (450, 4), (4500, 1)):
        load = 0.95 * agents
        sc = callsim_scenario(agents, load, hours)
        ours, plain = best_rates(
            [lambda r: callsim_day(sc, r), lambda r: plain_simpy(agents, load, hours, r)],
            args.repeat,
        )
        calls = int(load / AHT * 3600 * hours)
        cost = 1e6 / ours
        first = first or cost
        print(
            f"{agents:>7} {load:>9.0f} {calls:>10,} {plain:>10,.0f}/s {ours:>8,.0f}/s "
            f"{ours / plain:>5.1f}x {cost:>8.2f} {cost / first:>12.2f}x"
        )


if __name__ == "__main__":
    main()
