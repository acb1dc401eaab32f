"""Pools onto nodes: mlkube's labels and taints, merged into what others set.

Taints are an atomic list (``NodeSpec.Taints`` is ``+listType=atomic``), so mlkube merges:
the cases follow kubectl's ``staging/src/k8s.io/kubectl/pkg/cmd/taint/taint_test.go``
(add a taint, update one in place by key and effect, remove one, keep the others).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkube.platform.names import MANAGED_TAINTS, POOL
from mlkube.platform.nodes import managed_taint_keys, merge_taints, node_apply, pool_of, release
from tests.unit.platform.builders import ml_platform, platform


def taint(spec: str, **extra: Any) -> dict[str, Any]:
    """``key=value:Effect`` as kubectl taint takes it."""
    key_value, _, effect = spec.partition(":")
    key, _, value = key_value.partition("=")
    return {"key": key, **({"value": value} if value else {}), "effect": effect, **extra}


GPU = taint("nvidia.com/gpu=present:NoSchedule")
NOT_READY = taint("node.kubernetes.io/not-ready:NoSchedule")
DEDICATED = taint("dedicated=infra:NoExecute", timeAdded="2026-01-01T00:00:00Z")


@pytest.mark.parametrize(
    ("live", "managed", "desired", "expected"),
    [
        pytest.param([], set(), [GPU], [GPU], id="a new taint is added"),
        pytest.param(
            [NOT_READY], set(), [GPU], [NOT_READY, GPU], id="someone else's taint is kept"
        ),
        pytest.param(
            [GPU, NOT_READY],
            {("nvidia.com/gpu", "NoSchedule")},
            [GPU],
            [GPU, NOT_READY],
            id="a taint already there stays where it is, so nothing changes",
        ),
        pytest.param(
            [NOT_READY, GPU],
            {("nvidia.com/gpu", "NoSchedule")},
            [taint("nvidia.com/gpu=a100:NoSchedule")],
            [NOT_READY, taint("nvidia.com/gpu=a100:NoSchedule")],
            id="a taint is updated in place by key and effect",
        ),
        pytest.param(
            [GPU, NOT_READY],
            {("nvidia.com/gpu", "NoSchedule")},
            [],
            [NOT_READY],
            id="a taint mlkube set and the spec dropped is removed",
        ),
        pytest.param(
            [GPU, NOT_READY],
            set(),
            [],
            [GPU, NOT_READY],
            id="a taint mlkube did not set is never removed, even one the spec once had",
        ),
        pytest.param(
            [DEDICATED],
            set(),
            [taint("dedicated=infra:NoExecute")],
            [DEDICATED],
            id="fields the server added (timeAdded) are kept",
        ),
    ],
)
def test_merging_taints(
    live: list[dict[str, Any]],
    managed: set[tuple[str, str]],
    desired: list[dict[str, Any]],
    expected: list[dict[str, Any]],
) -> None:
    assert merge_taints(live, managed, desired) == expected


def _node(name: str, labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": spec,
    }


def test_a_pool_selects_nodes_by_all_of_its_selector_labels() -> None:
    spec = (
        platform()
        .pool("gpu", selector={"node.kubernetes.io/instance-type": "p4d.24xlarge", "zone": "a"})
        .pool("general", selector={"node.kubernetes.io/instance-type": "m6i.4xlarge"})
        .build()
    )
    p4d = _node("n1", {"node.kubernetes.io/instance-type": "p4d.24xlarge", "zone": "a"})
    other_zone = _node("n2", {"node.kubernetes.io/instance-type": "p4d.24xlarge", "zone": "b"})
    assert pool_of(spec, p4d) is spec.pools[0]
    assert pool_of(spec, other_zone) is None


def test_a_real_node_gets_the_pool_labels_and_taints_and_the_record_of_them() -> None:
    spec = ml_platform().build()
    body = node_apply(spec, spec.pools[0], _node("n1", {"zone": "a"}, taints=[NOT_READY]))
    assert body["metadata"]["labels"] == {"mlkube.io/platform": "acme-ml", POOL: "gpu-a100"}
    assert body["metadata"]["annotations"] == {MANAGED_TAINTS: "nvidia.com/gpu:NoSchedule"}
    assert body["spec"]["taints"] == [NOT_READY, GPU]
    assert managed_taint_keys(body) == {("nvidia.com/gpu", "NoSchedule")}


def test_a_node_that_left_its_pool_gets_back_everything_but_mlkube_s_taints() -> None:
    live = _node("n1", {POOL: "gpu-a100"}, taints=[NOT_READY, GPU])
    live["metadata"]["annotations"] = {MANAGED_TAINTS: "nvidia.com/gpu:NoSchedule"}
    assert release(live) == {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n1"},
        "spec": {"taints": [NOT_READY]},
    }


_taints = st.lists(
    st.builds(
        taint,
        st.sampled_from(
            [
                "a=1:NoSchedule",
                "a=2:NoSchedule",
                "b:NoExecute",
                "c=x:PreferNoSchedule",
                "a:NoExecute",
            ]
        ),
    ),
    max_size=5,
    unique_by=lambda t: (t["key"], t["effect"]),
)


@given(live=_taints, desired=_taints, mine=st.booleans())
def test_merging_never_drops_a_foreign_taint_and_a_second_merge_changes_nothing(
    live: list[dict[str, Any]], desired: list[dict[str, Any]], mine: bool
) -> None:
    managed = {(t["key"], t["effect"]) for t in live} if mine else set()
    merged = merge_taints(live, managed, desired)
    wanted = {(t["key"], t["effect"]) for t in desired}
    for t in live:
        if (t["key"], t["effect"]) not in managed | wanted:
            assert t in merged
    assert all(t in merged for t in desired)
    assert merge_taints(merged, wanted, desired) == merged
