"""Reading call logs: the Anonymous Bank file's quirks, each counted; the schema with a
column mapping, CSV and Parquet; callsim's own calls.csv through the same reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.calibrate.logs import read_log, write_log
from simulator.calibrate.schema import COLUMNS, LogError, parse_weekdays
from simulator.cli import app

OCTOBER = Path(__file__).parent.parent / "data" / "anonymous_bank" / "october_1999.txt"


@pytest.fixture(scope="module")
def october():
    return read_log(OCTOBER)


# Every quirk of the October file, with the number of rows it touches: a change in the
# reader that drops, adds or reinterprets a row fails here.
QUIRKS = {
    "rows read": 34_625,
    "malformed rows (shifted columns) realigned": 2,
    "malformed rows left out (unreadable after realigning)": 0,
    "PHANTOM rows left out (virtual calls)": 147,
    "VRU exit before VRU entry (clock skew; kept, times as logged)": 4,
    "times past midnight (counted from the next midnight)": 39,
    "answered calls with no queue times (put through at once: wait 0)": 21_050,
    "answered calls served by the NO_SERVER pseudo-agent (agent unknown)": 517,
    "HANG in the VRU, never queued (self-service, not offered to agents)": 1_511,
    "abandoned calls with a wait of 0 s": 17,
    "answered calls with a service time of 0 s": 66,
}


@pytest.mark.parametrize("quirk", QUIRKS)
def test_each_october_quirk_is_counted(october, quirk):
    assert october.quirks[quirk] == QUIRKS[quirk]


def test_no_october_row_is_lost(october):
    """Every row is a call of the schema or a row left out with its reason."""
    assert len(october.calls) + len(october.left_out) == 34_625
    assert october.left_out["reason"].value_counts().to_dict() == {"phantom": 147}
    assert october.calls["outcome"].value_counts().to_dict() == {
        "answered": 30_861,
        "abandoned": 2_106,
        "self_service": 1_511,
    }
    assert list(october.calls.columns) == list(COLUMNS)


def test_malformed_rows_are_realigned(october):
    """Call 3892 had its type in the priority field ("0  NW"): read as an NW call."""
    day = october.calls[october.calls["day"] == "1999-10-26"]
    row = day[(day["arrival"] == 14 * 3600 + 7 * 60 + 58)]
    assert row["queue"].tolist() == ["NW"]
    assert row["priority"].tolist() == [0]
    assert row["outcome"].tolist() == ["self_service"]


def test_times_past_midnight_count_from_the_next_midnight(october):
    """Call 46,... of 1999-10-11 entered at 23:59:39 and was answered at 0:00:04."""
    day = october.calls[october.calls["day"] == "1999-10-11"]
    late = day[day["answer"] > 86_400]
    assert (86_400 + 4.0) in late["answer"].tolist()
    assert (late["answer"] >= late["arrival"]).all()


def test_answered_calls_without_queue_times_waited_zero(october):
    answered = october.calls[october.calls["outcome"] == "answered"]
    assert (answered["wait"] == 0).sum() >= 21_050
    assert answered["answer"].notna().all()
    assert (answered["agent"] == "").sum() == 517  # NO_SERVER is no agent


def test_weekdays_filter_keeps_sunday_to_thursday(october):
    days = october.on_weekdays(parse_weekdays("sun,mon,tue,wed,thu")).days
    assert len(days) == 21
    assert {pd.Timestamp(d).day_name() for d in days} == {
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
    }


def test_an_unknown_weekday_is_named():
    with pytest.raises(LogError, match="unknown day fr"):
        parse_weekdays("mon,fr")


def _export(tmp_path: Path) -> Path:
    """A small export with other column names, timestamps and outcome codes."""
    path = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "CallStart": ["2024-03-04 08:00:05", "2024-03-04 08:01:00", "2024-03-05 09:30:00"],
            "Disposition": ["ANS", "ABN", "ANS"],
            "QueueSecs": [12, 40, 0],
            "TalkSecs": [150, None, 90],
            "Agent": ["A1", None, "A2"],
        }
    ).to_csv(path, index=False)
    return path


def test_a_column_mapping_reads_another_export(tmp_path):
    log = read_log(
        _export(tmp_path),
        columns={
            "arrival": "CallStart",
            "outcome": "Disposition",
            "wait": "QueueSecs",
            "talk": "TalkSecs",
            "agent": "Agent",
        },
        outcomes={"answered": "ANS", "abandoned": "ABN"},
    )
    c = log.calls
    assert c["outcome"].tolist() == ["answered", "abandoned", "answered"]
    assert c["arrival"].tolist() == [8 * 3600 + 5, 8 * 3600 + 60, 9.5 * 3600]
    assert c["handle"].tolist() == [150, 0, 90]
    assert c["agent"].tolist() == ["A1", "", "A2"]
    assert len(log.days) == 2


def test_a_missing_mapped_column_is_named(tmp_path):
    with pytest.raises(LogError, match="no column 'Start'"):
        read_log(_export(tmp_path), columns={"arrival": "Start"})


def test_an_unknown_outcome_is_reported(tmp_path):
    with pytest.raises(LogError, match="outcome: 3 rows not one of"):
        read_log(
            _export(tmp_path),
            columns={"arrival": "CallStart", "outcome": "Disposition", "wait": "QueueSecs"},
        )


def test_schema_round_trips_through_csv_and_parquet(october, tmp_path):
    sample = type(october)(october.calls.head(500), "x", "schema")
    for name in ("log.csv", "log.parquet"):
        back = read_log(write_log(sample, tmp_path / name))
        assert back.format == "schema"
        pd.testing.assert_frame_equal(back.calls, sample.calls, check_exact=False, rtol=1e-6)


def test_callsim_calls_csv_reads_back(tmp_path):
    """`callsim run --out` then the reader: one call per row, days = replications."""
    scenario = Path(__file__).parent.parent / "scenarios" / "single_queue.yaml"
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(scenario), "-r", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    raw = pd.read_csv(out / "calls.csv")
    log = read_log(out / "calls.csv")
    assert log.format == "callsim"
    assert len(log.calls) == len(raw)
    assert len(log.days) == 3
    answered = log.calls["outcome"] == "answered"
    assert np.allclose(log.calls.loc[answered, "handle"].sum(), raw["handle_s"].sum())
    assert log.calls["arrival"].min() >= 8 * 3600  # single_queue opens at 08:00
    answered = log.calls["outcome"] == "answered"
    assert (log.calls.loc[answered, "agent"] != "").all()
    assert log.quirks["answered calls with no agent id"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "nope"], "unknown format 'nope'"),
        (["--weekdays", "xyz"], "unknown day xyz"),
    ],
)
def test_bad_log_options_exit_2_with_a_message(tmp_path, args, message):
    result = CliRunner().invoke(
        app, ["calibrate", str(OCTOBER), "--out", str(tmp_path / "s.yaml"), *args]
    )
    assert result.exit_code == 2
    assert message in result.output


def test_a_missing_log_exits_2(tmp_path):
    result = CliRunner().invoke(
        app, ["calibrate", str(tmp_path / "none.txt"), "--out", str(tmp_path / "s.yaml")]
    )
    assert result.exit_code == 2
    assert "no such file" in result.output


@pytest.mark.parametrize(
    "field, text",
    [(6, "7:1５:55"), (5, "99100１"), (8, "1３"), (11, "٠"), (14, "7:17:1０")],
)
def test_a_bank_row_with_other_digits_than_ascii_is_left_out(tmp_path, field, text):
    """`\\d` took full-width and other scripts' digits: '7:1５:55' was read as 7:15:55,
    the row kept as if clean. Now such a row is unreadable, left out and counted."""
    lines = OCTOBER.read_text(encoding="latin-1").splitlines()[:40]
    row = lines[2].split("\t")
    assert row[1] == "46087" and row[field] != text  # an answered call of 1999-10-01
    row[field] = text
    (tmp_path / "log.txt").write_text("\n".join([*lines[:2], "\t".join(row), *lines[3:]]) + "\n")
    (tmp_path / "clean.txt").write_text("\n".join(lines) + "\n")
    log, before = read_log(tmp_path / "log.txt"), read_log(tmp_path / "clean.txt")
    assert log.quirks["malformed rows left out (unreadable after realigning)"] == 1
    assert len(log.calls) + 1 == len(before.calls)
