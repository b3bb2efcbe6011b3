"""How KPIs read to people: fractions as percentages, times in seconds, counts whole.

Shared by the terminal tables and the reports, so a figure looks the same everywhere.
"""

from __future__ import annotations

import math

LABELS = {
    "offered": "offered", "blocked": "blocked", "blocked_rate": "blocked %",
    "accepted": "accepted", "answered": "answered", "abandoned": "abandoned",
    "abandon_rate": "abandon %", "service_level": "SL %", "asa": "ASA s", "aht": "AHT s",
    "occupancy": "occupancy %", "longest_wait": "longest wait s", "avg_queue": "avg queue",
    "agents": "agents", "transfer_rate": "transfer %", "escalation_rate": "escalation %",
    "fcr": "FCR %", "cost_per_call": "cost/call", "cost": "cost", "calls": "calls",
    "customers": "customers",
}
PERCENT = {"blocked_rate", "abandon_rate", "service_level", "occupancy", "transfer_rate",
           "escalation_rate", "fcr"}


def value(kpi: str, x: float | None) -> str:
    """One figure: '87.3%' for a fraction, '7.8' for seconds or calls."""
    if x is None or not math.isfinite(x):
        return "–"
    if kpi in PERCENT:
        return f"{100 * x:.1f}%"
    return f"{x:,.2f}" if kpi == "cost_per_call" else f"{x:,.1f}"


def interval(kpi: str, low: float | None, high: float | None) -> str:
    """A confidence interval: '[85.1%, 89.4%]'."""
    if low is None or not math.isfinite(low):
        return "–"
    return f"[{value(kpi, low)}, {value(kpi, high)}]"


def with_half_width(kpi: str, mean: float, low: float, high: float) -> str:
    """'87.3 ± 2.1%'-style: the mean with the CI half-width."""
    if mean is None or not math.isfinite(mean):
        return "–"
    if low is None or not math.isfinite(low):
        return value(kpi, mean)
    half = (high - low) / 2
    if kpi in PERCENT:
        return f"{100 * mean:.1f} ± {100 * half:.1f}%"
    return f"{mean:,.1f} ± {half:,.1f}"
