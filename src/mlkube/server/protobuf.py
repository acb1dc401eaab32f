"""Just enough of Kubernetes' protobuf encoding to read the bodies kubectl's typed clients send.

kubectl's typed clients (``kubectl create namespace|configmap|secret|serviceaccount``, the
evictions of ``kubectl drain``) send request bodies as ``application/vnd.kubernetes.protobuf``
and do not fall back to JSON on a 415, so a JSON-only server cannot serve them. The envelope
is ``k8s\\x00`` then a ``runtime.Unknown`` (``typeMeta`` = 1 with ``apiVersion`` = 1 and
``kind`` = 2, ``raw`` = 2, ``k8s.io/apimachinery/pkg/runtime/generated.proto``). The messages
below carry the field numbers of ``k8s.io/api/{core,policy}/v1/generated.proto`` and
``k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto``; any other kind is 415.

Go's protobuf marshalling writes every non-pointer field, zero or not, so zero strings,
numbers and empty lists are dropped as JSON's ``omitempty`` would drop them; the pointer
fields (``*bool`` ``immutable``, ``automountServiceAccountToken``, ``orphanDependents``,
``*int64`` ``gracePeriodSeconds``) are written only when set and are kept as written.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any, Final

from mlkube.engine.errors import BadRequest

__all__ = ["PROTOBUF", "PROTOBUF_KINDS", "decode_object"]

PROTOBUF: Final = "application/vnd.kubernetes.protobuf"
_MAGIC: Final = b"k8s\x00"
_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5

# field kinds: "string", "bytes" (base64 in JSON), "bool", "int"; "map:string", "map:bytes";
# "list:string"; a message name; "list:<message>". A "?" suffix: a pointer field, kept as
# written even when zero.
_Field = tuple[str, str]
_MESSAGES: Final[Mapping[str, Mapping[int, _Field]]] = {
    "ObjectMeta": {
        1: ("name", "string"),
        2: ("generateName", "string"),
        3: ("namespace", "string"),
        5: ("uid", "string"),
        6: ("resourceVersion", "string"),
        11: ("labels", "map:string"),
        12: ("annotations", "map:string"),
        13: ("ownerReferences", "list:OwnerReference"),
        14: ("finalizers", "list:string"),
    },
    "OwnerReference": {
        1: ("kind", "string"),
        3: ("name", "string"),
        4: ("uid", "string"),
        5: ("apiVersion", "string"),
        6: ("controller", "bool?"),
        7: ("blockOwnerDeletion", "bool?"),
    },
    "DeleteOptions": {
        1: ("gracePeriodSeconds", "int?"),
        2: ("preconditions", "Preconditions"),
        3: ("orphanDependents", "bool?"),
        4: ("propagationPolicy", "string"),
        5: ("dryRun", "list:string"),
    },
    "Preconditions": {1: ("uid", "string"), 2: ("resourceVersion", "string")},
    "Eviction": {1: ("metadata", "ObjectMeta"), 2: ("deleteOptions", "DeleteOptions")},
    "ConfigMap": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "map:string"),
        3: ("binaryData", "map:bytes"),
        4: ("immutable", "bool?"),
    },
    "Secret": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "map:bytes"),
        3: ("type", "string"),
        4: ("stringData", "map:string"),
        5: ("immutable", "bool?"),
    },
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec")},
    "NamespaceSpec": {1: ("finalizers", "list:string")},
    "ServiceAccount": {
        1: ("metadata", "ObjectMeta"),
        2: ("secrets", "list:ObjectReference"),
        3: ("imagePullSecrets", "list:LocalObjectReference"),
        4: ("automountServiceAccountToken", "bool?"),
    },
    "ObjectReference": {
        1: ("kind", "string"),
        2: ("namespace", "string"),
        3: ("name", "string"),
        4: ("uid", "string"),
        5: ("apiVersion", "string"),
        6: ("resourceVersion", "string"),
        7: ("fieldPath", "string"),
    },
    "LocalObjectReference": {1: ("name", "string")},
}
#: (apiVersion, kind) of the top-level objects this module reads.
PROTOBUF_KINDS: Final = frozenset(
    {
        ("policy/v1", "Eviction"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "Namespace"),
        ("v1", "ServiceAccount"),
    }
)


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(data):
            raise BadRequest("protobuf: truncated varint")
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, i = _varint(data, i)
            yield number, value
        elif wire == _LEN:
            size, i = _varint(data, i)
            if i + size > len(data):
                raise BadRequest("protobuf: truncated field")
            yield number, data[i : i + size]
            i += size
        elif wire == _I64:
            i += 8
        elif wire == _I32:
            i += 4
        else:
            raise BadRequest(f"protobuf: unsupported wire type {wire}")


def _text(value: int | bytes) -> str:
    if not isinstance(value, bytes):
        raise BadRequest("protobuf: a string field holds a number")
    return value.decode("utf-8")


def _int(value: int | bytes) -> int:
    if isinstance(value, bytes):
        raise BadRequest("protobuf: a number field holds bytes")
    return value - (1 << 64) if value >= 1 << 63 else value


def _message(name: str, data: bytes) -> dict[str, Any]:
    fields = _MESSAGES[name]
    out: dict[str, Any] = {}
    for number, value in _fields(data):
        spec = fields.get(number)
        if spec is None:
            continue
        key, kind = spec
        pointer = kind.endswith("?")
        kind = kind.rstrip("?")
        if kind == "string":
            text = _text(value)
            if text:
                out[key] = text
        elif kind == "bool":
            flag = bool(_int(value))
            if flag or pointer:
                out[key] = flag
        elif kind == "int":
            number_value = _int(value)
            if number_value or pointer:
                out[key] = number_value
        elif kind.startswith("map:"):
            entry: dict[int, int | bytes] = dict(_fields(_bytes(value)))
            raw = entry.get(2, b"")
            item = base64.b64encode(_bytes(raw)).decode() if kind == "map:bytes" else _text(raw)
            out.setdefault(key, {})[_text(entry.get(1, b""))] = item
        elif kind == "list:string":
            out.setdefault(key, []).append(_text(value))
        elif kind.startswith("list:"):
            out.setdefault(key, []).append(_message(kind[5:], _bytes(value)))
        else:
            nested = _message(kind, _bytes(value))
            if nested:
                out[key] = nested
    return out


def _bytes(value: int | bytes) -> bytes:
    if not isinstance(value, bytes):
        raise BadRequest("protobuf: a message field holds a number")
    return value


def decode_object(body: bytes) -> dict[str, Any]:
    """A protobuf-encoded object as its JSON form.

    Raises :class:`LookupError` for a kind outside :data:`PROTOBUF_KINDS` (the caller answers
    415) and :class:`BadRequest` for a body that is not a Kubernetes protobuf envelope.
    """
    if not body.startswith(_MAGIC):
        raise BadRequest("provided object is not a protobuf-encoded object")
    api_version = kind = ""
    raw = b""
    for number, value in _fields(body[len(_MAGIC) :]):
        if number == 1:
            for n, v in _fields(_bytes(value)):
                if n == 1:
                    api_version = _text(v)
                elif n == 2:
                    kind = _text(v)
        elif number == 2:
            raw = _bytes(value)
    if (api_version, kind) not in PROTOBUF_KINDS:
        raise LookupError(f"{api_version}/{kind}")
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    decoded = _message(kind, raw)
    obj["metadata"] = decoded.pop("metadata", {})
    obj.update(decoded)
    return obj
