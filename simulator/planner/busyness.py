"""A plan's chance figures under a random daily busyness (`chance`, `dayshare`): the
busyness cv it is made with, and the share of days each interval, and each queue's whole
day, meets every target, with the notes saying so."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .chance import share_of_days
from .dayshare import day_names, day_share_of_days

if TYPE_CHECKING:
    from ..model.scenario import Scenario
    from .staffing import StaffingPlan


def check_chance(
    sc: Scenario, method: str, busyness_cv: float | None, days_meeting: float | None
) -> float | None:
    """The daily busyness cv a plan is made with (`busyness_cv`, else the file's
    `arrivals.busyness_cv`, else None), checked with the chance target `days_meeting`;
    raises ValueError naming the field."""
    if days_meeting is not None and not 0 < days_meeting < 1:
        raise ValueError(f"days_meeting: must be a share between 0 and 1 (got {days_meeting!r})")
    if busyness_cv is None and sc.arrivals.busyness_cv > 0:
        busyness_cv = sc.arrivals.busyness_cv
    if days_meeting is not None and busyness_cv is None:
        raise ValueError(
            "days_meeting: needs busyness_cv (--busyness-cv, or the file's "
            "arrivals.busyness_cv: the days' spread)"
        )
    if busyness_cv is not None and not (np.isfinite(busyness_cv) and busyness_cv > 0):
        raise ValueError(f"busyness_cv: must be a number > 0 (got {busyness_cv!r})")
    if method == "simulation" and busyness_cv is not None and busyness_cv > 1:
        raise ValueError(f"busyness_cv: at most 1 to simulate (got {busyness_cv!r})")
    return busyness_cv


def with_days_share(p: StaffingPlan, cv: float, days_meeting: float | None) -> StaffingPlan:
    """`p` with the share of days each (queue, interval) meets every target under a gamma
    daily busyness factor of coefficient of variation `cv`: an Erlang plan's by its
    formula (`chance.share_of_days`), a simulated plan's counted on its verification's
    days (each with its own busyness factor, within-day chance included)."""
    if p.search is not None:
        share = p.search.days_meeting
        days = f"of the {p.search.result.replications} simulated days of the verification"
        how = "each day with its own busyness factor, within-day chance included"
    else:
        agents = p.kpi_staffing
        share = share_of_days(p.scenario, p.method, p.load, agents, cv)
        days, how = "of days", f"{p.method}, steady state, within-day chance not included"
    worst = _worst(share)
    note = (
        f"busyness: with a daily busyness cv of {100 * cv:g}%, every interval meets every "
        f"target on at least {100 * share[worst]:.1f}% {days} ({p.queues[worst[0]]} at "
        f"{p.starts[worst[1]]}; {how})"
        + (
            f"; planned for at least {100 * days_meeting:g}% of days"
            if days_meeting is not None
            else ""
        )
    )
    return replace(
        p, days_share=share, busyness_cv=cv, days_meeting=days_meeting, notes=p.notes + [note]
    )


def with_day_share(p: StaffingPlan, days_meeting: float | None, chance_per: str) -> StaffingPlan:
    """`p` (with its busyness cv) with the share of days each queue's whole day meets every
    target (`dayshare`): an Erlang plan's by its formula, a simulated plan's counted on its
    verification's days with the 95% Clopper-Pearson interval; and a note saying so."""
    assert p.busyness_cv is not None
    ci = None
    if p.search is not None and p.search.verification.day_share is not None:
        share, ci = p.search.verification.day_share, p.search.verification.day_share_ci()
        days, how = f"of the {p.search.result.replications} verification days", "simulated"
    else:
        agents = p.kpi_staffing
        share = day_share_of_days(p.scenario, p.method, p.load, agents, p.busyness_cv)
        days, how = "of days", f"{p.method}, steady state"
    names = day_names(p.scenario)
    worst = _worst(share)
    where = p.queues[worst[0]] + ("" if len(names) == 1 else f" on {names[worst[1]]}")
    note = (
        f"busyness: each queue's whole day (its calls of the reported intervals: the day's "
        f"service level, abandon rate, ASA, occupancy) meets every target on at least "
        f"{100 * share[worst]:.1f}% {days} ({where}; {how})"
        + (
            f"; planned for at least {100 * days_meeting:g}% of days per day, every interval "
            "at least at its plan for the mean target"
            if days_meeting is not None and chance_per == "day"
            else ""
        )
    )
    return replace(
        p,
        days_meeting=days_meeting,
        chance_per=chance_per,
        day_share=share,
        day_share_ci=ci,
        notes=p.notes + [note],
    )


def _worst(share: np.ndarray) -> tuple[int, ...]:
    """The (queue, interval or day) with the smallest share (NaN: no calls, left out)."""
    return tuple(
        int(i)
        for i in np.unravel_index(int(np.argmin(np.nan_to_num(share, nan=np.inf))), share.shape)
    )
