"""Tests for simulator.erlang: published values, independent references, pyworkforce.

The references written here share no code with the module: the Erlang B recursion,
birth-death sums in log space, and the tagged-caller chain solved with a matrix
exponential and linear solves.
"""

import warnings

import numpy as np
import pytest
from pyworkforce.queuing import ErlangA, ErlangB, ErlangC
from scipy.linalg import expm
from scipy.special import gammaln, logsumexp
from scipy.stats import norm

from simulator.erlang import (
    ErlangAResult,
    agents_for_service_level,
    erlang_a,
    erlang_b,
    erlang_b_recall,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
    mmnk_abandon,
    occupancy,
)

AHT = 180.0  # seconds
KPIS = ("p_wait", "abandon_rate", "service_level", "asa", "occupancy", "avg_queue")


# ------------------------------------------------------------------ references


def erlang_b_recursion(loads, max_agents):
    """B(A, n) for n = 0..max_agents by B(n) = A B(n-1) / (n + A B(n-1)); rows are n."""
    loads = np.asarray(loads, dtype=float)
    rows = [np.ones_like(loads)]
    for n in range(1, max_agents + 1):
        b = rows[-1]
        rows.append(loads * b / (n + loads * b))
    return np.array(rows)


def erlang_c_birth_death(load, agents):
    """P(wait) of M/M/n from the stationary distribution, summed in log space."""
    j = np.arange(agents)
    head = logsumexp(j * np.log(load) - gammaln(j + 1))  # states below n
    tail = agents * np.log(load) - gammaln(agents + 1) - np.log1p(-load / agents)
    return float(np.exp(tail - np.logaddexp(head, tail)))


def erlang_a_tagged_chain(load, agents, aht, patience, threshold, extra=200):
    """M/M/n+M by brute force: stationary chain, then a tagged caller's own chain.

    The tagged caller with m ahead moves to m-1 at n mu + m theta (answered from 0),
    and hangs up at theta. P(answered by T) from expm; P(answered) and the mean wait
    of the answered from the transient generator by linear solves.
    """
    lam, mu, theta = load / aht, 1.0 / aht, 1.0 / patience
    states = np.arange(agents + extra + 1)
    death = np.minimum(states, agents) * mu + np.maximum(states - agents, 0) * theta
    log_p = np.concatenate([[0.0], np.cumsum(np.log(lam / death[1:]))])
    p = np.exp(log_p - logsumexp(log_p))
    waiting = p[agents:]  # m = 0..extra ahead
    size = extra + 1
    gen = np.zeros((size + 2, size + 2))  # + answered, + abandoned
    for m in range(size):
        gen[m, m - 1 if m else size] = agents * mu + m * theta
        gen[m, size + 1] = theta
        gen[m, m] = -(agents * mu + (m + 1) * theta)
    transient = gen[:size, :size]
    answered_by_t = expm(gen * threshold)[:size, size]
    ever = np.linalg.solve(-transient, gen[:size, size])
    wait_answered = np.linalg.solve(-transient, ever)
    now = p[:agents].sum()
    return {
        "p_wait": waiting.sum(),
        "abandon_rate": waiting @ (1 - ever),
        "service_level": now + waiting @ answered_by_t,
        "asa": waiting @ wait_answered / (now + waiting @ ever),
        "occupancy": load * (1 - waiting @ (1 - ever)) / agents,
        "avg_queue": np.maximum(states - agents, 0) @ p,
    }


# ------------------------------------------------------------- published case


def test_published_case_ten_erlangs_fourteen_agents():
    # 100 calls in 30 minutes, AHT 180 s: A = 10 Erlangs; 14 agents, 80/20.
    load = 100 / 1800 * AHT
    assert load == pytest.approx(10.0)
    assert round(erlang_c(load, 14), 4) == 0.1741
    assert round(erlang_c_service_level(load, 14, AHT, 20), 4) == 0.8884
    assert round(erlang_c_asa(load, 14, AHT), 2) == 7.84
    assert occupancy(load, 14) == pytest.approx(10 / 14)


def test_eighty_twenty_needs_fourteen_agents():
    assert erlang_c_service_level(10, 13, AHT, 20) < 0.80
    assert erlang_c_service_level(10, 14, AHT, 20) >= 0.80
    assert agents_for_service_level(10, AHT, 20, 0.80) == 14
    needed = agents_for_service_level([10, 100, 1667], AHT, 20, 0.80)
    for load, n in zip([10, 100, 1667], needed):
        assert (
            erlang_c_service_level(load, n, AHT, 20)
            >= 0.80
            > erlang_c_service_level(load, n - 1, AHT, 20)
        )


# -------------------------------------------------------------------- Erlang B


def test_erlang_b_matches_recursion_on_grid():
    loads = np.array([0.1, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000.0])
    max_agents = 2 * 5000 + 100
    reference = erlang_b_recursion(loads, max_agents)  # rows n, columns A
    agents = np.arange(max_agents + 1)[:, None]
    got = erlang_b(loads[None, :], agents)
    representable = reference > 1e-280  # beyond: both underflow
    np.testing.assert_allclose(got[representable], reference[representable], rtol=1e-10, atol=0)
    assert np.all(got[~representable] < 1e-270)


def test_erlang_b_fractional_agents_lie_between_whole_numbers():
    for load in (0.7, 10, 137.5, 2500):
        n = np.linspace(0, 2 * load + 10, 4001)
        b = erlang_b(load, n)
        assert np.all(np.diff(b[b > 1e-300]) < 0)
        whole = np.arange(int(2 * load + 10))
        low, high = erlang_b(load, whole + 1), erlang_b(load, whole)
        mid = erlang_b(load, whole + 0.5)
        assert np.all((low <= mid) & (mid <= high))


def test_erlang_b_edge_values():
    assert erlang_b(10, 0) == 1.0
    assert erlang_b(0, 5) == 0.0
    assert erlang_b(1, 1) == pytest.approx(0.5)
    assert isinstance(erlang_b(10, 14), float)
    assert erlang_b(np.full((2, 3), 10.0), 14).shape == (2, 3)
    with pytest.raises(ValueError):
        erlang_b(-1, 3)


def test_erlang_b_recall_solves_the_redial_fixed_point():
    plain = erlang_b_recall(10, 12, 0.0)
    assert plain.blocking == pytest.approx(erlang_b(10, 12), rel=1e-14)
    assert plain.offered == 10 and plain.lost == pytest.approx(plain.blocking)
    recall = np.array([0.2, 0.5, 0.9, 0.99])
    res = erlang_b_recall(10, 12, recall)
    # the fixed point, checked against a plain iteration written here
    offered = np.full(recall.shape, 10.0)
    for _ in range(5000):
        offered = 10 + recall * offered * erlang_b(offered, 12)
    np.testing.assert_allclose(res.offered, offered, rtol=1e-12)
    np.testing.assert_allclose(res.blocking, erlang_b(res.offered, 12), rtol=1e-14)
    assert np.all(np.diff(res.offered) > 0) and np.all(np.diff(res.blocking) > 0)
    assert np.all(np.diff(res.lost) < 0)  # persistent callers get through
    # carried traffic: fresh load minus what is finally lost
    np.testing.assert_allclose(res.offered * (1 - res.blocking), 10 * (1 - res.lost), rtol=1e-12)


# -------------------------------------------------------------------- Erlang C


def test_erlang_c_matches_birth_death_sums():
    for load in (0.3, 2.0, 10.0, 47.5, 300.0, 1500.0):
        for agents in sorted(
            {int(load) + 1, int(load) + 2, int(load * 1.1) + 3, int(load * 1.5) + 5}
        ):
            assert erlang_c(load, agents) == pytest.approx(
                erlang_c_birth_death(load, agents), rel=1e-10
            )


def test_erlang_c_from_erlang_b_identity_and_kpis():
    load, agents = 37.0, np.arange(38, 60)
    b = erlang_b(load, agents)
    c = erlang_c(load, agents)
    np.testing.assert_allclose(c, agents * b / (agents - load * (1 - b)), rtol=1e-12)
    np.testing.assert_allclose(
        erlang_c_service_level(load, agents, AHT, 20),
        1 - c * np.exp(-(agents - load) * 20 / AHT),
        rtol=1e-14,
    )
    np.testing.assert_allclose(
        erlang_c_asa(load, agents, AHT), c * AHT / (agents - load), rtol=1e-14
    )


def test_erlang_c_has_no_steady_state_when_agents_do_not_exceed_load():
    for agents in (5, 9.5, 10):
        assert erlang_c(10, agents) == 1.0
        assert erlang_c_service_level(10, agents, AHT, 20) == 0.0
        assert erlang_c_asa(10, agents, AHT) == np.inf
        assert occupancy(10, agents) == 1.0


def test_erlang_c_is_continuous_in_fractional_agents():
    n = np.linspace(10.01, 30, 2000)
    c = erlang_c(10, n)
    assert np.all(np.diff(c) < 0)
    assert np.all(np.diff(erlang_c_service_level(10, n, AHT, 20)) > 0)
    assert c[0] > 0.99  # tends to 1 as n -> A


# -------------------------------------------------------------------- Erlang A


@pytest.mark.parametrize(
    "load, agents, patience, threshold",
    [
        (10, 14, 120, 20),
        (10, 8, 60, 20),
        (10, 10, 600, 30),
        (3.5, 5, 30, 15),
        (20, 22, 300, 0),
        (20, 15, 90, 60),
        (0.4, 1, 200, 10),
    ],
)
def test_erlang_a_matches_tagged_caller_chain(load, agents, patience, threshold):
    got = erlang_a(load, agents, AHT, patience, threshold)
    ref = erlang_a_tagged_chain(load, agents, AHT, patience, threshold)
    for kpi in KPIS:
        assert getattr(got, kpi) == pytest.approx(ref[kpi], rel=1e-9, abs=1e-12), kpi


def test_erlang_a_becomes_erlang_c_as_patience_grows():
    for load, agents in ((10, 14), (100, 110), (1667, 1700)):
        c = erlang_c(load, agents)
        sl = erlang_c_service_level(load, agents, AHT, 20)
        asa = erlang_c_asa(load, agents, AHT)
        exact = erlang_a(load, agents, AHT, np.inf, 20)
        # the vectorised path inside erlang_a, the plain-math path for single points
        assert exact.abandon_rate == 0.0
        for got, want in ((exact.p_wait, c), (exact.service_level, sl), (exact.asa, asa)):
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12)
        patient = erlang_a(load, agents, AHT, 1e9, 20)
        assert patient.p_wait == pytest.approx(c, rel=1e-5)
        assert patient.service_level == pytest.approx(sl, rel=1e-5)
        assert patient.asa == pytest.approx(asa, rel=1e-5)
        assert patient.abandon_rate < 1e-5
    # impatience helps: fewer waiting, better service level than Erlang C
    impatient = erlang_a(10, 14, AHT, 60, 20)
    assert impatient.p_wait < erlang_c(10, 14)
    assert impatient.service_level > erlang_c_service_level(10, 14, AHT, 20)


def test_erlang_a_answers_overloaded_queues():
    res = erlang_a(100, np.array([50, 80, 99, 100]), AHT, 120, 20)
    assert np.all(np.isfinite(res.asa)) and np.all(res.occupancy <= 1)
    # agents carry at most n Erlangs: the rest must abandon
    assert np.all(res.abandon_rate >= 1 - np.array([50, 80, 99, 100]) / 100 - 1e-12)
    assert np.all(np.diff(res.service_level) > 0)


def test_erlang_a_fractional_agents_are_monotone():
    n = np.linspace(8, 20, 481)
    res = erlang_a(10, n, AHT, 120, 20)
    assert isinstance(res, ErlangAResult)
    assert np.all(np.diff(res.p_wait) < 0)
    assert np.all(np.diff(res.abandon_rate) < 0)
    assert np.all(np.diff(res.service_level) > 0)
    whole = erlang_a(10, np.array([12.0, 13.0]), AHT, 120, 20)
    mid = erlang_a(10, 12.5, AHT, 120, 20)
    assert whole.p_wait[1] < mid.p_wait < whole.p_wait[0]


def test_erlang_a_service_level_counts_abandoned_calls_as_misses():
    res = erlang_a(10, 14, AHT, 120, np.array([0, 20, 1e9, np.inf]))
    assert res.service_level[0] == pytest.approx(1 - res.p_wait[0], rel=1e-12)
    assert res.service_level[2] == pytest.approx(1 - res.abandon_rate[2], rel=1e-12)
    assert res.service_level[3] == pytest.approx(1 - res.abandon_rate[3], rel=1e-12)
    assert res.service_level[0] < res.service_level[1] < res.service_level[2]


def test_erlang_a_rejects_bad_input():
    with pytest.raises(ValueError):
        erlang_a(10, 0, AHT, 120, 20)
    with pytest.raises(ValueError):
        erlang_a(10, 12, AHT, 0, 20)


# ----------------------------------------------------------------- M/M/n/K+M


def test_mmnk_without_waiting_room_is_erlang_b():
    for load, agents in ((10, 8), (10, 14), (150, 160)):
        res = mmnk_abandon(load / AHT, 1 / AHT, agents, agents, 0.0, 20)
        assert res.blocking == pytest.approx(erlang_b(load, agents), rel=1e-11)
        assert (res.p_wait, res.service_level, res.asa, res.abandon_rate) == (0.0, 1.0, 0.0, 0.0)
        assert res.occupancy == pytest.approx(load * (1 - res.blocking) / agents, rel=1e-12)


def test_mmnk_without_line_limit_or_abandonment_is_erlang_c():
    for load, agents in ((10, 14), (10, 11), (100, 110), (1667, 1700)):
        res = mmnk_abandon(load / AHT, 1 / AHT, agents, np.inf, 0.0, 20)
        assert res.blocking == 0.0 and res.abandon_rate == 0.0
        assert res.p_wait == pytest.approx(erlang_c(load, agents), rel=1e-10)
        assert res.service_level == pytest.approx(
            erlang_c_service_level(load, agents, AHT, 20), rel=1e-10
        )
        assert res.asa == pytest.approx(erlang_c_asa(load, agents, AHT), rel=1e-10)
        assert res.occupancy == pytest.approx(load / agents, rel=1e-12)


@pytest.mark.parametrize(
    "load, agents, patience, threshold",
    [
        (10, 14, 120, 20),
        (10, 9, 30, 20),
        (100, 105, 180, 20),
        (100, 80, 600, 60),
        (1667, 1700, 120, 20),
        (2.5, 2, 1000, 300),
    ],
)
def test_mmnk_without_line_limit_is_erlang_a(load, agents, patience, threshold):
    res = mmnk_abandon(load / AHT, 1 / AHT, agents, np.inf, 1 / patience, threshold)
    ref = erlang_a(load, agents, AHT, patience, threshold)
    assert res.blocking == 0.0
    for kpi in KPIS:
        assert getattr(res, kpi) == pytest.approx(getattr(ref, kpi), rel=1e-9, abs=1e-12), kpi


def test_mmnk_with_lines_and_abandonment_matches_full_chain():
    lam, mu, theta, n, lines, threshold = 12 / AHT, 1 / AHT, 1 / 90, 10, 16, 20
    states = np.arange(lines + 1)
    death = np.minimum(states, n) * mu + np.maximum(states - n, 0) * theta
    p = np.concatenate([[1.0], np.cumprod(lam / death[1:])])
    p /= p.sum()
    accepted = 1 - p[-1]
    # tagged caller by expm; states m = 0..lines-n-1, then answered, abandoned
    size = lines - n
    gen = np.zeros((size + 2, size + 2))
    for m in range(size):
        gen[m, m - 1 if m else size] = n * mu + m * theta
        gen[m, size + 1] = theta
        gen[m, m] = -(n * mu + (m + 1) * theta)
    answered_by_t = expm(gen * threshold)[:size, size]
    res = mmnk_abandon(lam, mu, n, lines, theta, threshold)
    assert res.blocking == pytest.approx(p[-1], rel=1e-12)
    assert res.p_wait == pytest.approx(p[n:lines].sum() / accepted, rel=1e-12)
    assert res.abandon_rate == pytest.approx(
        theta * (np.maximum(states - n, 0) @ p) / (lam * accepted), rel=1e-12
    )
    assert res.service_level == pytest.approx(
        (p[:n].sum() + p[n:lines] @ answered_by_t) / accepted, rel=1e-10
    )
    res_vector = mmnk_abandon(lam, mu, n, np.array([n, lines, 10**6]), theta, threshold)
    assert res_vector.blocking[1] == res.blocking and np.all(np.diff(res_vector.blocking) < 0)


# ------------------------------------------------------------ large loads


def test_large_loads_give_finite_sensible_values():
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        for load in (5000.0, 10000.0):
            agents = np.append(load * np.array([0.5, 0.9, 0.99, 1.0, 1.01, 1.05, 1.2]), 12000.5)
            b = erlang_b(load, agents)
            c = erlang_c(load, agents)
            sl = erlang_c_service_level(load, agents, AHT, 20)
            a = erlang_a(load, agents, AHT, 120, 20)
            r = erlang_b_recall(load, agents, 0.7)
            for values in (
                b,
                c,
                sl,
                a.p_wait,
                a.abandon_rate,
                a.service_level,
                a.occupancy,
                r.blocking,
            ):
                assert np.all(np.isfinite(values)) and np.all((values >= 0) & (values <= 1))
            assert np.all(np.isfinite(a.asa)) and np.all(np.isfinite(a.avg_queue))
            assert np.all(np.diff(b) <= 0) and np.all(np.diff(a.p_wait) <= 0)
            assert np.all(np.diff(a.service_level) >= -1e-12)
            # heavy overload: agents carry what they can, B -> 1 - n/A
            assert b[0] == pytest.approx(0.5, abs=1e-3)
            assert a.abandon_rate[0] == pytest.approx(0.5, abs=1e-9)
            # square-root staffing: Jagerman and Halfin-Whitt limits
            assert erlang_b(load, load) == pytest.approx(np.sqrt(2 / (np.pi * load)), rel=0.02)
            halfin_whitt = 1 / (1 + norm.cdf(1) / norm.pdf(1))
            assert erlang_c(load, load + np.sqrt(load)) == pytest.approx(halfin_whitt, abs=0.005)


# --------------------------------------------------------------- pyworkforce
# pyworkforce takes times in MINUTES, and its `asa=` argument is the service-level
# threshold. Its Erlang A `average_speed_of_answer` is E[queue]/lambda, the mean wait
# over ALL arrivals (abandoned callers count their time until hanging up); callsim's
# `asa` is the mean wait of ANSWERED calls, so we compare avg_queue/lambda to it.
# Its Erlang A service level is P(answered within T) over all arrivals, as ours.


def test_pyworkforce_erlang_b_agrees():
    for transactions in (100, 1000):
        pw = ErlangB(transactions=transactions, aht=3, interval=30)
        load = pw.intensity
        for agents in range(max(1, int(load * 0.7)), int(load * 1.3) + 5):
            assert erlang_b(load, agents) == pytest.approx(
                pw.blocking_probability(agents), abs=1e-9, rel=1e-9
            )


def test_pyworkforce_erlang_c_agrees():
    for transactions in (100, 1000):
        pw = ErlangC(transactions=transactions, aht=3, asa=20 / 60, interval=30)
        load = pw.intensity
        for agents in range(int(load) + 1, int(load * 1.3) + 5):
            assert erlang_c(load, agents) == pytest.approx(pw.waiting_probability(agents), abs=1e-9)
            assert erlang_c_service_level(load, agents, AHT, 20) == pytest.approx(
                pw.service_level(agents), abs=1e-9
            )
            assert occupancy(load, agents) == pytest.approx(pw.achieved_occupancy(agents), abs=1e-9)


@pytest.mark.parametrize("transactions, patience_min", [(100, 2), (100, 0.5), (300, 4), (60, 10)])
def test_pyworkforce_erlang_a_agrees(transactions, patience_min):
    pw = ErlangA(transactions=transactions, aht=3, asa=20 / 60, interval=30, patience=patience_min)
    load = pw.intensity
    for agents in (int(load * 0.8) + 1, int(load) + 1, int(load) + 4):
        ours = erlang_a(load, agents, AHT, patience_min * 60, 20)
        assert ours.p_wait == pytest.approx(pw.waiting_probability(agents), abs=1e-9)
        assert ours.abandon_rate == pytest.approx(pw.abandonment_probability(agents), abs=1e-9)
        assert ours.service_level == pytest.approx(pw.service_level(agents), abs=1e-9)
        assert ours.occupancy == pytest.approx(pw.achieved_occupancy(agents), abs=1e-9)
        assert ours.avg_queue == pytest.approx(pw.average_queue_length(agents), abs=1e-9)
        wait_all_arrivals_min = ours.avg_queue / (load / 3)  # Little: E[Q] / lambda
        assert wait_all_arrivals_min == pytest.approx(pw.average_speed_of_answer(agents), abs=1e-9)
