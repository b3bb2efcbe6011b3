"""The option and argument types the commands share (typer `Annotated` aliases), with
their checks: engine, executor address, volume and handle-time factors, replications."""

from pathlib import Path
from typing import Annotated

import typer

from ..model.limits import MAX_REPLICATIONS
from .common import fail, given_path

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
