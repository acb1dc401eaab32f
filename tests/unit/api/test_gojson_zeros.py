"""The zero values Go's encoding writes for fields without ``omitempty``.

kube-apiserver v1.37.2 encodes every stored object from Go structs, so a field a client left
out is stored with its zero value unless ``omitempty`` (or ``omitzero``) drops it: a core
Event gets ``reportingComponent: ""`` and ``source: {}``, a node ten empty ``nodeInfo``
strings and ``daemonEndpoints: {kubeletEndpoint: {Port: 0}}``, an EndpointSlice
``endpoints: null``; and a scalar with ``omitempty`` is left out when zero
(``minReadySeconds: 0``). ``tools/gen_gotypes`` marshals each struct's zero value with
``encoding/json`` (``zeros`` in gotypes.json) and lists its ``omitempty`` scalars
(``empties``); these tests pin its answer for the kinds the engine writes and what
:func:`fill_zeros` does with it (``tests/e2e/test_zero_values.py`` checks both clusters).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.api import gojson, schema

_CORE = "k8s.io/api/core/v1."
_NODE_INFO = (
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


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param(
            _CORE + "Event",
            {
                "metadata": {},
                "involvedObject": {},
                "source": {},
                "reportingComponent": "",
                "reportingInstance": "",
                "eventTime": None,
                "firstTimestamp": None,
                "lastTimestamp": None,
            },
            id="a core Event: two strings, two structs and three times",
        ),
        pytest.param(
            "k8s.io/api/events/v1.Event",
            {
                "metadata": {},
                "regarding": {},
                "deprecatedSource": {},
                "eventTime": None,
                "deprecatedFirstTimestamp": None,
                "deprecatedLastTimestamp": None,
            },
            id="an events.k8s.io Event: its reporting fields are omitempty",
        ),
        pytest.param(
            _CORE + "NodeStatus",
            {
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
                "nodeInfo": dict.fromkeys(_NODE_INFO, ""),
            },
            id="a node's status: the kubelet's port and ten strings of system info",
        ),
        pytest.param(
            _CORE + "ContainerStatus",
            {
                "name": "",
                "state": {},
                "lastState": {},
                "ready": False,
                "restartCount": 0,
                "image": "",
                "imageID": "",
            },
            id="a container status: its booleans and counts are not omitempty",
        ),
        pytest.param(
            _CORE + "Container", {"name": "", "resources": {}}, id="a container's resources"
        ),
        pytest.param(
            "k8s.io/api/discovery/v1.EndpointSlice",
            {"metadata": {}, "addressType": "", "endpoints": None, "ports": None},
            id="an EndpointSlice: two nil lists",
        ),
        pytest.param(
            "k8s.io/api/discovery/v1.Endpoint",
            {"addresses": None, "conditions": {}},
            id="an endpoint's conditions are a struct",
        ),
        pytest.param(
            "k8s.io/api/coordination/v1.Lease",
            {"metadata": {}, "spec": {}},
            id="a Lease: every spec field is a pointer",
        ),
        pytest.param(
            "k8s.io/api/policy/v1.PodDisruptionBudgetStatus",
            {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0},
            id="a disruption budget's four counts",
        ),
        pytest.param(
            "k8s.io/api/batch/v1.JobStatus", {}, id="a Job's status counts are all omitempty"
        ),
        pytest.param(
            "k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta",
            {},
            id="metadata has none: creationTimestamp is omitzero",
        ),
    ],
)
def test_the_go_types_say_what_go_writes_for_unset_fields(
    key: str, expected: dict[str, Any]
) -> None:
    assert dict(gojson.zero_fields(key)) == expected


def _event(**fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, **fields}


def _node(status: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}, "status": status}


def _slice(**fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": "s"},
        "addressType": "IPv4",
        **fields,
    }


def _filled(api_version: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    gojson.fill_zeros(api_version, kind, body)
    return body


def test_a_core_event_gets_its_reporting_fields_and_source() -> None:
    event = _filled("v1", "Event", _event(reason="X", involvedObject={"kind": "Pod"}))
    assert {k: event[k] for k in ("reportingComponent", "reportingInstance", "source")} == {
        "reportingComponent": "",
        "reportingInstance": "",
        "source": {},
    }


def test_values_already_set_are_kept() -> None:
    body = _event(reportingComponent="kubelet", source={"component": "kubelet", "host": "n"})
    event = _filled("v1", "Event", copy.deepcopy(body))
    assert (event["reportingComponent"], event["source"]) == ("kubelet", body["source"])


def test_a_struct_present_in_part_gets_the_rest_of_its_zero_fields() -> None:
    node = _filled("v1", "Node", _node({"nodeInfo": {"architecture": "amd64"}}))
    assert node["status"]["nodeInfo"] == {
        **dict.fromkeys(_NODE_INFO, ""),
        "architecture": "amd64",
    }
    assert node["status"]["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 0}}


def test_a_node_without_a_status_gets_the_zero_status() -> None:
    node = _filled("v1", "Node", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}})
    assert node["spec"] == {}
    assert node["status"] == {
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
        "nodeInfo": dict.fromkeys(_NODE_INFO, ""),
    }


def test_each_struct_filled_in_is_a_copy_of_its_own() -> None:
    one = _filled("v1", "Node", _node({}))
    two = _filled("v1", "Node", _node({}))
    one["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] = 10250
    assert two["status"]["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 0}}
    assert gojson.zero_fields(_CORE + "NodeStatus")["daemonEndpoints"] == {
        "kubeletEndpoint": {"Port": 0}
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({}, {"endpoints": None, "ports": None}, id="absent lists are null"),
        pytest.param(
            {"endpoints": [], "ports": []},
            {"endpoints": None, "ports": None},
            id="empty lists are null too (protobuf has no empty list)",
        ),
        pytest.param(
            {"ports": [{"port": 80}]},
            {"endpoints": None, "ports": [{"port": 80}]},
            id="a list with items is kept",
        ),
    ],
)
def test_an_endpoint_slices_lists_are_null_unless_they_have_items(
    fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    stored = _filled("discovery.k8s.io/v1", "EndpointSlice", _slice(**fields))
    assert {k: stored[k] for k in ("endpoints", "ports")} == expected


def test_an_empty_list_with_omitempty_is_left_to_the_decoder() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "ports": []}]},
    }
    container = _filled("v1", "Pod", pod)["spec"]["containers"][0]
    assert container == {"name": "c", "ports": [], "resources": {}}


def test_structs_behind_pointers_stay_absent() -> None:
    event = _filled("v1", "Event", _event())
    assert "series" not in event
    assert "related" not in event
    pod = _filled(
        "v1",
        "Pod",
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}},
    )
    assert "securityContext" not in pod["spec"]
    assert "affinity" not in pod["spec"]


def test_a_kind_without_go_types_is_left_as_it_is() -> None:
    body = {"apiVersion": "example.com/v1", "kind": "Thing", "spec": {"a": ""}}
    assert _filled("example.com/v1", "Thing", copy.deepcopy(body)) == body


def test_decoding_a_body_drops_a_null_and_writes_back_the_zero_value() -> None:
    # clean_body drops null fields (Go leaves them unset), then writes back what Go encodes
    body = _event(reportingComponent=None, source=None, reason="X")
    schema.clean_body("v1", "Event", body)
    assert (body["reportingComponent"], body["source"]) == ("", {})


@pytest.mark.parametrize(
    ("definition", "prop", "zero"),
    [
        pytest.param("io.k8s.api.core.v1.Event", "reportingComponent", "", id="an Event's string"),
        pytest.param("io.k8s.api.core.v1.DaemonEndpoint", "Port", 0, id="the kubelet's port"),
        pytest.param("io.k8s.api.core.v1.ContainerStatus", "ready", False, id="a boolean"),
    ],
)
def test_the_schema_marks_scalar_zeros_for_the_typed_comparison(
    definition: str, prop: str, zero: Any
) -> None:
    # managedFields count only what differs from the typed (zero-filled) live object
    node = schema.definition(definition)["properties"][prop]
    assert node["x-mlkube-zero"] == zero
    assert type(node["x-mlkube-zero"]) is type(zero)


def test_a_list_map_key_with_a_default_is_not_marked_zero() -> None:
    # Container.name keys its list by its default; SSA keeps keying by it
    node = schema.definition("io.k8s.api.core.v1.Container")["properties"]["name"]
    assert "x-mlkube-zero" not in node


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param(
            "k8s.io/api/apps/v1.ReplicaSetSpec", ("minReadySeconds",), id="a replica set's spec"
        ),
        pytest.param(
            _CORE + "ContainerStatus",
            ("containerID",),
            id="a container status: only its ID is omitempty",
        ),
        pytest.param(
            "k8s.io/api/batch/v1.JobStatus",
            ("active", "completedIndexes", "failed", "succeeded"),
            id="a Job's counts and indexes (ready and terminating are pointers)",
        ),
        pytest.param(
            "k8s.io/api/core/v1.EventSource", ("component", "host"), id="an event's source"
        ),
    ],
)
def test_the_go_types_say_which_scalars_omitempty_drops_when_zero(
    key: str, expected: tuple[str, ...]
) -> None:
    assert tuple(gojson.go_type(key).get("empties") or ()) == expected


def _replica_set(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"}, "spec": spec}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"minReadySeconds": 0}, {}, id="a zero count is left out"),
        pytest.param({"minReadySeconds": 5}, {"minReadySeconds": 5}, id="a count is kept"),
        pytest.param(
            {"replicas": 0}, {"replicas": 0}, id="a zero behind a pointer is kept (replicas: 0)"
        ),
    ],
)
def test_omitempty_scalars_are_left_out_when_zero(
    spec: dict[str, Any], expected: dict[str, Any]
) -> None:
    stored = _filled("apps/v1", "ReplicaSet", _replica_set({"selector": {}, **spec}))
    assert {k: v for k, v in stored["spec"].items() if k not in ("selector", "template")} == (
        expected
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param({"component": "", "host": ""}, {}, id="empty strings are left out"),
        pytest.param({"component": "kubelet"}, {"component": "kubelet"}, id="a string is kept"),
    ],
)
def test_omitempty_strings_are_left_out_when_empty(
    source: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert _filled("v1", "Event", _event(source=source))["source"] == expected


def test_false_is_left_out_but_a_zero_of_another_type_is_not_taken_for_it() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"hostNetwork": False, "hostPID": 0, "containers": [{"name": "c"}]},
    }
    spec = _filled("v1", "Pod", pod)["spec"]
    assert "hostNetwork" not in spec
    assert spec["hostPID"] == 0  # not a bool: the decoder reports it


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        pytest.param(av, k, id=f"{av} {k}")
        for av, k in sorted(gojson.kinds())
        if av != "meta/v1"  # DeleteOptions: no object, no metadata
    ],
)
def test_every_kind_with_go_types_is_written_with_its_zero_metadata(
    api_version: str, kind: str
) -> None:
    body: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    gojson.fill_zeros(api_version, kind, body)
    assert body["metadata"] == {}
