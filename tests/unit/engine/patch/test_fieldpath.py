"""Field paths and the fieldsV1 encoding.

Cases from ``sigs.k8s.io/structured-merge-diff/v6/fieldpath/serialize_test.go``,
``element_test.go`` and ``path_test.go``, and the managedFields example of api-machinery.md §5.4.
"""

from __future__ import annotations

import json

import pytest

from mlkube.engine.patch import fieldpath as fp

WEB = fp.key({"name": "web"})
PORT_80 = fp.key({"protocol": "TCP", "containerPort": 80})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param((fp.field("spec"), fp.field("replicas")), ".spec.replicas", id="fields"),
        pytest.param(
            (
                fp.field("spec"),
                fp.field("template"),
                fp.field("spec"),
                fp.field("containers"),
                WEB,
                fp.field("image"),
            ),
            '.spec.template.spec.containers[name="web"].image',
            id="a list-map item prints its key with the string quoted",
        ),
        pytest.param(
            (fp.field("spec"), fp.field("ports"), fp.key({"protocol": "TCP", "port": 80})),
            '.spec.ports[port=80,protocol="TCP"]',
            id="several key fields print sorted by name",
        ),
        pytest.param(
            (fp.field("metadata"), fp.field("finalizers"), fp.value("x")),
            '.metadata.finalizers[="x"]',
            id="a set item prints as [=value]",
        ),
        pytest.param((fp.index(3),), "[3]", id="an index prints bare"),
    ],
)
def test_path_string(path: fp.Path, expected: str) -> None:
    assert fp.path_string(path) == expected


REFERENCE_FIELDS_V1 = (
    '{"f:spec":{"f:replicas":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},'
    '"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:name":{},'
    '"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},'
    '"f:containerPort":{}}}}}}}}}'
)

CONTAINER = (fp.field("spec"), fp.field("template"), fp.field("spec"), fp.field("containers"), WEB)
REFERENCE_SET = {
    (fp.field("spec"), fp.field("replicas")),
    (
        fp.field("spec"),
        fp.field("template"),
        fp.field("metadata"),
        fp.field("labels"),
        fp.field("app"),
    ),
    CONTAINER,
    (*CONTAINER, fp.field("name")),
    (*CONTAINER, fp.field("image")),
    (*CONTAINER, fp.field("ports"), PORT_80),
    (*CONTAINER, fp.field("ports"), PORT_80, fp.field("containerPort")),
}


def test_serialize_writes_upstreams_trie_in_upstreams_order() -> None:
    encoded = json.dumps(fp.serialize(REFERENCE_SET), separators=(",", ":"))
    assert encoded == REFERENCE_FIELDS_V1


def test_deserialize_reads_back_the_same_set() -> None:
    assert fp.deserialize(json.loads(REFERENCE_FIELDS_V1)) == REFERENCE_SET


@pytest.mark.parametrize(
    "fields_v1",
    [
        pytest.param({"x:foo": {}}, id="an unknown prefix"),
        pytest.param({"f:a": 1}, id="a child that is not an object"),
        pytest.param({"k:[1]": {}}, id="a key that is not a JSON object"),
    ],
)
def test_deserialize_rejects_malformed_fields(fields_v1: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        fp.deserialize(fields_v1)


def test_a_set_value_serializes_as_json() -> None:
    paths = {(fp.field("metadata"), fp.field("finalizers"), fp.value("example.com/f"))}
    assert fp.serialize(paths) == {"f:metadata": {"f:finalizers": {'v:"example.com/f"': {}}}}
