"""Namespaces, Nodes, Services, Endpoints, ConfigMaps and Secrets.

Cases from pkg/apis/core/validation/validation_test.go (TestValidateNamespace,
TestValidateNamespaceUpdate, TestValidateNamespaceStatusUpdate, TestValidateNode,
TestValidateNodeUpdate, TestValidateServiceCreate, TestValidateConfigMap,
TestValidateConfigMapUpdate, TestValidateSecret, TestValidateSecretUpdate,
TestValidateEndpointsCreate), pkg/apis/core/v1/defaults_test.go (TestSetDefaultService,
TestSetDefaultNamespace, TestSetDefaultSecret, TestSetDefaultNodeStatusAllocatable) and
pkg/registry/core/namespace/strategy_test.go (TestNamespaceStrategy).
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
from pod_builders import DNS1035_LABEL_MSG, create_errors, created, update_errors

from mlkube.engine.types import strategy_for

Obj = dict[str, Any]
NAMESPACE = strategy_for("v1", "Namespace")
NODE = strategy_for("v1", "Node")
SERVICE = strategy_for("v1", "Service")
CONFIGMAP = strategy_for("v1", "ConfigMap")
SECRET = strategy_for("v1", "Secret")
ENDPOINTS = strategy_for("v1", "Endpoints")


def namespace(name: str = "team-a", **fields: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}, **fields}


# --- Namespace ---------------------------------------------------------------------------


def test_a_created_namespace_is_active_with_the_kubernetes_finalizer_and_name_label() -> None:
    ns = created(NAMESPACE, namespace())
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["status"] == {"phase": "Active"}
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a"}


def test_the_name_label_cannot_be_overridden() -> None:
    ns = created(
        NAMESPACE,
        namespace(metadata={"name": "team-a", "labels": {"kubernetes.io/metadata.name": "x"}}),
    )
    assert ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "team-a"


def test_an_update_keeps_the_finalizers_and_status() -> None:
    old = created(NAMESPACE, namespace())
    new = copy.deepcopy(old)
    new["spec"] = {"finalizers": []}
    new["status"] = {"phase": "Terminating"}
    NAMESPACE.prepare_for_update(new, old)
    assert new["spec"] == {"finalizers": ["kubernetes"]}
    assert new["status"] == {"phase": "Active"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("team-a", [], id="a DNS label is a valid namespace name"),
        pytest.param(
            "team.a",
            ['metadata.name: Invalid value: "team.a": must not contain dots'],
            id="dots are refused",
        ),
        pytest.param(
            "a" * 64,
            [
                f'metadata.name: Invalid value: "{"a" * 64}": must be no more than 63 characters',
                f'metadata.labels: Invalid value: "{"a" * 64}": must be no more than 63 bytes',
            ],
            id="a long name fails as a name and as the name label",
        ),
    ],
)
def test_namespace_names(name: str, expected: list[str]) -> None:
    assert create_errors(NAMESPACE, namespace(name)) == expected


def test_a_namespace_is_cluster_scoped() -> None:
    assert create_errors(NAMESPACE, namespace(metadata={"name": "a", "namespace": "b"})) == [
        "metadata.namespace: Forbidden: not allowed on this type"
    ]


def test_a_non_standard_unqualified_finalizer_is_refused() -> None:
    assert create_errors(NAMESPACE, namespace(spec={"finalizers": ["cleanup"]})) == [
        'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor '
        "is it fully "
        "qualified"
    ]


def test_a_namespace_cannot_be_renamed() -> None:
    old = created(NAMESPACE, namespace())
    new = copy.deepcopy(old)
    new["metadata"]["name"] = "team-b"
    assert update_errors(NAMESPACE, new, old) == [
        'metadata.name: Invalid value: "team-b": field is immutable'
    ]


def test_a_namespace_status_may_only_be_active_without_a_deletion_timestamp() -> None:
    old = created(NAMESPACE, namespace())
    new = copy.deepcopy(old)
    new["status"]["phase"] = "Terminating"
    NAMESPACE.prepare_for_status_update(new, old)
    assert [e.error() for e in NAMESPACE.validate_status_update(new, old)] == [
        "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if "
        "`deletionTimestamp` is empty"
    ]


# --- Node --------------------------------------------------------------------------------


def node(*taints: Obj, **status: Any) -> Obj:
    obj: Obj = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "gpu-0"},
        "spec": {"taints": list(taints)},
    }
    if status:
        obj["status"] = status
    return obj


@pytest.mark.parametrize(
    ("taints", "expected"),
    [
        pytest.param(
            [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
            [],
            id="a GPU taint is valid",
        ),
        pytest.param(
            [{"key": "gpu", "value": "a"}],
            ["metadata.taints[0].effect: Required value"],
            id="a taint needs an effect",
        ),
        pytest.param(
            [{"key": "gpu", "effect": "NoRun"}],
            [
                'metadata.taints[0].effect: Unsupported value: "NoRun": supported values: '
                '"NoSchedule", '
                '"PreferNoSchedule", "NoExecute"'
            ],
            id="taint effects are enumerated",
        ),
        pytest.param(
            [
                {"key": "gpu", "value": "a", "effect": "NoSchedule"},
                {"key": "gpu", "value": "b", "effect": "NoSchedule"},
            ],
            [
                "metadata.taints[1]: Duplicate value: "
                '{"Key":"gpu","Value":"b","Effect":"NoSchedule","TimeAdded":null}: '
                "taints must be unique by key and effect pair"
            ],
            id="taints are unique by key and effect",
        ),
        pytest.param(
            [{"key": "gpu", "effect": "NoSchedule"}, {"key": "gpu", "effect": "NoExecute"}],
            [],
            id="one key may carry two effects",
        ),
    ],
)
def test_node_taints(taints: list[Obj], expected: list[str]) -> None:
    assert create_errors(NODE, node(*taints)) == expected


def test_a_node_keeps_its_status_on_create_and_allocatable_defaults_to_capacity() -> None:
    stored = created(NODE, node(capacity={"cpu": "8", "nvidia.com/gpu": "4"}))
    assert stored["status"] == {
        "capacity": {"cpu": "8", "nvidia.com/gpu": "4"},
        "allocatable": {"cpu": "8", "nvidia.com/gpu": "4"},
    }


def test_node_capacity_quantities_are_validated() -> None:
    assert create_errors(NODE, node(capacity={"nvidia.com/gpu": "1.5"})) == [
        'status.capacity.nvidia.com/gpu: Invalid value: "1500m": must be an integer',
        'status.allocatable.nvidia.com/gpu: Invalid value: "1500m": must be an integer',
    ]


def test_a_node_provider_id_cannot_change_once_set() -> None:
    old = created(NODE, node())
    old["spec"]["providerID"] = "aws:///i-1"
    new = copy.deepcopy(old)
    new["spec"]["providerID"] = "aws:///i-2"
    assert update_errors(NODE, new, old) == [
        'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid'
    ]


# --- Service -----------------------------------------------------------------------------


def service(name: str = "trainer", **spec: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "ml"},
        "spec": spec,
    }


def test_service_defaults() -> None:
    svc = created(SERVICE, service(selector={"app": "t"}, ports=[{"port": 29500}]))
    assert svc["spec"] == {
        "selector": {"app": "t"},
        "ports": [{"port": 29500, "protocol": "TCP", "targetPort": 29500}],
        "sessionAffinity": "None",
        "type": "ClusterIP",
        "internalTrafficPolicy": "Cluster",
        "ipFamilyPolicy": "SingleStack",
        "ipFamilies": ["IPv4"],
    }
    assert svc["status"] == {"loadBalancer": {}}


def test_a_node_port_service_defaults_external_traffic_policy() -> None:
    svc = created(SERVICE, service(type="NodePort", ports=[{"port": 80}]))
    assert svc["spec"]["externalTrafficPolicy"] == "Cluster"


@pytest.mark.parametrize(
    ("svc", "expected"),
    [
        pytest.param(service(ports=[{"port": 80}]), [], id="a cluster IP service is valid"),
        pytest.param(
            service(name="1trainer", ports=[{"port": 80}]),
            [f'metadata.name: Invalid value: "1trainer": {DNS1035_LABEL_MSG}'],
            id="service names are DNS-1035 labels",
        ),
        pytest.param(service(), ["spec.ports: Required value"], id="a service needs ports"),
        pytest.param(
            service(ports=[{"port": 80}, {"port": 81}]),
            ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"],
            id="several ports need names",
        ),
        pytest.param(
            service(ports=[{"port": 80, "name": "a"}, {"port": 80, "name": "b"}]),
            [
                "spec.ports[1]: Duplicate value: "
                '{"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,'
                '"TargetPort":0,"NodePort":0}'
            ],
            id="a protocol and port pair is unique",
        ),
        pytest.param(
            service(type="Mesh", ports=[{"port": 80}]),
            [
                'spec.type: Unsupported value: "Mesh": supported values: "ClusterIP", '
                '"ExternalName", "LoadBalancer", '
                '"NodePort"'
            ],
            id="service types are enumerated",
        ),
        pytest.param(
            service(ports=[{"port": 80, "nodePort": 30080}]),
            ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
            id="a cluster IP service has no node ports",
        ),
        pytest.param(
            service(clusterIP="None", clusterIPs=["None"]),
            [],
            id="a headless service needs no ports",
        ),
    ],
)
def test_service_validation(svc: Obj, expected: list[str]) -> None:
    assert create_errors(SERVICE, svc) == expected


def test_a_service_cluster_ip_may_not_change() -> None:
    old = created(SERVICE, service(ports=[{"port": 80}], clusterIP="10.0.0.10"))
    old["metadata"]["resourceVersion"] = "2"
    new = copy.deepcopy(old)
    new["spec"]["clusterIP"] = "10.0.0.11"
    new["spec"]["clusterIPs"] = ["10.0.0.11"]
    assert update_errors(SERVICE, new, old) == [
        'spec.clusterIPs[0]: Invalid value: ["10.0.0.11"]: may not change once set'
    ]


def test_endpoints_validation() -> None:
    endpoints = {
        "metadata": {"name": "trainer", "namespace": "ml"},
        "subsets": [
            {"addresses": [{"ip": "not-an-ip"}], "ports": [{"port": 80}]},
            {"ports": [{"port": 81}]},
        ],
    }
    assert create_errors(ENDPOINTS, endpoints) == [
        'subsets[0].addresses[0].ip: Invalid value: "not-an-ip": must be a valid IP address, '
        "(e.g. 10.9.8.7 or "
        "2001:db8::ffff)",
        "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`",
    ]


# --- ConfigMap and Secret ----------------------------------------------------------------


def configmap(**fields: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "ml"},
        **fields,
    }


@pytest.mark.parametrize(
    ("cm", "expected"),
    [
        pytest.param(
            configmap(data={"config.yaml": "x"}), [], id="a config map with a file is valid"
        ),
        pytest.param(
            configmap(data={"a b": "x"}),
            [
                'data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric '
                "characters, "
                "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                "validation is "
                "'[-._a-zA-Z0-9]+')"
            ],
            id="keys are config map keys",
        ),
        pytest.param(
            configmap(data={"k": "x"}, binaryData={"k": "eA=="}),
            ['data[k]: Invalid value: "k": duplicate of key present in binaryData'],
            id="a key is in data or binaryData, not both",
        ),
        pytest.param(
            configmap(data={"big": "x" * (1024 * 1024 + 1)}),
            [": Too long: may not be more than 1048576 bytes"],
            id="a config map holds at most 1 MiB",
        ),
    ],
)
def test_configmap_validation(cm: Obj, expected: list[str]) -> None:
    assert create_errors(CONFIGMAP, cm) == expected


def test_an_immutable_config_map_keeps_its_data() -> None:
    old = created(CONFIGMAP, configmap(data={"a": "1"}, immutable=True))
    new = copy.deepcopy(old)
    new["data"] = {"a": "2"}
    new["immutable"] = False
    assert update_errors(CONFIGMAP, new, old) == [
        "immutable: Forbidden: field is immutable when `immutable` is set",
        "data: Forbidden: field is immutable when `immutable` is set",
    ]


def secret(**fields: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": "ml"},
        **fields,
    }


def test_a_secret_defaults_to_opaque_and_folds_string_data_into_data() -> None:
    stored = created(SECRET, secret(stringData={"token": "abc"}))
    assert stored["type"] == "Opaque"
    assert stored["data"] == {"token": base64.b64encode(b"abc").decode()}
    assert "stringData" not in stored


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        pytest.param(
            secret(type="kubernetes.io/tls", data={"tls.crt": "eA=="}),
            ["data[tls.key]: Required value"],
            id="a TLS secret needs a key",
        ),
        pytest.param(
            secret(type="kubernetes.io/dockerconfigjson", data={}),
            ["data[.dockerconfigjson]: Required value"],
            id="a docker config secret needs its config",
        ),
        pytest.param(
            secret(data={"big": base64.b64encode(b"x" * (1024 * 1024 + 1)).decode()}),
            ["data: Too long: may not be more than 1048576 bytes"],
            id="a secret holds at most 1 MiB decoded",
        ),
    ],
)
def test_secret_validation(s: Obj, expected: list[str]) -> None:
    assert create_errors(SECRET, s) == expected


def test_a_secret_type_is_immutable() -> None:
    old = created(SECRET, secret(data={}))
    new = copy.deepcopy(old)
    new["type"] = "kubernetes.io/basic-auth"
    new["data"] = {"username": "dQ=="}
    assert update_errors(SECRET, new, old) == [
        'type: Invalid value: "kubernetes.io/basic-auth": field is immutable'
    ]
