"""The plain-math path for single points (`simulator.erlang.scalar`) against the
vectorised path: the same numbers to 1e-12 (relative, and absolute near 0), the same
errors, and the vectorised path taken where the scalar path stands aside.

Deterministic: a fixed grid from 0.01 to 20,000 Erlangs with agents below, at, just
above and far above the load, where each branch of the scalar path (recursion, the sum
down from n, the upper tail with Loader's Poisson term) and its cut-offs are used.
"""

import math

import numpy as np
import pytest

from simulator.erlang import (
    erlang_b,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
    occupancy,
    scalar,
)

LOADS = (0.01, 0.5, 1.0, 3.7, 10.0, 42.0, 100.0, 199.5, 350.0, 1000.0, 1667.0, 5000.0, 20000.0)
AHT, T = 180.0, 20.0


def agent_counts(load: float) -> list[float]:
    """Whole agents around the load: 0, below, at, above it, and far above it."""
    root = math.sqrt(load)
    near = [math.floor(load) + d for d in (-3, -1, 0, 1, 2, 5)]
    spread = [load - 4 * root, load + root, load + 3 * root, load + 8 * root, 2 * load + 5]
    counts = {0.0, 1.0, 200.0, 201.0, *(float(max(0, math.floor(v))) for v in near + spread)}
    return sorted(counts)


POINTS = [(a, n) for a in LOADS for n in agent_counts(a)]


def vector(fn, *args):
    """The vectorised path: the same point as one-element arrays."""
    return float(fn(*(np.array([v], dtype=float) for v in args))[0])


def close(got: float, want: float) -> bool:
    if math.isinf(want) or math.isinf(got):
        return got == want
    return abs(got - want) <= 1e-12 * max(abs(want), 1e-300) or abs(got - want) <= 1e-300


@pytest.mark.parametrize("load, agents", POINTS)
def test_scalar_erlang_b_and_c_equal_vectorised(load, agents):
    pairs = [
        (erlang_b(load, agents), vector(erlang_b, load, agents)),
        (erlang_c(load, agents), vector(erlang_c, load, agents)),
        (occupancy(load, agents), vector(occupancy, load, agents)),
        (
            erlang_c_service_level(load, agents, AHT, T),
            vector(erlang_c_service_level, load, agents, AHT, T),
        ),
        (erlang_c_asa(load, agents, AHT), vector(erlang_c_asa, load, agents, AHT)),
    ]
    for i, (got, want) in enumerate(pairs):
        assert isinstance(got, float)
        assert close(got, want), (i, got, want)


@pytest.mark.parametrize("load, agents", [(a, n) for a, n in POINTS if 0 < n <= 200])
def test_whole_agents_as_an_int_give_the_very_same_numbers(load, agents):
    """An int agent count takes the inline recursion of `erlang_b`, `erlang_c` and the
    service level; a float one the general plain-math path: the same bits."""
    n = int(agents)
    assert erlang_b(load, n) == erlang_b(load, agents)
    assert erlang_c(load, n) == erlang_c(load, agents)
    got = erlang_c_service_level(load, n, AHT, T)
    assert got == erlang_c_service_level(load, agents, AHT, T)
    assert close(got, vector(erlang_c_service_level, load, agents, AHT, T))


def test_scalar_path_is_taken_where_it_should_be():
    """Every branch of the scalar path answers somewhere on the grid (not all fall
    back to numpy), and it stands aside exactly where documented."""
    taken = [scalar.erlang_b(a, n) is not None for a, n in POINTS]
    assert sum(taken) >= 0.9 * len(POINTS)
    assert scalar.erlang_b(10.0, 14.0) is not None  # recursion
    assert scalar.erlang_b(5000.0, 4990.0) is not None  # down from n
    assert scalar.erlang_b(1667.0, 1700.0) is not None  # upper tail
    assert scalar.erlang_b(10.0, 14.5) is None  # fractional agents: vectorised
    assert scalar.erlang_c(math.inf, 3.0) is None  # infinite load: vectorised
    assert scalar.erlang_b(1e6, 1e6) is None  # a sum past TERMS_MAX: vectorised


def test_fractional_agents_and_numpy_scalars():
    """Fractional agents go the vectorised way (same value); numpy floats are floats."""
    assert erlang_c(10.0, 14.5) == vector(erlang_c, 10.0, 14.5)
    assert erlang_c(np.float64(10.0), np.float64(14.0)) == erlang_c(10.0, 14.0)
    assert erlang_b(np.int64(10), np.int64(14)) == pytest.approx(erlang_b(10, 14), rel=1e-12)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: erlang_b(-1.0, 3), "load must be >= 0"),
        (lambda: erlang_c(math.nan, 3), "load must be >= 0"),
        (lambda: erlang_c(2.0, -1), "agents must be >= 0"),
        (lambda: erlang_c_service_level(2.0, 3, 0.0, 20), "aht must be > 0"),
        (lambda: erlang_c_service_level(2.0, 3, 180, -1), "threshold must be >= 0"),
        (lambda: erlang_c_asa(2.0, 3, -5.0), "aht must be > 0"),
        (lambda: occupancy(-2.0, 3), "load must be >= 0"),
    ],
)
def test_scalar_path_rejects_what_the_vectorised_path_rejects(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_edges_match_vectorised():
    for a, n in ((0.0, 0.0), (0.0, 3.0), (2.0, 0.0), (1e-9, 1.0), (0.5, 300.0), (700.0, 1500.0)):
        assert close(erlang_b(a, n), vector(erlang_b, a, n)), (a, n)
        assert close(erlang_c(a, n), vector(erlang_c, a, n)), (a, n)
