"""Scenario: the user's description of a contact-center day, validated.

A scenario is a YAML file that says, per interval of the day, how many calls each
queue is offered (a forecast), how long they take to handle, how patient callers are,
which agent groups can take which queues, how many agents are logged in, and how many
trunk lines there are. `simulator.model.load.load_scenario` reads it and returns a
`Scenario` (pydantic model) or raises `ScenarioError` with one message per problem, each
naming the field path, e.g. ``queues.billing.handle_time.mean: must be > 0``.

Nothing here simulates or computes: this module only says what a valid day is.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .clock import check_clock, clock, clock_minutes
from .distributions import Distribution


class ScenarioError(ValueError):
    """A scenario that cannot be run; `problems` lists 'field.path: message' lines."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceLevel(_Model):
    """Answered within `seconds` ÷ accepted, with its `target` fraction (e.g. 80/20)."""

    seconds: float = Field(gt=0)
    target: float = Field(gt=0, le=1)


class Targets(_Model):
    """Optional planning targets beyond the service level."""

    asa: float | None = Field(default=None, gt=0)
    abandon_rate: float | None = Field(default=None, gt=0, lt=1)
    occupancy_max: float | None = Field(default=None, gt=0, le=1)


Probability = Annotated[float, Field(ge=0, le=1)]


class Escalation(_Model):
    """A share of handled calls that go on to a higher tier's queue."""

    to: str
    probability: Probability


class Redial(_Model):
    """Callers who call again: after a busy signal or hanging up (`redial`), or after
    a call that did not solve their problem (`repeat`). `max_attempts` caps the
    customer's calls, the first one included."""

    probability: Probability
    delay: Distribution
    max_attempts: int = Field(default=3, ge=2)


class Callback(_Model):
    """Virtual hold: a caller whose expected wait exceeds `threshold` seconds is offered
    a call back and takes it with probability `acceptance`; agents call back when
    none of their live queues has a caller waiting."""

    threshold: float = Field(ge=0)
    acceptance: Probability


class Queue(_Model):
    """A call type: its forecast volumes, handling, callers' patience and journeys.

    Handling is either one `handle_time`, or `talk` with optional `hold` and `acw`
    (after-call work: the agent is still busy, the caller has gone).
    """

    volumes: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)
    handle_time: Distribution | None = None
    talk: Distribution | None = None
    hold: Distribution | None = None
    acw: Distribution | None = None
    patience: Distribution | None = None
    priority: int = 0
    transfers: dict[str, Probability] = {}
    escalation: Escalation | None = None
    redial: Redial | None = None
    repeat: Redial | None = None
    callback: Callback | None = None

    @model_validator(mode="after")
    def _one_handling(self) -> Queue:
        if (self.handle_time is None) == (self.talk is None):
            raise ValueError("give either handle_time, or talk (with optional hold, acw)")
        if self.handle_time is not None and (self.hold or self.acw):
            raise ValueError("hold and acw go with talk, not with handle_time")
        out = sum(self.transfers.values()) + (self.escalation.probability if self.escalation else 0)
        if out > 1 + 1e-12:
            raise ValueError(f"transfer and escalation probabilities add up to {out:g} > 1")
        return self

    @property
    def parts(self) -> list[Distribution]:
        """The distributions whose sum is the handle time."""
        if self.handle_time is not None:
            return [self.handle_time]
        return [d for d in (self.talk, self.hold, self.acw) if d is not None]

    @property
    def aht(self) -> float:
        """Expected handle time in seconds (talk + hold + acw)."""
        return sum(d.mean for d in self.parts)


class AgentGroup(_Model):
    """Agents with the same skills; `skills` lists queues in the order they serve them."""

    skills: list[str] | dict[str, Annotated[int, Field(ge=1)]] = Field(min_length=1)
    staffing: list[Annotated[int, Field(ge=0)]] = Field(min_length=1)
    cost_per_hour: float = Field(default=0.0, ge=0)

    @field_validator("skills")
    @classmethod
    def _no_repeats(cls, skills):
        if isinstance(skills, list) and len(set(skills)) != len(skills):
            raise ValueError("a skill is listed twice")
        return skills

    @property
    def ranks(self) -> dict[str, int]:
        """Skill -> rank (1 = served first). A list gives ranks 1, 2, 3...; a mapping
        gives them explicitly, and equal ranks are served by queue priority."""
        if isinstance(self.skills, dict):
            return dict(self.skills)
        return {s: i + 1 for i, s in enumerate(self.skills)}


class Break(_Model):
    """An unpaid break of `minutes`, starting between `earliest` and `latest` (clock)."""

    earliest: str
    latest: str
    minutes: int = Field(gt=0)

    _clock = field_validator("earliest", "latest")(lambda cls, v: check_clock(v))


class Shift(_Model):
    """A shift pattern agents can be scheduled on (see simulator.shifts)."""

    start: str
    hours: float = Field(gt=0, le=24)
    group: str | None = None
    max_count: int | None = Field(default=None, ge=0)
    cost_per_hour: float = Field(default=0.0, ge=0)
    unpaid_break: Break | None = Field(default=None, alias="break")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _clock = field_validator("start")(lambda cls, v: check_clock(v))


class Simulation(_Model):
    """How many independent days to simulate, from which seed."""

    replications: int = Field(default=20, ge=2, le=10_000)
    seed: int = Field(default=1, ge=0)
    warmup_intervals: int = Field(default=0, ge=0)


class Scenario(_Model):
    """A validated contact-center day. Times are in seconds unless a name says otherwise."""

    name: str = Field(min_length=1)
    description: str | None = None
    interval_minutes: Literal[15, 30, 60]
    open: str
    service_level: ServiceLevel
    lines: int | None = Field(default=None, ge=1)
    line_cost_per_hour: float = Field(default=0.0, ge=0)
    shrinkage: float = Field(default=0.0, ge=0, lt=1)
    targets: Targets = Targets()
    shifts: dict[str, Shift] | None = None
    queues: dict[str, Queue] = Field(min_length=1)
    agents: dict[str, AgentGroup] = Field(min_length=1)
    simulation: Simulation = Simulation()

    _clock = field_validator("open")(lambda cls, v: check_clock(v))

    @property
    def n_intervals(self) -> int:
        return len(next(iter(self.queues.values())).volumes)

    @property
    def interval_seconds(self) -> float:
        return self.interval_minutes * 60.0

    def interval_starts(self) -> list[str]:
        """Clock time of each interval start, "HH:MM" (wraps past midnight)."""
        first = clock_minutes(self.open)
        return [clock(first + i * self.interval_minutes) for i in range(self.n_intervals)]
