"""Field paths and field sets of server-side apply, and their ``fieldsV1`` encoding.

Written by hand (no Python library does server-side apply), after
``sigs.k8s.io/structured-merge-diff/v6/fieldpath``: ``element.go`` (path elements, their
order and ``String()``), ``path.go``, ``serialize.go`` and ``serialize-pe.go`` (the
``fieldsV1`` trie: ``f:<field>``, ``k:<key fields as JSON, sorted by name>``,
``v:<value as JSON>``, ``i:<index>``, and ``"."`` for a node that is itself a member).

A path element is a tuple: ``("f", name)``, ``("k", ((name, json), ...))`` (key fields
sorted by name, each value as its JSON text), ``("v", json)`` or ``("i", index)``. A path is
a tuple of elements; a field set is a ``set`` of paths, each one a member.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

import msgspec

from mlkube.api.field import go_quote

__all__ = [
    "Canonical",
    "Path",
    "PathElement",
    "deserialize",
    "deserialize_canonical",
    "field",
    "index",
    "key",
    "path_string",
    "pe_string",
    "serialize",
    "sort_key",
    "value",
    "value_json",
]

PathElement: TypeAlias = tuple[str, Any]
Path: TypeAlias = tuple[PathElement, ...]


#: Caches of pure functions below, emptied when they grow past this many entries.
_CACHE_LIMIT: Final = 8192
_SCALAR_TYPES: Final = (str, int, bool, type(None))  # not float: -0.0 == 0.0
_VALUE_JSON: dict[tuple[type, Any], str] = {}


def value_json(v: Any) -> str:
    """A scalar as Go's JSON encoder writes it (HTML characters escaped, no spaces)."""
    if type(v) in _SCALAR_TYPES:
        cache_key = (type(v), v)
        hit = _VALUE_JSON.get(cache_key)
        if hit is None:
            if len(_VALUE_JSON) >= _CACHE_LIMIT:
                _VALUE_JSON.clear()
            hit = _VALUE_JSON[cache_key] = _value_json(v)
        return hit
    return _value_json(v)


def _value_json(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def field(name: str) -> PathElement:
    return ("f", name)


def key(fields: Mapping[str, Any]) -> PathElement:
    return ("k", tuple((name, value_json(fields[name])) for name in sorted(fields)))


def value(v: Any) -> PathElement:
    return ("v", value_json(v))


def index(i: int) -> PathElement:
    return ("i", i)


def _to_string(raw_json: str) -> str:
    """``value.ToString``: strings Go-quoted, other scalars as ``%v``."""
    v = json.loads(raw_json)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return go_quote(v)
    return raw_json


def pe_string(pe: PathElement) -> str:
    """``PathElement.String()``: ``.name``, ``[name="web",port=80]``, ``[="x"]``, ``[3]``."""
    kind, payload = pe
    if kind == "f":
        return "." + str(payload)
    if kind == "k":
        return "[" + ",".join(f"{n}={_to_string(v)}" for n, v in payload) + "]"
    if kind == "v":
        return f"[={_to_string(payload)}]"
    return f"[{payload}]"


def path_string(path: Path) -> str:
    """``Path.String()``: ``.spec.template.spec.containers[name="web"].image``."""
    return "".join(pe_string(pe) for pe in path)


def _value_order(raw_json: str) -> tuple[int, Any]:
    v = json.loads(raw_json)
    if v is None:
        return (0, 0)
    if isinstance(v, bool):
        return (1, v)
    if isinstance(v, int | float):
        return (2, v)
    if isinstance(v, str):
        return (3, v)
    return (4, raw_json)


def sort_key(pe: PathElement) -> tuple[Any, ...]:
    """``PathElement.Compare``: fields, then keys, then values, then indexes."""
    kind, payload = pe
    if kind == "f":
        return (0, payload)
    if kind == "k":
        return (1, tuple((n, _value_order(v)) for n, v in payload))
    if kind == "v":
        return (2, _value_order(payload))
    return (3, payload)


def _pe_key(pe: PathElement) -> str:
    kind, payload = pe
    if kind == "f":
        return "f:" + str(payload)
    if kind == "k":
        return "k:{" + ",".join(f"{value_json(n)}:{v}" for n, v in payload) + "}"
    if kind == "v":
        return "v:" + str(payload)
    return f"i:{payload}"


def _parse_pe(text: str) -> PathElement:
    prefix, sep, rest = text.partition(":")
    if not sep:
        raise ValueError(f"invalid path element: {text!r}")
    if prefix == "f":
        return ("f", rest)
    if prefix == "k":
        fields = json.loads(rest)
        if not isinstance(fields, dict):
            raise ValueError(f"invalid key path element: {text!r}")
        return key(fields)
    if prefix == "v":
        return value(json.loads(rest))
    if prefix == "i":
        return ("i", int(rest))
    raise ValueError(f"unknown path element prefix: {text!r}")


class _Node:
    __slots__ = ("children", "member")

    def __init__(self) -> None:
        self.member = False
        self.children: dict[PathElement, _Node] = {}


def _trie(paths: Iterable[Path]) -> _Node:
    root = _Node()
    for path in paths:
        node = root
        for pe in path:
            child = node.children.get(pe)
            if child is None:
                child = node.children[pe] = _Node()
            node = child
        node.member = True
    return root


_PE_TEXT: dict[PathElement, tuple[tuple[Any, ...], str]] = {}


def _pe_text(pe: PathElement) -> tuple[tuple[Any, ...], str]:
    """``(sort_key(pe), _pe_key(pe))``, remembered."""
    hit = _PE_TEXT.get(pe)
    if hit is None:
        if len(_PE_TEXT) >= _CACHE_LIMIT:
            _PE_TEXT.clear()
        hit = _PE_TEXT[pe] = (sort_key(pe), _pe_key(pe))
    return hit


def _emit(node: _Node, include_self: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    children = node.children
    if include_self and children:
        out["."] = {}
    if len(children) == 1:
        for pe, child in children.items():
            out[_pe_text(pe)[1]] = _emit(child, child.member)
        return out
    for _, text, child in sorted(
        [(*_pe_text(pe), child) for pe, child in children.items()], key=lambda t: t[0]
    ):
        out[text] = _emit(child, child.member)
    return out


# Every write decodes the managers' sets and encodes them again, and most of them have not
# changed: a fieldsV1 object already in upstream's form (:func:`deserialize_canonical` says
# so) is kept as its JSON with its set, and written back from that JSON while the set is
# still equal to it. Recently decoded objects are remembered by their JSON.
_ENCODE: Final = msgspec.json.Encoder().encode
_DECODE: Final = msgspec.json.Decoder().decode
_DECODED_LIMIT: Final = 1024
_DECODED: dict[bytes, tuple[frozenset[Path], bool]] = {}


@dataclass(frozen=True, slots=True)
class Canonical:
    """A field set with the JSON of its ``fieldsV1`` object exactly as :func:`serialize`
    writes it."""

    paths: frozenset[Path]
    data: bytes

    def fields_v1(self) -> dict[str, Any]:
        """A fresh copy of the ``fieldsV1`` object."""
        out: dict[str, Any] = _DECODE(self.data)
        return out


def serialize(paths: Iterable[Path]) -> dict[str, Any]:
    """The ``fieldsV1`` object of a field set (keys in upstream order)."""
    return _emit(_trie(paths), False)


def deserialize(fields_v1: Mapping[str, Any]) -> set[Path]:
    """The field set a ``fieldsV1`` object encodes; ValueError if it is malformed."""
    return deserialize_canonical(fields_v1)[0]


def deserialize_canonical(fields_v1: Mapping[str, Any]) -> tuple[set[Path], Canonical | None]:
    """:func:`deserialize`, and the set with its JSON if ``fields_v1`` is exactly what
    :func:`serialize` makes of that set (``None`` otherwise)."""
    try:
        data = _ENCODE(fields_v1)
    except (TypeError, ValueError, OverflowError):
        return _deserialize(fields_v1)[0], None
    hit = _DECODED.get(data)
    if hit is None:
        found, canonical = _deserialize(fields_v1)
        hit = (frozenset(found), canonical)
        if len(_DECODED) >= _DECODED_LIMIT:
            for old in list(_DECODED)[: _DECODED_LIMIT // 2]:
                _DECODED.pop(old, None)
        _DECODED[data] = hit
    members, canonical = hit
    return set(members), Canonical(members, data) if canonical else None


def _deserialize(fields_v1: Mapping[str, Any]) -> tuple[set[Path], bool]:
    """The set, and whether ``fields_v1`` is in :func:`serialize`'s form: every key as
    :func:`_pe_key` writes it, in strictly increasing :func:`sort_key` order, ``"."`` (``{}``)
    first and only in a member that has children."""
    if not isinstance(fields_v1, Mapping):
        raise ValueError("fieldsV1 must be an object")
    out: set[Path] = set()
    canonical = _walk(fields_v1, (), out) and type(fields_v1) is dict
    return out, canonical


def _walk(obj: Mapping[str, Any], prefix: Path, out: set[Path]) -> bool:
    """Add the members under ``obj`` to ``out``; whether ``obj`` is canonical. (A module
    function, not a closure: a recursive closure is a reference cycle per call.)"""
    canonical = True
    previous: tuple[Any, ...] | None = None
    first = True
    for text, child in obj.items():
        if text == ".":
            if prefix:
                out.add(prefix)
            if not first or not prefix or len(obj) == 1 or child != {} or type(child) is not dict:
                canonical = False
            first = False
            continue
        first = False
        if not isinstance(child, Mapping):
            raise ValueError(f"expected an object for {text!r}")
        pe = _parse_pe(text)
        path = (*prefix, pe)
        order, written = _pe_text(pe)
        try:
            if written != text or (previous is not None and not previous < order):
                canonical = False
        except TypeError:
            canonical = False
        previous = order
        if not child:
            out.add(path)
        else:
            canonical = _walk(child, path, out) and canonical
    return canonical
