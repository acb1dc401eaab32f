"""Go's ``encoding/json`` type errors for a body decoded into the served kinds' Go types.

kube-apiserver decodes a request body into the Go struct of its kind before anything else,
so a value of the wrong JSON type (``metadata.labels: {a: true}``, ``replicas: "2"``) is a
400 whose message is Go's own, after ``<Kind> in version "<v>" cannot be handled as a
<Kind>: ``::

    json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string

The message names the innermost Go struct holding the field, the JSON path of field names
(no indices, no map keys) and the Go type, which the OpenAPI schema does not know
(``v1.RestartPolicy``, ``[]v1.Container``, ``int32``). Those types come from the Go types
themselves: ``tools/gen_gotypes`` reflects over ``k8s.io/api`` v0.37.2 and writes
``gotypes.json`` (package data, read on first use), with the protobuf field numbers of the
same structs (their ``protobuf`` tags), which ``mlkube.server.protobuf`` decodes by.

Go's encoding writes back what decoding left: a struct-valued field that marshals itself
(``metav1.Time``, ``MicroTime``) is never dropped by ``omitempty``, so a condition without
``lastProbeTime`` is stored and served with ``lastProbeTime: null``. The generator asks
``encoding/json`` which fields those are (``nulls`` of a struct, ``omitzero`` honoured, so
``metadata.creationTimestamp`` is not one) and :func:`fill_nulls` writes them.

Decoding order follows ``encoding/json`` (``decode.go``): a plain type mismatch is
remembered and decoding goes on (the first one is reported); an error from a type that
decodes itself (``IntOrString``, ``Time``, ``Quantity``) stops decoding at once and wins.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

__all__ = [
    "decodes",
    "fill_nulls",
    "go_type",
    "json_type",
    "kind_type",
    "kinds",
    "null_fields",
    "type_error",
]

_DATA_FILE: Final = "gotypes.json"
_QUANTITY_FORMAT: Final = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)


@cache
def _data() -> Mapping[str, Any]:
    text = resources.files(__name__).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    data: Mapping[str, Any] = json.loads(text)
    return data


def kinds() -> frozenset[tuple[str, str]]:
    """``(apiVersion, kind)`` of every kind with Go types here."""
    out: set[tuple[str, str]] = set()
    for key in _data()["kinds"]:
        api_version, _, kind = key.rpartition("/")
        out.add((api_version, kind))
    return frozenset(out)


def kind_type(api_version: str, kind: str) -> str | None:
    """The key of ``kind``'s Go type (for :func:`go_type`), or None."""
    key: str | None = _data()["kinds"].get(f"{api_version}/{kind}")
    return key


def go_type(key: str) -> Mapping[str, Any]:
    """One Go type: ``go`` (its name in messages), ``shape`` (``struct``, ``slice``,
    ``map``, ``string``, ``bytes``, ``bool``, ``int``, ``uint``, ``float``, and the
    self-decoding ``quantity``, ``time``, ``intorstring``, ``any``), ``bits``, ``elem``
    (a slice's or map's element type), and for a struct ``fields`` (JSON name -> type) and
    ``proto`` (protobuf field number -> ``json``, ``type``, ``omitempty``, ``pointer``,
    ``inline``) and ``nulls`` (see :func:`null_fields`)."""
    entry: Mapping[str, Any] = _data()["types"][key]
    return entry


def null_fields(key: str) -> tuple[str, ...]:
    """The fields of struct type ``key`` that Go's encoding writes as ``null`` when they are
    zero (unset): non-pointer ``metav1.Time`` and ``MicroTime`` fields without ``omitzero``
    (``PodCondition.lastProbeTime``, ``Event.eventTime``); empty for any other type."""
    return tuple(_data()["types"][key].get("nulls") or ())


def fill_nulls(api_version: str, kind: str, obj: dict[str, Any]) -> None:
    """Write, in place, the ``null`` Go's encoding gives every unset :func:`null_fields` field
    of every struct present in ``obj`` (a ``kind`` of ``api_version``; nothing for a kind
    without Go types). What decoding a body into the Go type and encoding it again does:
    ``{"type": "Ready", "status": "True"}`` in a pod's conditions is stored as
    ``{"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": null}``.
    Absent structs stay absent (their pointers are nil); values already set are kept."""
    root = _data()["kinds"].get(f"{api_version}/{kind}")
    if root is None:
        return
    if root in _NULL_PLANS:
        plan = _NULL_PLANS[root]
    else:
        with _PLANNING:  # a plan is cached before its children are filled in
            plan = _null_plan(root)
    if plan is not None:
        _fill(plan, obj)


class _NullPlan:
    """What :func:`fill_nulls` does at one Go type: the null fields of a struct, the struct
    fields or the slice/map element below which there are some."""

    __slots__ = ("elem", "fields", "is_map", "nulls")

    def __init__(self) -> None:
        self.nulls: tuple[str, ...] = ()
        self.fields: tuple[tuple[str, _NullPlan], ...] = ()
        self.elem: _NullPlan | None = None
        self.is_map = False


_NULL_PLANS: dict[str, _NullPlan | None] = {}
_PLANNING: Final = threading.Lock()


@cache
def _reaching_nulls() -> frozenset[str]:
    """The type keys from which a struct with null fields can be reached (a fixpoint)."""
    types = _data()["types"]
    found = {key for key, entry in types.items() if entry.get("nulls")}
    changed = True
    while changed:
        changed = False
        for key, entry in types.items():
            if key in found:
                continue
            below = [
                *(entry.get("fields") or {}).values(),
                *([entry["elem"]] if "elem" in entry else []),
            ]
            if any(child in found for child in below):
                found.add(key)
                changed = True
    return frozenset(found)


def _null_plan(key: str) -> _NullPlan | None:
    if key in _NULL_PLANS:
        return _NULL_PLANS[key]
    if key not in _reaching_nulls():
        _NULL_PLANS[key] = None
        return None
    entry = _data()["types"][key]
    plan = _NULL_PLANS[key] = _NullPlan()  # cached first: a recursive type refers to itself
    plan.nulls = tuple(entry.get("nulls") or ())
    fields: list[tuple[str, _NullPlan]] = []
    for name, child in sorted((entry.get("fields") or {}).items()):
        sub = _null_plan(child)
        if sub is not None:
            fields.append((name, sub))
    plan.fields = tuple(fields)
    if "elem" in entry:
        plan.elem = _null_plan(entry["elem"])
        plan.is_map = entry["shape"] == "map"
    return plan


def _fill(plan: _NullPlan, value: Any) -> None:
    if plan.elem is not None:
        if plan.is_map and isinstance(value, dict):
            for item in value.values():
                _fill(plan.elem, item)
        elif not plan.is_map and isinstance(value, list):
            for item in value:
                _fill(plan.elem, item)
        return
    if not isinstance(value, dict):
        return
    for name in plan.nulls:
        if name not in value:
            value[name] = None
    for name, sub in plan.fields:
        child = value.get(name)
        if child is not None:
            _fill(sub, child)


def type_error(api_version: str, kind: str, obj: Mapping[str, Any]) -> str | None:
    """The error Go's decoder gives for ``obj`` as a ``kind`` of ``api_version``, or None
    (also for a kind mlkube has no Go types for)."""
    root = _data()["kinds"].get(f"{api_version}/{kind}")
    if root is None or _fits(_compiled(root), obj):
        return None  # the common case, checked fast; the walk below finds the message
    walk = _Walk(_data()["types"])
    try:
        walk.value(root, obj, "", ())
    except _Abort as stop:
        return str(stop)
    return walk.first


def decodes(api_version: str, kind: str, obj: Mapping[str, Any]) -> bool:
    """Whether Go decodes ``obj`` as a ``kind`` of ``api_version`` without any error, every
    quantity parsing included: one walk for the common case. ``False`` also for a kind
    without Go types here; then, as for any ``False``, ask :func:`type_error` and
    ``mlkube.api.schema.quantity_error`` for the message."""
    root = _data()["kinds"].get(f"{api_version}/{kind}")
    return root is not None and _fits(_compiled(root), obj, True)


@functools.lru_cache(maxsize=1024)
def _parses(text: str) -> bool:
    from mlkube.api.quantity import QuantityError, parse_quantity

    try:
        parse_quantity(text)
    except QuantityError:
        return False
    return True


# --- the fast check: compiled nodes, no messages ------------------------------------------

_ANY, _STRING, _BOOL, _INT, _FLOAT, _STRUCT, _SLICE, _MAP, _QUANTITY, _TIME, _INTSTR = range(11)
_CODES: Final = {
    "any": _ANY,
    "string": _STRING,
    "bytes": _STRING,
    "bool": _BOOL,
    "int": _INT,
    "uint": _INT,
    "float": _FLOAT,
    "struct": _STRUCT,
    "slice": _SLICE,
    "map": _MAP,
    "quantity": _QUANTITY,
    "time": _TIME,
    "intorstring": _INTSTR,
}


class _Node:
    __slots__ = ("code", "elem", "fields", "high", "low")

    def __init__(self, code: int) -> None:
        self.code = code
        self.elem: _Node | None = None
        self.fields: dict[str, _Node] = {}
        self.low = self.high = 0


_NODES: dict[str, _Node] = {}


def _compiled(key: str) -> _Node:
    node = _NODES.get(key)
    if node is not None:
        return node
    entry = _data()["types"][key]
    node = _NODES[key] = _Node(_CODES[entry["shape"]])
    if entry["shape"] in ("int", "uint"):
        bits = int(entry["bits"])
        if entry["shape"] == "uint":
            node.low, node.high = 0, 2**bits - 1
        else:
            node.low, node.high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if "elem" in entry:
        node.elem = _compiled(entry["elem"])
    for name, child in (entry.get("fields") or {}).items():
        node.fields[name] = _compiled(child)
    return node


def _fits(node: _Node, value: Any, quantities: bool = False) -> bool:
    """Whether Go decodes ``value`` into ``node``'s type without an error (with
    ``quantities``, also that every quantity parses)."""
    if value is None:
        return True
    code = node.code
    kind = type(value)
    if code == _STRING:
        return kind is str
    if code == _STRUCT:
        if not isinstance(value, Mapping):
            return False
        fields = node.fields
        for key, child in value.items():
            target = fields.get(key)
            if target is not None and child is not None and not _fits(target, child, quantities):
                return False
        return True
    if code in (_SLICE, _MAP):
        elem = node.elem
        assert elem is not None
        if code == _SLICE:
            if kind is not list:
                return False
            items: Any = value
        else:
            if not isinstance(value, Mapping):
                return False
            items = value.values()
        if elem.code == _STRING:
            return all(type(v) is str or v is None for v in items)
        return all(_fits(elem, v, quantities) for v in items)
    if code == _INT:
        return kind is int and node.low <= value <= node.high
    if code == _BOOL:
        return kind is bool
    if code == _FLOAT:
        return kind is int or kind is float
    if code == _INTSTR:
        return kind is str or (kind is int and -(2**31) <= value < 2**31)
    if code == _TIME:
        return kind is str
    if code == _QUANTITY:
        if kind is str or kind is int or kind is float:
            return not quantities or _parses(str(value))
        return False
    return True


class _Abort(Exception):
    """An error from a self-decoding type: decoding stops here."""


def json_type(value: Any) -> str:
    """The JSON type ``encoding/json`` names in an ``UnmarshalTypeError``
    (``cannot unmarshal <type> into Go ...``)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _literal(value: float | int) -> str:
    """The number as JSON wrote it (as near as a decoded value tells)."""
    return repr(value) if isinstance(value, float) else str(value)


class _Walk:
    def __init__(self, types: Mapping[str, Any]) -> None:
        self.types = types
        self.first: str | None = None

    def message(self, found: str, struct: str, stack: tuple[str, ...], go: str) -> str:
        return (
            f"json: cannot unmarshal {found} into Go struct field {struct}."
            f"{'.'.join(stack)} of type {go}"
        )

    def mismatch(self, found: str, struct: str, stack: tuple[str, ...], go: str) -> None:
        if self.first is None:
            self.first = self.message(found, struct, stack, go)

    def value(self, key: str, value: Any, struct: str, stack: tuple[str, ...]) -> None:
        if value is None:
            return  # null leaves a Go value as it is
        entry = self.types[key]
        shape, go = entry["shape"], entry["go"]
        found = json_type(value)
        if shape == "any":
            return
        if shape == "struct":
            if not isinstance(value, Mapping):
                self.mismatch(found, struct, stack, go)
                return
            name = go.rpartition(".")[2]
            fields = entry["fields"]
            for field, child in value.items():
                if field in fields:
                    self.value(fields[field], child, name, (*stack, field))
            return
        if shape in ("slice", "map"):
            ok = isinstance(value, list) if shape == "slice" else isinstance(value, Mapping)
            if not ok:
                self.mismatch(found, struct, stack, go)
                return
            items = value if isinstance(value, list) else list(value.values())
            for item in items:
                self.value(entry["elem"], item, struct, stack)
            return
        self.scalar(entry, value, found, struct, stack)

    def scalar(
        self, entry: Mapping[str, Any], value: Any, found: str, struct: str, stack: tuple[str, ...]
    ) -> None:
        shape, go = entry["shape"], entry["go"]
        if shape in ("string", "bytes"):
            if found != "string":
                self.mismatch(found, struct, stack, go)
        elif shape == "bool":
            if found != "bool":
                self.mismatch(found, struct, stack, go)
        elif shape == "float":
            if found != "number":
                self.mismatch(found, struct, stack, go)
        elif shape in ("int", "uint"):
            problem = _integer_problem(value, found, int(entry["bits"]), shape == "uint")
            if problem is not None:
                self.mismatch(problem, struct, stack, go)
        elif shape == "intorstring":
            # IntOrString.UnmarshalJSON: a string, else json.Unmarshal into its int32
            if found != "string":
                problem = _integer_problem(value, found, 32, False)
                if problem is not None:
                    raise _Abort(self.message(problem, struct, stack, "int32"))
        elif shape == "time":
            # Time.UnmarshalJSON: json.Unmarshal into a string first
            if found != "string":
                raise _Abort(self.message(found, struct, stack, "string"))
        elif shape == "quantity" and found not in ("string", "number"):
            # Quantity.UnmarshalJSON parses the raw text of anything but a string or null
            raise _Abort(_QUANTITY_FORMAT)


def _integer_problem(value: Any, found: str, bits: int, unsigned: bool) -> str | None:
    """What Go's decoder says of ``value`` for an integer of ``bits``: ``number 1.5`` for
    a number that is not one, the JSON type for anything else; None if it fits."""
    if found != "number":
        return found
    if isinstance(value, float):
        return f"number {_literal(value)}"  # Go's ParseInt refuses "2.0" as well as "1.5"
    low, high = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if not low <= value <= high:
        return f"number {value}"
    return None
