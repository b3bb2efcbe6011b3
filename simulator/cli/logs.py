"""callsim calibrate and backtest: from a per-call log to a scenario, and back."""

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import app, fail, given_path, library_errors, load, print_json
from .console import out
from .options import ForceOpt, JsonOpt, ScenarioArg, replications_option
from .running import check_out, check_size, inputs_of, output_dir, writing

if TYPE_CHECKING:
    from ..calibrate.backtest import Backtest
    from ..calibrate.calibration import Calibration
    from ..calibrate.grid import Grid
    from ..model.scenario import Scenario

# -- calibrate and backtest: from a per-call log to a scenario, and back ----------------
LogArg = Annotated[
    Path,
    typer.Argument(
        help="Per-call log (CSV, Parquet, or Anonymous Bank).",
        **given_path("log_path", "a call log file", "invalid argument"),
    ),
]
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
    from ..calibrate.logs import parse_mapping, read_log
    from ..calibrate.schema import LogError, parse_weekdays

    try:
        days = parse_weekdays(weekdays)
        log = read_log(path, format, parse_mapping(columns, "--columns"))
    except LogError as exc:
        fail(exc.problems, f"cannot read {path}")
    return log, days


def _service_level(text: str) -> tuple[float, float]:
    """'20/0.80' as (seconds, target), or exit 2."""
    try:
        if not text.isascii() or "_" in text:  # float() takes "２０" and "2_0"
            raise ValueError
        seconds, target = (float(x) for x in text.split("/"))
    except ValueError:
        fail(
            [f"--service-level: expected seconds/target such as 20/0.80, got {text!r}"],
            "invalid option",
        )
    if not (0 < seconds < math.inf and 0 < target <= 1):
        fail(
            [f"--service-level: seconds > 0 and a target in (0, 1], e.g. 20/0.80, got {text!r}"],
            "invalid option",
        )
    return seconds, target


def write_calibrated(
    cal: "Calibration", log_path: Path, out_path: Path, folder: Path, force: bool
) -> list[Path]:
    """The report into `folder` and the scenario into `out_path`, both or neither. The
    scenario is checked first (never over the log by any path, nor over a file callsim
    did not write without `force`) and loaded from its complete temporary file to prove
    it runs; then the report is staged and moved into place (refused over files callsim
    did not write), and only then the scenario renamed into place. Exit 2 on a refusal."""
    from ..model.load import load_scenario
    from ..model.scenario import ScenarioError
    from ..report.calibration import scenario_text, write_calibration
    from ..report.output import staged, write_file

    written: list[Path] = [out_path]

    def runs_then_report(temp: Path) -> None:
        try:
            load_scenario(temp)
        except ScenarioError as exc:
            fail(exc.problems, f"{out_path}: the calibrated scenario would not be valid")
        with (
            writing(folder, "--report"),
            staged(folder, force=force, option="--report", inputs=[log_path]) as stage,
        ):
            write_calibration(cal, stage.dir)
        written.extend(stage.written)

    with writing(out_path, "--out"):
        write_file(
            out_path,
            scenario_text(cal),
            source=log_path,
            ours=is_calibrated,
            check=runs_then_report,
            force=force,
            **OUT_NAMES,
        )
    return written


OUT_NAMES = {"option": "--out", "source_name": "the call log"}  # calibrate's --out, its log


def is_calibrated(head: str) -> bool:
    """Whether a file's first lines are those of a scenario `calibrate` wrote."""
    from ..report.calibration import CALIBRATED

    return head.startswith(CALIBRATED)


@app.command()
def calibrate(
    log_path: LogArg,
    out_file: Annotated[
        str, typer.Option("--out", metavar="<path>", help="Scenario YAML to write.")
    ],
    interval_minutes: Annotated[int, typer.Option("--interval-minutes", help="15, 30 or 60.")] = 60,
    weekdays: WeekdaysOpt = None,
    format: FormatOpt = "auto",
    columns: ColumnsOpt = None,
    service_level: Annotated[
        str, typer.Option("--service-level", help="seconds/target, e.g. 20/0.80.")
    ] = "20/0.80",
    replay: Annotated[
        bool, typer.Option("--replay", help="Every day of the log with its date (a horizon).")
    ] = False,
    report: Annotated[
        str | None,
        typer.Option("--report", metavar="<path>", help="Report folder (default: beside --out)."),
    ] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Estimate a scenario from a per-call log (volumes, handle time, patience, agents)."""
    from ..calibrate.calibration import calibrate as estimate
    from ..calibrate.grid import check_minutes
    from ..calibrate.schema import LogError
    from ..model.scenario import ScenarioError
    from ..report.calibration import calibration_dict
    from ..report.output import check_target

    seconds, target = _service_level(service_level)
    with library_errors("invalid option"):
        check_minutes(interval_minutes)  # before the log is read (minutes for a big one)
    if not out_file.strip():
        fail(["--out: an empty path; name the scenario file to write"], "--out refused")
    out_path = Path(out_file)
    folder = (
        Path(report) if report is not None else out_path.with_name(out_path.stem + "_calibration")
    )
    check_out(str(folder) if report is None else report, "--report")
    if folder.resolve() == out_path.resolve():  # was found after calibrating (a folder)
        fail([f"--report: {report} is the --out file; name another folder"], "--report refused")
    with writing(out_path, "--out"):  # before the log is read and calibrated (minutes)
        check_target(
            out_path, source=log_path, ours=is_calibrated, force=force, probe=True, **OUT_NAMES
        )
    log, days = read_call_log(log_path, format, columns, weekdays)
    try:
        cal = estimate(
            log, interval_minutes, days, (seconds, target), name=out_path.stem, replay=replay
        )
        cal.model  # noqa: B018 - validates the scenario written
    except (LogError, ScenarioError) as exc:
        fail(exc.problems, "calibration failed")
    written = write_calibrated(cal, log_path, out_path, folder, force)
    if as_json:
        print_json(calibration_dict(cal))
        return
    for k, v in cal.log.quirks.items():
        out.print(f"{v:>8,}  {k}", highlight=False)
    for note in cal.notes:
        out.print(f"note: {note}", highlight=False)
    out.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False)


def _backtest_grid(sc: "Scenario", interval_minutes: int) -> "Grid":
    """The log's grid for comparing with `sc` (its days' earliest opening to latest
    closing), or exit 2 if it does not fit the scenario's intervals."""
    from ..calibrate.grid import Grid
    from ..model.clock import clock_minutes

    days = sc.days()
    first = min(clock_minutes(d.open) for d in days)
    span = max(clock_minutes(d.open) + d.n_intervals * sc.interval_minutes for d in days) - first
    if (
        interval_minutes not in (15, 30, 60)
        or span % interval_minutes
        or interval_minutes < sc.interval_minutes
        or first % interval_minutes
    ):
        fail(
            [
                f"--interval-minutes: must be 15, 30 or 60, a multiple of the scenario's "
                f"{sc.interval_minutes} dividing its {span} minutes a day from {sc.open}"
            ],
            "invalid option",
        )
    return Grid(interval_minutes, first * 60.0, span // interval_minutes)


@app.command()
def backtest(
    log_path: LogArg,
    scenario: ScenarioArg,
    interval_minutes: Annotated[int, typer.Option("--interval-minutes", help="15, 30 or 60.")] = 60,
    weekdays: WeekdaysOpt = None,
    format: FormatOpt = "auto",
    columns: ColumnsOpt = None,
    replications: Annotated[int | None, replications_option("the file's")] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="<path>",
            help="Also write the report into this folder: CSV files, JSON, a plot and an "
            "HTML page.",
        ),
    ] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The log beside the scenario's simulation, Erlang C and Erlang A, per interval;
    a scenario with dates (calibrate --replay) also date by date."""
    from ..calibrate.backtest import backtest as compare_log
    from ..calibrate.schema import LogError
    from ..report.backtest import backtest_dict, write_backtest

    sc = load(scenario)
    check_out(out_dir)
    check_size(sc, replications, keep_records=True)  # the simulated days' calls are kept
    grid = _backtest_grid(sc, interval_minutes)  # before the log is read
    log, days = read_call_log(log_path, format, columns, weekdays)
    try:
        bt = compare_log(log.on_weekdays(days), sc, grid, replications)
    except LogError as exc:
        fail(exc.problems, "cannot backtest")
    if out_dir is not None:
        read = [log_path, *inputs_of(scenario, sc)]
        with output_dir(out_dir, force, not as_json, read) as folder:
            write_backtest(bt, folder)
    if as_json:
        print_json(backtest_dict(bt))
        return
    _print_backtest(bt)


def _print_backtest(bt: "Backtest") -> None:
    """The per-interval table, the errors against the noise floor, and the profile."""
    from rich.table import Table

    from ..report.backtest import MODELS, backtest_rows, by_date_rows

    title = f"Backtest: {bt.days} days observed, {bt.replications} simulated"
    tables = [(title, backtest_rows(bt), bt.mae, bt.noise_floor)]
    if bt.by_date is not None:
        b = bt.by_date
        tables.append(("Day by day", by_date_rows(b), b.mae, b.noise_floor))
    for title, (header, rows), mae, floor in tables:
        table = Table(*header, title=title)
        for row in rows:
            table.add_row(*row)
        out.print(table)
        for k, d in mae.items():
            models = ", ".join(f"{MODELS[m]} {v:.1f}" for m, v in d.items())
            out.print(f"MAE {k}: {models}; noise floor {floor[k]:.1f}", highlight=False)
    shares = {
        side: " / ".join(f"{c.mean:.0%}" for c in p.values()) for side, p in bt.profile.items()
    }
    out.print(
        f"abandoners gone within 30 / 60 / 180 s: log {shares['observed']}, "
        f"simulation {shares['simulated']}",
        highlight=False,
    )
