"""What every table shares: writing a CSV, a KPI's unit, and a horizon's dates and
labels on the rows of an interval table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...kpi.registry import UNITS
from ...model.scenario import Scenario


def write_csv(df: pd.DataFrame, path: Path, **kwargs) -> Path:
    """`df` as CSV without the index; the path written."""
    df.to_csv(path, index=False, **kwargs)
    return path


def unit(kpi: str) -> str:
    """The KPI's unit ("fraction", "s", "calls", ...; empty if it has none)."""
    return UNITS.get(kpi, "")


def dated(sc: Scenario, df: pd.DataFrame, skip: int = 0) -> pd.DataFrame:
    """`df` with its rows' date and label in a horizon (interval i is slot skip + i)."""
    if sc.horizon is not None:
        slots = sc.calendar()[skip:]
        index = df["interval"].to_numpy()
        df.insert(
            list(df.columns).index("interval") + 1, "date", [str(slots[i].date) for i in index]
        )
        df.insert(list(df.columns).index("start") + 1, "label", [slots[i].label for i in index])
    return df
