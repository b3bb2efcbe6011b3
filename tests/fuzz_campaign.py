"""A bad-input campaign from the outside: seeded mutations of the shipped scenarios,
the week's forecast CSV, the command-line options and the output targets, each run as
`callsim ...` and checked against the promise of docs/reference/cli.md.

The promise, for every case: the command exits 0 or 2 (or the case's documented
code), prints no traceback, and when it refuses (2) names on standard error a field,
an option, or a file's row and column (the case says which words may do); it ends
within the time cap (no hang: huge inputs are refused or bounded); `--json` prints
strict JSON; and no file the case gave (scenario, forecast, log, anything in its
folder) is changed or removed.

Every case runs in a folder of its own holding the files it gives; its command names
them by relative path. `python tests/fuzz_campaign.py --cases 400 --seed 1` runs a
campaign through subprocesses of `.venv/bin/callsim` and prints the failures;
tests/test_fuzz_campaign.py runs a few dozen of the same cases in process.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from test_fuzz import Hang, leaves, parent, time_cap

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
CALLSIM = ROOT / ".venv" / "bin" / "callsim"
DIRECTORY = None  # a case's file given as None: a directory of that name
FIFO = b"|fifo"  # a named pipe

NUMBERS: list[Any] = [0, -1, 0.5, 1e9, 1e308, -1e308, float("nan"), float("inf")]
NUMBERS += [True, None, "", "x", "7", [], {}, [1, 2], {"a": 1}]
CLOCKS = ["25:00", "8:00", "08:15", "08:07", "24:00", "00:00", "23:59", "", "noon"]
DATES = ["2026-13-01", "2026-02-30", "2026-12-06", "2027-12-07", "20261207", "", "mon"]
CELLS = ["", "-1", "nan", "inf", "-inf", "1e9", "abc", "1,5", "0", "1e400", "  7 "]
CELLS += ["08:15", "25:00", "8:00", "2026-02-30", "2027-01-01", "Mon", "nobody", "\u00e9"]
FACTORS = ["0", "-1", "nan", "inf", "-inf", "1e9", "x", "", "0.05", "11", "115", "1e-9"]


@dataclass
class Case:
    """One command on files of its own. `names`: words one of which a refusal's
    message must hold (the field, option, row or column mutated)."""

    title: str
    args: list[str]
    files: dict[str, bytes | None] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    codes: tuple[int, ...] = (0, 2)
    timeout: float = 60.0
    replaceable: tuple[str, ...] = ()  # files --force may replace (not the inputs)


@dataclass
class Outcome:
    case: Case
    code: int | None  # None: killed at the time cap
    stdout: str
    stderr: str
    seconds: float
    problems: list[str]


# ---------------------------------------------------------------- the cases


def _text(name: str) -> str:
    return (SCENARIOS / name).read_text(encoding="utf-8")


def _yaml(data: dict) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


def _set(data: Any, path: tuple, value: Any) -> None:
    node = parent(data, path)
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


def _get(data: Any, path: tuple) -> Any:
    return parent(data, path)[path[-1]] if path else data


_DELETE = object()


def _value(rng: random.Random, old: Any) -> Any:
    """A troublesome replacement for `old`."""
    if isinstance(old, str) and ":" in old:
        return rng.choice(CLOCKS + NUMBERS)
    if isinstance(old, str) and old[:2] == "20":
        return rng.choice(DATES + NUMBERS)
    if isinstance(old, list):
        return rng.choice([[], old[:1], old + old[-1:], old[::-1], old + old, None, "x"])
    if isinstance(old, int | float) and not isinstance(old, bool) and rng.random() < 0.5:
        return type(old)(old * rng.choice([0, -1, 10, 1000, 1e6]))
    return rng.choice(NUMBERS)


def _words(path: tuple) -> tuple[str, ...]:
    """The words a message about `path` may name: its keys (a list item: the list's)."""
    return tuple(str(k) for k in path if not isinstance(k, int)) or ("(top level)",)


# Where last session's features live in the shipped files.
FOCUS = {
    "week.yaml": ("horizon", "arrivals", "targets"),
    "week_247.yaml": ("horizon",),
    "week_rostered.yaml": ("roster", "horizon", "queues"),
    "multi_skill.yaml": ("agents", "queues"),
    "bank_journeys.yaml": ("queues", "agents"),
    "single_queue.yaml": ("queues", "agents", "service_level", "simulation"),
    "rostered": ("roster", "absence", "horizon"),  # ROSTERED_DAY
}


def _extras(data: dict, rng: random.Random) -> None:
    """Give a small scenario the new features to mutate: per-queue targets, an AHT per
    interval, a proficiency factor, not-ready time."""
    q = next(iter(data["queues"].values()))
    n = len(q["volumes"])
    q["targets"] = {"asa": 30, "abandon_rate": 0.05}
    q["service_level"] = {"seconds": 15, "target": 0.9}
    q["aht_by_interval"] = [200.0 + 10 * i for i in range(n)]
    g = next(iter(data["agents"].values()))
    g["handle_time_factor"] = {next(iter(data["queues"])): 1.2}
    g["not_ready"] = {"distribution": "exponential", "mean": 20}


ROSTERED_DAY = {
    "name": "A rostered day",
    "interval_minutes": 30,
    "open": "08:00",
    "service_level": {"seconds": 20, "target": 0.8},
    "horizon": {"start": "2026-12-07", "days": 2, "close": "12:00"},
    "queues": {
        "general": {
            "volumes": [40] * 16,
            "handle_time": {"distribution": "exponential", "mean": 180},
            "patience": {"distribution": "exponential", "mean": 120},
        }
    },
    "agents": {"team": {"skills": ["general"], "cost_per_hour": 20}},
    "roster": {
        "shifts": {
            "early": {
                "start": "08:00",
                "hours": 4,
                "agents": 6,
                "days": ["2026-12-07", "tue"],
                "breaks": [{"earliest": "09:30", "latest": "10:30", "minutes": 15}],
            },
            "late": {"start": "09:00", "end": "12:00", "agents": 3, "cost_per_hour": 22},
        },
        "activities": {"huddle": {"start": "08:30", "hours": 0.5, "agents": 1, "paid": True}},
    },
    "absence": {
        "absenteeism": 0.05,
        "late": {"distribution": "exponential", "mean": 60},
        "break_overrun": {"distribution": "exponential", "mean": 30},
    },
    "simulation": {"replications": 2, "seed": 3},
}


def scenario_case(rng: random.Random) -> Case:
    """A shipped scenario with one field of its new features mutated, validated (or run,
    staffed)."""
    name = rng.choice(sorted(FOCUS))
    base = ROSTERED_DAY if name == "rostered" else yaml.safe_load(_text(name))
    data = copy.deepcopy(base)
    if name in ("single_queue.yaml", "multi_skill.yaml"):
        _extras(data, rng)
    paths = [  # a list's first items stand for the rest
        p for p in leaves(data) if p[0] in FOCUS[name] and all(k < 3 for k in p if type(k) is int)
    ]
    path = rng.choice(paths)
    kind = rng.choice(["value", "value", "value", "delete", "rename"])
    if kind == "value":
        new = _value(rng, _get(data, path))
        _set(data, path, new)
        title = f"{name}: {'.'.join(map(str, path))} = {new!r}"
    elif kind == "delete" or isinstance(path[-1], int):
        _set(data, path, _DELETE)
        title = f"{name}: {'.'.join(map(str, path))} deleted"
    else:
        parent = _get(data, path[:-1])
        new_key = rng.choice(["x", "Close", "open ", "dates", "start", "\u00e9"])
        parent[new_key] = parent.pop(path[-1])
        title = f"{name}: {'.'.join(map(str, path))} renamed {new_key!r}"
        path = (*path[:-1], new_key)
    small = name in ("single_queue.yaml", "multi_skill.yaml", "rostered")
    command = rng.choice(["validate"] * 3 + (["run", "staff"] if small else []))
    args = [command, "s.yaml"] + {"run": ["-r", "2", "--json", "-q"]}.get(command, [])
    args += ["--json", "-q"] if command == "staff" else []
    files: dict[str, bytes | None] = {"s.yaml": _yaml(data)}
    ref = base.get("forecast")
    if ref:  # the file reads a forecast beside it (week_rostered.yaml)
        files[ref] = (SCENARIOS / ref).read_bytes()
    return Case(title, args, files, _words(path) + ("s.yaml",))


def _csv_rows() -> list[list[str]]:
    lines = (SCENARIOS / "week_forecast.csv").read_text(encoding="utf-8").splitlines()
    return [line.split(",") for line in lines]


def _csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in rows) + "\n").encode("utf-8")


def forecast_case(rng: random.Random) -> Case:
    """The week with its forecast CSV damaged: a cell, a row, the header, the bytes."""
    rows = _csv_rows()
    header = rows[0]
    kind = rng.choice(["cell"] * 4 + ["drop", "repeat", "swap", "header", "ragged", "bytes"])
    names: tuple[str, ...] = ("f.csv",)
    if kind == "cell":
        r, c = rng.randrange(1, len(rows)), rng.randrange(len(header))
        rows[r][c] = rng.choice(CELLS)
        title = f"f.csv row {r + 1} {header[c]} = {rows[r][c]!r}"
        names = (f"row {r + 1}",)
        content = _csv(rows)
    elif kind in ("drop", "repeat", "swap"):
        r = rng.randrange(1, len(rows) - 1)
        if kind == "drop":
            del rows[r]
        elif kind == "repeat":
            rows.insert(r, list(rows[r]))
        else:
            rows[r], rows[r + 1] = rows[r + 1], rows[r]
        title = f"f.csv row {r + 1} {kind}"
        content = _csv(rows)
    elif kind == "header":
        c = rng.randrange(len(header))
        new = rng.choice(["", "Calls", "weekday", "when", "queue", "aht "])
        title = f"f.csv header column {c + 1} {header[c]!r} -> {new!r}"
        header[c] = new
        content = _csv(rows)
        names = ("f.csv",)
    elif kind == "ragged":
        r = rng.randrange(1, len(rows))
        rows[r] = rows[r][:-1] if rng.random() < 0.5 else rows[r] + ["1"]
        title = f"f.csv row {r + 1} ragged"
        names = (f"row {r + 1}",)
        content = _csv(rows)
    else:
        choice = rng.choice(["empty", "header", "latin1", "utf16", "bom", "crlf", "semi", "nul"])
        title = f"f.csv bytes: {choice}"
        text = _csv(rows).decode()
        content = {
            "empty": b"",
            "header": (",".join(header) + "\n").encode(),
            "latin1": text.replace("billing", "factur\u00e9", 1).encode("latin-1"),
            "utf16": text.encode("utf-16"),
            "bom": b"\xef\xbb\xbf" + text.encode(),
            "crlf": text.replace("\n", "\r\n").encode(),
            "semi": text.replace(",", ";").encode(),
            "nul": text.encode()[:200] + b"\x00" + text.encode()[200:],
        }[choice]
    command = rng.choice(["validate", "validate", "staff", "run"])
    args = [command, "week.yaml", "--forecast", "f.csv"]
    args += {"staff": ["--json", "-q"], "run": ["-r", "2", "--json", "-q"]}.get(command, [])
    files = {"week.yaml": _text("week.yaml").encode(), "f.csv": content}
    return Case(title, args, files, names + ("--forecast",))


def _week_with_forecast(ref: str) -> bytes:
    return _text("week.yaml").replace("arrivals:", f"forecast: {ref}\narrivals:", 1).encode()


def forecast_path_case(rng: random.Random) -> Case:
    """`forecast:` or `--forecast` naming what is not a CSV file."""
    ref = rng.choice(["missing.csv", "folder", "week.yaml", "../f.csv", "'  '", "[a]", "7"])
    files: dict[str, bytes | None] = {"folder": DIRECTORY}
    csv = (SCENARIOS / "week_forecast.csv").read_bytes()
    if rng.random() < 0.5:
        files["week.yaml"] = _week_with_forecast(ref)
        files["f.csv"] = csv
        args, names = ["validate", "week.yaml"], ("forecast", ref.strip("'[]"))
    else:
        files["week.yaml"] = _text("week.yaml").encode()
        args, names = ["validate", "week.yaml", "--forecast", ref], ("--forecast", ref)
    return Case(f"forecast path {ref!r} ({args[-1]})", args, files, names)


def option_case(rng: random.Random) -> Case:
    """An option of a command given a bad value."""
    single = {"s.yaml": _text("single_queue.yaml").encode()}
    week = {"week.yaml": _text("week.yaml").encode()}
    table: list[tuple[list[str], dict, str]] = [
        (["staff", "s.yaml", "--fte-hours"], single, "--fte-hours"),
        (["run", "s.yaml", "-r", "2", "--volume-scale"], single, "--volume-scale"),
        (["run", "s.yaml", "-r", "2", "--aht-scale"], single, "--aht-scale"),
        (["staff", "s.yaml", "--volume-scale"], single, "--volume-scale"),
        (["staff", "s.yaml", "--busyness-cv"], single, "--busyness-cv"),
        (["staff", "s.yaml", "--busyness-cv", "0.1", "--days-meeting"], single, "--days-meeting"),
        (["staff", "s.yaml", "--days-meeting"], single, "--days-meeting"),
        (["run", "s.yaml", "-r", "2", "--queue"], single, "--queue"),
        (["run", "week.yaml", "-r", "2", "--queue"], week, "--queue"),
        (["compare", "s.yaml", "-r", "2", "--what-if"], single, "--what-if"),
        (["run", "s.yaml", "--replications"], single, "--replications"),
        (["run", "s.yaml", "-r", "2", "--seed"], single, "--seed"),
        (["run", "s.yaml", "-r", "2", "--workers"], single, "--workers"),
        (["run", "s.yaml", "-r", "2", "--columns"], single, "--columns"),
        (["run", "s.yaml", "-r", "2", "--engine"], single, "--engine"),
        (["run", "s.yaml", "-r", "2", "--executor"], single, "--executor"),
        (["staff", "s.yaml", "-m", "simulation", "--search-seed"], single, "--search-seed"),
        (["staff", "s.yaml", "--method"], single, "--method"),
    ]
    args, files, option = rng.choice(table)
    if option == "--what-if":
        value = rng.choice(
            ["volume=" + rng.choice(FACTORS), "aht=" + rng.choice(FACTORS), "volume", "=1.1"]
            + ["agents=2", "volume=1.1,", ",", "volume=1.1,volume=1.2", "VOLUME=1.1", ""]
        )
    elif option in ("--queue", "--columns", "--engine", "--executor", "--method"):
        value = rng.choice(["", "nobody", "billing", "Billing", "a,b", " ", "dask", "x\ny"])
    elif option in ("--replications", "--seed", "--workers", "--search-seed"):
        value = rng.choice(["0", "1", "-1", "1e3", "x", "", "10001", str(2**64), "3.5"])
    else:
        value = rng.choice(FACTORS + ["1.5", "0.999", "1"])
    return Case(f"{' '.join(args[:1] + args[2:])} {value!r}", [*args, value], files, (option,))


def dask_case(rng: random.Random) -> Case:
    """`--executor dask` and `--address` that cannot work: refused, never a hang."""
    address = rng.choice(["tcp://127.0.0.1:9", "nowhere:8786", "", "tcp://", "http://x:1"])
    args = ["run", "s.yaml", "-r", "2", "-q", "--address", address]
    if rng.random() < 0.5:
        args += ["--executor", rng.choice(["dask", "serial", "processes"])]
    files = {"s.yaml": _text("single_queue.yaml").encode()}
    return Case(f"dask {' '.join(args[5:])!r}", args, files, ("--address", "--executor"))


def target_case(rng: random.Random) -> Case:
    """An output target that must not be written: an input file, a folder, a file in the
    way, a link to an input."""
    files: dict[str, bytes | None] = {
        "week.yaml": _text("week.yaml").encode(),
        "day.yaml": _text("peak_day.yaml").encode(),
        "f.csv": (SCENARIOS / "week_forecast.csv").read_bytes(),
        "folder": DIRECTORY,
        "notes.txt": b"a user's notes\n",
    }
    option = rng.choice(["--write", "--write", "--out", "--out"])
    target = rng.choice(
        ["week.yaml", "day.yaml", "./day.yaml", "folder/../day.yaml", "f.csv", "folder"]
        + ["notes.txt", "hard.yaml"]
        + ["notes.txt/x.yaml", "fifo", "/proc/x.yaml", ".", "", "link.yaml"]
    )
    files["link.yaml"] = b"->day.yaml"  # a symbolic link, a hard link (see `materialise`)
    files["fifo"] = FIFO  # a device stands in: never a real one (/dev/null, as root)
    files["hard.yaml"] = b"=>day.yaml"
    if option == "--write":
        args = ["staff", "day.yaml", "--shifts", "--write", target, "-q"]
    else:
        command = rng.choice(["staff", "run"])
        args = [command, "week.yaml", "--out", target, "-q"]
        args += ["-r", "2"] if command == "run" else []
    inputs = ("day.yaml", "./day.yaml", "folder/../day.yaml", "link.yaml", "hard.yaml")
    replaceable: tuple[str, ...] = ()
    if rng.random() < 0.3:
        args.append("--force")  # a user's other file may then be replaced, never an input
        replaceable = (target,) if option == "--write" and target not in inputs else ()
    names = (option, target or "(empty)")
    return Case(f"{' '.join(args)}", args, files, names, replaceable=replaceable)


def collide_case(rng: random.Random) -> Case:
    """`--out` into the folder of the inputs, an input named as an output (the forecast
    called days.csv): never replaced, even with --force."""
    command = rng.choice(["run", "staff", "compare"])
    named = {
        "run": ["days.csv", "intervals.csv", "summary.csv", "calls.csv", "report.html"],
        "staff": ["plan_intervals.csv", "plan_queues.csv", "report.html"],
        "compare": ["report.html", "summary.csv", "intervals.csv"],
    }[command]
    forecast = rng.choice(named)
    by_key = rng.random() < 0.3  # the scenario's own forecast: key
    scenario = _week_with_forecast(forecast) if by_key else _text("week.yaml").encode()
    files: dict[str, bytes | None] = {
        "week.yaml": scenario,
        forecast: (SCENARIOS / "week_forecast.csv").read_bytes(),
    }
    args = [command, "week.yaml", "--out", rng.choice([".", "./", "../case"]), "-q"]
    args += [] if by_key else ["--forecast", forecast]
    args += ["-r", "2"] if command != "staff" else []
    args += ["--force"] if rng.random() < 0.7 else []
    return Case(f"{' '.join(args)} ({forecast})", args, files, ("--out", forecast))


def huge_case(rng: random.Random) -> Case:
    """Valid-looking inputs too big to simulate: refused (or bounded) with a message."""
    data = yaml.safe_load(_text("single_queue.yaml"))
    kind = rng.choice(["volume", "replications", "agents", "days", "roster"])
    args = ["run", "s.yaml", "-q"]
    if kind == "volume":
        data["queues"][next(iter(data["queues"]))]["volumes"] = [10**9] * 4
        title, names = "volumes 10^9", ("volumes",)
    elif kind == "replications":
        data["queues"][next(iter(data["queues"]))]["volumes"] = [100_000] * 4
        args += ["-r", "10000"]
        title, names = "100,000 calls an interval x 10,000 days", ("--replications", "calls")
    elif kind == "agents":
        data["agents"][next(iter(data["agents"]))]["staffing"] = [10**9] * 4
        title, names = "10^9 agents", ("staffing",)
    elif kind == "days":
        data["horizon"] = {"start": "2026-01-01", "days": 10**6, "close": "10:00"}
        title, names = "a horizon of 10^6 days", ("horizon",)
    else:
        data["roster"] = {"shifts": {"s": {"start": "09:00", "hours": 1, "agents": 10**9}}}
        title, names = "a roster shift of 10^9 agents", ("roster",)
    return Case(title, args, {"s.yaml": _yaml(data)}, names)


def calibrate_case(rng: random.Random) -> Case:
    """calibrate (and --replay) of a small log, with a bad option or target."""
    log = (ROOT / "data" / "anonymous_bank" / "october_1999.txt").read_bytes()
    lines = log.split(b"\n")
    small = b"\n".join(lines[:3000]) + b"\n"
    files: dict[str, bytes | None] = {"log.txt": small, "folder": DIRECTORY, "fifo": FIFO}
    kind = rng.choice(["out", "option", "log"])
    args = ["calibrate", "log.txt", "--out", "c.yaml"] + (
        ["--replay"] if rng.random() < 0.5 else []
    )
    names: tuple[str, ...]
    if kind == "out":
        target = rng.choice(["log.txt", "folder", "", "folder/../log.txt", "fifo"])
        args[3] = target
        names = ("--out", target or "(empty)")
        if rng.random() < 0.5:
            args.append("--force")
    elif kind == "option":
        option, value = rng.choice(
            [
                ("--interval-minutes", rng.choice(["0", "7", "45", "-15", "x"])),
                ("--weekdays", rng.choice(["", "xyz", "mon,mon", "sun,", "funday"])),
                ("--service-level", rng.choice(["20/2", "x", "-1/0.8", "20", "/", "nan/0.8"])),
                ("--format", rng.choice(["", "csv", "schema", "callsim"])),
                ("--columns", rng.choice(["", "a=b", "=", "calls", "start=nope"])),
                ("--report", rng.choice(["log.txt", "folder", ""])),
            ]
        )
        args += [option, value]
        names = (option, "log.txt")
    else:
        choice = rng.choice(["empty", "header", "cut", "latin1", "folder"])
        files["log.txt"] = {
            "empty": b"",
            "header": lines[0] + b"\n",
            "cut": small[: rng.randrange(len(small))],
            "latin1": small.replace(b"HANG", b"H\xe9NG", 3),
            "folder": DIRECTORY,
        }[choice]
        names = ("log.txt",)
        args[0:2] = ["calibrate", "log.txt"]
        kind = choice
    return Case(f"calibrate {kind}: {' '.join(args[2:])}", args, files, names, timeout=120)


GENERATORS: list[Callable[[random.Random], Case]] = [
    scenario_case,
    scenario_case,
    scenario_case,
    forecast_case,
    forecast_case,
    forecast_path_case,
    option_case,
    option_case,
    dask_case,
    target_case,
    target_case,
    collide_case,
    huge_case,
    calibrate_case,
]


def cases(seed: int, n: int, generators: list | None = None) -> list[Case]:
    """`n` cases from the seeded generator: the same every time for a seed."""
    rng = random.Random(seed)
    pool = generators or GENERATORS
    return [rng.choice(pool)(rng) for _ in range(n)]


# ---------------------------------------------------------------- running and checking


def materialise(case: Case, folder: Path) -> dict[str, str]:
    """Write the case's files into `folder`; the digest of everything in it."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, content in case.files.items():
        path = folder / name
        if content is DIRECTORY:
            path.mkdir()
        elif content == FIFO:
            os.mkfifo(path)
        elif content.startswith(b"->"):
            path.symlink_to(content[2:].decode())
        elif content.startswith(b"=>"):
            path.hardlink_to(folder / content[2:].decode())
        else:
            path.write_bytes(content)
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> digest (a link: its target) of every file under `folder`."""
    digest = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            digest[key] = "-> " + str(path.readlink())
        elif path.is_file():
            digest[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            digest[key] = "dir"
    return digest


def strict_json(text: str) -> None:
    def refuse(name: str) -> None:
        raise ValueError(f"not strict JSON: {name}")

    json.loads(text, parse_constant=refuse)


def judge(
    case: Case,
    code: int | None,
    out: str,
    err: str,
    before: dict[str, str],
    after: dict[str, str],
) -> list[str]:
    """What broke the promise (empty: nothing)."""
    problems = []
    if code is None:
        problems.append(f"still running after {case.timeout:.0f} s")
    elif code not in case.codes:
        problems.append(f"exit code {code}, not {case.codes}")
    if "Traceback" in err or "Traceback" in out:
        problems.append("a traceback")
    if code == 2 and not any(word in err for word in case.names):
        problems.append(f"the refusal names none of {case.names}")
    if code == 0 and "--json" in case.args:
        try:
            strict_json(out)
        except ValueError as exc:
            problems.append(f"--json output: {exc}")
    for name, digest in before.items():
        if after.get(name) != digest and name not in case.replaceable:
            problems.append(f"{name}: {'removed' if name not in after else 'changed'}")
    return problems


def run_outside(case: Case, folder: Path) -> Outcome:
    """The case through a subprocess of .venv/bin/callsim, killed at its time cap."""
    before = materialise(case, folder)
    start = time.monotonic()
    try:
        res = subprocess.run(
            [str(CALLSIM), *case.args],
            check=False,
            cwd=folder,
            capture_output=True,
            timeout=case.timeout,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "100", "HOME": str(folder)},
        )
        code, out, err = res.returncode, res.stdout, res.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = None, exc.stdout or b"", exc.stderr or b""
    seconds = time.monotonic() - start
    stdout = out.decode("utf-8", "replace")
    stderr = err.decode("utf-8", "replace")
    problems = judge(case, code, stdout, stderr, before, snapshot(folder))
    return Outcome(case, code, stdout, stderr, seconds, problems)


@contextlib.contextmanager
def _inside(folder: Path, seconds: float) -> Iterator[None]:
    """In `folder`, with SIGALRM raising Hang after `seconds` (test_fuzz.time_cap)."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        with time_cap(seconds):
            yield
    finally:
        os.chdir(here)


def run_inside(case: Case, folder: Path) -> Outcome:
    """The case in this process (typer's CliRunner), with the same checks; an
    exception other than SystemExit counts as a traceback."""
    from typer.testing import CliRunner

    from simulator.cli import app

    before = materialise(case, folder)
    start = time.monotonic()
    with _inside(folder, case.timeout):
        res = CliRunner().invoke(app, case.args)
    seconds = time.monotonic() - start
    err = res.stderr
    code: int | None = res.exit_code
    if isinstance(res.exception, Hang):
        code = None
    elif res.exception is not None and not isinstance(res.exception, SystemExit):
        err += "".join(["Traceback\n", *traceback.format_exception(res.exception)])
    problems = judge(case, code, res.stdout, err, before, snapshot(folder))
    return Outcome(case, code, res.stdout, err, seconds, problems)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="run only generators whose name holds this")
    parser.add_argument("--folder", default="/tmp/callsim-fuzz")
    parser.add_argument("--verbose", "-v", action="store_true")
    opts = parser.parse_args()
    pool = [g for g in GENERATORS if not opts.only or opts.only in g.__name__]
    failures = 0
    codes: dict[int | None, int] = {}
    for i, case in enumerate(cases(opts.seed, opts.cases, pool)):
        outcome = run_outside(case, Path(opts.folder) / "case")
        codes[outcome.code] = codes.get(outcome.code, 0) + 1
        if outcome.problems or opts.verbose:
            failures += bool(outcome.problems)
            mark = "FAIL" if outcome.problems else "ok"
            print(f"{mark} #{i} [{outcome.code}, {outcome.seconds:.1f} s] {case.title}")
            print(f"    callsim {' '.join(case.args)}")
            for p in outcome.problems:
                print(f"    - {p}")
            tail = outcome.stderr.strip().splitlines()[-6:]
            print("    | " + "\n    | ".join(tail))
            sys.stdout.flush()
    print(f"{opts.cases} cases (seed {opts.seed}): {failures} failed; exit codes {codes}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
