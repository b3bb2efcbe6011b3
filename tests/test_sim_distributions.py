"""Tests for simulator.model.distributions: one model per kind, told apart by the
`distribution:` key, each with its own mean and draw; problems reported by field path,
one line each, with none of the union's internals in them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import single_queue

from simulator.model import distributions as d
from simulator.model.load import parse_scenario
from simulator.model.scenario import ScenarioError

HT = "queues.q.handle_time"


def problems(handle_time) -> list[str]:
    data = single_queue([10], [3], handle=handle_time)
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(data)
    return exc.value.problems


def test_each_kind_parses_to_its_own_model_with_its_mean():
    kinds = {
        "exponential": ({"mean": 180}, d.Exponential, 180),
        "lognormal": ({"mean": 300, "cv": 0.8}, d.Lognormal, 300),
        "gamma": ({"mean": 240, "cv": 0.6}, d.Gamma, 240),
        "erlang": ({"mean": 200, "cv": 0.5}, d.Erlang, 200),
        "deterministic": ({"mean": 42.5}, d.Deterministic, 42.5),
        "uniform": ({"mean": 60, "cv": 0.4}, d.Uniform, 60),
        "empirical": ({"values": [30, 60, 60, 240, 600]}, d.Empirical, 198),
    }
    assert set(kinds) == set(d.DISTRIBUTIONS)
    for kind, (spec, model, mean) in kinds.items():
        dist = d.distribution(distribution=kind, **spec)
        assert type(dist) is model and dist.distribution == kind
        assert dist.mean == mean
        x = dist.draw(np.random.default_rng(1), 5)
        assert x.shape == (5,) and x.dtype == float and np.all(x >= 0)
    sc = parse_scenario(
        single_queue([10], [3], handle={"distribution": "gamma", "mean": 9, "cv": 1})
    )
    assert type(sc.queues["q"].handle_time) is d.Gamma


def test_draws_are_the_numpy_calls_of_the_documented_parameters():
    """The same numbers as numpy's own samplers with the shape and scale of the
    module docstring (a change here changes every simulated day)."""

    def same(spec, sample):
        dist = d.distribution(**spec)
        np.testing.assert_array_equal(
            dist.draw(np.random.default_rng(5), 7), sample(np.random.default_rng(5))
        )

    same({"distribution": "exponential", "mean": 180}, lambda r: r.exponential(180, 7))
    s2 = math.log1p(0.8 * 0.8)
    same(
        {"distribution": "lognormal", "mean": 300, "cv": 0.8},
        lambda r: r.lognormal(math.log(300) - s2 / 2, math.sqrt(s2), 7),
    )
    same({"distribution": "gamma", "mean": 240, "cv": 0.5}, lambda r: r.gamma(4, 60, 7))
    same({"distribution": "erlang", "mean": 240, "cv": 0.5}, lambda r: r.gamma(4, 60, 7))
    half = math.sqrt(3) * 0.4 * 60
    same(
        {"distribution": "uniform", "mean": 60, "cv": 0.4},
        lambda r: r.uniform(60 - half, 60 + half, 7),
    )
    values = [1.0, 2.0, 7.0]
    same({"distribution": "empirical", "values": values}, lambda r: r.choice(np.asarray(values), 7))


@pytest.mark.parametrize(
    ("handle_time", "expected"),
    [
        (
            {"distribution": "weibull", "mean": 3},
            f"{HT}.distribution: must be one of 'exponential', 'lognormal', 'gamma', "
            "'erlang', 'deterministic', 'uniform' or 'empirical'",
        ),
        ({"mean": 3}, f"{HT}.distribution: is required"),
        (5, f"{HT}: must be a mapping such as {{distribution: exponential, mean: 180}}"),
        ({"distribution": "exponential"}, f"{HT}: exponential needs 'mean' (seconds)"),
        (
            {"distribution": "gamma", "mean": 3},
            f"{HT}: gamma needs 'cv' (standard deviation / mean)",
        ),
        (
            {"distribution": "deterministic", "mean": 3, "cv": 0.2},
            f"{HT}: cv does not apply to deterministic (its shape fixes it)",
        ),
        ({"distribution": "lognormal", "mean": -3, "cv": 1}, f"{HT}.mean: must be > 0"),
        ({"distribution": "gamma", "mean": 3, "cv": 1e200}, f"{HT}.cv: must be <= 10"),
        (
            {"distribution": "gamma", "mean": 3, "cv": 1e-200},
            f"{HT}.cv: must be >= 0.001 (use deterministic for a near-constant duration)",
        ),
        ({"distribution": "uniform", "mean": 1e308, "cv": 0.5}, f"{HT}.mean: must be <= 1e+07"),
        (
            {"distribution": "exponential", "mean": float("inf")},
            f"{HT}.mean: must be a finite number (not .nan or .inf)",
        ),
        (
            {"distribution": "gamma", "mean": 3, "cv": 0.5, "shape": 4},
            f"{HT}.shape: unknown key (check the spelling)",
        ),
        (
            {"distribution": "empirical", "values": [1, 2], "mean": 3},
            f"{HT}: empirical takes 'values', not 'mean' (the mean is theirs)",
        ),
        (
            {"distribution": "exponential", "mean": 3, "values": [1]},
            f"{HT}: 'values' applies to empirical only, not exponential",
        ),
        (
            {"distribution": "empirical", "values": []},
            f"{HT}: empirical needs 'values': a list of observed durations",
        ),
        (
            {"distribution": "empirical", "values": [0, 0]},
            f"{HT}: empirical values must not all be 0",
        ),
        (
            {"distribution": "erlang", "mean": 10, "cv": 0.6},
            f"{HT}: erlang needs cv = 1/sqrt(k) for a whole number of phases k "
            "(cv 0.6 gives k = 2.78)",
        ),
    ],
)
def test_a_bad_duration_gets_one_line_naming_its_field(handle_time, expected):
    assert problems(handle_time) == [expected]


def test_every_problem_of_a_duration_is_listed():
    assert problems({"distribution": "gamma", "mean": float("nan"), "cv": 20}) == [
        f"{HT}.mean: must be a finite number (not .nan or .inf)",
        f"{HT}.cv: must be <= 10",
    ]


@pytest.mark.parametrize(
    ("handle_time", "path", "says"),
    [
        ({"distribution": "gamma", "mean": 3, "cv": -1}, "handle_time.cv", "minimum"),
        ({"distribution": "gamma", "mean": 3}, "handle_time", "'cv' is a required property"),
        ({"distribution": "weibull", "mean": 3}, "handle_time.distribution", "'weibull'"),
        ({"distribution": "exponential", "mean": 3, "cv": 1}, "handle_time", "'cv' was unexpected"),
    ],
)
def test_the_json_schema_points_at_the_field_of_a_bad_duration(handle_time, path, says):
    """`callsim schema`: each kind's schema applies when `distribution` names it, so a
    schema checker names the field, as `validate` does (not 'matches none of 7')."""
    import jsonschema

    from simulator.model.load import scenario_schema

    data = single_queue([10], [3], handle=handle_time)
    with pytest.raises(jsonschema.ValidationError) as exc:
        jsonschema.validate(data, scenario_schema())
    assert ".".join(map(str, exc.value.absolute_path)) == f"queues.q.{path}"
    assert says in exc.value.message
    jsonschema.validate(single_queue([10], [3]), scenario_schema())
