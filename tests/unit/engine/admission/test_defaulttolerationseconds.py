"""DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds/admission_test.go)."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.admission.plugins.defaulttolerationseconds import DefaultTolerationSeconds

from .conftest import FakeContext, create, pod

NOT_READY = {
    "key": "node.kubernetes.io/not-ready",
    "operator": "Exists",
    "effect": "NoExecute",
    "tolerationSeconds": 300,
}
UNREACHABLE = {
    "key": "node.kubernetes.io/unreachable",
    "operator": "Exists",
    "effect": "NoExecute",
    "tolerationSeconds": 300,
}
GPU = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param([], [NOT_READY, UNREACHABLE], id="a pod without tolerations gets both"),
        pytest.param(
            [GPU], [GPU, NOT_READY, UNREACHABLE], id="existing tolerations are kept first"
        ),
        pytest.param(
            [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}],
            [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                },
                UNREACHABLE,
            ],
            id="a pod tolerating not-ready forever keeps it and gets only unreachable",
        ),
        pytest.param(
            [{"operator": "Exists"}],
            [{"operator": "Exists"}],
            id="a toleration with empty key and effect tolerates both",
        ),
        pytest.param(
            [{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}],
            [{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}, NOT_READY],
            id="an empty effect counts as NoExecute",
        ),
        pytest.param(
            [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoSchedule"}],
            [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoSchedule",
                },
                NOT_READY,
                UNREACHABLE,
            ],
            id="a NoSchedule toleration does not count",
        ),
    ],
)
def test_default_tolerations_are_added_unless_already_tolerated(
    ctx: FakeContext, given: list[dict[str, Any]], expected: list[dict[str, Any]]
) -> None:
    attrs = create("pods", pod(tolerations=given))
    DefaultTolerationSeconds().admit(attrs, ctx)
    assert attrs.obj is not None
    assert attrs.obj["spec"]["tolerations"] == expected


def test_the_seconds_come_from_the_apiserver_flags(ctx: FakeContext) -> None:
    attrs = create("pods", pod())
    DefaultTolerationSeconds(not_ready_seconds=60, unreachable_seconds=120).admit(attrs, ctx)
    assert attrs.obj is not None
    assert [t["tolerationSeconds"] for t in attrs.obj["spec"]["tolerations"]] == [60, 120]
