"""Named random streams: every random number of a simulated day has a purpose and a name.

Common random numbers only work if a what-if meets the same callers: the same arrival
times, handle times, patience and yes/no decisions. So no stream is taken by position.
Each purpose gets its own numpy Generator (PCG64), keyed by the purpose and the NAMES of
the queue or agent group it serves, never by their order in the file:

    seed of stream (purpose, *names) = SeedSequence(day.entropy,
        spawn_key = day.spawn_key + (k,)),   k = int.from_bytes(BLAKE2b-64 of
        "purpose\\x1fname\\x1f...", little-endian)

`day` is the day's SeedSequence (the runner's `SeedSequence(seed).spawn(replications)`).
Adding a redial or a patience to one queue creates streams of its own and leaves every
other stream untouched; reordering queues or groups changes no stream at all.

Stream layout (what a second engine must consume, value for value)
-------------------------------------------------------------------
Q is a queue's name, G an agent group's name; "one draw of size n" means one call of
the distribution's `draw(rng, n)` (`simulator.model.distributions`) or of the named
numpy method.

Day level
  ("busyness",)         with `arrivals.busyness_cv`: one gamma(1/cv^2, cv^2) factor.
  (A horizon's replication draws ("busyness", DATE) per day and plays each stretch
  with its own day seed: `simulator.run.horizon`; the engine sees dateless runs.)
Forecast callers of queue Q (see `simulator.sim.draws.forecast`)
  ("arrivals", Q)       poisson(volumes x factor), one draw of size n_intervals; then
                        uniform(0, interval length), one draw of size n_Q: the offsets
                        of the calls, interval by interval; Q's arrival times are
                        interval start + offset, sorted (numpy's default sort).
  The forecast's callers of all queues are merged by arrival time (ties: by queue name)
  and numbered in that order (customer ids). Queue Q's callers, in arrival order, then
  take one draw of size n_Q from each stream of a feature Q has:
  ("handle_time", Q) or ("talk", Q), ("hold", Q), ("acw", Q), ("patience", Q)
                        durations, seconds;
  ("transfer", Q)       uniform: transferred to the first target (by name) whose
                        cumulative probability exceeds it;
  ("escalation", Q)     uniform: escalated if below p / (1 - transfer share), when not
                        transferred;
  ("redial", Q), ("redial_delay", Q)    uniform (redial if below the probability),
                        and the delay, seconds, after a busy signal or a hang-up;
  ("repeat", Q), ("repeat_delay", Q)    the same for a call that left it unsolved;
  ("callback", Q)       uniform: takes the callback offered if below the acceptance.
  Decisions of a feature Q lacks are NaN (never taken); a missing patience is inf.
  Redial and repeat follow the rules of the queue the customer first called (entry).
Later callers (redials, repeat calls, transferred and escalated segments) of queue Q
  whose customer first called queue E (E = Q for redials and repeats) take the same
  attributes from streams (purpose, Q, "later", E), in blocks of BLOCK rows: each block
  is one draw of size BLOCK from each of those streams, and row i goes to the i-th
  such caller in the order the engine creates them (`simulator.sim.draws.LaterStream`).
  Their redial and repeat decisions and delays follow E's rules.
Agent group G
  ("not_ready", G)      with `not_ready`: the not-ready time after each call, in blocks
                        of BLOCK, one value per call in the order G's agents finish them.
Roster shift S (with `absence`; see `simulator.sim.rostering`), over S's n agent-shifts
of the run in (calendar day, agent) order, each one draw before the day starts:
  ("absence", S)        uniform, size n: a no-show if below `absenteeism`;
  ("late", S)           `late`, size n: seconds late at the shift's start;
  ("break_overrun", S)  `break_overrun`, size n × breaks (row-major): seconds back late.
"""

from __future__ import annotations

import hashlib

import numpy as np

BLOCK = 1024  # values per refill of a one-at-a-time stream
_SEP = "\x1f"  # unit separator: cannot be confused with a name's own characters


def stream_key(purpose: str, *names: str) -> int:
    """The stable 64-bit word naming a stream (not Python's salted `hash`)."""
    text = _SEP.join((purpose, *names)).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


def stream_seed(day: np.random.SeedSequence, purpose: str, *names: str) -> np.random.SeedSequence:
    """The seed of stream (purpose, *names) of the day seeded by `day`."""
    return np.random.SeedSequence(
        day.entropy,
        spawn_key=(*day.spawn_key, stream_key(purpose, *names)),
        pool_size=day.pool_size,
    )


class Streams:
    """The named streams of one day: each Generator made on first use, then kept."""

    def __init__(self, day: np.random.SeedSequence):
        self.day = day
        self._rngs: dict[tuple[str, ...], np.random.Generator] = {}

    def rng(self, purpose: str, *names: str) -> np.random.Generator:
        """The Generator of stream (purpose, *names)."""
        key = (purpose, *names)
        rng = self._rngs.get(key)
        if rng is None:
            rng = self._rngs[key] = np.random.default_rng(stream_seed(self.day, *key))
        return rng
