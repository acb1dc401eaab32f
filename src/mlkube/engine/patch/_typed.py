"""Schema-aware walks of server-side apply: field sets, compare, merge, remove.

Written by hand after ``sigs.k8s.io/structured-merge-diff/v6/typed``: ``tofieldset.go``
(:func:`to_field_set`), ``compare.go`` and the compare rules of ``typed.go``
(:func:`compare`), ``merge.go`` (:func:`merge`, including its list ordering), ``remove.go``
(:func:`remove_items`) and ``fieldpath/set.go`` ``EnsureNamedFieldsAreMembers``.

The schema is mlkube's (:mod:`mlkube.api.schema`): objects with ``properties`` are structs,
objects with ``additionalProperties`` granular maps (``x-kubernetes-map-type: atomic`` makes
either a leaf), arrays are ``map``/``set`` lists by ``x-kubernetes-list-type`` and atomic
otherwise, everything else a scalar leaf; a node the schema does not describe is deduced
from its value as SMD does (objects granular, lists atomic).

kube-apiserver compares typed Go objects. Two consequences are reproduced with the schema's
mlkube annotations: a struct-valued Go field (``x-mlkube-value-struct``) exists as ``{}``
whenever its parent exists, a list field without ``omitempty``
(``x-mlkube-not-omitempty``) exists as ``null``, a scalar without it (``x-mlkube-zero``) as
its zero value; and ``null`` fields do not survive the trip
through Go types (:func:`drop_nulls`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec

from mlkube.api import schema as _schema
from mlkube.api.field import go_quote
from mlkube.api.schema import Schema
from mlkube.engine.patch import fieldpath as fp
from mlkube.engine.patch.fieldpath import Path, PathElement

__all__ = [
    "Comparison",
    "TypedError",
    "compare",
    "drop_nulls",
    "drop_nulls_shared",
    "ensure_named_fields_are_members",
    "json_equal",
    "merge",
    "recursive_difference",
    "remove_items",
    "to_field_set",
    "with_prefix",
]


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Final = _Absent()


class TypedError(ValueError):
    """A value that does not fit its schema for SSA (e.g. a list-map item without its key)."""


@dataclass
class Comparison:
    added: set[Path] = field(default_factory=set)
    removed: set[Path] = field(default_factory=set)
    modified: set[Path] = field(default_factory=set)

    def filtered(self, ignored: set[Path]) -> Comparison:
        return Comparison(
            recursive_difference(self.added, ignored),
            recursive_difference(self.removed, ignored),
            recursive_difference(self.modified, ignored),
        )


@dataclass(frozen=True)
class _Kind:
    shape: str  # "leaf" | "fields" | "list"
    list_type: str = ""
    keys: tuple[str, ...] = ()
    item: Schema | None = None


_LEAF: Final = _Kind("leaf")
_FIELDS: Final = _Kind("fields")


class _Info:
    """What the walks ask of one schema node, worked out once (nodes live as long as the
    process: they are the schema's own, or cached by :func:`mlkube.api.schema.resolve`)."""

    __slots__ = ("default_child", "implied", "kind", "node", "props")

    def __init__(self, node: Schema) -> None:
        self.node = node
        free = _schema.is_free_form(node)
        #: ``None`` for a node the schema does not describe (deduced from the value)
        self.kind: _Kind | None = None if free else _kind_of(node)
        resolved = _schema.resolve(node)
        props: Mapping[str, Schema] | None = None if free else resolved.get("properties")
        self.props = props
        extra = resolved.get("additionalProperties")
        default_child: Schema | None = None
        if free or extra is True:
            default_child = _schema.ANY
        elif isinstance(extra, Mapping):
            default_child = extra
        self.default_child = default_child
        self.implied: tuple[str, ...] = tuple(
            name
            for name, child in resolved.get("properties", {}).items()
            if child.get("x-mlkube-value-struct")
            or child.get("x-mlkube-not-omitempty")
            or "x-mlkube-zero" in child
        )


_INFOS: dict[int, tuple[Schema, _Info]] = {}


def _info(node: Schema) -> _Info:
    hit = _INFOS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    info = _Info(node)
    _INFOS[id(node)] = (node, info)
    return info


def _kind_of(node: Schema) -> _Kind:
    resolved = _schema.resolve(node)
    if resolved.get("x-kubernetes-int-or-string") or resolved.get("format") == "quantity":
        return _LEAF
    kind = resolved.get("type")
    if kind == "object":
        if resolved.get("x-kubernetes-map-type") == "atomic":
            return _LEAF
        return _FIELDS
    if kind == "array":
        meta = _schema.patch_meta_of(resolved)
        if meta.list_type in ("map", "set"):
            return _Kind("list", meta.list_type, meta.list_map_keys, _schema.item_schema(resolved))
    return _LEAF


def _kind(node: Schema | None, sample: Any) -> _Kind:
    kind = _info(node).kind if node is not None else None
    if kind is None:
        return _FIELDS if isinstance(sample, dict) else _LEAF
    return kind


def _child(node: Schema | None, name: str) -> Schema | None:
    """``child_schema``, from the node's :class:`_Info`."""
    if node is None:
        return None
    info = _info(node)
    props = info.props
    if props is not None and name in props:
        child: Schema = props[name]
        return child
    return info.default_child


def json_equal(a: Any, b: Any) -> bool:
    """Deep JSON equality (``true`` is not ``1``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return False
    return bool(a == b)


def _item_pe(kind: _Kind, item: Any, i: int) -> PathElement:
    if kind.list_type == "map":
        if item is None:
            raise TypedError("associative list with keys may not have a null element")
        if not isinstance(item, dict):
            raise TypedError("associative list with keys may not have non-map elements")
        # A key the item omits is its schema default (``Container.name``: ""), or left out
        # of the path element when it has none; an item with no key at all has no element.
        fields: dict[str, Any] = {}
        item_node = _schema.resolve(kind.item) if kind.item is not None else {}
        props = item_node.get("properties", {})
        for name in kind.keys:
            if name in item:
                fields[name] = item[name]
            elif name in props and "default" in _schema.resolve(props[name]):
                fields[name] = _schema.resolve(props[name])["default"]
        if kind.keys and not fields:
            quoted = " ".join(go_quote(k) for k in kind.keys)
            raise TypedError(
                f"associative list with keys has an element that omits all key fields [{quoted}] "
                "(and doesn't have default values for any key fields)"
            )
        return fp.key(fields)
    if isinstance(item, dict | list):
        raise TypedError("associative list without keys has an element that's a map type")
    return fp.value(item)


def _index_items(kind: _Kind, items: list[Any] | None) -> dict[PathElement, Any]:
    observed: dict[PathElement, Any] = {}
    for i, item in enumerate(items or ()):
        pe = _item_pe(kind, item, i)
        observed.setdefault(pe, item)
    return observed


# --- ToFieldSet -----------------------------------------------------------------------------


def to_field_set(value: Any, node: Schema | None) -> set[Path]:
    """The paths of every leaf and list item of ``value`` (``TypedValue.ToFieldSet``)."""
    out: set[Path] = set()
    _to_set(value, node, (), out)
    return out


def _to_set(value: Any, node: Schema | None, path: Path, out: set[Path]) -> None:
    kind = _kind(node, value)
    if kind.shape == "leaf":
        if path:
            out.add(path)
        return
    if kind.shape == "fields":
        if not isinstance(value, dict):
            if path and value is not None:
                out.add(path)
            return
        for name, child_value in value.items():
            sub = (*path, fp.field(name))
            if child_value is None or (isinstance(child_value, dict) and not child_value):
                out.add(sub)
            else:
                _to_set(child_value, _child(node, name), sub, out)
        return
    if not isinstance(value, list):
        return
    for i, item in enumerate(value):
        sub = (*path, _item_pe(kind, item, i))
        _to_set(item, kind.item, sub, out)
        out.add(sub)


# --- Compare --------------------------------------------------------------------------------


def _present(container: Any, name: str, child: Schema | None) -> Any:
    """A field as the typed Go object has it: value structs and non-omitempty lists exist."""
    if not isinstance(container, dict):
        return ABSENT
    if name in container:
        return container[name]
    if child is not None and child.get("x-mlkube-value-struct"):
        return {}
    if child is not None and child.get("x-mlkube-not-omitempty"):
        return None
    if child is not None and "x-mlkube-zero" in child:
        return child["x-mlkube-zero"]  # a scalar without omitempty: "", 0 or false
    return ABSENT


def _implied_fields(node: Schema | None, present: Mapping[str, Any]) -> list[str]:
    if node is None:
        return []
    return [name for name in _info(node).implied if name not in present]


def compare(lhs: Any, rhs: Any, node: Schema | None) -> Comparison:
    """What changed from ``lhs`` to ``rhs`` (``TypedValue.Compare``)."""
    out = Comparison()
    if _same(lhs, rhs):
        _check(lhs, node)
    else:
        _compare(lhs, rhs, node, (), out)
    return out


_encode: Final = msgspec.json.Encoder().encode


def _same(a: Any, b: Any) -> bool:
    """``a`` and ``b`` are the same JSON (a sufficient test: ``False`` may still be equal).

    Comparing equal values finds no change, so the walk skips them (checking only that they
    fit the schema, :func:`_check`). Python's ``==`` rejects most differences at C speed but
    takes ``1`` for ``true``; the encodings tell those apart (and differ when only the order
    of keys does, which the walk then settles).
    """
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is str or kind is int or kind is bool or kind is float:
        return bool(a == b)
    if kind is not dict and kind is not list:
        return False
    if a != b:
        return False
    try:
        return _encode(a) == _encode(b)
    except (TypeError, ValueError, OverflowError):
        return False


_RAISES: dict[int, tuple[Schema, bool]] = {}


def _may_raise(node: Schema | None) -> bool:
    """A value of ``node`` can hold a ``map`` or ``set`` list (the one source of
    :class:`TypedError`); ``True`` when unsure."""
    if node is None:
        return False
    hit = _RAISES.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    _RAISES[id(node)] = (node, True)  # a ref cycle is answered conservatively
    result = _find_keyed_list(node)
    _RAISES[id(node)] = (node, result)
    return result


def _find_keyed_list(node: Schema) -> bool:
    if _schema.is_free_form(node):
        return False
    kind = _kind(node, None)
    if kind.shape == "list":
        return True
    if kind.shape == "leaf":
        return False
    resolved = _schema.resolve(node)
    props = resolved.get("properties") or {}
    extra = resolved.get("additionalProperties")
    found = any(_may_raise(child) for child in props.values())
    return found or (isinstance(extra, Mapping) and _may_raise(extra))


def _check(value: Any, node: Schema | None) -> None:
    """Raise the :class:`TypedError` that comparing ``value`` with itself raises, if any."""
    if not _may_raise(node):
        return
    kind = _kind(node, value)
    if kind.shape == "fields":
        if isinstance(value, dict) and value:
            for name, child_value in value.items():
                _check(child_value, _child(node, name))
    elif kind.shape == "list" and isinstance(value, list) and value:
        for item in _index_items(kind, value).values():
            _check(item, kind.item)


def _leaf(lhs: Any, rhs: Any, path: Path, out: Comparison) -> None:
    if not path:
        return
    if lhs is ABSENT:
        out.added.add(path)
    elif rhs is ABSENT:
        out.removed.add(path)
    elif not json_equal(lhs, rhs):
        out.modified.add(path)


def _post_item(lhs: Any, rhs: Any, path: Path, out: Comparison) -> None:
    if not path:
        return
    if lhs is ABSENT:
        out.added.add(path)
    elif rhs is ABSENT:
        out.removed.add(path)


def _added(rhs: Any, node: Schema | None, path: Path, out: Comparison) -> None:
    """``_compare(ABSENT, rhs, ...)``: everything in ``rhs`` is added."""
    kind = _kind(node, rhs)
    if kind.shape == "fields":
        if isinstance(rhs, dict) and rhs:
            names = list(rhs)
            names += _implied_fields(node, rhs)
            for name in names:
                child = _child(node, name)
                rv = _present(rhs, name, child)
                if rv is not ABSENT:
                    _added(rv, child, (*path, fp.field(name)), out)
    elif kind.shape == "list" and isinstance(rhs, list) and rhs:
        for pe, item in _index_items(kind, rhs).items():
            _added(item, kind.item, (*path, pe), out)
    if path:
        out.added.add(path)


def _compare(lhs: Any, rhs: Any, node: Schema | None, path: Path, out: Comparison) -> None:
    sample = rhs if rhs is not ABSENT and rhs is not None else lhs
    kind = _kind(node, sample)
    if kind.shape == "fields":
        left = lhs if isinstance(lhs, dict) else None
        right = rhs if isinstance(rhs, dict) else None
        if not left and not right:
            _leaf(lhs, rhs, path, out)
            return
        names = list(left or {})
        names += [n for n in (right or {}) if n not in (left or {})]
        for extra in _implied_fields(node, dict.fromkeys(names, 1)):
            names.append(extra)
        for name in names:
            child = _child(node, name)
            lv = _present(left, name, child)
            rv = _present(right, name, child)
            if lv is ABSENT:
                if rv is not ABSENT:
                    _added(rv, child, (*path, fp.field(name)), out)
                continue
            if rv is not ABSENT and _same(lv, rv):
                _check(lv, child)
                continue
            _compare(lv, rv, child, (*path, fp.field(name)), out)
        _post_item(lhs, rhs, path, out)
        return
    if kind.shape == "list":
        left_items = lhs if isinstance(lhs, list) else None
        right_items = rhs if isinstance(rhs, list) else None
        if not left_items and not right_items:
            _leaf(lhs, rhs, path, out)
            return
        observed_lhs = _index_items(kind, left_items)
        observed_rhs = _index_items(kind, right_items)
        pes = list(observed_lhs) + [pe for pe in observed_rhs if pe not in observed_lhs]
        for pe in pes:
            lv = observed_lhs.get(pe, ABSENT)
            rv = observed_rhs.get(pe, ABSENT)
            if lv is ABSENT:
                _added(rv, kind.item, (*path, pe), out)
                continue
            if rv is not ABSENT and _same(lv, rv):
                _check(lv, kind.item)
                continue
            _compare(lv, rv, kind.item, (*path, pe), out)
        _post_item(lhs, rhs, path, out)
        return
    _leaf(lhs, rhs, path, out)


# --- Merge ----------------------------------------------------------------------------------


def merge(lhs: Any, rhs: Any, node: Schema | None) -> Any:
    """``lhs`` merged with ``rhs``, ``rhs`` winning (``TypedValue.Merge``)."""
    if rhs is ABSENT:
        return lhs
    if lhs is ABSENT:
        return rhs
    kind = _kind(node, rhs if rhs is not None else lhs)
    if kind.shape == "fields":
        left = lhs if isinstance(lhs, dict) else None
        right = rhs if isinstance(rhs, dict) else None
        if not left and not right:
            return rhs
        out: dict[str, Any] = {}
        for name in list(left or {}) + [n for n in (right or {}) if n not in (left or {})]:
            lv = left[name] if left is not None and name in left else ABSENT
            rv = right[name] if right is not None and name in right else ABSENT
            out[name] = merge(lv, rv, _child(node, name))
        return out
    if kind.shape == "list":
        left_items = lhs if isinstance(lhs, list) else None
        right_items = rhs if isinstance(rhs, list) else None
        if not left_items and not right_items:
            return rhs
        return _merge_list_items(kind, left_items, right_items)
    return rhs


def _merge_list_items(kind: _Kind, lhs: list[Any] | None, rhs: list[Any] | None) -> list[Any]:
    observed_rhs = _index_items(kind, rhs)
    observed_lhs = _index_items(kind, lhs)
    rhs_order = list(observed_rhs)
    lhs_order = list(observed_lhs)
    shared = [pe for pe in rhs_order if pe in observed_lhs]
    next_shared = shared.pop(0) if shared else None
    out: list[Any] = []
    li = ri = 0
    while li < len(lhs_order) or ri < len(rhs_order):
        if li < len(lhs_order) and ri < len(rhs_order):
            pe = lhs_order[li]
            if pe == rhs_order[ri]:
                out.append(merge(observed_lhs[pe], observed_rhs[pe], kind.item))
                li += 1
                ri += 1
                next_shared = shared.pop(0) if shared else None
                continue
            if pe in observed_rhs and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(lhs_order):
            pe = lhs_order[li]
            if pe not in observed_rhs:
                out.append(observed_lhs[pe])
                li += 1
                continue
            if ri >= len(rhs_order):
                # A shared item whose right-hand copy was already taken.
                li += 1
                continue
        if ri < len(rhs_order):
            pe = rhs_order[ri]
            out.append(merge(observed_lhs.get(pe, ABSENT), observed_rhs[pe], kind.item))
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared.pop(0) if shared else None
    return out


# --- RemoveItems ----------------------------------------------------------------------------


def with_prefix(paths: Iterable[Path], pe: PathElement) -> set[Path]:
    """The paths below ``pe``, relative to it (``Set.WithPrefix``)."""
    return {p[1:] for p in paths if len(p) > 1 and p[0] == pe}


def remove_items(value: Any, paths: set[Path], node: Schema | None) -> Any:
    """``value`` without the members of ``paths`` (``TypedValue.RemoveItems``).

    A map or list left with nothing becomes ``null``, as upstream.
    """
    kind = _kind(node, value)
    if kind.shape == "fields":
        if not isinstance(value, dict) or not value:
            return None
        out: dict[str, Any] = {}
        for name, child_value in value.items():
            pe = fp.field(name)
            if (pe,) in paths:
                continue
            sub = with_prefix(paths, pe)
            out[name] = remove_items(child_value, sub, _child(node, name)) if sub else child_value
        return out or None
    if kind.shape == "list":
        if not isinstance(value, list) or not value:
            return None
        items: list[Any] = []
        for i, item in enumerate(value):
            pe = _item_pe(kind, item, i)
            if (pe,) in paths:
                continue
            sub = with_prefix(paths, pe)
            items.append(remove_items(item, sub, kind.item) if sub else item)
        return items or None
    return value


# --- set helpers ----------------------------------------------------------------------------


def ensure_named_fields_are_members(paths: set[Path], node: Schema | None) -> set[Path]:
    """``paths`` plus every struct field that has members below it."""
    out = set(paths)
    for path in paths:
        current = node
        for i, pe in enumerate(path[:-1]):
            if current is None:
                break
            if pe[0] == "f":
                resolved = _schema.resolve(current)
                props = resolved.get("properties")
                if props is not None and pe[1] in props:
                    out.add(path[: i + 1])
                current = _schema.child_schema(current, pe[1])
            else:
                current = _schema.item_schema(current)
    return out


def recursive_difference(paths: set[Path], ignored: set[Path]) -> set[Path]:
    """``paths`` without the ignored paths and everything below them."""
    if not ignored:
        return set(paths)
    if all(len(q) == 1 for q in ignored):
        heads = {q[0] for q in ignored}
        return {p for p in paths if not p or p[0] not in heads}
    return {p for p in paths if not any(p[: len(q)] == q for q in ignored)}


def drop_nulls_shared(value: Any) -> Any:
    """:func:`drop_nulls`, answering ``value`` itself (not a copy) when it holds no ``null``:
    for callers that only read the result."""
    try:
        if b"null" not in _encode(value):
            return value
    except (TypeError, ValueError, OverflowError):
        pass
    return drop_nulls(value)


def drop_nulls(value: Any) -> Any:
    """``value`` without ``null`` object members at any depth (they do not survive Go types)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value
