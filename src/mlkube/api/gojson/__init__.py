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

Go's encoding writes back what decoding left: every field without ``omitempty`` is written
with its zero value when unset (``reportingComponent: ""`` in a core Event,
``Port: 0`` in a node's ``daemonEndpoints``, ``endpoints: null`` in an EndpointSlice), and a
struct value is never dropped by ``omitempty`` (``source: {}``; a ``metav1.Time`` marshals
itself, so an unset ``lastProbeTime`` is ``null``). The generator asks ``encoding/json``
for each struct's zero value (``zeros`` of a struct, ``omitzero`` honoured, so
``metadata.creationTimestamp`` is not one) and :func:`fill_zeros` writes them wherever the
struct is present. The other way round, a scalar with ``omitempty`` is left out when it
holds its zero value (``minReadySeconds: 0``, ``hostNetwork: false``; ``empties`` of a
struct), and :func:`fill_zeros` drops it.

Decoding order follows ``encoding/json`` (``decode.go``): a plain type mismatch is
remembered and decoding goes on (the first one is reported); an error from a type that
decodes itself (``IntOrString``, ``Time``, ``Quantity``) stops decoding at once and wins.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

__all__ = [
    "decodes",
    "fill_zeros",
    "go_type",
    "json_type",
    "kind_type",
    "kinds",
    "type_error",
    "zero_fields",
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
    ``inline``), ``zeros`` (see :func:`zero_fields`) and ``empties`` (its scalars with
    ``omitempty``, left out when zero)."""
    entry: Mapping[str, Any] = _data()["types"][key]
    return entry


def zero_fields(key: str) -> Mapping[str, Any]:
    """The fields of struct type ``key`` that Go's encoding writes when they are unset, and
    what it writes (JSON name -> value): strings and numbers without ``omitempty`` (``""``,
    ``0``), ``null`` for an unset ``metav1.Time`` or a nil slice, map or pointer without
    ``omitempty``, a struct value's own zero (``{}``, ``{"kubeletEndpoint": {"Port": 0}}``).
    Empty for any other type."""
    zeros: Mapping[str, Any] = _data()["types"][key].get("zeros") or {}
    return zeros


def fill_zeros(api_version: str, kind: str, obj: dict[str, Any]) -> None:
    """Write, in place, what Go's encoding gives every unset :func:`zero_fields` field of
    every struct present in ``obj`` (a ``kind`` of ``api_version``; nothing for a kind
    without Go types). What decoding a body into the Go type and encoding it again does:
    ``{"type": "Ready", "status": "True"}`` in a pod's conditions is stored as
    ``{"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": null}``,
    and a core Event gains ``reportingComponent: ""`` and ``source: {}``. Absent structs
    behind pointers stay absent (the pointers are nil); values already set are kept, except
    an empty list or map where Go has no ``omitempty``: it is stored as ``null`` (the
    protobuf kube-apiserver stores has no empty list, so it reads back a nil slice), and a
    zero scalar with ``omitempty`` (not a pointer), which Go leaves out: a replica set's
    ``minReadySeconds: 0`` is not stored.
    """
    root = _data()["kinds"].get(f"{api_version}/{kind}")
    if root is None:
        return
    if root in _ZERO_PLANS:
        plan = _ZERO_PLANS[root]
    else:
        with _PLANNING:  # a plan is cached before its children are filled in
            plan = _zero_plan(root)
    if plan is not None:
        _fill(plan, obj)


class _ZeroPlan:
    """What :func:`fill_zeros` does at one Go type: a struct's zero fields (``names``, with
    their values in ``zeros``; structs are copied), its nil-able ones (an empty list or map
    becomes ``null``), its ``omitempty`` scalars (``empties``: dropped when zero), the struct
    fields or the slice/map element below which there is more."""

    __slots__ = ("elem", "empties", "empty_names", "fields", "is_map", "names", "nils", "zeros")

    def __init__(self) -> None:
        self.names: frozenset[str] = frozenset()
        self.zeros: Mapping[str, Any] = {}
        self.empty_names: frozenset[str] = frozenset()
        #: JSON name -> (the zero value, the exact Python types that hold it)
        self.empties: Mapping[str, tuple[Any, tuple[type, ...]]] = {}
        self.nils: tuple[str, ...] = ()
        self.fields: tuple[tuple[str, _ZeroPlan], ...] = ()
        self.elem: _ZeroPlan | None = None
        self.is_map = False


_ZERO_PLANS: dict[str, _ZeroPlan | None] = {}
_PLANNING: Final = threading.Lock()


@cache
def _reaching_zeros() -> frozenset[str]:
    """The type keys from which a struct with zero fields can be reached (a fixpoint)."""
    types = _data()["types"]
    found = {key for key, entry in types.items() if entry.get("zeros") or entry.get("empties")}
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


def _zero_plan(key: str) -> _ZeroPlan | None:
    if key in _ZERO_PLANS:
        return _ZERO_PLANS[key]
    if key not in _reaching_zeros():
        _ZERO_PLANS[key] = None
        return None
    types = _data()["types"]
    entry = types[key]
    plan = _ZERO_PLANS[key] = _ZeroPlan()  # cached first: a recursive type refers to itself
    zeros: Mapping[str, Any] = entry.get("zeros") or {}
    field_types: Mapping[str, str] = entry.get("fields") or {}
    plan.names = frozenset(zeros)
    plan.zeros = zeros
    plan.empties = {
        name: _EMPTY[types[field_types[name]]["shape"]] for name in entry.get("empties") or ()
    }
    plan.empty_names = frozenset(plan.empties)
    plan.nils = tuple(
        name
        for name, value in sorted(zeros.items())
        if value is None and types[field_types[name]]["shape"] in ("slice", "map")
    )
    fields: list[tuple[str, _ZeroPlan]] = []
    for name, child in sorted(field_types.items()):
        sub = _zero_plan(child)
        if sub is not None:
            fields.append((name, sub))
    plan.fields = tuple(fields)
    if "elem" in entry:
        plan.elem = _zero_plan(entry["elem"])
        plan.is_map = entry["shape"] == "map"
    return plan


def _fill(plan: _ZeroPlan, value: Any) -> None:
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
    missing = plan.names.difference(value)  # most stored objects have them all
    if missing:
        zeros = plan.zeros
        for name in sorted(missing):
            zero = zeros[name]
            if isinstance(zero, dict):  # a struct: a copy of its own
                zero = copy.deepcopy(zero) if zero else {}
            value[name] = zero
    for name in plan.nils:
        if value[name] == [] or value[name] == {}:
            value[name] = None
    for name in plan.empty_names.intersection(value):
        zero, holders = plan.empties[name]
        held = value[name]
        if held == zero and type(held) in holders:  # False is no 0, nor 0 False
            del value[name]
    for name, sub in plan.fields:
        child = value.get(name)
        if child is not None:
            _fill(sub, child)


#: What ``omitempty`` drops, by the shape of a scalar field: its zero, in the JSON types
#: that decode into it.
_EMPTY: Final[Mapping[str, tuple[Any, tuple[type, ...]]]] = {
    "string": ("", (str,)),
    "bool": (False, (bool,)),
    "int": (0, (int, float)),
    "uint": (0, (int, float)),
    "float": (0, (int, float)),
}


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
