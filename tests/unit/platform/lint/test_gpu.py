"""ML001 (GPU toleration), ML004 (GPU requests equal limits), ML014 (CPU pods on GPU nodes)."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.platform.lint import Cluster

from .builders import cronjob, deployment, gpu_node, job, node, pod, replicaset, statefulset
from .helpers import hits

# --- ML001 ---------------------------------------------------------------------------------
# Toleration cases follow pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go
# (TestTaintTolerationFilter): Exists tolerates any value, Equal needs the value, an empty
# effect tolerates every effect.


@pytest.mark.parametrize(
    ("obj", "flagged"),
    [
        pytest.param(pod().gpus(1).build(), True, id="a GPU Pod without tolerations is flagged"),
        pytest.param(job().gpus(1).build(), True, id="a GPU Job's template is checked"),
        pytest.param(cronjob().gpus(1).build(), True, id="a GPU CronJob's job template is checked"),
        pytest.param(deployment().gpus(1).build(), True, id="a GPU Deployment is checked"),
        pytest.param(statefulset().gpus(1).build(), True, id="a GPU StatefulSet is checked"),
        pytest.param(replicaset().gpus(1).build(), True, id="a GPU ReplicaSet is checked"),
        pytest.param(
            job().gpus(1).toleration("nvidia.com/gpu", "Exists").build(),
            False,
            id="an Exists toleration for nvidia.com/gpu is enough",
        ),
        pytest.param(
            job().gpus(1).toleration("nvidia.com/gpu", "Exists", effect=None).build(),
            False,
            id="a toleration with no effect tolerates NoSchedule",
        ),
        pytest.param(
            job().gpus(1).toleration("", "Exists", effect=None).build(),
            False,
            id="an empty-key Exists toleration tolerates every taint",
        ),
        pytest.param(
            job().gpus(1).toleration("nvidia.com/gpu", "Exists", effect="NoExecute").build(),
            True,
            id="a NoExecute toleration does not tolerate the NoSchedule taint",
        ),
        pytest.param(
            job().gpus(1, resource="amd.com/gpu").toleration("nvidia.com/gpu").build(),
            True,
            id="an AMD GPU pod needs the amd.com/gpu toleration, not nvidia's",
        ),
        pytest.param(job().build(), False, id="a CPU-only Job needs no toleration"),
    ],
)
def test_gpu_toleration_without_nodes(obj: dict[str, Any], flagged: bool) -> None:
    found = hits("ML001", [obj])
    assert bool(found) is flagged
    assert all(f.severity == "warning" for f in found)


@pytest.mark.parametrize(
    ("obj", "flagged"),
    [
        pytest.param(
            job().gpus(1).build(), True, id="no toleration for the live taint is an error"
        ),
        pytest.param(
            job().gpus(1).toleration("nvidia.com/gpu", "Equal", value="present").build(),
            False,
            id="an Equal toleration with the taint's value is tolerated",
        ),
        pytest.param(
            job().gpus(1).toleration("nvidia.com/gpu", "Equal", value="absent").build(),
            True,
            id="an Equal toleration with another value is not",
        ),
    ],
)
def test_gpu_toleration_against_live_taints(obj: dict[str, Any], flagged: bool) -> None:
    cluster = Cluster(nodes=[gpu_node("a100-0").build(), node("cpu-0").build()])
    found = hits("ML001", [obj], cluster)
    assert bool(found) is flagged
    assert all(f.severity == "error" for f in found)


def test_gpu_toleration_message_names_the_live_taint_and_the_schedulers_reason() -> None:
    cluster = Cluster(nodes=[gpu_node("a100-0").build(), gpu_node("a100-1").build()])
    (finding,) = hits("ML001", [job().gpus(1).build()], cluster)
    assert finding.path == "spec.template.spec.tolerations"
    assert "(nvidia.com/gpu=present:NoSchedule)" in finding.message
    assert "2 node(s) had untolerated taint(s)" in finding.message


def test_untainted_live_gpu_nodes_need_no_toleration() -> None:
    cluster = Cluster(nodes=[node("a100-0").gpus(8).build()])
    assert hits("ML001", [job().gpus(1).build()], cluster) == []


def test_a_site_specific_gpu_taint_is_read_from_the_nodes() -> None:
    """A taint the common keys would not guess (AKS-style ``sku=gpu``) is the one required."""
    cluster = Cluster(nodes=[node("gpu-0").gpus(4).taint("sku", "gpu").build()])
    nvidia_only = job().gpus(1).toleration("nvidia.com/gpu").build()
    assert len(hits("ML001", [nvidia_only], cluster)) == 1
    assert hits("ML001", [job().gpus(1).toleration("sku").build()], cluster) == []


# --- ML004 ---------------------------------------------------------------------------------
# Messages of ValidateResourceRequirements (pkg/apis/core/validation/validation.go); cases after
# TestValidateResourceRequirements in validation_test.go ("limits and requests of hugepage
# resource are equal", "container resource hugepage limit without request"), applied to GPUs
# too; test_agreement.py submits them to the embedded API server.


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        pytest.param(
            pod().gpus(1, limit=2).build(),
            'spec.containers[0].resources.requests: Invalid value: "1": '
            "must be equal to nvidia.com/gpu limit of 2",
            id="a GPU request lower than its limit is refused with must be equal to",
        ),
        pytest.param(
            job().gpus(2, limit=None).build(),
            "spec.template.spec.containers[0].resources.limits: Required value: "
            "Limit must be set for non overcommitable resources",
            id="a GPU request without a limit is refused with Limit must be set",
        ),
        pytest.param(
            cronjob().gpus(4, limit=1).build(),
            "spec.jobTemplate.spec.template.spec.containers[0].resources.requests: "
            'Invalid value: "4": must be equal to nvidia.com/gpu limit of 1',
            id="a CronJob's path is under jobTemplate",
        ),
        pytest.param(
            pod().gpus("2Mi", limit="4Mi", resource="hugepages-2Mi").build(),
            'spec.containers[0].resources.requests: Invalid value: "2Mi": '
            "must be equal to hugepages-2Mi limit of 4Mi",
            id="hugepages cannot be overcommitted either",
        ),
    ],
)
def test_gpu_request_limit_quotes_kube_apiserver(obj: dict[str, Any], message: str) -> None:
    (finding,) = hits("ML004", [obj])
    assert finding.severity == "error"
    assert f'Kubernetes rejects the {obj["kind"]}: "{message}"' in finding.message


@pytest.mark.parametrize(
    "obj",
    [
        pytest.param(pod().gpus(1).build(), id="equal GPU request and limit are accepted"),
        pytest.param(pod().gpus(None, limit=2).build(), id="a GPU limit alone is accepted"),
        pytest.param(
            pod().resources({"cpu": "1", "memory": "1Gi"}, {"cpu": "2", "memory": "2Gi"}).build(),
            id="cpu and memory may be overcommitted",
        ),
        pytest.param(pod().gpus("1000m", limit="1").build(), id="quantities compare by value"),
        pytest.param(
            pod().gpus("2Mi", resource="hugepages-2Mi").build(),
            id="limits and requests of hugepage resource are equal",
        ),
        pytest.param(
            pod().gpus(None, limit="2Mi", resource="hugepages-2Mi").build(),
            id="container resource hugepage limit without request",
        ),
    ],
)
def test_gpu_request_limit_accepts(obj: dict[str, Any]) -> None:
    assert hits("ML004", [obj]) == []


# --- ML014 ---------------------------------------------------------------------------------
# Where a pod that asks for no GPU can land: required node affinity and NoSchedule taints,
# as the scheduler's NodeAffinity and TaintToleration filters decide.

POOLS = [
    gpu_node("a100-0").build(),
    gpu_node("a100-1").build(),
    node("cpu-0").label("mlkube.io/pool", "general").build(),
]


@pytest.mark.parametrize(
    ("obj", "flagged"),
    [
        pytest.param(
            job().node_selector(**{"mlkube.io/pool": "a100"}).toleration().build(),
            True,
            id="a CPU Job pinned to the GPU pool and tolerating its taint is flagged",
        ),
        pytest.param(
            job().required_affinity("mlkube.io/pool", "In", "a100").toleration().build(),
            True,
            id="required node affinity to the GPU pool is flagged the same",
        ),
        pytest.param(
            job().toleration().build(),
            False,
            id="a CPU Job that tolerates the GPU taint but may still use the CPU pool is not",
        ),
        pytest.param(
            job().node_selector(**{"mlkube.io/pool": "general"}).build(),
            False,
            id="a CPU Job on the CPU pool is not",
        ),
        pytest.param(
            job().gpus(1).node_selector(**{"mlkube.io/pool": "a100"}).toleration().build(),
            False,
            id="a GPU Job on the GPU pool is not",
        ),
        pytest.param(
            job().node_selector(**{"mlkube.io/pool": "a100"}).build(),
            False,
            id="a CPU Job pinned to the GPU pool without the toleration lands nowhere (ML007's)",
        ),
    ],
)
def test_cpu_pod_on_gpu_nodes(obj: dict[str, Any], flagged: bool) -> None:
    found = hits("ML014", [obj], Cluster(nodes=POOLS))
    assert bool(found) is flagged
    assert all(f.severity == "warning" for f in found)


def test_cpu_pod_on_gpu_nodes_names_the_pool_and_the_fix() -> None:
    obj = job().node_selector(**{"mlkube.io/pool": "a100"}).toleration().build()
    (finding,) = hits("ML014", [obj], Cluster(nodes=POOLS))
    assert finding.path == "spec.template.spec.nodeSelector"
    assert finding.message.startswith(
        "asks for no GPU but can only land on the 2 node(s) with GPUs (pool a100): "
    )
    assert "spec.profile" in finding.message


def test_a_cluster_of_only_gpu_nodes_has_nowhere_else_to_send_a_cpu_pod() -> None:
    cluster = Cluster(nodes=POOLS[:2])
    obj = job().node_selector(**{"mlkube.io/pool": "a100"}).toleration().build()
    assert hits("ML014", [obj], cluster) == []
