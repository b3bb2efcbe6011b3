"""The fast engine's kernel: the SimPy engine's day, step for step, over plain arrays.

Every rule of `simulator.sim.engine` is here in the same order, with the same float
expressions, so the records come out bit-identical. The building blocks (event heap,
pre-drawn numbers, linked lists, the `jit` decorator) are in `fast_base`; see there
for the tables the functions take (`c` calls, `r` rules, `d` draws, `s` state).
"""

from __future__ import annotations

import math

from .fast_base import (
    ABANDONED,
    ACW_END,
    ANSWERED,
    ANY_ACW,
    ANY_CALLBACK,
    ANY_REPEAT,
    ANY_ROUTE,
    ARRIVE,
    BLOCKED,
    CALLBACK,
    CLOSED,
    ESCALATION,
    FULL_LOG,
    GROUP_BITS,
    HANG_UP,
    HANGUP_EVENTS,
    HSIZE,
    IN_LINE,
    INF,
    LENGTH,
    LINES,
    N_CALLS,
    N_FIRST,
    N_INT,
    N_QUEUES,
    ND,
    NEXT_ESCALATION,
    NEXT_TRANSFER,
    NLOG,
    NOW,
    OK,
    REDIAL,
    REDIAL_DELAY,
    REPEAT,
    REPEAT_DELAY,
    RESTAFF,
    STATUS,
    TALK_END,
    TRANSFER,
    append,
    entry,
    inner,
    jit,
    leaf,
    new_segment,
    next_not_ready,
    popleft,
)
from .fast_events import earliest, pop, push


# ---------------------------------------------------------------------- journeys
@inner
def call_again(c, r, d, s, k, at):
    """The customer calls again at `at`, on the queue they first called."""
    e = entry(c, k)
    again = new_segment(c, r, d, s, e, e, at, c.customer[k], c.attempt[k] + 1, 1)
    push(s, at, ARRIVE, again)


@inner
def maybe_redial(c, r, d, s, k):
    """A blocked or abandoned caller tries again, maybe (back to their first queue)."""
    q = entry(c, k)
    if (
        r.redial_p[q] >= 0
        and c.attempt[k] < r.redial_max[q]
        and c.dec[k * ND + REDIAL] < r.redial_p[q]
    ):
        call_again(c, r, d, s, k, c.arrival[k] + c.wait[k] + c.dec[k * ND + REDIAL_DELAY])


@inner
def maybe_repeat(c, r, d, s, k):
    """A served caller whose problem is not solved may call again later."""
    q = entry(c, k)
    if r.repeat_p[q] >= 0 and c.dec[k * ND + REPEAT] < r.repeat_p[q]:
        c.unresolved[k] = True
        if c.attempt[k] < r.repeat_max[q]:
            call_again(c, r, d, s, k, s.fv[NOW] + c.dec[k * ND + REPEAT_DELAY])


@inner
def lost(c, k, outcome, wait):
    c.outcome[k] = outcome
    c.wait[k] = wait
    c.group[k] = -1
    c.start[k] = math.nan
    c.talk[k] = c.handle[k] = 0.0


@inner
def abandon(c, r, d, s, k):
    """The caller hung up at their deadline (now, or earlier if found late)."""
    c.waiting[k] = False
    lost(c, k, ABANDONED, c.deadline[k] - c.arrival[k])
    if not c.callback[k]:
        s.n_waiting[c.queue[k]] -= 1
    if c.line[k]:
        s.iv[IN_LINE] -= 1
    if not s.iv[CLOSED]:
        maybe_redial(c, r, d, s, k)


@inner
def offers_callback(c, r, s, k):
    """Expected wait (calls ahead x the AHT of the interval called in / agents with the
    skill) over the threshold: the caller takes the callback by their own draw."""
    q = c.queue[k]
    if not r.cb[q]:
        return False
    agents = 0
    any_idle = False
    for j in range(r.server_off[q], r.server_off[q + 1]):
        g = r.servers[j]
        agents += s.staffed[g] - s.leaving[g]
        any_idle = any_idle or s.idle_count[g] > 0
    n_int = s.iv[N_INT]
    aht = r.aht[q] * r.aht_scale[q * n_int + min(int(c.arrival[k] // s.fv[LENGTH]), n_int - 1)]
    expected = (s.n_waiting[q] + 1) * aht / agents if agents else INF
    return (
        not any_idle and expected > r.cb_threshold[q] and c.dec[k * ND + CALLBACK] < r.cb_accept[q]
    )


@leaf
def arrive(c, r, d, s, k):
    if s.iv[IN_LINE] >= s.iv[LINES] >= 0:
        lost(c, k, BLOCKED, 0.0)
        maybe_redial(c, r, d, s, k)
        return
    s.iv[IN_LINE] += 1
    c.line[k] = True
    q = c.queue[k]
    if s.iv[ANY_CALLBACK] and offers_callback(c, r, s, k):
        c.callback[k] = True
        c.line[k] = False
        s.iv[IN_LINE] -= 1
        append(s.cb_head, s.cb_tail, s.link, q, k)
        c.waiting[k] = True
        return
    offer(c, r, s, k)


# ---------------------------------------------------------------------- routing
@inner
def idle_pop_oldest(s, g):
    i = s.idle_head[g]
    s.idle_head[g] = i + 1 if i + 1 < s.idle_off[g + 1] else s.idle_off[g]
    s.idle_count[g] -= 1


@inner
def idle_oldest(s, g):
    return s.idle_buf[s.idle_head[g]]


@leaf
def offer(c, r, s, k):
    """Give the call to the longest-idle agent with its skill, or queue it."""
    q = c.queue[k]
    best = r.sole[q]
    if best >= 0:
        if s.idle_count[best] == 0:
            best = -1
    else:
        since = INF
        for j in range(r.server_off[q], r.server_off[q + 1]):
            g = r.servers[j]
            if s.idle_count[g] > 0 and idle_oldest(s, g) < since:
                best, since = g, idle_oldest(s, g)
    if best >= 0:
        idle_pop_oldest(s, best)
        answer(c, r, s, k, best)
        return
    c.waiting[k] = True
    append(s.w_head, s.w_tail, s.link, q, k)
    s.n_waiting[q] += 1
    if c.patience[k] < INF:
        c.deadline[k] = c.arrival[k] + c.patience[k]
        if s.iv[HANGUP_EVENTS]:
            push(s, c.deadline[k], HANG_UP, k)


@inner
def answer(c, r, s, k, g):
    """Group g takes call k now, at its own pace on the call's queue (1: as drawn)."""
    now = s.fv[NOW]
    pace = r.pace[g * s.iv[N_QUEUES] + c.queue[k]]
    c.talk[k] *= pace
    c.handle[k] *= pace
    c.outcome[k] = ANSWERED
    c.wait[k] = now - c.arrival[k]
    c.group[k] = g
    c.start[k] = now
    push(s, now + c.talk[k], TALK_END, (k << s.iv[GROUP_BITS]) | g)


@inner
def head(c, r, d, s, q):
    """The first caller still waiting in queue q (tombstones and the impatient gone),
    or -1."""
    now = s.fv[NOW]
    while s.w_head[q] >= 0:
        k = s.w_head[q]
        if not c.waiting[k]:
            popleft(s.w_head, s.w_tail, s.link, q)
        elif c.deadline[k] <= now:
            popleft(s.w_head, s.w_tail, s.link, q)
            abandon(c, r, d, s, k)
        else:
            return k
    return -1


@leaf
def take(c, r, d, s, q):
    """Take the first caller still waiting in queue q, or -1 (the impatient found on
    the way are recorded as abandoned)."""
    now = s.fv[NOW]
    while s.w_head[q] >= 0:
        k = popleft(s.w_head, s.w_tail, s.link, q)
        if c.waiting[k]:
            if c.deadline[k] > now:
                c.waiting[k] = False
                s.n_waiting[q] -= 1
                return k
            abandon(c, r, d, s, k)
    return -1


@inner
def best_call(c, r, d, s, g):
    """A multi-skill agent's next call: best rank, then higher queue priority, then
    the oldest, then the skill listed first (the SimPy engine's min())."""
    j = r.skill_off[g]
    end = r.skill_off[g + 1]
    while j < end:
        tier = r.skill_tier[j]
        best, best_p, best_t = -1, 0, 0.0
        while j < end and r.skill_tier[j] == tier:
            q = r.skills[j]
            k = head(c, r, d, s, q)
            if k >= 0:
                p = -r.priority[q]
                t = c.arrival[k] - r.head_start[q]  # waited as if head_start longer
                if best < 0 or p < best_p or (p == best_p and t < best_t):
                    best, best_p, best_t = q, p, t
            j += 1
        if best >= 0:
            return take(c, r, d, s, best)
    return -1


@inner
def callback_for(c, r, s, g):
    """The oldest callback owed in group g's skills, by rank, or -1."""
    for j in range(r.skill_off[g], r.skill_off[g + 1]):
        q = r.skills[j]
        if s.cb_head[q] >= 0:
            k = popleft(s.cb_head, s.cb_tail, s.link, q)
            c.waiting[k] = False
            return k
    return -1


# ---------------------------------------------------------------------- agents
@inner
def log(s, g, staffed):
    s.staffed[g] = staffed
    n = s.iv[NLOG]
    if n == len(s.log_t):
        s.iv[STATUS] = FULL_LOG
        return
    s.log_t[n], s.log_g[n], s.log_n[n] = s.fv[NOW], g, staffed
    s.iv[NLOG] = n + 1


@leaf
def agent_free(c, r, d, s, g):
    """An agent of group g is free: log off if due, else take the next call or idle."""
    if s.leaving[g]:
        s.leaving[g] -= 1
        log(s, g, s.staffed[g] - 1)
        return
    q = r.only[g]
    k = take(c, r, d, s, q) if q >= 0 else best_call(c, r, d, s, g)
    if k < 0 and s.iv[ANY_CALLBACK]:
        k = callback_for(c, r, s, g)
    if k < 0:
        i = s.idle_head[g] + s.idle_count[g]
        if i >= s.idle_off[g + 1]:
            i -= s.idle_off[g + 1] - s.idle_off[g]
        s.idle_buf[i] = s.fv[NOW]
        s.idle_count[g] += 1
    else:
        answer(c, r, s, k, g)


@leaf
def route(c, r, k):
    """(next queue, NEXT_TRANSFER or NEXT_ESCALATION) by the caller's draws, or (-1, 0)."""
    q = c.queue[k]
    for j in range(r.route_off[q], r.route_off[q + 1]):  # (no draw read if none)
        if c.dec[k * ND + TRANSFER] < r.route_cum[j]:
            return r.route_target[j], NEXT_TRANSFER
    if r.esc_target[q] >= 0 and c.dec[k * ND + ESCALATION] < r.esc_share[q]:
        return r.esc_target[q], NEXT_ESCALATION
    return -1, 0


@inner
def transfer(c, r, d, s, k, target, kind):
    """Call k passes to queue `target` (NEXT_TRANSFER or NEXT_ESCALATION), on the same
    line: its next segment is offered there now."""
    c.next[k] = kind
    e = entry(c, k)
    nxt = new_segment(
        c, r, d, s, target, e, s.fv[NOW], c.customer[k], c.attempt[k], c.segment[k] + 1
    )
    c.line[nxt] = c.line[k]
    c.entry[nxt] = e
    offer(c, r, s, nxt)


@leaf
def talk_end(c, r, d, s, k, g):
    """The caller of call k leaves its agent (of group g): transferred, escalated, or
    done (maybe unsolved). Returns g if the agent is free now, else -1 (in ACW or not
    ready). The call's row, written a talk time ago (long out of the cache in a large
    centre), is read only for what the scenario has: routes, lines, repeats, ACW."""
    target, kind = route(c, r, k) if s.iv[ANY_ROUTE] else (-1, 0)
    if target >= 0:
        transfer(c, r, d, s, k, target, kind)
    else:
        if s.iv[LINES] >= 0 and c.line[k]:
            s.iv[IN_LINE] -= 1
        if s.iv[ANY_REPEAT]:
            maybe_repeat(c, r, d, s, k)
    if r.not_ready[g]:  # after ACW, the agent is not ready for a while
        rest = next_not_ready(d, s, g)
        c.not_ready[k] = rest
        push(s, c.start[k] + c.handle[k] + rest, ACW_END, g)
    elif s.iv[ANY_ACW] and c.handle[k] > c.talk[k]:
        push(s, c.start[k] + c.handle[k], ACW_END, g)
    else:
        return g
    return -1


@inner
def restaff(c, r, d, s, k):
    """Staffing change k (an interval begins, or a roster's agents move): each group
    named moves to its target; agents log on (idle) or off (idle ones first)."""
    for j in range(r.ev_off[k], r.ev_off[k + 1]):
        g, target = r.ev_group[j], r.ev_target[j]
        present = s.staffed[g] - s.leaving[g]
        if target > present:
            stay = min(s.leaving[g], target - present)
            s.leaving[g] -= stay
            join = target - present - stay
            log(s, g, s.staffed[g] + join)
            for _ in range(join):
                agent_free(c, r, d, s, g)
        elif target < present:
            drop = present - target
            leave_now = min(drop, s.idle_count[g])
            s.idle_count[g] -= leave_now
            s.leaving[g] += drop - leave_now
            log(s, g, s.staffed[g] - leave_now)
    if k + 1 < len(r.ev_time):
        push(s, r.ev_time[k + 1], RESTAFF, k + 1)


# ---------------------------------------------------------------------- the day
@leaf
def dispatch(c, r, d, s, kind, data):
    """Play one event (each step inlined once: the kernel compiles sooner)."""
    free = -1  # the group of an agent free now
    if kind == ARRIVE:
        arrive(c, r, d, s, data)
    elif kind == TALK_END:
        gb = s.iv[GROUP_BITS]
        free = talk_end(c, r, d, s, data >> gb, data & ((1 << gb) - 1))
    elif kind == ACW_END:
        free = data
    elif kind == HANG_UP:
        if c.waiting[data]:
            abandon(c, r, d, s, data)
    else:
        restaff(c, r, d, s, data)
    if free >= 0:
        agent_free(c, r, d, s, free)


@jit
def run_day(c, r, d, s):
    """Play the day: heap events and the forecast's arrivals in time order, then the
    end-of-day sweep. Returns the status (OK, or what ran out)."""
    n = s.iv[N_FIRST]
    arrival = c.arrival
    if len(r.ev_time):
        push(s, r.ev_time[0], RESTAFF, 0)
    i = 0
    upcoming = arrival[0] if n else INF
    while s.iv[STATUS] == OK:
        if earliest(s) <= upcoming and s.iv[HSIZE] > 0:
            t, kind, data = pop(s)
        elif i < n:
            t, kind, data = upcoming, ARRIVE, i
            i += 1
            upcoming = arrival[i] if i < n else INF
        else:
            break
        s.fv[NOW] = t
        dispatch(c, r, d, s, kind, data)
    end = s.fv[NOW]
    s.iv[CLOSED] = 1
    for k in range(s.iv[N_CALLS]):  # nobody will ever answer these: gone
        if c.waiting[k]:
            c.deadline[k] = min(c.deadline[k], end)
            abandon(c, r, d, s, k)
    return s.iv[STATUS]
