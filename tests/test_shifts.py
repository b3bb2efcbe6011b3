"""Tests for simulator.shifts: coverage, optimality against brute force, clock rules."""

import itertools

import numpy as np
import pytest
from pyworkforce.scheduling import MinRequiredResources
from scipy.optimize import Bounds, LinearConstraint, milp

from simulator.model.scenario import Break, Shift
from simulator.planner.shifts import schedule_shifts


def works(n, first, last, off=()):
    """Coverage by hand: 1 in intervals first..last-1 except those in `off`, else 0."""
    return [int(first <= i < last and i not in off) for i in range(n)]


def brute_force(required, columns, caps):
    """Least (agent-intervals short, cost, paid hours) over every count per column.

    columns: (shift name, coverage, cost per agent, paid hours per agent);
    caps: shift name -> max_count, shared by that shift's columns.
    """
    top = max(required)
    names = [c[0] for c in columns]
    matrix = np.array([c[1] for c in columns]).T
    best = None
    for x in itertools.product(*(range(min(top, caps.get(n, top)) + 1) for n in names)):
        if any(sum(k for k, n in zip(x, names) if n == name) > cap for name, cap in caps.items()):
            continue
        short = int(np.maximum(np.array(required) - matrix @ np.array(x), 0).sum())
        key = (
            short,
            sum(k * c[2] for k, c in zip(x, columns)),
            sum(k * c[3] for k, c in zip(x, columns)),
        )
        best = key if best is None or key < best else best
    return best


# --- a realistic day: 08:00-20:00 in 30 min intervals, peaking mid-morning ------------

DAY_REQUIRED = [4, 6, 9, 12, 14, 15, 15, 14, 12, 11, 10, 10, 11, 11, 10, 9, 8, 8, 7, 6, 5, 4, 3, 2]
DAY_SHIFTS = {
    "early": Shift(start="07:00", hours=8, cost_per_hour=20),
    "day": Shift(
        start="08:00",
        hours=8.5,
        cost_per_hour=20,
        max_count=8,
        unpaid_break=Break(earliest="11:00", latest="13:00", minutes=30),
    ),
    "mid": Shift(start="10:00", hours=4, cost_per_hour=22, max_count=4),
    "late": Shift(
        start="12:00",
        hours=8,
        cost_per_hour=21,
        unpaid_break=Break(earliest="15:00", latest="17:00", minutes=30),
    ),
    "eve": Shift(start="16:00", hours=4, cost_per_hour=30),
}


def idx(clock, open_minutes=8 * 60, interval=30):
    h, m = map(int, clock.split(":"))
    return (h * 60 + m - open_minutes) // interval


def test_realistic_day_covers_every_interval_at_hand_computed_cost():
    plan = schedule_shifts(DAY_REQUIRED, interval_minutes=30, open="08:00", shifts=DAY_SHIFTS)
    assert plan.optimal
    assert all(s >= r for s, r in zip(plan.staffing, DAY_REQUIRED))
    assert plan.under == [0] * 24
    assert plan.over == [s - r for s, r in zip(plan.staffing, DAY_REQUIRED)]
    assert plan.counts["mid"] <= 4 and plan.counts["day"] <= 8
    assert plan.break_starts["day"] and plan.break_starts["late"]  # both break shifts used

    # staffing = coverage matrix (built by hand) × agents per column
    n = 24
    staffing = np.zeros(n, dtype=int)
    staffing += plan.counts["early"] * np.array(works(n, 0, 14))  # 08:00-15:00 of 07:00-15:00
    staffing += plan.counts["mid"] * np.array(works(n, 4, 12))  # 10:00-14:00
    staffing += plan.counts["eve"] * np.array(works(n, 16, 24))  # 16:00-20:00
    for start, agents in plan.break_starts["day"].items():  # 08:00-16:30
        assert "11:00" <= start <= "13:00"
        staffing += agents * np.array(works(n, 0, 17, {idx(start)}))
    for start, agents in plan.break_starts["late"].items():  # 12:00-20:00
        assert "15:00" <= start <= "17:00"
        staffing += agents * np.array(works(n, 8, 24, {idx(start)}))
    assert plan.staffing == staffing.tolist()
    assert sum(plan.break_starts["day"].values()) == plan.counts["day"]
    assert sum(plan.break_starts["late"].values()) == plan.counts["late"]

    paid = {"early": 8, "day": 8, "mid": 4, "late": 7.5, "eve": 4}
    rate = {"early": 20, "day": 20, "mid": 22, "late": 21, "eve": 30}
    assert plan.cost == pytest.approx(sum(plan.counts[s] * paid[s] * rate[s] for s in paid))
    assert plan.paid_hours == pytest.approx(sum(plan.counts[s] * paid[s] for s in paid))

    table = plan.table()
    assert list(table.columns) == [
        "start",
        "end",
        "hours",
        "paid_hours",
        "count",
        "cost",
        "breaks",
    ]
    assert table.loc["day", "breaks"] == " ".join(
        f"{t}×{n}" for t, n in sorted(plan.break_starts["day"].items())
    )
    assert table.loc["day", "end"] == "16:30"
    assert table.loc["late", "paid_hours"] == 7.5
    assert table["cost"].sum() == pytest.approx(plan.cost)


def test_realistic_day_cost_matches_an_independent_milp():
    """The same problem, columns by hand, solved by HiGHS (scipy) instead of CP-SAT; the
    break stagger by hand too: day's 5 break starts (spanning 1 interval each) and late's
    5 keep the default share of a quarter, so each start holds <= ceil(n / 4) of the
    shift's n agents, i.e. 4·x_b - n <= 3."""
    n = 24
    columns = (
        [(works(n, 0, 14), 160)]
        + [(works(n, 0, 17, {b}), 160) for b in range(idx("11:00"), idx("13:00") + 1)]
        + [(works(n, 4, 12), 88)]
        + [(works(n, 8, 24, {b}), 157.5) for b in range(idx("15:00"), idx("17:00") + 1)]
        + [(works(n, 16, 24), 120)]
    )
    matrix = np.array([c[0] for c in columns]).T
    day_cols = np.array([0] + [1] * 5 + [0] * 7)
    late_cols = np.array([0] * 7 + [1] * 5 + [0])
    mid_cols = np.array([0] * 6 + [1] + [0] * 6)

    def stagger(members):
        rows = []
        for j in np.flatnonzero(members):
            row = -members.astype(float)
            row[j] += 4
            rows.append(row)
        return LinearConstraint(np.array(rows), ub=3)

    constraints = [
        LinearConstraint(matrix, lb=DAY_REQUIRED),
        LinearConstraint(day_cols, ub=8),
        LinearConstraint(mid_cols, ub=4),
    ]
    plan = schedule_shifts(DAY_REQUIRED, interval_minutes=30, open="08:00", shifts=DAY_SHIFTS)
    for staggered in (False, True):
        extra = [stagger(day_cols), stagger(late_cols)] if staggered else []
        best = milp(
            [c[1] for c in columns],
            constraints=constraints + extra,
            integrality=np.ones(len(columns)),
            bounds=Bounds(0, np.inf),
        )
        assert best.success
        if staggered:
            assert plan.cost == pytest.approx(best.fun)
        else:  # the stagger has a price here
            assert plan.cost > best.fun + 1

    loose = {
        name: s.model_copy(
            update={"unpaid_break": s.unpaid_break.model_copy(update={"max_share": 1.0})}
        )
        if s.unpaid_break
        else s
        for name, s in DAY_SHIFTS.items()
    }
    free = schedule_shifts(DAY_REQUIRED, interval_minutes=30, open="08:00", shifts=loose)
    assert free.cost == pytest.approx(3219.0)  # the unstaggered MILP optimum
    assert free.break_shares == {}


def test_same_input_gives_the_same_plan():
    first = schedule_shifts(DAY_REQUIRED, interval_minutes=30, open="08:00", shifts=DAY_SHIFTS)
    again = schedule_shifts(DAY_REQUIRED, interval_minutes=30, open="08:00", shifts=DAY_SHIFTS)
    assert first == again


# --- optimality against exhaustive enumeration (60 min intervals, 08:00-16:00) -------

PLAIN = (
    {
        "a": Shift(start="08:00", hours=4, cost_per_hour=10),
        "b": Shift(start="10:00", hours=4, cost_per_hour=12),
        "c": Shift(start="12:00", hours=4, cost_per_hour=9),
        "d": Shift(start="08:00", hours=8, cost_per_hour=9.5, max_count=2),
    },
    [1, 2, 3, 3, 2, 2, 1, 1],
    [
        ("a", works(8, 0, 4), 40, 4),
        ("b", works(8, 2, 6), 48, 4),
        ("c", works(8, 4, 8), 36, 4),
        ("d", works(8, 0, 8), 76, 8),
    ],
)

BREAKS = (
    {
        "a": Shift(
            start="08:00",
            hours=6,
            cost_per_hour=10,
            max_count=3,
            unpaid_break=Break(earliest="10:00", latest="12:00", minutes=60),
        ),
        "b": Shift(
            start="10:00",
            hours=6,
            cost_per_hour=11,
            unpaid_break=Break(earliest="12:00", latest="13:00", minutes=30),
        ),
        "c": Shift(start="12:00", hours=4, cost_per_hour=12),
    },
    [2, 2, 3, 3, 3, 3, 2, 1],
    # a 30 min break takes the whole 60 min interval it starts
    [
        ("a", works(8, 0, 6, {2}), 50, 5),
        ("a", works(8, 0, 6, {3}), 50, 5),
        ("a", works(8, 0, 6, {4}), 50, 5),
        ("b", works(8, 2, 8, {4}), 60.5, 5.5),
        ("b", works(8, 2, 8, {5}), 60.5, 5.5),
        ("c", works(8, 4, 8), 48, 4),
    ],
)

TOO_FEW = (
    {
        "a": Shift(start="08:00", hours=4, cost_per_hour=10, max_count=1),
        "b": Shift(start="12:00", hours=4, cost_per_hour=10, max_count=1),
        "c": Shift(start="10:00", hours=4, cost_per_hour=5, max_count=2),
        "d": Shift(start="08:00", hours=8, cost_per_hour=20, max_count=1),
    },
    [3, 3, 3, 3, 3, 3, 3, 3],
    [
        ("a", works(8, 0, 4), 40, 4),
        ("b", works(8, 4, 8), 40, 4),
        ("c", works(8, 2, 6), 20, 4),
        ("d", works(8, 0, 8), 160, 8),
    ],
)

FREE = (
    {name: s.model_copy(update={"cost_per_hour": 0.0}) for name, s in PLAIN[0].items()},
    [2, 2, 3, 1, 1, 2, 2, 2],
    [(name, cov, 0, paid) for name, cov, _, paid in PLAIN[2]],
)


@pytest.mark.parametrize(
    "shifts, required, columns",
    [PLAIN, BREAKS, TOO_FEW, FREE],
    ids=["plain", "breaks", "too_few_agents", "all_costs_zero"],
)
def test_plan_matches_brute_force_minimum(shifts, required, columns):
    caps = {n: s.max_count for n, s in shifts.items() if s.max_count is not None}
    short, cost, paid = brute_force(required, columns, caps)
    plan = schedule_shifts(required, interval_minutes=60, open="08:00", shifts=shifts)
    assert plan.optimal
    assert sum(plan.under) == short
    assert plan.cost == pytest.approx(cost)
    assert plan.paid_hours == pytest.approx(paid)
    assert all(plan.counts[n] <= cap for n, cap in caps.items())


def test_too_few_agents_gives_a_plan_with_the_least_understaffing():
    shifts, required, _ = TOO_FEW
    plan = schedule_shifts(required, interval_minutes=60, open="08:00", shifts=shifts)
    # a and d alone at 08:00-10:00, b and d alone at 14:00-16:00: 1 short in each hour
    assert plan.under == [1, 1, 0, 0, 0, 0, 1, 1]
    # covering 10:00-14:00 needs only one agent on c
    assert plan.counts == {"a": 1, "b": 1, "c": 1, "d": 1}
    assert plan.staffing == [2, 2, 3, 3, 3, 3, 2, 2]


# --- the clock: partial intervals, overnight, shifts begun before open ----------------


def test_agent_counts_only_in_intervals_worked_entirely():
    # 08:15-10:15 in 30 min intervals works 08:30, 09:00 and 09:30 entirely
    shifts = {"odd": Shift(start="08:15", hours=2, cost_per_hour=10)}
    plan = schedule_shifts(
        [1, 1, 1, 1, 1, 0, 0, 0], interval_minutes=30, open="08:00", shifts=shifts
    )
    assert plan.counts == {"odd": 1}
    assert plan.staffing == [0, 1, 1, 1, 0, 0, 0, 0]
    assert plan.under == [1, 0, 0, 0, 1, 0, 0, 0]
    assert plan.cost == 20


def test_overnight_shift_covers_the_night_intervals():
    # day 18:00-06:00 in 60 min intervals; 22:00 for 8 h runs past midnight to 06:00
    night = Shift(start="22:00", hours=8, cost_per_hour=30)
    plan = schedule_shifts(
        [0] * 4 + [1] * 8, interval_minutes=60, open="18:00", shifts={"night": night}
    )
    assert plan.counts == {"night": 1}
    assert plan.staffing == [0] * 4 + [1] * 8
    assert plan.cost == 240

    # 16:00 for 6 h began before open: only 18:00-22:00 counts, all 6 h are paid
    evening = Shift(start="16:00", hours=6, cost_per_hour=20)
    plan = schedule_shifts(
        [2] * 4 + [1] * 8,
        interval_minutes=60,
        open="18:00",
        shifts={"evening": evening, "night": night},
    )
    assert plan.counts == {"evening": 2, "night": 1}
    assert plan.staffing == [2] * 4 + [1] * 8
    assert plan.cost == 2 * 6 * 20 + 8 * 30


def test_overnight_break_after_midnight():
    night = Shift(
        start="22:00",
        hours=8,
        cost_per_hour=30,
        unpaid_break=Break(earliest="02:00", latest="02:00", minutes=60),
    )
    plan = schedule_shifts(
        [0] * 4 + [1] * 8, interval_minutes=60, open="18:00", shifts={"night": night}
    )
    assert plan.break_starts == {"night": {"02:00": 1}}
    assert plan.staffing == [0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1]  # 02:00 is index 8
    assert plan.under[8] == 1
    assert plan.paid_hours == 7


# --- breaks ---------------------------------------------------------------------------


def test_agent_on_break_is_missing_from_the_whole_interval():
    # a 15 min break at 10:00 takes the agent out of the whole 10:00-10:30 interval
    shifts = {
        "s": Shift(
            start="08:00",
            hours=4,
            cost_per_hour=20,
            unpaid_break=Break(earliest="10:00", latest="10:00", minutes=15),
        )
    }
    plan = schedule_shifts(
        [1, 1, 1, 1, 0, 1, 1, 1], interval_minutes=30, open="08:00", shifts=shifts
    )
    assert plan.counts == {"s": 1}
    assert plan.break_starts == {"s": {"10:00": 1}}
    assert plan.staffing == [1, 1, 1, 1, 0, 1, 1, 1]
    assert plan.paid_hours == 3.75
    assert plan.cost == 75


def test_breaks_are_staggered_to_keep_the_floor_covered():
    shifts = {
        "s": Shift(
            start="08:00",
            hours=4,
            cost_per_hour=20,
            unpaid_break=Break(earliest="10:00", latest="10:30", minutes=30),
        )
    }
    required = [2, 2, 2, 2, 1, 1, 2, 2]
    plan = schedule_shifts(required, interval_minutes=30, open="08:00", shifts=shifts)
    assert plan.counts == {"s": 2}
    assert plan.break_starts == {"s": {"10:00": 1, "10:30": 1}}
    assert plan.staffing == required


def test_break_starts_on_the_interval_grid_inside_its_window():
    # window 10:10-10:40 holds one interval start, 10:30
    shifts = {
        "s": Shift(
            start="08:00", hours=4, unpaid_break=Break(earliest="10:10", latest="10:40", minutes=30)
        )
    }
    plan = schedule_shifts([1] * 8, interval_minutes=30, open="08:00", shifts=shifts)
    assert plan.break_starts == {"s": {"10:30": 1}}
    # every agent is on break at 10:30, so that interval cannot be covered
    assert plan.staffing == [1, 1, 1, 1, 1, 0, 1, 1]
    assert plan.under == [0, 0, 0, 0, 0, 1, 0, 0]


# --- errors -----------------------------------------------------------------------------


def _shift(**changes):
    return {"early": Shift(start="08:00", hours=8).model_copy(update=changes)}


def _break(earliest, latest, minutes=30):
    return Break(earliest=earliest, latest=latest, minutes=minutes)


@pytest.mark.parametrize(
    "shifts, message",
    [
        (
            _shift(unpaid_break=_break("11:00", "10:00")),
            "shifts.early.break: window 11:00–10:00 is empty",
        ),
        (
            _shift(unpaid_break=_break("07:30", "09:00")),
            "shifts.early.break.earliest: 07:30 is outside the shift 08:00–16:00",
        ),
        (
            _shift(unpaid_break=_break("15:00", "15:45")),
            "shifts.early.break: a 30 min break starting at 15:45 ends after the shift 08:00–16:00",
        ),
        (
            _shift(unpaid_break=_break("10:05", "10:20")),
            "shifts.early.break: no interval start between 10:05 and 10:20",
        ),
        (
            _shift(unpaid_break=_break("08:00", "08:00", minutes=480)),
            "shifts.early.break.minutes: 480 min is not shorter than the shift 08:00–16:00",
        ),
        (
            _shift(start="02:00", hours=4),
            "shifts.early: 02:00 for 4 h is outside the opening hours 08:00–12:00",
        ),
        (_shift(hours=7.33), "shifts.early.hours: 7.33 h is not a whole number of minutes"),
        ({}, "shifts: no shift to schedule"),
    ],
)
def test_bad_shift_is_named_by_its_field_path(shifts, message):
    with pytest.raises(ValueError) as err:
        schedule_shifts([1] * 8, interval_minutes=30, open="08:00", shifts=shifts)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(
    "required, interval, open, message",
    [
        ([1, 2.5, 1], 30, "08:00", "required.1: must be a whole number of agents >= 0"),
        ([1, -1], 30, "08:00", "required.1: must be a whole number of agents >= 0"),
        ([], 30, "08:00", "required: no intervals"),
        ([1], 0, "08:00", "interval_minutes: must be a whole number of minutes > 0"),
        ([1], 30, "8:00", "open: must be a clock time HH:MM"),
    ],
)
def test_bad_day_is_named_by_its_field_path(required, interval, open, message):
    with pytest.raises(ValueError) as err:
        schedule_shifts(required, interval_minutes=interval, open=open, shifts=_shift())
    assert str(err.value).startswith(message)


# --- pyworkforce: what it agrees with, and what it cannot do ---------------------------


def test_agrees_with_pyworkforce_min_required_resources_without_caps_or_breaks():
    shifts = {
        "early": Shift(start="07:00", hours=8, cost_per_hour=20),
        "day": Shift(start="08:00", hours=8, cost_per_hour=19),
        "mid": Shift(start="10:00", hours=4, cost_per_hour=22),
        "late": Shift(start="12:00", hours=8, cost_per_hour=21),
        "eve": Shift(start="16:00", hours=4, cost_per_hour=22),
    }
    coverage = {
        "early": works(24, 0, 14),
        "day": works(24, 0, 16),
        "mid": works(24, 4, 12),
        "late": works(24, 8, 24),
        "eve": works(24, 16, 24),
    }
    per_agent = {n: s.hours * s.cost_per_hour for n, s in shifts.items()}
    theirs = MinRequiredResources(
        num_days=1,
        periods=24,
        shifts_coverage=coverage,
        required_resources=[DAY_REQUIRED],
        max_period_concurrency=100,
        max_shift_concurrency=100,
        cost_dict=per_agent,
        max_search_time=10,
    )
    solution = theirs.solve()
    plan = schedule_shifts(DAY_REQUIRED, interval_minutes=30, open="08:00", shifts=shifts)
    assert solution["status"] == "OPTIMAL"
    assert plan.cost == pytest.approx(solution["cost"])


def test_pyworkforce_num_search_workers_never_reaches_the_solver():
    # pyworkforce sets `solver.num_search_workers`, a plain attribute: CP-SAT keeps its
    # default of all cores, so its results need not repeat. callsim sets num_workers = 1.
    theirs = MinRequiredResources(
        num_days=1,
        periods=2,
        shifts_coverage={"a": [1, 1]},
        required_resources=[[1, 1]],
        max_period_concurrency=5,
        max_shift_concurrency=5,
        num_search_workers=1,
    )
    theirs.solve()
    assert theirs.solver.num_search_workers == 1
    assert theirs.solver.parameters.num_workers == 0
    assert theirs.solver.parameters.num_search_workers == 0


def test_pyworkforce_has_no_plan_when_caps_forbid_covering():
    theirs = MinRequiredResources(
        num_days=1,
        periods=2,
        shifts_coverage={"a": [1, 1]},
        required_resources=[[3, 1]],
        max_period_concurrency=5,
        max_shift_concurrency=2,
    )
    solution = theirs.solve()
    assert solution["status"] == "INFEASIBLE"
    assert solution["resources_shifts"][0]["resources"] == -1

    plan = schedule_shifts(
        [3, 1],
        interval_minutes=30,
        open="08:00",
        shifts={"a": Shift(start="08:00", hours=1, max_count=2)},
    )
    assert plan.counts == {"a": 2}
    assert plan.under == [1, 0]
