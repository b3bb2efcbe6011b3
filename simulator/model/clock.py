"""Clock times of the day: "HH:MM" strings and minutes after midnight."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def check_clock(value: str) -> str:
    if not _CLOCK.match(value):
        raise ValueError('must be a clock time HH:MM, e.g. "08:00"')
    return value


def clock_minutes(value: str) -> int:
    """Minutes after midnight of a validated "HH:MM"."""
    h, m = map(int, value.split(":"))
    return h * 60 + m


def clock(minutes: int) -> str:
    """ "HH:MM" of a number of minutes after midnight (wraps past midnight)."""
    return f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}"
