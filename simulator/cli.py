"""callsim: the command line (typer only): parse, call the library, print what the
report layer makes of the result (`simulator.report.terminal` tables, `.json` objects,
`.pages` files), exit. The library knows nothing of terminals.

Exit codes: 0 done; 2 the scenario or an option is invalid (one line per problem,
naming the field, on standard error).
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from .kpi.registry import KPIS
from .model.limits import MAX_REPLICATIONS

# The library is imported where a command needs it, so that `callsim --help` and
# `validate` start fast (no pandas, scipy, matplotlib, ortools: see bench_startup.py).
if TYPE_CHECKING:
    from .model.scenario import Scenario
    from .planner.compare import PlanComparison, ScenarioComparison
    from .planner.staffing import StaffingPlan
    from .run.runner import SimulationResult

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Call-center simulator and staffing planner."
)
out = Console() if sys.stdout.isatty() else Console(width=160)  # piped: no 80-col wrap
err = Console(stderr=True, soft_wrap=True)  # one line per problem, never wrapped

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Replace output files that callsim did not write."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
WorkersOpt = Annotated[
    int, typer.Option(min=1, help="Worker processes (with dask and no --address: its workers).")
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
AddressOpt = Annotated[
    str | None,
    typer.Option(
        "--address",
        help="Dask scheduler, tcp://HOST:PORT (implies --executor dask).",
        show_default=False,
    ),
]


def print_version(value: bool) -> None:
    if value:
        from . import __version__

        out.print(f"callsim {__version__}", highlight=False)
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
    err.print(f"[bold red]callsim:[/] {title}", highlight=False)
    for p in problems:
        err.print(f"  {p}", highlight=False, markup=False)
    raise typer.Exit(2)


def load(path: Path) -> Scenario:
    """The validated scenario, or exit 2 with one message per problem."""
    from .model.load import load_scenario
    from .model.scenario import ScenarioError

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        fail(exc.problems, f"{path} is not a valid scenario")


def load_data(path: Path) -> tuple[dict, Scenario]:
    """The file's YAML data (read once) and the scenario it validates to, or exit 2."""
    from .model.load import parse_scenario, read_data
    from .model.scenario import ScenarioError

    try:
        data = read_data(path)
        if data is None:
            raise ScenarioError([f"{path}: the file is empty"])
        return data, parse_scenario(data, strict=True)
    except ScenarioError as exc:
        fail(exc.problems, f"{path} is not a valid scenario")


@contextmanager
def writing(path: Path | str, option: str) -> Iterator[None]:
    """Turn a failure to write `path` (a file in the way, no permission, a file
    callsim did not write...) into a clean message and exit 2."""
    from .report.output import OutputError

    try:
        yield
    except OutputError as exc:
        fail(exc.problems, f"{option} refused")
    except OSError as exc:
        fail([f"{path}: cannot write ({exc.strerror or exc})"], f"{option} failed")


def check_out(out_dir: str | None) -> None:
    """Refuse a bad --out (empty, a file, /dev/null, a dangling link) before any work."""
    from .report.output import target_path

    if out_dir is not None:
        with writing(out_dir, "--out"):
            target_path(out_dir)


@contextmanager
def output_dir(out_dir: str, force: bool, say: bool = True) -> Iterator[Path]:
    """A temporary directory to write into; its files are moved into `out_dir` when
    all are complete (`simulator.report.output.staged`). Exit 2 on a refusal."""
    from .report.output import staged

    with writing(out_dir, "--out"), staged(out_dir, force=force) as stage:
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
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


@contextmanager
def executing(kind: str | None, workers: int, address: str | None) -> Iterator[None]:
    """Run every simulation of the command on the executor chosen (see
    simulator.run.executors); a bad choice or an unreachable cluster exits 2."""
    from .run.executors import executor, using

    kind = kind or ("dask" if address else "processes")
    if address and kind != "dask":
        fail(
            [f"--address: a Dask scheduler, so only with --executor dask (not {kind})"],
            "invalid option",
        )
    try:
        ex = executor(kind, workers, address)
    except ValueError as exc:
        fail([f"--{exc}"], "invalid option")
    except OSError as exc:
        fail([f"--address {address}: cannot reach the Dask scheduler ({exc})"], "invalid option")
    try:
        with using(ex):
            yield
    finally:
        ex.close()


def run_scenario(
    sc: Scenario,
    replications: int | None,
    seed: int | None,
    workers: int,
    quiet: bool,
    keep_records: bool = True,
    engine: str = "auto",
) -> SimulationResult:
    """Simulate with a progress bar; bad option values (or a run that would not fit
    in memory) exit 2."""
    from .run.runner import simulate

    total = replications or sc.simulation.replications
    check_size(sc, replications, keep_records=keep_records, workers=workers)
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


def check_size(sc: Scenario, replications: int | None, scale: float = 1.0, **how) -> None:
    """Exit 2, with the figure, if the run would not fit in memory (`run_problems`)."""
    from .model.bounds import run_problems

    problems = run_problems(sc, replications, scale, **how)
    if problems:
        fail(problems, f"cannot simulate {sc.name}")


def print_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")


@app.command()
def run(
    scenario: ScenarioArg,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            "-r",
            min=2,
            max=MAX_REPLICATIONS,
            help="Simulated days (default: the file's).",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Random seed (default: the file's).")
    ] = None,
    workers: WorkersOpt = 1,
    executor: ExecutorOpt = None,
    address: AddressOpt = None,
    out_dir: Annotated[
        str | None,
        typer.Option("--out", help="Also write CSV files, plots and report.html here."),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="KPIs of the per-interval table, comma-separated (default: as many as "
            "fit the terminal).",
        ),
    ] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    engine: Annotated[
        str,
        typer.Option(
            help="Engine playing each day: auto (fast where it covers the scenario), "
            "simpy (the reference) or fast (compiled); the results are identical."
        ),
    ] = "auto",
) -> None:
    """Simulate a scenario: every KPI per interval and for the day, with 95% CIs."""
    sc = load(scenario)
    chosen = kpi_list(columns, "--columns")
    check_out(out_dir)
    with executing(executor, workers, address):
        res = run_scenario(
            sc, replications, seed, workers, quiet, keep_records=out_dir is not None, engine=engine
        )
    if out_dir is not None:
        from .planner.staffing import erlang_requirement
        from .report.pages import write_run

        with output_dir(out_dir, force, say=not as_json) as folder:
            write_run(res, folder, *erlang_requirement(sc))
    if as_json:
        from .report.json import to_dict

        print_json(to_dict(res))
        return
    from .report import terminal

    out.print(terminal.summary_table(res))
    out.print(terminal.interval_table(res, None if chosen else out.width, chosen))


def kpi_list(text: str | None, option: str) -> list[str] | None:
    """KPI keys from 'asa,service_level', or exit 2 naming the unknown ones."""
    if text is None:
        return None
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in KPIS]
    if unknown or not keys:
        named = ", ".join(unknown) or "(none given)"
        fail([f"{option}: unknown KPI {named} (KPIs are: {', '.join(KPIS)})"], "invalid option")
    return keys


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario file without running it."""
    from .model.checks import cautions

    sc = load(scenario)
    for caution in cautions(sc):
        err.print(f"[yellow]caution:[/] {caution}", highlight=False)
    out.print(
        f"[green]ok[/] {scenario}: {sc.name} — {len(sc.queues)} queue(s), "
        f"{len(sc.agents)} agent group(s), {sc.n_intervals} intervals of "
        f"{sc.interval_minutes} min from {sc.open}",
        highlight=False,
    )


# ----------------------------------------------------------------- staff and compare

MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        "-m",
        help="erlang-c (nobody hangs up), erlang-a (patience); staff "
        "also: simulation (searched by simulating the day).",
    ),
]
OutOpt = Annotated[
    str | None,
    typer.Option("--out", help="Also write CSV files, a plot and an HTML page here."),
]


def _scale(value: float) -> float:
    """A volume scale of 0.1-10: 115 (meant 1.15) would plan for a hundredfold day."""
    if not 0.1 <= value <= 10:
        meant = f"; did you mean {value / 100:g}?" if 10 < value <= 1000 else ""
        fail(
            [
                f"--volume-scale: {value:g} is outside 0.1-10: the scale multiplies every "
                f"volume (1.15 means 15% more calls{meant})"
            ],
            "invalid option",
        )
    return value


ScaleOpt = Annotated[
    float,
    typer.Option(
        "--volume-scale",
        callback=_scale,
        help="Multiply every forecast volume first, 0.1-10 (1.15: 15% over).",
    ),
]


@contextmanager
def library_errors(title: str) -> Iterator[None]:
    """Turn the library's ValueError / ScenarioError into field-path messages, exit 2."""
    from .model.scenario import ScenarioError

    try:
        yield
    except ScenarioError as exc:
        fail(exc.problems, title)
    except ValueError as exc:
        fail([str(exc)], title)


@app.command()
def staff(
    scenario: ScenarioArg,
    method: MethodOpt = "erlang-c",
    shifts: Annotated[
        bool,
        typer.Option("--shifts", help="Also schedule the scenario's shifts (cost, over/under)."),
    ] = False,
    volume_scale: ScaleOpt = 1.0,
    write: Annotated[
        Path | None,
        typer.Option("--write", help="Save a copy of the scenario staffed as planned."),
    ] = None,
    busyness_cv: Annotated[
        float | None,
        typer.Option(
            "--busyness-cv",
            min=0.0,
            help="Daily busyness factor's cv (0.1: days 10% apart): report the share of "
            "days each interval meets its targets.",
        ),
    ] = None,
    days_meeting: Annotated[
        float | None,
        typer.Option(
            "--days-meeting",
            help="With --busyness-cv: plan to meet the targets on at least this share of "
            "days (0.9), per interval.",
        ),
    ] = None,
    workers: WorkersOpt = 1,
    executor: ExecutorOpt = None,
    address: AddressOpt = None,
    out_dir: OutOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Staffing plan: agents required and scheduled per interval, and the KPIs at that
    staffing (predicted by Erlang, or simulated)."""
    data, sc = load_data(scenario)  # read once: the source may be a pipe
    check_out(out_dir)
    if write is not None:
        from .report.output import same_file

        if same_file(write, scenario):
            fail(
                [f"--write: {write} is the scenario itself (by another path or a hard link)"],
                "invalid option",
            )
    with (
        executing(executor, workers, address),
        library_errors(f"cannot plan {scenario}"),
        progress_bar(
            None,
            quiet or method != "simulation",
            f"Searching by simulation ({sc.simulation.replications} days a trial)",
        ) as tick,
    ):
        from .planner.staffing import plan

        if method == "simulation":
            check_size(sc, None, volume_scale)
        result = plan(
            sc,
            method,
            volume_scale,
            shifts=shifts,
            progress=tick,
            busyness_cv=busyness_cv,
            days_meeting=days_meeting,
        )
    if out_dir is not None:
        from .report.pages import write_plan

        with output_dir(out_dir, force) as folder:
            write_plan(result, folder)
    if write is not None:
        write_plan_copy(scenario, write, result, data, force)
        scaled = "" if volume_scale == 1 else f" and the volumes × {volume_scale:g} it was made for"
        err.print(f"Wrote {write}: the scenario with the planned staffing{scaled}", highlight=False)
    if as_json:
        from .report.json import to_dict

        print_json(to_dict(result))
        return
    from .report import terminal

    out.print(terminal.plan_table(result, out.width))
    for group, shift_plan in (result.shifts or {}).items():
        out.print(terminal.shift_table(group, shift_plan))
    for note in result.notes:
        out.print(f"[dim]note: {note}[/]", highlight=False)
    for warning in result.warnings:
        out.print(f"[yellow]warning: {warning}[/]", highlight=False)


def write_plan_copy(
    source: Path, target: Path, result: StaffingPlan, data: dict, force: bool = False
) -> None:
    """Write the planned copy of the scenario (`planned_scenario`, from `data` as
    read: the source may be a pipe) in one rename, after loading it to prove it runs;
    never over the source by any path, nor over a file callsim did not write (without
    `force`)."""
    from .model.load import load_scenario
    from .model.scenario import ScenarioError
    from .report.output import write_file
    from .report.scenario_file import PLANNED, planned_scenario

    def runs(temp: Path) -> None:
        try:
            load_scenario(temp)
        except ScenarioError as exc:
            fail(exc.problems, f"{target}: the planned copy would not be valid")

    with writing(target, "--write"):
        write_file(
            target,
            planned_scenario(source, result, data),
            source=source,
            ours=lambda head: head.startswith(PLANNED),
            check=runs,
            force=force,
        )


@app.command()
def compare(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            help="One scenario: Erlang vs simulation. Several: side by side.", show_default=False
        ),
    ],
    method: Annotated[
        str | None,
        typer.Option(
            "--method",
            "-m",
            help="erlang-c (nobody hangs up) or erlang-a (patience); default: erlang-a "
            "when every queue has a patience, else erlang-c.",
            show_default=False,
        ),
    ] = None,
    volume_scale: ScaleOpt = 1.0,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            "-r",
            min=2,
            max=MAX_REPLICATIONS,
            help="Simulated days (default: the first file's).",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Random seed, the same for every scenario.")
    ] = None,
    workers: WorkersOpt = 1,
    executor: ExecutorOpt = None,
    address: AddressOpt = None,
    out_dir: OutOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Erlang's prediction at the file's staffing vs the simulation (one scenario),
    or several scenarios simulated with the same random numbers."""
    from .planner.compare import PlanComparison, compare_plan, compare_scenarios

    loaded = [load(path) for path in scenarios]
    total = (replications or loaded[0].simulation.replications) * len(loaded)
    result: PlanComparison | ScenarioComparison
    for sc in loaded:
        check_size(sc, replications or loaded[0].simulation.replications, volume_scale)
    with (
        executing(executor, workers, address),
        library_errors("cannot compare"),
        progress_bar(total, quiet, "Simulating") as tick,
    ):
        if len(loaded) == 1:
            result = compare_plan(
                loaded[0], method, volume_scale, replications, seed, workers, tick
            )
        else:
            result = compare_scenarios(
                loaded, [str(p) for p in scenarios], volume_scale, replications, seed, workers, tick
            )
    if out_dir is not None:
        from .report.pages import write_compare, write_plan_comparison

        with output_dir(out_dir, force) as folder:
            if isinstance(result, PlanComparison):
                write_plan_comparison(result, folder)
            else:
                write_compare(result, folder)
    if as_json:
        from .report.json import to_dict

        print_json(to_dict(result))
        return
    from .report import terminal

    if isinstance(result, PlanComparison):
        out.print(terminal.plan_comparison_table(result, out.width))
        for note in result.notes:
            out.print(f"[dim]note: {note}[/]", highlight=False)
    else:
        for table in terminal.scenarios_tables(result, out.width):
            out.print(table)


@app.command()
def schema() -> None:
    """Print the scenario files' JSON Schema (for editors: completion and checking)."""
    from .model.load import scenario_schema

    sys.stdout.write(json.dumps(scenario_schema(), indent=2) + "\n")


# -- calibrate and backtest: from a per-call log to a scenario, and back ----------------
LogArg = Annotated[Path, typer.Argument(help="Per-call log (CSV, Parquet, or Anonymous Bank).")]
FormatOpt = Annotated[
    str, typer.Option("--format", help="auto, schema, callsim or anonymous-bank.")
]
WeekdaysOpt = Annotated[
    str | None, typer.Option("--weekdays", help="Days to use, e.g. sun,mon,tue (default: all).")
]
ColumnsOpt = Annotated[
    str | None, typer.Option("--columns", help="Schema name=export column pairs, comma-separated.")
]


def read_call_log(path: Path, format: str, columns: str | None, weekdays: str | None):
    """The log restricted to `weekdays`, or exit 2 with one line per problem."""
    from .calibrate.logs import parse_mapping, read_log
    from .calibrate.schema import LogError, parse_weekdays

    try:
        days = parse_weekdays(weekdays)
        log = read_log(path, format, parse_mapping(columns, "--columns"))
    except LogError as exc:
        fail(exc.problems, f"cannot read {path}")
    return log, days


@app.command()
def calibrate(
    log_path: LogArg,
    out_path: Annotated[Path, typer.Option("--out", help="Scenario YAML to write.")],
    interval_minutes: Annotated[int, typer.Option("--interval-minutes", help="15, 30 or 60.")] = 60,
    weekdays: WeekdaysOpt = None,
    format: FormatOpt = "auto",
    columns: ColumnsOpt = None,
    service_level: Annotated[
        str, typer.Option("--service-level", help="seconds/target, e.g. 20/0.80.")
    ] = "20/0.80",
    replay: Annotated[bool, typer.Option("--replay", help="Every day with its date.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Report folder (default: beside --out).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Estimate a scenario from a per-call log (volumes, handle time, patience, agents)."""
    import yaml

    from .calibrate.calibration import calibrate as estimate
    from .calibrate.schema import LogError
    from .model.scenario import ScenarioError
    from .report.calibration import calibration_dict, write_calibration

    if replay:
        fail(
            [
                "--replay: the scenario format has no dates yet, so a day cannot carry its "
                "date; calibrate an average day (the default), or one weekday with --weekdays"
            ],
            "--replay is not available",
        )
    try:
        seconds, target = (float(x) for x in service_level.split("/"))
    except ValueError:
        fail(
            [f"--service-level: expected seconds/target such as 20/0.80, got {service_level!r}"],
            "invalid option",
        )
    log, days = read_call_log(log_path, format, columns, weekdays)
    try:
        cal = estimate(log, interval_minutes, days, (seconds, target), name=out_path.stem)
        cal.model  # noqa: B018 - validates the scenario written
    except (LogError, ScenarioError) as exc:
        fail(exc.problems, "calibration failed")
    folder = report or out_path.with_name(out_path.stem + "_calibration")
    with writing(out_path, "--out"):
        out_path.write_text(yaml.safe_dump(cal.scenario, sort_keys=False, width=100))
        written = write_calibration(cal, folder)
    if as_json:
        print_json(calibration_dict(cal))
        return
    for k, v in cal.log.quirks.items():
        out.print(f"{v:>8,}  {k}", highlight=False)
    for note in cal.notes:
        out.print(f"note: {note}", highlight=False)
    out.print(f"wrote {out_path} and {', '.join(str(p) for p in written)}", highlight=False)


@app.command()
def backtest(
    log_path: LogArg,
    scenario: ScenarioArg,
    interval_minutes: Annotated[int, typer.Option("--interval-minutes", help="15, 30 or 60.")] = 60,
    weekdays: WeekdaysOpt = None,
    format: FormatOpt = "auto",
    columns: ColumnsOpt = None,
    replications: Annotated[int | None, typer.Option("--replications", "-r", min=2)] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write CSV, JSON, plot, page.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The log beside the scenario's simulation, Erlang C and Erlang A, per interval."""
    from .calibrate.backtest import backtest as compare_log
    from .calibrate.grid import Grid
    from .model.clock import clock_minutes
    from .report.calibration import backtest_dict, backtest_rows, write_backtest

    sc = load(scenario)
    log, days = read_call_log(log_path, format, columns, weekdays)
    span = sc.n_intervals * sc.interval_minutes
    if (
        interval_minutes not in (15, 30, 60)
        or span % interval_minutes
        or interval_minutes < sc.interval_minutes
    ):
        fail(
            [
                f"--interval-minutes: must be 15, 30 or 60, a multiple of the scenario's "
                f"{sc.interval_minutes} dividing its {span} minutes"
            ],
            "invalid option",
        )
    grid = Grid(interval_minutes, clock_minutes(sc.open) * 60.0, span // interval_minutes)
    bt = compare_log(log.on_weekdays(days), sc, grid, replications)
    if out_dir is not None:
        with writing(out_dir, "--out"):
            write_backtest(bt, out_dir)
    if as_json:
        print_json(backtest_dict(bt))
        return
    from rich.table import Table

    header, rows = backtest_rows(bt)
    table = Table(*header, title=f"Backtest: {bt.days} days observed, {bt.replications} simulated")
    for row in rows:
        table.add_row(*row)
    out.print(table)
    for k, d in bt.mae.items():
        out.print(
            f"MAE {k}: simulation {d['simulation']:.1f}, Erlang A {d['erlang_a']:.1f}, "
            f"Erlang C {d['erlang_c']:.1f}; noise floor {bt.noise_floor[k]:.1f}",
            highlight=False,
        )
    shares = {
        side: " / ".join(f"{c.mean:.0%}" for c in p.values()) for side, p in bt.profile.items()
    }
    out.print(
        f"abandoners gone within 30 / 60 / 180 s: log {shares['observed']}, "
        f"simulation {shares['simulated']}",
        highlight=False,
    )


def main() -> None:  # pragma: no cover - console entry point
    app()
