"""callsim staff: the planner's staffing command, and the option checks compare shares."""

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import app, fail, given_path, library_errors, load_data, print_json
from .console import err, out
from .options import (
    AddressOpt,
    EngineOpt,
    ExecutorOpt,
    ForceOpt,
    ForecastOpt,
    JsonOpt,
    MethodOpt,
    OutOpt,
    QuietOpt,
    ScaleOpt,
    ScenarioArg,
    WorkersOpt,
)
from .running import (
    check_out,
    check_size,
    executing,
    inputs_of,
    output_dir,
    playing,
    progress_bar,
    writing,
)

if TYPE_CHECKING:
    from ..model.scenario import Scenario
    from ..planner.staffing import StaffingPlan


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
        typer.Option(
            "--write",
            help="Save a copy of the scenario staffed as planned (with --shifts: its roster).",
            **given_path("--write", "a file", "--write refused"),
        ),
    ] = None,
    busyness_cv: Annotated[
        float | None,
        typer.Option(
            "--busyness-cv",
            help="Daily busyness factor's cv (0.1: days 10% apart): report the share of "
            "days each interval meets its targets (--method simulation: its days are "
            "simulated with it, overriding the file's arrivals.busyness_cv).",
        ),
    ] = None,
    days_meeting: Annotated[
        float | None,
        typer.Option(
            "--days-meeting",
            help="With a busyness cv (--busyness-cv or the file's): plan to meet every "
            "target on at least this share of days (0.9), per interval; --method "
            "simulation counts the share on simulated days.",
        ),
    ] = None,
    chance_per: Annotated[
        str,
        typer.Option(
            "--chance-per",
            help="With --days-meeting: hold to that share of days every interval "
            "(interval) or each queue's whole day, all its calls of the day (day; every "
            "interval kept at least at its plan for the mean target).",
        ),
    ] = "interval",
    fte_hours: Annotated[
        float,
        typer.Option(
            "--fte-hours",
            min=1.0,
            max=168.0,  # the hours of a week (inf made every FTE 0.00)
            help="Paid hours of one full-time agent a week (5 days), for the FTE totals.",
        ),
    ] = 40.0,
    search_seed: Annotated[
        int | None,
        typer.Option(
            "--search-seed",
            min=0,
            help="With --method simulation: seed of the search's own days (default: the "
            "file's seed); the verification always uses the file's seed.",
        ),
    ] = None,
    workers: WorkersOpt = 1,
    executor: ExecutorOpt = None,
    address: AddressOpt = None,
    engine: EngineOpt = "auto",
    out_dir: OutOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    forecast: ForecastOpt = None,
) -> None:
    """Staffing plan: agents required and scheduled per interval, and the KPIs at that
    staffing (predicted by Erlang, or simulated)."""
    data, sc = load_data(scenario, forecast)  # read once: the source may be a pipe
    check_out(out_dir)
    spread = busyness_cv or sc.arrivals.busyness_cv
    check_scope_option(chance_per, days_meeting, spread)
    check_plan_options(method, days_meeting, spread=spread, busyness_cv=busyness_cv)
    check_chance_options(sc, method, busyness_cv, days_meeting)
    if write is not None:
        from ..report.output import same_file

        if same_file(write, scenario):
            fail(
                [f"--write: {write} is the scenario itself (by another path or a hard link)"],
                "invalid option",
            )
        if any(same_file(write, f) for f in inputs_of(scenario, sc, forecast)[1:]):
            fail(
                [f"--write: {write} is the scenario's forecast file, an input (never replaced)"],
                "invalid option",
            )
        if out_dir is not None and Path(out_dir).resolve() == write.resolve():
            fail([f"--write: {write} is the --out folder; name a file"], "invalid option")
        check_write(scenario, write, force)
    with (
        executing(executor, workers, address),
        playing(engine, [sc] if method == "simulation" else []),
        library_errors(f"cannot plan {scenario}"),
        progress_bar(
            None,
            quiet or method != "simulation",
            "Searching by simulation (days simulated)",
        ) as tick,
    ):
        from ..planner.search import SearchSettings
        from ..planner.staffing import plan

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
            fte_hours=fte_hours,
            settings=SearchSettings(seed=search_seed),
            chance_per=chance_per,
        )
    if out_dir is not None:
        from ..report.pages import write_plan

        with output_dir(out_dir, force, inputs=inputs_of(scenario, sc, forecast)) as folder:
            write_plan(result, folder)
    if write is not None:
        write_plan_copy(scenario, write, result, data, force)
        scaled = "" if volume_scale == 1 else f" and the volumes × {volume_scale:g} it was made for"
        err.print(f"Wrote {write}: the scenario with the planned staffing{scaled}", highlight=False)
    if as_json:
        from ..report.json import to_dict

        print_json(to_dict(result))
        return
    print_plan(result)


def print_plan(result: "StaffingPlan") -> None:
    """The plan in the terminal: its tables (the whole days' with a busyness cv), notes
    and warnings."""
    from ..report import terminal

    out.print(terminal.plan_table(result, out.width))
    if result.day_share is not None:
        from ..report.format import day_share_words

        out.print(terminal.day_share_table(result))
        out.print(f"[dim]{day_share_words(result)}[/]", highlight=False)
    for group, shift_plan in (result.shifts or {}).items():
        out.print(terminal.shift_table(group, shift_plan))
    if result.totals is not None:
        out.print(terminal.totals_table(result.totals))
    for note in result.notes:
        out.print(f"[dim]note: {note}[/]", highlight=False)
    for warning in result.warnings:
        out.print(f"[yellow]warning: {warning}[/]", highlight=False)


def check_plan_options(
    method: str | None,
    days_meeting: float | None = None,
    command: str = "staff",
    spread: float | None = None,
    busyness_cv: float | None = None,
) -> None:
    """Exit 2 naming the option: a method the command does not know, a --days-meeting
    not a share or without a days' spread (`spread`: --busyness-cv or the file's), a
    --busyness-cv not a positive number."""
    from ..planner.predict import ERLANG, METHODS

    allowed = METHODS if command == "staff" else ERLANG
    problems = []
    if method is not None and method not in allowed:
        problems.append(f"--method: must be one of {', '.join(allowed)} (not {method!r})")
    if days_meeting is not None and not 0 < days_meeting < 1:
        problems.append(
            f"--days-meeting: must be a share of days between 0 and 1, e.g. 0.9 "
            f"(not {days_meeting:g})"
        )
    if busyness_cv is not None and not 0 < busyness_cv < math.inf:
        problems.append(
            f"--busyness-cv: must be a coefficient of variation > 0, e.g. 0.1 (not {busyness_cv:g})"
        )
    elif days_meeting is not None and not spread:
        problems.append(
            "--days-meeting: needs the days' spread: --busyness-cv CV (or the file's "
            "arrivals.busyness_cv)"
        )
    if problems:
        fail(problems, "invalid option")


def check_scope_option(chance_per: str, days_meeting: float | None, spread: float) -> None:
    """Exit 2 naming --chance-per: a scope it does not know, or day without a chance
    target (--days-meeting) or without the days' spread."""
    from ..planner.dayshare import SCOPES

    problems = []
    if chance_per not in SCOPES:
        problems.append(f"--chance-per: must be one of {', '.join(SCOPES)} (not {chance_per!r})")
    elif chance_per == "day" and days_meeting is None:
        problems.append("--chance-per day: needs --days-meeting P (the share of days to plan for)")
    elif chance_per == "day" and not spread:
        problems.append(
            "--chance-per day: needs the days' spread: --busyness-cv CV (or the file's "
            "arrivals.busyness_cv)"
        )
    if problems:
        fail(problems, "invalid option")


def check_chance_options(
    sc: "Scenario", method: str, busyness_cv: float | None, days_meeting: float | None
) -> None:
    """Exit 2 naming the option where --busyness-cv or --days-meeting cannot be planned
    for (before any search starts)."""
    from ..planner.busyness import check_chance

    try:
        check_chance(sc, method, busyness_cv, days_meeting)
    except ValueError as exc:
        field, _, why = str(exc).partition(": ")
        fail([f"--{field.replace('_', '-')}: {why}"], "invalid option")


def check_write(source: Path, target: Path, force: bool) -> None:
    """Exit 2 where `write_plan_copy` would refuse `target` or fail to write there,
    before the plan is made (a search may take minutes)."""
    from ..report.output import check_target
    from ..report.scenario_file import is_planned_copy

    with writing(target, "--write"):
        check_target(target, source=source, ours=is_planned_copy, force=force, probe=True)


def write_plan_copy(
    source: Path, target: Path, result: "StaffingPlan", data: dict, force: bool = False
) -> None:
    """Write the planned copy of the scenario (`planned_scenario`, from `data` as
    read: the source may be a pipe) in one rename, after loading it to prove it runs;
    never over the source by any path, nor over a file callsim did not write (without
    `force`)."""
    from ..model.load import load_scenario
    from ..model.scenario import ScenarioError
    from ..report.output import write_file
    from ..report.scenario_file import is_planned_copy, planned_scenario

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
            ours=is_planned_copy,
            check=runs,
            force=force,
        )
