"""Tests for simulator.report and simulator.plots: the files a run leaves behind say
exactly what the simulation computed, and each figure is drawn from the right data.

One small scenario (three 15-minute intervals, three simulated days) is simulated and
written once per module; each test reads back one thing from it.
"""

import base64
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

import simulator
from simulator.kpi.registry import UNITS
from simulator.report import format as fmt
from simulator.report import plots
from simulator.report.pages import RUN_FILES, write_compare, write_html, write_run

NAME = 'Tiny <desk> & "co"'
ESCAPED = "Tiny &lt;desk&gt; &amp; &#34;co&#34;"  # as Jinja2 (markupsafe) escapes it
PNGS = [f for f in RUN_FILES if f.endswith(".png")]


def scenario(name=NAME, volumes=(40, 60, 50), staffing=(6, 7, 6)):
    return simulator.parse_scenario(
        {
            "name": name,
            "interval_minutes": 15,
            "open": "23:30",
            "service_level": {"seconds": 20, "target": 0.8},
            "lines": 12,
            "targets": {"abandon_rate": 0.05},
            "queues": {
                "front desk": {
                    "volumes": list(volumes),
                    "handle_time": {"distribution": "exponential", "mean": 100},
                    "patience": {"distribution": "exponential", "mean": 60},
                }
            },
            "agents": {"desk team": {"skills": ["front desk"], "staffing": list(staffing)}},
            "simulation": {"replications": 3, "seed": 4},
        }
    )


@pytest.fixture(scope="module")
def res():
    return simulator.simulate(scenario())


@pytest.fixture(scope="module")
def run(res, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    return out, write_run(res, out, required=[5.5, 6.2, 5.9])


def close(a, b, tol):
    np.testing.assert_allclose(
        np.asarray(a, float), np.asarray(b, float), rtol=0, atol=tol, equal_nan=True
    )


def by_gid(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist {gid!r}, found {len(found)}"
    return found[0]


# ------------------------------------------------------------------ files


def test_write_run_writes_every_file_it_lists(run):
    out, written = run
    assert [p.name for p in written] == list(RUN_FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)


def test_summary_csv_round_trips_the_day_kpis(run, res):
    df = pd.read_csv(run[0] / "summary.csv")
    assert list(df.columns) == ["kpi", "unit", "mean", "ci95_low", "ci95_high"]
    assert list(df["kpi"]) == list(res.summary.index)
    assert list(df["unit"].fillna("")) == [UNITS.get(k, "") for k in df["kpi"]]
    for col in ("mean", "ci95_low", "ci95_high"):
        close(df[col], res.summary[col], 1e-9)
    # the --json object rounds to 6 decimals
    summary = simulator.to_dict(res)["summary"]
    close(df["mean"], [summary[k]["mean"] for k in df["kpi"]], 1e-6)
    close(df["ci95_low"], [summary[k]["ci95"][0] for k in df["kpi"]], 1e-6)


def test_intervals_csv_is_tidy_with_units_and_round_trips(run, res):
    df = pd.read_csv(run[0] / "intervals.csv")
    assert list(df.columns) == [
        "interval",
        "start",
        "kpi",
        "unit",
        "mean",
        "ci95_low",
        "ci95_high",
        "target",
        "misses_target",
    ]
    expected = res.intervals
    assert len(df) == len(expected) == len(res.starts) * len(res.interval_samples)
    assert list(df["start"]) == list(expected["start"])
    assert set(df["start"]) == {"23:30", "23:45", "00:00"}
    assert list(df["kpi"]) == list(expected["kpi"])
    for col in ("mean", "ci95_low", "ci95_high"):
        close(df[col], expected[col], 1e-9)
    intervals = simulator.to_dict(res)["intervals"]
    wide = df.pivot(index="interval", columns="kpi", values="mean")
    for i, row in enumerate(intervals):
        close(
            wide.loc[i, list(res.interval_samples)],
            [row[k]["mean"] for k in res.interval_samples],
            1e-6,
        )


def test_queues_csv_matches_the_per_queue_kpis(run, res):
    df = pd.read_csv(run[0] / "queues.csv")
    queues = simulator.to_dict(res)["queues"]
    assert set(df["queue"]) == set(queues) == {"front desk"}
    close(df["mean"], [queues[q][k]["mean"] for q, k in zip(df["queue"], df["kpi"])], 1e-6)


def test_calls_csv_has_one_row_per_call_with_units_in_names(run, res):
    df = pd.read_csv(run[0] / "calls.csv", keep_default_na=False, na_values=[""])
    calls = res.calls
    assert len(df) == len(calls)
    assert {"arrival_s", "wait_s", "handle_s"} <= set(df.columns)
    assert set(calls.columns) <= set(df.columns)
    close(df["wait_s"], calls["wait_s"], 1e-6)
    assert list(df["outcome"]) == list(calls["outcome"])
    # the clock time of each call's interval, to join with intervals.csv
    assert list(df["start"]) == [res.scenario.interval_starts()[i] for i in calls["interval"]]


def test_writing_a_run_twice_leaves_the_result_as_it_was(res, tmp_path):
    """Issue 9, defect 1: call_table inserted `start` into the cached res.calls, so a
    second write_run of the same result raised ValueError (column already exists)."""
    before = list(res.calls.columns)
    first = write_run(res, tmp_path / "a")
    second = write_run(res, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second] == list(RUN_FILES)
    assert list(res.calls.columns) == before and "start" not in before
    assert (tmp_path / "a/calls.csv").read_bytes() == (tmp_path / "b/calls.csv").read_bytes()


def test_data_dictionary_explains_every_column_and_kpi(run):
    out = run[0]
    dd = pd.read_csv(out / "data_dictionary.csv", keep_default_na=False)
    assert list(dd.columns) == ["file", "column", "meaning", "unit"]
    for name in ("summary.csv", "intervals.csv", "queues.csv", "calls.csv"):
        columns = pd.read_csv(out / name, nrows=1).columns
        described = dd.loc[dd["file"] == name, "column"]
        assert list(described) == list(columns), name
    kpis = pd.read_csv(out / "summary.csv")["kpi"]
    rows = dd.set_index("column")
    for k in kpis:
        assert rows.loc[f"kpi = {k}", "meaning"], k
    assert rows.loc["kpi = asa", "unit"] == "s"
    assert rows.loc["kpi = service_level", "unit"] == "fraction"


@pytest.mark.parametrize("name", PNGS)
def test_every_plot_is_a_real_png(run, name):
    data = (run[0] / name).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000


def test_report_html_is_self_contained_and_complete(run, res):
    out = run[0]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert ESCAPED in page and NAME not in page
    for k in res.summary.index:
        assert f">{fmt.label(k)}<" in page, k
    # the plots are embedded, byte for byte; nothing is fetched from elsewhere
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert [base64.b64decode(e) for e in embedded] == [(out / n).read_bytes() for n in PNGS]
    assert not re.search(r"<script|<link|url\(|https?://", page)
    # assumptions: the queue, agent group, staffing, lines and replications
    for text in (
        "front desk",
        "desk team",
        "exponential, mean 100 s",
        "80% of calls answered within 20 s",
        "Trunk lines",
        "3 independent days",
        "seed 4",
    ):
        assert text in page, text
    sl = res.summary.loc["service_level"]
    assert fmt.interval("service_level", sl["ci95_low"], sl["ci95_high"]) in page


def test_required_must_have_one_value_per_interval(res, tmp_path):
    with pytest.raises(ValueError, match="required"):
        write_run(res, tmp_path, required=[5.0, 6.0])


def test_write_html_escapes_titles_and_headings(tmp_path):
    page = write_html(tmp_path / "p.html", "<b>t</b>", [("<i>h</i>", "<p>body</p>")])
    text = page.read_text(encoding="utf-8")
    assert "&lt;b&gt;t&lt;/b&gt;" in text and "&lt;i&gt;h&lt;/i&gt;" in text
    assert "<p>body</p>" in text and "<b>" not in text


def test_write_compare_puts_two_runs_side_by_side(res, tmp_path):
    busier = simulator.simulate(scenario("Busier", volumes=(60, 80, 70)))
    written = write_compare({"base": res, "busier <+40%>": busier}, tmp_path)
    assert [p.name for p in written] == [
        "compare_summary.csv",
        "compare_intervals.csv",
        "compare_differences.csv",
        "compare_interval_differences.csv",
        "compare.png",
        "compare.html",
    ]
    wide = pd.read_csv(tmp_path / "compare_summary.csv")
    close(wide["base mean"], res.summary["mean"].reindex(wide["kpi"]), 1e-9)
    close(wide["busier <+40%> ci95_high"], busier.summary["ci95_high"].reindex(wide["kpi"]), 1e-9)
    long = pd.read_csv(tmp_path / "compare_intervals.csv")
    assert len(long) == len(res.intervals) + len(busier.intervals)
    assert (tmp_path / "compare.png").stat().st_size > 10_000
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert "busier &lt;+40%&gt;" in page and ESCAPED in page
    assert page.count("data:image/png;base64,") == 1


# ------------------------------------------------------------------ figures


def test_service_level_figure_draws_the_interval_means_and_target(res):
    ax = plots.service_level_figure(res).axes[0]
    mean = res.intervals.query("kpi == 'service_level'")["mean"]
    close(by_gid(ax, "service_level").get_ydata(), mean, 1e-12)
    close(by_gid(ax, "target").get_ydata(), [0.8, 0.8], 0)
    assert isinstance(by_gid(ax, "service_level_ci"), PolyCollection)
    assert "Tiny <desk>" in ax.get_title(loc="left")


def test_asa_abandon_figure_draws_both_kpis_with_bands(res):
    top, bottom = plots.asa_abandon_figure(res).axes
    for ax, kpi in ((top, "asa"), (bottom, "abandon_rate")):
        close(by_gid(ax, kpi).get_ydata(), res.intervals.query("kpi == @kpi")["mean"], 1e-12)
        by_gid(ax, f"{kpi}_ci")
    close(by_gid(bottom, "target").get_ydata(), [0.05, 0.05], 0)  # the scenario's target
    assert top.get_ylabel() == "ASA (s)"


def test_staffing_figure_draws_staffed_against_required(res):
    ax = plots.run_staffing_figure(res, [5.5, 6.2, 5.9]).axes[0]
    bars = [a for a in ax.patches if a.get_gid() == "staffed:desk team"]
    assert [b.get_height() for b in bars] == [6, 7, 6]
    close(by_gid(ax, "required").get_data().values, [5.5, 6.2, 5.9], 1e-12)
    alone = plots.run_staffing_figure(res).axes[0]
    assert any("not given" in t.get_text() for t in alone.get_legend().get_texts())


def test_wait_figure_is_the_ecdf_of_answered_and_abandoned_waits(res):
    ax = plots.wait_figure(res).axes[0]
    calls = res.calls
    for outcome in ("answered", "abandoned"):
        line = by_gid(ax, outcome)
        waits = np.sort(calls.loc[calls["outcome"] == outcome, "wait_s"])
        close(line.get_xdata()[1:], waits, 1e-12)
        assert line.get_ydata()[-1] == 1.0
    close(by_gid(ax, "threshold").get_xdata(), [20, 20], 0)


def test_compare_figure_draws_one_curve_per_scenario_and_kpi(res):
    other = simulator.simulate(scenario("Other"), replications=2)
    fig = plots.compare_figure({"a": res, "b": other})
    assert len(fig.axes) == 3
    for ax, kpi in zip(fig.axes, ("service_level", "asa", "abandon_rate")):
        close(by_gid(ax, f"{kpi}:a").get_ydata(), res.intervals.query("kpi == @kpi")["mean"], 1e-12)
        close(
            by_gid(ax, f"{kpi}:b").get_ydata(), other.intervals.query("kpi == @kpi")["mean"], 1e-12
        )


def test_clock_axis_reads_hh_mm_past_midnight(res):
    ax = plots.service_level_figure(res).axes[0]
    label = ax.xaxis.get_major_formatter()
    x = plots.clock_x(res.starts, 15)
    assert [label(v, 0) for v in x] == ["23:30", "23:45", "00:00"]


def test_user_text_is_never_read_as_mathtext():
    assert plots.text("cost $5 $6") == r"cost \$5 \$6"
    assert not plots.text("_hidden").startswith("_")


# ------------------------------------------------------------------ plans and predictions


def test_terminal_and_page_show_the_same_interval_columns(res):
    kpis, rows = fmt.interval_rows(res)
    assert kpis == [k for k in fmt.INTERVAL_COLUMNS]  # lines are limited: blocked too
    from simulator.report.pages import intervals_html
    from simulator.report.terminal import interval_table

    assert [c.header for c in interval_table(res).columns] == ["start", "misses"] + [
        fmt.label(k) for k in kpis
    ]
    page = intervals_html(res)
    for k in kpis:
        assert f">{fmt.label(k)}<" in page
    assert rows[0][0] == "23:30" and rows[0][3] in page


@pytest.fixture(scope="module")
def simulated_plan():
    from simulator.planner.staffing import plan

    return plan(scenario(volumes=(40, 60, 50)), "simulation")


def test_write_plan_tables_match_the_plan_and_explain_every_column(simulated_plan, tmp_path):
    from simulator.report.pages import PLAN_FILES, write_plan

    p = simulated_plan
    written = write_plan(p, tmp_path)
    assert [w.name for w in written] == list(PLAN_FILES)
    center = pd.read_csv(tmp_path / "plan_intervals.csv")
    close(center["required_agents"], p.total["required"], 0)
    close(center["service_level"], p.total["service_level"], 1e-12)
    close(center["service_level_ci95_high"], p.figures()["service_level"][2], 1e-12)
    assert list(center["staffed_agents"]) == [6, 7, 6]
    queues = pd.read_csv(tmp_path / "plan_queues.csv")
    assert set(queues["queue"]) == {"front desk"} and len(queues) == 3
    dd = pd.read_csv(tmp_path / "data_dictionary.csv", keep_default_na=False)
    for name in ("plan_intervals.csv", "plan_queues.csv", "plan_groups.csv"):
        columns = pd.read_csv(tmp_path / name, nrows=1).columns
        assert list(dd.loc[dd["file"] == name, "column"]) == list(columns), name
    assert (dd["meaning"] != "").all()
    units = dd.drop_duplicates("column").set_index("column")["unit"]
    assert units["asa_s"] == "s" and units["service_level"] == "fraction"
    page = (tmp_path / "staff.html").read_text(encoding="utf-8")
    assert f"Staffing plan: {ESCAPED}" in page and "simulation search" in page


def test_plan_figure_draws_file_staffing_required_and_scheduled(simulated_plan):
    from simulator.report.pages import plan_figure

    ax = plan_figure(simulated_plan).axes[0]
    bars = [a for a in ax.patches if a.get_gid() == "staffed:desk team"]
    assert [b.get_height() for b in bars] == [6, 7, 6]
    close(by_gid(ax, "required").get_data().values, simulated_plan.total["required"], 0)
    close(by_gid(ax, "scheduled").get_data().values, simulated_plan.total["scheduled"], 0)


def test_prediction_figure_draws_the_prediction_against_the_band():
    figures = {
        "service_level": ([0.9, 0.8, 0.7], [0.85, 0.8, 0.75], [0.8, 0.75, 0.7], [0.9, 0.85, 0.8])
    }
    ax = plots.prediction_figure(
        ["08:00", "08:30", "09:00"], 30, figures, method="erlang-c", targets={"service_level": 0.8}
    ).axes[0]
    close(by_gid(ax, "service_level:predicted").get_ydata(), [0.9, 0.8, 0.7], 0)
    close(by_gid(ax, "service_level:simulated").get_ydata(), [0.85, 0.8, 0.75], 0)
    assert isinstance(by_gid(ax, "service_level:simulated_ci"), PolyCollection)
    close(by_gid(ax, "service_level:target").get_ydata(), [0.8, 0.8], 0)


def test_write_plan_comparison_lists_predicted_simulated_and_disagree(tmp_path):
    from simulator.planner.compare import COMPARED, compare_plan
    from simulator.report.pages import COMPARE_FILES, write_plan_comparison

    cmp = compare_plan(scenario(), "erlang-a")
    written = write_plan_comparison(cmp, tmp_path)
    assert [w.name for w in written] == list(COMPARE_FILES)
    long = pd.read_csv(tmp_path / "compare_intervals.csv")
    assert len(long) == 3 * len(COMPARED)
    sl = long.query("kpi == 'service_level'")
    pred, _mean, low, _high, flag = cmp.figures("service_level")
    close(sl["predicted"], pred, 1e-12)
    close(sl["ci95_low"], low, 1e-12)
    assert list(sl["unit"]) == ["fraction"] * 3 and list(sl["disagree"]) == list(flag)
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert ESCAPED in page and page.count("data:image/png;base64,") == 1


# ------------------------------------------------------------------ issue 15: what users read


def test_a_star_means_disagree_everywhere_and_inputs_are_never_starred(tmp_path):
    """One meaning of `*` (outside the 95% CI by more than the tolerance), said in a
    legend in the terminal and on the page; the forecast's offered calls, an input, are
    never starred, even when off by 100 calls."""
    from dataclasses import replace

    from simulator.kpi.registry import PREDICTED
    from simulator.planner.compare import COMPARED, compare_plan
    from simulator.report import terminal
    from simulator.report.pages import write_plan_comparison

    cmp = compare_plan(scenario(), "erlang-c")
    far = {**cmp.predicted, "offered": cmp.predicted["offered"] + 100}
    cmp = replace(cmp, predicted=far)
    assert all(cmp.figures("offered")[4])  # the offered calls do disagree
    rows = fmt.comparison_rows(cmp, COMPARED)
    for i, kpi in enumerate(COMPARED):
        flags = list(cmp.figures(kpi)[4]) + [cmp.day_figures(kpi)[4]]
        cells = [row[2 + 2 * i] for row in rows]
        starred = [c.endswith("*") for c in cells]
        assert starred == [bool(f) and kpi in PREDICTED for f in flags], kpi
    assert not any(row[2].endswith("*") for row in rows)  # offered
    assert terminal.plan_comparison_table(cmp).caption == fmt.STAR_LEGEND
    write_plan_comparison(cmp, tmp_path)
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert page.count(fmt.STAR_LEGEND.replace("'", "&#39;")) == 2  # under both tables
    csv = pd.read_csv(tmp_path / "compare_intervals.csv")
    assert csv.loc[csv["kpi"] == "offered", "disagree"].isna().all()
    sl = csv.loc[csv["kpi"] == "service_level", "disagree"]
    assert list(sl) == list(cmp.figures("service_level")[4])


def test_the_compare_page_says_what_a_paired_interval_means(res, tmp_path):
    from simulator.planner.compare import ScenarioComparison
    from simulator.report.compare_page import PAIRED_NOTE

    busier = simulator.simulate(scenario("Busier", volumes=(60, 80, 70)))
    write_compare({"base": res, "busier": busier}, tmp_path)
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert "common random numbers" in PAIRED_NOTE and "may be chance" not in page
    assert PAIRED_NOTE.replace("'", "&#39;") in page and ">Δ busier<" in page
    diff = ScenarioComparison(["base", "busier"], 1.0, [res, busier]).difference(1, "offered")
    assert f"{fmt.value('offered', diff.mean)}<br><small>" in page


def test_cost_per_call_counts_the_trunk_lines_as_the_dictionary_says(tmp_path):
    """No agent cost, 12 lines at 3.00 an hour: cost is the lines' alone (12 x 3 x 0.75 h
    = 27.00 a day), and cost per call divides it by the answered calls."""
    sc = simulator.parse_scenario(
        {**scenario().model_dump(mode="json", exclude_none=True), "line_cost_per_hour": 3.0}
    )
    res = simulator.simulate(sc)
    assert res.summary.loc["cost", "mean"] == pytest.approx(12 * 3.0 * 0.75)
    per_call = res.day_samples["cost"] / res.day_samples["answered"]
    assert res.summary.loc["cost_per_call", "mean"] == pytest.approx(per_call.mean())
    write_run(res, tmp_path)
    dd = pd.read_csv(tmp_path / "data_dictionary.csv", keep_default_na=False)
    meaning = dd.set_index("column").loc["kpi = cost_per_call", "meaning"]
    assert "trunk lines" in meaning and "staffed agent cost" not in meaning


def test_pages_print_on_a4_with_wide_tables_unclipped(run):
    page = (run[0] / "report.html").read_text(encoding="utf-8")
    print_rules = page[page.index("@media print") :]
    assert "size:A4" in print_rules and ".scroll { overflow:visible; }" in print_rules
    assert "overflow-wrap:anywhere" in page  # a long title wraps instead of running off


def test_the_abandon_legend_stays_off_the_target_line(res):
    fig = plots.asa_abandon_figure(res)
    fig.canvas.draw()
    for ax in fig.axes:
        legend = ax.get_legend().get_window_extent()
        assert legend.x0 >= ax.get_window_extent().x1  # beside the panel, not over it
        assert legend.x1 <= fig.bbox.x1 + 1


def test_a_long_figure_title_wraps_inside_the_figure(res):
    long = "a scenario with a very long file name indeed, as planners write them"
    fig = plots.compare_figure({long: res, long + " (+15%)": res})
    fig.canvas.draw()
    title = fig.axes[0].title.get_window_extent()
    assert fig.bbox.x0 <= title.x0 and title.x1 <= fig.bbox.x1
    assert "\n" in fig.axes[0].get_title(loc="left")


def test_shift_tables_show_cost_as_money_with_a_total_and_break_times():
    from simulator.model.scenario import Break, Shift
    from simulator.planner.shifts import schedule_shifts

    lunch = Break(earliest="11:00", latest="12:00", minutes=30, max_share=0.5)
    shifts = {
        "early": Shift(start="08:00", hours=8, cost_per_hour=20, unpaid_break=lunch),
        "late": Shift(start="12:00", hours=8, cost_per_hour=19),
    }
    # 08:00-20:00 in 60 min intervals: 4 agents all day
    plan = schedule_shifts([4] * 12, interval_minutes=60, open="08:00", shifts=shifts)
    header, rows = fmt.shift_rows(plan)
    assert header == [
        "shift",
        "start",
        "end",
        "hours",
        "paid h",
        "agents",
        "cost",
        "breaks",
    ]
    # 4 late agents (8 h × 19) cover 12:00-20:00. Early's breaks may not all go to 12:00
    # (at most ceil(n / 2) there), so 11:00 keeps n - floor(n / 2) >= 4: n = 7, 3 of them
    # off at 11:00 and 4 at 12:00; 7.5 paid hours × 20 each
    assert rows[0] == ["early", "08:00", "16:00", "8", "7.5", "7", "1,050.00", "11:00×3 12:00×4"]
    assert rows[1] == ["late", "12:00", "20:00", "8", "8", "4", "608.00", ""]
    assert rows[-1] == ["total", "", "", "", "", "11", "1,658.00", ""]


def test_an_80_column_terminal_gets_one_line_per_interval(res):
    import io

    from rich.console import Console

    from simulator.report import terminal

    console = Console(width=80, file=io.StringIO(), record=True)
    console.print(terminal.interval_table(res, 80))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    header = [line for line in lines if line.startswith("┃")]
    rows = [line for line in lines if line.startswith("│")]
    assert len(header) == 1 and "SL %" in header[0] and "ASA s" in header[0]
    assert [r.split()[1] for r in rows] == res.starts  # one line each: nothing wraps
    assert any("left out at this width" in line for line in lines)
    wide = Console(width=200, file=io.StringIO(), record=True)
    wide.print(terminal.interval_table(res, 200))
    assert "left out" not in wide.export_text()


def test_run_columns_chooses_the_interval_columns_and_refuses_unknown_kpis(tmp_path):
    import yaml
    from typer.testing import CliRunner

    from simulator.cli import app

    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(scenario().model_dump(mode="json", exclude_none=True)))
    done = CliRunner().invoke(app, ["run", str(path), "--columns", "service_level,asa"])
    assert done.exit_code == 0, done.stderr
    per_interval = done.stdout[done.stdout.index("Per interval") :]
    assert "SL %" in per_interval and "ASA s" in per_interval
    assert "occupancy" not in per_interval
    bad = CliRunner().invoke(app, ["run", str(path), "--columns", "service_level,nope"])
    assert bad.exit_code == 2 and "--columns: unknown KPI nope" in bad.stderr
    kpis = "offered, blocked, blocked_rate, accepted, answered"  # the registry's order
    assert f"give KPIs, comma-separated: {kpis}," in bad.stderr
    twice = CliRunner().invoke(app, ["run", str(path), "--columns", "asa,aht,asa"])
    assert (twice.exit_code, twice.stderr) == (  # printed the ASA column twice
        2,
        "callsim: invalid option\n  --columns: asa given twice\n",
    )
    for empty in ("", " , "):  # said "unknown KPI (none given)"
        none = CliRunner().invoke(app, ["run", str(path), "--columns", empty])
        assert (none.exit_code, none.stdout) == (2, "")
        assert none.stderr.startswith(
            f"callsim: invalid option\n  --columns: no KPI in {empty!r}; give KPIs, "
            f"comma-separated: {kpis},"
        )
