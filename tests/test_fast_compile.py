"""The fast engine's one-time compile: known in advance, done once in the command's own
process before any worker starts, and said on a terminal (never in a pipe: `--json`
output stays one object). Deterministic."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from simulator.cli import app, running
from simulator.cli.console import LazyConsole
from simulator.model.load import load_scenario
from simulator.sim import fast


def on_stderr(console: Console) -> LazyConsole:
    """`console` as the CLI's stderr console (simulator.cli.console.err)."""
    return LazyConsole(lambda: console, "stderr", None)


ROOT = Path(__file__).resolve().parent.parent
SINGLE = ROOT / "scenarios" / "single_queue.yaml"


@pytest.mark.skipif(not fast.base.COMPILED, reason="numba is not installed")
def test_an_empty_cache_means_a_compile_pending_and_a_played_day_none(tmp_path):
    code = "from simulator.sim.fast import compile_pending; print(compile_pending())"
    env = os.environ | {"NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "True"
    fast.simulate_day_fast(load_scenario(SINGLE), np.random.SeedSequence(1))
    assert fast.compile_pending() is False  # compiled or loaded in this process


@pytest.fixture
def compiles(monkeypatch):
    """A cold cache (pretended): the calls of warm() and what a terminal shows."""
    calls: list[int] = []
    screen = io.StringIO()
    monkeypatch.setattr(fast, "compile_pending", lambda: True)
    monkeypatch.setattr(fast, "warm", lambda: calls.append(1))
    monkeypatch.setattr(
        running, "err", on_stderr(Console(file=screen, force_terminal=True, width=200))
    )
    return calls, screen


@pytest.mark.parametrize(
    "command",
    [["run", "-r", "2"], ["staff", "--method", "simulation"], ["compare", "-r", "2"]],
    ids=["run", "staff", "compare"],
)
def test_a_cold_fast_engine_is_compiled_once_first_and_said_on_a_terminal(compiles, command):
    calls, screen = compiles
    args = [command[0], str(SINGLE), *command[1:], "--json", "--quiet"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert calls == [1]
    assert "compiling the fast engine (once, ~15 s; --engine simpy skips it)" in screen.getvalue()


def test_no_compile_with_the_simpy_engine_erlang_or_a_scenario_it_does_not_cover(
    compiles, monkeypatch
):
    calls, screen = compiles
    res = CliRunner().invoke(app, ["staff", str(SINGLE), "--json"])  # Erlang C: no days
    assert res.exit_code == 0 and calls == []
    res = CliRunner().invoke(app, ["run", str(SINGLE), "-r", "2", "--engine", "simpy", "--json"])
    assert res.exit_code == 0 and calls == []
    monkeypatch.setattr(fast, "uncovered", lambda sc: "queues.calls.something")
    res = CliRunner().invoke(app, ["run", str(SINGLE), "-r", "2", "--json"])
    assert res.exit_code == 0 and calls == [] and "compiling" not in screen.getvalue()


def test_in_a_pipe_the_compile_is_silent(compiles, monkeypatch):
    calls, _ = compiles
    screen = io.StringIO()
    monkeypatch.setattr(running, "err", on_stderr(Console(file=screen, force_terminal=False)))
    res = CliRunner().invoke(app, ["run", str(SINGLE), "-r", "2", "--json"])
    assert res.exit_code == 0 and calls == [1] and "compiling" not in screen.getvalue()
