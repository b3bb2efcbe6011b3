"""Clock times of the day: "HH:MM" strings and minutes after midnight."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")  # ASCII digits: not "１２:00"


def check_clock(value: str) -> str:
    """`value` if it is a clock time "HH:MM" (00:00-23:59, ASCII digits, nothing before
    or after it), else ValueError."""
    if not _CLOCK.fullmatch(value):
        raise ValueError('must be a clock time HH:MM, e.g. "08:00"')
    return value


def clock_minutes(value: str) -> int:
    """Minutes after midnight of a validated "HH:MM"."""
    h, m = map(int, value.split(":"))
    return h * 60 + m


def clock(minutes: int) -> str:
    """ "HH:MM" of a number of minutes after midnight (wraps past midnight)."""
    return f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}"
