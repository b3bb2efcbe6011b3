"""Tables of comparisons: scenarios side by side and their paired differences
(`compare`), and a plan's Erlang predictions beside the simulated KPIs."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...kpi.registry import PREDICTED
from ...planner.compare import COMPARED, PlanComparison, ScenarioComparison
from ...run.runner import SimulationResult
from .common import unit
from .run import interval_table


def compare_tables(results: Mapping[str, SimulationResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(side by side, long): the day's KPIs with one mean/ci95_low/ci95_high column
    triple per scenario; and every interval KPI of every scenario, tidy."""
    kpis = list(dict.fromkeys(k for r in results.values() for k in r.summary.index))
    wide = pd.DataFrame({"kpi": kpis, "unit": [unit(k) for k in kpis]})
    for name, res in results.items():
        s = res.summary.reindex(kpis)
        for col in ("mean", "ci95_low", "ci95_high"):
            wide[f"{name} {col}"] = s[col].to_numpy()
    long = pd.concat(
        [interval_table(r).assign(scenario=name) for name, r in results.items()], ignore_index=True
    )
    long = long[["scenario"] + [c for c in long.columns if c != "scenario"]]
    return wide, long


DIFFERENCE_COLUMNS = ["file", "versus", "kpi", "unit", "mean", "ci95_low", "ci95_high"]


def difference_tables(cmp: ScenarioComparison) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(day, per interval): each scenario's paired difference to the first, mean and
    95% CI over the days, one row per (interval,) KPI; the per-interval table is None
    where the scenarios report other intervals. The unit is the KPI's (a fraction's
    difference is in fractions: 0.05 is 5 percentage points)."""
    first = cmp.results[0]
    versus = cmp.labels[0]
    day = pd.DataFrame(
        [
            (cmp.labels[i], versus, k, unit(k), *cmp.difference(i, k))
            for i in range(1, len(cmp.results))
            for k in first.day_samples
        ],
        columns=DIFFERENCE_COLUMNS,
    )
    if not cmp.same_intervals:
        return day, None
    frames = []
    for i in range(1, len(cmp.results)):
        for k in first.interval_samples:
            d = cmp.interval_difference(i, k)
            frames.append(
                pd.DataFrame(
                    {
                        "file": cmp.labels[i],
                        "versus": versus,
                        "interval": range(len(first.starts)),
                        "start": first.starts,
                        **({"label": first.labels} if first.scenario.horizon else {}),
                        "kpi": k,
                        "unit": unit(k),
                        "mean": d.mean,
                        "ci95_low": d.low,
                        "ci95_high": d.high,
                    }
                )
            )
    return day, pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- Erlang vs simulation

PREDICTION_COLUMNS = ["kpi", "unit", "predicted", "mean", "ci95_low", "ci95_high", "disagree"]


def prediction_tables(cmp: PlanComparison) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(day, per interval): each compared KPI's prediction beside the simulated mean and
    95% CI, and whether they disagree; tidy, one row per (interval,) KPI."""
    res = cmp.simulated
    day = pd.DataFrame(
        [(k, unit(k), *_judged(k, cmp.day_figures(k))) for k in COMPARED],
        columns=PREDICTION_COLUMNS,
    )
    figures = {k: cmp.figures(k) for k in COMPARED}  # once per KPI, not per interval
    rows = [
        (i, s, cmp.agents[i], k, unit(k), *_judged(k, tuple(col[i] for col in figures[k])))
        for k in COMPARED
        for i, s in enumerate(res.starts)
    ]
    return day, pd.DataFrame(rows, columns=["interval", "start", "agents"] + PREDICTION_COLUMNS)


def _judged(kpi: str, figures: tuple) -> tuple:
    """(predicted, mean, low, high, disagree), disagree left empty for an input (the
    forecast's offered calls are no prediction to judge)."""
    return figures if kpi in PREDICTED else (*figures[:4], None)
