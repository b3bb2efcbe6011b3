"""The sizes callsim accepts, and what a run of a scenario would cost in memory.

A scenario file is refused, naming the field, when it asks for more than these (see
README, "Limits and safety", for why each one is where it is). They sit well above any
real contact center's day, and well below what would hang the simulator or exhaust a
machine's memory:

- a file of at most 20 MiB, nested at most 64 levels, with at most 2 million values;
- at most 672 intervals (a week of 15-minute intervals), 200 queues, 200 agent groups;
- at most 100,000 calls offered per queue and interval, 50,000 agents per group and
  interval, 1,000,000 trunk lines;
- at most 10,000 replications and 100 attempts per customer;
- at most 100,000,000 calls simulated in one run (calls a day x days: a big
  center's 100,000-call day 1,000 times, about an hour's simulation; more would run
  for many hours: a hang to the user);
- (durations check their own: mean <= 10^7 s, shape cv in [0.001, 10]);
- a run whose estimated memory passes the limit (75% of this machine's memory, or
  CALLSIM_MEMORY_LIMIT_MB) is refused with the figure.
"""

from __future__ import annotations

import os
from typing import NamedTuple

MAX_FILE_BYTES = 20 * 2**20
MAX_DEPTH = 64
MAX_VALUES = 2_000_000
MAX_INTERVALS = 672
MAX_QUEUES = 200
MAX_GROUPS = 200
MAX_VOLUME = 100_000
MAX_AGENTS = 50_000
MAX_LINES = 1_000_000
MAX_REPLICATIONS = 10_000
MAX_ATTEMPTS = 100
MAX_RUN_CALLS = 100_000_000
MAX_VISITS = 100  # queues one first call passes through, on average (transfer loops)

# Measured (single queue, 80,000 and 320,000 calls a day, peak resident memory): a
# process starts at about 150 MB (numpy, pandas, SimPy); a day being simulated holds
# about 1,200 bytes per call segment (the engine's working set; one day per worker);
# each day's records kept for --out (calls.csv) about 200 bytes more per segment, and
# writing them as a table as much again.
DAY_BYTES = 1_500
RECORD_BYTES = 500
BASE_BYTES = 150 * 2**20
MEMORY_ENV = "CALLSIM_MEMORY_LIMIT_MB"


class RunSize(NamedTuple):
    """What a run would hold: expected call segments a day, days, peak bytes, and the
    worker processes busy at once."""

    segments_per_day: float
    replications: int
    bytes: float
    workers: int = 1


def memory_limit() -> float:
    """Bytes a run may use: CALLSIM_MEMORY_LIMIT_MB, else 75% of physical memory."""
    given = os.environ.get(MEMORY_ENV, "").strip()
    if given:
        try:
            return float(given) * 2**20
        except ValueError:
            pass
    try:
        return 0.75 * os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):  # pragma: no cover - not a POSIX system
        return 8 * 2**30


def run_size(
    segments_per_day: float, replications: int, keep_records: bool = False, workers: int = 1
) -> RunSize:
    """The peak memory of a run of `replications` days of `segments_per_day`, with
    `workers` days at a time, keeping every day's records or not."""
    busy = max(min(workers, replications), 1)  # a pool starts no more than the days
    size = (BASE_BYTES + DAY_BYTES * segments_per_day) * busy
    if keep_records:
        size += RECORD_BYTES * segments_per_day * replications
    return RunSize(segments_per_day, replications, size, busy)


def too_long(size: RunSize, where: str) -> list[str]:
    """A problem line if the run would simulate more than MAX_RUN_CALLS call
    segments, naming `where`."""
    calls = size.segments_per_day * size.replications
    if calls <= MAX_RUN_CALLS:
        return []
    return [
        f"{where}: this run would simulate about {calls:,.0f} calls "
        f"({size.segments_per_day:,.0f} a day × {size.replications:,} days), more than "
        f"the {MAX_RUN_CALLS:,} callsim simulates in one run; use fewer replications "
        "or smaller volumes"
    ]


def gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB"


def too_big(size: RunSize, where: str) -> list[str]:
    """A problem line if the run would not fit in memory, naming `where`."""
    limit = memory_limit()
    if size.bytes <= limit:
        return []
    at_once, fewer = "", "replications"
    if size.workers > 1:
        at_once, fewer = f", {size.workers:,} worker processes at once", "--workers, replications"
    source = f"{MEMORY_ENV}" if os.environ.get(MEMORY_ENV) else "75% of this machine's memory"
    return [
        f"{where}: this run would need about {gib(size.bytes)} of memory "
        f"({size.segments_per_day:,.0f} calls a day × {size.replications:,} days{at_once}), "
        f"more than the {gib(limit)} allowed ({source}); use fewer {fewer} "
        "or smaller volumes"
    ]
