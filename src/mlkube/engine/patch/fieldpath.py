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
from typing import Any, TypeAlias

from mlkube.api.field import go_quote

__all__ = [
    "Path",
    "PathElement",
    "deserialize",
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


def value_json(v: Any) -> str:
    """A scalar as Go's JSON encoder writes it (HTML characters escaped, no spaces)."""
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
            node = node.children.setdefault(pe, _Node())
        node.member = True
    return root


def _emit(node: _Node, include_self: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if include_self and node.children:
        out["."] = {}
    for pe in sorted(node.children, key=sort_key):
        child = node.children[pe]
        out[_pe_key(pe)] = _emit(child, child.member)
    return out


def serialize(paths: Iterable[Path]) -> dict[str, Any]:
    """The ``fieldsV1`` object of a field set (keys in upstream order)."""
    return _emit(_trie(paths), False)


def deserialize(fields_v1: Mapping[str, Any]) -> set[Path]:
    """The field set a ``fieldsV1`` object encodes; ValueError if it is malformed."""
    out: set[Path] = set()

    def walk(obj: Mapping[str, Any], prefix: Path) -> None:
        for text, child in obj.items():
            if text == ".":
                if prefix:
                    out.add(prefix)
                continue
            if not isinstance(child, Mapping):
                raise ValueError(f"expected an object for {text!r}")
            path = (*prefix, _parse_pe(text))
            if not child:
                out.add(path)
            else:
                walk(child, path)

    if not isinstance(fields_v1, Mapping):
        raise ValueError("fieldsV1 must be an object")
    walk(fields_v1, ())
    return out
