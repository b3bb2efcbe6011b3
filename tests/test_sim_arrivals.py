"""Arrivals with a random daily busyness factor (Poisson-gamma): `arrivals.busyness_cv`.

One gamma factor F of mean 1 and cv c per simulated day multiplies every volume, so a
day's count N with forecast m is negative binomial: E N = m, Var N = m + c^2 m^2; two
queues' counts share the factor, Cov = c^2 m1 m2; and a day's service level is Erlang C
at load A F, so its mean over days is the gamma mixture E_F[SL_C(A F, n)] (Whitt 2006:
86.5% at 10 Erlangs, 14 agents, cv 0.1, where plain Erlang C says 88.8%).

Checks are within Z = 4.5 standard errors (count moments: two-sided false alarm 7e-6
each) or a 99.9% Student-t interval over the days (0.1% each): about 0.1% for the module.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import exponential, group, queue, scenario, steady
from scipy import integrate
from scipy import stats as st

from simulator.erlang import erlang_c_service_level
from simulator.kpi.compute import day_kpis
from simulator.model.load import parse_scenario
from simulator.model.scenario import ScenarioError
from simulator.sim.draws import forecast
from simulator.sim.engine import simulate_day
from simulator.sim.streams import Streams

Z = 4.5
DAYS = np.random.SeedSequence(77).spawn(3000)


def counts(cv: float) -> np.ndarray:
    """Offered calls per day of queues a (800/day) and b (1,200/day), one row per day."""
    data = scenario(
        {"a": queue([200] * 4), "b": queue([300] * 4)},
        {"g": group(["a", "b"], [10] * 4)},
    )
    data["arrivals"] = {"busyness_cv": cv}
    sc = parse_scenario(data)
    return np.array([np.bincount(forecast(sc, Streams(d)).queue, minlength=2) for d in DAYS])


def within(x: np.ndarray, exact: float) -> bool:
    return abs(x.mean() - exact) <= Z * x.std(ddof=1) / math.sqrt(len(x))


@pytest.mark.parametrize("cv", [0.0, 0.1, 0.25])
def test_daily_counts_are_negative_binomial(cv):
    n = counts(cv)
    for m, x in zip((800.0, 1200.0), n.T):
        assert within(x, m)
        # sample variance vs m + c^2 m^2: z-test on the squared deviations
        assert within((x - m) ** 2, m + cv**2 * m**2), (x.var(), m + cv**2 * m**2)
    # the factor is the day's, shared by every queue
    cov = (n[:, 0] - 800.0) * (n[:, 1] - 1200.0)
    assert within(cov, cv**2 * 800 * 1200)


def test_busier_days_are_visible_in_the_counts():
    """Sensitive: at cv 0.1 the variance is 9x Poisson's; at cv 0 it is Poisson's."""
    assert counts(0.1)[:, 0].var() > 5 * counts(0.0)[:, 0].var()


def test_service_level_over_days_is_the_gamma_mixture_of_erlang_c():
    load, agents, cv, aht, t = 10.0, 14, 0.1, 180.0, 20.0
    data = steady(load, agents, 7, warmup=1)
    data["arrivals"] = {"busyness_cv": cv}
    sc = parse_scenario(data)
    sl = np.array(
        [
            day_kpis(sc, simulate_day(sc, d)).day["service_level"]
            for d in np.random.SeedSequence(5).spawn(500)
        ]
    )
    k = 1 / cv**2
    gamma = st.gamma(k, scale=1 / k)
    mixture = integrate.quad(
        lambda f: float(erlang_c_service_level(load * f, agents, aht, t)) * gamma.pdf(f),
        0,
        agents / load,
    )[0]
    plain = float(erlang_c_service_level(load, agents, aht, t))
    assert mixture == pytest.approx(0.865, abs=0.001)  # Whitt's figure
    half = st.t.ppf(0.9995, len(sl) - 1) * sl.std(ddof=1) / math.sqrt(len(sl))
    assert abs(sl.mean() - mixture) <= half, (sl.mean(), half, mixture)
    assert half < 0.02 and abs(sl.mean() - plain) > half  # tells the mixture from plain C


def test_busyness_cv_is_validated_with_its_field():
    data = scenario({"q": queue([10], exponential())}, {"g": group(["q"], [2])})
    data["arrivals"] = {"busyness_cv": 1.5}
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data)
    assert exc.value.problems == ["arrivals.busyness_cv: must be <= 1"]
