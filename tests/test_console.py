"""simulator.cli.console: a plain line written without rich is the very text rich would
have written (the stream is not a terminal), and anything rich might change goes to
rich."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from simulator.cli import console as cli_console
from simulator.cli.console import OUT_WIDTH, LazyConsole

LINES = [
    "[green]ok[/] scenarios/peak_day.yaml: Monday peak day — 1 queue(s), 1 agent group(s), "
    "24 intervals of 30 min from 08:00",
    "[bold red]callsim:[/] x.yaml is not a valid scenario",
    "[yellow]caution:[/] queues.sales: calls are offered at 08:00 with no agent",
    "[dim]note: 3 intervals[/]",
    "  queues.sales.volumes: has 7 intervals, the other queues have 8",
    "callsim 0.2.0.dev0",
    "name [b]bold[/b] here",  # markup of the user's
    "a [/b] stray closing tag",  # rich raises: it must still be rich that raises
    "escaped \\[green] tag",
    "emoji :smile: and :thumbs_up: codes",
    "two:colons:here",
    "tab\there",
    "carriage\rreturn",
    "bell\x07",
    "zero\u200bwidth",
    "non\u00a0breaking",
    "trailing space ",
    " leading space",
    "wide 日本語の名前 " * 10,
    "x" * OUT_WIDTH,
    "x" * (OUT_WIDTH + 1),
    "é" * (OUT_WIDTH // 2),
    "é" * OUT_WIDTH,
    "word " * 40,
    "",
]


class Pipe(io.StringIO):
    """A stream that is not a terminal (as a pipe or a file)."""

    def isatty(self) -> bool:
        return False


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def by_rich(text: str, markup: bool, stderr: bool) -> str:
    """What the consoles callsim made before (rich's, on a pipe) write for `text`."""
    if stderr:
        rich_console = Console(file=Pipe(), soft_wrap=True)
    else:
        rich_console = Console(file=Pipe(), width=OUT_WIDTH)
    try:
        rich_console.print(text, highlight=False, markup=markup)
    except Exception as exc:  # compared as the outcome
        return f"raised {type(exc).__name__}"
    return rich_console.file.getvalue()  # type: ignore[attr-defined]


def by_print_line(text: str, markup: bool, stderr: bool, monkeypatch) -> tuple[str, bool]:
    """(what print_line writes, whether rich was used)."""
    stream = Pipe()
    name = "stderr" if stderr else "stdout"
    monkeypatch.setattr(cli_console.sys, name, stream)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    if stderr:
        lazy = LazyConsole(lambda: Console(file=stream, soft_wrap=True), name, None)
    else:
        lazy = LazyConsole(lambda: Console(file=stream, width=OUT_WIDTH), name, OUT_WIDTH)
    try:
        lazy.print_line(text, markup=markup)
    except Exception as exc:
        return f"raised {type(exc).__name__}", lazy._console is not None
    return stream.getvalue(), lazy._console is not None


@pytest.mark.parametrize("stderr", [False, True], ids=["stdout", "stderr"])
@pytest.mark.parametrize("markup", [True, False], ids=["markup", "literal"])
@pytest.mark.parametrize("text", LINES)
def test_a_line_is_written_as_rich_writes_it(text, markup, stderr, monkeypatch):
    written, _ = by_print_line(text, markup, stderr, monkeypatch)
    assert written == by_rich(text, markup, stderr)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(list("ab :[]/\\\t\r\x07é日\u200b\u00a0") + ["[green]", "[/]", ":smile:"]),
        max_size=200,
    ).map("".join),
    markup=st.booleans(),
    stderr=st.booleans(),
)
def test_any_line_is_written_as_rich_writes_it(text, markup, stderr):
    with pytest.MonkeyPatch.context() as monkeypatch:
        written, _ = by_print_line(text, markup, stderr, monkeypatch)
    assert written == by_rich(text, markup, stderr)


def test_plain_lines_skip_rich_and_the_rest_use_it(monkeypatch):
    """The check above would pass with rich always used: the shipped messages are
    written without it, and markup, emoji and long lines with it."""
    assert by_print_line(LINES[0], True, False, monkeypatch) == (
        LINES[0].replace("[green]", "").replace("[/]", "") + "\n",
        False,
    )
    assert by_print_line(LINES[1], True, True, monkeypatch)[1] is False
    for text in ("name [b]bold[/b] here", "emoji :smile:", "x" * (OUT_WIDTH + 1)):
        assert by_print_line(text, True, False, monkeypatch)[1] is True


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "TTY_COMPATIBLE"])
def test_a_terminal_or_forced_colours_go_to_rich(variable, monkeypatch):
    screen = Terminal()
    monkeypatch.setattr(cli_console.sys, "stdout", screen)
    lazy = LazyConsole(lambda: Console(file=screen, force_terminal=True), "stdout", OUT_WIDTH)
    lazy.print_line("[green]ok[/] fine")
    assert lazy._console is not None and "\x1b[" in screen.getvalue()

    pipe = Pipe()
    monkeypatch.setattr(cli_console.sys, "stdout", pipe)
    monkeypatch.setenv(variable, "1")
    lazy = LazyConsole(lambda: Console(file=pipe), "stdout", OUT_WIDTH)
    lazy.print_line("[green]ok[/] fine")
    assert lazy._console is not None
