"""Values of the wrong JSON type: a body is a 400 before anything else runs, a merge or JSON
patch whose result does not decode is a 422 on ``patch`` (``handlers/patch.go``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.engine.errors import BadRequest, Invalid

LABEL_BOOL = (
    "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"
)


@pytest.fixture
def c() -> Cluster:
    cluster = Cluster(clock=FakeClock(), seed=0)
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cm", "namespace": "default"},
        }
    )
    return cluster


def test_a_boolean_label_in_a_created_pod_is_a_400(c: Cluster) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "labels": {"gpu": True}},
        "spec": {"containers": [{"name": "main", "image": "busybox"}]},
    }
    with pytest.raises(BadRequest) as refused:
        c.create(pod)
    assert refused.value.message == f'Pod in version "v1" cannot be handled as a Pod: {LABEL_BOOL}'


def test_an_update_with_a_boolean_label_is_a_400(c: Cluster) -> None:
    cm = c.get("configmaps", "cm")
    cm["metadata"]["labels"] = {"a": True}
    with pytest.raises(BadRequest) as refused:
        c.update(cm)
    assert refused.value.message.endswith(LABEL_BOOL)


def _merged_json(c: Cluster, **meta: Any) -> str:
    """The patched JSON when the patch touched only ``metadata``: the top level and
    metadata are maps the patch library parsed (sorted keys); the ConfigMap has no
    managedFields entries, and Go omits the empty list."""
    stored = c.get("configmaps", "cm")
    assert not stored["metadata"].get("managedFields")
    shown = {k: v for k, v in stored["metadata"].items() if k != "managedFields"}
    doc = {**stored, "metadata": {**shown, **meta}}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def test_a_merge_patch_that_makes_a_label_boolean_is_a_422_on_patch(c: Cluster) -> None:
    expected_value = _merged_json(c, labels={"a": True})
    with pytest.raises(Invalid) as refused:
        c.patch(
            "configmaps",
            "cm",
            {"metadata": {"labels": {"a": True}}},
            "application/merge-patch+json",
        )
    assert refused.value.message == (
        f' "" is invalid: patch: Invalid value: {json.dumps(expected_value)}: {LABEL_BOOL}'
    )
    assert [cause["field"] for cause in refused.value.causes] == ["patch"]


def test_a_merge_patch_that_makes_metadata_a_string_is_refused_not_a_crash(c: Cluster) -> None:
    with pytest.raises(Invalid) as refused:
        c.patch("configmaps", "cm", {"metadata": "x"}, "application/merge-patch+json")
    assert refused.value.message.endswith(
        "json: cannot unmarshal string into Go struct field ConfigMap.metadata of type "
        "v1.ObjectMeta"
    )


def test_a_strategic_patch_with_a_boolean_label_is_a_422_with_the_converters_text(
    c: Cluster,
) -> None:
    with pytest.raises(Invalid) as refused:
        c.patch("configmaps", "cm", {"metadata": {"labels": {"a": True}}})
    assert refused.value.code == 422
    assert refused.value.message == (
        ' "" is invalid: patch: Invalid value: "map[metadata:map[labels:map[a:true]]]": '
        "unrecognized type: string"
    )


def test_a_merge_patch_on_scale_that_does_not_decode_names_the_scales_go_field(c: Cluster) -> None:
    c.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "main", "image": "busybox"}]},
                },
            },
        }
    )
    with pytest.raises(Invalid) as refused:
        c.patch(
            "deployments",
            "web",
            {"spec": {"replicas": "x"}},
            "application/merge-patch+json",
            subresource="scale",
        )
    assert refused.value.message.endswith(
        '\\"spec\\":{\\"replicas\\":\\"x\\"},\\"status\\":{\\"replicas\\":0,\\"selector\\":'
        '\\"app=web\\"}}": json: cannot unmarshal string into Go struct field '
        "ScaleSpec.spec.replicas of type int32"
    )
