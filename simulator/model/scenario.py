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

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from .base import MODEL_CONFIG, PER_INTERVAL
from .clock import check_clock, clock, clock_minutes
from .distributions import MAX_MEAN, Distribution
from .horizon import Day, Horizon, Slot, Weekday, calendar, open_days
from .limits import MAX_REPLICATIONS
from .roster import Absence, Roster

# Control characters shown escaped, so a name holding a newline cannot forge a line.
_PRINTABLE = {c: repr(chr(c))[1:-1] for c in (*range(32), 127)}


class ScenarioError(ValueError):
    """A scenario that cannot be run; `problems` lists 'field.path: message' lines
    (each one line: control characters are escaped)."""

    def __init__(self, problems: list[str]):
        self.problems = [p.translate(_PRINTABLE) for p in problems]
        super().__init__("\n".join(self.problems))


class _Model(BaseModel):
    model_config = MODEL_CONFIG  # strict, frozen, no NaN (see simulator.model.base)


# A queue's volumes may come from the scenario's forecast file (`forecast:`, filled in
# before validation), so the JSON Schema asks for them only in a file without one.
def _volumes_optional(schema: dict[str, Any]) -> None:
    required = [k for k in schema.pop("required", []) if k != "volumes"]
    if required:
        schema["required"] = required


def _volumes_unless_forecast(schema: dict[str, Any]) -> None:
    every_queue = {"additionalProperties": {"required": ["volumes"]}}
    schema["if"] = {"properties": {"forecast": {"type": "string"}}, "required": ["forecast"]}
    schema["else"] = {"properties": {"queues": every_queue}}


class ServiceLevel(_Model):
    """Answered within `seconds` ÷ accepted, with its `target` fraction (e.g. 80/20)."""

    seconds: float = Field(gt=0)
    """The threshold T, seconds: a call answered within T meets the service level."""
    target: float = Field(gt=0, le=1)
    """The fraction of accepted calls to answer within T, e.g. 0.80 for 80/20."""


class Targets(_Model):
    """Optional planning targets beyond the service level."""

    asa: float | None = Field(default=None, gt=0)
    """The longest average speed of answer to plan for, seconds."""
    abandon_rate: float | None = Field(default=None, gt=0, lt=1)
    """The highest abandoned ÷ accepted to plan for."""
    occupancy_max: float | None = Field(default=None, gt=0, le=1)
    """The highest agent occupancy to plan for."""


class QueueTargets(_Model):
    """A queue's own ASA and abandon targets; a key left out is the scenario's."""

    asa: float | None = Field(default=None, gt=0)
    """The longest average speed of answer to plan for in this queue, seconds."""
    abandon_rate: float | None = Field(default=None, gt=0, lt=1)
    """The highest abandoned ÷ accepted to plan for in this queue."""


Probability = Annotated[float, Field(ge=0, le=1)]


class Escalation(_Model):
    """A share of handled calls that go on to a higher tier's queue."""

    to: str
    """The higher tier's queue."""
    probability: Probability
    """The share of handled calls escalated."""


class Redial(_Model):
    """Callers who call again: after a busy signal or hanging up (`redial`), or after
    a call that did not solve their problem (`repeat`). `max_attempts` caps the
    customer's calls, the first one included."""

    probability: Probability
    """The share of callers who call again."""
    delay: Distribution
    """The time until they call again, seconds."""
    max_attempts: int = Field(default=3, ge=2)
    """The customer's calls at most, the first one included."""


class Callback(_Model):
    """Virtual hold: a caller whose expected wait exceeds `threshold` seconds is offered
    a call back and takes it with probability `acceptance`; agents call back when
    none of their live queues has a caller waiting."""

    threshold: float = Field(ge=0)
    """Offer a call back when the expected wait exceeds this, seconds."""
    acceptance: Probability
    """The share of callers offered a call back who take it."""


class Queue(_Model):
    """A call type: its forecast volumes, handling, callers' patience and journeys.

    Handling is either one `handle_time`, or `talk` with optional `hold` and `acw`
    (after-call work: the agent is still busy, the caller has gone).
    """

    model_config = ConfigDict(**MODEL_CONFIG, json_schema_extra=_volumes_optional)

    volumes: Annotated[list[Annotated[float, Field(ge=0)]], PER_INTERVAL] = Field(min_length=1)
    """Calls offered in each interval (the forecast), one number per interval; required
    unless the scenario's `forecast` file gives this queue's."""
    handle_time: Distribution | None = None
    """Talk + hold + after-call work, seconds (or give them apart: talk, hold, acw)."""
    talk: Distribution | None = None
    """Talk time, seconds (instead of handle_time)."""
    hold: Distribution | None = None
    """Hold time after the talk, seconds: the caller leaves after it."""
    acw: Distribution | None = None
    """After-call work, seconds: the agent stays busy, the caller has gone."""
    aht_by_interval: Annotated[
        list[Annotated[float, Field(gt=0, le=MAX_MEAN)]] | None, PER_INTERVAL
    ] = None
    """Mean handle time of the calls arriving in each interval, seconds, one number per
    interval: each call's handle time (every part: talk, hold, acw) is its draw scaled
    by this ÷ the distributions' mean, so the shape (cv) is kept. Absent: the
    distributions' mean all day."""
    patience: Distribution | None = None
    """How long a caller waits before hanging up, seconds; absent: nobody hangs up."""
    priority: int = 0
    """Higher is served first among skills of equal rank."""
    head_start: float = Field(default=0.0, ge=0, le=86_400)
    """Seconds: among skills of equal rank and priority, this queue's callers rank as if
    they had waited this much longer (0: oldest call first)."""
    transfers: dict[str, Probability] = {}
    """QUEUE: p: after talking, the call moves to QUEUE with probability p (the same phone
    call, a new segment that waits, and may abandon, again)."""
    escalation: Escalation | None = None
    """Like a transfer, reported apart as escalation_rate."""
    redial: Redial | None = None
    """A blocked or abandoned caller calls again."""
    repeat: Redial | None = None
    """A served caller whose problem was not solved calls again later."""
    callback: Callback | None = None
    """Virtual hold: callers facing a long wait may take a call back."""
    service_level: ServiceLevel | None = None
    """This queue's own service-level goal (e.g. 90/15 for a VIP line); absent: the
    scenario's. The centre's service level counts each call against its queue's."""
    targets: QueueTargets | None = None
    """This queue's own ASA and abandon targets; absent (or a key left out): the scenario's."""

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


Rank = Annotated[int, Field(ge=1)]
SKILL_SHAPES = ("list", "ranks")  # tags of the skills union (left out of field paths)


def _skills_shape(value: Any) -> str:
    """A list of queues or a mapping queue -> rank: validate as the shape given, so
    one mistake is one message."""
    return "ranks" if isinstance(value, dict) else "list"


class AgentGroup(_Model):
    """Agents with the same skills; `skills` lists queues in the order they serve them."""

    skills: Annotated[
        Annotated[list[str], Field(min_length=1), Tag("list")]
        | Annotated[dict[str, Rank], Field(min_length=1), Tag("ranks")],
        Discriminator(_skills_shape),
    ]
    """Queues served: a list (served in that order) or a mapping queue: rank (1 first;
    equal ranks are served by queue priority, then the oldest call first)."""
    staffing: Annotated[list[Annotated[int, Field(ge=0)]], PER_INTERVAL] = []
    """Agents logged in, one number per interval (or staff the group with `roster`;
    a rostered group's staffing then reads the agents on the phones for the whole of
    each interval)."""
    not_ready: Distribution | None = None
    """Not-ready time after each call, seconds: the agent is unavailable (neither busy
    nor idle), the caller has gone; after any after-call work. Absent: always ready."""
    handle_time_factor: dict[str, Annotated[float, Field(gt=0, le=10)]] = {}
    """QUEUE: factor: proficiency. This group's calls of QUEUE take factor × their
    drawn handle time (talk, hold and acw alike; 1.2: 20% longer), applied when the
    call is answered. Absent queue: 1."""
    cost_per_hour: float = Field(default=0.0, ge=0)
    """Cost of an agent's logged-in hour (gives the cost and cost_per_call KPIs)."""

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
    """The earliest start, clock time "HH:MM"."""
    latest: str
    """The latest start, clock time "HH:MM"."""
    minutes: int = Field(gt=0)
    """The break's length, minutes."""
    max_share: float | None = Field(default=None, gt=0, le=1)
    """The most of a shift's agents (on one day) on this break in any one interval,
    e.g. 0.25: at most ⌈0.25 × agents⌉ (`staff --shifts` staggers the breaks). Absent:
    a quarter, or the least the window allows when that is more (a fixed time: all)."""

    _clock = field_validator("earliest", "latest")(lambda cls, v: check_clock(v))


class Shift(_Model):
    """A shift pattern agents can be scheduled on (see `callsim staff --shifts`)."""

    start: str
    """Clock time the shift starts, "HH:MM"."""
    hours: float = Field(gt=0, le=24)
    """Length, hours (the break included)."""
    group: str | None = None
    """The agent group it staffs (default: the only group)."""
    max_count: int | None = Field(default=None, ge=0)
    """At most this many agents on the shift, each day it is worked."""
    cost_per_hour: float = Field(default=0.0, ge=0)
    """Cost of a paid hour on the shift."""
    unpaid_break: Break | None = Field(default=None, alias="break")
    """An unpaid break."""
    days: list[Weekday] | None = Field(default=None, min_length=1)
    """The weekdays it may be worked (mon...sun; a horizon's days have weekdays), by the
    day it starts; absent: every day."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)
    _clock = field_validator("start")(lambda cls, v: check_clock(v))


class Arrivals(_Model):
    """How the forecast becomes calls: Poisson counts at the forecast rate in each
    interval, scaled by one random busyness factor per day (gamma, mean 1, cv
    `busyness_cv`; 0 = none). The factor makes daily volumes overdispersed, as real
    ones are: a day's count has variance m + cv^2 m^2 instead of m (Poisson-gamma)."""

    busyness_cv: float = Field(default=0.0, ge=0, le=1)
    """The cv of the day's busyness factor (e.g. 0.1: days 10% busier or quieter than
    the forecast are common); 0 = every day exactly as forecast (plain Poisson)."""


class Simulation(_Model):
    """How many independent days to simulate, from which seed."""

    replications: int = Field(default=20, ge=2, le=MAX_REPLICATIONS)
    """Independent days simulated (each KPI's 95% CI is across them)."""
    seed: int = Field(default=1, ge=0)
    """The random seed: the same seed gives the same days."""
    warmup_intervals: int = Field(default=0, ge=0)
    """First intervals simulated but left out of every KPI (for steady-state studies)."""


class Scenario(_Model):
    """A validated contact-center day. Times are in seconds unless a name says otherwise."""

    model_config = ConfigDict(**MODEL_CONFIG, json_schema_extra=_volumes_unless_forecast)

    name: str = Field(min_length=1)
    """Shown in every report."""
    description: str | None = None
    """Free text shown in reports."""
    interval_minutes: Literal[15, 30, 60]
    """Length of an interval, minutes."""
    open: str
    """Clock time the first interval starts, "HH:MM" (in a horizon: of each day)."""
    forecast: str | None = None
    """A forecast CSV file (path from the scenario's folder) giving the calls offered,
    and optionally the AHT, per (date or weekday, interval, queue): the volumes and
    aht_by_interval of the queues it names (see the README's forecast files)."""
    horizon: Horizon | None = None
    """The calendar days covered, with their opening hours; absent: one dateless day."""
    service_level: ServiceLevel
    """The service-level goal, e.g. 80% of calls answered within 20 s."""
    lines: int | None = Field(default=None, ge=1)
    """Trunk lines: talking and waiting calls at most (a call holds one while waiting and
    talking, not during ACW); more get a busy signal. Absent: no limit."""
    line_cost_per_hour: float = Field(default=0.0, ge=0)
    """Cost of a trunk line's hour."""
    shrinkage: float = Field(default=0.0, ge=0, lt=1)
    """Fraction of paid time not on the phones: scheduled = ⌈required ÷ (1 − shrinkage)⌉."""
    targets: Targets = Targets()
    """Planning targets beside the service level."""
    shifts: dict[str, Shift] | None = None
    """Shift patterns for `callsim staff --shifts`."""
    roster: Roster | None = None
    """The schedule as shifts × headcount with breaks and activities, simulated at the
    exact minute (instead of `agents.NAME.staffing` for the groups it staffs)."""
    absence: Absence | None = None
    """No-shows, lateness and break overruns of the roster's agents, simulated."""
    queues: dict[str, Queue] = Field(min_length=1)
    """The call types, by name."""
    agents: dict[str, AgentGroup] = Field(min_length=1)
    """The agent groups, by name."""
    arrivals: Arrivals = Arrivals()
    """How the forecast becomes calls (a random daily busyness factor)."""
    simulation: Simulation = Simulation()
    """How many days to simulate, from which seed."""

    _clock = field_validator("open")(lambda cls, v: check_clock(v))

    @property
    def n_intervals(self) -> int:
        return len(next(iter(self.queues.values())).volumes)

    @property
    def interval_seconds(self) -> float:
        return self.interval_minutes * 60.0

    def interval_starts(self) -> list[str]:
        """Clock time of each interval start, "HH:MM" (wraps past midnight)."""
        if self.horizon is not None:
            return [slot.start for slot in calendar(self)]
        first = clock_minutes(self.open)
        return [clock(first + i * self.interval_minutes) for i in range(self.n_intervals)]

    def calendar(self) -> list[Slot]:
        """One Slot per interval: date, start "HH:MM", label ("Mon 12-07 08:00" in a
        horizon, "08:00" in one day)."""
        return calendar(self)

    def days(self) -> list[Day]:
        """One Day per open day (date, label, interval range first..stop-1); one
        dateless day without a horizon."""
        return open_days(self)
