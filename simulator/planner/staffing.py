"""Staffing plans: how many agents each interval needs, by Erlang C, Erlang A or
simulation, and how many to schedule.

A planner turns a forecast into a staffing plan in three steps, per interval:

1. **load**: offered calls × AHT ÷ interval seconds, in Erlangs: 100 calls in 30 min at
   180 s each keep 10 agents busy on average (`load`);
2. **required**: the fewest *whole* productive agents that meet EVERY target of the
   scenario, by a formula (`requirement`, `predict`) or by simulation (`search`);
3. **scheduled**: ``ceil(required / (1 - shrinkage))``: agents to put on the schedule
   so that, after breaks, training and absence, ``required`` are on the phones
   (`allocation`, which also splits each queue's agents among its agent groups).

The approximations that matter for a scenario are stated in each plan's ``notes``.

`plan` returns a `StaffingPlan` of plain arrays; `simulator.to_dict(plan)` is the
``callsim staff --json`` object. `with_staffing` puts a plan's staffing into a copy of
the scenario, so the simulator can check the plan. A scenario's ``staffing`` counts
agents logged in (the simulator knows no shrinkage), so the plan's `staffing` is the
required agents, or the agents on shift less shrinkage: never the scheduled headcount.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..model.scenario import Scenario
from .allocation import after_shrinkage, group_requirement, queue_agents
from .busyness import check_chance, with_day_share, with_days_share
from .chance import chance_requirement
from .dayshare import check_day_scope, day_requirement
from .edits import scale_volumes
from .lines import LinePlan, line_notes, plan_lines
from .load import offered_calls, offered_load
from .predict import KPIS, center, check_method, erlang_method, predict
from .requirement import required_agents
from .rostering import schedule_groups
from .schedules import Schedules, logged_in, schedule_by_simulation
from .search import Search, SearchSettings, search_by_simulation, search_notes
from .shifts import ShiftPlan
from .totals import FTE_HOURS, Totals, plan_days, plan_totals


@dataclass(frozen=True)
class StaffingPlan:
    """Agents needed per interval, and Erlang's prediction at that staffing.

    Per-queue arrays are (queues, intervals); center arrays are (intervals,).
    `required` and `scheduled` are whole agents. `shifts` holds a ShiftPlan per agent
    group when shifts were scheduled (see `plan(..., shifts=True)`); the KPIs are then
    at the agents the shifts log in (`kpis_at` "shifts", `kpi_agents` per queue), else
    at the required agents.
    """

    scenario: Scenario = field(repr=False)  # as planned (volumes scaled)
    method: str
    volume_scale: float
    starts: list[str]
    queues: list[str]
    offered: np.ndarray  # calls (forecast + transfers in)
    load: np.ndarray  # Erlangs
    required: np.ndarray  # productive agents
    scheduled: np.ndarray  # after shrinkage, per queue
    kpis: dict[str, np.ndarray]  # p_wait, service_level, asa, abandon_rate, occupancy
    group_required: dict[str, np.ndarray]
    group_scheduled: dict[str, np.ndarray]
    notes: list[str]
    shifts: dict[str, ShiftPlan] | None = None
    search: Search | None = None  # method "simulation": the simulated day, with CIs
    kpis_at: str = "required"  # or "shifts": the agents the shift plan logs in
    kpi_agents: np.ndarray | None = None  # agents per queue the KPIs are at (None: required)
    lines: LinePlan | None = None  # the trunk lines the plan needs (`lines.plan_lines`)
    warnings: list[str] = field(default_factory=list)  # e.g. the lines, not the agents, bind
    days_share: np.ndarray | None = None  # share of days meeting every target (`chance`)
    busyness_cv: float | None = None  # the daily busyness factor's cv it was computed for
    days_meeting: float | None = None  # the chance target planned for, if any
    chance_per: str = "interval"  # what the chance target holds: each interval, or each day
    day_share: np.ndarray | None = None  # (queues, days): share of days the day meets all
    day_share_ci: tuple[np.ndarray, np.ndarray] | None = None  # simulated: its 95% CI
    totals: Totals | None = None  # headcount, FTE, paid hours, cost (`totals`)
    schedules: Schedules | None = None  # simulation with shifts: both rosters compared

    @property
    def kpi_staffing(self) -> np.ndarray:
        """Agents per (queue, interval) the KPIs are at, as floats."""
        return self.required.astype(float) if self.kpi_agents is None else self.kpi_agents

    @property
    def at_words(self) -> str:
        """Where the KPIs are taken, in words: 'the required agents' or 'the agents
        the shifts log in'."""
        return "the agents the shifts log in" if self.kpis_at == "shifts" else "the required agents"

    @property
    def total(self) -> dict[str, np.ndarray]:
        """Center totals per interval: offered, load, required, scheduled (sum of the
        groups' scheduled agents), and the KPIs combined over queues (simulated: the
        center's simulated means)."""
        kpis = (
            {k: self.search.center_figures[k][0] for k in KPIS}
            if self.search
            else center(
                self.offered,
                self.required if self.kpi_agents is None else self.kpi_agents,
                self.kpis,
            )
        )
        return {
            "offered": self.offered.sum(axis=0),
            "load": self.load.sum(axis=0),
            "required": self.required.sum(axis=0),
            "scheduled": np.sum(list(self.group_scheduled.values()), axis=0),
            **kpis,
        }

    @property
    def staffing(self) -> dict[str, list[int]]:
        """Agents LOGGED IN per group and interval, the meaning of a scenario's
        `agents.X.staffing` (the simulator applies no shrinkage): the required agents,
        or with shifts the agents on shift less shrinkage, rounded down (never below
        required where the shifts cover the schedule). What `with_staffing` and
        `callsim staff --write` use."""
        if self.shifts:
            return logged_in(self.scenario, self.shifts)
        return {g: [int(v) for v in r] for g, r in self.group_required.items()}

    @property
    def intervals(self) -> pd.DataFrame:
        """Center view, one row per interval (index: start)."""
        return pd.DataFrame(self.total, index=pd.Index(self.starts, name="start"))

    @property
    def queue_intervals(self) -> pd.DataFrame:
        """Per-queue view, one row per (queue, interval)."""
        frames = [
            pd.DataFrame(
                {
                    "queue": q,
                    "start": self.starts,
                    **{k: v[i] for k, v in self.queue_columns().items()},
                }
            )
            for i, q in enumerate(self.queues)
        ]
        return pd.concat(frames, ignore_index=True)

    def queue_columns(self) -> dict[str, np.ndarray]:
        """offered, load, required, scheduled and the KPIs, each (queues, intervals)."""
        return {
            "offered": self.offered,
            "load": self.load,
            "required": self.required,
            "scheduled": self.scheduled,
            **{k: self.kpis[k] for k in KPIS},
        }

    def figures(self, queue: int | None = None) -> dict[str, tuple[np.ndarray, ...]] | None:
        """Simulated plans: KPI -> (mean, ci95 low, ci95 high) per interval, of the
        center or of queue number `queue`; None for an Erlang plan."""
        if self.search is None:
            return None
        if queue is None:
            return {k: self.search.center_figures[k] for k in KPIS}
        return {k: tuple(v[queue] for v in self.search.queue_figures[k]) for k in KPIS}


def plan(
    sc: Scenario,
    method: str = "erlang-c",
    volume_scale: float = 1.0,
    shifts: bool = False,
    progress: Callable[[int], None] | None = None,
    busyness_cv: float | None = None,
    days_meeting: float | None = None,
    fte_hours: float = FTE_HOURS,
    settings: SearchSettings | None = None,
    chance_per: str = "interval",
) -> StaffingPlan:
    """Plan the day's staffing of `sc` by `method` ("erlang-c", "erlang-a" or
    "simulation"; see the module docstring).

    `volume_scale` multiplies every forecast volume first (1.15: 15% over forecast).
    `shifts=True` also turns each group's scheduled agents into shift counts
    (`simulator.shifts`), using the scenario's shifts for that group. `progress(n)` is
    called after each simulated day-set of a simulation search. `busyness_cv` (a gamma
    daily busyness factor's cv) adds the share of days each interval meets its targets
    (`chance`; default: the file's `arrivals.busyness_cv`, if any); `days_meeting`
    then plans for at least that share, of every interval (`chance_per` "interval") or
    of each queue's whole day ("day": `dayshare`). `settings` tune a simulation search
    (`search.SearchSettings`). Raises ValueError (ScenarioError for scenario fields)
    naming the field.
    """
    check_method(method)
    busyness_cv = check_chance(sc, method, busyness_cv, days_meeting)
    check_day_scope(days_meeting, chance_per)
    scaled = scale_volumes(sc, volume_scale)
    offered = offered_calls(scaled)
    load = offered_load(scaled, offered)
    search = None
    if method == "simulation":
        if busyness_cv is not None:  # the search's and the verification's days carry it
            arrivals = scaled.arrivals.model_copy(update={"busyness_cv": busyness_cv})
            scaled = scaled.model_copy(update={"arrivals": arrivals})
        settings = replace(
            settings or SearchSettings(), days_meeting=days_meeting, chance_per=chance_per
        )
        required, search = search_by_simulation(scaled, load, progress, settings)
        kpis = {
            "p_wait": np.full(load.shape, np.nan),
            **{k: search.queue_figures[k][0] for k in KPIS},
        }
    else:
        required = required_agents(scaled, method, load)
        if days_meeting is not None and busyness_cv is not None:
            per = day_requirement if chance_per == "day" else chance_requirement
            required = per(scaled, method, load, busyness_cv, days_meeting, required)
        kpis = predict(scaled, method, load, required.astype(float))
    group_req = group_requirement(scaled, required)
    result = StaffingPlan(
        scenario=scaled,
        method=method,
        volume_scale=float(volume_scale),
        starts=scaled.interval_starts(),
        queues=list(scaled.queues),
        offered=offered,
        load=load,
        required=required,
        scheduled=after_shrinkage(required, scaled.shrinkage),
        kpis=kpis,
        group_required=group_req,
        group_scheduled={g: after_shrinkage(r, scaled.shrinkage) for g, r in group_req.items()},
        notes=search_notes(scaled, search) if search else erlang_notes(scaled, method),
        search=search,
    )
    if shifts and search is not None:
        result = simulated_shifts(result)
    elif shifts:
        result = at_shift_staffing(replace(result, shifts=shift_plans(scaled, result)))
    result = with_lines(result)
    days = plan_days(scaled)
    totals = plan_totals(scaled, result.group_scheduled, result.shifts, days, fte_hours)
    result = replace(result, totals=totals)
    if busyness_cv is None:
        return result
    per_interval = days_meeting if chance_per == "interval" else None  # what the note says
    result = with_days_share(result, busyness_cv, per_interval)
    return with_day_share(result, days_meeting, chance_per)


def with_lines(p: StaffingPlan) -> StaffingPlan:
    """`p` with the trunk lines it needs, a note saying how many, and a warning where the
    file's lines bind (`simulator.planner.lines`)."""
    agents = p.kpi_staffing
    lp = plan_lines(p.scenario, p.offered, p.load, agents)
    logged_in = np.sum([np.asarray(v) for v in p.staffing.values()], axis=0)
    notes, warnings = line_notes(lp, p.starts, logged_in)
    return replace(p, lines=lp, notes=p.notes + notes, warnings=p.warnings + warnings)


def at_shift_staffing(p: StaffingPlan) -> StaffingPlan:
    """`p` with its KPIs at the agents its shifts log in (`StaffingPlan.staffing`),
    which caps and shift lengths make differ from the requirement: Erlang's prediction
    there (a simulated plan goes to `simulated_shifts`)."""
    sc, logged = p.scenario, p.staffing
    agents = queue_agents(sc, logged, p.load)
    under = sum(sum(s.under) for s in (p.shifts or {}).values())
    notes = p.notes + [
        "KPIs are at the agents the shifts log in (on shift less shrinkage), not at the "
        "requirement"
        + (f": the shifts leave {under} agent-interval(s) under-staffed" if under else "")
    ]
    kpis = predict(sc, p.method, p.load, agents)
    return replace(p, kpis=kpis, kpi_agents=agents, kpis_at="shifts", notes=notes)


def simulated_shifts(p: StaffingPlan) -> StaffingPlan:
    """A simulated plan with shifts improved by simulation (`schedules`): its KPIs are
    the improved roster's verification, and a note compares it with the shifts of the
    Erlang requirement."""
    sc, search = p.scenario, p.search
    assert search is not None and search.sets is not None

    def schedule(need: dict[str, np.ndarray]) -> dict[str, ShiftPlan]:
        return shift_plans(sc, replace(p, group_scheduled=need))

    need = required_agents(sc, search.start, p.load)
    chance = search.verification.chance
    if chance is not None:  # the Erlang roster to compare meets the same chance target
        per = day_requirement if search.sets.per_day else chance_requirement
        need = per(sc, search.start, p.load, sc.arrivals.busyness_cv, chance, need)
    erlang = group_requirement(sc, need)
    found = schedule_by_simulation(
        sc,
        p.group_scheduled,
        {g: after_shrinkage(r, sc.shrinkage) for g, r in erlang.items()},
        schedule,
        search.sets,
        search.result.replications,
    )
    check = found.simulated.verification
    logged = logged_in(sc, found.simulated.shifts)
    notes = p.notes + [
        "KPIs are at the agents the shifts log in (on shift less shrinkage), verified on "
        "independent days",
        found.note(),
    ]
    return replace(
        p,
        shifts=found.simulated.shifts,
        schedules=found,
        search=replace(search, simulations=search.sets.plans, verification=check),
        kpis={"p_wait": np.full(p.load.shape, np.nan)}
        | {k: check.queue_figures[k][0] for k in KPIS},
        kpi_agents=queue_agents(sc, logged, p.load),
        kpis_at="shifts",
        notes=notes,
    )


def shift_plans(sc: Scenario, staffing_plan: StaffingPlan) -> dict[str, ShiftPlan]:
    """Group -> shift counts covering its scheduled agents (`rostering.schedule_groups`)."""
    return schedule_groups(sc, staffing_plan.group_scheduled)


def erlang_notes(sc: Scenario, method: str) -> list[str]:
    """The approximations that matter for this scenario, in a sentence each."""
    queues = sc.queues.values()
    notes = []
    if method == "erlang-c" and any(q.patience for q in queues):
        notes.append(
            "erlang-c: callers never hang up (abandon_rate 0); with the "
            "patience given it over-staffs, see --method erlang-a"
        )
    if method == "erlang-a" and any(
        q.patience is not None and q.patience.distribution != "exponential" for q in queues
    ):
        notes.append(
            "erlang-a: a non-exponential patience enters by its hazard-matched mean "
            "(the exponential that hangs up as often in the first 180 s of waiting)"
        )
    if any(g.not_ready is not None for g in sc.agents.values()):
        notes.append(
            "not-ready time after calls adds to the handle time: the load is calls x "
            "(AHT + the home groups' mean not-ready); occupancy is handling only"
        )
    if any(g.handle_time_factor for g in sc.agents.values()):
        notes.append(
            "handle-time factors (proficiency) enter as the home groups' factors "
            "weighted by their agents logged in, per interval"
        )
    if any(len(q.parts) > 1 or q.parts[0].distribution != "exponential" for q in queues):
        notes.append("handle times enter by their mean only (AHT; exponential assumed)")
    if len(sc.queues) > 1:
        notes.append(
            "each queue is sized on its own (no pooling gain: conservative); "
            "its agents go to the groups that serve it first"
        )
    if any(q.transfers or q.escalation for q in queues):
        notes.append(
            "transfers and escalations add to the receiving queues' offered "
            "calls (all counted: an upper estimate)"
        )
    if any(q.redial or q.repeat or q.callback for q in queues):
        notes.append("redials, repeat calls and callbacks are not planned for")
    if sc.lines is not None:
        notes.append(f"lines ({sc.lines}) are not modelled: no busy signals in the plan")
    return notes


def erlang_requirement(sc: Scenario) -> tuple[list[float] | None, str]:
    """(required agents per reported interval, label) by the formula that fits the
    scenario (`predict.erlang_method`), to draw beside its staffing; (None, "") where
    no plan can be made (a target that cannot be met)."""
    method = erlang_method(sc)
    try:
        required = plan(sc, method).total["required"][sc.simulation.warmup_intervals :]
    except ValueError:
        return None, ""
    return [float(r) for r in required], f"required ({method})"
