"""Executors: where the simulated days run (this process, local processes, Dask).

Every executor runs the same top-level function on the same arguments and yields
`(index, result)` as each task finishes; the caller puts results in their place by
index, so the order in which workers finish never changes a figure. The random
streams travel with the task (a `SeedSequence` per day), so results are identical
whatever the executor and the number of workers.

- `Serial`: in this process, in order.
- `LocalProcesses(workers)`: a forkserver pool on this machine. Workers ignore SIGINT
  (the parent decides), and each watches the parent process: if it dies (SIGKILL,
  a crash) the worker exits too, so no orphan outlives a run.
- `DaskCluster(address)`: a Dask distributed cluster (`tcp://HOST:PORT`, or the
  `CALLSIM_DASK_ADDRESS` environment variable); without an address a `LocalCluster`
  is started on this machine for the executor's lifetime. Dask reschedules the tasks
  of a worker that dies, and a day is a pure function of its seed, so the result is
  still the same.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

ADDRESS_VARIABLE = "CALLSIM_DASK_ADDRESS"
KINDS = ("serial", "processes", "dask")
CONNECT_TIMEOUT = "10s"  # to reach a cluster at a given address


class Executor(Protocol):
    """Runs `fn(*args)` for each tuple of `tasks`; yields (index, result) as they finish."""

    def run(self, fn: Callable[..., Any], tasks: list[tuple]) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...


class Serial:
    """Every task in this process, one after the other."""

    workers = 1

    def run(self, fn: Callable[..., Any], tasks: list[tuple]) -> Iterator[tuple[int, Any]]:
        for i, args in enumerate(tasks):
            yield i, fn(*args)

    def close(self) -> None:
        pass

    def __enter__(self) -> Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _watch_parent(parent: int) -> None:
    """Worker start-up: leave SIGINT to the parent, and exit as soon as it is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        try:
            fd = os.pidfd_open(parent)  # Linux >= 5.3: readable once the parent exits
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            import select

            select.select([fd], [], [])
        else:
            while True:  # elsewhere: poll
                try:
                    os.kill(parent, 0)
                except OSError:
                    break
                threading.Event().wait(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="callsim-parent-watch", daemon=True).start()


class LocalProcesses:
    """A pool of `workers` processes on this machine (forkserver start method).

    forkserver: workers start from a clean, single-threaded process (plain fork from a
    process with threads, such as a progress bar's, may deadlock). Closing the pool,
    also on an exception or a signal turned into one, kills the workers still busy.
    """

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["simulator.run.day"])
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_watch_parent,
            initargs=(os.getpid(),),
        )

    def run(self, fn: Callable[..., Any], tasks: list[tuple]) -> Iterator[tuple[int, Any]]:
        index: dict[Future, int] = {self._pool.submit(fn, *a): i for i, a in enumerate(tasks)}
        pending = set(index)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in sorted(done, key=index.__getitem__):
                    yield index[f], f.result()
        finally:
            for f in pending:
                f.cancel()

    def close(self) -> None:
        """Stop the pool: queued tasks cancelled, busy workers killed, all reaped."""
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            if p.is_alive():
                p.kill()
        for p in processes:
            p.join()

    def __enter__(self) -> LocalProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskCluster:
    """Tasks sent to a Dask distributed cluster at `address`, or, without one, to a
    `LocalCluster` of `workers` processes (one thread each) started here and closed with
    the executor; `workers` 1 means one per core."""

    def __init__(self, address: str | None, workers: int = 1) -> None:
        import logging

        from distributed import Client, LocalCluster

        self.address = address
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(
                n_workers=workers if workers > 1 else (os.cpu_count() or 1),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        self._client = Client(
            self._cluster if self._cluster is not None else address, timeout=CONNECT_TIMEOUT
        )
        self.workers = len(self._client.scheduler_info()["workers"])

    def run(self, fn: Callable[..., Any], tasks: list[tuple]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        futures = self._client.map(fn, *zip(*tasks), pure=False) if tasks else []
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for f, result in as_completed(futures, with_results=True):
                yield index[f.key], result
        finally:
            self._client.cancel(futures)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def executor(kind: str = "processes", workers: int = 1, address: str | None = None):
    """The executor of `kind` (see KINDS): `processes` with one worker is `Serial`."""
    if kind not in KINDS:
        raise ValueError(f"executor: must be one of {', '.join(KINDS)}, not {kind!r}")
    if workers < 1:
        raise ValueError("workers: must be >= 1")
    if kind == "dask":
        return DaskCluster(address or os.environ.get(ADDRESS_VARIABLE) or None, workers)
    if kind == "serial" or workers == 1:
        return Serial()
    return LocalProcesses(workers)


_IN_USE: ContextVar[Executor | None] = ContextVar("callsim_executor", default=None)


@contextmanager
def using(ex: Executor) -> Iterator[Executor]:
    """Within the block, `simulate` runs its days on `ex` unless given another one; so
    a staffing search's trials and a comparison's scenarios go to the same executor
    without every planner function passing it along."""
    token = _IN_USE.set(ex)
    try:
        yield ex
    finally:
        _IN_USE.reset(token)


def in_use() -> Executor | None:
    """The executor set by `using`, if any."""
    return _IN_USE.get()
