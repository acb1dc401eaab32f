"""The namespace controller, as ``pkg/controller/namespace/deletion/
namespaced_resources_deleter_test.go`` (TestFinalizeNamespaceFunc,
testSyncNamespaceThatIsTerminating) and ``status_condition_utils_test.go`` specify it."""

from __future__ import annotations

import pytest

from mlkube.api.registry import lookup
from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.namespace import NamespaceController, finalize_namespace

from .builders import bind, cluster, gone, make_configmap, make_node, make_pod


@pytest.fixture
def c() -> Cluster:
    cl = cluster(lambda cl: NamespaceController(cl.api))
    cl.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}})
    return cl


def test_a_terminating_namespace_is_emptied_and_then_removed(c: Cluster) -> None:
    # testSyncNamespaceThatIsTerminating: every namespaced type is deleted, then finalize
    c.create(make_configmap("settings", "ml").build())
    c.create(make_pod("train", "ml").build())
    c.delete("namespaces", "ml")
    c.run_until_idle()
    assert c.list("configmaps", "ml") == []
    assert c.list("pods", "ml") == []
    assert gone(lambda: c.get("namespaces", "ml"))


def test_a_namespace_that_is_not_being_deleted_is_left_alone(c: Cluster) -> None:
    c.create(make_configmap("settings", "ml").build())
    c.run_until_idle()
    assert [cm["metadata"]["name"] for cm in c.list("configmaps", "ml")] == [
        "kube-root-ca.crt",
        "settings",
    ]


def test_finalize_removes_only_the_kubernetes_finalizer(c: Cluster) -> None:
    # TestFinalizeNamespaceFunc: spec.finalizers loses "kubernetes", keeps the others
    ns = c.get("namespaces", "ml")
    ns["spec"]["finalizers"] = ["kubernetes", "example.com/other"]
    c.store.update(lookup("namespaces"), ns)  # spec.finalizers is writable only via finalize
    kept = finalize_namespace(c.api, c.get("namespaces", "ml"))
    assert kept is not None
    assert kept["spec"]["finalizers"] == ["example.com/other"]


def test_content_held_by_a_finalizer_keeps_the_namespace_terminating_with_conditions(
    c: Cluster,
) -> None:
    c.create(make_configmap("held", "ml").finalizers("example.com/hold").build())
    c.delete("namespaces", "ml")
    c.run_until_idle()
    ns = c.get("namespaces", "ml")
    conditions = {
        x["type"]: (x["status"], x["reason"], x["message"]) for x in ns["status"]["conditions"]
    }
    assert conditions["NamespaceContentRemaining"] == (
        "True",
        "SomeResourcesRemain",
        "Some resources are remaining: configmaps. has 1 resource instances",
    )
    assert conditions["NamespaceFinalizersRemaining"] == (
        "True",
        "SomeFinalizersRemain",
        "Some content in the namespace has finalizers remaining: "
        "example.com/hold in 1 resource instances",
    )


def test_a_terminating_pod_keeps_the_namespace_until_its_grace_period_passes(
    c: Cluster,
) -> None:
    # estimateGracefulTermination: 30 s of grace -> requeued after 30 / 2 + 1 = 16 s
    c.create(make_node("n1").build())
    pod = c.create(make_pod("train", "ml").build())
    bind(c, pod)
    c.delete("namespaces", "ml")
    c.run_until_idle()
    ns = c.get("namespaces", "ml")
    assert ns["status"]["phase"] == "Terminating"
    c.delete("pods", "train", "ml", grace_period_seconds=0)  # the kubelet finishes it
    c.advance(16)
    assert gone(lambda: c.get("namespaces", "ml"))
