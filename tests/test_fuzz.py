"""Fuzz (issue 10 item 5): property-based mutations of the shipped scenarios through
`validate`, `run`, `staff` and `compare`, in process (typer's CliRunner).

The property, for every generated file: each command exits 0 or 2, never with a
traceback, within a time cap (SIGALRM: a hang fails the case) and with the process's
peak memory under a cap; `--json` output is strict JSON (no NaN or Infinity); a file
`validate` accepts runs (validate never says ok to what another command chokes on,
beyond option-specific refusals); and calls are conserved in every interval of every
simulated day (offered = blocked + answered + abandoned).

Each shipped scenario (a forecast file's numbers put inline) is cut to its first 1-4
intervals (so a case runs in tens of milliseconds; shifts dropped), then 0-3 mutations
are applied: a number scaled (x0, x0.5, x2, x10), a leaf set to a troublesome value
(0, -1, 80, 1e9, 1e308, .nan, .inf, true, "0180", "9:30", null, [], {}...), a key
deleted or renamed (a newline in a name), a list shortened or lengthened, a
transfer loop, a probability-1 repeat; or the YAML text itself is damaged (a key
repeated, a tab, cut short, a Latin-1 byte).

Examples: 4 x 130 = 520 in CI (derandomized: the same cases every run, no database);
set CALLSIM_FUZZ_EXAMPLES=5000 for a longer local profile (per scenario).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from simulator.cli import app
from simulator.model.clock import clock_minutes
from simulator.model.load import parse_scenario, with_forecast
from simulator.model.scenario import ScenarioError
from simulator.run.runner import simulate

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))
EXAMPLES = int(os.environ.get("CALLSIM_FUZZ_EXAMPLES", "130"))
SECONDS = 20  # per command: a hang fails the case
PEAK_BYTES = 4 * 2**30  # the test process's peak resident memory

TROUBLE = [0, -1, 1, 2, 0.5, 80, 1e9, 1e308, -1e308, math.nan, math.inf, -math.inf]
TROUBLE += [True, False, None, "", "x", "0180", "9:30", [], {}, [1, 2], {"a": 1}]


def shipped(path: Path) -> dict:
    """A shipped file's data with its forecast file's numbers inline (`forecast:` read
    and dropped): the cut copy is written elsewhere, where the path would not resolve."""
    data = with_forecast(yaml.safe_load(path.read_text(encoding="utf-8")), path)
    data.pop("forecast", None)
    return data


def cut(data: dict, k: int) -> dict:
    """The scenario's first k intervals (every per-interval list cut alike); a file
    referencing a forecast must have its numbers inline first (`shipped`)."""
    for q in data["queues"].values():
        q["volumes"] = q["volumes"][:k]
        if "aht_by_interval" in q:
            q["aht_by_interval"] = q["aht_by_interval"][:k]
    data.pop("roster", None)  # a roster's shifts would fall outside the cut days: flat
    for g in data["agents"].values():  # staffing instead (2 agents where it had none)
        g["staffing"] = g.get("staffing", [2] * k)[:k]
    sim = data.setdefault("simulation", {})
    sim["warmup_intervals"] = min(sim.get("warmup_intervals", 0), k - 1)
    sim["replications"] = 2
    data.pop("shifts", None)  # shifts of a full day would fall outside the cut one
    if isinstance(data.get("horizon"), dict):  # its days cut alike: 2 days of k/2, or 1
        days = 2 if k % 2 == 0 else 1
        close = clock_minutes(data["open"]) + k // days * data["interval_minutes"]
        start = data["horizon"].get("start")
        data["horizon"] = {
            "start": start,
            "days": days,
            "close": f"{close // 60:02d}:{close % 60:02d}",
        }
    return data


def leaves(node: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every path into the data (to a mapping entry or list item)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*path, i)
            yield from leaves(value, (*path, i))


def parent(data: Any, path: tuple) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated(draw: st.DrawFn, base: dict) -> str | bytes:
    """The YAML text of `base` cut and mutated (see the module doc)."""
    data = cut(json.loads(json.dumps(base)), draw(st.integers(1, 4)))
    for _ in range(draw(st.integers(0, 3))):
        paths = list(leaves(data))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        node, last = parent(data, path), path[-1]
        kinds = ["scale", "scale", "value", "value", "delete", "rename", "list", "loop"]
        kind = draw(st.sampled_from(kinds))
        value = node[last]
        if kind == "scale" and isinstance(value, int | float) and not isinstance(value, bool):
            node[last] = type(value)(value * draw(st.sampled_from([0, 0.5, 2, 10])))
        elif kind == "value":
            node[last] = draw(st.sampled_from(TROUBLE))
        elif kind == "delete":
            node.pop(last)
        elif kind == "rename" and isinstance(node, dict):
            node[draw(st.sampled_from(["a\nb", "x", "billing", " ", "<<"]))] = node.pop(last)
        elif kind == "list" and isinstance(
            node.get(last) if isinstance(node, dict) else None, list
        ):
            items = node[last]
            node[last] = items + items[-1:] * draw(st.integers(0, 2)) if items else [1]
            if draw(st.booleans()):
                node[last] = node[last][:-1]
        elif kind == "loop" and isinstance(data.get("queues"), dict) and data["queues"]:
            name = draw(st.sampled_from(sorted(data["queues"], key=str)))
            q = data["queues"][name]
            if isinstance(q, dict):
                q[draw(st.sampled_from(["transfers", "repeat"]))] = draw(
                    st.sampled_from(
                        [
                            {name: 1.0},
                            {name: 0.5},
                            {
                                "probability": 1,
                                "max_attempts": 5,
                                "delay": {"distribution": "exponential", "mean": 60},
                            },
                        ]
                    )
                )
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    damage = draw(st.sampled_from(["none"] * 6 + ["repeat_line", "tab", "cut", "latin1"]))
    lines = text.splitlines(keepends=True)
    at = draw(st.integers(0, max(len(lines) - 1, 0)))
    if damage == "repeat_line" and lines:
        return "".join(lines[: at + 1] + lines[at:])
    if damage == "tab" and lines:
        lines[at] = "\t" + lines[at]
        return "".join(lines)
    if damage == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if damage == "latin1":
        return text.encode("utf-8") + "# café\n".encode("latin-1")
    return text


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_cap(seconds: float) -> Iterator[None]:
    """SIGALRM raises Hang after `seconds` (tests/fuzz_campaign.py uses it too)."""

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds:.0f} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def refuse_constant(name: str) -> None:
    raise AssertionError(f"not strict JSON: {name}")


def cli(*args: str) -> tuple[int, str]:
    """Exit code and stdout of one command; the property's checks on it."""
    with time_cap(SECONDS):
        res = CliRunner().invoke(app, list(args))
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception  # a traceback: the case fails with it
    assert res.exit_code in (0, 2), (args, res.exit_code, res.output)
    assert "Traceback" not in res.output and "Warning" not in res.output  # numpy's either
    if res.exit_code == 0 and "--json" in args:
        json.loads(res.stdout, parse_constant=refuse_constant)
    return res.exit_code, res.stdout


def conserved(path: Path) -> None:
    """Offered = blocked + answered + abandoned in every interval of every day."""
    try:
        sc = parse_scenario(yaml.safe_load(path.read_text(encoding="utf-8")), strict=True)
    except ScenarioError as exc:  # pragma: no cover - validate said ok
        raise AssertionError(f"validate accepted what the library refuses: {exc}") from exc
    with time_cap(SECONDS):
        res = simulate(sc, replications=2, seed=7)
    s = res.interval_samples
    lost = s["offered"] - s["blocked"] - s["answered"] - s["abandoned"]
    assert np.all(np.abs(lost) < 1e-9), lost


def check(path: Path, content: str | bytes) -> int:
    """The property for one generated file; validate's exit code."""
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, _ = cli("validate", str(path))
    if code == 0:
        conserved(path)
        assert cli("run", str(path), "-r", "2", "--json", "-q")[0] == 0
        for args in (["staff", str(path)], ["compare", str(path), "-r", "2"]):
            cli(*args, "--json", "-q")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert peak < PEAK_BYTES, f"peak memory {peak / 2**30:.1f} GiB"
    return code


@pytest.mark.parametrize("scenario", SHIPPED, ids=lambda p: p.stem)
def test_mutated_scenarios_never_crash_hang_or_lie(scenario, tmp_path_factory):
    base = shipped(scenario)
    folder = tmp_path_factory.mktemp("fuzz")
    codes: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutated(base))
    def case(content: str | bytes) -> None:
        codes.append(check(folder / "s.yaml", content))

    case()
    # the cases exercise both sides: files refused, and files run through every command
    valid = codes.count(0) / len(codes)
    print(f"{scenario.stem}: {len(codes)} cases, {valid:.0%} valid")
    assert len(codes) >= EXAMPLES and 0.15 <= valid <= 0.85


def test_a_file_reading_a_forecast_is_cut_with_the_forecasts_numbers():
    """week_rostered.yaml reads week_forecast.csv: its cut copy has the first numbers
    of the forecast inline (billing's rows Mon 08:00 and 08:30 of the CSV: 31 and 40
    calls, 154 and 169 s) and no forecast reference, and is a valid scenario as cut."""
    data = cut(shipped(REPO / "scenarios" / "week_rostered.yaml"), 2)
    assert "forecast" not in data
    billing = data["queues"]["billing"]
    assert billing["volumes"] == [31.0, 40.0] and billing["aht_by_interval"] == [154.0, 169.0]
    assert parse_scenario(data, strict=True).n_intervals == 2
