"""The fast engine kernel's building blocks: the event heap, pre-drawn numbers, lists.

Events (`simulator.sim.fast_events`) are played in (time, scheduling order), exactly
SimPy's order; waiting calls and callbacks are linked lists per queue (a hang-up stays as a
tombstone). Random numbers are not drawn here: each call carries its own decisions
(`c.dec`), and later callers come in pre-drawn blocks with cursors
(`simulator.sim.fast_tables`). A block that runs dry, or a full table, stops the day
with a status; `simulator.sim.fast` enlarges it and plays the day again.

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
    # Functions only the kernel calls: no wrapper for calls from Python (compiles
    # sooner). A small one LLVM inlines by itself; a large one is a real call that
    # passes the four tables as ~560 scalars, so the steps of every call's path
    # (`leaf`) are inlined by numba where they are called, each at one place only
    # (numba's inlining is what costs compile time).
    inner = _numba.njit(cache=True, _nrt=False, no_cpython_wrapper=True, no_cfunc_wrapper=True)
    leaf = _numba.njit(cache=True, _nrt=False, inline="always")
except ImportError:  # pragma: no cover
    COMPILED = False

    def jit(f):
        return f

    inner = leaf = jit


# outcome and next-step codes (as in simulator.sim.records)
ANSWERED, ABANDONED, BLOCKED = 0, 1, 2
NEXT_NONE, NEXT_TRANSFER, NEXT_ESCALATION = 0, 1, 2
# event kinds
TALK_END, HANG_UP, ACW_END, RESTAFF, ARRIVE = 0, 1, 2, 3, 4
# s.iv slots (integers of the day) and s.fv slots (floats)
N_CALLS, HSIZE, EID, IN_LINE, LINES, STATUS, NLOG, CLOSED, N_FIRST, N_INT = range(10)
ANY_REPEAT, ANY_CALLBACK, HANGUP_EVENTS, DRY_QUEUE, N_QUEUES, DRY_GROUP = range(10, 16)
KEY_SHIFT = 16  # bits of an event key below its scheduling order (see push)
GROUP_BITS = 17  # a talk end's datum: call << GROUP_BITS | the agent's group
ANY_ROUTE, ANY_ACW = 18, 19  # some queue transfers or escalates; has after-call work
SLOT, N_FAR, N_BUCKETED, FREE = 20, 21, 22, 23  # the calendar (fast_events)
N_IV = 24
NOW, LENGTH, PER_SLOT = 0, 1, 2  # PER_SLOT: the calendar's slots per second
# status: 0 done; otherwise which table or block ran out
OK, FULL_HEAP, FULL_LOG, DRY_CALLERS, DRY_NOT_READY = range(5)
# a caller's decisions: columns of c.dec (draws.DECISIONS), ND per call
TRANSFER, ESCALATION, REDIAL, REDIAL_DELAY, REPEAT, REPEAT_DELAY, CALLBACK = range(7)
ND = 7
INF = math.inf


# ------------------------------------------------------------------ pre-drawn numbers
@inner
def new_segment(c, r, d, s, q, e, arrival, customer, attempt, segment):
    """A call that was not in the forecast (redial, repeat, transfer) of queue q, whose
    customer first called e: its caller's talk, handle, patience and decisions from the
    blocks of slot (q, e), talk and handle scaled to the AHT of the interval it arrives
    in (1: as drawn). Returns its index."""
    slot = q * s.iv[N_QUEUES] + e
    i = d.lz_cur[slot]
    k = s.iv[N_CALLS]
    if i == d.lz_off[slot + 1] or k == len(c.arrival) - 1:
        s.iv[STATUS], s.iv[DRY_QUEUE] = DRY_CALLERS, slot
        return len(c.arrival) - 1  # the spare last row: the day will be rerun
    d.lz_cur[slot] = i + 1
    s.iv[N_CALLS] = k + 1
    c.queue[k], c.arrival[k], c.customer[k] = q, arrival, customer
    c.attempt[k], c.segment[k] = attempt, segment
    n_int = s.iv[N_INT]
    f = r.aht_scale[q * n_int + min(int(arrival // s.fv[LENGTH]), n_int - 1)]
    c.talk[k], c.handle[k], c.patience[k] = d.lz_talk[i] * f, d.lz_handle[i] * f, d.lz_patience[i]
    for j in range(ND):
        c.dec[k * ND + j] = d.lz_dec[i * ND + j]
    c.waiting[k] = c.line[k] = False
    c.deadline[k] = INF
    c.next[k] = NEXT_NONE
    c.callback[k] = c.unresolved[k] = False
    c.not_ready[k] = 0.0
    c.entry[k] = -1
    return k


@inner
def next_not_ready(d, s, g):
    """Group g's next not-ready time after a call (its pre-drawn values in the order its
    agents finish calls), or 0.0 with the status set if they ran out."""
    i = d.nr_cur[g]
    if i == d.nr_off[g + 1]:
        s.iv[STATUS], s.iv[DRY_GROUP] = DRY_NOT_READY, g
        return 0.0
    d.nr_cur[g] = i + 1
    return d.nr_value[i]


# ---------------------------------------------------------------------- queues
@inner
def append(head, tail, link, q, k):
    """Append call k to the linked list q (a waiting queue or a callback list)."""
    link[k] = -1
    if tail[q] < 0:
        head[q] = k
    else:
        link[tail[q]] = k
    tail[q] = k


@inner
def popleft(head, tail, link, q):
    k = head[q]
    head[q] = link[k]
    if head[q] < 0:
        tail[q] = -1
    return k


@inner
def entry(c, k):
    return c.entry[k] if c.entry[k] >= 0 else c.queue[k]
