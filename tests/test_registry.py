"""The KPI registry is the one list of KPIs: what the engine computes, every table,
figure and the JSON report exactly its records, in its order."""

from __future__ import annotations

import json

from builders import exponential, single_queue

import simulator
from simulator.kpi.compute import day_kpis
from simulator.kpi.registry import KPIS, PREDICTED, REGISTRY, UNITS
from simulator.report import format as fmt
from simulator.report import plots

SC = simulator.parse_scenario(
    single_queue([60, 80], [6, 7], patience=exponential(90), replications=2, seed=2)
)


def test_the_computation_returns_exactly_the_registered_kpis_in_order():
    res = simulator.simulate(SC)
    per_interval, per_day = day_kpis(SC, res.days[0])
    assert tuple(per_interval) == tuple(per_day) == KPIS
    assert tuple(json.loads(json.dumps(simulator.to_dict(res)))["summary"]) == KPIS


def test_every_record_reads_and_draws_from_its_own_fields():
    labels = [r.label for r in REGISTRY.values()]
    assert len(set(labels)) == len(labels)  # a column heading names one KPI
    for key, record in REGISTRY.items():
        assert record.key == key and record.definition and record.name
        assert UNITS[key] == record.unit
        assert record.percent == (record.unit == "fraction")
        assert fmt.label(key) == record.label
    assert fmt.value("service_level", 0.8734) == "87.3%"
    assert fmt.value("cost_per_call", 3.14159) == "3.14"  # decimals from the record
    assert fmt.value("asa", 7.84) == "7.8"
    assert plots.color("asa") == REGISTRY["asa"].color
    assert plots.axis_label("asa") == "ASA (s)"
    assert plots.axis_label("avg_queue") == "calls waiting"
    assert plots.axis_label("fcr") == "FCR %"  # no axis label: the table's


def test_the_predicted_kpis_have_a_compare_tolerance():
    for key in PREDICTED:
        assert REGISTRY[key].tolerance is not None, key
