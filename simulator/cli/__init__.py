"""callsim: the command line (typer only): parse, call the library, print what the
report layer makes of the result (`simulator.report.terminal` tables, `.json` objects,
`.pages` files), exit. The library knows nothing of terminals.

Exit codes: 0 done; 2 the scenario or an option is invalid (one line per problem,
naming the field, on standard error). One module per family of commands.
"""

# Imported in the order `callsim --help` lists the commands.
from . import simulate  # noqa: I001
from . import plan
from . import logs
from .common import app

__all__ = ["app", "logs", "main", "plan", "simulate"]


def main() -> None:  # pragma: no cover - console entry point
    app()
