"""The KPI registry: every fact about a KPI, in one frozen record per KPI.

`simulator.kpi.compute` computes the KPIs in `KPIS` order (the order of every table and
of the JSON); the report layer reads labels, units, definitions, colours and axis
labels from here; the comparison with Erlang reads the tolerances. Adding a KPI is one
`Kpi` record below plus its computation in `simulator.kpi.compute._kpis`.

Units: "fraction" (0-1, shown as a percentage), "s" (seconds), "calls", "customers",
"agents", "currency" (the scenario's own money).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    """One KPI: what it means, how it reads, and how it is drawn.

    `higher_is_better`: True where more is better (service level), False where less is
    (ASA; occupancy, which has a ceiling), None where neither (offered calls).
    `tolerance`: the gap (in the KPI's unit) below which a formula's prediction outside
    the simulated 95% CI is not called a disagreement (below it no planner acts, and a
    day-to-day spread of zero, every day at 100% service level, leaves a CI of zero
    width: a prediction off by 0.01% is no disagreement); None: never compared.
    `decimals`: decimals shown for a non-percent figure.
    """

    key: str
    unit: str
    label: str  # a table's column heading: "SL %", "ASA s"
    definition: str  # the words of the product contract
    name: str  # in prose and legends: "service level", "ASA"
    higher_is_better: bool | None = None
    tolerance: float | None = None
    color: str | None = None  # Okabe-Ito, the same in every figure
    axis_label: str | None = None  # an axis, unit in brackets: "ASA (s)"
    decimals: int = 1

    @property
    def percent(self) -> bool:
        """A 0-1 fraction, shown as a percentage."""
        return self.unit == "fraction"

    @property
    def axis(self) -> str:
        """The axis label, or the table label where none is given."""
        return self.axis_label or self.label


_RECORDS = (
    Kpi(
        "offered",
        "calls",
        "offered",
        "calls that arrived, blocked ones included",
        "offered calls",
        tolerance=0.5,
    ),
    Kpi(
        "blocked",
        "calls",
        "blocked",
        "calls refused because all lines were in use (busy signal)",
        "blocked calls",
        higher_is_better=False,
    ),
    Kpi(
        "blocked_rate",
        "fraction",
        "blocked %",
        "blocked ÷ offered",
        "blocked rate",
        higher_is_better=False,
        color="#56B4E9",
        axis_label="blocked (% of offered)",
    ),
    Kpi("accepted", "calls", "accepted", "offered − blocked", "accepted calls"),
    Kpi(
        "answered",
        "calls",
        "answered",
        "accepted calls that reached an agent",
        "answered calls",
        higher_is_better=True,
        color="#0072B2",
    ),
    Kpi(
        "abandoned",
        "calls",
        "abandoned",
        "accepted calls whose caller hung up while waiting",
        "abandoned calls",
        higher_is_better=False,
        color="#D55E00",
    ),
    Kpi(
        "abandon_rate",
        "fraction",
        "abandon %",
        "abandoned ÷ accepted",
        "abandon rate",
        higher_is_better=False,
        tolerance=0.005,
        color="#D55E00",
        axis_label="abandoned (% of accepted)",
    ),
    Kpi(
        "service_level",
        "fraction",
        "SL %",
        "calls answered within the threshold ÷ accepted (an abandoned call is a miss)",
        "service level",
        higher_is_better=True,
        tolerance=0.005,
        color="#0072B2",
        axis_label="service level (%)",
    ),
    Kpi(
        "asa",
        "s",
        "ASA s",
        "average speed of answer: mean wait of answered calls",
        "ASA",
        higher_is_better=False,
        tolerance=0.5,
        color="#E69F00",
        axis_label="ASA (s)",
    ),
    Kpi(
        "aht",
        "s",
        "AHT s",
        "average handle time of answered calls: talk + hold + after-call work",
        "AHT",
        axis_label="AHT (s)",
    ),
    Kpi(
        "occupancy",
        "fraction",
        "occupancy %",
        "agent time spent handling calls ÷ agent time logged in (not-ready time after "
        "calls counts as logged in, not as handling)",
        "occupancy",
        higher_is_better=False,
        tolerance=0.005,
        color="#CC79A7",
        axis_label="occupancy (%)",
    ),
    Kpi(
        "transfer_rate",
        "fraction",
        "transfer %",
        "handled calls that were transferred ÷ answered",
        "transfer rate",
    ),
    Kpi(
        "escalation_rate",
        "fraction",
        "escalation %",
        "handled calls that were escalated ÷ answered",
        "escalation rate",
    ),
    Kpi(
        "fcr",
        "fraction",
        "FCR %",
        "customers resolved on their first call, with no transfer, escalation "
        "or repeat call ÷ customers",
        "first-contact resolution",
        higher_is_better=True,
    ),
    Kpi(
        "longest_wait",
        "s",
        "longest wait s",
        "the longest wait of any call, answered or abandoned",
        "longest wait",
        higher_is_better=False,
        axis_label="longest wait (s)",
    ),
    Kpi(
        "avg_queue",
        "calls",
        "avg queue",
        "time-average number of calls waiting",
        "calls waiting",
        higher_is_better=False,
        axis_label="calls waiting",
    ),
    Kpi(
        "agents",
        "agents",
        "agents",
        "agents logged in (mean over the interval)",
        "agents logged in",
        color="#009E73",
        axis_label="agents logged in",
    ),
    Kpi(
        "cost",
        "currency",
        "cost",
        "agents' paid logged-in time plus trunk lines, at the given hourly costs "
        "(0 where none is given)",
        "cost",
        higher_is_better=False,
    ),
    Kpi(
        "cost_per_call",
        "currency",
        "cost/call",
        "cost (agents' paid logged-in time plus trunk lines) ÷ answered calls; "
        "undefined where no cost is given",
        "cost per call",
        higher_is_better=False,
        decimals=2,
    ),
    Kpi(
        "calls",
        "calls",
        "calls",
        "phone calls (a transferred call counts once, in its first queue)",
        "phone calls",
    ),
    Kpi(
        "customers",
        "customers",
        "customers",
        "people calling, counted by their first call",
        "customers",
    ),
)

REGISTRY: dict[str, Kpi] = {k.key: k for k in _RECORDS}
KPIS: tuple[str, ...] = tuple(REGISTRY)  # the order of every table and of the JSON
UNITS: dict[str, str] = {k.key: k.unit for k in _RECORDS}
# The KPIs an Erlang formula predicts at a staffing (the planner's and compare's).
PREDICTED: tuple[str, ...] = ("service_level", "asa", "abandon_rate", "occupancy")


def kpi_record(key: str) -> Kpi | None:
    """The record of `key`, or None for a figure that is not a KPI (load, required)."""
    return REGISTRY.get(key)
