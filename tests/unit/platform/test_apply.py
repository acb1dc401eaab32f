"""Applying a platform to the embedded cluster in process: create, re-apply, edit, prune."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.client import ApiError
from mlkube.engine.cluster import Cluster
from mlkube.platform.apply import apply, plan
from mlkube.platform.names import MANAGED_TAINTS, POOL
from mlkube.platform.problems import SpecError
from mlkube.platform.spec import load_file
from mlkube.platform.target import EmbeddedTarget, is_embedded
from tests.unit.platform.builders import ml_platform
from tests.unit.platform.targets import Recording, embedded, make_node


def names(cluster: Cluster, resource: str) -> list[str]:
    """The names of a resource, the cluster's own system-* objects left out."""
    listed = (o["metadata"]["name"] for o in cluster.list(resource))
    return sorted(n for n in listed if not n.startswith("system-"))


def test_the_first_apply_creates_every_object_and_the_pools_nodes() -> None:
    cluster, target = embedded()
    outcome = apply(load_file("examples/platform.yaml"), target)
    assert outcome.embedded is True
    assert names(cluster, "resourcequotas") == ["nlp", "vision"]
    assert names(cluster, "priorityclasses") == ["production", "research"]
    assert names(cluster, "nodes") == [f"general-{i}" for i in range(6)] + [
        f"gpu-a100-{i}" for i in range(4)
    ]
    assert cluster.get("nodes", "gpu-a100-0")["status"]["allocatable"]["nvidia.com/gpu"] == "8"
    assert len(target.writes) == len(outcome.written) == outcome.plan.counts()["create"]


def test_a_second_apply_of_the_same_file_makes_zero_writes() -> None:
    cluster, target = embedded()
    spec = load_file("examples/platform.yaml")
    apply(spec, target)
    cluster.run_until_idle()  # the quota controller fills in status: not mlkube's fields
    before, target.writes = cluster.store.current_resource_version(), []
    outcome = apply(spec, target)
    assert target.writes == []
    assert cluster.store.current_resource_version() == before
    assert outcome.plan.counts()["unchanged"] == len(outcome.plan.changes)


def test_a_dry_run_plans_the_writes_and_makes_none() -> None:
    cluster, target = embedded()
    outcome = apply(ml_platform().build(), target, dry_run=True)
    assert target.writes == []
    assert outcome.plan.counts()["create"] > 0
    assert cluster.list("resourcequotas") == []


def test_a_spec_that_fails_validation_writes_nothing() -> None:
    _, target = embedded()
    bad = ml_platform().profile("finetune", "gpu-h100").build()
    with pytest.raises(SpecError) as err:
        apply(bad, target)
    assert [p.rule for p in err.value.problems] == ["profile-pool"]
    assert target.writes == []


def _edit_quota(cluster: Cluster, **hard: str) -> None:
    body = {"spec": {"hard": hard}}
    cluster.patch(
        "resourcequotas", "vision", body, "application/merge-patch+json", namespace="vision"
    )


def test_a_manual_edit_shows_in_the_diff_and_the_next_apply_puts_it_back() -> None:
    cluster, target = embedded()
    spec = ml_platform().build()
    apply(spec, target)
    _edit_quota(cluster, **{"requests.cpu": "999"})
    change = next(c for c in plan(spec, target, embedded=True).changes if c.action == "change")
    assert change.name == "resourcequota/vision -n vision"
    assert "-    requests.cpu: '999'\n+    requests.cpu: '64'\n" in change.diff()
    target.writes = []
    apply(spec, target)
    assert target.writes == [("apply", "resourcequota/vision")]
    assert cluster.get("resourcequotas", "vision", "vision")["spec"]["hard"]["requests.cpu"] == "64"


def test_a_field_someone_else_added_is_left_alone() -> None:
    cluster, target = embedded()
    spec = ml_platform().build()
    apply(spec, target)
    _edit_quota(cluster, pods="100")
    target.writes = []
    apply(spec, target)
    assert target.writes == []
    assert cluster.get("resourcequotas", "vision", "vision")["spec"]["hard"]["pods"] == "100"


def test_a_changed_spec_writes_only_the_objects_it_changes() -> None:
    _, target = embedded()
    apply(ml_platform().build(), target)
    target.writes = []
    apply(ml_platform().set("teams.0.defaults", {"cpu": "2", "memory": "8Gi"}).build(), target)
    # The stored spec (kube-public/mlkube-platform) changes with it.
    assert target.writes == [("apply", "limitrange/vision"), ("apply", "configmap/mlkube-platform")]


def test_objects_no_longer_in_the_spec_are_listed_not_removed_without_prune() -> None:
    cluster, target = embedded()
    apply(ml_platform().team("nlp").build(), target)
    target.writes = []
    outcome = apply(ml_platform().build(), target)
    assert [c.name for c in outcome.plan.of("orphan")] == ["namespace/nlp"]
    assert target.writes == [("apply", "configmap/mlkube-platform")]  # only the stored spec
    assert "nlp" in names(cluster, "namespaces")


def test_prune_removes_what_mlkube_manages_and_the_spec_dropped() -> None:
    cluster, target = embedded()
    apply(ml_platform().priority("batch", 10).build(), target)
    target.writes = []
    apply(ml_platform().build(), target, prune=True)
    assert target.writes == [
        ("apply", "configmap/mlkube-platform"),
        ("delete", "priorityclasses/batch"),
    ]
    assert names(cluster, "priorityclasses") == ["production", "research"]


def test_prune_never_touches_objects_mlkube_does_not_manage() -> None:
    cluster, target = embedded()
    cluster.create(
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "theirs"},
            "value": 5,
        }
    )
    apply(ml_platform().build(), target, prune=True)
    assert "theirs" in names(cluster, "priorityclasses")


def test_a_pool_shrunk_on_the_embedded_cluster_loses_its_last_nodes_on_prune() -> None:
    cluster, target = embedded()
    apply(ml_platform().build(), target)
    apply(ml_platform().set("pools.1.nodes", 1).build(), target, prune=True)
    assert [n for n in names(cluster, "nodes") if n.startswith("general")] == ["general-0"]


def test_a_new_capacity_is_written_to_the_embedded_nodes_status() -> None:
    cluster, target = embedded()
    apply(ml_platform().build(), target)
    target.writes = []
    apply(ml_platform().set("pools.1.capacity.cpu", "32").build(), target)
    assert target.writes == [
        ("apply", "node/general-0/status"),
        ("apply", "node/general-1/status"),
        ("apply", "configmap/mlkube-platform"),
    ]
    assert cluster.get("nodes", "general-0")["status"]["capacity"]["cpu"] == "32"


def test_an_embedded_node_registers_ready_once_and_leaves_its_conditions_to_others() -> None:
    cluster, target = embedded()
    apply(ml_platform().build(), target)
    node = cluster.get("nodes", "general-0")
    assert [(c["type"], c["status"]) for c in node["status"]["conditions"]] == [("Ready", "True")]
    node["status"]["conditions"][0] |= {"status": "Unknown", "reason": "NodeStatusUnknown"}
    cluster.update_status(node)  # as the node lifecycle controller would, without heartbeats
    target.writes = []
    apply(ml_platform().build(), target)
    assert target.writes == []
    assert cluster.get("nodes", "general-0")["status"]["conditions"][0]["status"] == "Unknown"


# -- a real cluster: nodes exist, mlkube only labels and taints them ---------------------------

P4D = {"node.kubernetes.io/instance-type": "p4d.24xlarge"}
KUBELET_TAINT = {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}


def real_cluster() -> tuple[Cluster, Recording]:
    cluster, target = embedded()
    cluster.create(make_node("a100-x", {**P4D, "team": "infra"}))
    cluster.create(make_node("m6i-y", {"node.kubernetes.io/instance-type": "m6i.4xlarge"}))
    return cluster, target


def real_spec(**changes: Any) -> Any:
    builder = (
        ml_platform().set("pools.0.selector", P4D).set("pools.0.nodes", 0).set("pools.1.nodes", 0)
    )
    builder.set("pools.1.selector", {"node.kubernetes.io/instance-type": "m6i.4xlarge"})
    for path, value in changes.items():
        builder.set(path.replace("__", "."), value)
    return builder.build()


def test_on_a_real_cluster_selected_nodes_get_the_pool_labels_and_taints() -> None:
    cluster, target = real_cluster()
    apply(real_spec(), target, embedded=False)
    node = cluster.get("nodes", "a100-x")
    assert node["metadata"]["labels"][POOL] == "gpu-a100"
    assert node["metadata"]["labels"]["team"] == "infra"
    assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"} in node["spec"][
        "taints"
    ]
    assert names(cluster, "nodes") == ["a100-x", "m6i-y"]  # none created


def test_on_a_real_cluster_a_taint_mlkube_did_not_set_survives_every_apply() -> None:
    cluster, target = real_cluster()
    apply(real_spec(), target, embedded=False)
    node = cluster.get("nodes", "a100-x")
    node["spec"]["taints"].append(KUBELET_TAINT)
    cluster.update(node)
    apply(
        real_spec(pools__0__taints=[]), target, embedded=False
    )  # and the spec drops the GPU taint
    node = cluster.get("nodes", "a100-x")
    taints = [t for t in node["spec"]["taints"] if t["key"] != "node.kubernetes.io/not-ready"]
    assert taints == [KUBELET_TAINT]
    assert MANAGED_TAINTS not in (node["metadata"].get("annotations") or {})


def test_on_a_real_cluster_a_second_apply_makes_zero_writes() -> None:
    _, target = real_cluster()
    apply(real_spec(), target, embedded=False)
    target.writes = []
    apply(real_spec(), target, embedded=False)
    assert target.writes == []


def test_on_a_real_cluster_a_node_the_pool_no_longer_selects_is_given_back_on_prune() -> None:
    cluster, target = real_cluster()
    apply(real_spec(), target, embedded=False)
    moved = real_spec(pools__0__selector={"node.kubernetes.io/instance-type": "p5.48xlarge"})
    listed = apply(moved, target, embedded=False)
    assert [c.name for c in listed.plan.of("orphan")] == ["node/a100-x"]
    apply(moved, target, embedded=False, prune=True)
    node = cluster.get("nodes", "a100-x")
    assert POOL not in node["metadata"]["labels"]
    assert node["metadata"]["labels"]["team"] == "infra"
    assert all(t["key"] != "nvidia.com/gpu" for t in node["spec"]["taints"])


def test_a_change_to_an_immutable_field_is_refused_before_anything_is_written() -> None:
    _, target = embedded()
    apply(ml_platform().build(), target)
    target.writes = []
    changed = ml_platform().set("priorities.0.value", 5).set("teams.0.quota", {}).build()
    with pytest.raises(SpecError) as err:
        apply(changed, target)
    assert [str(p) for p in err.value.problems] == [
        "priorityclass/production: value: Forbidden: may not be changed in an update; "
        "delete the object first (kubectl delete priorityclass production) or give it a new name"
    ]
    assert target.writes == []


def test_a_refused_write_is_the_cluster_s_own_message() -> None:
    cluster, target = embedded()
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "vision"}})
    theirs = {"persistentvolumeclaims": "0"}
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "theirs"},
            "spec": {"hard": theirs},
        },
        namespace="vision",
    )
    cluster.run_until_idle()
    with pytest.raises(ApiError) as err:
        apply(ml_platform().build(), target)
    assert (err.value.reason, err.value.message) == (
        "Forbidden",
        'persistentvolumeclaims "imagenet" is forbidden: exceeded quota: theirs, requested: '
        "persistentvolumeclaims=1, used: persistentvolumeclaims=0, "
        "limited: persistentvolumeclaims=0",
    )


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        pytest.param(
            {"gitVersion": "v1.37.0", "gitCommit": "mlkube-0.1.0"}, True, id="mlkube's server"
        ),
        pytest.param(
            {"gitVersion": "v1.37.0+mlkube", "gitCommit": "abc"}, True, id="a +mlkube build"
        ),
        pytest.param(
            {
                "gitVersion": "v1.31.2",
                "gitCommit": "5864a4677267e6adeae276ad85882a8714d69d9d",
                "platform": "linux/amd64",
            },
            False,
            id="a real kube-apiserver",
        ),
    ],
)
def test_the_embedded_cluster_is_recognised_by_its_version(
    version: dict[str, str], expected: bool
) -> None:
    assert is_embedded(version) is expected


def test_the_in_process_target_reports_itself_embedded() -> None:
    assert is_embedded(EmbeddedTarget(Cluster()).version())


def test_on_a_real_cluster_a_pool_that_selects_no_node_is_a_warning() -> None:
    _, target = real_cluster()
    spec = real_spec(pools__1__selector={"node.kubernetes.io/instance-type": "c7i.large"})
    outcome = apply(spec, target, embedded=False)
    assert [str(w) for w in outcome.warnings] == [
        'pools[1]: pool "general" selects no node of this cluster (selector '
        "node.kubernetes.io/instance-type=c7i.large); label the nodes, or fix the pool's selector"
    ]
