"""The fast engine's inputs: the kernel's tables (named tuples of arrays: calls, rules,
draws, state).

The random numbers are the reference engine's own (`simulator.sim.draws`, with the
stream layout of `simulator.sim.streams`): the forecast's callers as arrays, and the
later callers' rows of each (queue, entry queue) in whole blocks, so pre-drawing more
of them than a day uses changes nothing.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..model.handling import aht_scales, handle_factors
from ..model.scenario import Scenario
from .layout import Layout
from .rostering import staffing_events
from .streams import Streams


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
    not_ready: np.ndarray
    dec: np.ndarray  # the caller's decisions, ND per call (flat; see draws.DECISIONS)
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
    head_start: np.ndarray  # q: seconds its callers rank as if they had waited longer
    aht: np.ndarray
    cb: np.ndarray  # q: offers callbacks
    cb_threshold: np.ndarray
    cb_accept: np.ndarray
    redial_p: np.ndarray  # q: -1 if callers do not redial
    redial_max: np.ndarray
    repeat_p: np.ndarray
    repeat_max: np.ndarray
    route_off: np.ndarray  # q: transfer targets by name (cumulative probability, target)
    route_cum: np.ndarray
    route_target: np.ndarray
    esc_share: np.ndarray  # q: escalation probability given no transfer
    esc_target: np.ndarray  # q: escalation queue, or -1
    server_off: np.ndarray  # q: groups with the skill (by group name)
    servers: np.ndarray
    only: np.ndarray  # g: its only skill, or -1
    skill_off: np.ndarray  # g: skills by rank then priority, and their tier
    skills: np.ndarray
    skill_tier: np.ndarray
    aht_scale: np.ndarray  # q x interval, flat: later callers' handle-time factor
    pace: np.ndarray  # g x q, flat: the group's handle-time factor on the queue
    ev_time: np.ndarray  # staffing change k: at ev_time[k], groups ev_group[j] move to
    ev_off: np.ndarray  # ev_target[j] agents, j from ev_off[k] to ev_off[k + 1] (by name)
    ev_group: np.ndarray
    ev_target: np.ndarray
    not_ready: np.ndarray  # g: its agents take not-ready time after calls


class Draws(NamedTuple):
    """Pre-drawn later callers per (queue q, entry queue e), slot q * n_queues + e
    (flat, with offsets and cursors): talk, handle, patience and decisions (ND each);
    and each agent group's not-ready times after calls."""

    lz_off: np.ndarray
    lz_cur: np.ndarray
    lz_talk: np.ndarray
    lz_handle: np.ndarray
    lz_patience: np.ndarray
    lz_dec: np.ndarray
    nr_off: np.ndarray  # g: its not-ready times after calls (flat, offsets, cursors)
    nr_cur: np.ndarray
    nr_value: np.ndarray


class State(NamedTuple):
    """The rest of the day: counters, queues as linked lists, idle rings, the events
    (heap and calendar: `simulator.sim.fast_events`) and the agent log."""

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
    h_key: np.ndarray
    f_head: np.ndarray
    f_time: np.ndarray
    f_key: np.ndarray
    f_next: np.ndarray
    log_t: np.ndarray
    log_g: np.ndarray
    log_n: np.ndarray


def _flat(lists: list[list]) -> tuple[np.ndarray, list]:
    """Offsets and concatenation of a list of lists."""
    return np.cumsum([0] + [len(x) for x in lists]), [v for x in lists for v in x]


def rules(sc: Scenario, streams: Streams) -> Rules:
    """The kernel's rules from the reference engine's `Layout` (same orders, same ties),
    and the day's staffing changes from its `staffing_events` (a roster's absence drawn
    from the same streams)."""
    lay = Layout(sc)
    events = staffing_events(sc, streams, lay.group_order)
    pace = handle_factors(sc)
    ev_off, moves = _flat([changes for _, changes in events])
    queues, groups = list(sc.queues.values()), list(sc.agents.values())
    tiers = [[(q, t) for t, tier in enumerate(ts) for q in tier] for ts in lay.tiers]
    route_off, route = _flat([qr.transfers for qr in lay.rules])
    server_off, server = _flat(lay.servers)
    skill_off, skill = _flat(tiers)
    ints = lambda x: np.array(x, dtype=np.int64)
    floats = lambda x: np.array(x, dtype=float)
    return Rules(
        sole=ints(lay.sole),
        priority=ints([q.priority for q in queues]),
        head_start=floats([r.head_start for r in lay.rules]),
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
        esc_share=floats([qr.escalation[0] if qr.escalation else 0.0 for qr in lay.rules]),
        esc_target=ints([qr.escalation[1] if qr.escalation else -1 for qr in lay.rules]),
        server_off=ints(server_off),
        servers=ints(server),
        only=ints(lay.only),
        skill_off=ints(skill_off),
        skills=ints([x[0] for x in skill]),
        skill_tier=ints([x[1] for x in skill]),
        aht_scale=np.concatenate(
            [np.ones(sc.n_intervals) if f is None else f for f in aht_scales(sc)]
        ),
        pace=np.ones((len(groups), len(queues))).ravel() if pace is None else pace.ravel(),
        ev_time=floats([t for t, _ in events]),
        ev_off=ints(ev_off),
        ev_group=ints([g for g, _ in moves]),
        ev_target=ints([n for _, n in moves]),
        not_ready=np.array([g.not_ready is not None for g in groups]),
    )
