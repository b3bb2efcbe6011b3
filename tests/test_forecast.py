"""Forecast files (`forecast: FILE.csv` in a scenario, or `--forecast FILE`): calls and
AHT per (date or weekday, interval, queue) into each queue's volumes and
aht_by_interval, on the scenario's calendar. Exact checks: no false alarms."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml
from builders import exponential, group, queue, scenario

from simulator.model.forecast import forecast_frame
from simulator.model.load import load_scenario, parse_scenario
from simulator.model.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
HORIZON = {"start": "2026-12-07", "days": 3, "close": "10:00"}  # Mon-Wed 08:00-10:00


def three_days() -> dict:
    """Mon-Wed 08:00-10:00, 30-minute intervals (12 in all), queues billing and tech."""
    n = 12
    data = scenario(
        {
            "billing": queue([10.0 + i for i in range(n)], exponential(180.0)),
            "tech": queue([5.0] * n, exponential(300.0), exponential(120.0)),
        },
        {"team": group(["billing", "tech"], [6] * n)},
        interval_minutes=30,
    )
    data["horizon"] = dict(HORIZON)
    data["queues"]["billing"]["aht_by_interval"] = [150.0 + 5 * i for i in range(n)]
    return data


def write(tmp_path: Path, data: dict, rows: list[str] | None = None, name="forecast.csv"):
    """The scenario at tmp_path/week.yaml; with `rows`, the forecast CSV beside it."""
    if rows is not None:
        (tmp_path / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = tmp_path / "week.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def without_volumes(data: dict, csv: str = "forecast.csv") -> dict:
    out = copy.deepcopy(data)
    for q in out["queues"].values():
        q.pop("volumes")
        q.pop("aht_by_interval", None)
    out["forecast"] = csv
    return out


def csv_rows(data: dict) -> list[str]:
    frame = forecast_frame(parse_scenario(data))
    return [",".join(frame.columns)] + [",".join(map(str, r)) for r in frame.to_numpy()]


def test_a_forecast_written_out_reads_back_to_the_same_scenario(tmp_path):
    data = three_days()
    sc = parse_scenario(data)
    frame = forecast_frame(sc)
    assert list(frame.columns) == ["date", "interval", "queue", "calls", "aht"]
    assert len(frame) == 2 * 12 and frame["date"].iloc[0] == "2026-12-07"
    back = load_scenario(write(tmp_path, without_volumes(data), csv_rows(data)))
    assert back.forecast == "forecast.csv"
    want = copy.deepcopy(data)  # tech has no AHT by interval: its mean, 300 s
    want["queues"]["tech"]["aht_by_interval"] = [300.0] * 12
    assert back.model_dump(exclude={"forecast"}) == parse_scenario(want).model_dump(
        exclude={"forecast"}
    )


def test_weekday_rows_serve_every_date_on_that_weekday(tmp_path):
    """A horizon of two Mondays (12-07, 12-14): the `mon` rows give both."""
    data = three_days()
    data["horizon"] = {"dates": ["2026-12-07", "2026-12-14"], "close": "10:00"}
    for q in data["queues"].values():
        q["volumes"] = q["volumes"][:8]
        q.pop("aht_by_interval", None)
    data["agents"]["team"]["staffing"] = [6] * 8
    rows = ["weekday,interval,queue,calls"]
    rows += [f"Monday,{t},{q},{c}" for q, c in (("billing", 7), ("tech", 3)) for t in TIMES]
    sc = load_scenario(write(tmp_path, without_volumes(data), rows))
    assert sc.queues["billing"].volumes == [7.0] * 8 and sc.queues["tech"].volumes == [3.0] * 8
    assert sc.queues["billing"].aht_by_interval is None  # no aht column: the file's


TIMES = ("08:00", "08:30", "09:00", "09:30")


def one_day() -> dict:
    return scenario({"q": queue([1.0] * 4)}, {"team": group(["q"], [3] * 4)}, interval_minutes=30)


@pytest.mark.parametrize("day", ["", "weekday", "date"])
def test_a_one_day_scenario_takes_rows_without_a_day_or_of_one_day(tmp_path, day):
    head = ("weekday," if day == "weekday" else "date," if day == "date" else "") + "interval"
    key = {"weekday": "tue,", "date": "2026-12-08,", "": ""}[day]
    rows = [f"{head},queue,calls,aht"] + [
        f"{key}{t},q,{10 * (i + 1)},{140 + 20 * i}" for i, t in enumerate(TIMES)
    ]
    sc = load_scenario(write(tmp_path, without_volumes(one_day()), rows))
    assert sc.queues["q"].volumes == [10.0, 20.0, 30.0, 40.0]
    assert sc.queues["q"].aht_by_interval == [140.0, 160.0, 180.0, 200.0]


def test_zero_rows_in_closed_hours_are_allowed_and_empty_aht_takes_the_mean(tmp_path):
    rows = ["interval,queue,calls,aht", "07:30,q,0,"]
    rows += [f"{t},q,{i},{'' if i == 0 else 200}" for i, t in enumerate(TIMES)]
    sc = load_scenario(write(tmp_path, without_volumes(one_day()), rows))
    assert sc.queues["q"].volumes == [0.0, 1.0, 2.0, 3.0]
    assert sc.queues["q"].aht_by_interval == [180.0, 200.0, 200.0, 200.0]


def test_semicolons_a_byte_order_mark_and_header_case_are_read(tmp_path):
    rows = ["\ufeffInterval;Queue;Calls"] + [f"{t};q;{i}" for i, t in enumerate(TIMES)]
    sc = load_scenario(write(tmp_path, without_volumes(one_day()), rows))
    assert sc.queues["q"].volumes == [0.0, 1.0, 2.0, 3.0]


def test_the_command_line_forecast_replaces_the_files_volumes(tmp_path):
    """`--forecast FILE` (here the keyword of load_scenario) is explicit: it replaces
    the volumes of the queues it names; the others keep theirs."""
    data = three_days()
    frame = forecast_frame(parse_scenario(data))
    frame = frame[frame["queue"] == "billing"].assign(calls=lambda f: 2 * f["calls"])
    other = tmp_path / "other.csv"
    frame.to_csv(other, index=False)
    sc = load_scenario(write(tmp_path, data), forecast=other)
    assert sc.forecast == str(other)
    assert sc.queues["tech"].volumes == data["queues"]["tech"]["volumes"]
    assert sc.queues["billing"].volumes == [2 * v for v in data["queues"]["billing"]["volumes"]]


# ------------------------------------------------------------------ bad inputs
def good_rows() -> list[str]:
    return ["interval,queue,calls,aht"] + [f"{t},q,{5 + i},{170}" for i, t in enumerate(TIMES)]


BAD = {
    "negative calls": (
        lambda r: r[:2] + ["08:30,q,-3,170"] + r[3:],
        "forecast.csv: row 3, column calls: must be >= 0 (got -3)",
    ),
    "not a number": (
        lambda r: r[:2] + ["08:30,q,12a,170"] + r[3:],
        "forecast.csv: row 3, column calls: '12a' is not a number",
    ),
    "aht missing where calls": (
        lambda r: r[:4] + ["09:30,q,4,"],
        "forecast.csv: row 5, column aht: required where calls > 0",
    ),
    "aht zero": (
        lambda r: r[:4] + ["09:30,q,4,0"],
        "forecast.csv: row 5, column aht: must be > 0 (got 0)",
    ),
    "bad clock": (
        lambda r: r[:2] + ["8.30,q,3,170"] + r[3:],
        "forecast.csv: row 3, column interval: '8.30' is not a clock time HH:MM",
    ),
    "full-width clock": (
        lambda r: r[:2] + ["０８:30,q,3,170"] + r[3:],
        "forecast.csv: row 3, column interval: '０８:30' is not a clock time HH:MM",
    ),
    "missing interval": (
        lambda r: r[:3] + r[4:],
        "forecast.csv: queue q: no row for 09:00",
    ),
    "unknown queue": (
        lambda r: r + ["08:00,sales,3,170", "08:30,sales,3,170"],
        "forecast.csv: row 6, column queue: unknown queue 'sales' (queues are: q) "
        "(and 1 more rows)",
    ),
    "duplicate": (
        lambda r: r + ["08:30,q,9,170"],
        "forecast.csv: rows 3 and 6: the same day, interval and queue (08:30, q)",
    ),
    "calls when closed": (
        lambda r: r + ["10:00,q,2,170"],
        "forecast.csv: row 6: 2 calls at 10:00, when the centre is closed "
        "(only 0 is allowed outside opening hours)",
    ),
    "off the grid": (
        lambda r: r + ["08:15,q,2,170"],
        "forecast.csv: row 6, column interval: 08:15 is not the start of a 30-minute interval",
    ),
    "unknown column": (
        lambda r: [r[0] + ",fte"] + [x + ",1" for x in r[1:]],
        "forecast.csv: column 'fte': not a forecast column "
        "(date, weekday, interval, queue, calls, aht)",
    ),
    "no calls column": (
        lambda r: ["interval,queue,volume,aht"] + r[1:],
        "forecast.csv: no column calls (columns: interval, queue, volume, aht)",
    ),
    "several days for one day": (
        lambda r: ["weekday," + r[0]] + ["mon," + x for x in r[1:]] + ["tue," + r[1]],
        "forecast.csv: the scenario is one dateless day, but the forecast has 2 weekdays "
        "(mon, tue): give the scenario a horizon, or keep one day's rows",
    ),
    "empty file": (lambda r: [""], "forecast.csv: the file is empty (no header row)"),
    "ragged row": (
        lambda r: r[:2] + ["08:30,q,3,170,9"] + r[3:],
        "forecast.csv: row 3: 5 cells, the header has 4",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_forecast_is_named_by_row_and_column(tmp_path, case):
    edit, message = BAD[case]
    path = write(tmp_path, without_volumes(one_day()), edit(good_rows()))
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert message in e.value.problems, e.value.problems


def test_dates_outside_the_horizon_are_named(tmp_path):
    data = three_days()
    rows = csv_rows(data) + ["2026-12-10,08:00,billing,3,170"]
    with pytest.raises(ScenarioError) as e:
        load_scenario(write(tmp_path, without_volumes(data), rows))
    assert e.value.problems == [
        "forecast.csv: row 26, column date: 2026-12-10 is outside the horizon "
        "(2026-12-07 to 2026-12-09)"
    ]


def test_volumes_given_twice_are_refused_and_a_missing_file_is_named(tmp_path):
    data = without_volumes(one_day())
    data["queues"]["q"]["volumes"] = [1.0] * 4
    with pytest.raises(ScenarioError) as e:
        load_scenario(write(tmp_path, data, good_rows()))
    assert e.value.problems == [
        "queues.q.volumes: given here and by the forecast forecast.csv: keep one"
    ]
    data["forecast"] = "nowhere.csv"
    with pytest.raises(ScenarioError) as e:
        load_scenario(write(tmp_path, data))
    assert e.value.problems == [
        f"{tmp_path / 'nowhere.csv'}: cannot read file (No such file or directory)"
    ]


def test_many_problems_are_capped_with_a_count(tmp_path):
    rows = ["interval,queue,calls"] + [f"08:00,q,-{i + 1}" for i in range(30)]
    with pytest.raises(ScenarioError) as e:
        load_scenario(write(tmp_path, without_volumes(one_day()), rows))
    assert len(e.value.problems) == 21
    assert e.value.problems[0] == "forecast.csv: row 2, column calls: must be >= 0 (got -1)"
    # 30 negative counts and 29 repeats of (08:00, q): 59, 20 shown
    assert e.value.problems[-1] == "forecast.csv: ... and 39 more problems"


def test_the_shipped_week_forecast_is_a_real_looking_week():
    """scenarios/week_forecast.csv: Mon-Sun 2026-12-07..13, 30-minute intervals, three
    queues, Monday the busiest day, billing's AHT varying by hour within 135-205 s."""
    import pandas as pd

    f = pd.read_csv(ROOT / "scenarios" / "week_forecast.csv")
    assert list(f.columns) == ["date", "interval", "queue", "calls", "aht"]
    assert sorted(f["queue"].unique()) == ["billing", "sales", "tech_support"]
    daily = f.groupby("date")["calls"].sum()
    assert len(daily) == 7 and daily.idxmax() == "2026-12-07"
    billing = f[f["queue"] == "billing"]["aht"]
    assert 135 <= billing.min() < billing.max() <= 205 and billing.max() - billing.min() > 30
    times = pd.to_datetime(f["date"] + " " + f["interval"]).drop_duplicates()
    minutes = times.to_numpy().astype("datetime64[m]").astype(np.int64)
    assert np.diff(minutes).min() == 30  # in time order, 30-minute steps


@pytest.mark.parametrize("horizon", [False, True])
def test_a_forecast_for_a_rostered_centre_takes_its_intervals_from_the_calendar(tmp_path, horizon):
    """No group has a staffing list (the roster staffs them): the day's intervals come
    from the horizon (Mon-Tue 08:00-10:00: 8) or, for one day, from open to the
    forecast's last interval (4)."""
    data = without_volumes(one_day())
    del data["agents"]["team"]["staffing"]
    data["roster"] = {
        "shifts": {"early": {"group": "team", "start": "08:00", "hours": 2, "agents": 3}}
    }
    rows = ["interval,queue,calls"] + [f"{t},q,{i + 1}" for i, t in enumerate(TIMES)]
    if horizon:
        data["horizon"] = {"start": "2026-12-07", "days": 2, "close": "10:00"}
        rows = ["weekday,interval,queue,calls"] + [
            f"{d},{t},q,{i + 1}" for d in ("mon", "tue") for i, t in enumerate(TIMES)
        ]
    sc = load_scenario(write(tmp_path, data, rows))
    assert sc.queues["q"].volumes == [1.0, 2.0, 3.0, 4.0] * (2 if horizon else 1)
    assert sc.agents["team"].staffing == [3] * (8 if horizon else 4)


def test_the_json_schema_takes_a_file_whose_forecast_gives_the_volumes(tmp_path):
    """docs/scenario.schema.json accepts what the program accepts: queues without
    `volumes` when `forecast:` names a file that gives them; without a forecast the
    program and the schema both refuse such a queue, naming `volumes`."""
    import jsonschema

    from simulator.model.load import scenario_schema

    data = three_days()
    schema = scenario_schema()
    from_file = without_volumes(data)
    assert load_scenario(write(tmp_path, from_file, csv_rows(data))).queues["tech"].volumes[0] == 5
    jsonschema.validate(from_file, schema)
    del from_file["forecast"]
    with pytest.raises(ScenarioError, match=r"queues\.billing\.volumes"):
        parse_scenario(from_file)
    with pytest.raises(jsonschema.ValidationError, match="'volumes' is a required property"):
        jsonschema.validate(from_file, schema)


def test_the_fast_engine_plays_a_file_whose_forecast_gives_the_volumes(tmp_path):
    """A forecast file is only volumes and AHT by interval: the fast engine covers it
    (auto picks it), with the same records and KPIs as SimPy, and the same as the
    scenario with those numbers inline."""
    from simulator import simulate, to_dict
    from simulator.sim.fast import uncovered

    data = three_days()
    sc = load_scenario(write(tmp_path, without_volumes(data), csv_rows(data)))
    assert sc.forecast == "forecast.csv" and uncovered(sc) is None
    fast = to_dict(simulate(sc, 3, seed=4, engine="fast"))
    assert fast == to_dict(simulate(sc, 3, seed=4, engine="simpy"))
    inline = sc.model_copy(update={"forecast": None})
    assert fast == to_dict(simulate(inline, 3, seed=4, engine="fast"))
    assert fast["summary"]["offered"]["mean"] > 0
