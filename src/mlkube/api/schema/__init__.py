"""The OpenAPI schema facts of the served kinds: fields, patch strategies, list and map types.

Strategic merge patch, server-side apply, strict field validation and ``kubectl explain`` all
need to know, for a field of a built-in kind, its type, its patch strategy and merge key
(``patchStrategy``/``patchMergeKey`` struct tags), its SSA list type and map keys
(``+listType``/``+listMapKey``) and its map type (``+mapType``). kube-apiserver takes these
from the Go types (``k8s.io/api/*/v1/types.go``) and publishes them in its OpenAPI as the
``x-kubernetes-*`` extensions; mlkube reads the same extensions from the OpenAPI that
kubernetes-validate bundles for v1.37, cut down by ``tools/gen_schema.py`` to the
definitions reachable from the served kinds and committed as ``definitions.json`` (package
data, loaded on first use; importing this module does no I/O).

A schema node is a read-only mapping with JSON Schema keywords (``type``, ``properties``,
``additionalProperties``, ``items``, ``ref``, ``description``, ``format``, ``required``) and
the extensions. Use :func:`resolve` to follow a node's ``ref``: the result has the referenced
definition's keys overlaid with the property's own (so a property's patch strategy and
description win over the definition's).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from mlkube.api import gojson

__all__ = [
    "ANY",
    "PatchMeta",
    "child_schema",
    "clean_body",
    "definition",
    "drop_empty",
    "field_schema",
    "is_free_form",
    "is_int_or_string",
    "is_value_struct",
    "item_schema",
    "kind_schema",
    "known_fields",
    "patch_meta",
    "patch_meta_of",
    "prune_unknown_fields",
    "quantity_error",
    "resolve",
    "served_kinds",
    "unknown_fields",
]

Schema = Mapping[str, Any]

#: The node of a value the schema says nothing about (embedded ``RawExtension``, ``FieldsV1``,
#: JSON): anything goes, nothing below it is unknown.
ANY: Final[Schema] = MappingProxyType({"type": "object", "x-mlkube-any": True})

_DATA_FILE = "definitions.json"


@dataclass(frozen=True, slots=True)
class PatchMeta:
    """How one field patches and applies.

    ``strategy`` is the raw ``x-kubernetes-patch-strategy`` (``"merge"``, ``"retainKeys"``,
    ``"merge,retainKeys"``, ``"replace"``) or ``None``; ``merge_key`` the SMP merge key;
    ``list_type`` ``"atomic" | "set" | "map"`` or ``None``; ``list_map_keys`` the SSA keys
    of a ``map`` list; ``map_type`` ``"atomic" | "granular"`` or ``None``.
    """

    strategy: str | None = None
    merge_key: str | None = None
    list_type: str | None = None
    list_map_keys: tuple[str, ...] = ()
    map_type: str | None = None

    @property
    def strategies(self) -> tuple[str, ...]:
        return tuple(s for s in (self.strategy or "").split(",") if s)

    @property
    def merges(self) -> bool:
        """The SMP strategy is ``merge`` (lists merge element-wise)."""
        return "merge" in self.strategies

    @property
    def retains_keys(self) -> bool:
        return "retainKeys" in self.strategies


_NO_META: Final = PatchMeta()


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


@cache
def _data() -> Mapping[str, Any]:
    text = resources.files(__name__).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    frozen: Mapping[str, Any] = _freeze(json.loads(text))
    return frozen


def definition(name: str) -> Schema:
    """The definition named ``name`` (e.g. ``io.k8s.api.core.v1.PodSpec``); KeyError if none."""
    node: Schema = _data()["definitions"][name]
    return node


def served_kinds() -> dict[str, tuple[str, ...]]:
    """apiVersion -> the kinds that have a schema (lists, Status and DeleteOptions included)."""
    return {gv: tuple(sorted(kinds)) for gv, kinds in _data()["kinds"].items()}


def kind_schema(api_version: str, kind: str) -> Schema | None:
    """The top-level schema of ``kind`` in ``api_version``, or ``None`` if it is not served."""
    name = _data()["kinds"].get(api_version, {}).get(kind)
    return definition(name) if name is not None else None


_RESOLVED: dict[int, tuple[Schema, Schema]] = {}


def resolve(node: Schema) -> Schema:
    """``node`` with its ``ref`` followed (recursively); the node's own keys win."""
    if "ref" not in node:
        return node
    hit = _RESOLVED.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    target = dict(resolve(definition(node["ref"])))
    target.update((k, v) for k, v in node.items() if k != "ref")
    resolved: Schema = MappingProxyType(target)
    _RESOLVED[id(node)] = (node, resolved)
    return resolved


def is_free_form(node: Schema) -> bool:
    """An object the schema does not describe (RawExtension, FieldsV1): any content is known."""
    node = resolve(node)
    if node.get("x-mlkube-any"):
        return True
    return (
        node.get("type") == "object"
        and "properties" not in node
        and ("additionalProperties" not in node or node["additionalProperties"] is True)
    )


def is_int_or_string(node: Schema) -> bool:
    return bool(resolve(node).get("x-kubernetes-int-or-string"))


def is_value_struct(node: Schema) -> bool:
    """The Go field is a struct value, not a pointer: it always exists in a typed object."""
    return bool(node.get("x-mlkube-value-struct"))


def child_schema(node: Schema, name: str) -> Schema | None:
    """The schema of field or map key ``name`` of an object node, ``None`` if it has none."""
    node = resolve(node)
    if is_free_form(node):
        return ANY
    props = node.get("properties")
    if props is not None and name in props:
        child: Schema = props[name]
        return child
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping):
        return extra
    if extra is True:
        return ANY
    return None


def item_schema(node: Schema) -> Schema | None:
    """The schema of the items of an array node (``None`` if ``node`` is not an array)."""
    node = resolve(node)
    if is_free_form(node):
        return ANY
    items: Schema | None = node.get("items")
    return items


def patch_meta_of(node: Schema | None) -> PatchMeta:
    """The patch and apply facts of one (unresolved or resolved) field node."""
    if node is None:
        return _NO_META
    node = resolve(node)
    keys = node.get("x-kubernetes-list-map-keys") or ()
    return PatchMeta(
        strategy=node.get("x-kubernetes-patch-strategy"),
        merge_key=node.get("x-kubernetes-patch-merge-key"),
        list_type=node.get("x-kubernetes-list-type"),
        list_map_keys=tuple(keys),
        map_type=node.get("x-kubernetes-map-type"),
    )


def field_schema(api_version: str, kind: str, path: Sequence[str]) -> Schema | None:
    """The resolved schema at ``path`` (field names; list items are stepped through).

    ``("spec", "containers", "ports")`` is the ``ports`` field of a container: a name after
    an array field names a field of the array's items. ``None`` if the path leaves the schema.
    """
    node = kind_schema(api_version, kind)
    for name in path:
        if node is None:
            return None
        while resolve(node).get("type") == "array":
            node = item_schema(node)
            if node is None:
                return None
        node = child_schema(node, name)
    return resolve(node) if node is not None else None


def patch_meta(api_version: str, kind: str, path: Sequence[str]) -> PatchMeta:
    """The :class:`PatchMeta` of the field at ``path`` (see :func:`field_schema`)."""
    return patch_meta_of(field_schema(api_version, kind, path))


def known_fields(api_version: str, kind: str, path: Sequence[str] = ()) -> list[str]:
    """The field names the object at ``path`` declares, sorted (empty for maps and scalars)."""
    node = field_schema(api_version, kind, path)
    if node is None:
        return []
    while node.get("type") == "array":
        items = item_schema(node)
        if items is None:
            return []
        node = resolve(items)
    return sorted(node.get("properties", {}))


def unknown_fields(api_version: str, kind: str, obj: Mapping[str, Any]) -> list[str]:
    """The fields of ``obj`` its schema does not declare, as strict decoding names them.

    Paths are kube-apiserver's (sigs.k8s.io/json strict decoding):
    ``spec.containers[0].imagePullPolicyy``, in document order, for the messages
    ``unknown field "<path>"``. Map values are entered with ``.<key>``; int-or-string,
    quantities and free-form objects (RawExtension) have no unknown fields. A kind without a
    schema has none either.
    """
    root = _walk_root(api_version, kind)
    found: list[str] = []
    if root is not None:
        _walk_unknown(root, obj, "", found, prune=False)
    return found


# --- the body walks, over nodes compiled once --------------------------------------------------
#
# Decoding walks every body twice (quantities, then unknown fields and empty values), so each
# schema node is resolved once into a :class:`_Walk` holding what those walks ask of it, and
# linked to its children's. Nodes are compiled for a whole kind at once (a ``ref`` cycle is
# closed by the cache), then ``has_quantity`` is settled as a least fixpoint.


class _Walk:
    __slots__ = (
        "extra",
        "extra_true",
        "free",
        "has_quantity",
        "is_array",
        "is_map",
        "is_object",
        "items",
        "keep",
        "props",
        "quantity",
        "raw",
        "skip",
    )

    def __init__(self, raw: Schema) -> None:
        self.raw = raw
        node = resolve(raw)
        kind = node.get("type")
        self.free = is_free_form(node)
        #: neither unknown fields nor empty values are looked for below
        self.skip = self.free or bool(node.get("x-kubernetes-int-or-string"))
        self.is_array = kind == "array"
        self.is_object = kind == "object"
        self.is_map = kind == "object" and "properties" not in node
        self.quantity = node.get("format") == "quantity"
        self.keep = bool(node.get("x-mlkube-not-omitempty") or raw.get("x-mlkube-not-omitempty"))
        self.has_quantity = self.quantity
        self.props: dict[str, _Walk] | None = None
        self.extra: _Walk | None = None
        self.extra_true = False
        self.items: _Walk | None = None


_WALKS: dict[int, tuple[Schema, _Walk]] = {}
_WALK_ROOTS: dict[tuple[str, str], _Walk | None] = {}
_COMPILING: Final = threading.Lock()


def _compile(raw: Schema, fresh: list[_Walk]) -> _Walk:
    hit = _WALKS.get(id(raw))
    if hit is not None and hit[0] is raw:
        return hit[1]
    walk = _Walk(raw)
    _WALKS[id(raw)] = (raw, walk)
    fresh.append(walk)
    node = resolve(raw)
    props = node.get("properties")
    if props is not None:
        walk.props = {name: _compile(child, fresh) for name, child in props.items()}
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping):
        walk.extra = _compile(extra, fresh)
    walk.extra_true = extra is True
    items = node.get("items")
    if isinstance(items, Mapping):
        walk.items = _compile(items, fresh)
    return walk


def _walk_root(api_version: str, kind: str) -> _Walk | None:
    key = (api_version, kind)
    if key in _WALK_ROOTS:
        return _WALK_ROOTS[key]
    with _COMPILING:  # nodes are shared between kinds and filled in after they are cached
        if key in _WALK_ROOTS:
            return _WALK_ROOTS[key]
        root = kind_schema(api_version, kind)
        walk: _Walk | None = None
        if root is not None:
            fresh: list[_Walk] = []
            walk = _compile(root, fresh)
            _settle_quantities(fresh)
        _WALK_ROOTS[key] = walk
        return walk


def _settle_quantities(fresh: list[_Walk]) -> None:
    """``has_quantity``: a quantity is reachable (through any child; free-form stops)."""
    changed = True
    while changed:
        changed = False
        for walk in fresh:
            if walk.has_quantity or walk.free:
                continue
            children: list[_Walk] = []
            if walk.props is not None:
                children.extend(walk.props.values())
            if walk.extra is not None:
                children.append(walk.extra)
            if walk.items is not None:
                children.append(walk.items)
            if any(child.has_quantity for child in children):
                walk.has_quantity = True
                changed = True


def _walk_unknown(walk: _Walk, value: Any, path: str, found: list[str], *, prune: bool) -> None:
    if walk.skip:
        return
    if walk.is_array:
        items = walk.items
        if items is not None and isinstance(value, list):
            for i, item in enumerate(value):
                _walk_unknown(items, item, f"{path}[{i}]", found, prune=prune)
        return
    if not walk.is_object or not isinstance(value, Mapping):
        return
    props = walk.props
    extra = walk.extra
    unknown: list[str] = []
    for key, child in value.items():
        if props is not None and key in props:
            target = props[key]
        elif extra is not None:
            target = extra
        elif walk.extra_true:
            continue
        else:
            found.append(f"{path}.{key}" if path else str(key))
            unknown.append(key)
            continue
        if target.skip or child is None or isinstance(child, str | int | float):
            continue  # nothing below a scalar
        _walk_unknown(target, child, f"{path}.{key}" if path else str(key), found, prune=prune)
    if prune and isinstance(value, dict):
        for key in unknown:
            del value[key]


def prune_unknown_fields(api_version: str, kind: str, obj: dict[str, Any]) -> list[str]:
    """Drop from ``obj``, in place, the fields :func:`unknown_fields` names; return them.

    The one function here that mutates its argument: decoding into a Go type drops unknown
    fields (``fieldValidation=Ignore|Warn``), and the apiserver prunes the object it is
    decoding, which it owns. Use :func:`unknown_fields` to only look.
    """
    root = _walk_root(api_version, kind)
    found: list[str] = []
    if root is not None:
        _walk_unknown(root, obj, "", found, prune=True)
    return found


def quantity_error(api_version: str, kind: str, obj: Mapping[str, Any]) -> str | None:
    """The first quantity in ``obj`` that does not parse, as decoding reports it
    (``unable to parse quantity's suffix``...), or None.

    kube-apiserver decodes quantities while decoding the body, so a malformed one is a 400
    (``<Kind> in version "v1" cannot be handled as a <Kind>: <this message>``), never a
    field error.
    """
    from mlkube.api.quantity import QuantityError, parse_quantity

    root = _walk_root(api_version, kind)
    if root is None or not root.has_quantity:
        return None
    stack: list[tuple[_Walk, Any]] = [(root, obj)]
    while stack:
        walk, value = stack.pop()
        if walk.quantity:
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                try:
                    parse_quantity(str(value))
                except QuantityError as err:
                    return str(err)
            continue
        if walk.free:
            continue
        if walk.is_array and isinstance(value, list):
            items = walk.items
            if items is not None and items.has_quantity:
                stack.extend((items, v) for v in reversed(value))
        elif isinstance(value, Mapping):
            props = walk.props
            extra = walk.extra
            pending: list[tuple[_Walk, Any]] = []
            for key, child in value.items():
                if props is not None and key in props:
                    target = props[key]
                elif extra is not None:
                    target = extra
                else:
                    continue
                if target.has_quantity:
                    pending.append((target, child))
            stack.extend(reversed(pending))
    return None


def drop_empty(api_version: str, kind: str, obj: dict[str, Any]) -> None:
    """Drop what Go's encoding drops: ``null`` fields, and empty lists and maps of fields with
    ``omitempty`` (all but the ``x-mlkube-not-omitempty`` ones), in place.

    kube-apiserver decodes a body into Go structs and encodes the stored object from them, so
    ``finalizers: []`` or ``labels: {}`` in a request (or left by a patch) are never stored;
    structs (``securityContext: {}``) are kept.
    """
    root = _walk_root(api_version, kind)
    if root is not None:
        _drop_empty(root, obj)


def _drop_empty(walk: _Walk, value: Any) -> None:
    if walk.skip:
        return
    if walk.is_array and isinstance(value, list):
        items = walk.items
        if items is not None:
            for item in value:
                if isinstance(item, dict | list):
                    _drop_empty(items, item)
        return
    if not isinstance(value, dict):
        return
    props = walk.props
    extra = walk.extra
    for key in list(value):
        child = value[key]
        if props is not None and key in props:
            sub = props[key]
        elif extra is not None:
            sub = extra
        else:
            continue
        if child is None:
            del value[key]
            continue
        if isinstance(child, dict | list):
            _drop_empty(sub, child)
            if not sub.keep and (child == [] or (child == {} and sub.is_map)):
                del value[key]


def clean_body(api_version: str, kind: str, obj: dict[str, Any]) -> list[str]:
    """:func:`prune_unknown_fields` then :func:`drop_empty`, in one walk, then
    ``mlkube.api.gojson.fill_zeros``; the pruned paths.

    What decoding a request body into its Go type and encoding it again does to it. A node is
    cleaned only after everything below it is, so the result (and the order of the paths) is
    that of the two walks one after the other. The zero values Go writes for unset fields
    without ``omitempty`` (``lastProbeTime: null`` in a pod's conditions,
    ``reportingComponent: ""`` in an Event) are written last, so they are kept, and the zero
    scalars ``omitempty`` leaves out (``minReadySeconds: 0``) are dropped then.
    """
    root = _walk_root(api_version, kind)
    found: list[str] = []
    if root is not None:
        _clean(root, obj, "", found)
    gojson.fill_zeros(api_version, kind, obj)
    return found


def _clean(walk: _Walk, value: Any, path: str, found: list[str]) -> None:
    if walk.skip:
        return
    if walk.is_array:
        items = walk.items
        if items is not None and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict | list):
                    _clean(items, item, f"{path}[{i}]", found)
        return
    if not walk.is_object or not isinstance(value, dict):
        return
    props = walk.props
    extra = walk.extra
    dropped: list[str] = []
    for key, child in value.items():
        if props is not None and key in props:
            target = props[key]
        elif extra is not None:
            target = extra
        elif walk.extra_true:
            continue
        else:
            found.append(f"{path}.{key}" if path else str(key))
            dropped.append(key)
            continue
        if child is None:
            dropped.append(key)
        elif isinstance(child, dict | list):
            if not target.skip:
                _clean(target, child, f"{path}.{key}" if path else str(key), found)
            if not target.keep and (child == [] or (child == {} and target.is_map)):
                dropped.append(key)
    for key in dropped:
        del value[key]
