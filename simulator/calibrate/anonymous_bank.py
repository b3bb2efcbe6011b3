"""The Anonymous Bank format (Technion SEE Center, 1999): tab-separated, one row per call
that entered the voice response unit (VRU), clock times without dates.

How a row becomes a call of the schema (`simulator.calibrate.schema`):

- `outcome` AGENT is answered; HANG after `q_start` is abandoned (wait `q_time`), HANG
  without queue times ended in the VRU (self-service, never offered to agents); PHANTOM
  rows are virtual calls, left out (the data set's documentation says to ignore them).
- The caller asks for an agent at `q_start`, or, for an answered call with no queue
  times (put through at once), at `ser_start` with wait 0.
- Clock times more than 12 h before `vru_entry` passed midnight: they count from the next
  midnight (a few rows have a VRU exit seconds before entry: clock skew, kept).
- `ser_time` is the handle time (the log does not split talk, hold and after-call work;
  it is reported as `talk`); `server` NO_SERVER is no agent ("" in the schema).
- A malformed row whose `priority` holds two fields ("0  NW": a separator lost) is
  realigned by shifting its later fields back; a row that still cannot be read is left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .schema import CallLog, LogError, finish

FIELDS = (
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
_CLOCKS = ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")
_OUTCOMES = ("AGENT", "HANG", "PHANTOM")
_DAY = 86_400.0


def _read_raw(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise LogError([f"{path}: cannot read ({exc})"]) from exc
    raw.columns = [c.strip() for c in raw.columns]
    missing = [f for f in FIELDS if f not in raw.columns]
    if missing:
        raise LogError([f"{path}: not an Anonymous Bank log: no column {', '.join(missing)}"])
    return raw[list(FIELDS)].apply(lambda c: c.str.strip())


def _realign(raw: pd.DataFrame) -> pd.Series:
    """Repair rows whose priority field swallowed the type ("0  NW"); returns the mask."""
    merged = raw["priority"].str.contains(r"\s", regex=True)
    if merged.any():
        at = FIELDS.index("priority")
        for i in np.flatnonzero(merged.to_numpy()):
            row = raw.iloc[i].tolist()
            head = row[at].split()
            fixed = row[:at] + head + row[at + 1 : -1]  # the last field was empty
            raw.iloc[int(i)] = fixed[: len(FIELDS)]
    return merged


def _clock_seconds(text: pd.Series) -> pd.Series:
    """'H:MM:SS' -> seconds after midnight (NaN where it is not a clock time)."""
    parts = text.str.extract(r"^([0-9]{1,2}):([0-9]{2}):([0-9]{2})$").astype(float)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def _unreadable(raw: pd.DataFrame) -> pd.Series:
    bad = ~raw["date"].str.fullmatch(r"[0-9]{6}") | ~raw["outcome"].isin(_OUTCOMES)
    bad |= pd.to_datetime("19" + raw["date"], format="%Y%m%d", errors="coerce").isna()
    for name in _CLOCKS:
        bad |= _clock_seconds(raw[name]).isna()
    for name in ("priority", "q_time", "ser_time"):
        bad |= ~raw[name].str.fullmatch(r"[0-9]+")
    bad |= ~raw["vru_time"].str.fullmatch(r"-?[0-9]+")
    return bad


def read_anonymous_bank(path: str | Path) -> CallLog:
    """Read an Anonymous Bank log into callsim's schema, counting every quirk."""
    path = Path(path)
    raw = _read_raw(path)
    quirks: dict[str, int] = {"rows read": len(raw)}
    merged = _realign(raw)
    quirks["malformed rows (shifted columns) realigned"] = int(merged.sum())
    unreadable = _unreadable(raw)
    phantom = ~unreadable & (raw["outcome"] == "PHANTOM")
    quirks["malformed rows left out (unreadable after realigning)"] = int(unreadable.sum())
    quirks["PHANTOM rows left out (virtual calls)"] = int(phantom.sum())
    left_out = raw[unreadable | phantom].assign(
        reason=np.where(unreadable[unreadable | phantom], "unreadable", "phantom")
    )
    rows = raw[~unreadable & ~phantom]
    calls, more = _calls(rows)
    quirks |= more
    return CallLog(finish(calls), str(path), "anonymous-bank", quirks, left_out)


def _calls(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Schema rows from readable, non-phantom rows, and the quirks met on the way."""
    t = {name: _clock_seconds(rows[name]) for name in _CLOCKS}
    entry = t["vru_entry"]
    # a clock time more than 12 hours before the VRU entry happened after midnight
    # (a few seconds before it is the VRU's clock skew: see `_skewed`)
    wrapped = pd.Series(False, index=rows.index)
    for name in _CLOCKS[1:]:
        late = (rows[name] != "0:00:00") & (t[name] < entry - _DAY / 2)
        t[name] = t[name].where(~late, t[name] + _DAY)
        wrapped |= late
    queued = rows["q_start"] != "0:00:00"
    answered = rows["outcome"] == "AGENT"
    outcome = np.select(
        [answered, queued], ["answered", "abandoned"], default="self_service"
    )  # HANG: in queue, or in the VRU
    direct = answered & ~queued
    arrival = t["q_start"].where(queued, t["ser_start"].where(direct, t["vru_exit"]))
    wait = rows["q_time"].astype(float).where(queued, 0.0)
    no_agent = answered & (rows["server"] == "NO_SERVER")
    calls = pd.DataFrame(
        {
            "day": pd.to_datetime("19" + rows["date"], format="%Y%m%d"),
            "arrival": arrival,
            "queue": rows["type"],
            "priority": rows["priority"].astype(int),
            "outcome": outcome,
            "wait": wait,
            "answer": t["ser_start"].where(answered),
            "talk": rows["ser_time"].astype(float).where(answered),
            "agent": rows["server"].where(answered & ~no_agent, ""),
            "customer": rows["customer_id"].where(rows["customer_id"] != "0", ""),
        }
    )
    quirks = {
        "VRU exit before VRU entry (clock skew; kept, times as logged)": int(
            (rows["vru_time"].astype(int) < 0).sum()
        ),
        "times past midnight (counted from the next midnight)": int(wrapped.sum()),
        "answered calls with no queue times (put through at once: wait 0)": int(direct.sum()),
        "answered calls served by the NO_SERVER pseudo-agent (agent unknown)": int(no_agent.sum()),
        "HANG in the VRU, never queued (self-service, not offered to agents)": int(
            (~answered & ~queued).sum()
        ),
        "abandoned calls with a wait of 0 s": int((~answered & queued & (wait == 0)).sum()),
        "answered calls with a service time of 0 s": int(
            (answered & (rows["ser_time"] == "0")).sum()
        ),
    }
    return calls, quirks
