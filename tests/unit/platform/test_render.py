"""Rendering: the spec as built-in objects, golden-tested and valid by the official schemas."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.platform.apply import MANAGED_KINDS, apply
from mlkube.platform.names import MANAGED_BY, PLATFORM
from mlkube.platform.nodes import embedded_node
from mlkube.platform.render import KIND_ORDER, render
from mlkube.platform.spec import load_file, loads
from mlkube.platform.target import EmbeddedTarget
from tests.unit.platform.builders import ml_platform
from tests.unit.platform.schemas import schema_errors


def _dump(objects: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False)


def test_the_example_renders_as_its_golden_manifests(golden: Any) -> None:
    golden("example.yaml", _dump(render(load_file("examples/platform.yaml"))))


def test_the_example_embedded_nodes_render_as_their_golden_file(golden: Any) -> None:
    spec = load_file("examples/platform.yaml")
    golden(
        "example-nodes.yaml",
        _dump([embedded_node(spec, spec.pools[0], 0), embedded_node(spec, spec.pools[1], 0)]),
    )


def test_rendering_is_deterministic_whatever_the_order_of_the_spec() -> None:
    doc = ml_platform().team("nlp").data()
    doc["teams"].reverse()
    doc["priorities"].reverse()
    assert render(loads(yaml.safe_dump(doc))) == render(ml_platform().team("nlp").build())


def test_every_rendered_object_is_valid_by_the_official_strict_schema() -> None:
    spec = load_file("examples/platform.yaml")
    objects = render(spec) + [embedded_node(spec, pool, 0) for pool in spec.pools]
    assert {o["kind"]: schema_errors(o) for o in objects} == {o["kind"]: [] for o in objects}


@pytest.mark.parametrize(
    "source",
    [
        pytest.param({"storageClass": "efs-sc"}, id="a storage class: a claim per team, no volume"),
        pytest.param(
            {"csi": {"driver": "efs.csi.aws.com", "volumeHandle": "fs-1"}}, id="a CSI volume"
        ),
        pytest.param({"local": {"path": "/data/imagenet"}}, id="a local directory (hostPath)"),
    ],
)
def test_each_dataset_source_renders_schema_valid_objects(source: dict[str, Any]) -> None:
    spec = ml_platform().set("datasets", []).dataset("coco", teams=["vision"], **source).build()
    objects = [
        o for o in render(spec) if o["kind"] in ("PersistentVolume", "PersistentVolumeClaim")
    ]
    assert [schema_errors(o) for o in objects] == [[] for _ in objects]


def test_every_object_is_labelled_as_mlkube_s_and_the_platform_s() -> None:
    for obj in render(ml_platform().build()):
        assert obj["metadata"]["labels"][MANAGED_BY] == "mlkube"
        assert obj["metadata"]["labels"][PLATFORM] == "acme-ml"


def test_objects_come_in_apply_order_namespaces_first() -> None:
    kinds = [o["kind"] for o in render(ml_platform().build())]
    assert kinds == sorted(kinds, key=KIND_ORDER.index)
    assert kinds[0] == "Namespace"


def test_the_kinds_apply_manages_are_the_kinds_render_orders() -> None:
    assert [kind for _, kind in MANAGED_KINDS] == list(KIND_ORDER)


def test_a_static_dataset_volume_and_claim_are_bound_to_each_other() -> None:
    by_kind = {o["kind"]: o for o in render(ml_platform().build())}
    volume, claim = by_kind["PersistentVolume"], by_kind["PersistentVolumeClaim"]
    assert volume["spec"]["claimRef"] == {"namespace": "vision", "name": "imagenet"}
    assert claim["spec"]["volumeName"] == volume["metadata"]["name"] == "imagenet-vision"
    # An explicit "" keeps the DefaultStorageClass admission from giving the claim a class.
    assert claim["spec"]["storageClassName"] == volume["spec"]["storageClassName"] == ""


def test_a_preemptible_priority_never_preempts_and_the_default_is_global() -> None:
    classes = {
        o["metadata"]["name"]: o
        for o in render(ml_platform().build())
        if o["kind"] == "PriorityClass"
    }
    assert classes["research"]["preemptionPolicy"] == "Never"
    assert classes["research"]["globalDefault"] is True
    assert classes["production"]["preemptionPolicy"] == "PreemptLowerPriority"
    assert "globalDefault" not in classes["production"]


def _pod(name: str, **resources: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "main", "image": "busybox"}
    if resources:
        container["resources"] = resources
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [container]},
    }


def test_a_pod_that_asks_for_nothing_gets_the_team_defaults_and_no_gpu() -> None:
    # SetDefaults_LimitRangeItem (pkg/apis/core/v1/defaults.go): a max with no default becomes
    # the default limit; the rendered 0 default keeps a CPU-only pod off the GPUs.
    cluster = Cluster(clock=FakeClock(), seed=1)
    apply(ml_platform().build(), EmbeddedTarget(cluster))
    pod = cluster.create(_pod("prep"), namespace="vision")
    resources = pod["spec"]["containers"][0]["resources"]
    assert resources["requests"] == {"cpu": "1", "memory": "4Gi", "nvidia.com/gpu": "0"}
    assert resources["limits"] == {"cpu": "1", "memory": "4Gi", "nvidia.com/gpu": "0"}


def test_a_pod_that_asks_for_gpus_keeps_them_within_max() -> None:
    cluster = Cluster(clock=FakeClock(), seed=1)
    apply(ml_platform().build(), EmbeddedTarget(cluster))
    pod = cluster.create(_pod("train", limits={"nvidia.com/gpu": "8"}), namespace="vision")
    assert pod["spec"]["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] == "8"


def test_the_platform_s_own_labels_go_on_every_object_under_mlkube_s() -> None:
    spec = (
        ml_platform().set("metadata", {"name": "acme-ml", "labels": {"cost-center": "ml"}}).build()
    )
    for obj in render(spec):
        assert obj["metadata"]["labels"]["cost-center"] == "ml"
        assert obj["metadata"]["labels"][PLATFORM] == "acme-ml"
