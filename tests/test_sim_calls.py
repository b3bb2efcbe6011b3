"""The engine's call table (`simulator.sim.calls`): the forecast's callers are rows
0 .. n-1, later calls are added after them, and the records are its columns in row
order, with the rarer marks zero except where set. Values checked by hand."""

from __future__ import annotations

import numpy as np

from simulator.sim.calls import ABANDONED, BLOCKED, Calls
from simulator.sim.draws import Forecast
from simulator.sim.records import COLUMNS, NEXT_TRANSFER

_INF = float("inf")


def _table() -> Calls:
    f = Forecast(
        arrival=np.array([10.0, 20.0, 3_590.0]),
        queue=np.array([0, 1, 0]),
        talk=np.array([100.0, 200.0, 300.0]),
        handle=np.array([110.0, 200.0, 330.0]),
        patience=np.array([60.0, _INF, 30.0]),
        decisions=None,
    )
    return Calls(f)


def test_rows_are_the_forecasts_callers_then_the_calls_added():
    calls = _table()
    assert calls.deadline == [70.0, _INF, 3_620.0]  # arrival + patience
    later = calls.add(1, 3_700.0, 0, 2, 1, (50.0, 60.0, 40.0, None))
    assert later == 3 and calls.who(later) == (0, 2, 1) and calls.who(2) == (2, 1, 1)
    assert calls.deadline[later] == 3_740.0
    calls.group[0], calls.start[0], calls.wait[0] = 1, 15.0, 5.0  # answered
    calls.lost(1, ABANDONED, 42.0)
    calls.lost(2, BLOCKED, 0.0)
    calls.next[0] = NEXT_TRANSFER
    calls.callback.add(later)
    calls.not_ready[0] = 12.5
    cols = calls.records(3_600.0, 1)
    assert list(cols) == [*COLUMNS, "interval"]
    assert all(cols[name].dtype == np.dtype(dtype) for name, dtype in COLUMNS.items())
    assert cols["customer"].tolist() == [0, 1, 2, 0]
    assert cols["attempt"].tolist() == [1, 1, 1, 2]
    assert cols["queue"].tolist() == [0, 1, 0, 1]
    assert cols["outcome"].tolist() == [0, ABANDONED, BLOCKED, 0]
    assert cols["wait"].tolist() == [5.0, 42.0, 0.0, 0.0]
    assert cols["group"].tolist() == [1, -1, -1, -1]
    assert cols["talk"].tolist() == [100.0, 0.0, 0.0, 50.0]  # 0 for the lost
    assert cols["handle"].tolist() == [110.0, 0.0, 0.0, 60.0]
    assert np.isnan(cols["start"][1:]).all() and cols["start"][0] == 15.0
    assert cols["next"].tolist() == [NEXT_TRANSFER, 0, 0, 0]
    assert cols["callback"].tolist() == [False, False, False, True]
    assert cols["unresolved"].tolist() == [False] * 4
    assert cols["not_ready"].tolist() == [12.5, 0.0, 0.0, 0.0]
    assert cols["interval"].tolist() == [0, 0, 0, 0]  # after the close: the last one


def test_an_empty_day_has_empty_columns():
    empty = np.empty(0)
    calls = Calls(Forecast(empty, np.empty(0, int), empty, empty, empty, None))
    cols = calls.records(900.0, 4)
    assert all(len(c) == 0 for c in cols.values())
    assert all(cols[name].dtype == np.dtype(dtype) for name, dtype in COLUMNS.items())
