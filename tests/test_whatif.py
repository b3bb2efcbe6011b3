"""What-ifs on one file (issue 11 item 7): `run --volume-scale/--aht-scale` is the file
edited, byte for byte; `compare FILE --what-if ...` pairs the file with its edited
copies on common random numbers, and its differences are the two runs' day by day,
with the paired interval (narrower than the two runs' own); the terminal, JSON, CSV
and HTML carry the same paired numbers; `compare A A --volume-scale` says what it did.

Seeded runs: every figure is deterministic.
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from builders import exponential, group, queue, scenario
from scipy import stats
from typer.testing import CliRunner

import simulator
from simulator.cli import app
from simulator.planner.edits import apply_what_if, parse_what_if, scale_handle_times

ROOT = Path(__file__).resolve().parents[1]
PEAK = ROOT / "scenarios" / "peak_day.yaml"
MULTI = ROOT / "scenarios" / "multi_skill.yaml"


def invoke(*args: str):
    return CliRunner().invoke(app, [*args])


def edited_copy(tmp_path: Path, edit) -> Path:
    """The shipped peak day with `edit(data)` applied, written as a file."""
    data = yaml.safe_load(PEAK.read_text())
    edit(data)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_volume_scale_is_the_file_with_its_volumes_scaled_byte_for_byte(tmp_path):
    def scale(d):
        for q in d["queues"].values():
            q["volumes"] = [v * 1.15 for v in q["volumes"]]

    by_option = invoke("run", str(PEAK), "-r", "3", "--volume-scale", "1.15", "--json")
    by_file = invoke("run", str(edited_copy(tmp_path, scale)), "-r", "3", "--json")
    assert by_option.exit_code == by_file.exit_code == 0, by_option.output
    assert by_option.stdout == by_file.stdout
    plain = invoke("run", str(PEAK), "-r", "3", "--json")
    assert plain.stdout != by_option.stdout  # the option did something


def test_aht_scale_is_the_file_with_its_handle_times_scaled_byte_for_byte(tmp_path):
    def scale(d):
        for q in d["queues"].values():
            for part in ("handle_time", "talk", "hold", "acw"):
                if part in q:
                    q[part]["mean"] = q[part]["mean"] * 0.9

    by_option = invoke("run", str(PEAK), "-r", "3", "--aht-scale", "0.9", "--json")
    by_file = invoke("run", str(edited_copy(tmp_path, scale)), "-r", "3", "--json")
    assert by_option.exit_code == by_file.exit_code == 0, by_option.output
    assert by_option.stdout == by_file.stdout
    sc = simulator.load_scenario(PEAK)
    scaled = scale_handle_times(sc, 0.9)
    for name, q in sc.queues.items():
        assert scaled.queues[name].aht == pytest.approx(0.9 * q.aht, rel=1e-12)
        assert [type(p) for p in scaled.queues[name].parts] == [type(p) for p in q.parts]


def test_an_empirical_handle_time_scales_every_value():
    sc = simulator.parse_scenario(
        {
            "name": "e",
            "interval_minutes": 60,
            "open": "08:00",
            "service_level": {"seconds": 20, "target": 0.8},
            "queues": {
                "q": {
                    "volumes": [10],
                    "talk": {"distribution": "empirical", "values": [60, 120, 300]},
                    "acw": {"distribution": "gamma", "mean": 30, "cv": 0.5},
                }
            },
            "agents": {"g": {"skills": ["q"], "staffing": [3]}},
        }
    )
    q = apply_what_if(sc, {"aht": 1.5}).queues["q"]
    assert q.talk.values == [90, 180, 450] and q.acw.mean == 45 and q.acw.cv == 0.5
    assert sc.queues["q"].talk.values == [60, 120, 300]  # the scenario given is untouched


def test_a_bad_what_if_says_what_the_edits_do_in_plain_words():
    """The message said "(talk + hold + ACW) (1.15 means 15% more)", and listed the
    edits as "aht=X (the AHT (talk + hold + ACW) × X)": brackets inside brackets."""
    for text, message in [
        (
            "aht=0",
            "--what-if 'aht=0': aht=0 is outside 0.1-10: it multiplies every handle time "
            "(talk, hold, ACW); 1.15 means 15% more",
        ),
        (
            "volume=115",
            "--what-if 'volume=115': volume=115 is outside 0.1-10: it multiplies every "
            "forecast volume; 1.15 means 15% more; did you mean 1.15?",
        ),
        (
            "agents=2",
            "--what-if 'agents=2': 'agents=2' is not an edit; volume=X multiplies every "
            "forecast volume by X; aht=X multiplies every handle time (talk, hold, ACW) by X",
        ),
    ]:
        with pytest.raises(ValueError) as caught:
            parse_what_if(text)
        assert str(caught.value) == message


def test_what_if_words_are_parsed_and_bad_ones_named():
    assert parse_what_if("volume=1.15") == {"volume": 1.15}
    assert parse_what_if(" Volume=1.15 , aht=0.9") == {"volume": 1.15, "aht": 0.9}
    for text, words in [
        ("vol=2", "'vol=2' is not an edit"),
        ("aht=115", "did you mean 1.15?"),
        ("volume=x", "'x' is not a number"),
        ("volume=1.1,volume=1.2", "volume is given twice"),
        ("volume", "is not an edit"),
        ("aht=０.9", "'０.9' is not a number"),  # float() read full-width digits: 0.9
        ("volume=1_2", "'1_2' is not a number"),  # and "1_2" as 12
    ]:
        with pytest.raises(ValueError, match=words):
            parse_what_if(text)
    done = invoke("compare", str(PEAK), "--what-if", "agents=2", "--what-if", "aht=0")
    assert done.exit_code == 2 and "Traceback" not in done.output
    assert "'agents=2' is not an edit" in done.stderr and "aht=0 is outside 0.1-10" in done.stderr
    two = invoke("compare", str(PEAK), str(MULTI), "--what-if", "volume=1.1")
    assert two.exit_code == 2 and "give one scenario" in two.stderr
    bad = invoke("run", str(PEAK), "--aht-scale", "90")
    assert bad.exit_code == 2 and "did you mean 0.9?" in bad.stderr


@pytest.fixture(scope="module")
def what_ifs(tmp_path_factory):
    """compare PEAK --what-if volume=1.15 --what-if aht=0.9, as JSON and with --out."""
    out = tmp_path_factory.mktemp("whatif")
    args = ["--what-if", "volume=1.15", "--what-if", "aht=0.9", "-r", "8", "-q"]
    done = invoke("compare", str(PEAK), *args, "--out", str(out), "--json")
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout), out


def test_what_if_differences_are_the_two_runs_day_by_day_with_the_paired_ci(what_ifs):
    d, _ = what_ifs
    sc = simulator.load_scenario(PEAK)
    base = simulator.simulate(sc, 8, keep_records=False)
    busier = simulator.simulate(apply_what_if(sc, {"volume": 1.15}), 8, keep_records=False)
    assert [s["file"] for s in d["scenarios"]] == [str(PEAK), "volume×1.15", "aht×0.9"]
    first = d["differences"][0]
    assert first["file"] == "volume×1.15" and first["versus"] == str(PEAK)
    for kpi in ("service_level", "asa", "abandon_rate", "offered"):
        days = busier.day_samples[kpi] - base.day_samples[kpi]
        mean = days.mean()
        half = stats.t.ppf(0.975, len(days) - 1) * days.std(ddof=1) / math.sqrt(len(days))
        got = first["summary"][kpi]
        assert got["mean"] == pytest.approx(mean, abs=2e-6)
        assert got["ci95"] == pytest.approx([mean - half, mean + half], abs=2e-6)
        # the difference of the two runs' means
        runs = d["scenarios"][1]["summary"][kpi]["mean"] - d["scenarios"][0]["summary"][kpi]["mean"]
        assert got["mean"] == pytest.approx(runs, abs=2e-6)
    # paired: far narrower than the two runs' own intervals side by side
    for kpi in ("service_level", "offered"):
        a, b = (np.diff(d["scenarios"][i]["summary"][kpi]["ci95"])[0] / 2 for i in (0, 1))
        paired = np.diff(first["summary"][kpi]["ci95"])[0] / 2
        assert paired < math.hypot(a, b) / 1.5, kpi
    # per interval too, and the same intervals of the two runs
    row = first["intervals"][3]
    sl = (
        busier.interval_samples["service_level"][:, 3]
        - base.interval_samples["service_level"][:, 3]
    )
    assert row["start"] == "09:30"
    assert row["service_level"]["mean"] == pytest.approx(np.nanmean(sl), abs=2e-6)
    assert d["notes"] == []


def test_csv_and_html_carry_the_json_s_paired_differences(what_ifs):
    d, out = what_ifs
    day = pd.read_csv(out / "compare_differences.csv")
    assert list(day.columns) == ["file", "versus", "kpi", "unit", "mean", "ci95_low", "ci95_high"]
    per = pd.read_csv(out / "compare_interval_differences.csv")
    page = (out / "compare.html").read_text(encoding="utf-8")
    for diff in d["differences"]:
        rows = day[day["file"] == diff["file"]].set_index("kpi")
        assert set(rows["versus"]) == {"peak_day"}
        for kpi, fig in diff["summary"].items():
            if fig["mean"] is None:
                continue
            assert rows.loc[kpi, "mean"] == pytest.approx(fig["mean"], abs=1e-6)
            assert rows.loc[kpi, "ci95_low"] == pytest.approx(fig["ci95"][0], abs=1e-6)
        sl = per[(per["file"] == diff["file"]) & (per["kpi"] == "service_level")]
        means = [r["service_level"]["mean"] for r in diff["intervals"]]
        assert list(sl["mean"].round(6)) == pytest.approx(means, abs=1e-6)
        # the page: the day's Δ column and the per-interval Δ table, as the JSON rounds them
        sl_day = diff["summary"]["service_level"]
        assert f"{100 * sl_day['mean']:.1f}%" in page
        low, high = (100 * v for v in sl_day["ci95"])
        assert f"[{low:.1f}%, {high:.1f}%]" in page
    assert "Per interval, paired differences" in page
    assert "Δ SL % volume×1.15" in page


def test_compare_a_a_volume_scale_scales_both_and_says_so():
    done = invoke("compare", str(PEAK), str(PEAK), "--volume-scale", "1.15", "-r", "2", "--json")
    assert done.exit_code == 0, done.output
    d = json.loads(done.stdout)
    assert d["volume_scale"] == 1.15
    assert all(
        v["mean"] == 0 for v in d["differences"][0]["summary"].values() if v["mean"] is not None
    )
    (note,) = d["notes"]
    assert "same scenario" in note and "--what-if volume=1.15" in note
    import typer

    (option,) = [
        p
        for p in typer.main.get_command(app).commands["compare"].params
        if "--volume-scale" in p.opts
    ]
    assert "EVERY scenario compared" in option.help and "--what-if volume=1.15" in option.help


def test_files_of_other_intervals_pair_by_day_and_say_so():
    done = invoke("compare", str(PEAK), str(MULTI), "-r", "2", "--json")
    assert done.exit_code == 0, done.output
    d = json.loads(done.stdout)
    (note,) = d["notes"]
    assert (
        "24 intervals of 30 min from 08:00" in note and "16 intervals of 30 min from 09:00" in note
    )
    assert d["differences"][0]["intervals"] is None
    text = invoke("compare", str(PEAK), str(MULTI), "-r", "2").stdout
    assert "note: " in text and "Per interval, paired" not in text


def test_the_aht_what_if_is_the_trades_aht_and_leaves_not_ready_time():
    """aht=0.9 scales talk, hold and ACW (the AHT): every group's AHT is × 0.9, its
    proficiency factor (1.2) applying to the shorter time, on the same callers (exact:
    the AHT KPI is 0.9 × the file's, day by day); the not-ready time after calls (20 s)
    is not handle time and stays, so the agents' time per call is
    (0.9 × 1.2 × 150 + 20) ÷ (1.2 × 150 + 20) = 182 ÷ 200 = 0.910 of the file's, as
    the comparison's note says (3 seeded days of 1,200 calls)."""
    from simulator.planner.compare import compare_what_ifs

    g = group(["q"], [80, 80], handle_time_factor={"q": 1.2}, not_ready=exponential(20))
    q = queue([600.0, 600.0], exponential(150.0))
    sc = simulator.parse_scenario(scenario({"q": q}, {"g": g}, interval_minutes=30))
    edited = apply_what_if(sc, {"aht": 0.9})
    assert edited.agents == sc.agents and edited.queues["q"].aht == pytest.approx(135)
    cmp = compare_what_ifs(sc, [{"aht": 0.9}], replications=3, seed=3)
    base, scaled = (r.day_samples for r in cmp.results)
    assert np.array_equal(scaled["answered"], base["answered"])
    assert scaled["aht"] == pytest.approx(0.9 * base["aht"], rel=1e-12)
    # 1.2 × 150 s within 4.5 standard errors (180 ÷ √3600 = 3 s): false alarm 7e-6
    assert base["aht"].mean() == pytest.approx(180, abs=13.5)
    assert cmp.notes == [
        "aht×0.9: the AHT (talk, hold, after-call work) is × 0.9 in every group; the "
        "not-ready time after calls (g) is not handle time and stays, so the agents' time "
        "per call (handle + not-ready) is × 0.910"
    ]


def test_run_aht_scale_notes_the_not_ready_time_as_compare_does(tmp_path):
    """`run --aht-scale 0.9` of the same groups says what `compare --what-if aht=0.9`
    says: the not-ready time stays, the agents' time per call is × 0.910 (182 ÷ 200);
    a scenario without not-ready time gets no note."""
    g = group(["q"], [80, 80], handle_time_factor={"q": 1.2}, not_ready=exponential(20))
    q = queue([600.0, 600.0], exponential(150.0))
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario({"q": q}, {"g": g}, interval_minutes=30)))
    res = invoke("run", str(path), "-r", "2", "-q", "--aht-scale", "0.9")
    assert res.exit_code == 0, res.output
    assert (
        "note: --aht-scale 0.9: the AHT (talk, hold, after-call work) is × 0.9 in every group; "
        "the not-ready time after calls (g) is not handle time and stays, so the agents' time "
        "per call (handle + not-ready) is × 0.910"
    ) in " ".join(res.stdout.split())
    plain = invoke("run", str(PEAK), "-r", "2", "-q", "--aht-scale", "0.9")
    assert plain.exit_code == 0 and "note:" not in plain.stdout
