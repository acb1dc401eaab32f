"""Unset times as both clusters store them: ``metav1.Time`` and ``MicroTime`` are structs,
which ``omitempty`` never drops, so kube-apiserver encodes an unset one as ``null``
(``lastProbeTime: null`` in every pod condition, ``eventTime: null`` in a core Event),
except ``metadata.creationTimestamp``, which is ``omitzero`` and so absent from pod
templates. managedFields name the null fields too (``f:lastProbeTime``).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mlkube.client import KubeClient
from mlkube.testing.controlplane import KWOK_NODE_TAINT, fake_node
from tests.e2e.targets import Target, eventually

pytestmark = pytest.mark.e2e

NS = "default"
TIMEOUT = 60.0
TOLERATE_KWOK = [{"key": KWOK_NODE_TAINT["key"], "operator": "Exists"}]
TARGETS = ["real", "embedded"]


@pytest.fixture(scope="module")
def node(targets: list[Target]) -> str:
    name = f"nulls-{uuid.uuid4().hex[:6]}"
    for target in targets:
        with target.client() as client:
            client.create(fake_node(name))
    return name


def _client(targets: list[Target], which: str) -> KubeClient:
    (target,) = [t for t in targets if t.name == which]
    return target.client()


def _running_pod(client: KubeClient, node: str) -> dict[str, Any]:
    name = f"p-{uuid.uuid4().hex[:6]}"
    client.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": NS},
            "spec": {
                "nodeName": node,
                "tolerations": TOLERATE_KWOK,
                "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}],
            },
        }
    )

    def running() -> dict[str, Any] | None:
        pod = client.get("pods", name, NS)
        return pod if (pod.get("status") or {}).get("phase") == "Running" else None

    found: dict[str, Any] = eventually(running, f"pod {name} Running")
    return found


@pytest.mark.parametrize("which", TARGETS)
def test_every_condition_the_kubelet_writes_has_last_probe_time_null(
    targets: list[Target], node: str, which: str
) -> None:
    with _client(targets, which) as client:
        pod = _running_pod(client, node)
    conditions = pod["status"]["conditions"]
    assert conditions
    assert [c.get("lastProbeTime", "absent") for c in conditions] == [None] * len(conditions)


@pytest.mark.parametrize("which", TARGETS)
def test_times_a_status_write_leaves_unset_are_stored_as_null(
    targets: list[Target], node: str, which: str
) -> None:
    with _client(targets, which) as client:
        pod = _running_pod(client, node)
        pod["status"]["conditions"].append({"type": "mlkube.io/Probe", "status": "True"})
        pod["status"]["containerStatuses"][0]["lastState"] = {"terminated": {"exitCode": 0}}
        stored = client.update_status(pod)
    (added,) = [c for c in stored["status"]["conditions"] if c["type"] == "mlkube.io/Probe"]
    assert added == {
        "type": "mlkube.io/Probe",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": None,
    }
    assert stored["status"]["containerStatuses"][0]["lastState"] == {
        "terminated": {"exitCode": 0, "startedAt": None, "finishedAt": None}
    }
    (entry,) = [
        m
        for m in stored["metadata"]["managedFields"]
        if m["manager"] == "mlkube" and m.get("subresource") == "status"
    ]
    owned = entry["fieldsV1"]["f:status"]["f:conditions"]['k:{"type":"mlkube.io/Probe"}']
    assert owned == {
        ".": {},
        "f:lastProbeTime": {},
        "f:lastTransitionTime": {},
        "f:status": {},
        "f:type": {},
    }


@pytest.mark.parametrize("which", TARGETS)
def test_the_schedulers_unschedulable_condition_has_last_probe_time_null(
    targets: list[Target], which: str
) -> None:
    name = f"pending-{uuid.uuid4().hex[:6]}"
    with _client(targets, which) as client:
        client.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "namespace": NS},
                "spec": {
                    "nodeSelector": {"mlkube.io/nowhere": "true"},
                    "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}],
                },
            }
        )

        def scheduled_condition() -> dict[str, Any] | None:
            conditions = (client.get("pods", name, NS).get("status") or {}).get("conditions")
            return next((c for c in conditions or [] if c["type"] == "PodScheduled"), None)

        condition = eventually(scheduled_condition, f"pod {name} unschedulable")
        client.delete("pods", name, NS)
    assert (condition["status"], condition["reason"]) == ("False", "Unschedulable")
    assert "lastProbeTime" in condition
    assert condition["lastProbeTime"] is None


@pytest.mark.parametrize("which", TARGETS)
def test_a_core_event_written_without_times_has_them_null(
    targets: list[Target], which: str
) -> None:
    name = f"e-{uuid.uuid4().hex[:6]}"
    with _client(targets, which) as client:
        event = client.create(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": NS},
                "involvedObject": {"kind": "Pod", "name": "nobody", "namespace": NS},
                "reason": "Probe",
                "message": "written without times",
                "type": "Normal",
            }
        )
    times = {k: event.get(k, "absent") for k in ("eventTime", "firstTimestamp", "lastTimestamp")}
    assert times == {"eventTime": None, "firstTimestamp": None, "lastTimestamp": None}


@pytest.mark.parametrize("which", TARGETS)
def test_a_node_condition_without_a_heartbeat_has_it_null(
    targets: list[Target], which: str
) -> None:
    name = f"bare-{uuid.uuid4().hex[:6]}"
    with _client(targets, which) as client:
        node = client.create(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name},
                "status": {"conditions": [{"type": "mlkube.io/Probe", "status": "True"}]},
            }
        )
        client.delete("nodes", name)
    assert node["status"]["conditions"] == [
        {
            "type": "mlkube.io/Probe",
            "status": "True",
            "lastHeartbeatTime": None,
            "lastTransitionTime": None,
        }
    ]


@pytest.mark.parametrize("which", TARGETS)
def test_pod_templates_have_no_creation_timestamp(targets: list[Target], which: str) -> None:
    suffix = uuid.uuid4().hex[:6]
    template = {
        "metadata": {"labels": {"app": f"tpl-{suffix}"}},
        "spec": {
            "restartPolicy": "Never",
            "nodeSelector": {"mlkube.io/nowhere": "true"},
            "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}],
        },
    }
    with _client(targets, which) as client:
        job = client.create(
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": f"tpl-{suffix}", "namespace": NS},
                "spec": {"suspend": True, "template": template},
            }
        )
        deployment = client.create(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": f"tpl-{suffix}", "namespace": NS},
                "spec": {
                    "replicas": 0,
                    "selector": {"matchLabels": {"app": f"tpl-{suffix}"}},
                    "template": {
                        **template,
                        "spec": {**template["spec"], "restartPolicy": "Always"},
                    },
                },
            }
        )
        client.delete("jobs", f"tpl-{suffix}", NS)
        client.delete("deployments", f"tpl-{suffix}", NS)
    assert "creationTimestamp" not in job["spec"]["template"]["metadata"]
    assert "creationTimestamp" not in deployment["spec"]["template"]["metadata"]
