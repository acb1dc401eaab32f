"""What the scheduler writes, on both clusters: an unschedulable pod's PodScheduled condition
(with the pod's generation as observedGeneration), written as ``kube-scheduler``, with its
FailedScheduling Event; and the condition binding leaves once a node fits (only type,
status and times: the Unschedulable reason and message are gone).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from mlkube.client import KubeClient
from mlkube.testing.controlplane import KWOK_NODE_TAINT, RealCluster, fake_node
from tests.e2e.targets import both_clusters, eventually

pytestmark = pytest.mark.e2e

NS = "default"
TIMEOUT = 90.0
TARGETS = ["real", "embedded"]


def _scheduled(pod: dict[str, Any]) -> dict[str, Any] | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "PodScheduled":
            return dict(condition)
    return None


def _story(client: KubeClient, suffix: str) -> dict[str, Any]:
    name, pool = f"waits-{suffix}", f"pool-{suffix}"
    client.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": NS},
            "spec": {
                "nodeSelector": {"mlkube.io/test-pool": pool},
                "tolerations": [{"key": KWOK_NODE_TAINT["key"], "operator": "Exists"}],
                "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}],
            },
        }
    )

    def refused() -> dict[str, Any] | None:
        pod = client.get("pods", name, NS)
        condition = _scheduled(pod)
        return pod if condition and condition.get("status") == "False" else None

    pending = eventually(refused, f"{name} to be refused", TIMEOUT)

    def failed_event() -> list[dict[str, Any]] | None:
        events = [
            e
            for e in client.list("events", NS, field_selector=f"involvedObject.name={name}")
            if e.get("reason") == "FailedScheduling"
        ]
        return events or None

    events = eventually(failed_event, f"the FailedScheduling event of {name}", TIMEOUT)
    client.create(fake_node(f"fits-{suffix}", labels={"mlkube.io/test-pool": pool}))

    def bound() -> dict[str, Any] | None:
        pod = client.get("pods", name, NS)
        condition = _scheduled(pod)
        return pod if condition and condition.get("status") == "True" else None

    scheduled = eventually(bound, f"{name} to be scheduled", TIMEOUT)
    return {
        "refused": _scheduled(pending),
        "generation": pending["metadata"].get("generation"),
        "managers": {
            (m.get("manager"), m.get("subresource", ""))
            for m in pending["metadata"].get("managedFields") or []
        },
        "event managers": {
            m.get("manager") for e in events for m in e["metadata"].get("managedFields") or []
        },
        "bound": _scheduled(scheduled),
    }


@pytest.fixture(scope="module")
def stories(
    real_cluster: RealCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, Any]] = {}
    with both_clusters(real_cluster, tmp_path_factory.mktemp("embedded")) as targets:
        suffix = uuid.uuid4().hex[:6]
        for target in targets:
            with target.client() as client:
                out[target.name] = _story(client, f"{target.name[:4]}-{suffix}")
        yield out


@pytest.mark.parametrize("which", TARGETS)
def test_an_unschedulable_pods_condition_carries_its_generation_and_reason(
    stories: dict[str, dict[str, Any]], which: str
) -> None:
    story = stories[which]
    refused = story["refused"]
    assert set(refused) == {
        "type",
        "observedGeneration",
        "status",
        "lastProbeTime",
        "lastTransitionTime",
        "reason",
        "message",
    }
    assert (refused["observedGeneration"], refused["reason"], refused["lastProbeTime"]) == (
        story["generation"],
        "Unschedulable",
        None,
    )
    # ErrNoNodesAvailable on a cluster without nodes (the session's real cluster may have
    # some from earlier tests), else the FitError of the nodes there are
    message = refused["message"]
    assert message == "no nodes available to schedule pods" or message.startswith("0/")


@pytest.mark.parametrize("which", TARGETS)
def test_the_schedulers_status_write_and_event_are_managed_by_kube_scheduler(
    stories: dict[str, dict[str, Any]], which: str
) -> None:
    assert ("kube-scheduler", "status") in stories[which]["managers"]
    assert stories[which]["event managers"] == {"kube-scheduler"}


@pytest.mark.parametrize("which", TARGETS)
def test_binding_leaves_a_condition_of_only_type_status_and_times(
    stories: dict[str, dict[str, Any]], which: str
) -> None:
    bound = stories[which]["bound"]
    assert set(bound) == {"type", "status", "lastProbeTime", "lastTransitionTime"}
    assert (bound["status"], bound["lastProbeTime"]) == ("True", None)
