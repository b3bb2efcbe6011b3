"""The reference for tests/test_forecast_reader.py: the forecast reader as callsim had
it until the standard-library one (simulator/model/forecast.py at 504942c), its cells
parsed by pandas (`pd.to_numeric`), its rows a DataFrame given out as the dicts
`forecast_apply` read (`to_dict("records")`). What did not change (the CSV reading,
the columns' checks, days, clock times, repeated rows) is imported from the library,
so only the part that moved off pandas is compared."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.model.forecast import (
    KEYS,
    TOPS,
    ForecastRow,
    ForecastTable,
    _clock,
    _column_problems,
    _day,
    _duplicates,
    _table,
    problem_list,
)
from simulator.model.scenario import ScenarioError


def read_forecast(text: str, source: str) -> ForecastTable:
    """The rows of a forecast file's text as pandas read them, or ScenarioError."""
    names, numbers, cells = _table(text, source)
    table = pd.DataFrame(cells, columns=names, index=numbers, dtype=str)
    problems = _column_problems(names, source)
    if problems:
        raise ScenarioError(problems)
    if table.empty:
        raise ScenarioError([f"{source}: no rows below the header (a forecast gives calls)"])
    by = next((k for k in KEYS if k in names), None)
    frame, problems = _cells(table, by, source)
    rows = [ForecastRow(**{str(k): v for k, v in r.items()}) for r in frame.to_dict("records")]
    problems += _duplicates(rows, source)
    if problems:
        raise problem_list(source, problems)
    return ForecastTable(source, by, "aht" in names, tuple(rows))


def _cells(table: pd.DataFrame, by: str | None, source: str) -> tuple[pd.DataFrame, list[str]]:
    problems: list[str] = []

    def bad(row: int, column: str, message: str) -> None:
        problems.append(f"{source}: row {row}, column {column}: {message}")

    out = pd.DataFrame({"row": table.index.to_numpy()}, index=table.index)
    numbers = table.index.tolist()
    if by:
        out["day"] = [_day(r, v.strip(), by, bad) for r, v in zip(numbers, table[by])]
    else:
        out["day"] = None
    out["minutes"] = [_clock(r, v.strip(), bad) for r, v in zip(numbers, table["interval"])]
    out["queue"] = table["queue"].str.strip()
    for r in out.index[out["queue"] == ""]:
        bad(r, "queue", "empty")
    out["calls"] = _numbers(table["calls"], "calls", bad, lambda x: x >= 0, ">= 0", empty=False)
    if "aht" in table:
        out["aht"] = _numbers(table["aht"], "aht", bad, lambda x: x > 0, "> 0", empty=True)
        for r in out.index[out["aht"].isna() & (out["calls"] > 0)]:
            bad(r, "aht", "required where calls > 0")
    else:
        out["aht"] = np.nan
    problems.sort(key=lambda p: int(p.split("row ", 1)[1].split(",", 1)[0]))
    return out.reset_index(drop=True), problems


def _numbers(cells: pd.Series, column: str, bad, ok, bound: str, empty: bool) -> pd.Series:
    text = cells.str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    for r, raw, x in zip(cells.index, text, values):
        if raw == "":
            if not empty:
                bad(r, column, "empty")
        elif not np.isfinite(x):
            bad(r, column, f"{raw!r} is not a number")
        elif not ok(x):
            bad(r, column, f"must be {bound} (got {raw})")
        elif x > TOPS[column][0]:
            top, unit = TOPS[column]
            bad(r, column, f"{raw}: more than {top:,.0f} {unit} (a typo?)")
    return values.astype(float)
