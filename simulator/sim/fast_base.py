"""The fast engine kernel's building blocks: the event heap, pre-drawn numbers, lists.

Events are kept in a binary heap ordered by (time, scheduling order), exactly SimPy's
order; waiting calls and callbacks are linked lists per queue (a hang-up stays as a
tombstone). Random numbers are not drawn here: they come in pre-drawn blocks with
cursors (`simulator.sim.fast_tables`). A block that runs dry, or a full table, stops
the day with a status; `simulator.sim.fast` enlarges it and plays the day again.

The functions take four named tuples of arrays: `c` (the calls: record columns and the
kernel's own), `r` (the scenario's rules), `d` (the pre-drawn numbers and their
cursors) and `s` (the rest of the day's state). Compiled with numba when it is there
(`@njit(cache=True)`); otherwise, or with NUMBA_DISABLE_JIT=1, the very same code runs
as plain Python over lists.
"""

from __future__ import annotations

import math
from typing import Any

try:  # pragma: no cover - which branch runs depends on the machine
    import numba

    _numba: Any = numba
    COMPILED = not _numba.config.DISABLE_JIT
    # No reference counting: the kernel allocates nothing, and passing the tables
    # between functions would otherwise cost two atomic operations per array per call.
    jit = _numba.njit(cache=True, _nrt=False)
    # small steps are inlined where they are called: no call, no tables passed
    leaf = _numba.njit(cache=True, _nrt=False, inline="always")
except ImportError:  # pragma: no cover
    COMPILED = False

    def jit(f):
        return f

    leaf = jit


# outcome and next-step codes (as in simulator.sim.records)
ANSWERED, ABANDONED, BLOCKED = 0, 1, 2
NEXT_NONE = 0
# event kinds
TALK_END, HANG_UP, ACW_END, RESTAFF, ARRIVE = 0, 1, 2, 3, 4
# s.iv slots (integers of the day) and s.fv slots (floats)
N_CALLS, HSIZE, EID, IN_LINE, LINES, STATUS, NLOG, CLOSED, N_FIRST, N_INT = range(10)
ANY_REPEAT, ANY_CALLBACK, HANGUP_EVENTS, DRY_QUEUE = 10, 11, 12, 13
N_IV = 14
NOW, LENGTH = 0, 1
# status: 0 done; otherwise which table or block ran out
OK, FULL_HEAP, FULL_LOG, DRY_CALLERS, DRY_UNIFORM, DRY_REDIAL, DRY_REPEAT = range(7)
INF = math.inf


# -------------------------------------------------------------------- the event heap
@leaf
def push(s, t, kind, data):
    """Schedule an event at time t (ties: in the order scheduled, as SimPy)."""
    n = s.iv[HSIZE]
    if n == len(s.h_time):
        s.iv[STATUS] = FULL_HEAP
        return
    eid = s.iv[EID]
    s.iv[EID] = eid + 1
    ht, he, hk, hd = s.h_time, s.h_eid, s.h_kind, s.h_data
    while n > 0:
        p = (n - 1) >> 1
        if ht[p] < t or (ht[p] == t and he[p] < eid):
            break
        ht[n], he[n], hk[n], hd[n] = ht[p], he[p], hk[p], hd[p]
        n = p
    ht[n], he[n], hk[n], hd[n] = t, eid, kind, data
    s.iv[HSIZE] += 1


@leaf
def pop(s):
    """Remove the earliest event; returns (time, kind, data)."""
    ht, he, hk, hd = s.h_time, s.h_eid, s.h_kind, s.h_data
    t, kind, data = ht[0], hk[0], hd[0]
    n = s.iv[HSIZE] - 1
    s.iv[HSIZE] = n
    lt, le, lk, ld = ht[n], he[n], hk[n], hd[n]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        right = child + 1
        if right < n and (
            ht[right] < ht[child] or (ht[right] == ht[child] and he[right] < he[child])
        ):
            child = right
        if lt < ht[child] or (lt == ht[child] and le < he[child]):
            break
        ht[i], he[i], hk[i], hd[i] = ht[child], he[child], hk[child], hd[child]
        i = child
    if n > 0:
        ht[i], he[i], hk[i], hd[i] = lt, le, lk, ld
    return t, kind, data


# ------------------------------------------------------------------ pre-drawn numbers
@jit
def uniform(d, s, q):
    """The next number of queue q's uniform stream (routing, redial, callback, repeat)."""
    i = d.u_cur[q]
    if i == d.u_off[q + 1]:
        s.iv[STATUS], s.iv[DRY_QUEUE] = DRY_UNIFORM, q
        return 0.0
    d.u_cur[q] = i + 1
    return d.u_vals[i]


@jit
def delay(d, s, q, repeat):
    """The next redial (or repeat) delay of queue q, seconds."""
    off, cur, vals = (d.rp_off, d.rp_cur, d.rp_vals) if repeat else (d.rd_off, d.rd_cur, d.rd_vals)
    i = cur[q]
    if i == off[q + 1]:
        s.iv[STATUS], s.iv[DRY_QUEUE] = (DRY_REPEAT if repeat else DRY_REDIAL), q
        return 0.0
    cur[q] = i + 1
    return vals[i]


@jit
def new_segment(c, d, s, q, arrival, customer, attempt, segment):
    """A call that was not in the forecast (redial, repeat, transfer): its caller's
    talk, handle and patience from queue q's blocks. Returns its index."""
    i = d.lz_cur[q]
    k = s.iv[N_CALLS]
    if i == d.lz_off[q + 1] or k == len(c.arrival) - 1:
        s.iv[STATUS], s.iv[DRY_QUEUE] = DRY_CALLERS, q
        return len(c.arrival) - 1  # the spare last row: the day will be rerun
    d.lz_cur[q] = i + 1
    s.iv[N_CALLS] = k + 1
    c.queue[k], c.arrival[k], c.customer[k] = q, arrival, customer
    c.attempt[k], c.segment[k] = attempt, segment
    c.talk[k], c.handle[k], c.patience[k] = d.lz_talk[i], d.lz_handle[i], d.lz_patience[i]
    c.waiting[k] = c.line[k] = False
    c.deadline[k] = INF
    c.next[k] = NEXT_NONE
    c.callback[k] = c.unresolved[k] = False
    c.entry[k] = -1
    return k


# ---------------------------------------------------------------------- queues
@leaf
def append(head, tail, link, q, k):
    """Append call k to the linked list q (a waiting queue or a callback list)."""
    link[k] = -1
    if tail[q] < 0:
        head[q] = k
    else:
        link[tail[q]] = k
    tail[q] = k


@leaf
def popleft(head, tail, link, q):
    k = head[q]
    head[q] = link[k]
    if head[q] < 0:
        tail[q] = -1
    return k


@leaf
def entry(c, k):
    return c.entry[k] if c.entry[k] >= 0 else c.queue[k]
