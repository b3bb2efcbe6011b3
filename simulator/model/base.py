"""What every scenario model shares: its configuration, and the per-interval marker."""

from __future__ import annotations

from pydantic import ConfigDict

# Attribute docstrings become the fields' descriptions: in the JSON Schema (editors show
# them) and in the generated reference (docs/reference/scenario.md), read when a schema
# is asked for (`simulator.model.docstrings`), not at every start-up; validators are
# built on first use (defer_build). No NaN or inf anywhere; files are validated
# strictly (`load_scenario`): `seed: true`, `staffing: ["14"]` are refused, not coerced.
MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


class PerInterval:
    """Marks a field holding one value per interval of the scenario (in `Annotated`):
    `simulator.model.horizon.slice_intervals` cuts such lists to a day's intervals."""

    def __repr__(self) -> str:
        return "PER_INTERVAL"


PER_INTERVAL = PerInterval()
