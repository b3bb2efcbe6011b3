"""Running and writing for the commands: outputs staged into --out, the progress bar,
the engine and executor a command's simulations use, and the size check before a run."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .common import fail
from .console import err

if TYPE_CHECKING:
    from ..model.scenario import Scenario
    from ..run.runner import SimulationResult


@contextmanager
def writing(path: Path | str, option: str) -> Iterator[None]:
    """Turn a failure to write `path` (a file in the way, no permission, a file
    callsim did not write...) into a clean message and exit 2."""
    from ..report.output import OutputError

    try:
        yield
    except OutputError as exc:
        fail(exc.problems, f"{option} refused")
    except OSError as exc:
        fail([f"{path}: cannot write ({exc.strerror or exc})"], f"{option} failed")


def check_out(out_dir: str | None, option: str = "--out") -> None:
    """Refuse a bad --out (empty, a file, /dev/null, a dangling link) before any work."""
    from ..report.output import target_path

    if out_dir is not None:
        with writing(out_dir, option):
            target_path(out_dir, option)


def inputs_of(path: Path, sc: "Scenario", forecast: Path | None = None) -> list[Path]:
    """The files a command read for scenario `sc` of file `path`: the file, and its
    forecast (`--forecast`, or the file's `forecast:`)."""
    files = [path] + ([forecast] if forecast is not None else [])
    return files + ([path.parent / sc.forecast] if sc.forecast and forecast is None else [])


@contextmanager
def output_dir(
    out_dir: str, force: bool, say: bool = True, inputs: Sequence[Path] = ()
) -> Iterator[Path]:
    """A temporary directory to write into; its files are moved into `out_dir` when
    all are complete (`simulator.report.output.staged`), never over one of `inputs`.
    Exit 2 on a refusal."""
    from ..report.output import staged

    with writing(out_dir, "--out"), staged(out_dir, force=force, inputs=inputs) as stage:
        yield stage.dir
    if say:
        err.print(f"Wrote {len(stage.written)} files to {stage.target}", highlight=False)


@contextmanager
def progress_bar(total: int | None, quiet: bool, label: str) -> Iterator:
    """A progress callback drawing a bar on stderr (only on a terminal, not --quiet);
    `total` None: a count with no end known in advance."""
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err.console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


@contextmanager
def playing(engine: str, scenarios: Iterable["Scenario"] = ()) -> Iterator[None]:
    """Play every simulated day of the command with `engine` (auto, simpy or fast); the
    fast engine compiled first if one of `scenarios` needs it (`fast_engine_ready`)."""
    from ..run.runner import playing as engine_in_use

    fast_engine_ready(engine, scenarios)
    with engine_in_use(engine):
        yield


def fast_engine_ready(engine: str, scenarios: Iterable["Scenario"]) -> None:
    """Compile the fast engine now if a day of `scenarios` will need it and numba's
    cache holds none (the first fast run after an install): once, here, rather than in
    every worker, and said on a terminal so that nobody waits in silence."""
    if engine == "simpy":
        return
    from ..sim.fast import COMPILE_SECONDS, compile_pending, uncovered, warm

    if any(uncovered(sc) is None for sc in scenarios) and compile_pending():
        if err.is_terminal:
            err.print(
                f"compiling the fast engine (once, ~{COMPILE_SECONDS} s; --engine simpy skips it)",
                highlight=False,
            )
        warm()


@contextmanager
def executing(kind: str | None, workers: int, address: str | None) -> Iterator[None]:
    """Run every simulation of the command on the executor chosen (see
    simulator.run.executors); a bad choice or an unreachable cluster exits 2."""
    from ..run.executors import ADDRESS_VARIABLE, KINDS, executor, using

    kind = kind or ("dask" if address else "processes")
    if kind not in KINDS:
        fail([f"--executor: must be one of {', '.join(KINDS)}, not {kind!r}"], "invalid option")
    if address and kind != "dask":
        fail(
            [f"--address: a Dask scheduler, so only with --executor dask (not {kind})"],
            "invalid option",
        )
    where = f"--address {address}" if address else f"${ADDRESS_VARIABLE}"
    try:
        ex = executor(kind, workers, address)
    except ValueError as exc:  # a scheduler address dask cannot parse
        fail([f"{where}: not a Dask scheduler address ({exc})"], "invalid option")
    except OSError as exc:
        fail([f"{where}: cannot reach the Dask scheduler ({exc})"], "invalid option")
    try:
        with using(ex):
            yield
    finally:
        ex.close()


def run_scenario(
    sc: "Scenario",
    replications: int | None,
    seed: int | None,
    workers: int,
    quiet: bool,
    keep_records: bool = True,
    engine: str = "auto",
) -> "SimulationResult":
    """Simulate with a progress bar; bad option values (or a run that would not fit
    in memory) exit 2."""
    from ..run.runner import simulate

    total = replications or sc.simulation.replications
    check_size(sc, replications, keep_records=keep_records, workers=workers)
    fast_engine_ready(engine, [sc])
    try:
        with progress_bar(total, quiet, f"Simulating {sc.name}") as tick:
            return simulate(
                sc,
                replications,
                seed,
                workers,
                progress=tick,
                keep_records=keep_records,
                engine=engine,
            )
    except ValueError as exc:
        fail([str(exc)], "invalid option")


def check_size(sc: "Scenario", replications: int | None, scale: float = 1.0, **how) -> None:
    """Exit 2, with the figure, if the run would not fit in memory (`run_problems`)."""
    from ..model.bounds import run_problems

    problems = run_problems(sc, replications, scale, **how)
    if problems:
        fail(problems, f"cannot simulate {sc.name}")
