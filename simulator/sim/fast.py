"""The fast engine: the SimPy engine's day as a compiled kernel, with identical records.

`simulate_day_fast(sc, seed)` returns exactly what `simulator.sim.engine.simulate_day`
returns for the same scenario and seed, column for column and bit for bit
(`tests/test_fast_engine.py` checks it), 10-40 times sooner: the kernel
(`simulator.sim.fast_kernel`) replays the reference engine's rules over arrays,
compiled by numba. It consumes the same random numbers, from the same code
(`simulator.sim.draws`): the forecast's callers with their decisions as arrays, and
the later callers' rows of each (queue, entry queue) in whole blocks. If a day needs
more later callers than were drawn, the blocks are extended and the day is played
again.

`day_engine(sc, engine)` picks the engine: `simpy` (the readable reference), `fast`
(refused, with the reason, for a scenario feature the kernel does not cover), or
`auto` (fast when it covers the scenario and numba is there, else simpy).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel

from ..model.scenario import AgentGroup, Queue, Scenario
from . import ENGINES
from . import fast_base as base
from . import fast_events as events
from .draws import Later, forecast
from .fast_kernel import run_day
from .fast_tables import Calls, Draws, Rules, State, rules
from .records import COLUMNS, DayRecords, interval_column
from .streams import BLOCK, Streams

DaySimulator = Callable[[Scenario, np.random.SeedSequence], DayRecords]

# Scenario fields the kernel plays (the others must keep their defaults).
_COVERED = {
    Scenario: {
        "name", "description", "interval_minutes", "open", "service_level", "lines",
        "line_cost_per_hour", "shrinkage", "targets", "shifts", "queues", "agents", "arrivals",
        "simulation", "roster", "absence",  # as staffing changes (sim.rostering)
        "forecast",  # a forecast file is only the queues' volumes and AHT, read in
        "horizon",  # a horizon is played stretch by stretch (run.day): the engine only
    },  # ever sees dateless runs
    Queue: {
        "volumes", "handle_time", "talk", "hold", "acw", "patience", "priority",
        "transfers", "escalation", "redial", "repeat", "callback", "head_start",
        "aht_by_interval",  # the forecast's callers drawn scaled, later ones scaled here
    },
    AgentGroup: {"skills", "staffing", "not_ready", "handle_time_factor", "cost_per_hour"},
}  # fmt: skip


class EngineError(ValueError):
    """The engine asked for cannot simulate this scenario (the message says why)."""


def uncovered(sc: Scenario) -> str | None:
    """The first scenario field the fast engine does not play, as a field path, or
    None if it covers the whole scenario."""
    parts: list[tuple[str, BaseModel]] = [("", sc)]
    parts += [(f"queues.{name}.", q) for name, q in sc.queues.items()]
    parts += [(f"agents.{name}.", g) for name, g in sc.agents.items()]
    for prefix, model in parts:
        for name, info in type(model).model_fields.items():
            default = info.get_default(call_default_factory=True)
            if name not in _COVERED[type(model)] and getattr(model, name) != default:
                return prefix + name
    return None


def day_engine(sc: Scenario, engine: str = "auto") -> DaySimulator:
    """The function simulating one day of `sc` with `engine` (auto, simpy or fast)."""
    if engine not in ENGINES:
        raise EngineError(f"engine: must be one of {', '.join(ENGINES)}, not {engine!r}")
    missing = uncovered(sc)
    if engine == "fast" and missing:
        raise EngineError(
            f"engine: the fast engine does not cover {missing} yet; "
            "use --engine simpy (or auto, which picks simpy here)"
        )
    if not _ALLOCATOR:  # either engine's days: each day's arrays where the last one's were
        _ALLOCATOR.append(keep_freed_memory())
    if engine == "fast" or (engine == "auto" and not missing and base.COMPILED):
        return simulate_day_fast
    from .engine import simulate_day

    return simulate_day


# ----------------------------------------------------------------- one day
class _Day:
    """One day's random numbers and tables, played by the kernel until nothing ran out."""

    def __init__(self, sc: Scenario, seed: np.random.SeedSequence):
        self.sc = sc
        streams = Streams(seed)
        f = forecast(sc, streams)
        self.arrival, self.queue, self.talk, self.handle, self.patience = (
            f.arrival,
            f.queue,
            f.talk,
            f.handle,
            f.patience,
        )
        self.decisions = f.decisions
        self.later_draws = Later(sc, streams)
        self.rules = rules(sc, streams)
        self.most = _most_agents(self.rules, len(sc.agents))
        n, queues, nq = len(self.arrival), list(sc.queues.values()), len(sc.queues)
        targets = {int(t) for t in self.rules.route_target} | {
            int(t) for t in self.rules.esc_target if t >= 0
        }
        # First guesses of how many later callers each (queue, entry) slot takes
        # (enlarged and the day replayed if one runs out).
        guess = lambda x: BLOCK * math.ceil((x + 1) / BLOCK)
        later = guess(0.25 * n)
        self.later = [
            later if (e == q and (queues[q].redial or queues[q].repeat)) or q in targets else 0
            for q in range(nq)
            for e in range(nq)
        ]
        self.hang_up_events = bool(sc.lines or any(q.redial or q.callback for q in queues))
        agents = int(self.most.sum())
        self.heap = 2 * agents + sum(self.later) + 8 + (n if self.hang_up_events else 0)
        self.log = len(self.rules.ev_group) + _drops(self.rules) + 8  # moves, log-offs
        self.rests = [_Rests(g, streams, name) for name, g in sc.agents.items()]
        # not-ready times each group takes: its share of the agents' hours, and a margin
        share = self.most / self.most.sum() if self.most.sum() else self.most.astype(float)
        calls = n + sum(self.later)
        self.rest_counts = [
            guess(1.25 * share[i] * calls) if r.dist else 0 for i, r in enumerate(self.rests)
        ]

    def play(self) -> DayRecords:
        """Run the kernel; enlarge what ran out and run again until the day is done."""
        while True:
            c, d, s = self._calls(), self._draws(), self._state()
            status = _run(c, self.rules, d, s)
            if status == base.OK:
                return _records(self.sc, c, s)
            if status == base.DRY_CALLERS:
                slot = int(s.iv[base.DRY_QUEUE])
                self.later[slot] = max(2 * self.later[slot], BLOCK)
            elif status == base.DRY_NOT_READY:
                g = int(s.iv[base.DRY_GROUP])
                self.rest_counts[g] = 2 * max(self.rest_counts[g], BLOCK)
            elif status == base.FULL_HEAP:
                self.heap *= 2
            else:
                self.log *= 2

    def _calls(self) -> Calls:
        n = len(self.arrival)
        size = n + sum(self.later) + 1  # the last row is spare
        cols = {name: np.zeros(size, dtype) for name, dtype in COLUMNS.items()}
        cols["customer"][:n] = np.arange(n)
        cols["attempt"][:n] = cols["segment"][:n] = 1
        for name in ("queue", "arrival", "talk", "handle"):
            cols[name][:n] = getattr(self, name)
        patience = np.zeros(size)
        patience[:n] = self.patience
        dec = np.empty(0)  # no caller decides anything: the kernel reads none
        if self.decisions is not None:
            dec = np.full((size, base.ND), np.nan)
            dec[:n] = self.decisions
        return Calls(
            **cols,
            dec=dec.ravel(),
            patience=patience,
            deadline=np.full(size, math.inf),
            waiting=np.zeros(size, bool),
            line=np.zeros(size, bool),
            entry=np.full(size, -1, np.int16),
        )

    def _draws(self) -> Draws:
        nq = len(self.sc.queues)
        blocks = []
        for slot, n in enumerate(self.later):
            if n:
                stream = self.later_draws.stream(*divmod(slot, nq))
                stream.upto(n)
                blocks.append(
                    (stream.talk, stream.handle, stream.patience, stream.decisions.ravel())
                )
            else:
                blocks.append((np.empty(0),) * 4)
        off = np.cumsum([0] + [len(b[0]) for b in blocks]).astype(np.int64)
        columns = [np.concatenate([np.empty(0), *(b[i] for b in blocks)]) for i in range(4)]
        rests = [r.upto(n) for r, n in zip(self.rests, self.rest_counts)]
        nr_off = np.cumsum([0] + [len(v) for v in rests]).astype(np.int64)
        nr_value = np.concatenate([np.empty(0), *rests])
        talk, handle, patience, dec = columns
        return Draws(
            off, off[:-1].copy(), talk, handle, patience, dec,
            nr_off, nr_off[:-1].copy(), nr_value,
        )  # fmt: skip

    def _state(self) -> State:
        sc, nq, ng = self.sc, len(self.sc.queues), len(self.sc.agents)
        iv = np.zeros(base.N_IV, np.int64)
        iv[base.LINES] = sc.lines if sc.lines is not None else -1
        iv[base.N_FIRST] = iv[base.N_CALLS] = len(self.arrival)
        iv[base.N_INT] = sc.n_intervals
        iv[base.ANY_REPEAT] = any(q.repeat for q in sc.queues.values())
        iv[base.ANY_CALLBACK] = any(q.callback for q in sc.queues.values())
        iv[base.HANGUP_EVENTS] = self.hang_up_events
        iv[base.N_QUEUES] = nq
        iv[base.FREE] = 0 if self.heap else -1
        iv[base.GROUP_BITS] = (ng - 1).bit_length()
        iv[base.KEY_SHIFT] = _key_shift(len(self.arrival) + sum(self.later) + 1, self.rules)
        r = self.rules
        iv[base.ANY_ROUTE] = len(r.route_target) > 0 or bool((r.esc_target >= 0).any())
        iv[base.ANY_ACW] = any(q.acw is not None for q in sc.queues.values())
        idle_off = np.cumsum([0, *(self.most + 1)])
        minus = lambda n: np.full(n, -1, np.int64)
        return State(
            iv=iv,
            fv=np.array([0.0, sc.interval_seconds, _per_slot(self.handle, self.most)]),
            n_waiting=np.zeros(nq, np.int64),
            w_head=minus(nq), w_tail=minus(nq), cb_head=minus(nq), cb_tail=minus(nq),
            link=minus(len(self.arrival) + sum(self.later) + 1),
            idle_off=idle_off.astype(np.int64),
            idle_buf=np.zeros(idle_off[-1]),
            idle_head=idle_off[:-1].astype(np.int64),
            idle_count=np.zeros(ng, np.int64),
            staffed=np.zeros(ng, np.int64),
            leaving=np.zeros(ng, np.int64),
            h_time=np.zeros(self.heap), h_key=np.zeros(self.heap, np.int64),
            f_head=minus(events.SLOTS + 1), f_time=np.zeros(self.heap),
            f_key=np.zeros(self.heap, np.int64), f_next=_free_list(self.heap),
            log_t=np.zeros(self.log), log_g=np.zeros(self.log, np.int64),
            log_n=np.zeros(self.log, np.int64),
        )  # fmt: skip


def _per_slot(handle: np.ndarray, most: np.ndarray) -> float:
    """Calendar slots per second (`simulator.sim.fast_events`): a slot as long as the
    centre's agents, all busy, take to finish about 256 calls of the forecast's mean
    handle time (0: one endless slot, a plain heap)."""
    agents = float(most.sum())
    mean = float(handle.mean()) if len(handle) else 0.0
    return agents / (256 * mean) if agents and mean > 0 else 0.0


def _free_list(n: int) -> np.ndarray:
    """The calendar's nodes, all free: node i links to i + 1 (the last to none)."""
    link = np.arange(1, n + 1, dtype=np.int64)
    link[-1:] = -1
    return link


def _key_shift(rows: int, r: Rules) -> int:
    """Bits of an event key below its scheduling order: enough for the kind and the
    largest datum (a call's row with its agent's group, a staffing change). Each row
    schedules at most four events (its arrival, hang-up, talk end, ACW end), so the
    order fits above."""
    groups = len(r.not_ready)
    data = max(rows << (groups - 1).bit_length(), len(r.ev_time)).bit_length()
    shift = events.KIND_BITS + data
    most = 4 * rows + len(r.ev_time) + 8
    if most.bit_length() + shift > 63:
        raise ValueError(f"a day of {rows:,} call segments is too large to simulate")
    return shift


def _most_agents(r: Rules, groups: int) -> np.ndarray:
    """The most agents each group ever has logged in (its staffing changes' largest
    target): the size of its ring of idle agents."""
    most = np.zeros(groups, np.int64)
    np.maximum.at(most, r.ev_group, r.ev_target)
    return most


def _drops(r: Rules) -> int:
    """Agents leaving over the day (each busy one logs off on its own), summed over the
    groups' staffing changes."""
    drops = 0
    for g in np.unique(r.ev_group):
        targets = r.ev_target[r.ev_group == g]
        drops += int(np.clip(targets[:-1] - targets[1:], 0, None).sum())
    return drops


class _Rests:
    """An agent group's not-ready times after calls, drawn as the SimPy engine draws
    them (`simulator.sim.draws.not_ready`: blocks of BLOCK from stream ("not_ready",
    group)), so the i-th call its agents finish gets the same value."""

    def __init__(self, group: AgentGroup, streams: Streams, name: str):
        self.dist = group.not_ready
        self.rng = streams.rng("not_ready", name) if self.dist else None
        self.values = np.empty(0)

    def upto(self, n: int) -> np.ndarray:
        """The first n values at least (whole blocks), or none if n is 0."""
        while len(self.values) < n and self.dist is not None and self.rng is not None:
            self.values = np.concatenate([self.values, self.dist.draw(self.rng, BLOCK)])
        return self.values if n else np.empty(0)


def _run(c: Calls, r: Rules, d: Draws, s: State) -> int:
    """The kernel, compiled; or as plain Python over lists (written back after)."""
    if base.COMPILED:
        return int(run_day(c, r, d, s))
    lists = [type(t)(*(a.tolist() for a in t)) for t in (c, r, d, s)]
    status = run_day(*lists)
    for arrays, values in ((c, lists[0]), (d, lists[2]), (s, lists[3])):
        for a, v in zip(arrays, values):
            a[:] = v
    return int(status)


def _records(sc: Scenario, c: Calls, s: State) -> DayRecords:
    """The record columns (copied out of the tables if those were much larger)."""
    n = int(s.iv[base.N_CALLS])
    trim = (lambda a: a[:n].copy()) if len(c.arrival) > 1.25 * n + 16 else (lambda a: a[:n])
    cols = {name: trim(getattr(c, name)) for name in COLUMNS}
    cols["interval"] = interval_column(cols["arrival"], sc.interval_seconds, sc.n_intervals)
    m = int(s.iv[base.NLOG])
    log = np.column_stack([s.log_t[:m], s.log_g[:m], s.log_n[:m]]).astype(float)
    return DayRecords(cols, log.reshape(-1, 3))


def simulate_day_fast(sc: Scenario, seed: np.random.SeedSequence) -> DayRecords:
    """Simulate one day of `sc` with the random streams of `seed`: the same records
    as `simulator.sim.engine.simulate_day`, sooner."""
    return _Day(sc, seed).play()


_ALLOCATOR: list[bool] = []  # whether keep_freed_memory ran (once a process)
# glibc's mallopt parameters, and the values: arrays below 32 MB come from the heap,
# and up to 256 MB freed at its top stays with the process
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_BELOW, _KEEP_FREED = 32 << 20, 256 << 20


def keep_freed_memory() -> bool:
    """Have glibc's allocator keep the memory a day frees for the next day (True if
    done; False off glibc). By default it maps each array of a large day afresh and
    hands freed memory back, so every day of 200,000 calls touches ~25 MB of new pages
    (~8,000 page faults, a third of the fast engine's time at 45,000 agents; a
    50,000-call day's arrays fit what it keeps). `day_engine` calls it once a process,
    whichever engine it picks. Peak memory is a day's, as before; after the last day
    the process holds up to 256 MB more until it ends."""
    import ctypes
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        done = libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_BELOW)
        return bool(done and libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_FREED))
    except (OSError, AttributeError):  # pragma: no cover - no mallopt in this C library
        return False


# Seconds the kernel takes to compile on the reference machine (benchmarks/bench_engine.py
# measures it: about 11 s of CPU on 2 shared cores); the command line tells users.
COMPILE_SECONDS = 15


def compile_pending() -> bool:
    """Whether the first fast-engine day of this process will compile the kernel
    (numba is there and its cache holds no kernel for this source and this machine),
    which takes about COMPILE_SECONDS once; False if unknown."""
    if not base.COMPILED or run_day.signatures:
        return False
    try:
        machine = run_day.targetctx.codegen().magic_tuple()
        index = run_day._cache._cache_file._load_index()  # numba's own check of the source
        return not any(key[1] == machine for key in index)
    except Exception:  # pragma: no cover - numba's cache layout is not public
        return False


def warm() -> str:
    """Compile the kernel into numba's cache (`make install` does it once), so the
    first simulated day of a later process loads it instead of compiling (~15 s)."""
    import time

    from ..model.load import parse_scenario

    t0 = time.perf_counter()
    exponential = {"distribution": "exponential", "mean": 60}
    tiny = {
        "name": "compile",
        "interval_minutes": 60,
        "open": "08:00",
        "service_level": {"seconds": 20, "target": 0.8},
        "queues": {"q": {"volumes": [5], "handle_time": exponential}},
        "agents": {"a": {"skills": ["q"], "staffing": [1]}},
    }
    simulate_day_fast(parse_scenario(tiny), np.random.SeedSequence(0))
    state = "compiled" if base.COMPILED else "numba unavailable: plain Python"
    return f"fast engine ready ({state}, {time.perf_counter() - t0:.1f} s)"
