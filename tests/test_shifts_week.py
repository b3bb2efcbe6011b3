"""The shift solver over several days: staggered breaks, shifts past midnight, 24/7
coverage that wraps, and the workings (`ShiftPlan.assignments`) the roster is made of."""

import math
from fractions import Fraction

import numpy as np
import pytest
from builders import break_losses

from simulator.model.scenario import Break, Shift
from simulator.model.shift_fit import covers, day_timeline, touches
from simulator.planner.shifts import schedule_shifts, solve_shifts


def staffing_by_hand(plan):
    """Agents working each whole interval, from the assignments alone."""
    tl = plan.timeline
    total = np.zeros(len(tl.starts), dtype=int)
    for a in plan.assignments:
        on = np.array(covers(tl, a.start, a.start + a.minutes), int)
        if a.break_start is not None:
            on &= 1 - np.array(touches(tl, a.break_start, a.break_start + a.break_minutes), int)
        total += a.agents * on
    return total.tolist()


# --- staggered breaks -------------------------------------------------------------------

LUNCH = Break(earliest="11:30", latest="13:30", minutes=30)
# a day 08:00-20:00 in 30 min intervals, flat at 199 agents (the 199 -> 109 -> 199)
FLAT = [199] * 24


@pytest.mark.parametrize("share", [None, 0.25, 0.4, 1.0])
def test_no_interval_loses_more_than_the_stated_share_to_breaks(share):
    shifts = {
        "day": Shift(
            start="08:00",
            hours=8.5,
            cost_per_hour=20,
            unpaid_break=LUNCH.model_copy(update={"max_share": share}),
        ),
        "late": Shift(start="12:00", hours=8, cost_per_hour=21),
    }
    plan = schedule_shifts(FLAT, interval_minutes=30, open="08:00", shifts=shifts)
    stated = 0.25 if share is None else share  # 5 starts of one interval: a quarter fits
    agents, off = break_losses(plan)
    n = agents[("day", 0)]
    assert n > 0 and plan.under == [0] * 24
    assert max(off[("day", 0)]) <= math.ceil(stated * n)
    assert plan.staffing == staffing_by_hand(plan)
    if share == 1.0:  # unstaggered, the solver is free to bunch them
        assert plan.break_shares == {}
    else:
        assert plan.break_shares == {"day": stated}


def test_a_fixed_break_time_takes_everybody_and_a_tight_share_is_refused():
    fixed = Shift(
        start="08:00", hours=8, unpaid_break=Break(earliest="12:00", latest="12:00", minutes=60)
    )
    plan = schedule_shifts([3] * 8, interval_minutes=60, open="08:00", shifts={"s": fixed})
    assert plan.break_starts == {"s": {"12:00": 3}} and plan.under[4] == 3

    # 3 starts of a 60 min break on a 30 min grid: each break spans 2 intervals, so at
    # best every other start is used and an interval loses 1 / ceil(3 / 2) = half
    tight = Shift(
        start="08:00",
        hours=8,
        unpaid_break=Break(earliest="12:00", latest="13:00", minutes=60, max_share=0.4),
    )
    with pytest.raises(ValueError, match=r"shifts.s.break.max_share: 0.4 is less than the 0.5"):
        schedule_shifts([3] * 16, interval_minutes=30, open="08:00", shifts={"s": tight})


def test_long_breaks_are_staggered_per_interval_not_only_per_start():
    """A 60 min break on a 30 min grid covers two intervals: starts 11:30 and 12:00
    both take agents off at 12:00, so the share is kept where they overlap."""
    shift = Shift(
        start="08:00",
        hours=9,
        cost_per_hour=24,
        unpaid_break=Break(earliest="11:30", latest="13:30", minutes=60, max_share=0.4),
    )
    plan = schedule_shifts([40] * 18, interval_minutes=30, open="08:00", shifts={"early": shift})
    agents, off = break_losses(plan)
    n = agents[("early", 0)]
    assert max(off[("early", 0)]) <= math.ceil(0.4 * n)
    assert sum(plan.break_starts["early"].values()) == n


# --- past midnight and 24/7 ---------------------------------------------------------------

NIGHT = Shift(start="22:00", hours=8, cost_per_hour=30)
EARLY = Shift(start="06:00", hours=8, cost_per_hour=20)
LATE = Shift(start="14:00", hours=8, cost_per_hour=22)


def test_a_24_hour_day_is_cyclic_the_night_shift_covers_the_small_hours():
    """A 24/7 desk, one dateless day from 00:00 in 60 min intervals: the night shift
    22:00-06:00 covers 22:00-24:00 and (the same roster, the night before) 00:00-06:00,
    so 00:00-06:00 is never empty; each agent is paid once, 8 h."""
    required = [2] * 6 + [5] * 8 + [3] * 8 + [2] * 2
    plan = schedule_shifts(
        required,
        interval_minutes=60,
        open="00:00",
        shifts={"night": NIGHT, "early": EARLY, "late": LATE},
    )
    assert plan.optimal and plan.under == [0] * 24
    assert plan.counts == {"night": 2, "early": 5, "late": 3}
    assert plan.staffing[:6] == [2] * 6  # 00:00-06:00: the night shift
    assert plan.staffing == staffing_by_hand(plan)
    assert plan.cost == 2 * 8 * 30 + 5 * 8 * 20 + 3 * 8 * 22


def test_a_24_7_week_wraps_sunday_night_into_monday_morning():
    """Seven dateless days of 24 h from Monday 00:00: coverage wraps, one night shift a
    day covers the next morning, and Sunday's covers Monday's."""
    day = [1] * 6 + [3] * 8 + [2] * 8 + [1] * 2
    required = day * 7
    plan = schedule_shifts(
        required,
        interval_minutes=60,
        open="00:00",
        shifts={"night": NIGHT, "early": EARLY, "late": LATE},
    )
    assert plan.under == [0] * len(required)
    assert plan.timeline.cycle == 7 * 24 * 60
    nights = sorted((a.day, a.agents) for a in plan.assignments if a.shift == "night")
    assert nights == [(d, 1) for d in range(7)]
    assert plan.staffing == staffing_by_hand(plan)
    assert plan.day_labels == [f"day {d}" for d in range(1, 8)]
    assert plan.day_counts["night"] == {f"day {d}": 1 for d in range(1, 8)}


def test_a_day_past_midnight_without_wrapping():
    """18:00-06:00 (12 h, not cyclic): 22:00 for 8 h runs to 06:00; a shift begun the day
    before may cover the first hours (16:00 for 6 h: 18:00-22:00)."""
    evening = Shift(start="16:00", hours=6, cost_per_hour=20)
    plan = schedule_shifts(
        [2] * 4 + [1] * 8,
        interval_minutes=60,
        open="18:00",
        shifts={"evening": evening, "night": NIGHT},
    )
    assert plan.timeline.cycle is None
    assert plan.counts == {"evening": 2, "night": 1}
    assert plan.staffing == [2] * 4 + [1] * 8


def test_several_days_back_to_back_accept_more_than_24_hours():
    """A 312-interval dateless list (6.5 days from 08:00): what validate accepts, staff
    --shifts plans (it refused it as "more than 24 h")."""
    required = ([4] * 24 + [0] * 24) * 6 + [4] * 24
    shifts = {"day": Shift(start="08:00", hours=12, cost_per_hour=10)}
    plan = schedule_shifts(required, interval_minutes=30, open="08:00", shifts=shifts)
    assert plan.under == [0] * 312 and plan.counts == {"day": 28}
    assert plan.day_counts["day"] == {f"day {d}": 4 for d in range(1, 8)}


def test_timeline_cycle_and_share_arithmetic():
    assert day_timeline(24, 60, "00:00").cycle == 24 * 60
    assert day_timeline(48, 30, "08:00").cycle == 24 * 60  # any 24 h from any opening
    assert day_timeline(24, 30, "08:00").cycle is None
    # the linear form of "at most ceil(p/q × n)": q·off <= p·n + q − 1
    for p, q in [(1, 4), (2, 5), (1, 3)]:
        for n in range(0, 30):
            most = max(off for off in range(n + 1) if q * off <= p * n + q - 1)
            assert most == min(n, math.ceil(Fraction(p, q) * n))


def test_solve_shifts_checks_the_requirement_against_the_timeline():
    tl = day_timeline(4, 60, "08:00")
    with pytest.raises(ValueError, match="required: 3 intervals, the scenario has 4"):
        solve_shifts([1, 1, 1], tl, {"s": EARLY})
