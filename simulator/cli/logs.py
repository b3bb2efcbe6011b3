"""callsim calibrate and backtest: from a per-call log to a scenario, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    JsonOpt,
    ScenarioArg,
    app,
    fail,
    load,
    out,
    print_json,
    writing,
)

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
    from ..calibrate.logs import parse_mapping, read_log
    from ..calibrate.schema import LogError, parse_weekdays

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

    from ..calibrate.calibration import calibrate as estimate
    from ..calibrate.schema import LogError
    from ..model.scenario import ScenarioError
    from ..report.calibration import calibration_dict, write_calibration

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
    from ..calibrate.backtest import backtest as compare_log
    from ..calibrate.grid import Grid
    from ..model.clock import clock_minutes
    from ..report.calibration import backtest_dict, backtest_rows, write_backtest

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
