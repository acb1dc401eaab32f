"""``mlkube jobs|status|logs|wait|cancel|results``: finding workloads again, by name."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

import mlkube
from mlkube.cli.main import cli
from mlkube.sdk import Client
from tests.unit.sdk.served import CONTEXT, PYTHON, Served, trial_command


def mlkube_cli(served: Served, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, *served.flags, "-n", "vision"])


@pytest.fixture(scope="module")
def client(process_cluster: Served) -> Iterator[Client]:
    with mlkube.connect(process_cluster.kubeconfig, CONTEXT, team="vision") as c:
        yield c


@pytest.fixture(scope="module")
def finished_sweep(client: Client) -> str:
    """A 2x2 grid whose trials report loss 0.4, 0.3, 0.2, 0.1, complete."""
    client.sweep(
        "grid",
        image="py",
        command=trial_command([0.4, 0.3, 0.2, 0.1]),
        params={"lr": [0.1, 0.01], "l2": [0, 1]},
        parallel=2,
        metric="loss",
    ).wait(timeout=60)
    return "grid"


def test_jobs_lists_name_team_kind_status_progress_and_age(
    process_cluster: Served, finished_sweep: str
) -> None:
    result = mlkube_cli(process_cluster, "jobs")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["NAME", "TEAM", "KIND", "STATUS", "PROGRESS", "AGE"]
    grid = next(r.split() for r in rows if r.startswith("grid "))
    assert grid[:5] == ["grid", "vision", "sweep", "Complete", "4/4"]


def test_jobs_o_json_is_the_status_of_each_workload(
    process_cluster: Served, finished_sweep: str
) -> None:
    result = mlkube_cli(process_cluster, "jobs", "-o", "json")
    (grid,) = [j for j in json.loads(result.stdout) if j["name"] == "grid"]
    assert (grid["status"], grid["succeeded"], grid["total"]) == ("Complete", 4, 4)


def test_results_ranks_the_trials_best_first(process_cluster: Served, finished_sweep: str) -> None:
    result = mlkube_cli(process_cluster, "results", "grid", "-o", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["metric"], found["goal"]) == ("loss", "minimize")
    assert [t["index"] for t in found["trials"]] == [3, 2, 1, 0]
    assert found["trials"][0]["params"] == {"lr": 0.01, "l2": 1}


def test_results_table_shows_rank_index_params_and_metric(
    process_cluster: Served, finished_sweep: str
) -> None:
    result = mlkube_cli(process_cluster, "results", "grid", "--maximize")
    header, first, *_ = result.stdout.splitlines()
    assert header.split()[:2] == ["RANK", "INDEX"]
    assert first.split()[:2] == ["1", "0"], "maximizing puts the largest loss first"


def test_logs_prefix_each_line_with_the_index_when_there_are_several_pods(
    process_cluster: Served, finished_sweep: str
) -> None:
    result = mlkube_cli(process_cluster, "logs", "grid")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f'[{i}] mlkube-metric: {{"loss": {loss}, "index": {i}}}'
        for i, loss in enumerate([0.4, 0.3, 0.2, 0.1])
    ]
    only = mlkube_cli(process_cluster, "logs", "grid", "--index", "2")
    assert only.stdout == 'mlkube-metric: {"loss": 0.2, "index": 2}\n'


def test_status_shows_conditions_pods_with_nodes_and_events(
    process_cluster: Served, finished_sweep: str
) -> None:
    result = mlkube_cli(process_cluster, "status", "grid", "-o", "json")
    data = json.loads(result.stdout)
    assert data["object"] == "job/grid"
    assert "Complete" in [c["type"] for c in data["conditions"]]
    assert sorted(p["index"] for p in data["pods"]) == [0, 1, 2, 3]
    assert all(p["node"].startswith("cpu-") and p["phase"] == "Succeeded" for p in data["pods"])
    assert "SuccessfulCreate" in [e["reason"] for e in data["events"]]


def test_wait_exits_1_with_the_failure_reason(process_cluster: Served, client: Client) -> None:
    client.train("fails", image="py", command=[PYTHON, "-c", "raise SystemExit(1)"])
    result = mlkube_cli(process_cluster, "wait", "fails", "--timeout", "60s")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(
        "error: workload fails failed: BackoffLimitExceeded: "
    )


def test_wait_exits_2_on_timeout(process_cluster: Served, client: Client) -> None:
    client.train("sleeps", image="py", command=[PYTHON, "-c", "import time; time.sleep(60)"])
    result = mlkube_cli(process_cluster, "wait", "sleeps", "--timeout", "0s")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(
        "error: timed out after 0s waiting for workload sleeps to be complete"
    )
    client.workload("sleeps").cancel()


def test_cancel_says_what_it_deleted(process_cluster: Served, client: Client) -> None:
    client.sweep("doomed", image="py", command=trial_command([1.0]), params={"lr": [1]})
    result = mlkube_cli(process_cluster, "cancel", "doomed")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("workload doomed cancelled: deleted job/doomed, ")
    assert "configmap/doomed-params" in result.stdout
    again = mlkube_cli(process_cluster, "status", "doomed")
    assert (again.exit_code, again.stderr.splitlines()[-1]) == (
        1,
        "error: no workload doomed in team vision (mlkube jobs lists the workloads)",
    )


def test_logs_follow_prints_until_the_pods_finish(process_cluster: Served, client: Client) -> None:
    client.train(
        "talks",
        image="py",
        command=[
            PYTHON,
            "-c",
            "import time\nfor i in range(3):\n print(i, flush=True)\n time.sleep(0.2)",
        ],
    )
    result = mlkube_cli(process_cluster, "logs", "talks", "-f")
    assert (result.exit_code, result.stdout) == (0, "0\n1\n2\n")


def test_logs_tail_keeps_the_last_lines_of_each_pod(
    process_cluster: Served, client: Client
) -> None:
    client.train("lines", image="py", command=[PYTHON, "-c", "print('a'); print('b'); print('c')"])
    client.workload("lines").wait(timeout=60)
    result = mlkube_cli(process_cluster, "logs", "lines", "--tail", "2")
    assert (result.exit_code, result.stdout) == (0, "b\nc\n")


def test_jobs_without_a_team_says_where_it_looked(process_cluster: Served) -> None:
    result = CliRunner().invoke(cli, ["jobs", *process_cluster.flags])
    assert result.stderr.splitlines()[-1] == (
        "no workloads in namespace default (-n TEAM, or -A for every team)"
    )


def test_wait_o_json_prints_the_final_status(process_cluster: Served, client: Client) -> None:
    client.train("quick", image="py", command=[PYTHON, "-c", "print('done')"])
    result = mlkube_cli(process_cluster, "wait", "quick", "--timeout", "60s", "-o", "json")
    assert result.exit_code == 0, result.output
    final = json.loads(result.stdout)
    assert (final["name"], final["status"], final["progress"]) == ("quick", "Complete", "1/1")
    client.workload("quick").cancel()


def test_cancel_o_json_lists_what_it_deleted(process_cluster: Served, client: Client) -> None:
    client.sweep("doomed2", image="py", command=trial_command([1.0]), params={"lr": [1]})
    result = mlkube_cli(process_cluster, "cancel", "doomed2", "-o", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["workload"] == "doomed2"
    assert {"job/doomed2", "configmap/doomed2-params"} <= set(data["deleted"])
