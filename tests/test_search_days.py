"""The share of simulated days a simulated plan meets its targets (issue 13 item 2),
counted by hand from the day samples of the plan's verification (independent days)."""

import numpy as np
from builders import capped_day

import simulator
from simulator.planner.search import SearchSettings
from simulator.planner.staffing import plan


def test_simulated_plan_reports_the_share_of_days_meeting_every_target():
    sc = capped_day(patience=120, max_count=None, volumes=(100, 100, 60))
    sc = sc.model_copy(update={"targets": sc.targets.model_copy(update={"abandon_rate": 0.05})})
    p = plan(sc, "simulation", settings=SearchSettings(20, 40, 30))
    res = p.search.result
    assert res.replications == 30 and res.seed == sc.simulation.seed
    sl = res.interval_samples["service_level"]  # (days, intervals), one queue
    ab = res.interval_samples["abandon_rate"]
    called = res.interval_samples["accepted"] > 0  # a day without callers is not counted
    both = ((sl >= 0.8) & (ab <= 0.05) & called).sum(axis=0) / called.sum(axis=0)
    assert p.search.days_meeting.shape == (1, 3)
    assert np.array_equal(p.search.days_meeting[0], both)
    each = p.search.verification.days_meeting_each
    assert np.array_equal(each["service_level"][0], ((sl >= 0.8) & called).sum(0) / called.sum(0))
    assert np.array_equal(each["abandon_rate"][0], ((ab <= 0.05) & called).sum(0) / called.sum(0))
    assert 0 < both.min() < 1  # the mean meets 80/20, single days do not always
    note = [n for n in p.notes if n.startswith("verification: the plan simulated on 30")]
    assert note and f"on at least {100 * both.min():.0f}% of the days" in note[0]
    d = simulator.to_dict(p)["simulation"]
    assert d["days_meeting_targets"]["q"] == [round(float(v), 6) for v in both]
    assert set(d["days_meeting"]) == {"service_level", "abandon_rate"}
