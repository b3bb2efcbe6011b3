"""The fast engine: the SimPy engine's day as a compiled kernel, with identical records.

`simulate_day_fast(sc, seed)` returns exactly what `simulator.sim.engine.simulate_day`
returns for the same scenario and seed, column for column and bit for bit
(`tests/test_fast_engine.py` checks it), 10-40 times sooner: the kernel
(`simulator.sim.fast_kernel`) replays the reference engine's rules over arrays,
compiled by numba. It consumes the same random numbers: the forecast's callers are
drawn in bulk exactly as the reference draws them, and the numbers the reference
takes one at a time (later callers, routing and redial draws, delays) are pre-drawn
here in the same batches from the same streams. If a day needs more of them than
were drawn, the blocks are extended and the day is played again.

`day_engine(sc, engine)` picks the engine: `simpy` (the readable reference), `fast`
(refused, with the reason, for a scenario feature the kernel does not cover), or
`auto` (fast when it covers the scenario and numba is there, else simpy).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..model.distributions import draw
from ..model.scenario import AgentGroup, Queue, Scenario
from . import fast_kernel as kernel
from .records import COLUMNS, NEXT_ESCALATION, NEXT_TRANSFER, DayRecords

ENGINES = ("auto", "simpy", "fast")
BATCH = 1024  # the reference engine's batch of one-at-a-time draws
DaySimulator = Callable[[Scenario, np.random.SeedSequence], DayRecords]

# Scenario fields the kernel plays (the others must keep their defaults).
_COVERED = {
    Scenario: {
        "name", "description", "interval_minutes", "open", "service_level", "lines",
        "line_cost_per_hour", "shrinkage", "targets", "shifts", "queues", "agents",
        "simulation",
    },
    Queue: {
        "volumes", "handle_time", "talk", "hold", "acw", "patience", "priority",
        "transfers", "escalation", "redial", "repeat", "callback",
    },
    AgentGroup: {"skills", "staffing", "cost_per_hour"},
}  # fmt: skip


class EngineError(ValueError):
    """The engine asked for cannot simulate this scenario (the message says why)."""


def uncovered(sc: Scenario) -> str | None:
    """The first scenario field the fast engine does not play, as a field path, or
    None if it covers the whole scenario."""
    parts = [("", sc)]
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
    if engine == "fast" or (engine == "auto" and not missing and kernel.COMPILED):
        return simulate_day_fast
    from .engine import simulate_day

    return simulate_day


# ----------------------------------------------------------------- random numbers
class _Stream:
    """One of the reference engine's one-at-a-time streams, drawn in its batches."""

    def __init__(self, fill: Callable[[int], np.ndarray] | None):
        self.fill = fill
        self.values = np.empty(0)

    def upto(self, n: int) -> np.ndarray:
        """The stream's first n values or more (whole batches), as the reference sees them."""
        if self.fill is not None and len(self.values) < n:
            more = [self.fill(BATCH) for _ in range(-(-(n - len(self.values)) // BATCH))]
            self.values = np.concatenate([self.values, *more])
        return self.values


class _QueueDraws:
    """A queue's random streams, spawned exactly as `engine._QueueRules` spawns them."""

    def __init__(self, q: Queue, seed: np.random.SeedSequence):
        rngs = iter(np.random.default_rng(s) for s in seed.spawn(12))
        self.parts = []  # (distribution, bulk generator, one-at-a-time stream)
        for dist in (q.handle_time or q.talk, q.hold, q.acw, q.patience):
            bulk = next(rngs)
            lazy = _Stream(_filler(dist, next(rngs))) if dist else None
            self.parts.append((dist, bulk, lazy))
        self.redial = _Stream(_filler(q.redial.delay, next(rngs)) if q.redial else None)
        self.repeat = _Stream(_filler(q.repeat.delay, next(rngs)) if q.repeat else None)
        self.uniform = _Stream(next(rngs).random)

    def callers(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The forecast's n callers: talk, handle, patience (as `_QueueRules.callers`)."""
        talk, hold, acw, patience = (
            draw(dist, rng, n) if dist else np.zeros(n) for dist, rng, _ in self.parts
        )
        if self.parts[3][0] is None:
            patience = np.full(n, math.inf)
        return talk + hold, talk + hold + acw, patience

    def later(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The first n (or more) callers drawn one at a time (as `_QueueRules.caller`)."""
        if n == 0:
            return np.empty(0), np.empty(0), np.empty(0)
        talk, hold, acw, patience = (
            lazy.upto(n)[:n] if lazy else np.zeros(n) for _, _, lazy in self.parts
        )
        if self.parts[3][0] is None:
            patience = np.full(n, math.inf)
        return talk + hold, talk + hold + acw, patience


def _filler(dist, rng: np.random.Generator) -> Callable[[int], np.ndarray]:
    return lambda size: draw(dist, rng, size)


# ----------------------------------------------------------------- the kernel's tables
class Calls(NamedTuple):
    """Call segments: the record columns, then the kernel's own (patience, deadline,
    waiting, holding a line, the queue the phone call came in on)."""

    customer: np.ndarray
    attempt: np.ndarray
    segment: np.ndarray
    queue: np.ndarray
    arrival: np.ndarray
    outcome: np.ndarray
    wait: np.ndarray
    group: np.ndarray
    start: np.ndarray
    talk: np.ndarray
    handle: np.ndarray
    next: np.ndarray
    callback: np.ndarray
    unresolved: np.ndarray
    patience: np.ndarray
    deadline: np.ndarray
    waiting: np.ndarray
    line: np.ndarray
    entry: np.ndarray


class Rules(NamedTuple):
    """The scenario's queues (q) and agent groups (g), resolved to indices; lists of
    lists are flat arrays with offsets (x_off[i] to x_off[i + 1])."""

    sole: np.ndarray  # q: the only group with the skill, or -1
    priority: np.ndarray
    aht: np.ndarray
    cb: np.ndarray  # q: offers callbacks
    cb_threshold: np.ndarray
    cb_accept: np.ndarray
    redial_p: np.ndarray  # q: -1 if callers do not redial
    redial_max: np.ndarray
    repeat_p: np.ndarray
    repeat_max: np.ndarray
    route_off: np.ndarray  # q: after-talk routes (cumulative probability, target, kind)
    route_cum: np.ndarray
    route_target: np.ndarray
    route_kind: np.ndarray
    server_off: np.ndarray  # q: groups with the skill
    servers: np.ndarray
    only: np.ndarray  # g: its only skill, or -1
    skill_off: np.ndarray  # g: skills by rank then priority, and their tier
    skills: np.ndarray
    skill_tier: np.ndarray
    staffing: np.ndarray  # g x interval, flat


class Draws(NamedTuple):
    """Pre-drawn numbers per queue (flat, with offsets and cursors): later callers'
    talk, handle and patience; uniforms; redial and repeat delays."""

    lz_off: np.ndarray
    lz_cur: np.ndarray
    lz_talk: np.ndarray
    lz_handle: np.ndarray
    lz_patience: np.ndarray
    u_off: np.ndarray
    u_cur: np.ndarray
    u_vals: np.ndarray
    rd_off: np.ndarray
    rd_cur: np.ndarray
    rd_vals: np.ndarray
    rp_off: np.ndarray
    rp_cur: np.ndarray
    rp_vals: np.ndarray


class State(NamedTuple):
    """The rest of the day: counters, queues as linked lists, idle rings, the event
    heap and the agent log."""

    iv: np.ndarray
    fv: np.ndarray
    n_waiting: np.ndarray
    w_head: np.ndarray
    w_tail: np.ndarray
    cb_head: np.ndarray
    cb_tail: np.ndarray
    link: np.ndarray
    idle_off: np.ndarray
    idle_buf: np.ndarray
    idle_head: np.ndarray
    idle_count: np.ndarray
    staffed: np.ndarray
    leaving: np.ndarray
    h_time: np.ndarray
    h_eid: np.ndarray
    h_kind: np.ndarray
    h_data: np.ndarray
    log_t: np.ndarray
    log_g: np.ndarray
    log_n: np.ndarray


def _flat(lists: list[list]) -> tuple[np.ndarray, list]:
    """Offsets and concatenation of a list of lists."""
    return np.cumsum([0] + [len(x) for x in lists]), [v for x in lists for v in x]


def _rules(sc: Scenario) -> Rules:
    index = {name: i for i, name in enumerate(sc.queues)}
    queues, groups = list(sc.queues.values()), list(sc.agents.values())
    tiers = []  # per group: (queue, tier) by rank (best first), each by priority
    for g in groups:
        ranks = g.ranks
        order = []
        for tier, rank in enumerate(sorted(set(ranks.values()))):
            qs = sorted((index[s] for s, r in ranks.items() if r == rank), key=lambda q: -queues[q].priority)
            order += [(q, tier) for q in qs]
        tiers.append(order)
    servers = [[g for g in range(len(groups)) if any(q == x for x, _ in tiers[g])] for q in range(len(queues))]
    routes = []
    for q in queues:
        cum, route = 0.0, []
        for target, p in q.transfers.items():
            cum += p
            route.append((cum, index[target], NEXT_TRANSFER))
        if q.escalation:
            cum += q.escalation.probability
            route.append((cum, index[q.escalation.to], NEXT_ESCALATION))
        routes.append(route)
    route_off, route = _flat(routes)
    server_off, server = _flat(servers)
    skill_off, skill = _flat(tiers)
    ints = lambda x: np.array(x, dtype=np.int64)
    floats = lambda x: np.array(x, dtype=float)
    return Rules(
        sole=ints([s[0] if len(s) == 1 else -1 for s in servers]),
        priority=ints([q.priority for q in queues]),
        aht=floats([q.aht for q in queues]),
        cb=np.array([q.callback is not None for q in queues]),
        cb_threshold=floats([q.callback.threshold if q.callback else 0 for q in queues]),
        cb_accept=floats([q.callback.acceptance if q.callback else 0 for q in queues]),
        redial_p=floats([q.redial.probability if q.redial else -1 for q in queues]),
        redial_max=ints([q.redial.max_attempts if q.redial else 0 for q in queues]),
        repeat_p=floats([q.repeat.probability if q.repeat else -1 for q in queues]),
        repeat_max=ints([q.repeat.max_attempts if q.repeat else 0 for q in queues]),
        route_off=ints(route_off),
        route_cum=floats([x[0] for x in route]),
        route_target=ints([x[1] for x in route]),
        route_kind=ints([x[2] for x in route]),
        server_off=ints(server_off),
        servers=ints(server),
        only=ints([t[0][0] if len(t) == 1 else -1 for t in tiers]),
        skill_off=ints(skill_off),
        skills=ints([x[0] for x in skill]),
        skill_tier=ints([x[1] for x in skill]),
        staffing=ints([g.staffing for g in groups]).ravel(),
    )


# ----------------------------------------------------------------- one day
class _Day:
    """One day's random numbers and tables, played by the kernel until nothing ran out."""

    def __init__(self, sc: Scenario, seed: np.random.SeedSequence):
        self.sc = sc
        arrival_seed, *queue_seeds = seed.spawn(1 + len(sc.queues))
        self.draws = [_QueueDraws(q, s) for q, s in zip(sc.queues.values(), queue_seeds)]
        self._first_calls(np.random.default_rng(arrival_seed))
        self.rules = _rules(sc)
        n, queues = len(self.arrival), list(sc.queues.values())
        targets = {int(t) for t in self.rules.route_target}
        # First guesses of how many one-at-a-time numbers the day takes (enlarged and
        # the day replayed if one runs out): later callers, and per call segment at most
        # one routing, one redial (or callback) and one repeat draw.
        guess = lambda x: BATCH * math.ceil((x + 1) / BATCH)
        later = guess(0.25 * n)
        self.later = [later if (q.redial or q.repeat or i in targets) else 0 for i, q in enumerate(queues)]
        self.uniforms = [
            guess(3 * (sum(q.volumes) + later))
            if (q.redial or q.repeat or q.callback or q.transfers or q.escalation)
            else 0
            for q in queues
        ]
        self.redials = [guess(sum(q.volumes)) if q.redial else 0 for q in queues]
        self.repeats = [guess(0.5 * sum(q.volumes)) if q.repeat else 0 for q in queues]
        self.hang_up_events = bool(sc.lines or any(q.redial or q.callback for q in queues))
        agents = sum(max(g.staffing) for g in sc.agents.values())
        self.heap = 2 * agents + sum(self.later) + 8 + (n if self.hang_up_events else 0)
        drops = sum(
            max(0, a - b) for g in sc.agents.values() for a, b in zip(g.staffing, g.staffing[1:])
        )
        self.log = len(sc.agents) * sc.n_intervals + drops + 8

    def _first_calls(self, rng: np.random.Generator) -> None:
        """The forecast's callers, as `CallCenter._first_calls` draws and orders them."""
        length, columns = self.sc.interval_seconds, []
        for qi, q in enumerate(self.sc.queues.values()):
            counts = rng.poisson(np.asarray(q.volumes, dtype=float))
            n = counts.sum()
            start = np.repeat(np.arange(len(counts)) * length, counts)
            columns.append(
                (start + rng.uniform(0, length, n), np.full(n, qi), *self.draws[qi].callers(n))
            )
        t, q, talk, handle, patience = (np.concatenate(c) for c in zip(*columns))
        order = np.argsort(t, kind="stable")
        self.arrival, self.queue = t[order], q[order]
        self.talk, self.handle, self.patience = talk[order], handle[order], patience[order]

    def play(self) -> DayRecords:
        """Run the kernel; enlarge what ran out and run again until the day is done."""
        while True:
            c, d, s = self._calls(), self._draws(), self._state()
            status = _run(c, self.rules, d, s)
            if status == kernel.OK:
                return _records(self.sc, c, s)
            q = int(s.iv[kernel.DRY_QUEUE])
            sizes = {
                kernel.DRY_CALLERS: self.later,
                kernel.DRY_UNIFORM: self.uniforms,
                kernel.DRY_REDIAL: self.redials,
                kernel.DRY_REPEAT: self.repeats,
            }.get(status)
            if sizes is not None:
                sizes[q] = max(2 * sizes[q], BATCH)
            elif status == kernel.FULL_HEAP:
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
        return Calls(
            **cols,
            patience=patience,
            deadline=np.full(size, math.inf),
            waiting=np.zeros(size, bool),
            line=np.zeros(size, bool),
            entry=np.full(size, -1, np.int16),
        )

    def _draws(self) -> Draws:
        later = [w.later(n) for w, n in zip(self.draws, self.later)]
        uniform = [w.uniform.upto(n)[:n] for w, n in zip(self.draws, self.uniforms)]
        redial = [w.redial.upto(n)[:n] for w, n in zip(self.draws, self.redials)]
        repeat = [w.repeat.upto(n)[:n] for w, n in zip(self.draws, self.repeats)]

        def flat(blocks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            off = np.cumsum([0] + [len(b) for b in blocks]).astype(np.int64)
            return off, off[:-1].copy(), np.concatenate([np.empty(0), *blocks])

        lz_off, lz_cur, lz_talk = flat([x[0] for x in later])
        return Draws(
            lz_off, lz_cur, lz_talk,
            flat([x[1] for x in later])[2], flat([x[2] for x in later])[2],
            *flat(uniform), *flat(redial), *flat(repeat),
        )  # fmt: skip

    def _state(self) -> State:
        sc, nq, ng = self.sc, len(self.sc.queues), len(self.sc.agents)
        iv = np.zeros(kernel.N_IV, np.int64)
        iv[kernel.LINES] = sc.lines if sc.lines is not None else -1
        iv[kernel.N_FIRST] = iv[kernel.N_CALLS] = len(self.arrival)
        iv[kernel.N_INT] = sc.n_intervals
        iv[kernel.ANY_REPEAT] = any(q.repeat for q in sc.queues.values())
        iv[kernel.ANY_CALLBACK] = any(q.callback for q in sc.queues.values())
        iv[kernel.HANGUP_EVENTS] = self.hang_up_events
        idle_off = np.cumsum([0] + [max(g.staffing) + 1 for g in sc.agents.values()])
        minus = lambda n: np.full(n, -1, np.int64)
        return State(
            iv=iv,
            fv=np.array([0.0, sc.interval_seconds]),
            n_waiting=np.zeros(nq, np.int64),
            w_head=minus(nq), w_tail=minus(nq), cb_head=minus(nq), cb_tail=minus(nq),
            link=minus(len(self.arrival) + sum(self.later) + 1),
            idle_off=idle_off.astype(np.int64),
            idle_buf=np.zeros(idle_off[-1]),
            idle_head=idle_off[:-1].astype(np.int64),
            idle_count=np.zeros(ng, np.int64),
            staffed=np.zeros(ng, np.int64),
            leaving=np.zeros(ng, np.int64),
            h_time=np.zeros(self.heap), h_eid=np.zeros(self.heap, np.int64),
            h_kind=np.zeros(self.heap, np.int64), h_data=np.zeros(self.heap, np.int64),
            log_t=np.zeros(self.log), log_g=np.zeros(self.log, np.int64),
            log_n=np.zeros(self.log, np.int64),
        )  # fmt: skip


def _run(c: Calls, r: Rules, d: Draws, s: State) -> int:
    """The kernel, compiled; or as plain Python over lists (written back after)."""
    if kernel.COMPILED:
        return int(kernel.run_day(c, r, d, s))
    lists = [type(t)(*(a.tolist() for a in t)) for t in (c, r, d, s)]
    status = kernel.run_day(*lists)
    for arrays, values in ((c, lists[0]), (d, lists[2]), (s, lists[3])):
        for a, v in zip(arrays, values):
            a[:] = v
    return int(status)


def _records(sc: Scenario, c: Calls, s: State) -> DayRecords:
    """The record columns (copied out of the tables if those were much larger)."""
    n = int(s.iv[kernel.N_CALLS])
    trim = (lambda a: a[:n].copy()) if len(c.arrival) > 1.25 * n + 16 else (lambda a: a[:n])
    cols = {name: trim(getattr(c, name)) for name in COLUMNS}
    cols["interval"] = np.minimum(
        (cols["arrival"] // sc.interval_seconds).astype(np.int32), sc.n_intervals - 1
    )
    m = int(s.iv[kernel.NLOG])
    log = np.column_stack([s.log_t[:m], s.log_g[:m], s.log_n[:m]]).astype(float)
    return DayRecords(cols, log.reshape(-1, 3))


def simulate_day_fast(sc: Scenario, seed: np.random.SeedSequence) -> DayRecords:
    """Simulate one day of `sc` with the random streams of `seed`: the same records
    as `simulator.sim.engine.simulate_day`, sooner."""
    return _Day(sc, seed).play()
