"""callsim: the command line (typer only): parse, call the library, print what the
report layer makes of the result (`simulator.report.terminal` tables, `.json` objects,
`.pages` files), exit. The library knows nothing of terminals.

Exit codes: 0 done; 2 the scenario or an option is invalid (one line per problem,
naming the field, on standard error). One module per family of commands.
"""

# Imported in the order `callsim --help` lists the commands.
from . import simulate  # noqa: I001
from . import plan
from . import compare
from . import logs
from .common import app

# `callsim --help` lists each command with its docstring's first paragraph; typer's
# rich mode keeps the docstring's line breaks there (mid-sentence at any width), so
# the list gets the paragraph as one line, rewrapped to the terminal.
for _command in app.registered_commands:
    if _command.short_help is None and _command.callback is not None:
        _doc = (_command.callback.__doc__ or "").split("\n\n")[0]
        _command.short_help = " ".join(_doc.split())

__all__ = ["app", "compare", "logs", "main", "plan", "simulate"]


def main() -> None:  # pragma: no cover - console entry point
    app()
