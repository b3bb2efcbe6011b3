"""The sixth session's bad-input campaign (tests/fuzz_wide.py) in the suite: a seeded
few of its cases, and every defect it found as the exact case, each of which failed
before its fix (a traceback, a warning printed, a wrong refusal or a wrong number).

The promise (docs/reference/cli.md): exit 0 with a sane answer, or exit 2 naming the
field, option, or the file's row and column; never a traceback, a hang, or a file
given changed. `CALLSIM_FUZZ_CASES=300` runs that many seeded cases here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from fuzz_campaign import ROOT, Case
from fuzz_wide import cases, combo_case, log_case, run, spelling_case, text_case

SINGLE = (ROOT / "scenarios" / "single_queue.yaml").read_bytes()
BANK = ROOT / "data" / "anonymous_bank" / "october_1999.txt"
CASES = int(os.environ.get("CALLSIM_FUZZ_CASES", "24"))
SCHEMA = "day,arrival,queue,priority,outcome,wait,talk,hold,acw"


def outcome(args: list[str], files: dict[str, bytes], tmp_path: Path, codes=(0, 2)):
    """The command run in process on `files`, the campaign's promise kept (10 minutes
    for a hang: a loaded machine and a first compile take minutes)."""
    case = Case(" ".join(args), args, files, ("",), codes, timeout=600)
    result = run(case, tmp_path / "case")
    problems = [p for p in result.problems if "names none" not in p]  # each test says
    assert "Warning" not in result.stderr
    assert not problems, (problems, result.stderr[-2000:])
    return result


def bank(day: str = "991001", keep=lambda row: True) -> tuple[bytes, list[bytes]]:
    """The header and the rows of one day of the bank's log that `keep` keeps."""
    lines = BANK.read_bytes().split(b"\n")
    rows = [r for r in lines[1:] if f"\t{day}\t".encode() in r and keep(r)]
    return lines[0], rows


def log_bytes(head: bytes, rows: list[bytes]) -> bytes:
    return b"\n".join([head, *rows]) + b"\n"


def schema_csv(rows: list[str]) -> bytes:
    return ("\n".join([SCHEMA, *rows]) + "\n").encode()


def schema_rows(n: int = 300, days: int = 2) -> list[str]:
    """n calls over `days` days from 08:00, every fifth abandoned; talk 100-299 s."""
    return [
        f"2024-01-{1 + i % days:02d},{28800 + 37 * i},q,0,"
        + ("abandoned" if i % 5 == 0 else "answered")
        + f",{i % 40},{'' if i % 5 == 0 else 100 + i % 200},0,10"
        for i in range(n)
    ]


def test_seeded_wide_campaign_keeps_the_promise(tmp_path):
    """Seed 6's cases (spellings, damaged texts, logs, option combinations): each
    keeps the promise and, accepted, gives a sane JSON answer; both sides occur."""
    pool = [spelling_case, text_case, log_case, combo_case]
    codes = []
    for case in cases(6, CASES, pool):
        case.timeout = 600
        result = run(case, tmp_path / "case")
        assert not result.problems, (case.title, result.problems, result.stderr[-1500:])
        codes.append(result.code)
    assert codes.count(2) >= CASES // 5 and codes.count(0) >= CASES // 5, codes


def test_yaml_error_on_the_last_line(tmp_path):
    """A YAML error found at the end of the file (the line after its last): the
    message's line lookup ran one past the end (IndexError, a traceback). Now the
    line and column; the last line of text is 18."""
    text = SINGLE + b"\n!!python/object:os.system {}\n"
    result = outcome(["validate", "s.yaml"], {"s.yaml": text}, tmp_path)
    assert result.code == 2
    assert "s.yaml: not valid YAML (line 19, column 1): could not find expected ':'" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("rows", "what"),
    [
        ("abandoned", "a day where nobody was answered"),
        ("one", "one call, before the center opens"),
        ("zero", "answered calls whose service time is 0 s"),
    ],
)
def test_calibrate_with_no_handle_time_to_estimate(rows, what, tmp_path):
    """No answered call with a handle time in the open hours: numpy's quantile of an
    empty array (IndexError) or a division by a zero mean (ZeroDivisionError) was a
    traceback. Now refused, saying why."""
    head, day = bank()
    chosen = {
        "abandoned": [r for r in day if b"\tHANG\t" in r],
        "one": day[:1],  # 0:24:58, hung up in the VRU
        "zero": [b"\t".join([*r.split(b"\t")[:15], b"0", r.split(b"\t")[16]]) for r in day],
    }[rows]
    args = ["calibrate", "log.txt", "--out", "c.yaml"]
    result = outcome(args, {"log.txt": log_bytes(head, chosen)}, tmp_path)
    assert result.code == 2, what
    assert "no answered call with a handle time above 0 s in the open hours" in result.stderr
    assert not (tmp_path / "case" / "c.yaml").exists()


def test_bank_dates_that_are_not_dates_are_left_out(tmp_path):
    """`991332` (month 13) passed the six-digit check and pandas' date parse raised
    (ValueError, a traceback). Now such rows are left out as unreadable and counted."""
    from simulator.calibrate.logs import read_log

    head, day = bank()
    bad = [r.replace(b"\t991001\t", b"\t991332\t") if i % 50 == 0 else r for i, r in enumerate(day)]
    (tmp_path / "log.txt").write_bytes(log_bytes(head, bad))
    log = read_log(tmp_path / "log.txt")
    assert log.quirks["malformed rows left out (unreadable after realigning)"] == len(bad[::50])
    assert [str(d)[:10] for d in log.days] == ["1999-10-01"]
    result = outcome(
        ["calibrate", "log.txt", "--out", "c.yaml"], {"log.txt": log_bytes(head, bad)}, tmp_path
    )
    assert result.code == 0


def test_a_bank_log_saved_with_a_bom_reads_as_the_bank_log(tmp_path):
    """Excel's UTF-8 BOM before the header: the format was not recognised and the log
    was refused as a schema CSV missing day, arrival, outcome and wait."""
    from simulator.calibrate.logs import read_log

    head, day = bank()
    (tmp_path / "plain.txt").write_bytes(log_bytes(head, day))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + log_bytes(head, day))
    plain, bom = read_log(tmp_path / "plain.txt"), read_log(tmp_path / "bom.txt")
    assert bom.format == "anonymous-bank"
    assert bom.calls.equals(plain.calls) and len(bom.calls) == len(plain.calls) > 400


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "wait",
            "x",
            "log.csv: wait: 1 rows not seconds from 0 to 172,800 (48 h) (first: row 5, 'x')",
        ),
        (
            "wait",
            "inf",
            "log.csv: wait: 1 rows not seconds from 0 to 172,800 (48 h) (first: row 5, inf)",
        ),
        (
            "wait",
            "1e300",
            "wait: 1 rows not seconds from 0 to 172,800 (48 h) (first: row 5, 1e+300)",
        ),
        (
            "talk",
            "x",
            "log.csv: talk: 1 rows not seconds from 0 to 172,800 (48 h) (first: row 5, 'x')",
        ),
        ("talk", "-50", "talk: 1 rows not seconds from 0 to 172,800 (48 h) (first: row 5, -50)"),
        ("acw", "-1", "acw: 1 rows not seconds from 0 to 172,800 (48 h) (first: row 5, -1)"),
        (
            "arrival",
            "1e12",
            "arrival: 1 rows not seconds from 0 to 172,800 (48 h) (first: row 5, 1e+12)",
        ),
        ("priority", "x", "log.csv: priority: 1 rows not whole numbers (first: row 5, 'x')"),
        ("priority", "1.5", "log.csv: priority: 1 rows not whole numbers (first: row 5, 1.5)"),
        ("priority", "99999999999999999999", "priority: 1 rows not whole numbers (first: row 5,"),
    ],
)
def test_schema_columns_of_the_wrong_type_are_named_with_their_row(
    column, value, message, tmp_path
):
    """A text, infinite, negative or absurd number in a column of seconds (or a
    priority that is not a whole number) was a traceback from pandas, scipy or
    lifelines (TypeError, ValueError, OverflowError, ConvergenceError), or a talk of
    -50 s became a scenario refused as `s.calls.handle_time.values.14: must be >= 0`.
    Now the column, the count and the first row as a spreadsheet numbers it."""
    rows = schema_rows()
    cells = rows[3].split(",")
    cells[SCHEMA.split(",").index(column)] = value
    rows[3] = ",".join(cells)  # row 5 of the file: the header is row 1
    result = outcome(
        ["calibrate", "log.csv", "--out", "c.yaml"], {"log.csv": schema_csv(rows)}, tmp_path
    )
    assert result.code == 2
    assert message in result.stderr


def test_arrival_seconds_without_a_day_column(tmp_path):
    """Arrivals in seconds and no day column were read as timestamps (nanoseconds
    after 1970: every call at 00:00:00 of 1 January 1970) and calibrated quietly."""
    rows = [",".join(r.split(",")[1:]) for r in schema_rows()]
    text = ("\n".join([SCHEMA.split(",", 1)[1], *rows]) + "\n").encode()
    result = outcome(["calibrate", "log.csv", "--out", "c.yaml"], {"log.csv": text}, tmp_path)
    assert result.code == 2
    assert "log.csv: no column 'day' (required when arrival is in seconds" in result.stderr


def test_columns_mapped_onto_a_column_the_file_has(tmp_path):
    """`--columns arrival=day` on a file with an arrival column made two columns
    named arrival (pandas: `cannot assemble with duplicate keys`, a traceback)."""
    args = ["calibrate", "log.csv", "--out", "c.yaml", "--columns", "arrival=day"]
    result = outcome(args, {"log.csv": schema_csv(schema_rows())}, tmp_path)
    assert result.code == 2
    assert "--columns: arrival=day: log.csv has a column 'arrival' too" in result.stderr


def test_handle_times_all_alike_and_waits_all_alike(tmp_path):
    """Every talk 100 s: scipy's lognormal fit failed on a sample with no spread
    (brentq: NaN, a traceback); every wait 10 s, half abandoned: lifelines' Weibull
    fit did not converge (ConvergenceError). Now a shape that cannot be fitted is left
    out of the choice: the handle time is the empirical 110 s (talk + acw), the
    patience a shape that fits."""
    rows = [
        f"2024-01-0{1 + i % 2},{28800 + 37 * i},q,0,{'abandoned' if i % 2 else 'answered'},10,"
        + ("" if i % 2 else "100,0,10")
        + (",," if i % 2 else "")
        for i in range(400)
    ]
    result = outcome(
        ["calibrate", "log.csv", "--out", "c.yaml", "--json"],
        {"log.csv": schema_csv(rows)},
        tmp_path,
    )
    assert result.code == 0
    import yaml

    scenario = yaml.safe_load((tmp_path / "case" / "c.yaml").read_text())
    handle = scenario["queues"]["calls"]["handle_time"]
    assert handle["distribution"] == "empirical" and set(handle["values"]) == {110.0}
    assert scenario["queues"]["calls"]["patience"]["distribution"] in (
        "exponential",
        "lognormal",
        "gamma",
    )


def test_a_day_given_as_text_is_left_out_without_a_warning(tmp_path):
    """`yesterday` in the day column's first row: pandas printed `UserWarning: Could
    not infer format` on the terminal. The row is still left out and counted, quietly."""
    rows = schema_rows()
    rows[0] = "yesterday," + rows[0].split(",", 1)[1]
    result = outcome(
        ["calibrate", "log.csv", "--out", "c.yaml"], {"log.csv": schema_csv(rows)}, tmp_path
    )
    assert result.code == 0 and "Warning" not in result.stderr
    assert "1  rows left out (no readable day or arrival)" in result.stdout


def test_backtest_of_a_log_with_no_readable_call(tmp_path):
    """Every row unreadable (a column of text): backtest indexed an empty day list
    with NaN (IndexError, a traceback). Now refused as calibrate refuses it."""
    head, day = bank()
    rows = [b"\t".join([*r.split(b"\t")[:14], b"1.5", *r.split(b"\t")[15:]]) for r in day]
    files = {"log.txt": log_bytes(head, rows), "s.yaml": SINGLE}
    result = outcome(["backtest", "log.txt", "s.yaml", "-r", "2"], files, tmp_path)
    assert result.code == 2
    assert "log.txt: no calls offered to agents on the days chosen" in result.stderr


def test_backtest_of_one_day_prints_no_warning_and_keeps_cis_in_range(tmp_path):
    """One observed day: numpy printed `Degrees of freedom <= 0` and `Mean of empty
    slice` (the noise floor needs two days), and the simulated CIs were not clipped
    as `run`'s are: a service level's CI reached 120% and the ASA's fell to -7 s."""
    head, day = bank()
    files = {"log.txt": log_bytes(head, day), "s.yaml": SINGLE}
    result = outcome(["backtest", "log.txt", "s.yaml", "-r", "2", "--json"], files, tmp_path)
    assert result.code == 0 and "Warning" not in result.stderr
    answer = json.loads(result.stdout)
    assert answer["noise_floor"]["service_level"] is None
    sl = answer["day"]["service_level"]["simulated"]["ci95"]
    asa = answer["day"]["asa"]["simulated"]["ci95"]
    assert 0 <= sl[0] <= sl[1] <= 1 and asa[0] >= 0
    assert sl[1] == 1.0 and asa[0] == 0.0  # the 2-day t-interval reaches past both


def test_calibrate_of_one_day_prints_no_warning(tmp_path):
    """A log of one day: numpy's `Degrees of freedom <= 0` (the dispersion over days)
    and, with no abandoned call, matplotlib's `No artists with labels found to put in
    legend` were printed on the terminal."""
    head, day = bank(keep=lambda r: b"\tAGENT\t" in r)
    result = outcome(
        ["calibrate", "log.txt", "--out", "c.yaml"], {"log.txt": log_bytes(head, day)}, tmp_path
    )
    assert result.code == 0 and "Warning" not in result.stderr
    assert (tmp_path / "case" / "c_calibration" / "calibration.html").exists()


def test_confidence_clipping_is_what_backtest_uses():
    """The backtest's CIs are kpi.stats.confidence's, clipped by the KPI's range:
    two days of 1.0 and 0.5 give [0, 1], not the t-interval's [-2.43, 3.93]."""
    from simulator.kpi.stats import confidence

    raw = confidence(np.array([1.0, 0.5]))
    clipped = confidence(np.array([1.0, 0.5]), kpi="service_level")
    assert raw.low < -2 and raw.high > 3.9
    assert (float(clipped.low), float(clipped.high)) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("spelled", "seconds"), [("1.8e2", 180.0), ("18e1", 180.0), ("1.8E+2", 180.0)]
)
def test_numbers_in_exponent_notation_are_numbers(spelled, seconds, tmp_path):
    """YAML 1.1 reads 1.8e2 (no signed exponent) and 18e1 (no dot) as text (1.8E+2, its
    own spelling, is the control): they were
    refused as `must be a number, not text ("1.8e2"): remove the quotes`, quotes the
    user never wrote. They are numbers, as in YAML 1.2, JSON and the editors' schema;
    `staff --write` keeps them numbers in the copy it writes."""
    from simulator.model.load import load_scenario

    text = SINGLE.replace(b"mean: 180}", f"mean: {spelled}}}".encode())
    (tmp_path / "s.yaml").write_bytes(text)
    assert load_scenario(tmp_path / "s.yaml").queues["general"].handle_time.mean == seconds
    result = outcome(["staff", "s.yaml", "-q", "--write", "w.yaml"], {"s.yaml": text}, tmp_path)
    assert result.code == 0
    assert load_scenario(tmp_path / "case" / "w.yaml").queues["general"].handle_time.mean == seconds


@pytest.mark.parametrize(("spelled", "meant"), [("017", 17), ("08", 8), ("+0_12", 12)])
def test_a_leading_zero_is_refused_not_read_as_octal(spelled, meant, tmp_path):
    """`staffing: [017, ...]` was 15 agents (YAML 1.1's octal), quietly; `08` was text,
    refused as `remove the quotes`. Both are refused with the line and column, and
    the number to write."""
    text = SINGLE.replace(b"staffing: [14,", f"staffing: [{spelled},".encode())
    result = outcome(["validate", "s.yaml"], {"s.yaml": text}, tmp_path)
    assert result.code == 2
    assert f"s.yaml: a number to write again (line 15, column 16): {spelled}: a number with a " in (
        result.stderr
    )
    assert f"write {meant}" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "s.yaml", "-r", "2", "-q", "--workers", str(2**64)], "'--workers'"),
        (["staff", "s.yaml", "-q", "--fte-hours", "inf"], "'--fte-hours'"),
        (["staff", "s.yaml", "-q", "--fte-hours", "169"], "'--fte-hours'"),
    ],
)
def test_options_past_any_sense_are_refused(args, message, tmp_path):
    """`--workers 18446744073709551616` was a traceback (OverflowError in the process
    pool's semaphore); `--fte-hours inf` planned with every FTE 0.00 and '1 FTE = inf
    paid hours'. Now at most 1,024 workers and 168 hours (a week's)."""
    result = outcome(args, {"s.yaml": SINGLE}, tmp_path)
    assert result.code == 2 and message in result.stderr
    assert "less than or equal to" in result.stderr


def test_calibrate_report_folder_named_as_the_scenario_to_write(tmp_path):
    """`--report c.yaml --out c.yaml`: the log was read and calibrated, the report
    folder c.yaml written, then `--out failed: c.yaml: cannot write (Is a directory)`.
    Now refused before the log is read; nothing is written."""
    head, day = bank()
    args = ["calibrate", "log.txt", "--out", "c.yaml", "--report", "./c.yaml"]
    result = outcome(args, {"log.txt": log_bytes(head, day)}, tmp_path)
    assert result.code == 2
    assert "--report: ./c.yaml is the --out file; name another folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "case").iterdir()) == ["log.txt"]


def test_staff_write_and_out_naming_one_path(tmp_path):
    """`staff --write new.yaml --out new.yaml`: the plan's seven files were written
    into a folder new.yaml, then `--write refused: new.yaml: a directory`. Now
    refused before planning; nothing is written."""
    args = ["staff", "s.yaml", "-q", "--write", "new.yaml", "--out", "./new.yaml"]
    result = outcome(args, {"s.yaml": SINGLE}, tmp_path)
    assert result.code == 2
    assert "--write: new.yaml is the --out folder; name a file" in result.stderr
    assert sorted(p.name for p in (tmp_path / "case").iterdir()) == ["s.yaml"]


def test_erlang_a_of_a_denormal_load_is_the_idle_queue():
    """A volume of 1e-320 calls (a file may now write it so): Erlang A's sums
    overflowed (`RuntimeWarning: overflow encountered in divide`) and its service
    level was NaN. A load below 1e-200 Erlangs is the idle queue; just above, the
    formula gives the same figures to the last digit."""
    import warnings

    from simulator.erlang import erlang_a

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiny = erlang_a(1e-320, 1, 180.0, 120.0, 20.0)
        above = erlang_a(1e-199, 1, 180.0, 120.0, 20.0)
    assert (tiny.service_level, tiny.asa, tiny.abandon_rate, tiny.p_wait) == (1.0, 0.0, 0.0, 0.0)
    assert above.service_level == 1.0 and above.p_wait < 1e-198


def test_a_day_column_of_numbers_is_refused_not_read_as_1970(tmp_path):
    """A day column of numbers (20240101) was read as nanoseconds after 1970: every
    call on 1 January 1970, two days' calls summed into one, quietly. Refused now;
    a day of `inf` among dates is left out (it printed numpy's cast warning)."""
    rows = [r.replace("2024-01-0", "2024010", 1) for r in schema_rows()]
    result = outcome(
        ["calibrate", "log.csv", "--out", "c.yaml"], {"log.csv": schema_csv(rows)}, tmp_path
    )
    assert result.code == 2
    assert "log.csv: day: numbers, not dates (first: row 2, 20240101)" in result.stderr
    rows = schema_rows()
    rows[0] = "inf," + rows[0].split(",", 1)[1]
    result = outcome(
        ["calibrate", "log.csv", "--out", "c.yaml"], {"log.csv": schema_csv(rows)}, tmp_path
    )
    assert result.code == 0 and "1  rows left out (no readable day or arrival)" in result.stdout
