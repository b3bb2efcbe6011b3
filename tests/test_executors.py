"""Executors: the same days, figures and JSON whatever runs them (issue 14, item 5).

A day is a pure function of the scenario and its SeedSequence, and the runner files each
day's KPIs by replication number, so serial, local processes and a Dask cluster must
agree to the bit; a Dask worker killed mid-run has its days rescheduled, and the result
is still the same. The clusters here are LocalClusters the tests start (two worker
processes, one thread each).
"""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest
import yaml
from builders import exponential, single_queue
from typer.testing import CliRunner

import simulator
from simulator.cli import app
from simulator.model.load import parse_scenario
from simulator.run import executors
from simulator.run.executors import DaskCluster, LocalProcesses, Serial, using
from simulator.run.runner import simulate

distributed = pytest.importorskip("distributed")

SCENARIO = single_queue(
    [300, 420, 360],
    [26, 34, 30],
    patience=exponential(150),
    interval_minutes=30,
    warmup=1,
    replications=6,
    seed=11,
    name="Executors",
)


@pytest.fixture(scope="module")
def sc():
    return parse_scenario(SCENARIO)


@pytest.fixture(scope="module")
def serial(sc):
    return simulate(sc)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


def assert_same(a, b):
    assert json.dumps(simulator.to_dict(a)) == json.dumps(simulator.to_dict(b))
    for kpi in a.interval_samples:
        np.testing.assert_array_equal(a.interval_samples[kpi], b.interval_samples[kpi])
    for q in a.queue_samples:
        for kpi in a.queue_samples[q]:
            np.testing.assert_array_equal(a.queue_samples[q][kpi], b.queue_samples[q][kpi])


def test_local_processes_give_the_serial_result(sc, serial):
    with LocalProcesses(2) as ex:
        assert_same(simulate(sc, executor=ex), serial)


def test_a_dask_cluster_gives_the_serial_result(sc, serial, cluster):
    with DaskCluster(cluster.scheduler_address) as ex:
        assert ex.workers == 2
        assert_same(simulate(sc, executor=ex), serial)
        records = simulate(sc, executor=ex, keep_records=True)  # records travel too
    np.testing.assert_array_equal(records.calls["wait_s"], serial.calls["wait_s"])


def test_a_horizon_of_days_gives_the_serial_result_on_dask(cluster):
    """A 2-day horizon with a closed night: each replication's stretches travel as one
    task; the per-day figures are the serial run's too."""
    days = single_queue(
        [300, 420] * 3, [26, 34] * 3, patience=exponential(150), interval_minutes=30,
        warmup=1, replications=4, seed=3, name="Executors, 3 days",
    )  # fmt: skip
    days["horizon"] = {"start": "2026-12-07", "days": 3, "close": "09:00"}
    week = parse_scenario(days)
    alone = simulate(week, executor=Serial())
    with DaskCluster(cluster.scheduler_address) as ex:
        on_dask = simulate(week, executor=ex)
    assert_same(on_dask, alone)
    for kpi, samples in alone.daily_samples.items():
        np.testing.assert_array_equal(on_dask.daily_samples[kpi], samples)


def test_a_killed_dask_worker_s_days_are_rescheduled_and_the_result_is_the_same(
    sc, serial, cluster
):
    with DaskCluster(cluster.scheduler_address) as ex:
        pids = ex._client.run(os.getpid)  # worker address -> process id
        assert len(pids) == 2
        killed = []

        def kill_one(done: int) -> None:
            if not killed:  # after the first day: the other days are queued or running
                victim = next(iter(pids.values()))
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        res = simulate(sc, replications=12, executor=ex, progress=kill_one)
        assert killed
        alive = set(ex._client.run(os.getpid).values())
    assert killed[0] not in alive  # that process really died (its nanny started another)
    assert_same(res, simulate(sc, replications=12))


class Counting(Serial):
    """Serial, counting the days it was given."""

    def __init__(self) -> None:
        self.days = 0

    def run(self, fn, tasks):
        self.days += len(tasks)
        return super().run(fn, tasks)


def test_the_staffing_search_and_compare_run_on_the_executor_in_use(sc):
    ex = Counting()
    with using(ex):
        plan = simulator.plan(sc, "simulation")
    # every day of the search, and of its verification
    assert ex.days == plan.search.days + plan.search.result.replications
    assert json.dumps(simulator.to_dict(plan)) == json.dumps(
        simulator.to_dict(simulator.plan(sc, "simulation"))
    )
    with using(ex):
        before = ex.days
        simulator.compare_scenarios([sc, sc], replications=3)
    assert ex.days - before == 2 * 3


def test_callsim_run_with_dask_prints_the_bytes_of_workers_1(tmp_path, cluster):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    runner = CliRunner()
    one = runner.invoke(app, ["run", str(path), "--workers", "1", "--json"])
    on_dask = runner.invoke(
        app, ["run", str(path), "--address", cluster.scheduler_address, "--json"]
    )
    assert one.exit_code == on_dask.exit_code == 0, on_dask.output
    assert on_dask.stdout == one.stdout
    env = {executors.ADDRESS_VARIABLE: cluster.scheduler_address}
    from_env = runner.invoke(app, ["run", str(path), "--executor", "dask", "--json"], env=env)
    assert from_env.exit_code == 0 and from_env.stdout == one.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--executor", "threads"], "executor: must be one of serial, processes, dask"),
        (["--executor", "serial", "--address", "tcp://127.0.0.1:9"], "only with --executor dask"),
    ],
)
def test_a_bad_executor_choice_exits_2_naming_the_option(tmp_path, args, message):
    result = CliRunner().invoke(app, ["run", "scenarios/single_queue.yaml", *args])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize("command", ["run", "staff", "compare"])
@pytest.mark.parametrize("extra", [[], ["--executor", "dask"]])
def test_an_empty_address_is_refused_not_taken_as_none(command, extra):
    """`--address ""` (a script's unset variable) ran the days locally without a word;
    leaving the option out is how to mean no address ($CALLSIM_DASK_ADDRESS, else a
    local cluster, with --executor dask)."""
    args = [command, "scenarios/single_queue.yaml", "--address", "", *extra]
    result = CliRunner().invoke(app, args, env={executors.ADDRESS_VARIABLE: ""})
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "callsim: invalid option\n  --address: an empty address; give the Dask scheduler as "
        "tcp://HOST:PORT, or leave --address out (--executor dask then uses "
        "$CALLSIM_DASK_ADDRESS, else a local cluster)\n"
    )
