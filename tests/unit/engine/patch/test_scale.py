"""The scale subresource's managedFields, to the Scale and back (``scalehandler.go``).

Cases from ``k8s.io/apimachinery/pkg/util/managedfields/scalehandler_test.go`` v0.37.2.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.patch.scale import to_parent, to_subresource

REPLICAS = {"f:spec": {"f:replicas": {}}}
SELECTOR = {"f:spec": {"f:selector": {}}}
BOTH = {"f:spec": {"f:replicas": {}, "f:selector": {}}}
TIME = "2013-02-03T00:00:00Z"


def entry(
    manager: str,
    operation: str,
    api_version: str,
    fields: dict[str, Any],
    *,
    subresource: str = "",
    time: str = "",
) -> dict[str, Any]:
    out: dict[str, Any] = {"manager": manager, "operation": operation, "apiVersion": api_version}
    if time:
        out["time"] = time
    out["fieldsType"] = "FieldsV1"
    out["fieldsV1"] = fields
    if subresource:
        out["subresource"] = subresource
    return out


@pytest.mark.parametrize(
    ("parent", "expected"),
    [
        pytest.param(
            [
                entry("manager-1", "Apply", "apps/v1", {"f:spec": {"f:another-field": {}}}),
                entry("manager-2", "Apply", "apps/v1", REPLICAS, time=TIME),
            ],
            [entry("manager-2", "Apply", "autoscaling/v1", REPLICAS, time=TIME)],
            id="only the entries owning spec.replicas become Scale entries, in autoscaling/v1",
        ),
        pytest.param(
            [
                entry("manager-1", "Apply", "apps/v1", REPLICAS),
                entry("manager-3", "Apply", "apps/v1", REPLICAS, subresource="scale"),
            ],
            [
                entry("manager-1", "Apply", "autoscaling/v1", REPLICAS),
                entry("manager-3", "Apply", "autoscaling/v1", REPLICAS, subresource="scale"),
            ],
            id="an entry of the scale subresource stays one",
        ),
        pytest.param(
            [entry("manager-1", "Apply", "apps/v10", REPLICAS)],
            [],
            id="an entry in an unknown version is left out",
        ),
        pytest.param(
            [entry("kubectl", "Update", "apps/v1", BOTH, time=TIME)],
            [entry("kubectl", "Update", "autoscaling/v1", REPLICAS, time=TIME)],
            id="an Update entry keeps its time and gives up every other field",
        ),
    ],
)
def test_to_subresource(parent: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert to_subresource(parent) == expected


@pytest.mark.parametrize(
    ("parent", "scale", "expected"),
    [
        pytest.param(
            [entry("test", "Apply", "apps/v1", BOTH)],
            [entry("scale", "Update", "autoscaling/v1", REPLICAS, subresource="scale")],
            [
                entry("test", "Apply", "apps/v1", SELECTOR),
                entry("scale", "Update", "apps/v1", REPLICAS, subresource="scale"),
            ],
            id="another manager's Update takes spec.replicas from the applier",
        ),
        pytest.param(
            [entry("test", "Apply", "apps/v1", BOTH)],
            [entry("scale", "Apply", "autoscaling/v1", REPLICAS, subresource="scale")],
            [
                entry("scale", "Apply", "apps/v1", REPLICAS, subresource="scale"),
                entry("test", "Apply", "apps/v1", SELECTOR),
            ],
            id="another manager's Apply takes spec.replicas from the applier",
        ),
        pytest.param(
            [entry("test", "Apply", "apps/v1", SELECTOR)],
            [entry("scale", "Update", "autoscaling/v1", {"f:status": {"f:replicas": {}}})],
            [entry("test", "Apply", "apps/v1", SELECTOR)],
            id="a Scale entry without spec.replicas is dropped",
        ),
        pytest.param(
            [entry("test", "Apply", "apps/v1", REPLICAS)],
            [entry("scale", "Update", "autoscaling/v1", REPLICAS, subresource="scale")],
            [entry("scale", "Update", "apps/v1", REPLICAS, subresource="scale")],
            id="an entry that loses its only field goes",
        ),
        pytest.param(
            [entry("test", "Apply", "apps/v1", BOTH)],
            [
                entry("test", "Apply", "autoscaling/v1", REPLICAS),
                entry("test", "Apply", "autoscaling/v1", REPLICAS, subresource="scale"),
            ],
            [
                entry("test", "Apply", "apps/v1", BOTH),
                entry("test", "Apply", "apps/v1", REPLICAS, subresource="scale"),
            ],
            id="the applier keeps spec.replicas while its Scale entry still owns it",
        ),
        pytest.param(
            [
                entry("test", "Apply", "apps/v1", REPLICAS),
                entry("another-manager", "Apply", "apps/v10", SELECTOR),
            ],
            [entry("scale", "Update", "autoscaling/v1", REPLICAS)],
            [entry("scale", "Update", "apps/v1", REPLICAS)],
            id="an entry in an unknown version is dropped",
        ),
        pytest.param(
            [entry("kubectl", "Update", "apps/v1", BOTH, time=TIME)],
            [entry("hpa", "Apply", "autoscaling/v1", REPLICAS, subresource="scale", time=TIME)],
            [
                entry("hpa", "Apply", "apps/v1", REPLICAS, subresource="scale"),
                entry("kubectl", "Update", "apps/v1", SELECTOR, time=TIME),
            ],
            id="a new manager's entry takes the parent's time for it, which is none",
        ),
    ],
)
def test_to_parent(
    parent: list[dict[str, Any]], scale: list[dict[str, Any]], expected: list[dict[str, Any]]
) -> None:
    assert to_parent(parent, scale, "apps/v1") == expected
