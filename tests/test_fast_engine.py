"""The fast engine against the SimPy reference: the same records, bit for bit.

For every shipped scenario, every point of the theory grid (tests/test_engine.py) and
dozens of random valid scenarios (seeded: queues, skills with ranks and priorities,
every distribution, patience, lines, hold and ACW, not-ready time after calls,
transfers, escalations, redials, repeat calls, callbacks, head starts, staffing with
empty intervals), each record column of
several days must have the same dtype and the same bytes from both engines (NaN
included), and the agent log too. Then the KPIs of whole runs are equal, the engine
choice rules hold, a day whose first guesses run out is replayed to the same records,
and the plain-Python kernel (numba unavailable) gives the same records as well.
Deterministic: no false alarms; any difference is a bug in one engine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from builders import group, queue, scenario
from test_engine import GRID

from simulator import to_dict
from simulator.model.load import load_scenario, parse_scenario
from simulator.model.scenario import Scenario
from simulator.run.runner import simulate
from simulator.sim import fast
from simulator.sim.engine import simulate_day
from simulator.sim.fast import EngineError, day_engine, simulate_day_fast, uncovered

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
KINDS = ("exponential", "lognormal", "gamma", "erlang", "deterministic", "uniform", "empirical")


def seed(i: int) -> np.random.SeedSequence:
    """A fresh seed object each call: spawning children changes a SeedSequence."""
    return np.random.SeedSequence(1000 + i)


def differences(sc: Scenario, day_seed: int) -> list[str]:
    """Columns (and the agent log) whose dtype or bytes differ between the engines."""
    ref, got = simulate_day(sc, seed(day_seed)), simulate_day_fast(sc, seed(day_seed))
    bad = [name for name in ref.calls if not same(ref.calls[name], got.calls.get(name))]
    if list(ref.calls) != list(got.calls):
        bad.append(f"column order {list(got.calls)}")
    if not same(ref.agent_log, got.agent_log):
        bad.append("agent_log")
    return bad


def same(a: np.ndarray, b: np.ndarray | None) -> bool:
    return (
        b is not None and a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    )


# ------------------------------------------------------------ random valid scenarios
def duration(rng: np.random.Generator, mean: float) -> dict:
    kind = KINDS[rng.integers(len(KINDS))]
    if kind == "empirical":
        return {"distribution": kind, "values": [float(v) for v in rng.uniform(0, 2 * mean, 5)]}
    d = {"distribution": kind, "mean": mean}
    if kind in ("lognormal", "gamma"):
        d["cv"] = float(rng.choice([0.3, 1.0, 1.8]))
    elif kind == "erlang":
        d["cv"] = 0.5  # 4 phases
    elif kind == "uniform":
        d["cv"] = 0.4
    return d


def random_scenario(i: int) -> dict:
    """A small random valid day (1-3 queues, 1-3 groups, 4-8 intervals)."""
    rng = np.random.default_rng(i)
    nq, ng, n = rng.integers(1, 4), rng.integers(1, 4), int(rng.integers(4, 9))
    names = [f"q{k}" for k in range(nq)]
    minutes = int(rng.choice([15, 30, 60]))
    queues = {}
    for name in names:
        aht = float(rng.uniform(60, 400))
        q = queue([float(v) for v in rng.uniform(0, 40, n) * minutes / 30], duration(rng, aht))
        if rng.random() < 0.4:  # talk, hold and acw instead of one handle time
            q.pop("handle_time")
            q["talk"] = duration(rng, aht)
            q |= {part: duration(rng, 40) for part in ("hold", "acw") if rng.random() < 0.6}
        if rng.random() < 0.7:
            q["patience"] = duration(rng, float(rng.uniform(30, 600)))
        q["priority"] = int(rng.integers(0, 3))
        if rng.random() < 0.3:
            q["head_start"] = float(rng.uniform(0, 120))
        if rng.random() < 0.3:  # each interval its own AHT
            q["aht_by_interval"] = [float(v) for v in rng.uniform(0.5, 1.5, n) * aht]
        others = [x for x in names if x != name]
        if others and rng.random() < 0.5:
            q["transfers"] = {others[0]: float(rng.uniform(0, 0.3))}
        if others and rng.random() < 0.3:
            q["escalation"] = {"to": others[-1], "probability": float(rng.uniform(0, 0.3))}
        for journey in ("redial", "repeat"):
            if rng.random() < 0.35:
                q[journey] = {
                    "probability": float(rng.uniform(0.2, 0.8)),
                    "delay": duration(rng, float(rng.uniform(60, 1200))),
                    "max_attempts": int(rng.integers(2, 5)),
                }
        if rng.random() < 0.3:
            q["callback"] = {"threshold": float(rng.uniform(0, 200)), "acceptance": 0.5}
        queues[name] = q
    agents = {}
    for g in range(ng):
        skills = [str(x) for x in rng.permutation(names)[: rng.integers(1, nq + 1)]]
        if g == ng - 1:  # every queue served by someone
            served = {x for a in agents.values() for x in a["skills"]}
            skills += [x for x in names if x not in served and x not in skills]
        staffing = [int(v) for v in rng.integers(0, 8, n)]
        ranked = {s: int(rng.integers(1, 3)) for s in skills} if rng.random() < 0.5 else skills
        agents[f"g{g}"] = group(ranked, staffing)
        if rng.random() < 0.3:  # proficiency: this group's pace on some of its queues
            pace = {str(x): float(rng.uniform(0.6, 1.6)) for x in skills[:2]}
            agents[f"g{g}"]["handle_time_factor"] = pace
        if rng.random() < 0.3:  # not-ready time after each call
            agents[f"g{g}"]["not_ready"] = duration(rng, float(rng.uniform(5, 90)))
    lines = int(rng.integers(3, 30)) if rng.random() < 0.4 else None
    d = scenario(queues, agents, interval_minutes=minutes, lines=lines, seed=i)
    if rng.random() < 0.35:  # the last group staffed by a roster at exact minutes
        d |= random_roster(rng, f"g{ng - 1}", n * minutes)
        d["agents"][f"g{ng - 1}"].pop("staffing")
    return d


def clock(minutes: int) -> str:
    """The clock time `minutes` after the builders' 08:00 opening."""
    return f"{8 + minutes // 60:02d}:{minutes % 60:02d}"


def random_roster(rng: np.random.Generator, group: str, day_minutes: int) -> dict:
    """One or two shifts of `group` inside the day, at odd minutes, with a set or a
    staggered break, maybe an activity, maybe absence (no-shows, lateness, overruns)."""
    shifts = {}
    for k in range(int(rng.integers(1, 3))):
        start = int(rng.integers(0, day_minutes // 3))
        end = int(rng.integers(start + day_minutes // 2, day_minutes + 1))
        shift = {"group": group, "start": clock(start), "end": clock(end)}
        shift["agents"] = int(rng.integers(2, 9))
        mid = (start + end) // 2
        if rng.random() < 0.5:
            shift["breaks"] = [{"start": clock(mid), "minutes": int(rng.integers(5, 31))}]
        elif rng.random() < 0.7 and end - start >= 120:  # a window inside the shift
            window = {"earliest": clock(mid - 30), "latest": clock(mid + 15), "minutes": 15}
            shift["breaks"] = [window]
        shifts[f"s{k}"] = shift
    roster: dict = {"shifts": shifts}
    if rng.random() < 0.5:
        at = int(rng.integers(day_minutes // 2 - 20, day_minutes // 2))
        roster["activities"] = {
            "huddle": {"group": group, "start": clock(at), "end": clock(at + 13), "agents": 1}
        }
    extra: dict = {"roster": roster}
    if rng.random() < 0.8:
        extra["absence"] = {
            "absenteeism": float(rng.uniform(0, 0.3)),
            "late": duration(rng, float(rng.uniform(30, 300))),
            "break_overrun": duration(rng, float(rng.uniform(30, 200))),
        }
    return extra


RANDOM = range(40)


# ------------------------------------------------------------------- the same records
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_give_identical_records(path):
    sc = load_scenario(path)
    for day in range(3):
        assert differences(sc, day) == [], f"{path.name}, day {day}"


@pytest.mark.parametrize("point", GRID, ids=str)
def test_theory_grid_points_give_identical_records(point):
    sc = parse_scenario(point.scenario())
    for day in range(2):
        assert differences(sc, day) == [], f"{point}, day {day}"


@pytest.mark.parametrize("i", RANDOM)
def test_random_scenarios_give_identical_records(i):
    sc = parse_scenario(random_scenario(i))
    assert uncovered(sc) is None
    for day in range(3):
        assert differences(sc, day) == [], f"random scenario {i}, day {day}"


def two_days(d: dict) -> dict:
    """The random day `d` as a horizon of two dated days, the same each day (the
    forecast and staffing lists repeated), closed at night."""
    n = len(next(iter(d["queues"].values()))["volumes"])
    twice = {**d, "queues": {}, "agents": {}}
    for name, q in d["queues"].items():
        twice["queues"][name] = q | {"volumes": q["volumes"] * 2}
        if "aht_by_interval" in q:
            twice["queues"][name]["aht_by_interval"] = q["aht_by_interval"] * 2
    for name, g in d["agents"].items():
        twice["agents"][name] = g | ({"staffing": g["staffing"] * 2} if "staffing" in g else {})
    close = clock(n * d["interval_minutes"])
    return twice | {"horizon": {"start": "2026-12-07", "days": 2, "close": close}}


@pytest.mark.parametrize("i", range(0, 40, 4))
def test_random_scenarios_over_a_horizon_give_identical_records_and_kpis(i):
    """A horizon is played stretch by stretch (simulator.run.horizon): both engines give
    the same records on the horizon's clock and the same per-day KPIs."""
    sc = parse_scenario(two_days(random_scenario(i)))
    ref = simulate(sc, 2, seed=5, engine="simpy", keep_records=True)
    got = simulate(sc, 2, seed=5, engine="fast", keep_records=True)
    assert to_dict(ref) == to_dict(got)
    for a, b in zip(ref.days, got.days):
        assert [k for k in a.calls if not same(a.calls[k], b.calls[k])] == []
        assert same(a.agent_log, b.agent_log)


def test_simultaneous_events_are_played_in_the_reference_order():
    """Deterministic durations make events tie: agents joining at a boundary take
    queued calls at the same moment, so their talk and ACW ends coincide, and which
    group is freed first decides who takes the next call."""
    fixed = {"distribution": "deterministic", "mean": 120.0}
    q = {"volumes": [160, 40, 200, 60], "talk": fixed, "acw": fixed | {"mean": 30.0}}
    d = scenario(
        {"a": q | {"patience": fixed | {"mean": 600.0}}, "b": q | {"priority": 1}},
        {
            "x": group(["a", "b"], [2, 6, 1, 5]),
            "y": group({"a": 1, "b": 1}, [3, 1, 6, 2]),
            "z": group(["b"], [0, 4, 2, 3]),
        },
        interval_minutes=30,
    )
    sc = parse_scenario(d)
    ties = 0
    for day in range(3):
        assert differences(sc, day) == [], f"day {day}"
        c = simulate_day(sc, seed(day)).calls
        ends = np.sort((c["start"] + c["talk"])[c["outcome"] == 0])
        ties += int(np.sum(np.diff(ends) == 0))
    assert ties > 50  # the day really is full of simultaneous events


def test_random_scenarios_reach_every_feature():
    """The generator is only worth its runs if it exercises what the kernel plays."""
    scs = [parse_scenario(random_scenario(i)) for i in RANDOM]
    qs = [q for sc in scs for q in sc.queues.values()]
    assert sum(sc.lines is not None for sc in scs) >= 5
    assert sum(len(g.skills) > 1 for sc in scs for g in sc.agents.values()) >= 10
    assert sum(isinstance(g.skills, dict) for sc in scs for g in sc.agents.values()) >= 10
    for feature in ("patience", "acw", "hold", "transfers", "escalation", "redial", "repeat"):
        assert sum(bool(getattr(q, feature)) for q in qs) >= 5, feature
    assert sum(q.callback is not None for q in qs) >= 5
    assert sum(q.head_start > 0 for q in qs) >= 5
    assert sum(g.not_ready is not None for sc in scs for g in sc.agents.values()) >= 5
    assert sum(q.aht_by_interval is not None for q in qs) >= 5
    assert sum(bool(g.handle_time_factor) for sc in scs for g in sc.agents.values()) >= 5
    assert sum(sc.roster is not None for sc in scs) >= 8
    assert sum(sc.absence is not None for sc in scs) >= 4
    assert sum(bool(sc.roster and sc.roster.activities) for sc in scs) >= 2
    days = [simulate_day_fast(sc, seed(0)).calls for sc in scs]
    assert sum(int((c["attempt"] > 1).sum()) for c in days) > 100  # redials and repeats
    assert sum(int((c["segment"] > 1).sum()) for c in days) > 100  # transfers, escalations
    assert sum(int(c["callback"].sum()) for c in days) > 20
    assert sum(int((c["outcome"] == 2).sum()) for c in days) > 100  # blocked
    assert sum(int((c["not_ready"] > 0).sum()) for c in days) > 500


def test_a_day_that_outgrows_its_first_guesses_is_replayed_to_the_same_records():
    sc = load_scenario(ROOT / "scenarios" / "bank_journeys.yaml")
    day = fast._Day(sc, seed(0))
    day.heap, day.log = 1, 1
    day.later = [0] * len(day.later)
    got, ref = day.play(), simulate_day(sc, seed(0))
    assert all(same(ref.calls[k], got.calls[k]) for k in ref.calls)
    assert same(ref.agent_log, got.agent_log)
    assert day.heap > 1 and day.log > 1 and sum(n >= 1024 for n in day.later) >= 3  # regrown


def test_a_day_that_runs_out_of_not_ready_times_is_replayed_to_the_same_records():
    rest = {"distribution": "gamma", "mean": 30.0, "cv": 0.8}
    d = scenario(
        {"a": queue([900, 1200, 800], {"distribution": "exponential", "mean": 200.0})},
        {"x": group(["a"], [40, 50, 40], not_ready=rest), "y": group(["a"], [10, 10, 10])},
    )
    sc = parse_scenario(d)
    day = fast._Day(sc, seed(0))
    day.rest_counts = [1, 0]
    got, ref = day.play(), simulate_day(sc, seed(0))
    assert all(same(ref.calls[k], got.calls[k]) for k in ref.calls)
    assert day.rest_counts[0] > 1024 and day.rest_counts[1] == 0  # regrown, once
    assert int((ref.calls["not_ready"] > 0).sum()) > 1024  # more than the first block


# ------------------------------------------------------------------- the same KPIs
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_whole_runs_give_identical_kpis(path):
    sc = load_scenario(path)
    ref = simulate(sc, 3, seed=11, engine="simpy", keep_records=False)
    got = simulate(sc, 3, seed=11, engine="fast", keep_records=False)
    assert to_dict(ref) == to_dict(got)
    for kpi, samples in ref.interval_samples.items():
        assert same(samples, got.interval_samples[kpi]), kpi


# ------------------------------------------------------------------- choosing
def test_auto_picks_fast_where_it_covers_the_scenario_and_simpy_where_not(monkeypatch):
    sc = load_scenario(ROOT / "scenarios" / "bank_journeys.yaml")
    assert day_engine(sc, "simpy") is simulate_day
    assert day_engine(sc, "fast") is simulate_day_fast
    assert day_engine(sc, "auto") is (simulate_day_fast if fast.base.COMPILED else simulate_day)
    covered = {k: set(v) for k, v in fast._COVERED.items()}
    covered[type(sc.queues["tech"])].discard("callback")
    monkeypatch.setattr(fast, "_COVERED", covered)
    assert uncovered(sc) == "queues.tech.callback"
    assert day_engine(sc, "auto") is simulate_day
    with pytest.raises(EngineError, match=r"does not cover queues\.tech\.callback"):
        day_engine(sc, "fast")
    with pytest.raises(EngineError, match="engine: must be one of auto, simpy, fast"):
        day_engine(sc, "quick")


def test_the_cli_refuses_an_engine_it_does_not_know_with_exit_2():
    from typer.testing import CliRunner

    from simulator.cli import app

    res = CliRunner().invoke(app, ["run", str(SHIPPED[0]), "--engine", "quick", "--json"])
    assert res.exit_code == 2
    assert "engine: must be one of auto, simpy, fast" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize(
    "command",
    [
        ["staff", "--method", "simulation"],
        ["compare", "--replications", "3"],
        ["compare", "--replications", "2", str(ROOT / "scenarios" / "single_queue.yaml")],
    ],
    ids=["staff", "compare", "compare-several"],
)
def test_staff_and_compare_play_their_days_with_the_engine_asked_for(command, monkeypatch):
    """--engine reaches every simulated day (a staffing search's trials, a
    comparison's scenarios): both engines give the same JSON, and a forced fast engine
    that does not cover the scenario is refused with exit 2, naming the field."""
    from typer.testing import CliRunner

    from simulator.cli import app

    single = str(ROOT / "scenarios" / "single_queue.yaml")
    args = [command[0], single, *command[1:], "--json", "--quiet"]
    outputs = {}
    for engine in ("simpy", "fast"):
        res = CliRunner().invoke(app, [*args, "--engine", engine])
        assert res.exit_code == 0, res.output
        outputs[engine] = res.stdout
    assert outputs["simpy"] == outputs["fast"]
    covered = {k: set(v) for k, v in fast._COVERED.items()}
    covered[Scenario].discard("service_level")  # pretend the kernel lacks a feature
    monkeypatch.setattr(fast, "_COVERED", covered)
    res = CliRunner().invoke(app, [*args, "--engine", "fast"])
    assert res.exit_code == 2
    assert "the fast engine does not cover service_level" in res.output
    assert "Traceback" not in res.output
    res = CliRunner().invoke(app, [*args, "--engine", "auto"])  # auto: simpy, same figures
    assert res.exit_code == 0 and res.stdout == outputs["simpy"]


@pytest.mark.parametrize("command", ["run", "staff", "compare"])
def test_every_command_refuses_an_unknown_engine_before_any_work(command):
    from typer.testing import CliRunner

    from simulator.cli import app

    res = CliRunner().invoke(app, [command, str(SHIPPED[0]), "--engine", "quick", "--json"])
    assert res.exit_code == 2
    assert "--engine: must be one of auto, simpy, fast, not 'quick'" in res.output
    assert "Traceback" not in res.output


# ------------------------------------------------------------------- without numba
FALLBACK = """
import sys
sys.modules["numba"] = None  # numba cannot be imported
import numpy as np
from simulator.model.load import load_scenario
from simulator.sim import fast, fast_base
from simulator.sim.engine import simulate_day
assert not fast_base.COMPILED
for path in sys.argv[1:]:
    sc = load_scenario(path)
    assert fast.day_engine(sc, "auto") is simulate_day
    for day in range(2):
        a = simulate_day(sc, np.random.SeedSequence(day))
        b = fast.simulate_day_fast(sc, np.random.SeedSequence(day))
        for k, ref in a.calls.items():
            got = b.calls[k]
            assert ref.dtype == got.dtype and ref.tobytes() == got.tobytes(), (path, k)
        assert a.agent_log.tobytes() == b.agent_log.tobytes()
print("same")
"""


def test_without_numba_the_plain_python_kernel_gives_the_same_records():
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", FALLBACK, *map(str, SHIPPED)],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "same"
