"""The fast engine's events: played in (time, scheduling order), exactly SimPy's order.

An event is its time and one integer key: its scheduling order (eid) above KEY_SHIFT
bits of data (a call, group or staffing change) and KIND_BITS of kind, so keys order
the events of one time as SimPy does. Events of the current calendar slot and before
are in a 4-ary heap (s.h_time, s.h_key); later ones wait unsorted in a calendar of
SLOTS slots (one linked list each, s.f_head; nodes s.f_time, s.f_key, s.f_next) and
enter the heap a slot at a time, when the heap runs empty; those a whole calendar
year ahead or more wait in one more list and are spread over the slots as each year
begins. A slot lasts about as long as the heap takes to hold a few hundred events
(`simulator.sim.fast._per_slot`), so the heap a large centre pops stays a few levels
deep and inside the cache, where 45,000 busy agents' talk ends in one heap made it
eight levels deep, two thirds of a megabyte, and the kernel's cost per call twice a
small centre's. Any slot length gives the same order: only the time and key decide.
"""

from __future__ import annotations

from .fast_base import (
    EID,
    FREE,
    FULL_HEAP,
    HSIZE,
    KEY_SHIFT,
    N_BUCKETED,
    N_FAR,
    PER_SLOT,
    SLOT,
    STATUS,
    inner,
)

KIND_BITS = 3
SLOTS = 1024  # a power of two: a slot's list is slot & (SLOTS - 1)
OVERFLOW = SLOTS  # the list of events a year ahead or more
ENDLESS = 1 << 62  # the slot of a day that has nothing but endless events left
INF_TIME = float("inf")


@inner
def push(s, t, kind, data):
    """Schedule an event at time t (ties: in the order scheduled, as SimPy)."""
    eid = s.iv[EID]
    s.iv[EID] = eid + 1
    key = (eid << s.iv[KEY_SHIFT]) | (data << KIND_BITS) | kind
    x = t * s.fv[PER_SLOT]
    if x < s.iv[SLOT] + 1:  # in the current slot (or before)
        heap_push(s, t, key)
    else:
        far_push(s, t, key, x)


@inner
def heap_push(s, t, key):
    n = s.iv[HSIZE]
    if n == len(s.h_time):
        s.iv[STATUS] = FULL_HEAP
        return
    ht, hk = s.h_time, s.h_key
    while n > 0:
        p = (n - 1) >> 2
        if ht[p] < t or (ht[p] == t and hk[p] < key):
            break
        ht[n], hk[n] = ht[p], hk[p]
        n = p
    ht[n], hk[n] = t, key
    s.iv[HSIZE] = s.iv[HSIZE] + 1


@inner
def far_push(s, t, key, x):
    """File an event of a later slot (x: its time in slots) in its slot's list."""
    node = s.iv[FREE]
    if node < 0:
        s.iv[STATUS] = FULL_HEAP
        return
    s.iv[FREE] = s.f_next[node]
    s.f_time[node], s.f_key[node] = t, key
    where = OVERFLOW
    if x < s.iv[SLOT] + SLOTS:
        where = int(x) & (SLOTS - 1)
        s.iv[N_BUCKETED] += 1
    s.f_next[node] = s.f_head[where]
    s.f_head[where] = node
    s.iv[N_FAR] += 1


@inner
def earliest(s):
    """The time of the next event, or inf if none is left (the heap refilled first)."""
    if s.iv[HSIZE] == 0 and s.iv[N_FAR] > 0:
        refill(s)
    return s.h_time[0] if s.iv[HSIZE] > 0 else INF_TIME


@inner
def refill(s):
    """Move on slot by slot until the heap holds an event (the heap is empty)."""
    while s.iv[HSIZE] == 0 and s.iv[N_FAR] > 0 and s.iv[STATUS] == 0:
        if s.iv[N_BUCKETED] == 0:  # only events a year ahead or more: go to the first
            first = INF_TIME
            node = s.f_head[OVERFLOW]
            while node >= 0:
                first = min(first, s.f_time[node] * s.fv[PER_SLOT])
                node = s.f_next[node]
            s.iv[SLOT] = int(first) if first < ENDLESS else ENDLESS
            spread(s)
        else:
            s.iv[SLOT] += 1
            if s.iv[SLOT] % SLOTS == 0:
                spread(s)
        drain(s, s.iv[SLOT] & (SLOTS - 1))


@inner
def drain(s, where):
    """Move the events of list `where` into the heap, their nodes freed."""
    node = s.f_head[where]
    s.f_head[where] = -1
    while node >= 0:
        after = s.f_next[node]
        heap_push(s, s.f_time[node], s.f_key[node])
        s.f_next[node] = s.iv[FREE]
        s.iv[FREE] = node
        s.iv[N_FAR] -= 1
        if where != OVERFLOW:
            s.iv[N_BUCKETED] -= 1
        node = after


@inner
def spread(s):
    """A year begins at the current slot: the events a year ahead that now fall within
    it go to their slot's list (or the heap, if in the current slot)."""
    node = s.f_head[OVERFLOW]
    s.f_head[OVERFLOW] = -1
    slot = s.iv[SLOT]
    while node >= 0:
        after = s.f_next[node]
        x = s.f_time[node] * s.fv[PER_SLOT]
        if slot >= ENDLESS or x < slot + 1:
            heap_push(s, s.f_time[node], s.f_key[node])
            s.f_next[node] = s.iv[FREE]
            s.iv[FREE] = node
            s.iv[N_FAR] -= 1
        else:
            where = OVERFLOW
            if x < slot + SLOTS:
                where = int(x) & (SLOTS - 1)
                s.iv[N_BUCKETED] += 1
            s.f_next[node] = s.f_head[where]
            s.f_head[where] = node
        node = after


@inner
def pop(s):
    """Remove the earliest event of the heap (`earliest` first); returns (time, kind,
    data)."""
    ht, hk = s.h_time, s.h_key
    t, key = ht[0], hk[0]
    n = s.iv[HSIZE] - 1
    s.iv[HSIZE] = n
    lt, lk = ht[n], hk[n]
    i = 0
    while True:
        child = 4 * i + 1
        if child >= n:
            break
        best, bt = child, ht[child]
        for j in range(child + 1, min(child + 4, n)):
            tj = ht[j]
            if tj < bt or (tj == bt and hk[j] < hk[best]):
                best, bt = j, tj
        if lt < bt or (lt == bt and lk < hk[best]):
            break
        ht[i], hk[i] = bt, hk[best]
        i = best
    if n > 0:
        ht[i], hk[i] = lt, lk
    data = (key >> KIND_BITS) & ((1 << (s.iv[KEY_SHIFT] - KIND_BITS)) - 1)
    return t, key & ((1 << KIND_BITS) - 1), data
