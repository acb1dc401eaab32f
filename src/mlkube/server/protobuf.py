"""Kubernetes' protobuf encoding of request bodies, read as the JSON form of the same object.

kubectl's typed clients (every ``kubectl create <kind>`` subcommand, the evictions of
``kubectl drain``) send bodies as ``application/vnd.kubernetes.protobuf`` and do not fall
back to JSON on a 415, so a JSON-only server cannot serve them. The envelope is ``k8s\\x00``
then a ``runtime.Unknown`` (``typeMeta`` = 1 with ``apiVersion`` = 1 and ``kind`` = 2,
``raw`` = 2; ``k8s.io/apimachinery/pkg/runtime/generated.proto``); ``raw`` is the object's
message.

Messages are decoded generically, by the Go types of the served kinds
(:func:`mlkube.api.gojson.go_type`): each struct's protobuf field numbers are its fields'
``protobuf`` tags, so the numbers are ``k8s.io/api``'s ``generated.proto``. The result is
what Go's JSON encoding writes for the decoded struct: gogo-protobuf writes every non-pointer
field, zero or not, and JSON's ``omitempty`` drops the zero ones again; pointer fields are
written only when set and are kept as written; an embedded struct (``VolumeSource`` in a
``Volume``) is a nested message whose fields JSON flattens. The self-encoding types follow
their ``generated.proto``: ``Quantity`` (``string`` = 1), ``Time``/``MicroTime``
(``seconds`` = 1, ``nanos`` = 2; the zero time, an empty message, is left out),
``IntOrString`` (``type`` = 1, ``intVal`` = 2, ``strVal`` = 3), ``RawExtension`` and
``FieldsV1`` (raw JSON = 1).
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from mlkube.api import gojson
from mlkube.engine.errors import BadRequest

__all__ = ["PROTOBUF", "PROTOBUF_KINDS", "decode_object"]

PROTOBUF: Final = "application/vnd.kubernetes.protobuf"
_MAGIC: Final = b"k8s\x00"
_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5
#: ``time.Time{}.Unix()``: the zero Go time on the wire.
_ZERO_TIME_SECONDS: Final = -62135596800
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
#: (apiVersion, kind) of the top-level objects this module reads.
PROTOBUF_KINDS: Final = gojson.kinds()

_Value = int | bytes


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


def _fields(data: bytes) -> Iterator[tuple[int, int, _Value]]:
    """``(number, wire type, value)``: a varint as an int, anything else as its bytes."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, i = _varint(data, i)
            yield number, wire, value
            continue
        if wire == _LEN:
            size, i = _varint(data, i)
        elif wire == _I64:
            size = 8
        elif wire == _I32:
            size = 4
        else:
            raise BadRequest(f"protobuf: unsupported wire type {wire}")
        if i + size > len(data):
            raise BadRequest("protobuf: truncated field")
        yield number, wire, data[i : i + size]
        i += size


def _bytes(value: _Value) -> bytes:
    if not isinstance(value, bytes):
        raise BadRequest("protobuf: a message field holds a number")
    return value


def _text(value: _Value) -> str:
    return _bytes(value).decode("utf-8")


def _number(value: _Value) -> int:
    if isinstance(value, bytes):
        raise BadRequest("protobuf: a number field holds bytes")
    return value


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _packed(data: bytes) -> Iterator[int]:
    i = 0
    while i < len(data):
        value, i = _varint(data, i)
        yield value


def _struct(key: str, data: bytes) -> dict[str, Any]:
    """One message as the JSON object Go writes for its struct."""
    proto: Mapping[str, Mapping[str, Any]] = gojson.go_type(key).get("proto") or {}
    out: dict[str, Any] = {}
    for number, wire, value in _fields(data):
        field = proto.get(str(number))
        if field is None:
            continue
        if field.get("inline"):
            out.update(_struct(field["type"], _bytes(value)))
            continue
        name = field["json"]
        entry = gojson.go_type(field["type"])
        if entry["shape"] == "slice":
            elem = gojson.go_type(entry["elem"])
            items = out.setdefault(name, [])
            if wire == _LEN and elem["shape"] in ("int", "uint", "bool"):
                items.extend(_scalar(elem, _VARINT, v) for v in _packed(_bytes(value)))
            else:
                items.append(_value(entry["elem"], wire, value))
        elif entry["shape"] == "map":
            pair = {n: (w, v) for n, w, v in _fields(_bytes(value))}
            map_key = _text(pair[1][1]) if 1 in pair else ""
            wire_v, raw = pair.get(2, (_LEN, b""))
            out.setdefault(name, {})[map_key] = _value(entry["elem"], wire_v, raw)
        else:
            decoded = _value(field["type"], wire, value)
            if decoded is not None:
                out[name] = decoded
    for field in proto.values():
        name = field.get("json")
        if name in out and field.get("omitempty") and not field.get("pointer"):
            shape = gojson.go_type(field["type"])["shape"]
            if shape != "struct" and out[name] in ("", 0, False, [], {}):
                del out[name]
    return out


def _value(key: str, wire: int, value: _Value) -> Any:
    entry = gojson.go_type(key)
    shape = entry["shape"]
    if shape == "struct":
        return _struct(key, _bytes(value))
    if shape == "quantity":
        fields = {n: v for n, _, v in _fields(_bytes(value))}
        return _text(fields.get(1, b""))
    if shape == "time":
        return _time(entry["go"], _bytes(value))
    if shape == "intorstring":
        fields = {n: v for n, _, v in _fields(_bytes(value))}
        if _number(fields.get(1, 0)) == 1:
            return _text(fields.get(3, b""))
        return _signed(_number(fields.get(2, 0)))
    if shape == "any":
        fields = {n: v for n, _, v in _fields(_bytes(value))}
        raw = _bytes(fields.get(1, b""))
        return json.loads(raw) if raw.strip() else None
    return _scalar(entry, wire, value)


def _scalar(entry: Mapping[str, Any], wire: int, value: _Value) -> Any:
    shape = entry["shape"]
    if shape == "string":
        return _text(value)
    if shape == "bytes":
        return base64.b64encode(_bytes(value)).decode()
    if shape == "bool":
        return bool(_number(value))
    if shape == "int":
        return _signed(_number(value))
    if shape == "uint":
        return _number(value)
    if shape == "float":
        raw = _bytes(value)
        return struct.unpack("<d" if wire == _I64 else "<f", raw)[0]
    raise BadRequest(f"protobuf: cannot read a {entry['go']}")


def _time(go_name: str, data: bytes) -> str | None:
    """``Timestamp``: RFC 3339 in UTC (``MicroTime`` with six fractional digits); the zero
    time is JSON's null (left out)."""
    if not data:
        return None  # Time.Marshal writes nothing for the zero time
    fields = {n: v for n, _, v in _fields(data)}
    seconds = _signed(_number(fields.get(1, 0)))
    nanos = _signed(_number(fields.get(2, 0)))
    if seconds == _ZERO_TIME_SECONDS and nanos == 0:
        return None
    moment = _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
    if go_name.endswith("MicroTime"):
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def decode_object(body: bytes) -> dict[str, Any]:
    """A protobuf-encoded object as its JSON form.

    Raises :class:`LookupError` for a kind outside :data:`PROTOBUF_KINDS` (the caller answers
    415) and :class:`BadRequest` for a body that is not a Kubernetes protobuf envelope.
    """
    if not body.startswith(_MAGIC):
        raise BadRequest("provided object is not a protobuf-encoded object")
    api_version = kind = ""
    raw = b""
    for number, _, value in _fields(body[len(_MAGIC) :]):
        if number == 1:
            for n, _, v in _fields(_bytes(value)):
                if n == 1:
                    api_version = _text(v)
                elif n == 2:
                    kind = _text(v)
        elif number == 2:
            raw = _bytes(value)
    key = gojson.kind_type(api_version, kind)
    if key is None:
        raise LookupError(f"{api_version}/{kind}")
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    decoded = _struct(key, raw)
    obj["metadata"] = decoded.pop("metadata", {})
    obj.update(decoded)
    return obj
