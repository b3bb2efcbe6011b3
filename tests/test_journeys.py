"""Call journeys: transfers, escalations, redials, repeat calls, ACW, priorities,
callbacks and cost, checked against hand-derived values and queueing theory.

Statistical checks use a 99.9% Student-t interval over the replications (per-check
false-alarm rate 0.1%; with the ~12 statistical checks here, a family-wise rate of
about 1.2% if the engine were exactly right and every theory exact). Seeds are fixed,
so a run is deterministic: a failure is a real change, not bad luck. Each check also
asserts the interval is narrow enough for the comparison to mean something.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import simulator
from simulator.erlang import erlang_b, erlang_b_recall, erlang_c
from simulator.kpi.compute import customer_outcomes
from simulator.sim.records import ANSWERED, NEXT_ESCALATION, NEXT_TRANSFER

EXP = "exponential"


def scenario(
    queues: dict, agents: dict, n: int = 6, warmup: int = 1, reps: int = 20, **top
) -> simulator.Scenario:
    """A steady scenario: every queue and group gets constant lists of length n."""
    for q in queues.values():
        q["volumes"] = [q.pop("per_hour", 0)] * n
    for g in agents.values():
        g["staffing"] = [g.pop("n")] * n
    return simulator.parse_scenario(
        {
            "name": "journey test",
            "interval_minutes": 60,
            "open": "08:00",
            "service_level": {"seconds": 20, "target": 0.8},
            "queues": queues,
            "agents": agents,
            "simulation": {"replications": reps, "seed": 3, "warmup_intervals": warmup},
            **top,
        }
    )


def dist(mean: float, kind: str = EXP, **kw) -> dict:
    return {"distribution": kind, "mean": mean, **kw}


def ci999(samples) -> tuple[float, float, float]:
    x = np.asarray(samples, dtype=float)
    half = stats.t.ppf(0.9995, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


def assert_inside(samples, exact: float, max_half: float) -> None:
    mean, low, high = ci999(samples)
    assert high - low < 2 * max_half, f"CI too wide to test: [{low:.4f}, {high:.4f}]"
    assert low <= exact <= high, (
        f"exact {exact:.4f} outside [{low:.4f}, {high:.4f}] (mean {mean:.4f})"
    )


def per_day(res, fn) -> np.ndarray:
    """fn(calls dict) for each replication's records."""
    return np.array([fn(day.calls) for day in res.days])


def test_transferred_volume_is_p_times_answered():
    sc = scenario(
        {
            "a": {"per_hour": 300, "handle_time": dist(120), "transfers": {"b": 0.2}},
            "b": {"handle_time": dist(60)},
        },
        {"ga": {"skills": ["a"], "n": 30}, "gb": {"skills": ["b"], "n": 10}},
    )
    res = simulator.simulate(sc)
    ratio = per_day(
        res,
        lambda c: (c["queue"] == 1).sum() / ((c["queue"] == 0) & (c["outcome"] == ANSWERED)).sum(),
    )
    assert_inside(ratio, 0.2, 0.02)
    assert_inside(res.queue_samples["a"]["transfer_rate"], 0.2, 0.02)
    # the transferred segment is the same phone call: calls counts it once
    assert np.all(res.day_samples["calls"] < res.day_samples["offered"])


def test_escalation_is_reported_apart_from_transfers():
    sc = scenario(
        {
            "t1": {
                "per_hour": 300,
                "handle_time": dist(120),
                "escalation": {"to": "t2", "probability": 0.1},
            },
            "t2": {"handle_time": dist(300), "priority": 2},
        },
        {"g1": {"skills": ["t1"], "n": 30}, "g2": {"skills": ["t2"], "n": 10}},
    )
    res = simulator.simulate(sc)
    assert_inside(res.queue_samples["t1"]["escalation_rate"], 0.1, 0.02)
    assert np.all(res.queue_samples["t1"]["transfer_rate"] == 0)
    nxt = np.concatenate([d.calls["next"] for d in res.days])
    assert (nxt == NEXT_ESCALATION).sum() > 0 and (nxt == NEXT_TRANSFER).sum() == 0


def test_fcr_equals_the_designed_probability():
    # ample agents, nobody hangs up: a customer is resolved first time unless
    # transferred (p = 0.2) or left unsolved (u = 0.1): FCR = (1 - p)(1 - u) = 0.72
    sc = scenario(
        {
            "a": {
                "per_hour": 300,
                "handle_time": dist(120),
                "transfers": {"b": 0.2},
                "repeat": {"probability": 0.1, "delay": dist(900)},
            },
            "b": {"handle_time": dist(60)},
        },
        {"ga": {"skills": ["a"], "n": 40}, "gb": {"skills": ["b"], "n": 15}},
    )
    res = simulator.simulate(sc)
    assert_inside(res.day_samples["fcr"], 0.72, 0.02)


def test_redials_follow_the_erlang_x_fixed_point():
    """A loss system (lines = agents = 10, 9 Erlangs) whose blocked callers redial with
    probability r = 0.6 after ~30 minutes (10x the handle time, so retrials are close
    to Poisson, the fixed point's assumption). Calls per customer = sum_k (r B)^k with
    B from extended Erlang B (`erlang_b_recall`). Customers are taken from the middle
    of the day, so their redials meet steady traffic."""
    r, n, load, aht, cap = 0.6, 10, 9.0, 180.0, 12
    sc = scenario(
        {
            "q": {
                "per_hour": load * 3600 / aht,
                "handle_time": dist(aht),
                "redial": {"probability": r, "delay": dist(1800), "max_attempts": cap},
            }
        },
        {"g": {"skills": ["q"], "n": n}},
        n=12,
        warmup=2,
        lines=n,
        reps=40,
    )
    res = simulator.simulate(sc)
    b = erlang_b_recall(load, n, r).blocking
    expected = sum((r * b) ** k for k in range(cap))

    def calls_per_customer(c):
        first = (c["attempt"] == 1) & (c["interval"] >= 2) & (c["interval"] < 10)
        chosen = np.isin(c["customer"], c["customer"][first])
        return chosen.sum() / first.sum()

    assert_inside(per_day(res, calls_per_customer), expected, 0.02)
    # sensitive: ignoring the retrials' own load (plain Erlang B) is outside the CI
    naive = 1 / (1 - r * erlang_b(load, n))
    assert ci999(per_day(res, calls_per_customer))[1] > naive


def test_priority_queue_waits_less_by_the_cobham_formula():
    """One group serves two queues of equal rank; 'vip' has the higher priority.
    Non-preemptive priority M/M/n with a common service rate (Cobham): mean wait of
    class k = C(n, A) / (n mu) / ((1 - s_{k-1})(1 - s_k)), s_k the load share of
    classes 1..k per agent. ASA (answered calls, zero waits included) is that mean."""
    n, aht, per_hour = 14, 180.0, 100.0
    load = 2 * per_hour * aht / 3600  # 10 Erlangs on 14 agents
    sc = scenario(
        {
            "vip": {"per_hour": per_hour, "handle_time": dist(aht), "priority": 2},
            "std": {"per_hour": per_hour, "handle_time": dist(aht)},
        },
        {"g": {"skills": {"vip": 1, "std": 1}, "n": n}},
        n=12,
        warmup=2,
        reps=40,
    )
    res = simulator.simulate(sc)
    w0 = erlang_c(load, n) * aht / n
    s1 = (load / 2) / n
    s2 = load / n
    vip, std = w0 / (1 - s1), w0 / ((1 - s1) * (1 - s2))
    assert_inside(res.queue_samples["vip"]["asa"], vip, 1.0)
    assert_inside(res.queue_samples["std"]["asa"], std, 4.0)
    # sensitive: without priorities both would wait w0 / (1 - s2), outside the vip CI
    assert ci999(res.queue_samples["vip"]["asa"])[2] < w0 / (1 - s2)


def test_skill_rank_beats_queue_priority():
    # ranks first: a group whose skills list puts 'low' first serves it first even
    # though 'high' has the higher queue priority
    sc = scenario(
        {
            "high": {"per_hour": 100, "handle_time": dist(180), "priority": 5},
            "low": {"per_hour": 100, "handle_time": dist(180)},
        },
        {"g": {"skills": ["low", "high"], "n": 12}},
        n=8,
        warmup=2,
        reps=10,
    )
    res = simulator.simulate(sc)
    assert np.all(res.queue_samples["low"]["asa"] < res.queue_samples["high"]["asa"])


def test_after_call_work_keeps_agents_busy_but_frees_the_line():
    """Lines (5) are held during talk only: blocking is Erlang B on the talk load;
    agents (ample) are busy for talk + ACW: occupancy = carried (talk + acw) load / n."""
    per_hour, talk, acw, lines, n = 120.0, 120.0, 60.0, 5, 20
    sc = scenario(
        {"q": {"per_hour": per_hour, "talk": dist(talk), "acw": dist(acw, "deterministic")}},
        {"g": {"skills": ["q"], "n": n}},
        n=8,
        warmup=1,
        lines=lines,
        reps=30,
    )
    res = simulator.simulate(sc)
    b = erlang_b(per_hour * talk / 3600, lines)
    assert_inside(res.day_samples["blocked_rate"], b, 0.02)
    # sensitive: had ACW held the line, blocking would be Erlang B on the whole load
    assert ci999(res.day_samples["blocked_rate"])[2] < erlang_b(
        per_hour * (talk + acw) / 3600, lines
    )
    assert_inside(res.day_samples["aht"], talk + acw, 4.0)
    occ = per_hour * (1 - b) * (talk + acw) / 3600 / n
    assert_inside(res.day_samples["occupancy"], occ, 0.02)


def test_callback_takers_never_abandon_and_are_called_back():
    sc = scenario(
        {
            "q": {
                "per_hour": 200,
                "handle_time": dist(180),
                "patience": dist(30),
                "callback": {"threshold": 0, "acceptance": 1.0},
            }
        },
        {"g": {"skills": ["q"], "n": 10}},
        n=4,
        warmup=0,
        reps=5,
    )
    res = simulator.simulate(sc)
    calls = res.calls
    assert (calls["outcome"] == "abandoned").sum() == 0  # everyone waiting took it
    took = calls[calls["callback"]]
    assert len(took) > 100 and (took["outcome"] == "answered").all()
    assert (calls[~calls["callback"]]["wait_s"] == 0).all()  # live callers never wait


def test_cost_is_paid_time_plus_lines():
    sc = scenario(
        {"q": {"per_hour": 100, "handle_time": dist(180)}},
        {"g": {"skills": ["q"], "n": 10, "cost_per_hour": 20.0}},
        n=4,
        warmup=0,
        reps=3,
        lines=25,
        line_cost_per_hour=1.0,
    )
    res = simulator.simulate(sc)
    # 10 agents x 4 h x 20 + 25 lines x 4 h x 1, in every replication
    assert np.allclose(res.day_samples["cost"], 10 * 4 * 20 + 25 * 4 * 1)
    assert np.allclose(
        res.day_samples["cost_per_call"], res.day_samples["cost"] / res.day_samples["answered"]
    )


def test_every_customer_ends_exactly_one_way():
    sc = simulator.load_scenario("scenarios/bank_journeys.yaml")
    res = simulator.simulate(sc, replications=3, seed=9)
    for day in res.days:
        c = day.calls
        ending = customer_outcomes(c)
        assert (ending >= 0).all() and len(ending) == len(np.unique(c["customer"]))
        # attempts of a customer are 1, 2, ... with no gap; segments likewise per attempt
        order = np.lexsort((c["segment"], c["attempt"], c["customer"]))
        cust, att, seg = c["customer"][order], c["attempt"][order], c["segment"][order]
        same = cust[1:] == cust[:-1]
        step = np.where(att[1:] == att[:-1], seg[1:] - seg[:-1], att[1:] - att[:-1])
        assert np.all(step[same] == 1)
        assert np.all((att[1:][~same] == 1) & (seg[1:][~same] == 1))
        # a passed-on segment always has its successor; the unsolved are capped or call again
        k = c["interval"]
        offered = np.bincount(k, minlength=sc.n_intervals)
        parts = sum(np.bincount(k[c["outcome"] == o], minlength=sc.n_intervals) for o in range(3))
        assert np.array_equal(offered, parts)
        counts = np.bincount(ending, minlength=4)
        assert counts[0] > 0.7 * len(ending) and counts[1] > 0 and counts.sum() == len(ending)


@pytest.mark.parametrize(
    "patch, path",
    [
        ({"transfers": {"nowhere": 0.1}}, "queues.q.transfers.nowhere"),
        ({"transfers": {"q": 1.5}}, "queues.q.transfers.q"),
        ({"transfers": {"q": 0.7}, "escalation": {"to": "q", "probability": 0.5}}, "queues.q"),
        ({"escalation": {"to": "tier9", "probability": 0.1}}, "queues.q.escalation.to"),
        (
            {"redial": {"probability": 0.5, "delay": dist(60), "max_attempts": 1}},
            "queues.q.redial.max_attempts",
        ),
        ({"repeat": {"probability": 0.1}}, "queues.q.repeat.delay"),
        ({"callback": {"threshold": -1, "acceptance": 0.5}}, "queues.q.callback.threshold"),
        ({"talk": dist(100)}, "queues.q"),
        ({"acw": dist(30)}, "queues.q"),
    ],
)
def test_journey_keys_are_validated_with_field_paths(patch, path):
    q = {"volumes": [10], "handle_time": dist(100)} | patch
    with pytest.raises(simulator.ScenarioError) as err:
        simulator.parse_scenario(
            {
                "name": "x",
                "interval_minutes": 30,
                "open": "08:00",
                "service_level": {"seconds": 20, "target": 0.8},
                "queues": {"q": q},
                "agents": {"g": {"skills": ["q"], "staffing": [1]}},
            }
        )
    assert any(p.startswith(path + ":") for p in err.value.problems), err.value.problems
