"""Every random number a day needs, drawn from the named streams before the engine uses it.

The forecast's callers come as arrays (`Forecast`: arrival, queue, talk, handle,
patience and the caller's yes/no decisions), drawn in bulk; callers who were not in the
forecast (redials, repeat calls, transferred and escalated segments) take theirs one at
a time from `Later`. A caller carries their draws from the moment they call, so a
what-if with other staffing or another feature elsewhere meets the same callers
(common random numbers). The layout of the streams is in `simulator.sim.streams`.
A queue with `aht_by_interval` has its callers' talk and handle scaled to the AHT of
the interval they call in (the draws themselves unchanged); proficiency
(`handle_time_factor`) is applied by the engine when a call is answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import count

import numpy as np

from ..model.distributions import Distribution
from ..model.handling import aht_scales
from ..model.scenario import AgentGroup, Queue, Scenario
from .streams import BLOCK, Streams

# a caller's decisions, in this order: uniforms on [0, 1) or delays in seconds (NaN: none)
DECISIONS = (
    "transfer",
    "escalation",
    "redial",
    "redial_delay",
    "repeat",
    "repeat_delay",
    "callback",
)
_INF, _NAN = float("inf"), float("nan")


def _parts(q: Queue) -> list[tuple[str, Distribution]]:
    """The handling distributions by stream name: handle_time, or talk, hold, acw."""
    named = (("handle_time", q.handle_time), ("talk", q.talk), ("hold", q.hold), ("acw", q.acw))
    return [(name, d) for name, d in named if d is not None]


def _decisions(q: Queue, entry: Queue) -> list[tuple[str, Distribution | None]]:
    """The decision streams a caller of queue q (who first called `entry`) draws:
    (name, None) for a uniform, (name, delay distribution) for a delay."""
    wanted: list[tuple[str, Distribution | None]] = []
    if q.transfers:
        wanted.append(("transfer", None))
    if q.escalation:
        wanted.append(("escalation", None))
    for name, rule in (("redial", entry.redial), ("repeat", entry.repeat)):
        if rule:
            wanted += [(name, None), (f"{name}_delay", rule.delay)]
    if q.callback:
        wanted.append(("callback", None))
    return wanted


def has_decisions(sc: Scenario) -> bool:
    """Whether any caller of the day has a decision to draw."""
    return any(_decisions(q, q) for q in sc.queues.values())


def busyness(sc: Scenario, streams: Streams, *names: str) -> float:
    """The day's busyness factor (mean 1): gamma with the scenario's cv, else 1; from
    stream ("busyness", *names) (a horizon names each day by its date)."""
    cv = sc.arrivals.busyness_cv
    if not cv:
        return 1.0
    shape = 1 / (cv * cv)
    return float(streams.rng("busyness", *names).gamma(shape, 1 / shape))


@dataclass(frozen=True)
class Forecast:
    """The forecast's callers, in order of arrival (customer i is row i).

    `arrival` seconds from open; `queue` index in the scenario; `talk` (talk + hold)
    and `handle` (talk + hold + acw) seconds; `patience` seconds (inf: endless);
    `decisions` one row per caller with the columns of DECISIONS, or None if no queue
    has any.
    """

    arrival: np.ndarray
    queue: np.ndarray
    talk: np.ndarray
    handle: np.ndarray
    patience: np.ndarray
    decisions: np.ndarray | None


def forecast(sc: Scenario, streams: Streams) -> Forecast:
    """Draw the forecast's callers: Poisson arrivals at a rate constant within each
    interval (a Poisson(volume x busyness) count spread uniformly over the interval)."""
    length, factor = sc.interval_seconds, busyness(sc, streams)
    decide = has_decisions(sc)
    names = sorted(sc.queues)  # ties in time go by name, not by the file's order
    index = {name: i for i, name in enumerate(sc.queues)}
    columns = []
    for name in names:
        q = sc.queues[name]
        rng = streams.rng("arrivals", name)
        counts = rng.poisson(np.asarray(q.volumes, dtype=float) * factor)
        n = int(counts.sum())
        start = np.repeat(np.arange(len(counts)) * length, counts)
        arrival = np.sort(start + rng.uniform(0, length, n))  # Q's callers in order
        talk, handle, patience = _durations(q, streams, name, n)
        if q.aht_by_interval is not None:  # each interval's AHT, the shape kept
            scale = np.repeat(np.asarray(q.aht_by_interval) / q.aht, counts)
            talk, handle = talk * scale, handle * scale
        extra = [_decision_rows(q, streams, name, n)] if decide else []
        columns.append([arrival, np.full(n, index[name]), talk, handle, patience, *extra])
    merged = [np.concatenate(c) for c in zip(*columns)]
    order = np.argsort(merged[0], kind="stable")
    arrival, queue, talk, handle, patience, *rows = (c[order] for c in merged)
    return Forecast(arrival, queue, talk, handle, patience, rows[0] if rows else None)


def _durations(q: Queue, streams: Streams, name: str, n: int):
    """Talk, handle and patience of n callers of q, seconds."""
    parts = {part: d.draw(streams.rng(part, name), n) for part, d in _parts(q)}
    zero = np.zeros(n)
    talk = parts.get("handle_time", parts.get("talk", zero)) + parts.get("hold", zero)
    handle = talk + parts.get("acw", zero)
    if q.patience is None:
        return talk, handle, np.full(n, _INF)
    return talk, handle, q.patience.draw(streams.rng("patience", name), n)


def _decision_rows(q: Queue, streams: Streams, name: str, n: int) -> np.ndarray:
    rows = np.full((n, len(DECISIONS)), np.nan)
    for purpose, delay in _decisions(q, q):
        rng = streams.rng(purpose, name)
        rows[:, DECISIONS.index(purpose)] = _filler(delay, rng)(n)
    return rows


def not_ready(group: AgentGroup, streams: Streams, name: str) -> Callable[[], float] | None:
    """Group `name`'s not-ready times after calls, seconds, one per call in the order
    its agents finish them (blocks of BLOCK from stream ("not_ready", name)); None if
    its agents are always ready."""
    dist = group.not_ready
    if dist is None:
        return None
    rng = streams.rng("not_ready", name)
    values = (v for _ in count() for v in dist.draw(rng, BLOCK).tolist())
    return partial(next, values)


class LaterStream:
    """The draws of the later callers of one queue whose customer first called `entry`:
    columns grown in whole blocks of BLOCK rows; row i is the i-th such caller's."""

    def __init__(self, sc: Scenario, streams: Streams, queue: str, entry: str):
        q = sc.queues[queue]
        names = (queue, "later", entry)
        self._parts = {part: (d, streams.rng(part, *names)) for part, d in _parts(q)}
        self._patience = (q.patience, streams.rng("patience", *names)) if q.patience else None
        self._decisions = [
            (DECISIONS.index(purpose), delay, streams.rng(purpose, *names))
            for purpose, delay in _decisions(q, sc.queues[entry])
        ]
        self.talk = self.handle = self.patience = np.empty(0)
        self.decisions = np.empty((0, len(DECISIONS)))

    def upto(self, n: int) -> None:
        """Grow the columns by whole blocks until they hold at least n rows."""
        while len(self.talk) < n:
            part = {name: d.draw(rng, BLOCK) for name, (d, rng) in self._parts.items()}
            zero = np.zeros(BLOCK)
            talk = part.get("handle_time", part.get("talk", zero)) + part.get("hold", zero)
            handle = talk + part.get("acw", zero)
            patience = (
                self._patience[0].draw(self._patience[1], BLOCK)
                if self._patience
                else np.full(BLOCK, _INF)
            )
            rows = np.full((BLOCK, len(DECISIONS)), np.nan)
            for col, delay, rng in self._decisions:
                rows[:, col] = _filler(delay, rng)(BLOCK)
            self.talk = np.concatenate([self.talk, talk])
            self.handle = np.concatenate([self.handle, handle])
            self.patience = np.concatenate([self.patience, patience])
            self.decisions = np.concatenate([self.decisions, rows])


class Later:
    """Draws for callers who were not in the forecast, one caller at a time, in the
    order they are created, from the `LaterStream` of their (queue, entry queue)."""

    def __init__(self, sc: Scenario, streams: Streams):
        self.sc, self.streams = sc, streams
        self.names = list(sc.queues)
        self._deciding = has_decisions(sc)
        self._streams: dict[tuple[int, int], LaterStream] = {}
        self._rows: dict[tuple[int, int], list[tuple]] = {}
        self._used: dict[tuple[int, int], int] = {}
        self._scales = [None if f is None else f.tolist() for f in aht_scales(sc)]

    def stream(self, queue: int, entry: int) -> LaterStream:
        """The LaterStream of later callers of `queue` who first called `entry`."""
        key = (queue, entry)
        if key not in self._streams:
            self._streams[key] = LaterStream(
                self.sc, self.streams, self.names[queue], self.names[entry]
            )
        return self._streams[key]

    def caller(self, queue: int, entry: int, interval: int) -> tuple:
        """(talk, handle, patience, decisions) of the next later caller of `queue`
        whose customer first called `entry`, arriving in `interval` (its talk and
        handle scaled to that interval's AHT); decisions in DECISIONS order, or None."""
        row = self._next_row(queue, entry)
        scale = self._scales[queue]
        if scale is None:
            return row
        f = scale[interval]
        return (row[0] * f, row[1] * f, *row[2:])

    def _next_row(self, queue: int, entry: int) -> tuple:
        key = (queue, entry)
        i = self._used.get(key, 0)
        rows = self._rows.setdefault(key, [])
        if i == len(rows):
            block = self.stream(queue, entry)
            block.upto(i + 1)
            columns = [block.talk[i:], block.handle[i:], block.patience[i:]]
            if self._deciding:
                rows += zip(
                    *(c.tolist() for c in columns), map(tuple, block.decisions[i:].tolist())
                )
            else:
                rows += zip(*(c.tolist() for c in columns), [None] * (len(block.talk) - i))
        self._used[key] = i + 1
        return rows[i]


def _filler(dist: Distribution | None, rng: np.random.Generator) -> Callable[[int], np.ndarray]:
    """size -> that many draws of `dist` (uniforms on [0, 1) if None) from `rng`."""
    if dist is None:
        return rng.random
    return lambda size: dist.draw(rng, size)
