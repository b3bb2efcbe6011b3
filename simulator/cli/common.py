"""What every callsim command shares: the typer app, the consoles, option types, and
the helpers that load a scenario, stage outputs, run the days and fail with exit 2."""

import json
import os
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from ..model.limits import MAX_REPLICATIONS
from .console import err, out

# The library is imported where a command needs it, so that `callsim --help` and
# `validate` start fast (no pandas, scipy, matplotlib, ortools: see bench_startup.py).
if TYPE_CHECKING:
    from ..model.scenario import Scenario
    from ..run.runner import SimulationResult

# typer coerces each parameter it reads through a pydantic TypeAdapter unless it holds a
# bool already; --help of the group, when a command is given, reads None (not a bool), so
# `callsim run --help` imported pydantic (a third of its time) for that. False is the
# same answer, and a bool.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Call-center simulator and staffing planner.",
    context_settings={"default_map": {"help": False}},
)


def given_path(name: str, what: str, title: str = "invalid option") -> dict[str, Any]:
    """typer keywords for a path `name` (option or argument, one path or a list): typer
    keeps the text (`path_type=str`; --help shows `<path>`) and the callback gives the
    Path, or exits 2 where it is empty (typer would read "" as ".", the current folder,
    and a message would name "."); `what` completes "name ..." in the message."""

    def check(raw: str | list[str] | None) -> Path | list[Path] | None:
        if raw is None:
            return None
        texts = [raw] if isinstance(raw, str) else raw
        if any(not text.strip() for text in texts):
            fail([f"{name}: an empty path; name {what}"], title)
        return Path(raw) if isinstance(raw, str) else [Path(text) for text in raw]

    return {"path_type": str, "callback": check}


ScenarioArg = Annotated[
    Path,
    typer.Argument(
        help="Scenario YAML file.",
        show_default=False,
        **given_path("scenario", "a scenario file", "invalid argument"),
    ),
]
ForecastOpt = Annotated[
    Path | None,
    typer.Option(
        "--forecast",
        help="A forecast CSV (date or weekday, interval, queue, calls, aht): the volumes "
        "and AHT of the queues it names, instead of the file's.",
        show_default=False,
        **given_path("--forecast", "a forecast CSV"),
    ),
]
ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Replace output files that callsim did not write."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
WorkersOpt = Annotated[
    int,  # at most 1,024 (2**64 was a traceback from the pool's semaphore)
    typer.Option(
        min=1, max=1024, help="Worker processes (with dask and no --address: its workers)."
    ),
]
ExecutorOpt = Annotated[
    str | None,
    typer.Option(
        "--executor",
        help="Where the days run: serial, processes (local, --workers) or dask "
        "(a cluster at --address or $CALLSIM_DASK_ADDRESS, else a local one). "
        "Results are the same.",
        show_default=False,
    ),
]


def _engine(value: str) -> str:
    from ..sim import ENGINES

    if value not in ENGINES:
        fail([f"--engine: must be one of {', '.join(ENGINES)}, not {value!r}"], "invalid option")
    return value


EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        callback=_engine,
        help="Engine playing each simulated day: auto (fast where it covers the scenario), "
        "simpy (the reference) or fast (compiled); the results are identical.",
    ),
]


def _address(value: str | None) -> str | None:
    """An empty --address is refused: it read as no address (a script's unset variable
    ran the days locally, silently); leaving the option out is how to mean none."""
    if value is not None and not value.strip():
        fail(
            [
                "--address: an empty address; give the Dask scheduler as tcp://HOST:PORT, or "
                "leave --address out (--executor dask then uses $CALLSIM_DASK_ADDRESS, else a "
                "local cluster)"
            ],
            "invalid option",
        )
    return value


AddressOpt = Annotated[
    str | None,
    typer.Option(
        "--address",
        callback=_address,
        help="Dask scheduler, tcp://HOST:PORT (implies --executor dask).",
        show_default=False,
    ),
]


def print_version(value: bool) -> None:
    if value:
        from .. import __version__

        out.print_line(f"callsim {__version__}")
        raise typer.Exit()


@app.callback()
def callsim(
    version: Annotated[
        bool,
        typer.Option("--version", callback=print_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Call-center simulator and staffing planner."""
    signal.signal(signal.SIGTERM, stop)


def stop(signum: int, _frame: object) -> NoReturn:
    """SIGTERM (`timeout`, a CI cancel, a scheduler): unwind as SIGINT does, so that
    worker processes are ended and no partial output is left; exit 128 + 15."""
    raise SystemExit(128 + signum)


def fail(problems: list[str], title: str) -> NoReturn:
    """Print problems to stderr and exit with code 2."""
    err.print_line(f"[bold red]callsim:[/] {title}")
    for p in problems:
        err.print_line(f"  {p}", markup=False)
    raise typer.Exit(2)


def load(path: Path, forecast: Path | None = None) -> "Scenario":
    """The validated scenario (with `forecast`'s volumes, if given), or exit 2 with
    one message per problem."""
    with without_pydantic_plugins():
        from ..model.load import load_scenario
        from ..model.scenario import ScenarioError

        try:
            return load_scenario(path, forecast)
        except ScenarioError as exc:
            fail(exc.problems, f"{path} is not a valid scenario")


def load_data(path: Path, forecast: Path | None = None) -> tuple[dict, "Scenario"]:
    """The file's YAML data (read once) and the scenario it validates to (with its
    forecast file's, or `forecast`'s, volumes), or exit 2."""
    with without_pydantic_plugins():
        from ..model.load import parse_scenario, read_data, with_forecast
        from ..model.scenario import ScenarioError

        try:
            data = read_data(path)
            if data is None:
                raise ScenarioError([f"{path}: the file is empty"])
            return data, parse_scenario(with_forecast(data, path, forecast), strict=True)
        except ScenarioError as exc:
            fail(exc.problems, f"{path} is not a valid scenario")


@contextmanager
def without_pydantic_plugins() -> Iterator[None]:
    """Build the scenario's validators without looking for pydantic plugins: the
    search reads every installed package's metadata (some 20 ms of each start) and no
    plugin watches callsim's models (typer does the same for its parameters). Only
    while loading: the variable is restored, for worker processes and the library."""
    before = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYDANTIC_DISABLE_PLUGINS"]
        else:
            os.environ["PYDANTIC_DISABLE_PLUGINS"] = before


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


def print_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")


def kpi_list(text: str | None, option: str) -> list[str] | None:
    """KPI keys from 'asa,service_level', or exit 2 naming the unknown ones (or none
    given: '' or ','), or one given twice (its column twice)."""
    if text is None:
        return None
    from ..kpi.registry import KPIS

    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in KPIS]
    if unknown or not keys:
        wrong = f"unknown KPI {', '.join(unknown)}" if unknown else f"no KPI in {text!r}"
        fail(
            [f"{option}: {wrong}; give KPIs, comma-separated: {', '.join(KPIS)}"], "invalid option"
        )
    twice = [k for i, k in enumerate(keys) if k in keys[:i]]
    if twice:
        fail([f"{option}: {', '.join(dict.fromkeys(twice))} given twice"], "invalid option")
    return keys


# Options and checks of run, staff and compare.
MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        "-m",
        help="erlang-c (nobody hangs up), erlang-a (patience) or simulation (searched by "
        "simulating the day).",
    ),
]
OutOpt = Annotated[
    str | None,
    typer.Option(
        "--out",
        metavar="<path>",
        help="Also write the report into this folder: CSV files, plots and an HTML page.",
    ),
]


def scale_check(option: str, what: str):
    """A typer callback refusing a factor outside 0.1-10: 115 (meant 1.15) would plan
    for a hundredfold day."""

    def check(value: float) -> float:
        if not 0.1 <= value <= 10:
            meant = f"; did you mean {value / 100:g}?" if 10 < value <= 1000 else ""
            fail(
                [
                    f"{option}: {value:g} is outside 0.1-10: the scale multiplies every "
                    f"{what} (1.15 means 15% more{meant})"
                ],
                "invalid option",
            )
        return value

    return check


def volume_scale_option(words: str) -> typer.models.OptionInfo:
    """`--volume-scale`: a factor of 0.1-10 on every forecast volume; `words`: its help."""
    return typer.Option(
        "--volume-scale", callback=scale_check("--volume-scale", "volume"), help=words
    )


ScaleOpt = Annotated[
    float, volume_scale_option("Multiply every forecast volume first, 0.1-10 (1.15: 15% over).")
]
AhtScaleOpt = Annotated[
    float,
    typer.Option(
        "--aht-scale",
        callback=scale_check("--aht-scale", "handle time"),
        help="Multiply every handle time first (talk, hold and after-call work, each "
        "keeping its shape), 0.1-10 (0.9: 10% shorter); not-ready time after calls stays.",
    ),
]


@contextmanager
def library_errors(title: str) -> Iterator[None]:
    """Turn the library's ValueError / ScenarioError into field-path messages, exit 2."""
    from ..model.scenario import ScenarioError

    try:
        yield
    except ScenarioError as exc:
        fail(exc.problems, title)
    except ValueError as exc:
        fail([str(exc)], title)


def replications_option(default: str) -> typer.models.OptionInfo:
    """`--replications/-r`: simulated days, capped at MAX_REPLICATIONS; `default` says
    where the number comes from when not given."""
    return typer.Option(
        "--replications",
        "-r",
        min=2,
        max=MAX_REPLICATIONS,
        help=f"Simulated days (default: {default}).",
    )
