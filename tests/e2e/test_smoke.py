"""The real control plane works end to end: scheduling, KWOK's simulated kubelet with
mlkube's annotations, the Job controller, and the real scheduler's FailedScheduling text.

Talks to the cluster only through the official ``kubernetes`` client, as any user would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes import client, config

from mlkube.testing.controlplane import KWOK_NODE_TAINT, RealCluster, fake_node, pinned_versions
from tests.e2e.targets import eventually

NAMESPACE = "default"
GPU = "nvidia.com/gpu"
GPU_TAINT = {"key": GPU, "value": "present", "effect": "NoSchedule"}
TOLERATIONS = [
    {"key": KWOK_NODE_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"},
    {"key": GPU, "operator": "Exists", "effect": "NoSchedule"},
]
TIMEOUT = 60.0


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def pod_manifest(
    name: str,
    *,
    annotations: dict[str, str] | None = None,
    tolerate: bool = True,
    restart_policy: str = "Never",
    gpus: int = 1,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "restartPolicy": restart_policy,
        "containers": [
            {
                "name": "main",
                "image": "registry.k8s.io/pause:3.10",
                "resources": {"limits": {GPU: str(gpus)}} if gpus else {},
            }
        ],
    }
    if tolerate:
        spec["tolerations"] = TOLERATIONS
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "annotations": annotations or {}},
        "spec": spec,
    }


@pytest.fixture(scope="module")
def api(real_cluster: RealCluster) -> Iterator[client.ApiClient]:
    api_client = config.new_client_from_config(config_file=str(real_cluster.kubeconfig))
    try:
        yield api_client
    finally:
        api_client.close()


@pytest.fixture(scope="module")
def core(api: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api)


@pytest.fixture(scope="module")
def gpu_node(core: client.CoreV1Api) -> str:
    """One KWOK node with 8 GPUs, tainted both as a kwok node and as a GPU node; Ready."""
    name = unique("kwok-gpu")
    core.create_node(
        fake_node(name, capacity={GPU: "8"}, taints=[KWOK_NODE_TAINT, GPU_TAINT]),
    )

    def ready() -> str | None:
        node = core.read_node(name)
        conditions = {c.type: c.status for c in node.status.conditions or []}
        return name if conditions.get("Ready") == "True" else None

    return eventually(ready, f"node {name} Ready (kwok node-initialize)")


def pod_phase(core: client.CoreV1Api, name: str, phases: set[str]) -> Callable[[], Any]:
    def probe() -> Any:
        pod = core.read_namespaced_pod(name, NAMESPACE)
        return pod if pod.status.phase in phases else None

    return probe


def test_the_apiserver_reports_the_pinned_version(api: client.ApiClient) -> None:
    info = client.VersionApi(api).get_code()
    assert info.git_version == pinned_versions()["KUBERNETES_VERSION"]


def test_kwok_makes_the_fake_node_ready_with_its_gpu_capacity(
    core: client.CoreV1Api, gpu_node: str
) -> None:
    node = core.read_node(gpu_node)
    assert node.status.capacity[GPU] == "8"
    assert node.status.allocatable[GPU] == "8"
    assert node.metadata.annotations["kwok.x-k8s.io/node"] == "fake"


def test_a_tolerating_pod_is_scheduled_to_the_gpu_node_and_runs(
    core: client.CoreV1Api, gpu_node: str
) -> None:
    name = unique("runs")
    core.create_namespaced_pod(NAMESPACE, pod_manifest(name, restart_policy="Always"))
    pod = eventually(pod_phase(core, name, {"Running"}), f"pod {name} Running")
    assert pod.spec.node_name == gpu_node
    conditions = {c.type: c.status for c in pod.status.conditions}
    assert conditions["PodScheduled"] == "True"
    assert conditions["Ready"] == "True"
    assert pod.status.container_statuses[0].state.running is not None
    assert pod.status.pod_ip


def test_start_after_delays_running_from_binding(core: client.CoreV1Api, gpu_node: str) -> None:
    name = unique("late")
    core.create_namespaced_pod(
        NAMESPACE,
        pod_manifest(
            name, restart_policy="Always", annotations={"sim.mlkube.io/start-after": "2s"}
        ),
    )
    pod = eventually(pod_phase(core, name, {"Running"}), f"pod {name} Running")
    scheduled = next(c for c in pod.status.conditions if c.type == "PodScheduled")
    started = pod.status.container_statuses[0].state.running.started_at
    assert (started - scheduled.last_transition_time).total_seconds() >= 2


def test_a_job_whose_pod_runs_for_2s_completes(api: client.ApiClient, gpu_node: str) -> None:
    batch = client.BatchV1Api(api)
    name = unique("job")
    template = pod_manifest(name, annotations={"sim.mlkube.io/run-for": "2s"})
    del template["apiVersion"], template["kind"]
    template["metadata"] = {"annotations": template["metadata"]["annotations"]}
    batch.create_namespaced_job(
        NAMESPACE,
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name},
            "spec": {"backoffLimit": 0, "template": template},
        },
    )

    def complete() -> Any:
        job = batch.read_namespaced_job(name, NAMESPACE)
        done = {c.type: c.status for c in job.status.conditions or []}
        return job if done.get("Complete") == "True" else None

    job = eventually(complete, f"job {name} Complete")
    assert job.status.succeeded == 1
    pods = client.CoreV1Api(api).list_namespaced_pod(NAMESPACE, label_selector=f"job-name={name}")
    (pod,) = pods.items
    assert pod.status.phase == "Succeeded"
    terminated = pod.status.container_statuses[0].state.terminated
    assert terminated.exit_code == 0
    assert terminated.reason == "Completed"
    assert (terminated.finished_at - terminated.started_at).total_seconds() >= 2


def test_a_pod_with_exit_code_3_fails_with_that_exit_code(
    core: client.CoreV1Api, gpu_node: str
) -> None:
    name = unique("fails")
    core.create_namespaced_pod(
        NAMESPACE, pod_manifest(name, annotations={"sim.mlkube.io/exit-code": "3"})
    )
    pod = eventually(pod_phase(core, name, {"Failed", "Succeeded"}), f"pod {name} finished")
    assert pod.status.phase == "Failed"
    terminated = pod.status.container_statuses[0].state.terminated
    assert terminated.exit_code == 3
    assert terminated.reason == "Error"


def test_a_pod_without_toleration_gets_the_real_scheduler_message(
    core: client.CoreV1Api, gpu_node: str
) -> None:
    name = unique("untolerated")
    core.create_namespaced_pod(NAMESPACE, pod_manifest(name, tolerate=False))

    def unschedulable() -> Any:
        pod = core.read_namespaced_pod(name, NAMESPACE)
        for c in pod.status.conditions or []:
            if c.type == "PodScheduled" and c.status == "False" and c.reason == "Unschedulable":
                return c
        return None

    condition = eventually(unschedulable, f"pod {name} Unschedulable")
    nodes = len(core.list_node().items)
    assert condition.message.startswith(f"0/{nodes} nodes are available:")
    assert "node(s) had untolerated taint" in condition.message

    def failed_scheduling() -> Any:
        events = core.list_namespaced_event(
            NAMESPACE, field_selector=f"involvedObject.name={name},reason=FailedScheduling"
        )
        return events.items[0] if events.items else None

    event = eventually(failed_scheduling, f"FailedScheduling event for {name}")
    assert event.type == "Warning"
    assert event.message.startswith(f"0/{nodes} nodes are available:")


def test_a_deleted_pod_is_removed_by_kwok(core: client.CoreV1Api, gpu_node: str) -> None:
    name = unique("deleted")
    core.create_namespaced_pod(NAMESPACE, pod_manifest(name, restart_policy="Always"))
    eventually(pod_phase(core, name, {"Running"}), f"pod {name} Running")
    core.delete_namespaced_pod(name, NAMESPACE)

    def gone() -> bool | None:
        names = {p.metadata.name for p in core.list_namespaced_pod(NAMESPACE).items}
        return True if name not in names else None

    eventually(gone, f"pod {name} removed (kwok pod-delete)")
