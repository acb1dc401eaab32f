"""``make demo`` shows what the README promises: a real pipeline on process nodes
(preprocess, an 8-trial sweep, the best trial, a final training, a prediction over HTTP)
and, on the simulated GPU pool, placement, a quota refusal in Kubernetes' words, a
deadline kill and TTL cleanup; it runs in a home of its own and starts fresh each time."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkube.cli.demo import main
from mlkube.cli.demo.home import fresh_cluster
from mlkube.sdk import local

needs_openssl = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="the served cluster's certificates need openssl"
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A demo home; the cluster the demo leaves running is stopped afterwards."""
    monkeypatch.setenv("MLKUBE_HOME", str(tmp_path))  # restored after the test
    monkeypatch.setenv("COLUMNS", "200")  # rich: tables on one line each
    yield tmp_path
    local.stop(local.ClusterDir.of(local.DEFAULT_NAME))


@pytest.mark.slow
@needs_openssl
def test_the_demo_runs_the_pipeline_and_the_gpu_side_show(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import mlkube

    assert main(["--home", str(home)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"MLKUBE_HOME={home}" in out
    # The pipeline ran for real on the process pool.
    assert "prepare: Complete" in out
    assert "sweep: Complete" in out
    assert "(pool cpu-local: real local processes)" in out
    with mlkube.connect(team="vision") as client:
        trials = client.workload("sweep").results(metric="loss").trials
        assert len(trials) == 8
        lowest = min(trials, key=lambda t: t.metrics["loss"])
        assert f"best: trial {lowest.index} with" in out
        train_log = client.workload("train").logs()
        assert all(f"--{k}={v}" in out for k, v in lowest.params.items())
        assert "saved the model to" in train_log
        jobs = {j["metadata"]["name"] for j in client.kube.list("jobs", all_namespaces=True)}
    assert "-> class " in out
    assert "with probability" in out
    # The GPU side show.
    assert "gpu-a100-" in out
    assert ('FailedCreate: Error creating: pods "bert-') in out
    assert (
        "is forbidden: exceeded quota: vision, requested: requests.nvidia.com/gpu=8, "
        "used: requests.nvidia.com/gpu=16, limited: requests.nvidia.com/gpu=16"
    ) in out
    assert "runaway (deadline 15s, would run 1h): Failed (DeadlineExceeded): " in out
    assert "Job was active longer than specified deadline" in out
    assert out.count("then deleted by ttlSecondsAfterFinished") == 2
    assert "resnet: Completed (" in out
    assert {"resnet", "vit"}.isdisjoint(jobs)
    assert {"prepare", "sweep", "train", "runaway"} <= jobs
    assert f"export KUBECONFIG={home / 'kubeconfig'}" in out
    assert "kubectl get jobs -A" in out
    assert "mlkube cluster down" in out


@pytest.mark.slow
@needs_openssl
def test_a_second_run_starts_from_an_empty_cluster(home: Path) -> None:
    from mlkube.client import KubeClient

    started, reset = fresh_cluster(home)
    assert reset is False
    with KubeClient.from_kubeconfig(home / "kubeconfig") as kube:
        kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "leftover"}})
    first = started.info["pid"]
    started, reset = fresh_cluster(home)
    assert reset is True
    assert started.info["pid"] != first
    with KubeClient.from_kubeconfig(home / "kubeconfig") as kube:
        names = {n["metadata"]["name"] for n in kube.list("namespaces")}
    assert "leftover" not in names
