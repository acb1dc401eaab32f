"""Strategic merge patch of built-in kinds.

Cases follow ``k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go`` (the
``strategicMergePatchRawTestCases`` and ``createStrategicMergePatchTestCaseData`` tables),
restated on real fields (containers, env, ports, volumes, tolerations, conditions,
finalizers) instead of the test's ``MergeItem`` struct, and the status mapping of
``interpretStrategicMergePatchError`` in ``k8s.io/apiserver/pkg/endpoints/handlers/patch.go``.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.errors import ApiError
from mlkube.engine.patch import strategic_merge_patch


def pod(
    *,
    spec: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", **(metadata or {})},
        "spec": spec or {},
    }
    if status is not None:
        obj["status"] = status
    return obj


def container(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, **fields}


def patch_pod(original: dict[str, Any], patch: Any) -> dict[str, Any]:
    return strategic_merge_patch(original, patch, api_version="v1", kind="Pod")


TWO_CONTAINERS = pod(spec={"containers": [container("a", image="1"), container("b", image="1")]})


@pytest.mark.parametrize(
    ("original", "patch", "expected_spec"),
    [
        pytest.param(
            TWO_CONTAINERS,
            {"spec": {"containers": [container("a", image="2")]}},
            {"containers": [container("a", image="2"), container("b", image="1")]},
            id="a container named in the patch merges into the live one with that name",
        ),
        pytest.param(
            TWO_CONTAINERS,
            {"spec": {"containers": [container("c", image="3"), container("a", image="2")]}},
            {
                "containers": [
                    container("c", image="3"),
                    container("a", image="2"),
                    container("b", image="1"),
                ]
            },
            id="patch items come in patch order, server-only items keep their place after",
        ),
        pytest.param(
            TWO_CONTAINERS,
            {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}},
            {"containers": [container("b", image="1")]},
            id="an item with $patch delete removes the item with its merge key",
        ),
        pytest.param(
            TWO_CONTAINERS,
            {"spec": {"containers": [container("z", image="9"), {"$patch": "replace"}]}},
            {"containers": [container("z", image="9")]},
            id="an item with $patch replace makes the patch list replace the whole list",
        ),
        pytest.param(
            TWO_CONTAINERS,
            {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}},
            {"containers": [container("b", image="1"), container("a", image="1")]},
            id="$setElementOrder alone reorders the live list",
        ),
        pytest.param(
            pod(spec={"containers": [container("a"), container("c")]}),
            {
                "spec": {
                    "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
                    "containers": [container("b")],
                }
            },
            {"containers": [container("a"), container("b"), container("c")]},
            id="$setElementOrder places a new item between live ones",
        ),
        pytest.param(
            pod(
                spec={
                    "containers": [
                        container(
                            "a", env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
                        )
                    ]
                }
            ),
            {
                "spec": {
                    "containers": [
                        container(
                            "a", env=[{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]
                        )
                    ]
                }
            },
            {
                "containers": [
                    container(
                        "a",
                        env=[
                            {"name": "A", "value": "1"},
                            {"name": "B", "value": "3"},
                            {"name": "C", "value": "4"},
                        ],
                    )
                ]
            },
            id="env merges by name inside a merged container",
        ),
        pytest.param(
            pod(spec={"containers": [container("a", env=[{"name": "A"}, {"name": "B"}])]}),
            {"spec": {"containers": [container("a", env=[{"name": "A", "$patch": "delete"}])]}},
            {"containers": [container("a", env=[{"name": "B"}])]},
            id="an env var is deleted by name with $patch delete",
        ),
        pytest.param(
            pod(spec={"containers": [container("a", ports=[{"containerPort": 80}])]}),
            {
                "spec": {
                    "containers": [container("a", ports=[{"containerPort": 80, "protocol": "UDP"}])]
                }
            },
            {"containers": [container("a", ports=[{"containerPort": 80, "protocol": "UDP"}])]},
            id="ports merge by containerPort alone, so another protocol rewrites the port",
        ),
        pytest.param(
            pod(spec={"tolerations": [{"key": "a", "operator": "Exists"}]}),
            {"spec": {"tolerations": [{"key": "b", "operator": "Exists"}]}},
            {"tolerations": [{"key": "b", "operator": "Exists"}]},
            id="tolerations have no patch strategy and are replaced whole",
        ),
        pytest.param(
            pod(spec={"containers": [container("a", args=["x", "y"])]}),
            {"spec": {"containers": [container("a", args=["z"])]}},
            {"containers": [container("a", args=["z"])]},
            id="a primitive list without a strategy (args) is replaced whole",
        ),
        pytest.param(
            pod(spec={"nodeSelector": {"a": "1", "b": "2"}}),
            {"spec": {"nodeSelector": {"b": None, "c": "3"}}},
            {"nodeSelector": {"a": "1", "c": "3"}},
            id="null deletes a map key and new keys are added",
        ),
        pytest.param(
            pod(spec={"volumes": [{"name": "v", "emptyDir": {}}]}),
            {
                "spec": {
                    "volumes": [
                        {
                            "name": "v",
                            "$retainKeys": ["configMap", "name"],
                            "configMap": {"name": "cm"},
                        }
                    ]
                }
            },
            {"volumes": [{"name": "v", "configMap": {"name": "cm"}}]},
            id="$retainKeys switches a volume from emptyDir to configMap",
        ),
        pytest.param(
            pod(spec={"volumes": [{"name": "v", "emptyDir": {}}]}),
            {"spec": {"volumes": [{"name": "v", "configMap": {"name": "cm"}}]}},
            {"volumes": [{"name": "v", "emptyDir": {}, "configMap": {"name": "cm"}}]},
            id="without $retainKeys a volume keeps its old source next to the new one",
        ),
        pytest.param(
            pod(),
            {"spec": {"containers": [container("a", image="x", command=None)]}},
            {"containers": [container("a", image="x")]},
            id="nulls inside a value taken whole are dropped",
        ),
        pytest.param(
            pod(spec={"containers": [container("a")]}),
            {"spec": {"containers": None}},
            {},
            id="null deletes a whole list",
        ),
    ],
)
def test_spec_merges(original: dict[str, Any], patch: Any, expected_spec: dict[str, Any]) -> None:
    assert patch_pod(original, patch)["spec"] == expected_spec


FINALIZERS = pod(metadata={"finalizers": ["a", "b", "c"], "labels": {"app": "x"}})


@pytest.mark.parametrize(
    ("patch", "expected_metadata"),
    [
        pytest.param(
            {"metadata": {"finalizers": ["d", "a"]}},
            {"finalizers": ["d", "a", "b", "c"], "labels": {"app": "x"}},
            id="a primitive list with merge strategy (finalizers) merges as a set",
        ),
        pytest.param(
            {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}},
            {"finalizers": ["a", "c"], "labels": {"app": "x"}},
            id="$deleteFromPrimitiveList removes values from finalizers",
        ),
        pytest.param(
            {"metadata": {"$setElementOrder/finalizers": ["c", "b", "a"]}},
            {"finalizers": ["c", "b", "a"], "labels": {"app": "x"}},
            id="$setElementOrder orders a primitive list",
        ),
        pytest.param(
            {"metadata": {"labels": {"$patch": "replace", "team": "ml"}}},
            {"finalizers": ["a", "b", "c"], "labels": {"team": "ml"}},
            id="$patch replace in a map replaces the map with the rest of the patch",
        ),
        pytest.param(
            {"metadata": {"labels": {"$patch": "delete"}}},
            {"finalizers": ["a", "b", "c"], "labels": {}},
            id="$patch delete in a map empties it",
        ),
        pytest.param(
            {"metadata": {"labels": {"app": None}}},
            {"finalizers": ["a", "b", "c"], "labels": {}},
            id="null deletes a label",
        ),
    ],
)
def test_metadata_merges(patch: Any, expected_metadata: dict[str, Any]) -> None:
    assert patch_pod(FINALIZERS, patch)["metadata"] == {"name": "p", **expected_metadata}


def test_status_conditions_merge_by_type() -> None:
    original = pod(
        status={
            "conditions": [
                {"type": "Ready", "status": "False"},
                {"type": "PodScheduled", "status": "True"},
            ]
        }
    )
    patched = patch_pod(original, {"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    assert patched["status"]["conditions"] == [
        {"type": "Ready", "status": "True"},
        {"type": "PodScheduled", "status": "True"},
    ]


@pytest.mark.parametrize(
    ("patch", "expected_strategy"),
    [
        pytest.param(
            {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
            {"type": "Recreate"},
            id="$retainKeys on a Deployment strategy drops rollingUpdate",
        ),
        pytest.param(
            {"spec": {"strategy": {"type": "Recreate"}}},
            {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}},
            id="without $retainKeys the strategy map merges",
        ),
    ],
)
def test_deployment_strategy(patch: Any, expected_strategy: dict[str, Any]) -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}},
    }
    patched = strategic_merge_patch(deployment, patch, api_version="apps/v1", kind="Deployment")
    assert patched["spec"]["strategy"] == expected_strategy


def test_the_inputs_are_not_mutated() -> None:
    original = pod(spec={"containers": [container("a", image="1")]})
    patch = {"spec": {"containers": [container("a", image="2")]}}
    patch_pod(original, patch)
    assert original["spec"]["containers"] == [container("a", image="1")]
    assert patch == {"spec": {"containers": [container("a", image="2")]}}


VOLUME = pod(spec={"volumes": [{"name": "v", "emptyDir": {}}]}, metadata={"labels": {"a": "b"}})


@pytest.mark.parametrize(
    ("original", "patch", "code", "reason", "message"),
    [
        pytest.param(
            VOLUME,
            {"spec": {"volumes": [{"name": "v", "$retainKeys": ["name"], "emptyDir": {}}]}},
            400,
            "BadRequest",
            "invalid patch format of retainKeys",
            id="a patch field missing from $retainKeys is a 400",
        ),
        pytest.param(
            VOLUME,
            {"spec": {"volumes": [{"name": "v", "$retainKeys": "name"}]}},
            400,
            "BadRequest",
            "invalid patch format of retainKeys",
            id="$retainKeys that is not a list is a 400",
        ),
        pytest.param(
            FINALIZERS,
            {"metadata": {"$deleteFromPrimitiveListfinalizers": ["a"]}},
            400,
            "BadRequest",
            "invalid patch format of primitive list",
            id="a $deleteFromPrimitiveList key without a slash is a 400",
        ),
        pytest.param(
            FINALIZERS,
            {"metadata": {"$setElementOrderfinalizers": ["a"]}},
            400,
            "BadRequest",
            "invalid patch format of setElementOrder list",
            id="a $setElementOrder key without a slash is a 400",
        ),
        pytest.param(
            pod(metadata={"finalizers": []}),
            {"metadata": {"finalizers": [["x"]]}},
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
            id="a list of lists is a 422 with the generic message",
        ),
        pytest.param(
            VOLUME,
            {"metadata": {"labels": {"$patch": "foo"}}},
            500,
            "",
            "unknown patch type: foo in map: map[$patch:foo]",
            id="an unknown $patch directive is the Go error as a 500",
        ),
        pytest.param(
            TWO_CONTAINERS,
            {"spec": {"containers": [{"image": "x"}]}},
            500,
            "",
            "map: map[image:x] does not contain declared merge key: name",
            id="a merge-list item without its merge key is the Go error as a 500",
        ),
        pytest.param(
            TWO_CONTAINERS,
            {"spec": {"containers": [{"name": "a", "$patch": "merge"}]}},
            500,
            "",
            "merging lists cannot yet be specified in the patch",
            id="$patch merge inside a list is refused",
        ),
        pytest.param(
            TWO_CONTAINERS,
            {
                "spec": {
                    "$setElementOrder/containers": [{"name": "a"}],
                    "containers": [{"name": "b", "image": "x"}],
                }
            },
            500,
            "",
            "the order in patch list:\n[map[image:x name:b]]\n doesn't match $setElementOrder "
            "list:\n[map[name:a]]",
            id="a patch item missing from $setElementOrder is refused",
        ),
        pytest.param(
            TWO_CONTAINERS,
            ["not", "an", "object"],
            400,
            "BadRequest",
            "json: cannot unmarshal array into Go value of type map[string]interface {}",
            id="a body that is not an object is a 400 decode error",
        ),
    ],
)
def test_errors(original: dict[str, Any], patch: Any, code: int, reason: str, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        patch_pod(original, patch)
    status = caught.value.to_status()
    assert (status["code"], status.get("reason", ""), status["message"]) == (code, reason, message)


def test_a_kind_without_a_schema_is_415() -> None:
    with pytest.raises(ApiError) as caught:
        strategic_merge_patch({}, {}, api_version="example.com/v1", kind="Widget")
    assert caught.value.to_status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "the body of the request was in an unknown format - accepted media types "
        "include: application/json-patch+json, application/merge-patch+json, "
        "application/apply-patch+yaml",
        "reason": "UnsupportedMediaType",
        "code": 415,
    }
