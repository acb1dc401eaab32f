"""Writes through the embedded API server store the zero values Go writes, and managedFields
count only what differs from them, as kube-apiserver v1.37.2 answers
(``tests/e2e/test_zero_values.py``): the typed live object of a create is Go's zero value,
so ``reportingComponent: ""`` is stored but owned by nobody, while a new list item is added
whole (``f:restartCount`` of a container status written as ``0``).
"""

from __future__ import annotations

from typing import Any

from mlkube.api.registry import lookup
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster

NS = "default"


def _fields(obj: dict[str, Any], *, subresource: str = "") -> dict[str, Any]:
    (entry,) = [
        m
        for m in obj["metadata"]["managedFields"]
        if m["manager"] == "mlkube" and m.get("subresource", "") == subresource
    ]
    fields: dict[str, Any] = entry["fieldsV1"]
    return fields


def _create(c: Cluster, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    stored: dict[str, Any] = c.api.create(
        lookup(resource), body, namespace=NS, user_agent="mlkube"
    ).object
    return stored


def test_an_event_stores_its_zero_reporting_fields_and_owns_none_of_them() -> None:
    c = Cluster(clock=FakeClock())
    event = _create(
        c,
        "events",
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "e", "namespace": NS},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": NS},
            "reason": "Probe",
            "type": "Normal",
        },
    )
    assert (event["reportingComponent"], event["reportingInstance"], event["source"]) == (
        "",
        "",
        {},
    )
    assert _fields(event) == {"f:involvedObject": {}, "f:reason": {}, "f:type": {}}


def test_an_endpoint_slices_null_lists_are_owned_by_nobody() -> None:
    c = Cluster(clock=FakeClock())
    stored = _create(
        c,
        "endpointslices",
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {"name": "s", "namespace": NS, "labels": {"a": "b"}},
            "addressType": "IPv4",
            "endpoints": [],
        },
    )
    assert (stored["endpoints"], stored["ports"]) == (None, None)
    assert _fields(stored) == {
        "f:addressType": {},
        "f:metadata": {"f:labels": {".": {}, "f:a": {}}},
    }


def test_a_status_write_owns_only_the_node_info_that_differs_from_the_zero_strings() -> None:
    c = Cluster(clock=FakeClock())
    node = c.api.create(
        lookup("nodes"),
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n", "labels": {"a": "b"}}},
        user_agent="mlkube",
    ).object
    assert node["status"]["nodeInfo"]["bootID"] == ""
    node["status"]["nodeInfo"] = {"architecture": "amd64", "bootID": "", "machineID": ""}
    stored = c.api.update_status(lookup("nodes"), node, user_agent="mlkube").object
    assert stored["status"]["nodeInfo"]["kernelVersion"] == ""
    assert _fields(stored, subresource="status") == {
        "f:status": {"f:nodeInfo": {"f:architecture": {}}}
    }
