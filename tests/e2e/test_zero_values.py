"""Zero values as both clusters store them: kube-apiserver encodes every stored object from
Go structs, so a field without ``omitempty`` is written with its zero value when a client
leaves it out (``reportingComponent: ""`` in a core Event, ``Port: 0`` in a node's
``daemonEndpoints``, ten empty strings in its ``nodeInfo``), a struct value is never
dropped (``source: {}``, ``resources: {}``), and a nil slice without ``omitempty`` is
``null`` (``EndpointSlice.endpoints``, ``ClusterRole.rules``), an empty one too: the
protobuf kube-apiserver stores has no empty list; and a scalar with ``omitempty`` holding
its zero is left out (a replica set's ``minReadySeconds: 0``). managedFields count only what
differs from the zero-valued typed object. ``tools/gen_gotypes`` records what Go writes
(``zeros`` and ``empties`` in ``gotypes.json``) and ``mlkube.api.gojson.fill_zeros`` does it.

Most tests read what one write stores on one target and state the answer, which both
targets must give; the managedFields tests compare the two targets' answers with each other.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from mlkube.client import KubeClient
from mlkube.testing.controlplane import KWOK_NODE_TAINT, fake_node
from tests.e2e.targets import Target, eventually

pytestmark = pytest.mark.e2e

NS = "default"
TIMEOUT = 60.0
TARGETS = ["real", "embedded"]
LABELS = {"mlkube.io/test": "zero-values"}
TOLERATE_KWOK = [{"key": KWOK_NODE_TAINT["key"], "operator": "Exists"}]
NODE_INFO = (
    "architecture",
    "bootID",
    "containerRuntimeVersion",
    "kernelVersion",
    "kubeProxyVersion",
    "kubeletVersion",
    "machineID",
    "operatingSystem",
    "osImage",
    "systemUUID",
)


def _client(targets: list[Target], which: str) -> KubeClient:
    (target,) = [t for t in targets if t.name == which]
    return target.client()


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


@pytest.mark.parametrize("which", TARGETS)
def test_a_core_event_without_reporting_fields_has_them_empty_and_source_as_a_struct(
    targets: list[Target], which: str
) -> None:
    with _client(targets, which) as client:
        event = client.create(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": _name("e"), "namespace": NS},
                "involvedObject": {"kind": "Pod", "name": "nobody", "namespace": NS},
                "reason": "Probe",
                "message": "written without reporting fields",
                "type": "Normal",
            }
        )
    assert (event["reportingComponent"], event["reportingInstance"]) == ("", "")
    assert event["source"] == {}


@pytest.mark.parametrize("which", TARGETS)
def test_an_events_v1_event_has_its_deprecated_source_as_a_struct(
    targets: list[Target], which: str
) -> None:
    with _client(targets, which) as client:
        event = client.create(
            {
                "apiVersion": "events.k8s.io/v1",
                "kind": "Event",
                "metadata": {"name": _name("ev"), "namespace": NS},
                "eventTime": "2026-01-01T00:00:00.000000Z",
                "regarding": {"kind": "Pod", "name": "nobody", "namespace": NS},
                "reason": "Probe",
                "action": "Probing",
                "note": "written with the events API",
                "type": "Normal",
                "reportingController": "mlkube.io/probe",
                "reportingInstance": "probe-1",
            }
        )
    assert event["deprecatedSource"] == {}
    assert event["deprecatedFirstTimestamp"] is None
    assert event["deprecatedLastTimestamp"] is None


@pytest.mark.parametrize("which", TARGETS)
def test_a_node_created_bare_has_every_node_info_string_and_port_zero(
    targets: list[Target], which: str
) -> None:
    name = _name("bare")
    with _client(targets, which) as client:
        node = client.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
        client.delete("nodes", name)
    assert node["status"]["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 0}}
    assert node["status"]["nodeInfo"] == dict.fromkeys(NODE_INFO, "")


@pytest.mark.parametrize("which", TARGETS)
def test_a_ready_node_has_all_ten_node_info_fields(targets: list[Target], which: str) -> None:
    name = _name("ready")
    with _client(targets, which) as client:
        client.create(fake_node(name))

        def ready() -> dict[str, Any] | None:
            node = client.get("nodes", name)
            conditions = (node.get("status") or {}).get("conditions") or []
            return node if any(c["type"] == "Ready" for c in conditions) else None

        node = eventually(ready, f"node {name} Ready")
        client.delete("nodes", name)
    assert sorted(node["status"]["nodeInfo"]) == sorted(NODE_INFO)
    assert set(node["status"]["daemonEndpoints"]["kubeletEndpoint"]) == {"Port"}


@pytest.mark.parametrize("which", TARGETS)
def test_an_endpoint_slice_without_endpoints_or_ports_has_them_null(
    targets: list[Target], which: str
) -> None:
    with _client(targets, which) as client:
        bare = client.create(
            {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {"name": _name("bare"), "namespace": NS},
                "addressType": "IPv4",
            }
        )
        empty = client.create(
            {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {"name": _name("empty"), "namespace": NS},
                "addressType": "IPv4",
                "endpoints": [],
                "ports": [],
            }
        )
    for stored in (bare, empty):
        assert {k: stored.get(k, "absent") for k in ("endpoints", "ports")} == {
            "endpoints": None,
            "ports": None,
        }


@pytest.mark.parametrize("which", TARGETS)
def test_an_endpoint_with_no_conditions_has_them_as_a_struct(
    targets: list[Target], which: str
) -> None:
    with _client(targets, which) as client:
        stored = client.create(
            {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {"name": _name("one"), "namespace": NS},
                "addressType": "IPv4",
                "endpoints": [{"addresses": ["10.0.0.1"]}],
            }
        )
    assert stored["endpoints"] == [{"addresses": ["10.0.0.1"], "conditions": {}}]


@pytest.mark.parametrize("which", TARGETS)
def test_a_cluster_role_without_rules_has_them_null(targets: list[Target], which: str) -> None:
    with _client(targets, which) as client:
        bare = client.create(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": _name("bare")},
            }
        )
        empty = client.create(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": _name("empty")},
                "rules": [],
            }
        )
        for role in (bare, empty):
            client.delete("clusterroles", role["metadata"]["name"])
    assert (bare.get("rules", "absent"), empty.get("rules", "absent")) == (None, None)


@pytest.mark.parametrize("which", TARGETS)
def test_a_lease_without_a_spec_has_an_empty_one(targets: list[Target], which: str) -> None:
    with _client(targets, which) as client:
        lease = client.create(
            {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": _name("l"), "namespace": NS},
            }
        )
    assert lease["spec"] == {}


@pytest.mark.parametrize("which", TARGETS)
def test_a_pod_disruption_budget_is_created_with_four_zero_counts(
    targets: list[Target], which: str
) -> None:
    with _client(targets, which) as client:
        pdb = client.create(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": _name("pdb"), "namespace": NS},
                "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "none"}}},
            }
        )
    assert pdb["status"] == {
        "currentHealthy": 0,
        "desiredHealthy": 0,
        "disruptionsAllowed": 0,
        "expectedPods": 0,
    }


@pytest.mark.parametrize("which", TARGETS)
def test_a_container_without_resources_has_an_empty_struct(
    targets: list[Target], which: str
) -> None:
    name = _name("p")
    with _client(targets, which) as client:
        pod = client.create(
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
        client.delete("pods", name, NS)
    assert pod["spec"]["containers"][0]["resources"] == {}


@pytest.mark.parametrize("which", TARGETS)
def test_a_running_pods_container_status_has_every_field_go_writes(
    targets: list[Target], which: str
) -> None:
    node = _name("zn")
    name = _name("run")
    with _client(targets, which) as client:
        client.create(fake_node(node))
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

        pod = eventually(running, f"pod {name} Running")
        client.delete("pods", name, NS)
        client.delete("nodes", node)
    (status,) = pod["status"]["containerStatuses"]
    assert {"image", "imageID", "lastState", "name", "ready", "restartCount", "state"} <= set(
        status
    )
    assert status["lastState"] == {}


def _job_event(client: KubeClient) -> dict[str, Any]:
    """The job controller's SuccessfulCreate Event for a new Job on a new node."""
    node = _name("jn")
    name = _name("job")
    client.create(fake_node(node))
    client.create(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name, "namespace": NS},
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "tolerations": TOLERATE_KWOK,
                        "nodeSelector": {"kubernetes.io/hostname": node},
                        "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}],
                    }
                }
            },
        }
    )

    def created() -> dict[str, Any] | None:
        found = [
            e
            for e in client.list("events", NS)
            if e["involvedObject"].get("name") == name and e.get("reason") == "SuccessfulCreate"
        ]
        return found[0] if found else None

    event: dict[str, Any] = eventually(created, f"a SuccessfulCreate event for job {name}")
    client.delete("nodes", node)
    return event


@pytest.mark.parametrize("which", TARGETS)
def test_a_job_controllers_event_has_its_reporting_instance_empty(
    targets: list[Target], which: str
) -> None:
    with _client(targets, which) as client:
        event = _job_event(client)
    assert event["source"] == {"component": "job-controller"}
    assert (event["reportingComponent"], event["reportingInstance"]) == ("job-controller", "")
    assert event["eventTime"] is None


def test_both_clusters_record_the_same_managed_fields_for_the_zero_values(
    targets: list[Target],
) -> None:
    # The apiserver computes managedFields from the typed object, zero values included.
    name = _name("mf")
    bodies: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": NS},
            "involvedObject": {"kind": "Pod", "name": "nobody", "namespace": NS},
            "reason": "Probe",
            "type": "Normal",
        },
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {"name": name, "namespace": NS},
            "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.0.0.1"]}],
        },
        {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": name, "namespace": NS},
        },
    ]
    fields: dict[str, list[Any]] = {}
    for target in targets:
        with target.client() as client:
            fields[target.name] = [
                [m["fieldsV1"] for m in client.create(body)["metadata"].get("managedFields", [])]
                for body in bodies
            ]
    for real, embedded in zip(fields["real"], fields["embedded"], strict=True):
        assert embedded == real


def test_both_clusters_record_the_same_managed_fields_for_a_controllers_event(
    targets: list[Target],
) -> None:
    # reportingInstance: "" is the zero value, which the typed comparison does not count.
    fields: dict[str, Any] = {}
    for target in targets:
        with target.client() as client:
            event = _job_event(client)
            fields[target.name] = [m["fieldsV1"] for m in event["metadata"]["managedFields"]]
    assert fields["embedded"] == fields["real"]


def test_both_clusters_record_the_same_managed_fields_for_zero_scalars_in_a_status_write(
    targets: list[Target],
) -> None:
    # A new list item is added whole, zero values included (restartCount: 0, ready: false).
    name = _name("cs")
    status = {
        "name": "main",
        "image": "registry.k8s.io/pause:3.10",
        "imageID": "",
        "ready": False,
        "restartCount": 0,
        "state": {"waiting": {"reason": "Probe"}},
    }
    fields: dict[str, Any] = {}
    for target in targets:
        with target.client() as client:
            pod = client.create(
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
            pod["status"]["containerStatuses"] = [status]
            del pod["metadata"]["resourceVersion"]  # the scheduler writes its condition meanwhile
            stored = client.update_status(pod)
            client.delete("pods", name, NS)
        (entry,) = [
            m
            for m in stored["metadata"]["managedFields"]
            if m["manager"] == "mlkube" and m.get("subresource") == "status"
        ]
        fields[target.name] = entry["fieldsV1"]
        assert stored["status"]["containerStatuses"] == [{**status, "lastState": {}}]
    assert fields["embedded"] == fields["real"]


def test_a_node_status_write_owns_only_the_node_info_that_differs_from_the_zero_strings(
    targets: list[Target],
) -> None:
    # Real only: the embedded cluster's simulated kubelet writes every node's status first;
    # tests/unit/engine/test_zero_values.py pins the same answer for the embedded server.
    name = _name("info")
    with _client(targets, "real") as client:
        node = client.create(
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": LABELS}}
        )
        assert node["status"]["nodeInfo"]["bootID"] == ""
        node["status"]["nodeInfo"] = {"architecture": "amd64", "bootID": "", "machineID": ""}
        del node["metadata"]["resourceVersion"]  # the node controller taints it meanwhile
        stored = client.update_status(node)
        client.delete("nodes", name)
    (entry,) = [m for m in stored["metadata"]["managedFields"] if m.get("subresource") == "status"]
    assert stored["status"]["nodeInfo"]["kernelVersion"] == ""
    assert entry["fieldsV1"] == {"f:status": {"f:nodeInfo": {"f:architecture": {}}}}


def test_a_deployments_replica_set_is_stored_without_an_omitempty_zero(
    targets: list[Target],
) -> None:
    # The deployment controller sets minReadySeconds: 0, which omitempty leaves out.
    name = _name("dep")
    found: dict[str, dict[str, Any]] = {}
    for target in targets:
        with target.client() as client:
            client.create(
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": name, "namespace": NS},
                    "spec": {
                        "replicas": 0,
                        "selector": {"matchLabels": {"app": name}},
                        "template": {
                            "metadata": {"labels": {"app": name}},
                            "spec": {
                                "containers": [
                                    {"name": "main", "image": "registry.k8s.io/pause:3.10"}
                                ]
                            },
                        },
                    },
                }
            )

            def replica_set() -> dict[str, Any] | None:
                owned = [
                    rs
                    for rs in client.list("replicasets", NS)
                    if any(r["name"] == name for r in rs["metadata"].get("ownerReferences", []))
                ]
                return owned[0] if owned else None

            found[target.name] = eventually(replica_set, f"the replica set of {name}")
            client.delete("deployments", name, NS)
    for rs in found.values():
        assert "minReadySeconds" not in rs["spec"]
    # the deployment controller's create; the replica set controller's status may follow
    fields = {
        which: _without_uids(
            [m for m in rs["metadata"]["managedFields"] if m.get("subresource") != "status"]
        )
        for which, rs in found.items()
    }
    assert fields["embedded"] == fields["real"]


def _without_uids(managed: list[dict[str, Any]]) -> list[Any]:
    """The fieldsV1 of each entry, an owner reference's key (its uid) made alike."""
    text = json.dumps([m["fieldsV1"] for m in managed], sort_keys=True)
    return list(json.loads(re.sub(r'k:\{\\"uid\\":\\"[0-9a-f-]+\\"\}', "k:uid", text)))
