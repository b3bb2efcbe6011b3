"""callsim compare: scenarios (or one and its what-ifs) side by side, or Erlang vs
simulation for one."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import app, fail, given_path, library_errors, load, print_json
from .console import out
from .options import (
    AddressOpt,
    EngineOpt,
    ExecutorOpt,
    ForceOpt,
    ForecastOpt,
    JsonOpt,
    OutOpt,
    QuietOpt,
    WorkersOpt,
    replications_option,
    volume_scale_option,
)
from .plan import check_plan_options
from .running import (
    check_out,
    check_size,
    executing,
    inputs_of,
    output_dir,
    playing,
    progress_bar,
)

if TYPE_CHECKING:
    from ..model.scenario import Scenario
    from ..planner.compare import PlanComparison, ScenarioComparison


CompareScaleOpt = Annotated[
    float,
    volume_scale_option(
        "Multiply every forecast volume of EVERY scenario compared (each file and each "
        "what-if alike), 0.1-10: all sides at 15% over forecast with 1.15. To scale one "
        "side only, use --what-if volume=1.15."
    ),
]
WhatIfOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--what-if",
        help="Compare the one scenario with a copy of itself edited, on the same random "
        "numbers (paired differences): volume=X (every volume × X), aht=X (every handle "
        "time × X; not-ready time stays), or both, comma-separated (volume=1.15,aht=0.9). "
        "Repeat for several.",
        show_default=False,
    ),
]


@app.command()
def compare(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            help="One scenario: Erlang vs simulation (or, with --what-if, vs itself "
            "edited). Several: side by side.",
            show_default=False,
            **given_path("scenarios", "a scenario file", "invalid argument"),
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
    what_if: WhatIfOpt = None,
    volume_scale: CompareScaleOpt = 1.0,
    replications: Annotated[int | None, replications_option("the first file's")] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Random seed, the same for every scenario.")
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
    """Erlang's prediction at the file's staffing vs the simulation (one scenario), or
    several scenarios (or one and its what-ifs) simulated with the same random numbers."""
    from ..planner.compare import PlanComparison

    check_plan_options(method, command="compare")
    loaded = [load(path, forecast) for path in scenarios]
    edits = what_if_edits(what_if or [], len(loaded), method)
    runs = (len(loaded) + len(edits)) * (replications or loaded[0].simulation.replications)
    check_out(out_dir)
    for sc in loaded:
        check_size(sc, replications or loaded[0].simulation.replications, volume_scale)
    with (
        executing(executor, workers, address),
        playing(engine, loaded),
        library_errors("cannot compare"),
        progress_bar(runs, quiet, "Simulating") as tick,
    ):
        result = _compared(
            loaded, scenarios, edits, method, volume_scale, (replications, seed, workers, tick)
        )
    if out_dir is not None:
        from ..report.pages import write_compare, write_plan_comparison

        read = [f for path, sc in zip(scenarios, loaded) for f in inputs_of(path, sc, forecast)]
        with output_dir(out_dir, force, inputs=read) as folder:
            if isinstance(result, PlanComparison):
                write_plan_comparison(result, folder)
            else:
                write_compare(result, folder)
    if as_json:
        from ..report.json import to_dict

        print_json(to_dict(result))
        return
    from ..report import terminal

    if isinstance(result, PlanComparison):
        out.print(terminal.plan_comparison_table(result, out.width))
    else:
        for table in terminal.scenarios_tables(result, out.width):
            out.print(table)
    for note in result.notes:
        out.print(f"[dim]note: {note}[/]", highlight=False)


def what_if_edits(texts: list[str], files: int, method: str | None) -> list[dict[str, float]]:
    """The --what-if edits, or exit 2: one scenario only, no --method (no formula is
    compared), each edit known and in range."""
    from ..planner.edits import parse_what_if

    if not texts:
        return []
    problems = []
    if files != 1:
        problems.append(
            f"--what-if: give one scenario (it is compared with its edited copies), not {files}"
        )
    if method is not None:
        problems.append("--method: compares a formula with one scenario, not with --what-if")
    edits = []
    for text in texts:
        try:
            edits.append(parse_what_if(text))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        fail(problems, "invalid option")
    return edits


def _compared(
    loaded: list["Scenario"],
    paths: list[Path],
    edits: list[dict[str, float]],
    method: str | None,
    volume_scale: float,
    how: tuple,
) -> "PlanComparison | ScenarioComparison":
    """The comparison the arguments ask for: a formula vs one scenario, a scenario vs
    its what-ifs, or several scenarios side by side; `how`: (replications, seed,
    workers, progress)."""
    from ..planner.compare import compare_plan, compare_scenarios, compare_what_ifs

    if edits:
        return compare_what_ifs(loaded[0], edits, str(paths[0]), volume_scale, *how)
    if len(loaded) == 1:
        return compare_plan(loaded[0], method, volume_scale, *how)
    return compare_scenarios(loaded, [str(p) for p in paths], volume_scale, *how)
