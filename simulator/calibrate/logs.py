"""Reading call logs: one entry point, `read_log`, for every export callsim knows.

Formats (`--format`):

- ``schema``: a CSV or Parquet file already in callsim's log schema
  (`simulator.calibrate.schema`); `day` may be left out if `arrival` is a timestamp.
- ``callsim``: the ``calls.csv`` that ``callsim run --out`` writes (each replication a
  day, dated from 2001-01-01, a Monday; times from the day's `open`, read from the
  file's interval starts).
- ``anonymous-bank``: the Technion SEE Center's Anonymous Bank log.
- ``auto`` (default): told apart by the file's columns.

Any other export reads as ``schema`` with a column mapping: ``{"arrival": "CallStart",
"wait": "QueueSecs", ...}`` renames the export's columns to the schema's, and
``{"answered": "ANS", ...}`` maps its outcome codes.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.clock import clock_minutes
from .anonymous_bank import FIELDS, read_anonymous_bank
from .schema import COLUMNS, LONGEST, OUTCOMES, CallLog, LogError, check, finish

FORMATS = ("auto", "schema", "callsim", "anonymous-bank")
CALLSIM_FIRST_DAY = pd.Timestamp("2001-01-01")  # a Monday
_CALLSIM_COLUMNS = ("replication", "arrival_s", "outcome", "wait_s", "answer_s", "talk_s")


def _table(path: Path, text: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame (columns `text` read as text: ids keep
    their digits), or LogError."""
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=dict.fromkeys(text, str))
    except (OSError, ValueError, ImportError) as exc:
        raise LogError([f"{path}: cannot read ({exc})"]) from exc


def _sniff(path: Path) -> str:
    """The format of `path` from its header line (or Parquet schema)."""
    if path.suffix.lower() in (".parquet", ".pq"):
        columns = list(_table(path).columns)
    else:
        try:
            with path.open(encoding="utf-8-sig", errors="replace") as f:  # BOM: Excel's
                header = f.readline()
        except OSError as exc:
            raise LogError([f"{path}: cannot read ({exc.strerror or exc})"]) from exc
        columns = [c.strip() for c in header.replace("\t", ",").split(",")]
    if all(f in columns for f in FIELDS[:6]):
        return "anonymous-bank"
    if all(c in columns for c in _CALLSIM_COLUMNS):
        return "callsim"
    return "schema"


def read_log(
    path: str | Path,
    format: str = "auto",
    columns: dict[str, str] | None = None,
    outcomes: dict[str, str] | None = None,
    open: str | None = None,
) -> CallLog:
    """Read a per-call log into callsim's schema (see the module docstring).

    `columns` maps schema names to the export's column names, `outcomes` schema outcomes
    to the export's codes; `open` is the clock time callsim's day starts (format callsim;
    default: read from the file's interval starts).
    Raises LogError with one line per problem.
    """
    path = Path(path)
    if format not in FORMATS:
        raise LogError([f"--format: unknown format {format!r} (one of {', '.join(FORMATS)})"])
    if not path.is_file():
        what = "a directory, not a log file" if path.is_dir() else "no such file"
        raise LogError([f"{path}: {what}"])
    kind = _sniff(path) if format == "auto" else format
    if kind == "anonymous-bank":
        return read_anonymous_bank(path)
    names = columns or {}
    table = _table(path, tuple(names.get(c, c) for c in ("agent", "customer", "queue")))
    if kind == "callsim":
        return _from_callsim(table, str(path), clock_minutes(open) * 60.0 if open else None)
    return _from_schema(table, str(path), columns or {}, outcomes or {})


def _from_schema(
    table: pd.DataFrame, source: str, columns: dict[str, str], outcomes: dict[str, str]
) -> CallLog:
    missing = [f"{source}: no column {col!r} (for {name})" for name, col in columns.items()]
    missing = [m for m, col in zip(missing, columns.values()) if col not in table.columns]
    if missing:
        raise LogError(missing)
    clash = [n for n, col in columns.items() if n in table.columns and n != col]
    if clash:  # two columns of one name: the file's own and the one mapped to it
        raise LogError(
            [f"--columns: {n}={columns[n]}: {source} has a column {n!r} too" for n in clash]
        )
    table = table.rename(columns={col: name for name, col in columns.items()})
    quirks: dict[str, int] = {"rows read": len(table)}
    seconds = "arrival" in table and pd.api.types.is_numeric_dtype(table["arrival"])
    if "day" not in table and seconds:
        raise LogError(  # seconds are not timestamps (pandas would read nanoseconds)
            [f"{source}: no column 'day' (required when arrival is in seconds; map one "
             f"with --columns, or give arrival as date and time)"]
        )  # fmt: skip
    if "day" not in table and "arrival" in table:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            stamps = pd.to_datetime(table["arrival"], errors="coerce")
        table["day"] = stamps.dt.normalize()
        table["arrival"] = (stamps - table["day"]).dt.total_seconds()
    required = [c for c in ("day", "arrival", "outcome", "wait") if c not in table]
    if required:
        raise LogError(
            [f"{source}: no column {c!r} (required; map one with --columns)" for c in required]
        )
    if outcomes:
        table["outcome"] = table["outcome"].replace({v: k for k, v in outcomes.items()})
    if pd.api.types.is_numeric_dtype(table["day"]):  # pandas: nanoseconds after 1970
        first = table["day"].iloc[0] if len(table) else ""
        raise LogError(
            [f"{source}: day: numbers, not dates (first: row 2, {first}); write each "
             f"day as a date, e.g. 2024-01-31"]
        )  # fmt: skip
    with warnings.catch_warnings():  # mixed formats: parsed one by one, NaT if not a day
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # a day of 'inf': NaT
        table["day"] = pd.to_datetime(table["day"], errors="coerce")
    if "queue" not in table:
        table["queue"] = "calls"
    if "priority" not in table:
        table["priority"] = 0
    unreadable = table["day"].isna() | pd.to_numeric(table["arrival"], errors="coerce").isna()
    quirks["rows left out (no readable day or arrival)"] = int(unreadable.sum())
    left_out = table[unreadable].assign(reason="unreadable")
    table = table[~unreadable].copy()
    for name in ("agent", "customer"):
        if name in table:
            table[name] = table[name].fillna("").astype(str)
    check(table, source, LONGEST)
    keep = [c for c in table.columns if c in COLUMNS]
    return CallLog(finish(table[keep].copy()), source, "schema", quirks, left_out)


def _from_callsim(table: pd.DataFrame, source: str, open_s: float | None) -> CallLog:
    """callsim's own calls.csv: each replication a day; acw = handle - talk. The day
    opens at `open_s` (seconds after midnight), or, if None, at the clock `start` of
    the file's first interval (midnight if it has none)."""
    missing = [c for c in _CALLSIM_COLUMNS if c not in table]
    if missing:
        raise LogError([f"{source}: not a callsim calls.csv: no column {', '.join(missing)}"])
    if open_s is None:
        starts = table.loc[table["interval"] == 0, "start"] if "start" in table else None
        has = starts is not None and len(starts) > 0
        open_s = clock_minutes(str(starts.iloc[0])) * 60.0 if has and starts is not None else 0.0
    answered = table["outcome"] == "answered"
    calls = pd.DataFrame(
        {
            "day": CALLSIM_FIRST_DAY + pd.to_timedelta(table["replication"], unit="D"),
            "arrival": open_s + table["arrival_s"],
            "queue": table.get("queue", "calls"),
            "priority": 0,
            "outcome": table["outcome"],
            "wait": table["wait_s"],
            "answer": (open_s + table["answer_s"]).where(answered),
            "talk": table["talk_s"].where(answered),
            "acw": (table["handle_s"] - table["talk_s"]).where(answered),
            "agent": table["agent"].fillna("").astype(str) if "agent" in table else "",
            "customer": table["customer"].astype(str) if "customer" in table else "",
        }
    )
    check(calls, source)
    quirks = {
        "rows read": len(table),
        "answered calls with no agent id": int(
            answered.sum() if "agent" not in table else (calls["agent"][answered] == "").sum()
        ),
    }
    return CallLog(finish(calls), source, "callsim", quirks, table.iloc[0:0])


def parse_mapping(text: str | None, option: str) -> dict[str, str]:
    """'arrival=CallStart,wait=QueueSecs' -> {'arrival': 'CallStart', ...}; LogError if bad."""
    if not text:
        return {}
    pairs = [p.split("=", 1) for p in text.split(",") if p.strip()]
    bad = [p[0] for p in pairs if len(p) != 2 or not p[1].strip()]
    if bad:
        raise LogError([f"{option}: expected name=column pairs, got {', '.join(bad)}"])
    known = set(COLUMNS) if option == "--columns" else set(OUTCOMES)
    unknown = [k.strip() for k, _ in pairs if k.strip() not in known]
    if unknown:
        raise LogError(
            [f"{option}: unknown name {', '.join(unknown)} (one of {', '.join(sorted(known))})"]
        )
    return {k.strip(): v.strip() for k, v in pairs}


def write_log(log: CallLog, path: str | Path) -> Path:
    """Write the log in callsim's schema, as Parquet (.parquet) or CSV (anything else)."""
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        log.calls.to_parquet(path, index=False)
    else:
        log.calls.to_csv(path, index=False, float_format="%.6g")
    return path


def interval_of(calls: pd.DataFrame, open_s: float, length_s: float) -> np.ndarray:
    """Index of the interval (from `open_s`, of `length_s` seconds) of each arrival."""
    return np.floor((calls["arrival"].to_numpy() - open_s) / length_s).astype(int)
