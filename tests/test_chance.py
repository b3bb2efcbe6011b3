"""Chance targets under forecast uncertainty (issue 13 item 2): the share of days a plan
meets its targets with a gamma daily busyness factor, and staffing for a share of days.

Whitt's (2006) numbers are the check: 10 Erlangs, AHT 180 s, 80/20, busyness cv 10%:
14 agents meet 80/20 on about 81% of days, 15 on about 96%. The formula is checked
independently by Monte Carlo (200,000 gamma days through Erlang C directly): the
share must lie within 4 binomial standard errors (false-alarm rate ~6e-5; the seed is
fixed, so the test is deterministic).
"""

import numpy as np
import pytest
from builders import capped_day

import simulator
from simulator.erlang import erlang_c_asa, erlang_c_service_level
from simulator.planner.chance import critical_factor, share_of_days
from simulator.planner.staffing import plan


def ten_erlangs():
    """One half-hour of 100 calls at 180 s: 10 Erlangs, 80/20."""
    return capped_day(volumes=(100,))


LOAD = np.array([[10.0]])


@pytest.mark.parametrize("agents, whitt", [(14, 0.81), (15, 0.96)])
def test_whitts_numbers(agents, whitt):
    share = float(share_of_days(ten_erlangs(), "erlang-c", LOAD, np.array([[agents]]), 0.1)[0, 0])
    assert share == pytest.approx(whitt, abs=0.005)
    days = np.random.default_rng(2006).gamma(100.0, 0.01, size=200_000)
    met = np.asarray(erlang_c_service_level(10.0 * days, agents, 180.0, 20.0)) >= 0.8
    se = np.sqrt(share * (1 - share) / days.size)
    assert abs(met.mean() - share) < 4 * se


def test_the_critical_factor_is_where_the_service_level_crosses_its_target():
    x = float(critical_factor(ten_erlangs(), "erlang-c", LOAD, np.array([[14.0]]))[0, 0])
    assert erlang_c_service_level(10.0 * x, 14, 180, 20) == pytest.approx(0.8, abs=1e-9)
    assert x == pytest.approx(1.08685, abs=1e-4)


def test_every_target_counts_not_only_the_service_level():
    """With an ASA target of 5 s, 15 agents meet 80/20 at any busyness up to 1.18 but
    the ASA only up to a smaller factor: the share falls accordingly."""
    base = ten_erlangs()
    sc = base.model_copy(update={"targets": base.targets.model_copy(update={"asa": 5.0})})
    x = float(critical_factor(sc, "erlang-c", LOAD, np.array([[15.0]]))[0, 0])
    assert erlang_c_asa(10.0 * x, 15, 180) == pytest.approx(5.0, abs=1e-6)
    only_sl = share_of_days(base, "erlang-c", LOAD, np.array([[15.0]]), 0.1)
    both = share_of_days(sc, "erlang-c", LOAD, np.array([[15.0]]), 0.1)
    assert both[0, 0] < only_sl[0, 0]


def test_a_chance_target_plans_for_a_share_of_days():
    sc = ten_erlangs()
    assert plan(sc, "erlang-c").required[0, 0] == 14
    for days, agents in ((0.8, 14), (0.9, 15), (0.95, 15), (0.99, 16)):
        p = plan(sc, "erlang-c", busyness_cv=0.1, days_meeting=days)
        assert p.required[0, 0] == agents, days
        assert p.days_share[0, 0] >= days
        fewer = share_of_days(sc, "erlang-c", LOAD, np.array([[agents - 1.0]]), 0.1)
        assert fewer[0, 0] < days or agents == 14  # minimal (14 is the mean-load floor)
    d = simulator.to_dict(plan(sc, "erlang-c", busyness_cv=0.1))
    assert d["busyness"]["cv"] == 0.1 and d["busyness"]["days_meeting_target"] is None
    assert d["busyness"]["queues"]["q"] == [pytest.approx(0.809935, abs=1e-6)]


def test_bad_chance_options_name_the_field():
    sc = ten_erlangs()
    with pytest.raises(ValueError, match="days_meeting: needs busyness_cv"):
        plan(sc, "erlang-c", days_meeting=0.9)
    with pytest.raises(ValueError, match="days_meeting: must be a share between 0 and 1"):
        plan(sc, "erlang-c", busyness_cv=0.1, days_meeting=90)
    with pytest.raises(ValueError, match="busyness_cv: must be a number > 0"):
        plan(sc, "erlang-c", busyness_cv=0.0)
