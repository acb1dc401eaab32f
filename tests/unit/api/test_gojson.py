"""Go's decoding errors for values of the wrong JSON type; every expected message is what
kube-apiserver v1.37 answered for the same body (checked against the real control plane)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkube.api.gojson import type_error

QUANTITY = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)


def _pod(meta: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "t", **(meta or {})},
        "spec": {"containers": [{"name": "m", "image": "x"}], **spec},
    }


def _container(**fields: Any) -> list[dict[str, Any]]:
    return [{"name": "m", "image": "x", **fields}]


CASES = [
    pytest.param(
        "v1",
        "Pod",
        _pod({"labels": {"a": True}}),
        "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type "
        "string",
        id="a boolean label value is a bool where Go wants a string",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod({"labels": {"a": 1.5}}),
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
        "string",
        id="a number label value is a number where Go wants a string",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod({"labels": ["x"]}),
        "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type "
        "map[string]string",
        id="labels as a list are an array where Go wants a map",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod({"name": 5}),
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type "
        "string",
        id="a numeric name is refused",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod(terminationGracePeriodSeconds="5"),
        "json: cannot unmarshal string into Go struct field PodSpec.spec."
        "terminationGracePeriodSeconds of type int64",
        id="a pointer field names the type it points to",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod(terminationGracePeriodSeconds=1.5),
        "json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec."
        "terminationGracePeriodSeconds of type int64",
        id="a fraction for an integer prints the number",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod(containers=_container(ports=[{"containerPort": -5000000000}])),
        "json: cannot unmarshal number -5000000000 into Go struct field ContainerPort.spec."
        "containers.ports.containerPort of type int32",
        id="an integer beyond int32 prints the number",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod(containers="x"),
        "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type "
        "[]v1.Container",
        id="a string for a list of containers names the slice type",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod(restartPolicy=5),
        "json: cannot unmarshal number into Go struct field PodSpec.spec.restartPolicy of type "
        "v1.RestartPolicy",
        id="a named string type is named as Go names it",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod(containers=_container(args=[1])),
        "json: cannot unmarshal number into Go struct field Container.spec.containers.args of "
        "type string",
        id="an element of a list of strings has no index in the path",
    ),
    pytest.param(
        "v1",
        "Pod",
        {"apiVersion": "v1", "kind": "Pod", "metadata": "x"},
        "json: cannot unmarshal string into Go struct field Pod.metadata of type v1.ObjectMeta",
        id="metadata that is not an object",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod({"creationTimestamp": 5}),
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata."
        "creationTimestamp of type string",
        id="a time decodes a string first",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod({"ownerReferences": [{"uid": 5}]}),
        "json: cannot unmarshal number into Go struct field OwnerReference.metadata."
        "ownerReferences.uid of type types.UID",
        id="a uid is a types.UID",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod({"labels": {"a": True}}, restartPolicy=5),
        "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type "
        "string",
        id="the first mismatch in document order is reported",
    ),
    pytest.param(
        "v1",
        "Pod",
        _pod({"labels": {"a": True}}, containers=_container(resources={"limits": {"cpu": True}})),
        QUANTITY,
        id="a quantity that is not text stops decoding and wins over an earlier mismatch",
    ),
    pytest.param(
        "apps/v1",
        "Deployment",
        {"spec": {"replicas": 2.0}},
        "json: cannot unmarshal number 2.0 into Go struct field DeploymentSpec.spec.replicas "
        "of type int32",
        id="a whole number written as a fraction is not an int32",
    ),
    pytest.param(
        "apps/v1",
        "Deployment",
        {"spec": {"strategy": {"rollingUpdate": {"maxUnavailable": True}}}},
        "json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec."
        "strategy.rollingUpdate.maxUnavailable of type int32",
        id="an int-or-string that is neither decodes as an int32",
    ),
    pytest.param(
        "v1",
        "Secret",
        {"data": {"a": 1}},
        "json: cannot unmarshal number into Go struct field Secret.data of type []uint8",
        id="secret data are bytes",
    ),
    pytest.param(
        "v1",
        "ConfigMap",
        {"data": {"a": 1}},
        "json: cannot unmarshal number into Go struct field ConfigMap.data of type string",
        id="configmap data are strings",
    ),
    pytest.param(
        "v1",
        "Service",
        {"spec": {"ports": [{"port": 80, "targetPort": True}]}},
        "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of "
        "type int32",
        id="a service's targetPort is an int-or-string",
    ),
    pytest.param(
        "batch/v1",
        "Job",
        {"metadata": {"labels": {"a": True}}},
        "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type "
        "string",
        id="every kind's metadata is an ObjectMeta",
    ),
]


@pytest.mark.parametrize(("api_version", "kind", "body", "message"), CASES)
def test_a_value_of_the_wrong_type_gets_gos_message(
    api_version: str, kind: str, body: dict[str, Any], message: str
) -> None:
    assert type_error(api_version, kind, body) == message


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(_pod({"labels": {"a": None}}), id="null is a value of every type"),
        pytest.param(_pod(terminationGracePeriodSeconds=30), id="an integer fits an int64"),
        pytest.param(
            _pod(containers=_container(resources={"limits": {"cpu": 1}})),
            id="a number is a quantity",
        ),
        pytest.param(_pod(unknownField=True), id="an unknown field is not a type error"),
        pytest.param(
            {"spec": {"strategy": {"rollingUpdate": {"maxUnavailable": "25%"}}}},
            id="an int-or-string may be a string",
        ),
    ],
)
def test_values_of_the_right_type_pass(body: dict[str, Any]) -> None:
    kind = ("apps/v1", "Deployment") if "strategy" in body.get("spec", {}) else ("v1", "Pod")
    assert type_error(*kind, body) is None


def test_a_kind_without_go_types_has_no_type_errors() -> None:
    assert type_error("example.com/v1", "Widget", {"spec": {"a": True}}) is None


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=6,
)
_FIELDS = st.sampled_from(
    [
        ("metadata", "labels"),
        ("metadata", "name"),
        ("metadata", "ownerReferences"),
        ("spec", "containers"),
        ("spec", "terminationGracePeriodSeconds"),
        ("spec", "hostNetwork"),
        ("spec", "tolerations"),
        ("spec", "overhead"),
        ("status", "startTime"),
    ]
)


@given(field=_FIELDS, value=_JSON_VALUES)
def test_the_fast_check_and_the_walk_that_writes_the_message_agree(
    field: tuple[str, str], value: Any
) -> None:
    from mlkube.api.gojson import _Abort, _compiled, _data, _fits, _Walk

    body: dict[str, Any] = {field[0]: {field[1]: value}}
    walk = _Walk(_data()["types"])
    try:
        walk.value(_data()["kinds"]["v1/Pod"], body, "", ())
        found = walk.first is not None
    except _Abort:  # a self-decoding type's error is an error found too
        found = True
    assert _fits(_compiled(_data()["kinds"]["v1/Pod"]), body) is not found


def _pod_with(requests: object, labels: object = None) -> dict[str, object]:
    meta: dict[str, object] = {"name": "p"}
    if labels is not None:
        meta["labels"] = labels
    container = {"name": "m", "image": "x", "resources": {"requests": requests}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": [container]},
    }


@pytest.mark.parametrize(
    ("api_version", "kind", "body", "expected"),
    [
        pytest.param(
            "v1",
            "Pod",
            _pod_with({"cpu": "500m", "memory": 1e9}),
            True,
            id="a well-typed pod with good quantities decodes",
        ),
        pytest.param(
            "v1",
            "Pod",
            _pod_with({"cpu": "lots"}),
            False,
            id="a quantity that does not parse fails",
        ),
        pytest.param(
            "v1", "Pod", _pod_with({"cpu": True}), False, id="a quantity that is a boolean fails"
        ),
        pytest.param(
            "v1",
            "Pod",
            _pod_with({"cpu": "1"}, {"a": 1}),
            False,
            id="a label that is a number fails",
        ),
        pytest.param(
            "example.com/v1",
            "Unknown",
            {"spec": {}},
            False,
            id="a kind without Go types is not vouched for",
        ),
    ],
)
def test_decodes_is_true_only_when_no_type_or_quantity_error_exists(
    api_version: str, kind: str, body: dict[str, object], expected: bool
) -> None:
    from mlkube.api import gojson, schema

    assert gojson.decodes(api_version, kind, body) is expected
    if expected:
        assert gojson.type_error(api_version, kind, body) is None
        assert schema.quantity_error(api_version, kind, body) is None


def test_the_go_types_and_the_openapi_schema_hold_quantities_at_the_same_fields() -> None:
    # decodes() checks quantities along the Go types, quantity_error along the schema; the
    # apiserver trusts the first for both only because the two agree on where quantities are.
    from mlkube.api import gojson
    from mlkube.api.schema import _Walk, _walk_root

    def agree(walk: _Walk, key: str, path: str, seen: set[tuple[int, str]]) -> list[str]:
        if walk.free or (id(walk), key) in seen:
            return []
        seen.add((id(walk), key))
        entry = gojson.go_type(key)
        shape = entry["shape"]
        if walk.quantity or shape == "quantity":
            return [] if walk.quantity and shape == "quantity" else [path]
        out: list[str] = []
        if shape == "struct":
            for name, sub in (walk.props or {}).items():
                if name in entry["fields"]:
                    out += agree(sub, entry["fields"][name], f"{path}.{name}", seen)
                elif sub.has_quantity:
                    out.append(f"{path}.{name}")
        elif shape == "slice" and walk.items is not None:
            out += agree(walk.items, entry["elem"], f"{path}[]", seen)
        elif shape == "map" and walk.extra is not None:
            out += agree(walk.extra, entry["elem"], f"{path}{{}}", seen)
        elif walk.has_quantity:
            out.append(path)
        return out

    disagreements: list[str] = []
    checked = 0
    for api_version, kind in sorted(gojson.kinds()):
        root, key = _walk_root(api_version, kind), gojson.kind_type(api_version, kind)
        if root is not None and key is not None:
            checked += 1
            disagreements += agree(root, key, f"{api_version}/{kind}", set())
    assert checked > 20
    assert disagreements == []
