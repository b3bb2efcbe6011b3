"""callsim run, validate and schema: one scenario, simulated or checked."""

import json
import sys
from typing import Annotated

import typer

from .common import app, fail, kpi_list, library_errors, load, print_json
from .console import err, out
from .options import (
    AddressOpt,
    AhtScaleOpt,
    EngineOpt,
    ExecutorOpt,
    ForceOpt,
    ForecastOpt,
    JsonOpt,
    OutOpt,
    QuietOpt,
    ScaleOpt,
    ScenarioArg,
    WorkersOpt,
    replications_option,
)
from .running import check_out, executing, inputs_of, output_dir, run_scenario


@app.command()
def run(
    scenario: ScenarioArg,
    replications: Annotated[int | None, replications_option("the file's")] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Random seed (default: the file's).")
    ] = None,
    workers: WorkersOpt = 1,
    executor: ExecutorOpt = None,
    address: AddressOpt = None,
    out_dir: OutOpt = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="KPIs of the per-interval table, comma-separated (default: as many as "
            "fit the terminal).",
        ),
    ] = None,
    queue: Annotated[
        str | None,
        typer.Option(
            "--queue",
            help="Print this queue's KPIs (the day and per interval, with its own targets) "
            "instead of the center's; JSON and --out give every queue anyway.",
            show_default=False,
        ),
    ] = None,
    volume_scale: ScaleOpt = 1.0,
    aht_scale: AhtScaleOpt = 1.0,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    engine: EngineOpt = "auto",
    forecast: ForecastOpt = None,
) -> None:
    """Simulate a scenario: every KPI per interval and for the day (per day and for the
    horizon, given one), with 95% CIs; the intervals that miss a target are marked."""
    sc = load(scenario, forecast)
    chosen = kpi_list(columns, "--columns")
    if queue is not None and queue not in sc.queues:
        fail(
            [f"--queue: no queue {queue!r} (queues are: {', '.join(sc.queues)})"], "invalid option"
        )
    check_out(out_dir)
    notes: list[str] = []
    if volume_scale != 1 or aht_scale != 1:
        from ..planner.edits import apply_what_if, not_ready_note

        with library_errors(f"cannot scale {scenario}"):
            scaled_sc = apply_what_if(sc, {"volume": volume_scale, "aht": aht_scale})
        note = not_ready_note(sc, {"aht": aht_scale}, f"--aht-scale {aht_scale:g}")
        notes, sc = ([] if note is None else [note]), scaled_sc
    with executing(executor, workers, address):
        res = run_scenario(
            sc, replications, seed, workers, quiet, keep_records=out_dir is not None, engine=engine
        )
    if out_dir is not None:
        from ..planner.staffing import erlang_requirement
        from ..report.pages import write_run

        with output_dir(out_dir, force, not as_json, inputs_of(scenario, sc, forecast)) as folder:
            write_run(res, folder, *erlang_requirement(sc))
    if as_json:
        from ..report.json import to_dict

        print_json(to_dict(res))
        return
    from ..report import terminal

    scaled = terminal.what_if_words(volume_scale, aht_scale)
    if scaled:
        out.print(f"[dim]what-if: {scaled}[/]", highlight=False)
    for note in notes:
        out.print(f"[dim]note: {note}[/]", highlight=False)
    out.print(terminal.summary_table(res, queue))
    if res.reported_days and queue is None:
        out.print(terminal.day_table(res, out.width))
    out.print(terminal.interval_table(res, None if chosen else out.width, chosen, queue))


@app.command()
def validate(scenario: ScenarioArg, forecast: ForecastOpt = None) -> None:
    """Check a scenario file without running it."""
    sc = load(scenario, forecast)
    from ..model.checks import cautions

    for caution in cautions(sc):
        err.print_line(f"[yellow]caution:[/] {caution}")
    days = sc.days()
    when = (
        f"from {sc.open}"
        if sc.horizon is None
        else f"over {len(days)} open days, {days[0].label} to {days[-1].label}"
    )
    out.print_line(
        f"[green]ok[/] {scenario}: {sc.name} — {len(sc.queues)} queue(s), "
        f"{len(sc.agents)} agent group(s), {sc.n_intervals} intervals of "
        f"{sc.interval_minutes} min {when}"
    )


@app.command()
def schema() -> None:
    """Print the scenario files' JSON Schema (for editors: completion and checking)."""
    from ..model.load import scenario_schema

    sys.stdout.write(json.dumps(scenario_schema(), indent=2) + "\n")
