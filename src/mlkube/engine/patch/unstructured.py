"""Go's ``FromUnstructured``: a patched map turned back into its kind's Go struct.

A strategic merge patch and a server-side apply produce a ``map[string]interface{}`` that
kube-apiserver then converts into the kind's Go type with
``runtime.DefaultUnstructuredConverter`` (``k8s.io/apimachinery/pkg/runtime/converter.go``
``fromUnstructured``), not with ``encoding/json``. The converter walks the Go type (struct
fields in declaration order, slices in index order) and stops at the first value it cannot
convert, with its own texts, which name no field:

- ``cannot restore struct from: string``, ``cannot restore map from slice``,
  ``cannot restore slice from map`` (a value of the wrong shape);
- ``cannot convert int64 to string``, ``cannot convert float64 to int32`` (Go's
  ``ConvertibleTo`` allows the conversion, the JSON rules do not);
- ``unrecognized type: int32`` (no conversion at all, e.g. a string into an integer);
- the ``UnmarshalJSON`` error of a type that decodes itself: ``Quantity``, ``IntOrString``
  (``json: cannot unmarshal bool into Go value of type int32``), ``Time`` (Go's
  ``time.Parse`` text, :mod:`mlkube.api.gotime`) and ``[]byte`` (base64).

What it does convert follows Go too: an integer is truncated to its field's width as Go's
``reflect.Value.Convert`` does (``replicas: 1099511627776`` becomes ``0``) and a whole float
becomes an integer. :func:`from_unstructured` returns the object as the Go value encodes
again, or raises :class:`ConversionError` with the converter's text. The Go types come from
:mod:`mlkube.api.gojson`.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from mlkube.api import gojson, gotime
from mlkube.api.quantity import QuantityError, parse_quantity

__all__ = ["ConversionError", "from_unstructured"]

_INT64_MIN: Final = -(1 << 63)
_INT64_MAX: Final = (1 << 63) - 1


class ConversionError(ValueError):
    """A value ``FromUnstructured`` cannot convert; the message is the converter's."""


def from_unstructured(api_version: str, kind: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` converted into ``kind``'s Go type and back: integers narrowed to their
    fields' widths, whole floats made integers. Raises :class:`ConversionError` with the
    converter's message for the first value that does not convert. A kind without Go types
    here is returned as a plain copy."""
    root = gojson.kind_type(api_version, kind)
    if root is None:
        return dict(obj)
    converted: dict[str, Any] = _convert(obj, root)
    return converted


def _source_kind(value: Any) -> str:
    """The ``reflect.Kind`` of a decoded JSON value (``kjson`` keeps integers ``int64``)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64" if _INT64_MIN <= value <= _INT64_MAX else "float64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "slice"
    return "map"


def _dest_kind(entry: Mapping[str, Any]) -> str:
    """The ``reflect.Kind`` name of a scalar Go type (``int32``, ``uint8``, ``string``...)."""
    shape = entry["shape"]
    if shape in ("int", "uint", "float"):
        return f"{shape}{entry['bits']}" if shape != "float" else f"float{entry['bits']}"
    return str(shape)


@cache
def _fields(key: str) -> tuple[tuple[str, str], ...]:
    """A struct's JSON fields in Go declaration order (embedded structs in place).

    ``gotypes.json`` keeps the protobuf field numbers, which follow declaration order; the
    embedded ``TypeMeta`` (no protobuf tag) comes first, ``kind`` before ``apiVersion``.
    """
    entry = gojson.go_type(key)
    fields: Mapping[str, str] = entry.get("fields") or {}
    ordered: list[str] = []

    def visit(struct_key: str) -> None:
        proto: Mapping[str, Any] = gojson.go_type(struct_key).get("proto") or {}
        for number in sorted(proto, key=int):
            spec = proto[number]
            if spec.get("inline"):
                visit(spec["type"])
            elif spec["json"] in fields and spec["json"] not in ordered:
                ordered.append(spec["json"])

    visit(key)
    first = [name for name in ("kind", "apiVersion") if name in fields and name not in ordered]
    rest = sorted(name for name in fields if name not in ordered and name not in first)
    return tuple((name, fields[name]) for name in (*first, *ordered, *rest))


def _convert(value: Any, key: str) -> Any:
    """``fromUnstructured(value, <Go value of type key>)``."""
    if value is None:
        return None  # an absent value leaves the Go zero value
    entry = gojson.go_type(key)
    shape = entry["shape"]
    if shape in ("string", "bool", "int", "uint", "float"):
        return _scalar(value, entry)
    if shape == "any":
        return value
    if shape == "quantity":
        return _quantity(value)
    if shape == "intorstring":
        return _int_or_string(value)
    if shape == "time":
        return _time(value, entry["go"])
    if shape == "bytes":
        return _bytes(value)
    if shape == "slice":
        if not isinstance(value, list):
            raise ConversionError(f"cannot restore slice from {_source_kind(value)}")
        return [_convert(item, entry["elem"]) for item in value]
    if shape == "map":
        if not isinstance(value, dict):
            raise ConversionError(f"cannot restore map from {_source_kind(value)}")
        return {k: _convert(v, entry["elem"]) for k, v in value.items()}
    if not isinstance(value, dict):
        raise ConversionError(f"cannot restore struct from: {_source_kind(value)}")
    out = dict(value)  # fields the type does not have are left as they are
    for name, child in _fields(key):
        if name in value:
            out[name] = _convert(value[name], child)
    return out


def _scalar(value: Any, entry: Mapping[str, Any]) -> Any:
    """The simple kinds: ``AssignableTo``, then ``ConvertibleTo`` with JSON's four groups."""
    shape = entry["shape"]
    source = _source_kind(value)
    integer = source == "int64"
    if shape == "string":
        if source == "string":
            return value
        if integer:  # Go converts integers to strings (runes); JSON does not
            raise ConversionError(f"cannot convert int64 to {entry['go']}")
    elif shape == "bool":
        if source == "bool":
            return value
    elif shape in ("int", "uint"):
        if integer:
            return _truncate(int(value), int(entry["bits"]), shape == "uint")
        if source == "float64":
            if float(value) == math.trunc(float(value)):
                return _truncate(int(value), int(entry["bits"]), shape == "uint")
            raise ConversionError(f"cannot convert float64 to {entry['go']}")
    elif shape == "float" and (integer or source == "float64"):
        return value
    raise ConversionError(f"unrecognized type: {_dest_kind(entry)}")


def _truncate(value: int, bits: int, unsigned: bool) -> int:
    """``reflect.Value.Convert`` between integer kinds: keep the low ``bits`` bits."""
    value &= (1 << bits) - 1
    if not unsigned and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def _go_json(value: Any) -> str:
    """``json.Marshal`` of a decoded value, as the types that decode themselves receive it."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_go_json(v) for v in value) + "]"
    items = (f"{json.dumps(k, ensure_ascii=False)}:{_go_json(value[k])}" for k in sorted(value))
    return "{" + ",".join(items) + "}"


def _go_float(value: float) -> str:
    """``encoding/json``'s float64: ``'f'`` format, ``'e'`` below 1e-6 or from 1e21."""
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    if abs(value) < 1e-6 or abs(value) >= 1e21:
        text = repr(value)
        mantissa, _, exp = text.partition("e")
        sign = "-" if exp.startswith("-") else "+"
        return f"{mantissa}e{sign}{exp.lstrip('+-').lstrip('0') or '0'}"
    return repr(value)


def _quantity(value: Any) -> Any:
    """``Quantity.UnmarshalJSON``: the JSON text, unquoted and trimmed, must parse."""
    text = value if isinstance(value, str) else _go_json(value)
    try:
        parse_quantity(text.strip())
    except QuantityError as err:
        raise ConversionError(str(err)) from None
    return value


def _int_or_string(value: Any) -> Any:
    """``IntOrString.UnmarshalJSON``: a string, else ``json.Unmarshal`` into an ``int32``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConversionError(
            f"json: cannot unmarshal {gojson.json_type(value)} into Go value of type int32"
        )
    text = _go_json(value)
    number = int(text) if text.lstrip("-").isdigit() else None
    if number is None or not -(1 << 31) <= number < 1 << 31:
        raise ConversionError(f"json: cannot unmarshal number {text} into Go value of type int32")
    return number


def _time(value: Any, go_name: str) -> Any:
    """``Time.UnmarshalJSON`` (``MicroTime``'s): a string that ``time.Parse`` accepts."""
    if not isinstance(value, str):
        raise ConversionError(
            f"json: cannot unmarshal {gojson.json_type(value)} into Go value of type string"
        )
    layout = gotime.RFC3339_MICRO if go_name.endswith("MicroTime") else gotime.RFC3339
    problem = gotime.parse_error(value, layout)
    if problem is not None:
        raise ConversionError(problem)
    return value


def _bytes(value: Any) -> Any:
    """A ``[]byte``: a base64 string (``json.Unmarshal``), or a list of bytes."""
    if isinstance(value, str):
        if value:
            problem = _base64_error(value.encode("utf-8"))
            if problem is not None:
                raise ConversionError(f"error decoding from json: {problem}")
        return value
    if isinstance(value, list):
        raw = bytes(_truncate(int(_scalar(v, _UINT8)), 8, True) for v in value if v is not None)
        return base64.b64encode(raw).decode("ascii")
    raise ConversionError(f"cannot restore slice from {_source_kind(value)}")


_UINT8: Final = {"shape": "uint", "bits": 8, "go": "uint8"}
_ALPHABET: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _base64_error(src: bytes) -> str | None:
    """``base64.StdEncoding.Decode``'s error (``decodeQuantum``), or None."""
    si = 0
    while si < len(src):
        j = 0
        while j < 4:
            if si == len(src):
                if j == 0:
                    return None
                return f"illegal base64 data at input byte {si - j}"
            ch = src[si]
            si += 1
            if ch in _ALPHABET:
                j += 1
                continue
            if ch in (0x0A, 0x0D):
                continue
            if ch != 0x3D or j < 2:
                return f"illegal base64 data at input byte {si - 1}"
            if j == 2:
                while si < len(src) and src[si] in (0x0A, 0x0D):
                    si += 1
                if si == len(src):
                    return f"illegal base64 data at input byte {len(src)}"
                if src[si] != 0x3D:
                    return f"illegal base64 data at input byte {si - 1}"
                si += 1
            while si < len(src) and src[si] in (0x0A, 0x0D):
                si += 1
            if si < len(src):
                return f"illegal base64 data at input byte {si}"
            return None
    return None
