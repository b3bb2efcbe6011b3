"""callsim: the command line (typer + rich). It reads files and prints; the work is
done by the library (`simulator.simulate`, `simulator.staffing`), which knows
nothing of terminals.

Exit codes: 0 done; 2 the scenario or an option is invalid (one line per problem,
naming the field, on standard error).
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from . import format as fmt
from .runner import SimulationResult, simulate
from .scenario import Scenario, ScenarioError, load_scenario

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Call-center simulator and staffing planner.")
out = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def fail(problems: list[str], title: str) -> None:
    """Print problems to stderr and exit with code 2."""
    err.print(f"[bold red]callsim:[/] {title}", highlight=False)
    for p in problems:
        err.print(f"  {p}", highlight=False, markup=False)
    raise typer.Exit(2)


def load(path: Path) -> Scenario:
    """The validated scenario, or exit 2 with one message per problem."""
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        fail(exc.problems, f"{path} is not a valid scenario")


@contextmanager
def progress_bar(total: int, quiet: bool, label: str) -> Iterator:
    """A progress callback drawing a bar on stderr (only on a terminal, not --quiet)."""
    if quiet or not err.is_terminal:
        yield None
        return
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def run_scenario(sc: Scenario, replications: int | None, seed: int | None, workers: int,
                 quiet: bool) -> SimulationResult:
    """Simulate with a progress bar; bad option values exit 2."""
    total = replications or sc.simulation.replications
    try:
        with progress_bar(total, quiet, f"Simulating {sc.name}") as tick:
            return simulate(sc, replications, seed, workers, progress=tick)
    except ValueError as exc:
        fail([str(exc)], "invalid option")


def print_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")


@app.command()
def run(scenario: ScenarioArg,
        replications: Annotated[Optional[int], typer.Option(
            "--replications", "-r", min=2, help="Simulated days (default: the file's).")] = None,
        seed: Annotated[Optional[int], typer.Option(
            min=0, help="Random seed (default: the file's).")] = None,
        workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
        out_dir: Annotated[Optional[Path], typer.Option(
            "--out", help="Also write CSV files, plots and report.html here.")] = None,
        as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """Simulate a scenario: every KPI per interval and for the day, with 95% CIs."""
    sc = load(scenario)
    res = run_scenario(sc, replications, seed, workers, quiet)
    if out_dir is not None:
        from .report import write_run
        written = write_run(res, out_dir)
        if not as_json:
            err.print(f"Wrote {len(written)} files to {out_dir}", highlight=False)
    if as_json:
        print_json(res.to_dict())
        return
    out.print(summary_table(res))
    out.print(interval_table(res))


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario file without running it."""
    sc = load(scenario)
    out.print(f"[green]ok[/] {scenario}: {sc.name} — {len(sc.queues)} queue(s), "
              f"{len(sc.agents)} agent group(s), {sc.n_intervals} intervals of "
              f"{sc.interval_minutes} min from {sc.open}", highlight=False)


def summary_table(res: SimulationResult) -> Table:
    table = Table(title=f"{res.scenario.name}: the day ({res.replications} replications, "
                        f"seed {res.seed}, 95% CI)", title_justify="left")
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    for kpi, row in res.summary.iterrows():
        table.add_row(kpi, fmt.value(kpi, row["mean"]),
                      fmt.interval(kpi, row["ci95_low"], row["ci95_high"]))
    return table


INTERVAL_COLUMNS = ("offered", "service_level", "asa", "abandon_rate", "blocked_rate",
                    "occupancy", "agents")


def interval_table(res: SimulationResult) -> Table:
    table = Table(title="Per interval (mean ± 95% CI half-width)", title_justify="left")
    table.add_column("start")
    for kpi in INTERVAL_COLUMNS:
        table.add_column(fmt.LABELS[kpi], justify="right")
    wide = res.intervals.pivot(index="interval", columns="kpi")
    for i, start in enumerate(res.starts):
        cells = [fmt.with_half_width(k, wide["mean"][k][i], wide["ci95_low"][k][i],
                                     wide["ci95_high"][k][i]) for k in INTERVAL_COLUMNS]
        table.add_row(start, *cells)
    return table


def main() -> None:  # pragma: no cover - console entry point
    app()
