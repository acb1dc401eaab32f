"""The protobuf bodies kubectl's typed clients send are read as their JSON forms."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from mlkube.engine.errors import BadRequest
from mlkube.server.protobuf import decode_object


def _varint(n: int) -> bytes:
    out = bytearray()
    n &= 2**64 - 1
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value: bytes | int) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _entry(number: int, key: str, value: bytes) -> bytes:
    return _field(number, _field(1, key.encode()) + _field(2, value))


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = _field(1, api_version.encode()) + _field(2, kind.encode())
    return b"k8s\x00" + _field(1, type_meta) + _field(2, raw) + _field(3, b"") + _field(4, b"")


def _meta(name: str, namespace: str = "") -> bytes:
    # Go writes every non-pointer field: empty strings and a zero generation included
    return (
        _field(1, name.encode())
        + _field(2, b"")
        + _field(3, namespace.encode())
        + _field(7, 0)
        + _field(8, b"")
    )


def test_an_eviction_with_delete_options_decodes() -> None:
    options = (
        _field(1, 0)
        + _field(2, _field(1, b"uid-1") + _field(2, b""))
        + _field(4, b"Foreground")
        + _field(5, b"All")
    )
    body = _envelope("policy/v1", "Eviction", _field(1, _meta("web-0", "ml")) + _field(2, options))
    assert decode_object(body) == {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": "web-0", "namespace": "ml"},
        "deleteOptions": {
            "gracePeriodSeconds": 0,
            # a pointer field on the wire is set, even to "": Go's JSON writes it
            "preconditions": {"uid": "uid-1", "resourceVersion": ""},
            "propagationPolicy": "Foreground",
            "dryRun": ["All"],
        },
    }


def test_a_negative_grace_period_keeps_its_sign() -> None:
    body = _envelope("policy/v1", "Eviction", _field(2, _field(1, -1)))
    assert decode_object(body)["deleteOptions"]["gracePeriodSeconds"] == -1


def test_a_configmap_from_kubectl_create_configmap_decodes() -> None:
    raw = (
        _field(1, _meta("settings") + _entry(11, "app", b"web"))
        + _entry(2, "mode", b"fast")
        + _entry(3, "blob", b"\x00\x01")
    )
    assert decode_object(_envelope("v1", "ConfigMap", raw)) == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "labels": {"app": "web"}},
        "data": {"mode": "fast"},
        "binaryData": {"blob": base64.b64encode(b"\x00\x01").decode()},
    }


def test_secret_data_is_base64_and_a_false_pointer_bool_is_kept() -> None:
    raw = (
        _field(1, _meta("creds"))
        + _entry(2, "password", b"hunter2")
        + _field(3, b"Opaque")
        + _field(5, 0)
    )
    assert decode_object(_envelope("v1", "Secret", raw)) == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds"},
        "data": {"password": base64.b64encode(b"hunter2").decode()},
        "type": "Opaque",
        "immutable": False,
    }


def test_a_namespace_keeps_its_empty_spec_and_status_as_go_json_does() -> None:
    body = _envelope("v1", "Namespace", _field(1, _meta("ml")) + _field(2, b"") + _field(3, b""))
    assert decode_object(body) == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "ml"},
        "spec": {},
        "status": {},
    }


def test_a_kind_it_does_not_read_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        decode_object(_envelope("networking.k8s.io/v1", "Ingress", b""))


def test_a_body_without_the_envelope_is_400() -> None:
    with pytest.raises(BadRequest):
        decode_object(b'{"kind":"Eviction"}')


GOLDEN = Path(__file__).parent / "golden" / "protobuf"


def _without_nulls(value: Any) -> Any:
    """kubectl v1.32 writes a zero ``creationTimestamp`` as null; v1.37 types leave it out."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in GOLDEN.glob("*.pb")), ids=lambda n: f"kubectl create {n}"
)
def test_what_kubectl_create_sends_decodes_to_the_json_kubectl_prints(name: str) -> None:
    # <name>.pb: the body kubectl v1.32 sent (its -v=9 dump); <name>.json: the same object
    # from --dry-run=client -o json.
    body = (GOLDEN / f"{name}.pb").read_bytes()
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    assert decode_object(body) == _without_nulls(expected)


def test_every_kubectl_create_subcommand_has_a_golden_body() -> None:
    assert {p.stem for p in GOLDEN.glob("*.pb")} >= {
        "deployment",
        "job",
        "cronjob",
        "namespace",
        "configmap",
        "secret-generic",
        "service-clusterip",
        "serviceaccount",
        "priorityclass",
        "quota",
        "role",
        "rolebinding",
    }
