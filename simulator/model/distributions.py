"""Random durations from a planner's description: a mean in seconds and a cv.

Planners know "handle time averages 6 minutes, give or take half of that"; numpy
wants shape and scale. Each kind a scenario may name is its own model, with its own
`draw(rng, size)` and `mean`, matching the mean and the coefficient of variation
(cv = standard deviation / mean) exactly:

- exponential: cv 1, the memoryless textbook case (Erlang C and A assume it);
- lognormal: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2 (handle times);
- gamma: shape 1/cv^2, scale mean * cv^2;
- erlang: gamma with a whole number of phases k = 1/cv^2;
- deterministic: always the mean; uniform: mean +/- sqrt(3) * cv * mean;
- empirical: resampled from the observed values.

`Distribution` is their union, told apart by the `distribution:` key of the YAML.
Problems are reported as the scenario's other fields are: one line per problem with
the field path (``queues.q.handle_time.cv: must be > 0``), never the union's internals.

Limits, so that every valid duration can be drawn: means up to 1e7 s (116 days); the
cv of lognormal, gamma and erlang from 0.001 to 10 (smaller: use deterministic).
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

if TYPE_CHECKING:  # numpy is loaded by the draws, not when a file is only read (a fast start)
    import numpy as np

MAX_MEAN = 1e7  # seconds
Mean = Annotated[float, Field(gt=0, le=MAX_MEAN, description="The mean duration, seconds.")]


def _shape_cv(cv: float) -> float:
    if cv < 1e-3:
        raise ValueError("must be >= 0.001 (use deterministic for a near-constant duration)")
    return cv


ShapeCv = Annotated[
    float,
    Field(
        le=10,
        json_schema_extra={"minimum": 1e-3},
        description="Coefficient of variation (standard deviation ÷ mean), 0.001 to 10.",
    ),
    AfterValidator(_shape_cv),
]


class _Duration(BaseModel):
    """What every kind shares: strict keys, frozen, finite numbers, no stray keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)
    # keys a planner may carry over from another kind, with why they do not apply here
    _misplaced: ClassVar[dict[str, str]] = {
        "values": "'values' applies to empirical only, not {kind}",
        "cv": "cv does not apply to {kind} (its shape fixes it)",
    }

    @model_validator(mode="before")
    @classmethod
    def _no_misplaced_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, why in cls._misplaced.items():
                if key in data:
                    raise ValueError(why.format(kind=data.get("distribution")))
        return data


class Exponential(_Duration):
    """Memoryless: cv 1."""

    distribution: Literal["exponential"]
    mean: Mean

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent durations in seconds."""
        return rng.exponential(self.mean, size)


class Deterministic(_Duration):
    """Always the mean: cv 0."""

    distribution: Literal["deterministic"]
    mean: Mean

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` durations in seconds, all the mean (rng is not used)."""
        import numpy as np

        return np.full(size, float(self.mean))


class Lognormal(_Duration):
    """sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2."""

    _misplaced: ClassVar[dict[str, str]] = {"values": _Duration._misplaced["values"]}
    distribution: Literal["lognormal"]
    mean: Mean
    cv: ShapeCv

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent durations in seconds."""
        sigma2 = math.log1p(self.cv * self.cv)
        return rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), size)


class Gamma(_Duration):
    """Shape 1/cv^2, scale mean * cv^2."""

    _misplaced: ClassVar[dict[str, str]] = {"values": _Duration._misplaced["values"]}
    distribution: Literal["gamma"]
    mean: Mean
    cv: ShapeCv

    @property
    def shape(self) -> float:
        return 1 / (self.cv * self.cv)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent durations in seconds."""
        return rng.gamma(self.shape, self.mean / self.shape, size)


class Erlang(Gamma):
    """A sum of k = 1/cv^2 exponential phases (cv = 1/sqrt(k), k whole)."""

    distribution: Literal["erlang"]  # type: ignore[assignment]

    @property
    def shape(self) -> float:
        return round(1 / (self.cv * self.cv))

    @model_validator(mode="after")
    def _whole_phases(self) -> Erlang:
        k = 1 / self.cv**2
        if abs(k - round(k)) > 1e-6:
            raise ValueError(
                "erlang needs cv = 1/sqrt(k) for a whole number of "
                f"phases k (cv {self.cv} gives k = {k:.3g})"
            )
        return self


class Uniform(_Duration):
    """mean +/- sqrt(3) * cv * mean (cv <= 1/sqrt 3, so never negative)."""

    _misplaced: ClassVar[dict[str, str]] = {"values": _Duration._misplaced["values"]}
    distribution: Literal["uniform"]
    mean: Mean
    cv: float = Field(ge=0, description="Coefficient of variation, at most 0.577 (1/√3).")

    @model_validator(mode="after")
    def _non_negative(self) -> Uniform:
        if self.cv > 1 / math.sqrt(3):
            raise ValueError("uniform needs cv <= 0.577 (1/sqrt 3) to stay >= 0")
        return self

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent durations in seconds."""
        half = math.sqrt(3) * self.cv * self.mean
        return rng.uniform(self.mean - half, self.mean + half, size)


class Empirical(_Duration):
    """Resampled from observed durations (seconds), each equally likely."""

    _misplaced: ClassVar[dict[str, str]] = {
        "mean": "empirical takes 'values', not 'mean' (the mean is theirs)",
        "cv": _Duration._misplaced["cv"],
    }
    distribution: Literal["empirical"]
    values: list[Annotated[float, Field(ge=0, le=MAX_MEAN)]] = Field(
        description="Observed durations, seconds, resampled with equal weights."
    )

    @model_validator(mode="after")
    def _some_time(self) -> Empirical:
        if not self.values:
            raise ValueError(_NEEDS["values"])
        if sum(self.values) <= 0:
            raise ValueError("empirical values must not all be 0")
        return self

    @property
    def mean(self) -> float:
        """The mean of the values, seconds."""
        return sum(self.values) / len(self.values)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` durations in seconds, drawn with replacement from the values."""
        import numpy as np

        return rng.choice(np.asarray(self.values, dtype=float), size)


_KINDS = (Exponential, Lognormal, Gamma, Erlang, Deterministic, Uniform, Empirical)
DISTRIBUTIONS = tuple(k.model_fields["distribution"].annotation.__args__[0] for k in _KINDS)  # type: ignore[union-attr]
_NEEDS = {
    "mean": "{kind} needs 'mean' (seconds)",
    "cv": "{kind} needs 'cv' (standard deviation / mean)",
    "values": "empirical needs 'values': a list of observed durations",
}


def _problem(error: Any, kind: Any) -> InitErrorDetails:
    """One error of a kind's model, as if the union were not there."""
    loc = tuple(error["loc"])
    if loc[:1] == (kind,):
        loc = loc[1:]  # pydantic puts the tag in the path
    kind_error = error["type"]
    if kind_error == "union_tag_invalid":
        expected = ", ".join(f"'{k}'" for k in DISTRIBUTIONS[:-1])
        return InitErrorDetails(
            type="literal_error",
            loc=("distribution",),
            input=kind,
            ctx={"expected": f"{expected} or '{DISTRIBUTIONS[-1]}'"},
        )
    if kind_error == "model_attributes_type" and not loc:
        message = "must be a mapping such as {distribution: exponential, mean: 180}"
        return InitErrorDetails(type=PydanticCustomError("value_error", message), loc=(), input={})
    if kind_error == "union_tag_not_found":
        return InitErrorDetails(type="missing", loc=("distribution",), input=error["input"])
    if kind_error == "missing" and len(loc) == 1 and loc[0] in _NEEDS:
        message = _NEEDS[str(loc[0])].format(kind=kind)
        return InitErrorDetails(type=PydanticCustomError("value_error", message), loc=(), input={})
    details = InitErrorDetails(type=kind_error, loc=loc, input=error["input"])
    if "ctx" in error:
        details["ctx"] = error["ctx"]
    return details


def _plain_errors(data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validate by kind; re-raise problems with the paths a planner wrote."""
    try:
        return handler(data)
    except ValidationError as exc:
        kind = data.get("distribution") if isinstance(data, dict) else None
        raise ValidationError.from_exception_data(
            "Distribution", [_problem(e, kind) for e in exc.errors()]
        ) from None


class _IfThenSchema:
    """JSON Schema of the union as `if distribution is X then X's schema`, so a schema
    checker (and an editor) points at the field at fault, as `validate` does, instead of
    saying the mapping matches none of seven schemas."""

    def __get_pydantic_json_schema__(self, core: Any, handler: GetJsonSchemaHandler) -> Any:
        mapping = handler(core)["discriminator"]["mapping"]
        return {
            "type": "object",
            "required": ["distribution"],
            "properties": {"distribution": {"enum": list(mapping)}},
            "allOf": [
                {"if": {"properties": {"distribution": {"const": kind}}}, "then": {"$ref": ref}}
                for kind, ref in mapping.items()
            ],
        }


Distribution = Annotated[
    Annotated[
        Exponential | Lognormal | Gamma | Erlang | Deterministic | Uniform | Empirical,
        Field(discriminator="distribution"),
    ],
    WrapValidator(_plain_errors),
    _IfThenSchema(),
]
"""A random duration in seconds, given as a planner thinks of it: a kind, mean and cv."""


@cache
def _adapter() -> TypeAdapter[Distribution]:
    return TypeAdapter(Distribution)  # built on first use: not at every start-up


def distribution(**spec: Any) -> Distribution:
    """A duration from its YAML keys, e.g. ``distribution(distribution="gamma",
    mean=240, cv=0.6)``; raises pydantic's ValidationError."""
    return _adapter().validate_python(spec)
