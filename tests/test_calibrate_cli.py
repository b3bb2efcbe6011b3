"""calibrate and backtest write through the safe outputs (simulator.report.output):
nothing a user wrote is replaced without --force, the log itself never, and the report
and the scenario appear together or not at all. The scenario carries the engine's own
head-start field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from builders import exponential, queue, scenario
from typer.testing import CliRunner

from simulator import parse_scenario, simulate
from simulator.calibrate.calibration import calibrate
from simulator.calibrate.logs import read_log
from simulator.calibrate.simulated import log_from_result
from simulator.cli import app
from simulator.report.calibration import CALIBRATED

OCTOBER = Path(__file__).parent.parent / "data" / "anonymous_bank" / "october_1999.txt"
MINE = "my own notes\n"


def _known() -> dict:
    """Two hours of one queue: exponential handle time (200 s) and patience (240 s)."""
    q = queue([60, 90], exponential(200), exponential(240))
    return scenario({"calls": q}, {"team": {"skills": ["calls"], "staffing": [4, 5]}})


@pytest.fixture(scope="module")
def calls_csv(tmp_path_factory) -> Path:
    """Five simulated days (two hours, exponential patience) as a calls.csv log."""
    log = log_from_result(simulate(parse_scenario(_known()), 5, 3))
    path = tmp_path_factory.mktemp("log") / "calls.csv"
    log.calls.to_csv(path, index=False)
    return path


def _calibrate(log: Path, out: Path, *extra: str):
    return CliRunner().invoke(app, ["calibrate", str(log), "--out", str(out), *extra])


def test_calibrate_replaces_its_own_scenario_not_a_users(tmp_path, calls_csv):
    """A second run replaces what the first wrote; a file the user wrote at --out is
    refused (exit 2, unchanged, and no report written beside it) until --force."""
    out = tmp_path / "day.yaml"
    assert _calibrate(calls_csv, out).exit_code == 0
    assert out.read_text().startswith(CALIBRATED)
    assert _calibrate(calls_csv, out).exit_code == 0
    users = tmp_path / "users.yaml"
    users.write_text(MINE)
    refused = _calibrate(calls_csv, users)
    assert refused.exit_code == 2
    assert "not written by callsim" in refused.output and "--force" in refused.output
    assert users.read_text() == MINE
    assert not (tmp_path / "users_calibration" / "calibration.html").exists()
    forced = _calibrate(calls_csv, users, "--force")
    assert forced.exit_code == 0, forced.output
    assert parse_scenario(yaml.safe_load(users.read_text())).queues


def test_calibrate_never_writes_over_the_log(tmp_path, calls_csv):
    """--out naming the log itself (here through a hard link) is refused even with --force."""
    log = tmp_path / "log.csv"
    log.hardlink_to(calls_csv)
    before = calls_csv.read_bytes()
    result = _calibrate(calls_csv, log, "--force")
    assert result.exit_code == 2
    assert calls_csv.read_bytes() == before


def test_calibrate_refuses_its_out_before_reading_the_log(tmp_path, calls_csv, monkeypatch):
    """--out is checked before the log is read and calibrated (40 s for October at this
    machine's load, then the refusal), with the messages the write gives; the log
    itself by another path is named the call log (it said "the scenario")."""
    import simulator.cli.logs

    def never(*args, **kwargs):
        raise AssertionError("read the log before checking --out")

    monkeypatch.setattr(simulator.cli.logs, "read_call_log", never)
    monkeypatch.chdir(tmp_path)
    Path("users.yaml").write_text(MINE)
    Path("a_folder").mkdir()
    Path("log.csv").hardlink_to(calls_csv)
    cases = {
        "users.yaml": "--out refused\n  users.yaml: not written by callsim; --force replaces it",
        "a_folder": "--out refused\n  a_folder: a directory; name a file",
        "no_folder/x.yaml": "--out failed\n  no_folder/x.yaml: cannot write (No such file or "
        "directory)",
        "log.csv": "--out refused\n  --out: log.csv is the call log itself (by another path or "
        "a hard link)",
    }
    for target, message in cases.items():
        res = _calibrate(calls_csv, Path(target))
        assert (res.exit_code, res.stderr) == (2, f"callsim: {message}\n"), target
    assert Path("users.yaml").read_text() == MINE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_folder", "log.csv", "users.yaml"]


@pytest.mark.parametrize("command", ["calibrate", "backtest"])
@pytest.mark.parametrize("minutes", ["7", "0", "-15", "90"])
def test_interval_minutes_is_checked_before_the_log_is_read(
    command, minutes, tmp_path, calls_csv, monkeypatch
):
    """--interval-minutes 7 was refused only once the log was read (minutes for a big
    one): now first, exit 2 naming the option, and the log not read at all."""
    import simulator.cli.logs

    def never(*args, **kwargs):
        raise AssertionError("read the log before checking --interval-minutes")

    monkeypatch.setattr(simulator.cli.logs, "read_call_log", never)
    if command == "calibrate":
        args = ["calibrate", str(calls_csv), "--out", str(tmp_path / "s.yaml")]
        message = f"--interval-minutes: must be 15, 30 or 60 (got {minutes})"
    else:
        args = ["backtest", str(calls_csv), str(_scenario_file(tmp_path))]
        message = (
            "--interval-minutes: must be 15, 30 or 60, a multiple of the scenario's 60 "
            "dividing its 120 minutes a day from 08:00"
        )
    res = CliRunner().invoke(app, [*args, "--interval-minutes", minutes])
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr == f"callsim: invalid option\n  {message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["known.yaml"] if command == "backtest" else []
    )


@pytest.mark.parametrize("text", ["２０/0.80", "20/０.8", "2_0/0.8"])
def test_service_level_takes_ascii_numbers_only(text, tmp_path, calls_csv):
    """float() read "２０/0.80" (full-width digits) as 20/0.80 and "2_0" as 20."""
    res = _calibrate(calls_csv, tmp_path / "s.yaml", "--service-level", text)
    assert (res.exit_code, res.stderr) == (
        2,
        f"callsim: invalid option\n  --service-level: expected seconds/target such as "
        f"20/0.80, got {text!r}\n",
    )
    assert not (tmp_path / "s.yaml").exists()


def test_a_users_file_in_the_report_folder_stops_both(tmp_path, calls_csv):
    """The report folder holds a calibration.html the user wrote: refused, and the
    scenario is not written either (both or neither)."""
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "calibration.html").write_text(MINE)
    out = tmp_path / "day.yaml"
    result = _calibrate(calls_csv, out, "--report", str(folder))
    assert result.exit_code == 2
    assert "--report refused" in result.output
    assert (folder / "calibration.html").read_text() == MINE
    assert not out.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["calibration.html"]


@pytest.mark.parametrize("command", ["calibrate --report", "calibrate --out", "backtest --out"])
def test_an_empty_output_path_is_refused_before_any_work(tmp_path, command):
    """`--report ""` would write into the current folder: exit 2 naming the option (the
    log does not even exist: the path is checked first)."""
    option = command.split()[1]
    args = ["calibrate", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "s.yaml")]
    if command == "calibrate --report":
        args += ["--report", ""]
    elif command == "calibrate --out":
        args[3] = ""
    else:
        sc = str(_scenario_file(tmp_path))
        args = ["backtest", str(tmp_path / "missing.csv"), sc, "--out", ""]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert f"{option}: an empty path" in result.output


def _scenario_file(folder: Path) -> Path:
    path = folder / "known.yaml"
    path.write_text(yaml.safe_dump(_known()))
    return path


def test_backtest_out_keeps_a_users_file_until_force(tmp_path, calls_csv):
    """backtest --out into a folder with the user's backtest.csv: exit 2, the file
    unchanged; with --force it is replaced and the manifest lists what callsim wrote."""
    sc = _scenario_file(tmp_path)
    out = tmp_path / "bt"
    out.mkdir()
    (out / "backtest.csv").write_text(MINE)
    args = ["backtest", str(calls_csv), str(sc), "-r", "2", "--out", str(out), "--json"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2
    assert (out / "backtest.csv").read_text() == MINE
    forced = CliRunner().invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert (out / "backtest.csv").read_text().startswith("start,")
    manifest = yaml.safe_load((out / ".callsim-manifest.json").read_text())
    assert set(manifest["files"]) == {f"backtest.{x}" for x in ("csv", "json", "png", "html")}


@pytest.mark.parametrize(
    "replications, env, message",
    [
        (
            "5000",
            {"CALLSIM_MEMORY_LIMIT_MB": "500"},
            "callsim: cannot simulate Single queue, steady load\n  --replications: this run "
            "would need about 1.1 GiB of memory (400 calls a day × 5,000 days), more than the "
            "0.5 GiB allowed (CALLSIM_MEMORY_LIMIT_MB); use fewer replications or smaller "
            "volumes\n",
        ),
        ("100000", {}, "Input should be less than or equal to 10000"),
    ],
)
def test_backtest_replications_are_bounded_as_runs_are(replications, env, message, calls_csv):
    """backtest keeps every simulated call: `-r 100000` of single_queue.yaml ran on to
    10 GB without a word. Its --replications is run's (2-10,000, with a help text), and
    a run that would not fit in memory is refused before the log is read."""
    sc = Path(__file__).parent.parent / "scenarios" / "single_queue.yaml"
    args = ["backtest", str(calls_csv), str(sc), "-r", replications]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in (result.stderr if env else " ".join(result.stderr.replace("│", "").split()))


def test_october_scenario_is_one_queue_per_call_type():
    """Two queues, regular and priority callers. The priority one carries
    queues.NAME.head_start (the head start the log shows, 89.5 s), the regular one none;
    each has the log's hourly mean handle time as aht_by_interval (per quarter hour:
    each hour's mean four times); the file validates strictly (no unknown or stale
    names) and no note says the head start is not modelled."""
    log = read_log(OCTOBER).on_weekdays(["sun", "mon", "tue", "wed", "thu"])
    cal = calibrate(log, 60)
    sc = parse_scenario(cal.scenario, strict=True)
    seconds = round(cal.head_start.seconds, 1)
    assert 60 < seconds < 120
    assert list(sc.queues) == ["calls", "priority"]
    assert sc.queues["priority"].head_start == seconds
    assert sc.queues["calls"].head_start == 0.0
    hourly = cal.handle.by_interval.mean
    for q in sc.queues.values():
        assert q.aht_by_interval == pytest.approx(np.repeat(hourly, 4), abs=0.01)
        assert q.aht == pytest.approx(cal.handle.mean.mean, rel=0.01)
    assert not any("head start" in n for n in cal.notes)


def _documented(heading: str) -> list[str]:
    page = (Path(__file__).parent.parent / "docs" / "reference" / "cli.md").read_text()
    section = page.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", section, flags=re.M)


def test_cli_page_lists_the_keys_of_calibrate_and_backtest_json(tmp_path, calls_csv):
    """docs/reference/cli.md names exactly the keys each --json prints (patience,
    priority and by_date only where they apply)."""
    out = tmp_path / "day.yaml"
    made = _calibrate(calls_csv, out, "--json")
    assert made.exit_code == 0, made.output
    keys = set(json.loads(made.output))
    assert set(_documented("`callsim calibrate --json`")) - {"priority"} == keys
    result = CliRunner().invoke(app, ["backtest", str(calls_csv), str(out), "-r", "2", "--json"])
    assert result.exit_code == 0, result.output
    keys = set(json.loads(result.output))
    assert set(_documented("`callsim backtest --json`")) - {"by_date"} == keys
