"""The two consoles every command prints to (rich's), made on first use, and the plain
lines they write without rich.

Importing rich costs about a tenth of `callsim validate` (its markup, emoji, styles and
console modules); `validate` and `--version` print one line of plain text. A
`LazyConsole` makes its `rich.console.Console` only when something needs it (a table, a
progress bar, a terminal), and `print_line` writes a line itself when rich would write
exactly those characters: the stream is not a terminal (so no colours), and the text
holds nothing rich would change (no markup but our own style tags, no `:emoji:` code,
no tab or control character, no backslash, short enough not to be wrapped).
tests/test_console.py compares the two on every kind of line.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console

# The style tags callsim's own messages use; any other "[" goes to rich.
_OUR_TAGS = re.compile(r"\[(?:/|green|yellow|dim|bold red)\]")
_EMOJI_CODE = re.compile(r":\S*:")  # a superset of what rich replaces (":smile:")


class LazyConsole:
    """A `rich.console.Console` made by `make` on first use; `stream` names the file it
    writes to (`sys.stdout` or `sys.stderr`, looked up at each print, as rich does);
    `width` is the width it wraps at when not on a terminal (None: never wraps, as a
    console with soft_wrap)."""

    def __init__(self, make: Callable[[], Console], stream: str, width: int | None) -> None:
        self._make = make
        self._console: Console | None = None
        self._stream = stream
        self._width = width

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = self._make()
        return self._console

    def __getattr__(self, name: str) -> Any:  # print, width, is_terminal, ...
        return getattr(self.console, name)

    def print_line(self, text: str, *, markup: bool = True) -> None:
        """`print(text, highlight=False, markup=markup)`, written without rich when that
        gives the same characters."""
        file: TextIO = getattr(sys, self._stream)
        plain = None if self._console is not None else _plain(text, markup, self._width)
        if plain is None or not _plain_stream(file):
            self.console.print(text, highlight=False, markup=markup)
        else:
            file.write(plain + "\n")
            file.flush()


def _plain(text: str, markup: bool, width: int | None) -> str | None:
    """What rich shows of `text` on a stream that is not a terminal, if it is sure to
    be the text with our style tags taken out; None where rich might change more."""
    plain = _without_our_tags(text) if markup else text
    if plain is None or (markup and "[" in plain) or "\\" in text or _EMOJI_CODE.search(plain):
        return None
    if not plain.isprintable():  # tabs, newlines, control and format characters
        return None
    if width is not None and len(plain) + sum(ord(c) > 127 for c in plain) > width:
        return None  # rich might wrap it (a character takes at most 2 cells)
    return plain


def _without_our_tags(text: str) -> str | None:
    """`text` without our style tags; None if a closing tag closes nothing (rich
    raises a MarkupError there)."""
    depth = 0
    for tag in _OUR_TAGS.findall(text):
        depth += -1 if tag == "[/]" else 1
        if depth < 0:
            return None
    return _OUR_TAGS.sub("", text)


def _plain_stream(file: TextIO) -> bool:
    """True where rich would write no colours or cursor codes to `file`: not a
    terminal, and nothing (FORCE_COLOR, TTY_COMPATIBLE, Jupyter, IDLE) makes rich
    think otherwise."""
    if "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return False
    if "IPython" in sys.modules or "idlelib" in sys.modules:
        return False
    isatty = getattr(file, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:  # a closed stream: let rich decide
        return False


def _stdout_console() -> Console:
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=OUT_WIDTH)


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


OUT_WIDTH = 160  # piped output: no 80-column wrap
out = LazyConsole(_stdout_console, "stdout", OUT_WIDTH)
err = LazyConsole(_stderr_console, "stderr", None)  # one line per problem, never wrapped
