"""ML007 (affinity that matches no node) and ML012 (requests larger than any node)."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.platform.lint import Cluster

from .builders import gpu_node, job, node
from .helpers import hits

NODES = [
    gpu_node("a100-0").build(),
    gpu_node("a100-1").build(),
    node("cpu-0").label("mlkube.io/pool", "cpu").build(),
]


# Matching cases follow pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go
# (TestNodeAffinity): nodeSelector and required terms are ANDed; In, NotIn, Exists.
@pytest.mark.parametrize(
    ("obj", "flagged"),
    [
        pytest.param(
            job().node_selector(**{"mlkube.io/pool": "h100"}).build(),
            True,
            id="a nodeSelector for a pool no node has is flagged",
        ),
        pytest.param(
            job().required_affinity("mlkube.io/pool", "In", "h100", "v100").build(),
            True,
            id="a required In term matching no node is flagged",
        ),
        pytest.param(
            job().node_selector(**{"mlkube.io/pool": "a100"}).build(),
            False,
            id="a nodeSelector a node carries is fine",
        ),
        pytest.param(
            job().required_affinity("mlkube.io/pool", "NotIn", "a100").build(),
            False,
            id="a NotIn term that leaves the cpu pool is fine",
        ),
        pytest.param(
            job()
            .node_selector(**{"mlkube.io/pool": "cpu"})
            .required_affinity("mlkube.io/pool", "In", "a100")
            .build(),
            True,
            id="nodeSelector and affinity are ANDed: cpu and a100 match no node together",
        ),
        pytest.param(job().build(), False, id="no constraint matches every node"),
    ],
)
def test_affinity_no_node(obj: dict[str, Any], flagged: bool) -> None:
    found = hits("ML007", [obj], Cluster(nodes=NODES))
    assert bool(found) is flagged
    assert all(f.severity == "error" for f in found)


def test_affinity_message_lists_the_pools_seen() -> None:
    (finding,) = hits(
        "ML007", [job().node_selector(**{"mlkube.io/pool": "h100"}).build()], Cluster(nodes=NODES)
    )
    assert finding.path == "spec.template.spec.nodeSelector"
    assert "\"3 node(s) didn't match Pod's node affinity/selector\"" in finding.message
    assert "mlkube.io/pool in {a100, cpu}" in finding.message


def test_affinity_against_node_manifests_is_a_warning() -> None:
    objects = [job().node_selector(**{"mlkube.io/pool": "h100"}).build(), *NODES]
    (finding,) = hits("ML007", objects)
    assert finding.severity == "warning"


def test_affinity_without_known_nodes_is_not_checked() -> None:
    assert hits("ML007", [job().node_selector(**{"mlkube.io/pool": "h100"}).build()]) == []


@pytest.mark.parametrize(
    ("obj", "fit_error"),
    [
        pytest.param(
            job().gpus(16).toleration().build(),
            "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
            id="16 GPUs on 8-GPU nodes",
        ),
        pytest.param(
            job().gpus(16).build(),
            "0/3 nodes are available: 1 Insufficient nvidia.com/gpu, "
            "2 node(s) had untolerated taint(s).",
            id="the quoted FitError has the taint reasons of the GPU nodes too",
        ),
        pytest.param(
            job()
            .resources({"cpu": "64", "memory": "1Gi"}, {"cpu": "64", "memory": "1Gi"})
            .toleration()
            .build(),
            "0/3 nodes are available: 3 Insufficient cpu.",
            id="64 cpus on 32-cpu nodes",
        ),
    ],
)
def test_exceeds_largest_node_quotes_the_fit_error(obj: dict[str, Any], fit_error: str) -> None:
    (finding,) = hits("ML012", [obj], Cluster(nodes=NODES))
    assert finding.severity == "error"
    assert f'"{fit_error}"' in finding.message


def test_exceeds_names_the_largest_node() -> None:
    (finding,) = hits("ML012", [job().gpus(16).toleration().build()], Cluster(nodes=NODES))
    assert finding.message.startswith("requests nvidia.com/gpu 16 (largest node: 8)")


@pytest.mark.parametrize(
    "obj",
    [
        pytest.param(job().gpus(8).toleration().build(), id="8 GPUs fit an 8-GPU node"),
        pytest.param(
            job().gpus(8).build(),
            id="a pod that fits in size is not this rule's even if a taint keeps it off",
        ),
    ],
)
def test_exceeds_not_flagged(obj: dict[str, Any]) -> None:
    assert hits("ML012", [obj], Cluster(nodes=NODES)) == []
