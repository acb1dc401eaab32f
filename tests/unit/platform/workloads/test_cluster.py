"""Rendered workloads on the embedded cluster: accepted by its validation and admission, and
run where their profile says (pods on simulated nodes, ``sim.mlkube.io/run-for``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.platform import Platform
from mlkube.platform.apply import apply
from mlkube.platform.names import POOL
from mlkube.platform.render import render as render_platform
from mlkube.platform.target import EmbeddedTarget
from mlkube.platform.workloads import Workload, read_platform, render
from tests.unit.platform.workloads.builders import inference, preprocessing, sweep, training
from tests.unit.platform.workloads.test_render import CASES


@pytest.fixture
def cluster(platform: Platform) -> Iterator[Cluster]:
    """The example platform applied to an embedded cluster, its nodes Ready."""
    cluster = Cluster(clock=FakeClock(), seed=7)
    apply(platform, EmbeddedTarget(cluster), embedded=True)
    cluster.advance(15)
    yield cluster
    cluster.close()


def _submit(cluster: Cluster, w: Workload, platform: Platform) -> None:
    for obj in render(w, platform):
        cluster.create(obj)


def _condition(cluster: Cluster, kind: str, name: str) -> str | None:
    obj = cluster.get(kind, name, "vision")
    done = [
        c["type"]
        for c in (obj.get("status") or {}).get("conditions") or []
        if c["status"] == "True"
    ]
    return done[-1] if done else None


def _pools(cluster: Cluster, workload: str) -> set[str]:
    pods = cluster.list("pods", "vision", label_selector=f"mlkube.io/workload={workload}")
    return {
        cluster.get("nodes", p["spec"]["nodeName"])["metadata"]["labels"][POOL]
        for p in pods
        if p["spec"].get("nodeName")
    }


@pytest.mark.parametrize(("name", "make"), CASES)
def test_every_rendered_object_is_accepted_by_the_embedded_cluster(
    name: str, make: Callable[[], Workload], platform: Platform, cluster: Cluster
) -> None:
    for obj in render(make(), platform):
        created = cluster.create(obj)
        assert created["metadata"]["uid"]


def test_a_training_job_runs_on_the_gpu_pool_for_its_run_time_then_completes(
    platform: Platform, cluster: Cluster
) -> None:
    _submit(cluster, training(gpu=8, gpu_type="a100", run_for="20m"), platform)
    cluster.advance(5)
    assert (_pools(cluster, "resnet"), _condition(cluster, "jobs", "resnet")) == (
        {"gpu-a100"},
        None,
    )
    cluster.advance(20 * 60)
    assert _condition(cluster, "jobs", "resnet") == "Complete"


def test_distributed_training_runs_every_rank_at_once_on_gpu_nodes_then_completes(
    platform: Platform, cluster: Cluster
) -> None:
    _submit(cluster, training("ddp", nodes=2, gpu=8, run_for="30m"), platform)
    cluster.advance(5)
    pods = cluster.list("pods", "vision", label_selector="mlkube.io/workload=ddp")
    assert sorted(p["spec"]["hostname"] for p in pods) == ["ddp-0", "ddp-1"]
    assert {p["status"]["phase"] for p in pods} == {"Running"}
    assert len({p["spec"]["nodeName"] for p in pods}) == 2
    assert _pools(cluster, "ddp") == {"gpu-a100"}
    cluster.advance(30 * 60)
    assert _condition(cluster, "jobs", "ddp") == "Complete"


def test_a_distributed_job_fails_at_once_on_a_non_retryable_exit_code(
    platform: Platform, cluster: Cluster
) -> None:
    _submit(cluster, training("ddp", nodes=2, gpu=8, run_for="1m", exit_code=127), platform)
    cluster.advance(2 * 60)
    job = cluster.get("jobs", "ddp", "vision")
    assert _condition(cluster, "jobs", "ddp") == "Failed"
    assert [c["reason"] for c in job["status"]["conditions"] if c["type"] == "Failed"] == [
        "PodFailurePolicy"
    ]


def test_a_training_job_past_its_deadline_is_stopped(platform: Platform, cluster: Cluster) -> None:
    _submit(cluster, training(gpu=1, run_for="2h", deadline="1h"), platform)
    cluster.advance(61 * 60)
    job = cluster.get("jobs", "resnet", "vision")
    assert [c["reason"] for c in job["status"]["conditions"] if c["type"] == "Failed"] == [
        "DeadlineExceeded"
    ]


def test_a_sweep_runs_every_trial_and_completes(platform: Platform, cluster: Cluster) -> None:
    _submit(cluster, sweep(parallel=2, gpu=1, run_for="10m"), platform)
    cluster.advance(5)
    running = cluster.list("pods", "vision", label_selector="mlkube.io/workload=lr-sweep")
    assert len([p for p in running if p["status"].get("phase") == "Running"]) == 2
    cluster.advance(30 * 60)
    job = cluster.get("jobs", "lr-sweep", "vision")
    assert (_condition(cluster, "jobs", "lr-sweep"), job["status"]["succeeded"]) == ("Complete", 4)
    claim = cluster.get("persistentvolumeclaims", "lr-sweep-results", "vision")
    assert claim["status"]["phase"] == "Bound"


def test_preprocessing_runs_on_the_cpu_pool_and_completes(
    platform: Platform, cluster: Cluster
) -> None:
    _submit(cluster, preprocessing(completions=2, run_for="5m"), platform)
    cluster.advance(5)
    assert _pools(cluster, "featurize") == {"general"}
    cluster.advance(10 * 60)
    assert _condition(cluster, "jobs", "featurize") == "Complete"


def test_an_inference_service_becomes_available(platform: Platform, cluster: Cluster) -> None:
    _submit(cluster, inference(replicas=2), platform)
    cluster.advance(30)
    deployment = cluster.get("deployments", "resnet-api", "vision")
    assert (deployment["status"].get("availableReplicas"), _pools(cluster, "resnet-api")) == (
        2,
        {"general"},
    )


def test_the_applied_platform_is_stored_on_the_cluster_and_read_back(
    platform: Platform, cluster: Cluster
) -> None:
    stored = read_platform(EmbeddedTarget(cluster))
    assert stored is not None
    assert render_platform(stored) == render_platform(platform)


def test_a_cluster_without_a_platform_has_none_stored() -> None:
    assert read_platform(EmbeddedTarget(Cluster(clock=FakeClock()))) is None
