"""``--live``: what is read from the cluster, and how its objects become manifests."""

from __future__ import annotations

from mlkube.platform.lint import lint, read_cluster

from .builders import gpu_node, job, pod, priority_class, quota
from .fakes import FakeLister


def _owned(obj: dict, owner: str) -> dict:
    obj["metadata"]["ownerReferences"] = [
        {"apiVersion": "batch/v1", "kind": "Job", "name": owner, "uid": "u1", "controller": True}
    ]
    return obj


def test_workloads_are_read_from_the_namespace_with_their_kind_restored() -> None:
    client = FakeLister(
        [job("b").build(), job("a").build(), job("elsewhere", namespace="x").build()]
    )
    state = read_cluster(client, "ml")
    assert [(m.kind, m.name) for m in state.manifests] == [("Job", "a"), ("Job", "b")]
    assert all(m.obj["apiVersion"] == "batch/v1" for m in state.manifests)
    assert all(m.file is None for m in state.manifests)


def test_objects_a_controller_owns_are_linted_through_their_owner() -> None:
    client = FakeLister([job("train").build(), _owned(pod("train-0").build(), "train")])
    state = read_cluster(client, "ml")
    assert [m.name for m in state.manifests] == ["train"]


def test_the_cluster_context_is_read_cluster_wide_and_per_namespace() -> None:
    client = FakeLister(
        [gpu_node().build(), quota(), quota(namespace="x"), priority_class("training")]
    )
    state = read_cluster(client, "ml")
    assert len(state.cluster.nodes) == 1
    assert [q["metadata"]["name"] for q in state.cluster.quotas] == ["compute"]
    assert state.cluster.nodes[0]["kind"] == "Node"
    assert ("nodes", None) in client.calls
    assert ("resourcequotas", "ml") in client.calls


def test_a_list_refused_by_rbac_is_a_warning_not_a_failure() -> None:
    client = FakeLister([job().build()], forbidden=["priorityclasses"])
    state = read_cluster(client, "ml")
    assert state.cluster.priorityclasses == []
    (warning,) = state.warnings
    assert warning.startswith("cannot list priorityclasses: priorityclasses is forbidden")


def test_live_findings_have_no_file() -> None:
    client = FakeLister([job().gpus(1).build(), gpu_node().build()])
    state = read_cluster(client, "ml")
    findings = [
        f for f in lint(state.manifests, state.cluster, namespace="ml") if f.rule == "ML001"
    ]
    assert [(f.severity, f.file, f.line) for f in findings] == [("error", None, None)]
