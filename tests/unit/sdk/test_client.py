"""The SDK against a served embedded cluster: submit, wait, logs, results, cancel, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import mlkube
from mlkube.sdk import (
    Client,
    NotFound,
    QuotaRefused,
    TargetError,
    WaitFailed,
    WaitTimeout,
    WorkloadExists,
)
from tests.unit.sdk.served import CONTEXT, PYTHON, Served, trial_command


@pytest.fixture
def client(process_cluster: Served) -> Iterator[Client]:
    with mlkube.connect(process_cluster.kubeconfig, CONTEXT, team="vision") as c:
        yield c


@pytest.fixture
def gpu(gpu_cluster: Served) -> Iterator[Client]:
    with mlkube.connect(gpu_cluster.kubeconfig, CONTEXT, team="vision") as c:
        yield c


def _say(text: str) -> list[str]:
    return [PYTHON, "-c", f"print({text!r})"]


def test_a_training_job_runs_to_completion_and_its_log_is_read_back(client: Client) -> None:
    job = client.train("hello", image="python:3.11", command=_say("hello from training"))
    assert job.created == ["job/hello"]
    final = job.wait(timeout=60)
    assert (final.phase, final.progress, final.kind) == ("Complete", "1/1", "training")
    assert job.logs() == "hello from training\n"
    assert [s.name for s in client.jobs()].count("hello") == 1


def test_a_second_workload_of_the_same_name_is_refused_before_anything_is_created(
    client: Client,
) -> None:
    client.train("twice", image="python:3.11", command=_say("one"))
    with pytest.raises(WorkloadExists) as err:
        client.train("twice", image="python:3.11", command=_say("two"))
    assert str(err.value) == (
        "workload twice already exists in team vision; "
        "cancel it first (mlkube cancel twice) or pick another name"
    )


def test_a_failing_job_makes_wait_raise_with_the_job_controllers_reason(client: Client) -> None:
    job = client.train("boom", image="python:3.11", command=[PYTHON, "-c", "raise SystemExit(3)"])
    with pytest.raises(WaitFailed, match=r"^workload boom failed: BackoffLimitExceeded: "):
        job.wait(timeout=60)


def test_a_wait_that_runs_out_of_time_raises_wait_timeout_with_exit_code_2(
    client: Client,
) -> None:
    job = client.train(
        "slow", image="python:3.11", command=[PYTHON, "-c", "import time; time.sleep(30)"]
    )
    with pytest.raises(WaitTimeout, match=r"^timed out after 0s waiting for workload slow") as err:
        job.wait(timeout=0)
    assert err.value.exit_code == 2
    job.cancel()


def test_a_sweeps_results_rank_its_trials_by_the_metric_with_their_parameters(
    client: Client,
) -> None:
    sweep = client.sweep(
        "hpo",
        image="python:3.11",
        command=trial_command([0.5, 0.2, 0.9, 0.1]),
        params={"lr": [0.1, 0.01], "l2": [0, 1]},
        parallel=2,
        metric="loss",
    )
    assert sweep.wait(timeout=60).progress == "4/4"
    found = sweep.results()
    assert found.metric == "loss"
    assert found.goal == "minimize"
    assert [t.index for t in found.trials] == [3, 1, 0, 2]
    assert found.best is not None
    assert found.best.params == {"lr": 0.01, "l2": 1}, "grid order: the last axis varies fastest"
    assert found.best.metrics["loss"] == 0.1
    assert [t.index for t in sweep.results(maximize=True).trials] == [2, 0, 1, 3]
    assert sweep.logs(index=3) == 'mlkube-metric: {"loss": 0.1, "index": 3}\n'


def test_cancel_deletes_every_object_labelled_with_the_workload(client: Client) -> None:
    sweep = client.sweep(
        "gone",
        image="python:3.11",
        command=trial_command([1.0, 2.0]),
        params={"lr": [0.1, 0.01]},
    )
    created = set(sweep.created)
    assert "job/gone" in created
    assert set(sweep.cancel()) == created
    assert "gone" not in [s.name for s in client.jobs()]
    with pytest.raises(NotFound, match=r"^no workload gone in team vision"):
        sweep.cancel()


def test_a_workload_file_is_submitted_like_the_flags(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(
        "apiVersion: mlkube.io/v1alpha1\n"
        "kind: TrainingJob\n"
        "metadata: {name: from-file}\n"
        f"spec: {{image: python, command: [{PYTHON}, -c, 'print(42)']}}\n",
        encoding="utf-8",
    )
    (handle,) = client.submit(path)
    assert handle.team == "vision", "the client's team fills in a document without one"
    handle.wait(timeout=60)
    assert handle.logs() == "42\n"


def test_an_unknown_team_is_named_with_the_teams_there_are(client: Client) -> None:
    with pytest.raises(
        TargetError, match=r'^--team: unknown team "nope" of platform proc; teams: vision$'
    ):
        client.workload("x", team="nope")


def test_a_job_whose_pods_quota_would_refuse_is_refused_with_admissions_words(gpu: Client) -> None:
    with pytest.raises(QuotaRefused) as err:
        gpu.train("huge", image="pytorch", command=["torchrun"], gpus=8, nodes=3, run_for="1s")
    message = str(err.value)
    assert message.startswith("workload huge would be refused (nothing was created; --force")
    assert (
        "exceeded quota: vision, requested: requests.nvidia.com/gpu=8, "
        "used: requests.nvidia.com/gpu=16, limited: requests.nvidia.com/gpu=16"
    ) in message
    assert not err.value.report.admitted
    assert "huge" not in [s.name for s in gpu.jobs()]


def test_force_submits_what_the_check_would_refuse(gpu: Client) -> None:
    job = gpu.train(
        "forced", image="pytorch", command=["torchrun"], gpus=8, nodes=3, run_for="1h", force=True
    )
    assert job.object()["spec"]["completions"] == 3
    job.cancel()


def test_a_simulated_gpu_job_lands_on_the_gpu_pool_and_completes(gpu: Client) -> None:
    job = gpu.train("sim", image="pytorch", command=["torchrun"], gpus=8, run_for="1s")
    job.wait(timeout=60)
    (pod,) = job.describe()["pods"]
    assert pod["node"].startswith("gpu-a100-")
    assert pod["phase"] == "Succeeded"


def test_a_distributed_job_runs_one_pod_per_node_and_completes(gpu: Client) -> None:
    job = gpu.train(
        "ddp", image="pytorch", command=["torchrun", "train.py"], gpus=8, nodes=2, run_for="1s"
    )
    assert set(job.created) >= {"job/ddp", "service/ddp"}, "a headless service for rendezvous"
    assert job.wait(timeout=60).progress == "2/2"
    pods = job.describe()["pods"]
    assert sorted(p["index"] for p in pods) == [0, 1]
    assert len({p["node"] for p in pods}) == 2
    job.cancel()


def test_a_trial_reads_its_parameters_from_the_params_file(client: Client) -> None:
    code = (
        "import json, os; p = json.load(open(os.environ['MLKUBE_PARAMS_FILE'])); "
        "print('mlkube-metric: ' + json.dumps({'loss': abs(p['lr'] - 0.03) + p['l2']}))"
    )
    sweep = client.sweep(
        "params-file",
        image="python:3.11",
        command=[PYTHON, "-c", code],
        params={"lr": [0.1, 0.01], "l2": [0, 1]},
        parallel=2,
        metric="loss",
    )
    sweep.wait(timeout=60)
    best = sweep.results().best
    assert best is not None
    assert best.params == {"lr": 0.01, "l2": 0}
    assert best.metrics == {"loss": pytest.approx(0.02)}


def test_several_workloads_are_checked_together_and_none_is_created_if_they_do_not_fit(
    gpu: Client,
) -> None:
    a = gpu.build("TrainingJob", "pair-a", image="p", command=["torchrun"],
                  resources={"gpu": 8}, nodes=2, run_for="1s")  # fmt: skip
    b = gpu.build("TrainingJob", "pair-b", image="p", command=["torchrun"],
                  resources={"gpu": 8}, nodes=2, run_for="1s")  # fmt: skip
    assert [gpu.check(a).admitted, gpu.check(b).admitted] == [True, True], "each fits alone"
    assert not gpu.check([a, b]).admitted
    with pytest.raises(QuotaRefused) as err:
        gpu.submit([a, b])
    assert str(err.value).startswith("workloads pair-a, pair-b together would be refused")
    assert {"pair-a", "pair-b"}.isdisjoint(s.name for s in gpu.jobs())


def test_a_workload_given_twice_in_one_submission_is_refused_before_anything_is_created(
    client: Client,
) -> None:
    w = client.build("TrainingJob", "dup", image="py", command=_say("x"))
    with pytest.raises(WorkloadExists, match=r"^workload dup is given twice; rename one of them$"):
        client.submit([w, w])
    assert "dup" not in [s.name for s in client.jobs()]
