"""The fast engine's inputs: the reference engine's random streams, pre-drawn, and the
kernel's tables (named tuples of arrays: calls, rules, draws, state).

The streams are spawned and drawn exactly as `simulator.sim.engine` spawns and draws
them: the forecast's callers in bulk, the numbers it takes one at a time in its
batches of 1024 from their own generators, so pre-drawing more of them than a day
uses changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..model.scenario import Queue, Scenario
from .records import NEXT_ESCALATION, NEXT_TRANSFER

BATCH = 1024  # the reference engine's batch of one-at-a-time draws


# ----------------------------------------------------------------- random numbers
class Stream:
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


class QueueDraws:
    """A queue's random streams, spawned exactly as `engine._QueueRules` spawns them."""

    def __init__(self, q: Queue, seed: np.random.SeedSequence):
        rngs = iter(np.random.default_rng(s) for s in seed.spawn(12))
        self.parts = []  # (distribution, bulk generator, one-at-a-time stream)
        for dist in (q.handle_time or q.talk, q.hold, q.acw, q.patience):
            bulk = next(rngs)
            lazy = Stream(_filler(dist, next(rngs))) if dist else None
            self.parts.append((dist, bulk, lazy))
        self.redial = Stream(_filler(q.redial.delay, next(rngs)) if q.redial else None)
        self.repeat = Stream(_filler(q.repeat.delay, next(rngs)) if q.repeat else None)
        self.uniform = Stream(next(rngs).random)

    def callers(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The forecast's n callers: talk, handle, patience (as `_QueueRules.callers`)."""
        talk, hold, acw, patience = (
            dist.draw(rng, n) if dist else np.zeros(n) for dist, rng, _ in self.parts
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
    return lambda size: dist.draw(rng, size)


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


def rules(sc: Scenario) -> Rules:
    index = {name: i for i, name in enumerate(sc.queues)}
    queues, groups = list(sc.queues.values()), list(sc.agents.values())
    tiers = []  # per group: (queue, tier) by rank (best first), each by priority
    for g in groups:
        ranks = g.ranks
        order = []
        for tier, rank in enumerate(sorted(set(ranks.values()))):
            qs = sorted(
                (index[s] for s, r in ranks.items() if r == rank), key=lambda q: -queues[q].priority
            )
            order += [(q, tier) for q in qs]
        tiers.append(order)
    servers = [
        [g for g in range(len(groups)) if any(q == x for x, _ in tiers[g])]
        for q in range(len(queues))
    ]
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
