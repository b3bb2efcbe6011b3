"""Tables of a run: the day's KPIs, per interval, per queue and per agent group (with
targets and misses), a horizon's days, the per-call records, and their data
dictionary (`TABLE_COLUMNS`, `CALL_COLUMNS`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ...kpi import flags
from ...kpi.registry import REGISTRY
from ...kpi.stats import confidence
from ...run.runner import SimulationResult
from .common import dated, unit

TABLE_COLUMNS = {
    "kpi": ("KPI key (definitions below, as 'kpi = ...')", ""),
    "unit": ("unit of mean, ci95_low and ci95_high", ""),
    "mean": ("mean over the replications (independent simulated days)", "see unit"),
    "ci95_low": ("lower end of the 95% Student-t confidence interval of the mean", "see unit"),
    "ci95_high": ("upper end of the 95% Student-t confidence interval of the mean", "see unit"),
    "interval": ("interval number, 0 = first reported interval (after any warm-up)", ""),
    "start": ("clock time at which the interval starts", "HH:MM"),
    "date": ("the interval's (or day's) date, in a horizon of days", "YYYY-MM-DD"),
    "label": ("the interval's day and start, e.g. 'Mon 12-07 08:00' (a day: 'Mon 12-07')", ""),
    "day": ("day number of the horizon, 0 = first reported day", ""),
    "queue": ("queue name; call figures are the queue's, agents and occupancy center-wide", ""),
    "group": (
        "agent group; its answered calls and their AHT, its occupancy (its busy ÷ its "
        "logged-in time), agents logged in and cost (its hours × cost_per_hour)",
        "",
    ),
    "target": (
        "the KPI's target in this interval (the queue's own, else the scenario's; empty: none)",
        "see unit",
    ),
    "misses_target": (
        "the mean is on the wrong side of the target (below a service level, above an ASA, "
        "abandon or occupancy target); empty without a target or without calls",
        "true/false",
    ),
}
CALL_COLUMNS = {
    "replication": ("simulated day, 0 = first", ""),
    "customer": ("caller id within the day (the same person across redials and repeats)", ""),
    "attempt": ("the customer's call number, 1 = first call", ""),
    "segment": ("the call's queue number, 1 = first queue (2+ after transfer or escalation)", ""),
    "queue": ("queue the call segment waited in", ""),
    "interval": (
        "interval of the arrival, 0 = the interval starting at open (warm-up intervals included)",
        "",
    ),
    "start": ("clock time at which that interval starts", "HH:MM"),
    "date": ("date of that interval, in a horizon of days", "YYYY-MM-DD"),
    "arrival_s": ("arrival in this queue, after open (a horizon: its first day's open)", "s"),
    "outcome": ("answered, abandoned (hung up while waiting) or blocked (busy signal)", ""),
    "wait_s": ("wait until answered or until the caller hung up", "s"),
    "agent_group": ("agent group that handled it (empty if not answered)", ""),
    "agent": (
        "the agent who handled it, GROUP-N, replayed from the records by the engine's "
        "routing (longest idle first; empty if not answered): what an ACD log would show",
        "",
    ),
    "answer_s": ("time the agent took the call, after open (empty if not answered)", "s"),
    "talk_s": ("caller with the agent: talk + hold (0 if not answered)", "s"),
    "handle_s": ("agent busy time: talk + hold + after-call work (0 if not answered)", "s"),
    "not_ready_s": (
        "the agent's not-ready time after this call's handle time (group not_ready; "
        "0 if not answered or the group is always ready)",
        "s",
    ),
    "next": ("where the call went after this segment: transfer, escalation, or empty", ""),
    "callback": ("answered by a call back (virtual hold)", "true/false"),
    "unresolved": (
        "served, but the customer will call again or gave up at the attempt cap",
        "true/false",
    ),
}
_JUDGED = ("mean", "ci95_low", "ci95_high", "target", "misses_target")
RUN_TABLES = {
    "summary.csv": ("kpi", "unit", "mean", "ci95_low", "ci95_high"),
    "intervals.csv": ("interval", "start", "kpi", "unit", *_JUDGED),
    "queues.csv": ("queue", "kpi", "unit", "mean", "ci95_low", "ci95_high"),
    "queue_intervals.csv": ("queue", "interval", "start", "kpi", "unit", *_JUDGED),
    "groups.csv": ("group", "kpi", "unit", "mean", "ci95_low", "ci95_high"),
    "group_intervals.csv": ("group", "interval", "start", "kpi", "unit", *_JUDGED[:3]),
}
# A horizon's run adds the interval's date and label, and a table per day.
HORIZON_TABLES = {
    "intervals.csv": ("interval", "date", "start", "label", "kpi", "unit", *_JUDGED),
    "queue_intervals.csv": ("queue", "interval", "date", "start", "label", "kpi", "unit",
                            *_JUDGED),
    "days.csv": ("day", "date", "label", "kpi", "unit", "mean", "ci95_low", "ci95_high"),
}  # fmt: skip


def summary_table(res: SimulationResult) -> pd.DataFrame:
    """The day's KPIs: kpi, unit, mean, ci95_low, ci95_high."""
    df = res.summary.reset_index()
    df.insert(1, "unit", [unit(k) for k in df["kpi"]])
    return df


def _interval_frame(
    res: SimulationResult, samples: Mapping[str, np.ndarray], queue: str | None
) -> pd.DataFrame:
    """One row per interval x KPI: interval, start, kpi, unit, mean, ci95_low,
    ci95_high, target and misses_target (`simulator.kpi.flags`)."""
    targets = flags.targeted(res.scenario, samples, queue)
    missing = flags.interval_misses(res.scenario, samples, queue)
    frames = []
    for kpi, v in samples.items():
        ci = confidence(v, kpi=kpi)
        judged = kpi in missing
        defined = np.isfinite(np.asarray(ci.mean, dtype=float))
        frames.append(
            pd.DataFrame(
                {
                    "interval": range(len(res.starts)),
                    "start": res.starts,
                    "kpi": kpi,
                    "unit": unit(kpi),
                    "mean": ci.mean,
                    "ci95_low": ci.low,
                    "ci95_high": ci.high,
                    "target": targets.get(kpi, np.nan),
                    "misses_target": pd.array(
                        [bool(m) if d else None for m, d in zip(missing[kpi], defined)]
                        if judged
                        else [None] * len(res.starts),
                        dtype="boolean",
                    ),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def interval_table(res: SimulationResult) -> pd.DataFrame:
    """One row per interval x KPI of the centre (columns: RUN_TABLES["intervals.csv"];
    a horizon: HORIZON_TABLES', with the interval's date and label)."""
    return _with_slots(res, _interval_frame(res, res.interval_samples, None))


def _with_slots(res: SimulationResult, df: pd.DataFrame) -> pd.DataFrame:
    """In a horizon, each row's date (after `interval`) and label (after `start`)."""
    return dated(res.scenario, df, res.scenario.simulation.warmup_intervals)


def queue_interval_table(res: SimulationResult) -> pd.DataFrame:
    """One row per queue x interval x KPI (columns: RUN_TABLES["queue_intervals.csv"];
    a horizon adds date and label as in intervals.csv)."""
    df = pd.concat(
        [
            _interval_frame(res, res.queue_interval_samples[q], q).assign(queue=q)
            for q in res.queue_interval_samples
        ],
        ignore_index=True,
    )[list(RUN_TABLES["queue_intervals.csv"])]
    return _with_slots(res, df)


def day_table(res: SimulationResult) -> pd.DataFrame:
    """A horizon's days, one row per day x KPI: day, date, label, kpi, unit, mean,
    ci95_low, ci95_high."""
    df = res.daily
    df["date"] = df["date"].astype(str)
    df.insert(4, "unit", [unit(k) for k in df["kpi"]])
    return df


def queue_table(res: SimulationResult) -> pd.DataFrame:
    """The day's KPIs per queue: queue, kpi, unit, mean, ci95_low, ci95_high."""
    return _per_name(res.queue_samples, "queues.csv")


def group_table(res: SimulationResult) -> pd.DataFrame:
    """The day's KPIs per agent group: group, kpi, unit, mean, ci95_low, ci95_high."""
    return _per_name(res.group_samples, "groups.csv")


def _per_name(samples: Mapping[str, Mapping[str, np.ndarray]], file: str) -> pd.DataFrame:
    """One row per name (queue or group) x KPI with its mean and 95% CI."""
    rows = [
        (name, k, unit(k), *(float(x) for x in confidence(v, kpi=k)))
        for name, kpis in samples.items()
        for k, v in kpis.items()
    ]
    return pd.DataFrame(rows, columns=list(RUN_TABLES[file]))


def group_interval_table(res: SimulationResult) -> pd.DataFrame:
    """Per agent group, interval and KPI (columns: RUN_TABLES["group_intervals.csv"])."""
    rows = []
    for g, samples in res.group_interval_samples.items():
        for k, v in samples.items():
            ci = confidence(v, kpi=k)
            rows += [
                (g, i, start, k, unit(k), ci.mean[i], ci.low[i], ci.high[i])
                for i, start in enumerate(res.starts)
            ]
    return pd.DataFrame(rows, columns=list(RUN_TABLES["group_intervals.csv"]))


def call_table(res: SimulationResult) -> pd.DataFrame:
    """The per-call records, with the clock time of each call's interval and the agent
    who handled it added (a new table: the result's own `calls` is left as it is)."""
    from ...calibrate.simulated import agent_ids

    calls = res.calls.copy()
    starts = np.array(res.scenario.interval_starts())
    at = list(calls.columns).index("interval") + 1
    calls.insert(at, "start", starts[calls["interval"].to_numpy()])
    if res.scenario.horizon is not None:
        dates = np.array([str(slot.date) for slot in res.scenario.calendar()])
        calls.insert(at, "date", dates[calls["interval"].to_numpy()])
    calls.insert(list(calls.columns).index("agent_group") + 1, "agent", agent_ids(res))
    return calls


def data_dictionary(
    kpis: Iterable[str], call_columns: Iterable[str], horizon: bool = False
) -> pd.DataFrame:
    """file, column, meaning, unit: every column of a run's tables (a `horizon`'s run:
    with its date and label columns and days.csv), and every KPI's definition (from
    the registry)."""
    files = RUN_TABLES | HORIZON_TABLES if horizon else RUN_TABLES
    rows = [(f, c, *TABLE_COLUMNS[c]) for f, columns in files.items() for c in columns]
    rows += [
        ("calls.csv", c, *CALL_COLUMNS.get(c, ("see simulator.run.runner", "")))
        for c in call_columns
    ]
    rows += [
        (
            ", ".join(files),
            f"kpi = {k}",
            REGISTRY[k].definition if k in REGISTRY else "",
            unit(k),
        )
        for k in kpis
    ]
    return pd.DataFrame(rows, columns=["file", "column", "meaning", "unit"])
