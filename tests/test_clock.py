"""Clock times of the day (simulator.model.clock): "HH:MM" in ASCII digits only."""

import pytest

from simulator.model.clock import check_clock, clock, clock_minutes


@pytest.mark.parametrize("value", ["00:00", "08:30", "19:59", "23:59"])
def test_a_clock_time_passes_as_given_and_reads_as_its_minutes(value):
    assert check_clock(value) == value
    h, m = value.split(":")
    assert clock_minutes(value) == 60 * int(h) + int(m)
    assert clock(clock_minutes(value)) == value


@pytest.mark.parametrize(
    "value",
    [
        "1２:00",  # a full-width digit where `\d` stood: passed, and int() read 12:00
        "08:0０",  # passed as 08:00
        "１２:00",
        "12:００",
        "٠٨:٠٠",  # Arabic-Indic
        "０８:３０",
        "08:00\n",  # `$` matched before a final newline
        " 08:00",
        "8:00",
        "24:00",
        "12:60",
        "",
    ],
)
def test_anything_but_an_ascii_hh_mm_is_refused(value):
    with pytest.raises(ValueError) as caught:
        check_clock(value)
    assert str(caught.value) == 'must be a clock time HH:MM, e.g. "08:00"'
