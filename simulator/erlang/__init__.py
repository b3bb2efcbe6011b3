"""Queueing theory of the contact center: Erlang B, C and A, vectorised and exact.

Knows nothing of scenarios: loads in Erlangs, agents (fractional allowed), times in
seconds, results as fractions 0-1.
"""

from .formulas import (
    ErlangAResult,
    MMNKResult,
    RecallResult,
    agents_for_service_level,
    erlang_a,
    erlang_b,
    erlang_b_recall,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
    mmnk_abandon,
    occupancy,
)

__all__ = [
    "ErlangAResult",
    "MMNKResult",
    "RecallResult",
    "agents_for_service_level",
    "erlang_a",
    "erlang_b",
    "erlang_b_recall",
    "erlang_c",
    "erlang_c_asa",
    "erlang_c_service_level",
    "mmnk_abandon",
    "occupancy",
]
