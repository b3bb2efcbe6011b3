"""The sixth session's bad-input campaign: wider and nastier than tests/fuzz_campaign.py
(whose Case, materialise and judge it reuses), run in process.

New generators: a scenario's text mutated below the data (numbers spelled the ways
YAML 1.1 reads them, tags, anchors and merge keys, documents, encodings, look-alike
names), call logs for `calibrate` and `backtest` (the Anonymous Bank export and the
schema CSV: cut rows, time going backwards, one call, days where nobody is answered
or everybody is, wrong types, encodings), and option combinations that should work.
Besides the promise `judge` checks, an accepted `--json` answer must be sane
(`sane`): offered = blocked + answered + abandoned wherever a table gives all four,
fractions within 0-1, every CI holding its mean and no negative count or time.

`python tests/fuzz_wide.py --cases 300 --seed 1` runs a campaign and prints the
failures by kind; tests/test_misuse6.py runs a seeded few in the suite.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from fuzz_campaign import ROOT, SCENARIOS, Case, Outcome, _get, _set, run_inside
from fuzz_campaign import cases as campaign_cases
from test_fuzz import leaves

BANK = ROOT / "data" / "anonymous_bank" / "october_1999.txt"
FRACTIONS = {
    "service_level",
    "abandon_rate",
    "blocked_rate",
    "occupancy",
    "fcr",
    "transfer_rate",
    "escalation_rate",
}
COUNTS = {"offered", "answered", "abandoned", "blocked", "accepted", "asa", "aht", "agents"}
SMALL = ("single_queue.yaml", "multi_skill.yaml")
SEEDS = (*SMALL, "peak_day.yaml", "sharp_peak.yaml", "bank_journeys.yaml", "week.yaml")
SEEDS += ("week_247.yaml",)

# How a number may be spelled in a file (YAML 1.1: some are text, some are not numbers).
SPELLINGS = ["1e3", "1.0e3", "0x1F", "0o17", "017", "1_000", "+5", ".5", "5.", "-0", "1e-320"]
SPELLINGS += ["1.0e309", ".NaN", "-.inf", "~", "null", "yes", "off", "1:30", "2026-12-07"]
SPELLINGS += ['"180"', "[180]", "{a: 1}", "!!float 180", "!!str 180", "!!int '7'", "&x 3"]
SPELLINGS += ["180 # c", "!!binary aGVsbG8=", "!!timestamp 2001-12-14", "!foo 3", "*nowhere"]
# Whole-file damage below the data.
TEXTS = ["tags", "merge", "alias_queue", "documents", "crlf", "tabs", "nul", "latin1"]
TEXTS += ["bom", "utf16", "lookalike", "rtl", "long_line", "huge_list", "comment_only"]
TEXTS += ["set", "omap", "python", "key_types", "empty_key", "null_key"]


def _scenario(name: str) -> dict:
    return yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8"))


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _command(rng: random.Random, name: str, file: str = "s.yaml") -> list[str]:
    small = name in SMALL
    choices = ["validate"] * 2 + (["run", "staff", "compare"] if small else [])
    command = rng.choice(choices)
    return [command, file] + {
        "run": ["-r", "2", "--json", "-q"],
        "staff": ["--json", "-q"],
        "compare": ["-r", "2", "--json", "-q"],
    }.get(command, [])


def _numbers(data: Any) -> list[tuple]:
    return [
        p
        for p in leaves(data)
        if isinstance(_get(data, p), int | float) and not isinstance(_get(data, p), bool)
    ]


def spelling_case(rng: random.Random) -> Case:
    """A number of a shipped scenario spelled another way (as YAML 1.1 reads it)."""
    name = rng.choice(SEEDS)
    data = _scenario(name)
    path = rng.choice(_numbers(data))
    spelled = rng.choice(SPELLINGS)
    _set(data, path, "@@N@@")
    text = _dump(data).replace("'@@N@@'", spelled)
    title = f"{name}: {'.'.join(map(str, path))}: {spelled}"
    words = tuple(str(k) for k in path if not isinstance(k, int)) + ("s.yaml", "line")
    files = {"s.yaml": text.encode("utf-8")}
    files |= _forecast_beside(data)
    return Case(title, _command(rng, name), files, words)


def _forecast_beside(data: dict) -> dict[str, bytes | None]:
    ref = data.get("forecast")
    return {ref: (SCENARIOS / ref).read_bytes()} if isinstance(ref, str) else {}


def text_case(rng: random.Random) -> Case:
    """A shipped scenario's file damaged below the data: tags, aliases, encodings."""
    name = rng.choice(SEEDS)
    data = _scenario(name)
    text = _dump(data)
    kind = rng.choice(TEXTS)
    queue = next(iter(data["queues"]))
    raw: bytes | None = None
    if kind == "tags":
        text = text.replace("queues:", "queues: !!map", 1)
    elif kind == "merge":
        text = text.replace(f"  {queue}:", f"  {queue}: &base", 1) + "extra: {<<: *base}\n"
    elif kind == "alias_queue":
        text = text.replace(f"  {queue}:", f"  {queue}: &q", 1)
        text = text.replace("queues:", "queues:\n  twin: *q", 1)
    elif kind == "documents":
        text = text + "---\n" + text
    elif kind == "crlf":
        raw = text.replace("\n", "\r\n").encode()
    elif kind == "tabs":
        text = text.replace("  ", "\t", 3)
    elif kind == "nul":
        raw = text.encode()[:100] + b"\x00" + text.encode()[100:]
    elif kind == "latin1":
        raw = text.replace("name:", "name: caf\u00e9 ", 1).encode("latin-1", "replace")
    elif kind == "bom":
        raw = b"\xef\xbb\xbf" + text.encode()
    elif kind == "utf16":
        raw = text.encode("utf-16")
    elif kind == "lookalike":  # the same name twice, NFC and NFD
        text = text.replace("queues:", "queues:\n  caf\u00e9: {volumes: [1]}\n  cafe\u0301: {}", 1)
    elif kind == "rtl":
        text = text.replace(f"  {queue}:", f"  {queue}\u202e\u200b:", 1)
    elif kind == "long_line":
        text = text.replace("name:", "name: " + "x" * 2_000_000, 1)
    elif kind == "huge_list":
        text = text.replace("volumes:", "volumes: [" + "1," * 300_000 + "1]\n    old:", 1)
    elif kind == "comment_only":
        text = "# nothing here\n" * 3
    elif kind == "set":
        text = text.replace("queues:", "queues: !!set", 1)
    elif kind == "omap":
        text = text.replace("agents:", "agents: !!omap", 1)
    elif kind == "python":
        text = text.replace("name:", "name: !!python/name:os.system", 1)
    elif kind == "key_types":
        text = text.replace(f"  {queue}:", "  [a, b]:", 1)
    elif kind == "empty_key":
        text = text.replace(f"  {queue}:", '  "":', 1)
    elif kind == "null_key":
        text = text.replace(f"  {queue}:", "  ~:", 1)
    files = {"s.yaml": raw if raw is not None else text.encode("utf-8")}
    files |= _forecast_beside(data)
    words = ("s.yaml", "queues", "agents", "name", "(top level)", "extra", "twin", "caf")
    return Case(f"{name}: {kind}", _command(rng, name), files, words)


# ---------------------------------------------------------------- call logs


def _bank_rows() -> tuple[bytes, list[bytes]]:
    lines = BANK.read_bytes().split(b"\n")
    return lines[0], [r for r in lines[1:] if r.strip()]


def _bank_days(rows: list[bytes], days: int) -> list[bytes]:
    dates = sorted({r.split(b"\t")[5] for r in rows})[:days]
    return [r for r in rows if r.split(b"\t")[5] in dates]


def _field(row: bytes, i: int, value: bytes) -> bytes:
    cells = row.split(b"\t")
    if i < len(cells):
        cells[i] = value
    return b"\t".join(cells)


BANK_CELLS = [b"", b"x", b"-1", b"99:99:99", b"24:00:00", b"1e9", b"nan", b"991332", b"000000"]
BANK_CELLS += [b"7:5:3", b"-0:00:01", b"\xe9", b"AGENT", b"PHANTOM", b"HANG", b"0  NW", b"1.5"]


def bank_log(rng: random.Random) -> tuple[str, bytes]:
    """A mutated Anonymous Bank log of a day or three."""
    head, rows = _bank_rows()
    rows = _bank_days(rows, rng.choice([1, 1, 2, 3]))
    kind = rng.choice(
        ["cell", "cell", "cut", "backwards", "reverse", "one", "abandoned", "answered"]
        + ["zero_handle", "dup", "drop_col", "bytes", "ragged", "no_agents", "midnight"]
    )
    if kind == "cell":
        col, value = rng.randrange(17), rng.choice(BANK_CELLS)
        every = rng.choice([1, 3, 50])
        rows = [_field(r, col, value) if i % every == 0 else r for i, r in enumerate(rows)]
        kind = f"column {col} = {value!r} every {every}"
    elif kind == "cut":
        rows = [r[: rng.randrange(len(r))] if rng.random() < 0.2 else r for r in rows]
    elif kind == "backwards":  # exits before entries, service ending before it starts
        pairs = [(6, 7), (9, 10), (13, 14)]
        a, b = rng.choice(pairs)
        rows = [_swap(r, a, b) for r in rows]
    elif kind == "reverse":
        rows = rows[::-1]
    elif kind == "one":
        rows = [rng.choice([r for r in rows if b"\tAGENT\t" in r] or rows)]
    elif kind == "abandoned":
        rows = [r for r in rows if b"\tHANG\t" in r]
    elif kind == "answered":
        rows = [r for r in rows if b"\tAGENT\t" in r]
    elif kind == "zero_handle":
        rows = [_field(r, 15, b"0") for r in rows]
    elif kind == "dup":
        rows = rows + rows
    elif kind == "drop_col":
        col = rng.randrange(17)
        head = b"\t".join(c for i, c in enumerate(head.split(b"\t")) if i != col)
        rows = [b"\t".join(c for i, c in enumerate(r.split(b"\t")) if i != col) for r in rows]
    elif kind == "ragged":
        rows = [r + b"\tX" if i % 5 == 0 else r for i, r in enumerate(rows)]
    elif kind == "no_agents":
        rows = [_field(r, 16, b"NO_SERVER") for r in rows]
    elif kind == "midnight":
        rows = [_field(r, 9, b"23:59:59") if b"\tHANG\t" in r else r for r in rows]
    content = b"\n".join([head, *rows]) + b"\n"
    if kind == "bytes":
        choice = rng.choice(["bom", "crlf", "utf16", "empty", "header", "nul", "cr"])
        kind = f"bytes {choice}"
        content = {
            "bom": b"\xef\xbb\xbf" + content,
            "crlf": content.replace(b"\n", b"\r\n"),
            "utf16": content.decode("utf-8", "replace").encode("utf-16"),
            "empty": b"",
            "header": head + b"\n",
            "nul": content[:300] + b"\x00" + content[300:],
            "cr": content.replace(b"\n", b"\r"),
        }[choice]
    return f"bank {kind}", content


def _swap(row: bytes, a: int, b: int) -> bytes:
    cells = row.split(b"\t")
    cells[a], cells[b] = cells[b], cells[a]
    return b"\t".join(cells)


SCHEMA_HEADER = ["day", "arrival", "queue", "priority", "outcome", "wait", "talk", "hold", "acw"]
SCHEMA_CELLS = ["", "x", "-1", "inf", "-inf", "nan", "1e300", "1e9", "1.5", "2024-02-30", "7"]
SCHEMA_CELLS += ["answered", "ANSWERED", "blocked", "99999999999999999999", "0x10", "1,5"]


def schema_log(rng: random.Random) -> tuple[str, bytes]:
    """A call log in callsim's schema (CSV), mutated."""
    days = rng.choice([1, 2, 3])
    rows = []
    for i in range(rng.choice([1, 5, 300, 900])):
        outcome = rng.choice(["answered"] * 6 + ["abandoned", "blocked", "self_service"])
        talk = f"{rng.expovariate(1 / 180):.1f}" if outcome == "answered" else ""
        rows.append(
            [
                f"2024-01-{1 + i % days:02d}",
                f"{28800 + rng.uniform(0, 8 * 3600):.1f}",
                rng.choice(["sales", "support"]),
                rng.choice(["0", "0", "1"]),
                outcome,
                f"{rng.expovariate(1 / 30):.1f}" if outcome != "blocked" else "0",
                talk,
                "0" if talk else "",
                "10" if talk else "",
            ]
        )
    header = list(SCHEMA_HEADER)
    kind = rng.choice(["cell", "cell", "column", "header", "dup", "sorted", "stamp", "outcome"])
    if kind == "cell" and rows:
        col, value = rng.randrange(len(header)), rng.choice(SCHEMA_CELLS)
        every = rng.choice([1, 4, 97])
        for i, r in enumerate(rows):
            if i % every == 0:
                r[col] = value
        kind = f"{header[col]} = {value!r} every {every}"
    elif kind == "column":
        col = rng.randrange(len(header))
        kind = f"no column {header.pop(col)}"
        rows = [r[:col] + r[col + 1 :] for r in rows]
    elif kind == "header":
        col = rng.randrange(len(header))
        header[col] = rng.choice(["Day", " arrival", "", "wait", "x"])
        kind = f"header {col} -> {header[col]!r}"
    elif kind == "dup":
        rows = rows + rows
    elif kind == "sorted":
        rows.sort(key=lambda r: r[1], reverse=True)
    elif kind == "stamp":  # arrival as a timestamp, no day column
        header = header[1:]
        rows = [
            [f"{r[0]} {float(r[1]) // 3600:02.0f}:{rng.randrange(60):02d}:07"] + r[2:] for r in rows
        ]
    elif kind == "outcome":
        value = rng.choice(["answered", "abandoned", "blocked", "self_service"])
        for r in rows:
            r[4] = value
        kind = f"every outcome {value}"
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    return f"schema {kind}", text.encode("utf-8")


def log_case(rng: random.Random) -> Case:
    """calibrate (or backtest) of a damaged log."""
    title, content = bank_log(rng) if rng.random() < 0.6 else schema_log(rng)
    name = "log.txt" if title.startswith("bank") else "log.csv"
    files: dict[str, bytes | None] = {name: content}
    if rng.random() < 0.65:
        args = ["calibrate", name, "--out", "c.yaml"]
        args += rng.choice([[], [], ["--replay"], ["--interval-minutes", "15"], ["--json"]])
        args += rng.choice([[], [], ["--weekdays", "fri"], ["--service-level", "30/0.9"]])
    else:
        seed = rng.choice(["single_queue.yaml", "single_queue.yaml", "multi_skill.yaml"])
        files["s.yaml"] = (SCENARIOS / seed).read_bytes()
        args = ["backtest", name, "s.yaml", "-r", "2"] + rng.choice([[], ["--json"]])
    return Case(f"{args[0]} {title}", args, files, (name, "--interval-minutes"), timeout=180)


# ---------------------------------------------------------------- combinations


def combo_case(rng: random.Random) -> Case:
    """Options that should work together (or be refused by name), on small scenarios."""
    name = rng.choice(SMALL)
    data = _scenario(name)
    queue = rng.choice([*data["queues"], "nobody"])
    command = rng.choice(["run", "run", "staff", "compare"])
    args = [command, "s.yaml", "--json", "-q"]
    pool: list[list[str]] = [
        ["--volume-scale", rng.choice(["0.1", "0.5", "2", "10", "10.0001"])],
        ["--engine", rng.choice(["simpy", "fast", "auto"])],
        ["--seed", str(rng.choice([0, 1, 2**31, 2**63 - 1]))],
        ["--workers", str(rng.choice([1, 2, 3]))],
        ["--executor", rng.choice(["serial", "processes"])],
    ]
    if command == "run":
        pool += [
            ["-r", str(rng.choice([2, 3, 7]))],
            ["--queue", queue],
            ["--aht-scale", rng.choice(["0.1", "0.9", "3"])],
            ["--columns", rng.choice(["service_level,asa", "asa", "occupancy,cost"])],
        ]
    elif command == "staff":
        pool += [
            ["--method", rng.choice(["erlang-c", "erlang-a", "simulation"])],
            ["--busyness-cv", rng.choice(["0.05", "0.3"])],
            ["--days-meeting", rng.choice(["0.5", "0.9"])],
            ["--chance-per", rng.choice(["interval", "day"])],
            ["--fte-hours", rng.choice(["1", "37.5", "168"])],
        ]
    else:
        pool += [
            ["-r", str(rng.choice([2, 3]))],
            ["--method", rng.choice(["erlang-c", "erlang-a"])],
            ["--what-if", rng.choice(["volume=1.1", "aht=0.9", "agents=+1", "agents=-1"])],
        ]
    for extra in rng.sample(pool, rng.randint(1, 3)):
        args += extra
    if "-r" not in args and command != "staff":
        args += ["-r", "2"]
    if "simulation" in args:  # the search simulates: a small day only
        data = _scenario("single_queue.yaml")
        args += ["--search-seed", "3"]
    words = tuple(a for a in args if a.startswith("--")) + ("s.yaml",)
    return Case(f"{' '.join(args)}", args, {"s.yaml": _dump(data).encode()}, words, timeout=300)


def horizon_case(rng: random.Random) -> Case:
    """Tiny and odd days: one interval, a day ending at midnight, a horizon of a day."""
    data = copy.deepcopy(_scenario("single_queue.yaml"))
    q = data["queues"]["general"]
    g = data["agents"]["team"]
    kind = rng.choice(["one", "midnight", "horizon1", "zero_volume", "zero_agents", "hours"])
    if kind == "one":
        q["volumes"], g["staffing"] = [100], [14]
    elif kind == "midnight":
        data["open"] = rng.choice(["22:00", "23:00", "23:30"])
    elif kind == "horizon1":
        data["horizon"] = {"start": "2026-12-07", "days": 1, "close": "08:30"}
        q["volumes"], g["staffing"] = [100], [14]
    elif kind == "zero_volume":
        q["volumes"] = [0] * 4
    elif kind == "zero_agents":
        g["staffing"] = [0] * 4
    else:
        data["horizon"] = {
            "start": "2026-12-05",
            "days": 2,
            "close": "10:00",
            "hours": {"sat": {"open": "08:00", "close": "08:30"}, "sun": "closed"},
        }
    return Case(
        f"horizon {kind}",
        _command(rng, "single_queue.yaml"),
        {"s.yaml": _dump(data).encode()},
        ("s.yaml", "horizon", "open", "volumes", "staffing"),
    )


GENERATORS: list[Callable[[random.Random], Case]] = [
    spelling_case,
    spelling_case,
    text_case,
    text_case,
    log_case,
    log_case,
    log_case,
    combo_case,
    combo_case,
    horizon_case,
]


def cases(seed: int, n: int, generators: list | None = None) -> list[Case]:
    """`n` cases of this campaign's generators (fuzz_campaign.cases draws them)."""
    return campaign_cases(seed, n, generators or GENERATORS)


# ---------------------------------------------------------------- sane answers


def _records(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _records(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _records(v, f"{path}[{i}]")


def _mean(x: Any) -> float | None:
    if isinstance(x, dict) and "mean" in x:
        x = x["mean"]
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def sane(text: str) -> list[str]:
    """What is wrong with an accepted `--json` answer (empty: nothing)."""
    problems: list[str] = []
    for path, node in _records(json.loads(text)):
        if not isinstance(node, dict) or "difference" in path:  # differences: any sign
            continue
        key = path.rsplit(".", 1)[-1]
        if "ci95" in node and isinstance(node["ci95"], list) and node.get("mean") is not None:
            low, high = node["ci95"]
            if low is not None and high is not None and not low <= node["mean"] <= high:
                problems.append(f"{path}: mean {node['mean']} outside its CI {node['ci95']}")
            lo = 0.0 if key in FRACTIONS | COUNTS else None
            hi = 1.0 if key in FRACTIONS else None
            for v in (node["mean"], low, high):
                if v is not None and (
                    (lo is not None and v < lo - 1e-9) or (hi is not None and v > hi + 1e-9)
                ):
                    problems.append(f"{path}: {v} out of range")
                    break
        parts = [_mean(node.get(k)) for k in ("offered", "blocked", "answered", "abandoned")]
        if all(p is not None for p in parts):
            offered, *rest = parts
            lost = offered - sum(rest)  # type: ignore[operator,arg-type]
            if abs(lost) > 1e-4 * max(1.0, abs(offered)):  # type: ignore[arg-type]
                problems.append(f"{path}: offered {offered} != blocked+answered+abandoned {rest}")
    return problems[:5]


def run(case: Case, folder: Path) -> Outcome:
    """The case in process, `judge`'s checks and `sane`'s on an accepted JSON answer;
    a warning (numpy's, matplotlib's: printed on a user's terminal) is a problem too."""
    with warnings.catch_warnings(record=True) as seen:  # pytest's capture aside
        warnings.simplefilter("always")
        outcome = run_inside(case, folder)
    outcome.problems += [f"a warning: {w.category.__name__}: {w.message}" for w in seen][:3]
    if outcome.code == 0 and "--json" in case.args and not outcome.problems:
        try:
            outcome.problems += sane(outcome.stdout)
        except ValueError as exc:
            outcome.problems.append(f"--json output: {exc}")
    if "Warning:" in outcome.stderr:
        outcome.problems.append("a warning printed")
    return outcome


def kind_of(problem: str) -> str:
    for word in ("traceback", "still running", "exit code", "names none", "warning", "JSON"):
        if word in problem:
            return word
    return "changed file" if "changed" in problem or "removed" in problem else "insane output"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="run only generators whose name holds this")
    parser.add_argument("--folder", default="/tmp/callsim-fuzz-wide")
    opts = parser.parse_args()
    pool = [g for g in GENERATORS if not opts.only or opts.only in g.__name__]
    kinds: Counter[str] = Counter()
    codes: Counter[int | None] = Counter()
    failed = 0
    for i, case in enumerate(cases(opts.seed, opts.cases, pool)):
        outcome = run(case, Path(opts.folder) / "case")
        codes[outcome.code] += 1
        if outcome.problems:
            failed += 1
            kinds.update({kind_of(p) for p in outcome.problems})
            print(f"FAIL #{i} [{outcome.code}, {outcome.seconds:.1f} s] {case.title[:120]}")
            print(f"    callsim {' '.join(case.args)[:160]}")
            for p in outcome.problems:
                print(f"    - {p[:300]}")
            tail = outcome.stderr.strip().splitlines()[-4:]
            print("    | " + "\n    | ".join(t[:200] for t in tail))
            sys.stdout.flush()
    print(
        f"{opts.cases} cases (seed {opts.seed}): {failed} failed {dict(kinds)}; "
        f"exit codes {dict(codes)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
