"""The notebooks run top to bottom, headless, and teach with the numbers they claim.

Each notebook is executed with nbclient in a fresh `python3` kernel (no display, no
network: matplotlib draws inline). Its cell tagged ``summary`` prints one JSON line of
the key numbers the text relies on, and each test checks them, so a notebook whose
lesson stops being true fails here instead of misleading a reader.

The notebooks find the repository root themselves; the quick start runs from the root
and the others from ``notebooks/``, so both ways stay working. Each test starts its own
kernel and writes the executed copy to ``build/notebooks/``, where the documentation
site takes it from (docs/hooks.py), so the suite runs each notebook once; the tests
and the site build share the ``notebooks`` xdist group, so that under
``pytest -n 2 --dist loadgroup`` (`make test`) the site is built after them.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from scripts import load_script

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
pytestmark = pytest.mark.xdist_group("notebooks")


def run_notebook(name: str, cwd: Path = NOTEBOOKS) -> dict:
    """Execute notebooks/`name` from `cwd`, keep the executed copy for the site;
    return the JSON printed by its summary cell."""
    hooks = load_script("docs/hooks.py")
    nb = hooks.execute(NOTEBOOKS / name, hooks.EXECUTED / name, cwd)
    summary = [c for c in nb.cells if "summary" in c.metadata.get("tags", [])]
    assert len(summary) == 1, f"{name}: needs exactly one cell tagged 'summary'"
    text = "".join(
        o.get("text", "")
        for o in summary[0].outputs
        if o.output_type == "stream" and o.name == "stdout"
    )
    return json.loads(text.strip().splitlines()[-1])


def test_quick_start_runs_and_more_agents_give_more_service():
    s = run_notebook("01_quick_start.ipynb", cwd=ROOT)
    low, high = s["base_service_level_ci95"]
    assert low <= s["base_service_level"] <= high
    sim = {int(n): v for n, v in s["service_level_by_agents"].items()}
    erlang = {int(n): v for n, v in s["erlang_a_by_agents"].items()}
    agents = sorted(sim)
    assert all(sim[a] < sim[b] for a, b in itertools.pairwise(agents))
    # a steady single queue: the simulation tells Erlang A's story, within its 95% CI
    # plus 0.02 for what Erlang A leaves out (the day starts empty; 25 trunk lines)
    half = {int(n): v for n, v in s["service_level_half_width_by_agents"].items()}
    assert all(abs(sim[n] - erlang[n]) < half[n] + 0.02 for n in agents)
    assert s["fewest_agents_meeting_goal"] == min(n for n in agents if erlang[n] >= 0.8)
    assert s["fewest_agents_meeting_goal_ci_low"] >= s["fewest_agents_meeting_goal"]


def test_sizing_a_peak_day_runs_and_checks_the_plan():
    s = run_notebook("02_sizing_a_peak_day.ipynb")
    assert s["required_erlang_c"] > s["required_erlang_a"]  # Erlang C over-staffs
    assert s["agent_hours"]["erlang-c"] > s["agent_hours"]["erlang-a"]
    assert s["shifts"]["under_agent_intervals"] == 0  # shifts cover the plan
    assert s["shifts"]["over_agent_intervals"] > 0  # ...lumpily
    # for the day, Erlang A's promise at exactly its requirement holds in simulation
    assert s["at_required"]["service_level"]["disagree"] is False
    # the shifts' extra agents buy service; 15% more calls take it back, at the peak
    shifts_sl = s["shift_plan"]["service_level"]["simulated"]
    assert shifts_sl > s["at_required"]["service_level"]["simulated"]
    assert s["plus_15"]["service_level"]["simulated"] < shifts_sl
    assert s["plus_15"]["abandon_rate"]["simulated"] > s["shift_plan"]["abandon_rate"]["simulated"]
    assert s["plus_15_intervals_below_80"] > 0
    assert s["plus_15_peak_blocked_rate"] > 0.02  # 46 lines at the peak
    assert s["plus_15_extra_agent_hours"] > 0 and s["plus_15_extra_shift_cost"] > 0


def test_queueing_lessons_hold():
    s = run_notebook("03_queueing_lessons.ipynb")

    pooling = s["pooling"]
    assert pooling["pooled"] < pooling["separate"]
    sims = pooling["simulated_service_level"]
    pooled_sl = next(v for k, v in sims.items() if k.startswith("pooled"))
    same_agents_apart = sims[f"separate {pooling['pooled'] // 2} + {pooling['pooled'] // 2}"]
    assert pooled_sl >= 0.8 > same_agents_apart

    root = s["square_root"]
    beta = root["beta_80_20"]
    assert beta["5"] > beta["100"] > beta["2000"] > 0  # 80/20: beta falls with load
    assert abs(root["beta_wait_20pct_at_2000"] - root["beta_halfin_whitt"]) < 0.05
    assert root["rule_minus_exact"]["5"] <= 0 < root["rule_minus_exact"]["2000"]

    ca = s["erlang_c_vs_a"]
    assert ca["required"]["erlang_c"] > ca["required"]["erlang_a"]
    assert ca["required"]["simulation"] == ca["required"]["erlang_a"]
    at = ca["at_erlang_a_required"]
    _mean, low, high = at["sim_sl"]
    assert low <= at["erlang_a_sl"] <= high
    _mean, low, high = at["sim_abandon"]
    assert low <= at["erlang_a_abandon"] <= high

    cliff = s["cliff_sl_at_occupancy_A50"]
    levels = sorted(cliff, key=float)
    drops = [cliff[a] - cliff[b] for a, b in itertools.pairwise(levels)]
    assert all(d > 0 for d in drops) and drops[-1] > drops[0]  # it gets steeper

    ab = s["abandonment"]
    share = ab["within_60s"]
    assert abs(share["simulation"] - share["theory"]) < 0.02
    assert share["theory"] > 0.8
    assert 0.35 > share["patience_distribution"] > 0.3
    for row in ab["by_agents"].values():
        assert abs(row["within_60s_sim"] - row["within_60s_theory"]) < 0.02
        assert abs(row["patience_estimate_s"] / ab["patience"] - 1) < 0.05


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_started_outside_the_repository_says_what_to_do(name, tmp_path):
    """A copy run elsewhere (downloaded from the site, say) stops in its first code
    cell with a message naming the fix, not a bare StopIteration."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells = nb.cells[: first + 1]
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with pytest.raises(nbclient.exceptions.CellExecutionError) as exc:
        client.execute()
    message = str(exc.value)
    assert "FileNotFoundError" in message and "StopIteration" not in message
    assert "outside the callsim repository" in message
    assert "Open it from the repository's notebooks/ folder" in message
