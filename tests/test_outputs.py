"""Safe outputs (issue 10 item 2): nothing a user gave is lost, overwritten or
written through; files appear complete or not at all. The exact cases of the issue:
`--out` over a user's summary.csv and report.html, a symlink planted in the
directory, `--out ""`, two runs into one directory, an interrupted write, `staff
--write` over a hard link to its input, `staff /dev/stdin --write`, `compare S S --out`.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.report.output import MANIFEST, PARTIAL, OutputError, staged, write_file

REPO = Path(__file__).resolve().parents[1]
SINGLE = REPO / "scenarios" / "single_queue.yaml"


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def run_out(out: object, *extra: object):
    return invoke("run", SINGLE, "-r", 2, "-q", "--json", "--out", out, *extra)


def test_out_empty_is_refused_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run_out("")
    assert res.exit_code == 2
    assert "--out: an empty path" in res.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: Path("/dev/null"), "/dev/null: exists and is not a directory"),
        (lambda d: (d / "f").write_text("x") and d / "f", "exists and is not a directory"),
        (lambda d: (d / "l").symlink_to(d / "nowhere") or d / "l", "a symbolic link to nothing"),
    ],
    ids=["dev_null", "a_file", "dangling_link"],
)
def test_out_that_is_not_a_directory_is_refused_before_the_run(tmp_path, make, says):
    res = run_out(make(tmp_path))
    assert res.exit_code == 2 and says in res.output and "File exists" not in res.output
    assert res.stdout == ""  # refused before simulating: no JSON printed


def test_a_users_own_files_are_never_overwritten_without_force(tmp_path):
    (tmp_path / "summary.csv").write_text("my own numbers\n")
    (tmp_path / "report.html").write_text("<p>my report</p>")
    res = run_out(tmp_path)
    assert res.exit_code == 2
    assert f"{tmp_path / 'summary.csv'}: not written by callsim" in res.output
    assert f"{tmp_path / 'report.html'}: not written by callsim" in res.output
    assert (tmp_path / "summary.csv").read_text() == "my own numbers\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "summary.csv"]
    assert run_out(tmp_path, "--force").exit_code == 0
    assert "my own" not in (tmp_path / "summary.csv").read_text()


def test_callsims_own_files_are_replaced_but_not_once_edited(tmp_path):
    assert run_out(tmp_path).exit_code == 0
    manifest = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert "summary.csv" in manifest and "calls.csv" in manifest
    assert run_out(tmp_path).exit_code == 0  # a rerun replaces its own outputs
    with open(tmp_path / "intervals.csv", "a") as f:
        f.write("my note\n")
    res = run_out(tmp_path)
    assert res.exit_code == 2 and "intervals.csv: not written by callsim (or changed since)" in (
        res.output
    )
    assert (tmp_path / "intervals.csv").read_text().endswith("my note\n")


def test_a_symlink_inside_the_directory_is_never_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("outside the directory")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").symlink_to(victim)
    res = run_out(out)
    assert res.exit_code == 2 and "a symbolic link (callsim never writes through one)" in res.output
    assert run_out(out, "--force").exit_code == 0  # the link is replaced, not followed
    assert victim.read_text() == "outside the directory"
    assert not (out / "report.html").is_symlink()


def test_a_second_callsim_into_the_same_directory_fails_clearly(tmp_path):
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running callsim holds it
    try:
        res = run_out(tmp_path)
    finally:
        os.close(fd)
    assert res.exit_code == 2
    assert "another callsim is writing into this directory" in res.output
    assert list(tmp_path.iterdir()) == []
    assert run_out(tmp_path).exit_code == 0  # once the other is done


def test_two_concurrent_runs_one_wins_the_other_says_so(tmp_path):
    """Two real processes into one --out: never a mix of both with exit 0 twice."""
    command = [sys.executable, "-m", "simulator.cli", "run", str(SINGLE), "-q", "-r", "40"]
    script = "from simulator.cli import app; app()"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *command[3:], "--out", str(tmp_path), "--force"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    codes = [(p.wait(timeout=120), p.stderr.read()) for p in runs]
    assert sorted(c for c, _ in codes) in ([0, 0], [0, 2])  # in turn, or one refused
    for code, text in codes:
        assert code == 0 or "another callsim is writing into this directory" in text
    manifest = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert sorted(manifest) == sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST)


def test_an_interrupted_write_leaves_no_file_that_looks_complete(tmp_path):
    with pytest.raises(KeyboardInterrupt), staged(tmp_path) as stage:
        (stage.dir / "calls.csv").write_text("replication,customer\n0,1\n")
        raise KeyboardInterrupt  # SIGINT while the report is being written
    assert list(tmp_path.iterdir()) == []
    # a run killed outright leaves its hidden partial folder: the next run clears it
    (tmp_path / f"{PARTIAL}killed").mkdir()
    (tmp_path / f"{PARTIAL}killed" / "calls.csv").write_text("0,1\n")
    assert run_out(tmp_path).exit_code == 0
    assert not any(p.name.startswith(PARTIAL) for p in tmp_path.iterdir())
    calls = pd.read_csv(tmp_path / "calls.csv")
    assert calls["replication"].nunique() == 2


def test_a_refused_commit_moves_nothing(tmp_path):
    (tmp_path / "b.csv").write_text("mine")
    with pytest.raises(OutputError), staged(tmp_path) as stage:
        (stage.dir / "a.csv").write_text("new")
        (stage.dir / "b.csv").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


def test_staff_write_never_replaces_its_input_by_any_path(tmp_path):
    source = tmp_path / "s.yaml"
    source.write_text(SINGLE.read_text())
    os.link(source, tmp_path / "hard.yaml")
    (tmp_path / "soft.yaml").symlink_to(source)
    for alias in ("hard.yaml", "soft.yaml", "./s.yaml", "../" + tmp_path.name + "/s.yaml"):
        res = invoke("staff", source, "--write", tmp_path / alias, "--force")
        assert res.exit_code == 2, alias
        assert "is the scenario itself" in res.output
    assert source.read_text() == SINGLE.read_text()


def test_staff_write_refuses_a_users_file_and_replaces_its_own(tmp_path):
    target = tmp_path / "planned.yaml"
    target.write_text("# my notes\n")
    res = invoke("staff", SINGLE, "--write", target)
    assert res.exit_code == 2 and "not written by callsim; --force replaces it" in res.output
    assert target.read_text() == "# my notes\n"
    assert invoke("staff", SINGLE, "--write", target, "--force").exit_code == 0
    assert invoke("staff", SINGLE, "--write", target).exit_code == 0  # its own copy
    assert invoke("validate", target).exit_code == 0
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # a plain file's mode


def test_staff_from_stdin_with_write_reads_the_source_once(tmp_path):
    target = tmp_path / "planned.yaml"
    res = subprocess.run(
        [sys.executable, "-c", "from simulator.cli import app; app()"]
        + ["staff", "/dev/stdin", "--write", str(target), "--json"],
        input=SINGLE.read_text(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "staffing:" in target.read_text()
    assert invoke("validate", target).exit_code == 0


def test_write_file_checks_the_copy_before_replacing(tmp_path):
    target = tmp_path / "t.yaml"
    target.write_text("# ours\nold")

    def refuse(path: Path) -> None:
        assert path.read_text() == "new"
        raise ValueError("not valid")

    with pytest.raises(ValueError):
        write_file(
            target, "new", source=SINGLE, ours=lambda h: h.startswith("# ours"), check=refuse
        )
    assert target.read_text() == "# ours\nold"
    assert [p.name for p in tmp_path.iterdir()] == ["t.yaml"]


def test_compare_the_same_file_twice_keeps_both(tmp_path):
    res = invoke("compare", SINGLE, SINGLE, "-r", 2, "-q", "--out", tmp_path)
    assert res.exit_code == 0, res.output
    summary = pd.read_csv(tmp_path / "compare_summary.csv")
    means = [c for c in summary.columns if c.endswith(" mean")]
    assert means == ["single_queue mean", "single_queue (2) mean"]


def test_staff_write_refuses_a_bad_target_before_planning(tmp_path, monkeypatch):
    """A target `--write` would refuse (or fail to write) is refused before any plan is
    made, with the message the write itself gives: a search by simulation may take
    minutes, and the user should not wait for a refusal."""
    import simulator.planner.staffing

    def never(*args, **kwargs):
        raise AssertionError("planned before checking --write")

    monkeypatch.setattr(simulator.planner.staffing, "plan", never)
    monkeypatch.chdir(tmp_path)
    Path("users.yaml").write_text("# my notes\n")
    Path("a_folder").mkdir()
    Path("dangling.yaml").symlink_to("nowhere")
    cases = {
        "users.yaml": "--write refused\n  users.yaml: not written by callsim; --force replaces it",
        "a_folder": "--write refused\n  a_folder: a directory; name a file",
        "dangling.yaml": "--write refused\n  dangling.yaml: a symbolic link (never written "
        "through); --force replaces it",
        "/dev/null": "--write refused\n  /dev/null: a device, pipe or socket, not a file: "
        "callsim never replaces one, even with --force",
        "no_folder/x.yaml": "--write failed\n  no_folder/x.yaml: cannot write (No such file "
        "or directory)",
        " ": "--write refused\n  --write: an empty path; name a file",
    }
    for target, message in cases.items():
        res = invoke("staff", SINGLE, "--method", "simulation", "--write", target, "--json")
        assert (res.exit_code, res.output) == (2, f"callsim: {message}\n"), target
    assert Path("users.yaml").read_text() == "# my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_folder", "dangling.yaml", "users.yaml"]
