"""The schema check of an applied configuration (structured-merge-diff's ``validate.go``).

Server-side apply turns the request body into a typed value before merging
(``structuredmerge.go``: ``typeConverter.ObjectToTyped(patchObj)``), and that conversion
validates the body against the schema (``sigs.k8s.io/structured-merge-diff/v6/typed/
validate.go``, ``helpers.go``). A body it refuses is a 500 ``failed to create typed patch
object (<namespace>/<name>; <gvk>): <errors>``, where each error is a path and SMD's text:

- ``.spec.replicas: expected numeric (int or float), got string`` (``%T`` of the value),
- ``.data.k: expected string, got &value.valueUnstructured{Value:1}`` (``%#v``),
- ``.spec.paused: expected boolean, got &{x}``, ``.spec: expected map, got &{x}``,
  ``.spec.containers: expected list, got &{map[a:1]}`` (``%v``),
- ``.bogus: field not declared in schema``,
- ``.spec.containers: element 0: associative list with keys may not have non-map
  elements``, ``.metadata.finalizers: duplicate entries for key [="a"]``.

Several errors are listed after ``errors:``, one per line. The schema is mlkube's
(:mod:`mlkube.api.schema`) read as kube-openapi's ``schemaconv`` reads the OpenAPI:
integers are numeric, a string with a format other than ``byte`` (``date-time``) and a
quantity are untyped scalars (any scalar), a node without a type (int-or-string,
``RawExtension``) takes anything. Integers of the body are Go ``int64``s, other numbers
``float64``s (``%v`` prints ``1.5e+07``). Maps are walked in the body's order, where Go's
order is random.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from mlkube.api import schema as _schema
from mlkube.api.field import go_quote
from mlkube.api.schema import Schema
from mlkube.engine.patch import _go
from mlkube.engine.patch import fieldpath as fp

__all__ = ["validate"]

_NUMERIC, _STRING, _BOOLEAN, _UNTYPED = "numeric", "string", "boolean", "untyped"
_STRING_FORMATS: Final = ("", "byte")


def validate(config: Mapping[str, Any], root: Schema | None) -> str | None:
    """SMD's ``ValidationErrors`` text for ``config`` against ``root``, or None if it fits
    (also when there is no schema)."""
    if root is None:
        return None
    errors: list[str] = []
    _value(config, root, "", errors)
    if not errors:
        return None
    if len(errors) == 1:
        return errors[0]
    return "\n".join(["errors:", *(f"  {e}" for e in errors)])


def _error(errors: list[str], path: str, message: str) -> None:
    errors.append(f"{path}: {message}" if path else message)


def _atom(node: Schema) -> tuple[str, Schema]:
    """The node as schemaconv makes it: ``("map" | "list" | <scalar> | "deduced", node)``.

    No type (an int-or-string, ``RawExtension``) accepts anything; a quantity is an untyped
    scalar (``openapi.go``'s hard-coded ``Quantity``); an object without properties is a
    map of anything.
    """
    resolved = _schema.resolve(node)
    if resolved.get("format") == "quantity":
        return _UNTYPED, resolved
    kind = resolved.get("type")
    if kind is None or resolved.get("x-mlkube-any") or resolved.get("x-kubernetes-int-or-string"):
        return "deduced", resolved
    if kind == "object":
        return "map", resolved
    if kind == "array":
        return "list", resolved
    if kind in ("integer", "number"):
        return _NUMERIC, resolved
    if kind == "boolean":
        return _BOOLEAN, resolved
    if kind == "string":
        fmt = resolved.get("format") or ""
        return (_STRING if fmt in _STRING_FORMATS else _UNTYPED), resolved
    return _UNTYPED, resolved


def _value(value: Any, node: Schema, path: str, errors: list[str]) -> None:
    """``resolveSchema`` + ``deduceAtom`` + ``handleAtom`` for one value."""
    atom, resolved = _atom(node)
    if atom == "deduced" or value is None:
        return
    if atom == "map":
        if not isinstance(value, dict):
            _error(errors, path, f"expected map, got &{{{_sprint(value)}}}")
            return
        _map(value, resolved, path, errors)
    elif atom == "list":
        if not isinstance(value, list):
            _error(errors, path, f"expected list, got &{{{_sprint(value)}}}")
            return
        _list(value, resolved, path, errors)
    else:
        problem = _scalar(atom, value)
        if problem is not None:
            _error(errors, path, problem)


def _scalar(atom: str, value: Any) -> str | None:
    """``validateScalar``."""
    scalar = isinstance(value, bool | int | float | str)
    if atom == _NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected numeric (int or float), got {_type_name(value)}"
    elif atom == _STRING:
        if not isinstance(value, str):
            return f"expected string, got &value.valueUnstructured{{Value:{_gosyntax(value)}}}"
    elif atom == _BOOLEAN:
        if not isinstance(value, bool):
            return f"expected boolean, got &{{{_sprint(value)}}}"
    elif not scalar:
        return f"expected any scalar, got &{{{_sprint(value)}}}"
    return None


def _map(value: Mapping[str, Any], node: Schema, path: str, errors: list[str]) -> None:
    """``visitMapItems``: a field the struct does not declare ends the walk of this map."""
    props: Mapping[str, Schema] = node.get("properties") or {}
    extra = node.get("additionalProperties")
    if not props and extra is None:
        extra = True  # an object without properties is free-form
    for key, child in value.items():
        where = path + fp.pe_string(fp.field(key))
        target = props.get(key)
        if target is None:
            if extra is True:
                target = _schema.ANY
            elif isinstance(extra, Mapping):
                target = extra
            else:
                _error(errors, where, "field not declared in schema")
                return
        _value(child, target, where, errors)


def _list(items: list[Any], node: Schema, path: str, errors: list[str]) -> None:
    """``visitListItems``: associative lists need a path element per item, once each."""
    item_node = _schema.item_schema(node) or _schema.ANY
    meta = _schema.patch_meta_of(node)
    associative = meta.list_type in ("map", "set")
    keys = meta.list_map_keys if meta.list_type == "map" else ()
    seen: set[fp.PathElement] = set()
    for i, item in enumerate(items):
        if not associative:
            pe = fp.index(i)
        else:
            try:
                pe = _keyed(item, keys, item_node) if keys else _set_member(item)
            except _ItemError as err:
                _error(errors, path, f"element {i}: {err}")
                return
            if pe in seen:
                _error(errors, path, f"duplicate entries for key {fp.pe_string(pe)}")
            seen.add(pe)
        _value(item, item_node, path + fp.pe_string(pe), errors)


class _ItemError(Exception):
    """An item of an associative list that has no path element."""


def _keyed(item: Any, keys: tuple[str, ...], item_node: Schema) -> fp.PathElement:
    """``keyedAssociativeListItemToPathElement``: the key fields, defaulted from the schema."""
    if item is None:
        raise _ItemError("associative list with keys may not have a null element")
    if not isinstance(item, dict):
        raise _ItemError("associative list with keys may not have non-map elements")
    fields: dict[str, Any] = {}
    for name in keys:
        if name in item:
            fields[name] = item[name]
            continue
        child = _schema.child_schema(item_node, name)
        default = _schema.resolve(child).get("default") if child is not None else None
        if default is not None:
            fields[name] = default
    if keys and not fields:
        quoted = " ".join(go_quote(k) for k in keys)
        raise _ItemError(
            f"associative list with keys has an element that omits all key fields [{quoted}] "
            "(and doesn't have default values for any key fields)"
        )
    return fp.key(fields)


def _set_member(item: Any) -> fp.PathElement:
    """``setItemToPathElement``: a set holds scalars only."""
    if isinstance(item, dict):
        raise _ItemError("associative list without keys has an element that's a map type")
    if isinstance(item, list):
        raise _ItemError("not supported: associative list with lists as elements")
    if item is None:
        raise _ItemError("associative list without keys has an element that's an explicit null")
    return fp.value(item)


# --- Go's fmt on a decoded body -------------------------------------------------------------


def _type_name(value: Any) -> str:
    """``%T``."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    return "map[string]interface {}"


def _sprint(value: Any) -> str:
    """``%v``."""
    return _go.sprint(value)


def _gosyntax(value: Any, typed: bool = False) -> str:
    """``%#v``; inside a container an element's ``interface {}`` shows (``interface {}(nil)``)."""
    if value is None:
        return "interface {}(nil)" if typed else "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go.sprint(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_gosyntax(v, True) for v in value) + "}"
    inner = ", ".join(f"{go_quote(k)}:{_gosyntax(value[k], True)}" for k in sorted(value))
    return "map[string]interface {}{" + inner + "}"
