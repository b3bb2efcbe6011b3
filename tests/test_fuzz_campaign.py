"""The bad-input campaign (tests/fuzz_campaign.py) in the suite: a seeded few dozen of
its cases in process, and each failure it found, as the exact case.

The promise checked (docs/reference/cli.md): exit 0 or 2, never a traceback, a
refusal naming the field, option, or row and column; no hang; no file given changed.
`CALLSIM_FUZZ_CASES=400` runs that many cases here; `python tests/fuzz_campaign.py
--cases 400` runs them as subprocesses of .venv/bin/callsim.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fuzz_campaign import (
    FIFO,
    ROOT,
    Case,
    cases,
    forecast_case,
    forecast_path_case,
    huge_case,
    option_case,
    run_inside,
    scenario_case,
    target_case,
)

CASES = int(os.environ.get("CALLSIM_FUZZ_CASES", "30"))
QUICK = [scenario_case, forecast_case, forecast_path_case, option_case, target_case, huge_case]
BANK = ROOT / "data" / "anonymous_bank" / "october_1999.txt"


def outcome(case: Case, tmp_path: Path):
    """The case run in process, its promise kept; the time cap is 10 minutes here (a
    hang still fails), since a loaded machine and the fast engine's first compile can
    take minutes."""
    case.timeout = max(case.timeout, 600)
    result = run_inside(case, tmp_path / "case")
    assert not result.problems, (case.title, result.problems, result.stderr[-2000:])
    return result


def test_seeded_campaign_keeps_the_promise(tmp_path):
    """Seed 11's cases: every one keeps the promise, and both sides are exercised
    (refusals and accepted inputs), so the test would see a check that refuses all."""
    codes = [outcome(case, tmp_path).code for case in cases(11, CASES, QUICK)]
    assert len(codes) == CASES
    assert codes.count(2) >= CASES // 3 and codes.count(0) >= 2, codes


def test_calibrate_log_without_a_priority_choice(tmp_path):
    """Found by the campaign (seed 2, case 1): a log whose high-priority callers never
    waited beside others gives no choice to explain; the report said
    `TypeError: unsupported format string passed to NoneType` (exit 1). Now the
    head start is written with that said."""
    log = b"\n".join(BANK.read_bytes().split(b"\n")[:1102]) + b"\n"
    case = Case("first 1101 calls", ["calibrate", "log.txt", "--out", "c.yaml"], {"log.txt": log})
    result = outcome(case, tmp_path)
    assert result.code == 0
    page = (tmp_path / "case" / "c_calibration" / "calibration.html").read_text()
    assert "head start, s</td><td class=num>0 (no choice seen to explain)" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["staff", "s.yaml", "--method", "Billing"], "--method: must be one of"),
        (
            ["staff", "s.yaml", "--busyness-cv", "0.1", "--days-meeting", "1e9"],
            "--days-meeting: must be a share",
        ),
        (  # seed 3, case 3
            ["staff", "s.yaml", "--busyness-cv", "inf"],
            "--busyness-cv: must be a coefficient of variation > 0, e.g. 0.1 (not inf)",
        ),
    ],
)
def test_options_named_as_typed(args, message, tmp_path):
    """Found by the campaign (seed 1, cases 8 and 15; seed 3, case 3): the refusal
    named the library's parameter (`method:`, `days_meeting:`, `busyness_cv:`), not
    the option the user typed."""
    files = {"s.yaml": (ROOT / "scenarios" / "single_queue.yaml").read_bytes()}
    result = outcome(Case(" ".join(args), args, files, (message,)), tmp_path)
    assert result.code == 2 and message in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--address", "http://x:1"], "--address http://x:1: not a Dask scheduler address"),
        (["--address", "tcp://"], "--address tcp://: not a Dask scheduler address"),
        (["--executor", "threads"], "--executor: must be one of serial, processes, dask"),
    ],
)
def test_dask_addresses_dask_cannot_parse(args, message, tmp_path):
    """Found by the campaign (seed 2, case 16): `--address http://x:1` was refused as
    `--unknown address scheme 'http'` (the option's name glued to dask's words)."""
    files = {"s.yaml": (ROOT / "scenarios" / "single_queue.yaml").read_bytes()}
    case = Case(" ".join(args), ["run", "s.yaml", "-r", "2", "-q", *args], files, (message,))
    result = outcome(case, tmp_path)
    assert result.code == 2 and message in result.stderr


def test_a_run_of_billions_of_calls_is_refused_not_left_running(tmp_path):
    """Found by the campaign (seed 2, case 21): 100,000 calls in each of 4 intervals
    over -r 10000 days fits in memory (one day at a time) but is 4 x 10^9 calls: it
    ran past the 60 s cap (hours). Refused now, with the figures; 10^8 is allowed."""
    text = (ROOT / "scenarios" / "single_queue.yaml").read_text()
    text = text.replace("[100, 100, 100, 100]", "[100000, 100000, 100000, 100000]")
    args = ["run", "s.yaml", "-q", "-r", "10000"]
    case = Case("4 x 10^9 calls", args, {"s.yaml": text.encode()}, ("--replications",))
    result = outcome(case, tmp_path)
    assert result.code == 2
    assert (
        "--replications: this run would simulate about 4,000,000,000 calls (400,000 a day "
        "× 10,000 days), more than the 100,000,000 callsim simulates in one run"
    ) in result.stderr
    from simulator.model import limits

    assert limits.too_long(limits.run_size(400_000, 250), "x") == []  # 10^8 exactly


def test_calibrate_service_level_not_finite(tmp_path):
    """Found by the campaign (seed 2, case 72): `--service-level nan/0.8` was refused
    as `service_level.seconds: must be a finite number`, a field the user never wrote."""
    args = ["calibrate", "log.txt", "--out", "c.yaml", "--service-level", "nan/0.8"]
    case = Case("nan/0.8", args, {"log.txt": BANK.read_bytes()[:1000]}, ("--service-level",))
    result = outcome(case, tmp_path)
    assert result.code == 2
    assert "--service-level: seconds > 0 and a target in (0, 1], e.g. 20/0.80, got 'nan/0.8'" in (
        result.stderr
    )
    assert not (tmp_path / "case" / "c.yaml").exists()


def test_days_meeting_without_a_spread(tmp_path):
    """Found by the campaign (seed 2, case 112): `staff --days-meeting 0.999` on a file
    without arrivals.busyness_cv said `days_meeting: needs busyness_cv`."""
    files = {"s.yaml": (ROOT / "scenarios" / "single_queue.yaml").read_bytes()}
    message = "--days-meeting: needs the days' spread: --busyness-cv CV"
    case = Case("no spread", ["staff", "s.yaml", "--days-meeting", "0.999"], files, (message,))
    assert outcome(case, tmp_path).code == 2


def _week_forecast(edit) -> Case:
    rows = (ROOT / "scenarios" / "week_forecast.csv").read_text().splitlines()
    files = {
        "week.yaml": (ROOT / "scenarios" / "week.yaml").read_bytes(),
        "f.csv": ("\n".join(edit(rows)) + "\n").encode(),
    }
    return Case(
        "week forecast", ["validate", "week.yaml", "--forecast", "f.csv"], files, ("f.csv",)
    )


def test_forecast_with_only_a_header_is_refused(tmp_path):
    """Found by the campaign (seed 1, case 3): a forecast file of its header alone was
    taken as a forecast of no queue: the file's own volumes were used, silently."""
    result = outcome(_week_forecast(lambda rows: rows[:1]), tmp_path)
    assert result.code == 2
    assert "f.csv: no rows below the header (a forecast gives calls)" in result.stderr


def test_forecast_cells_past_the_limits_name_the_row(tmp_path):
    """Found while reading the campaign's refusals: calls 1e9 in a forecast row was
    refused as `queues.billing.volumes.0: 1,000,000,000 calls` (a field of no file the
    user wrote), and an AHT of 1e9 s was accepted (a handle-time mean past 10^7 s is
    refused everywhere else)."""

    def edit(rows):
        rows[1] = rows[1].replace(",31,154", ",1e9,154")
        rows[2] = rows[2].replace(",20,269", ",20,1e9")
        return rows

    result = outcome(_week_forecast(edit), tmp_path)
    assert result.code == 2
    assert "f.csv: row 2, column calls: 1e9: more than 100,000 calls in one interval" in (
        result.stderr
    )
    assert "f.csv: row 3, column aht: 1e9: more than 10,000,000 seconds" in result.stderr
    assert "volumes" not in result.stderr


def test_workers_beyond_the_days_are_not_counted(tmp_path, monkeypatch):
    """Found by the campaign (seed 2, case 207): `run -r 2 --workers 10001` was refused
    for 1,465 GiB of memory "(400 calls a day × 2 days)": 10,001 processes counted, when
    a pool starts no more than its 2 days; and a refusal for workers did not say so."""
    from simulator.model import limits

    assert limits.run_size(400, 2, workers=10001) == limits.run_size(400, 2, workers=2)
    monkeypatch.setenv(limits.MEMORY_ENV, "1000")  # 1,000 MB: 8 processes of 150 MB do not fit
    files = {"s.yaml": (ROOT / "scenarios" / "single_queue.yaml").read_bytes()}
    case = Case(
        "workers", ["run", "s.yaml", "-r", "8", "--workers", "8", "-q"], files, ("--workers",)
    )
    result = outcome(case, tmp_path)
    assert result.code == 2
    assert "(400 calls a day × 8 days, 8 worker processes at once)" in result.stderr
    assert "use fewer --workers, replications or smaller volumes" in result.stderr


def test_out_never_replaces_an_input_even_with_force(tmp_path):
    """Found while extending the campaign (collide_case): `run week.yaml --forecast
    days.csv --out . --force` replaced the forecast file by the run's days.csv: the
    user's forecast was lost. An input is never replaced now, and nothing is written."""
    files = {
        "week.yaml": (ROOT / "scenarios" / "week.yaml").read_bytes(),
        "days.csv": (ROOT / "scenarios" / "week_forecast.csv").read_bytes(),
    }
    args = ["run", "week.yaml", "--forecast", "days.csv", "-r", "2", "-q", "--out", ".", "--force"]
    result = outcome(Case("days.csv", args, files, ("days.csv",)), tmp_path)
    assert result.code == 2
    assert "days.csv: an input of this command; callsim never replaces it, even with --force" in (
        result.stderr
    )
    assert sorted(p.name for p in (tmp_path / "case").iterdir()) == ["days.csv", "week.yaml"]


def test_write_never_replaces_the_forecast_even_with_force(tmp_path):
    """Found the same way: `staff --shifts --forecast f.csv --write f.csv --force`
    wrote the planned scenario over the forecast it was planned from."""
    import yaml

    text = (ROOT / "scenarios" / "peak_day.yaml").read_text()
    data = yaml.safe_load(text)
    start = int(data["open"][:2]) * 60 + int(data["open"][3:])
    rows = ["interval,queue,calls"] + [
        f"{(start + i * data['interval_minutes']) // 60:02d}:"
        f"{(start + i * data['interval_minutes']) % 60:02d},{name},{v}"
        for name, q in data["queues"].items()
        for i, v in enumerate(q["volumes"])
    ]
    for q in data["queues"].values():
        del q["volumes"]
    files = {
        "day.yaml": yaml.safe_dump({**data, "forecast": "f.csv"}).encode(),
        "f.csv": ("\n".join(rows) + "\n").encode(),
    }
    args = ["staff", "day.yaml", "--shifts", "--write", "f.csv", "--force", "-q"]
    message = "--write: f.csv is the scenario's forecast file, an input (never replaced)"
    assert outcome(Case("f.csv", args, files, (message,)), tmp_path).code == 2


def test_a_folder_given_as_the_log(tmp_path):
    """Found while reading the campaign's refusals: `calibrate folder` (or `backtest
    folder s.yaml`) said `folder: no such file`; it is a directory."""
    args = ["calibrate", "log.txt", "--out", "c.yaml"]
    result = outcome(Case("folder", args, {"log.txt": None}, ("log.txt",)), tmp_path)
    assert result.code == 2 and "log.txt: a directory, not a log file" in result.stderr


@pytest.mark.parametrize("option", ["--write", "--out"])
def test_force_never_replaces_a_device_or_a_pipe(option, tmp_path):
    """Found by the campaign, the hard way: `staff --shifts --write /dev/null --force`
    (and `calibrate --out /dev/null --force`), run as root, replaced the machine's
    /dev/null with a plain file. A named pipe stands in for the device here (it would
    also have hung the check of whether callsim wrote it, which reads it)."""
    files = {"day.yaml": (ROOT / "scenarios" / "peak_day.yaml").read_bytes()}
    if option == "--write":
        files["fifo.yaml"], target, pipe = FIFO, "fifo.yaml", "fifo.yaml"
    else:
        files["out"], target, pipe = None, "out", "out/plan_intervals.csv"
        files[pipe] = FIFO
    args = ["staff", "day.yaml", "--shifts", option, target, "--force", "-q"]
    result = outcome(Case("a pipe", args, files, ("never replaces one",)), tmp_path)
    assert result.code == 2
    assert "a device, pipe or socket, not a file: callsim never replaces one" in result.stderr
    assert (tmp_path / "case" / pipe).is_fifo()
