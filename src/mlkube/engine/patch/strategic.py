"""Strategic merge patch (``application/strategic-merge-patch+json``) for the built-in kinds.

Written by hand: no Python library implements Kubernetes' strategic merge patch. This is a
port of the apply half of ``k8s.io/apimachinery/pkg/util/strategicpatch/patch.go``
(``StrategicMergeMapPatch`` with ``MergeParallelList`` and ``IgnoreUnmatchedNulls``, as
kube-apiserver calls it), read at v0.36/v0.37, with the error texts of
``k8s.io/apimachinery/pkg/util/mergepatch/errors.go`` and the status mapping of
``interpretStrategicMergePatchError`` in ``k8s.io/apiserver/pkg/endpoints/handlers/patch.go``:
malformed directives are 400 BadRequest, lists of lists 422, anything else a 500 carrying the
Go error text. The merged map then becomes the Go object through ``FromUnstructured``
(:mod:`~mlkube.engine.patch.unstructured`), so a value of the wrong type is the 422 of
``applyPatchToObject`` on the field ``patch``, the patch printed with ``%+v``. Patch
strategies and merge keys come from :mod:`mlkube.api.schema`.

Rules, in the order ``mergeMap`` applies them to each map:

1. ``$patch: replace`` replaces the map with the rest of the patch; ``$patch: delete`` empties it.
2. ``$retainKeys`` clears the original's keys it does not list.
3. ``$setElementOrder/<list>`` merges ``<list>`` and orders it (directive > patch > live order).
4. Each key: ``null`` deletes; a new key or a type change takes the patch value (nulls and
   directive maps dropped); maps merge; lists merge by merge key (``patchStrategy: merge``)
   or as sets (primitives), else are replaced; ``$deleteFromPrimitiveList/<list>`` removes
   values.

Directive keys that survive (for instance under a ``$patch: replace``) are dropped from
struct-typed objects at the end, as decoding into the Go type drops them upstream.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from mlkube.api import gojson
from mlkube.api import schema as _schema
from mlkube.api.field import Path as FieldPath
from mlkube.api.field import invalid
from mlkube.api.schema import Schema
from mlkube.engine.errors import ApiError, BadRequest, Invalid
from mlkube.engine.patch import _go
from mlkube.engine.patch._status import server_error, unprocessable, unsupported_media_type
from mlkube.engine.patch.scale import SCALE_API_VERSION, SCALE_KIND, SCALE_SCHEMA
from mlkube.engine.patch.unstructured import ConversionError, from_unstructured

__all__ = [
    "DELETE_FROM_PRIMITIVE_LIST_PREFIX",
    "DIRECTIVE_MARKER",
    "ERR_BAD_JSON_DOC",
    "ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST",
    "ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS",
    "ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST",
    "ERR_NO_LIST_OF_LISTS",
    "RETAIN_KEYS_DIRECTIVE",
    "SET_ELEMENT_ORDER_PREFIX",
    "strategic_merge_patch",
]

DIRECTIVE_MARKER: Final = "$patch"
_REPLACE: Final = "replace"
_MERGE: Final = "merge"
_DELETE: Final = "delete"
DELETE_FROM_PRIMITIVE_LIST_PREFIX: Final = "$deleteFromPrimitiveList"
RETAIN_KEYS_DIRECTIVE: Final = "$retainKeys"
SET_ELEMENT_ORDER_PREFIX: Final = "$setElementOrder"
_RETAIN_KEYS_STRATEGY: Final = "retainKeys"

# k8s.io/apimachinery/pkg/util/mergepatch/errors.go
ERR_BAD_JSON_DOC: Final = "invalid JSON document"
ERR_NO_LIST_OF_LISTS: Final = "lists of lists are not supported"
ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST: Final = "invalid patch format of primitive list"
ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS: Final = "invalid patch format of retainKeys"
ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST: Final = (
    "invalid patch format of setElementOrder list"
)

_SMP_PATCH_TYPES: Final = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
)


def strategic_merge_patch(
    original: Mapping[str, Any], patch: Any, *, api_version: str, kind: str
) -> dict[str, Any]:
    """Apply the strategic merge ``patch`` to ``original`` (neither is mutated).

    ``patch`` is the decoded request body. The result is the Go object the merged map
    converts into (:func:`~mlkube.engine.patch.unstructured.from_unstructured`: integers
    narrowed to their fields' widths). Raises :class:`~mlkube.engine.errors.ApiError`
    with kube-apiserver's status: 400 for a body that is not an object or a malformed
    directive, 422 for lists of lists, 422 on ``patch`` for a result of the wrong Go type,
    500 for the other merge errors, 415 for a kind without a schema (strategic merge patch
    is for built-in kinds only).
    """
    root = _schema.kind_schema(api_version, kind)
    if root is None and (api_version, kind) == (SCALE_API_VERSION, SCALE_KIND):
        root = SCALE_SCHEMA
    if root is None:
        raise unsupported_media_type(_SMP_PATCH_TYPES)
    if patch is None:
        return copy.deepcopy(dict(original))
    if not isinstance(patch, dict):
        raise BadRequest(
            f"json: cannot unmarshal {gojson.json_type(patch)} into Go value of type "
            "map[string]interface {}"
        )
    try:
        merged: dict[str, Any] = _merge_map(
            copy.deepcopy(dict(original)), copy.deepcopy(patch), root
        )
    except _SmpError as err:
        raise err.status() from None
    _strip_directives(merged, root)
    # applyPatchToObject: the merged map becomes the Go object (FromUnstructured); a value
    # it cannot convert is a 422 on "patch" whose value is the patch map printed with %+v.
    try:
        return from_unstructured(api_version, kind, merged)
    except ConversionError as err:
        raise Invalid("", "", [invalid(FieldPath("patch"), _go.sprint(patch), str(err))]) from None


class _SmpError(Exception):
    """A Go error from strategicpatch, mapped to a status by interpretStrategicMergePatchError."""

    def status(self) -> ApiError:
        text = str(self)
        if text in (
            ERR_BAD_JSON_DOC,
            ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST,
            ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS,
            ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST,
        ):
            return BadRequest(text)
        if text == ERR_NO_LIST_OF_LISTS:
            return unprocessable()
        return server_error(text)


def _err_no_merge_key(m: Mapping[str, Any], key: str) -> _SmpError:
    return _SmpError(f"map: {_go.sprint(dict(m))} does not contain declared merge key: {key}")


def _err_bad_arg_type(expected: str, actual: Any) -> _SmpError:
    return _SmpError(f"expected a {expected}, but received a {_go.type_name(actual)}")


def _err_bad_patch_type(directive: Any, m: Mapping[str, Any]) -> _SmpError:
    return _SmpError(f"unknown patch type: {_go.sprint(directive)} in map: {_go.sprint(dict(m))}")


_MAP_TYPE: Final = "map[string]interface {}"
_SLICE_TYPE: Final = "[]interface {}"


# --- maps -----------------------------------------------------------------------------------


def _merge_map(original: dict[str, Any], patch: dict[str, Any], node: Schema | None) -> Any:
    if DIRECTIVE_MARKER in patch:
        return _handle_directive_in_merge_map(patch[DIRECTIVE_MARKER], patch)
    _apply_retain_keys_directive(original, patch)
    _merge_patch_into_original(original, patch, node)
    for key in list(patch):
        patch_v = patch[key]
        is_delete_list = False
        if key.startswith(DELETE_FROM_PRIMITIVE_LIST_PREFIX):
            key = _extract_key(key, DELETE_FROM_PRIMITIVE_LIST_PREFIX)
            is_delete_list = True
        if patch_v is None:
            original.pop(key, None)
            continue
        if key not in original or _go.kind(original[key]) != _go.kind(patch_v):
            if not is_delete_list:
                _discard_null_values(patch_v)
                value, keep = _remove_directives(patch_v)
                if keep:
                    original[key] = value
                else:
                    original.pop(key, None)
            continue
        child = _schema.child_schema(node, key) if node is not None else None
        meta = _schema.patch_meta_of(child)
        strategy = _extract_retain_keys_patch_strategy(meta.strategies)
        current = original[key]
        if isinstance(current, dict):
            original[key] = _merge_map_handler(current, patch_v, child, strategy)
        elif isinstance(current, list):
            item = _schema.item_schema(child) if child is not None else None
            original[key] = _merge_slice_handler(
                current, patch_v, item, strategy, meta.merge_key or "", is_delete_list
            )
        else:
            original[key] = patch_v
    return original


def _handle_directive_in_merge_map(directive: Any, patch: dict[str, Any]) -> dict[str, Any]:
    if _go.eq(directive, _REPLACE):
        del patch[DIRECTIVE_MARKER]
        return patch
    if _go.eq(directive, _DELETE):
        return {}
    raise _err_bad_patch_type(directive, patch)


def _merge_map_handler(
    original: dict[str, Any], patch: Any, node: Schema | None, strategy: str
) -> Any:
    if not isinstance(patch, dict):
        raise _err_bad_arg_type(_MAP_TYPE, patch)
    if strategy != _REPLACE:
        return _merge_map(original, patch, node)
    return patch


def _extract_retain_keys_patch_strategy(strategies: tuple[str, ...]) -> str:
    if len(strategies) == 0:
        return ""
    if len(strategies) == 1:
        return "" if strategies[0] == _RETAIN_KEYS_STRATEGY else strategies[0]
    if len(strategies) == 2:
        if strategies[0] == _RETAIN_KEYS_STRATEGY:
            return strategies[1]
        if strategies[1] == _RETAIN_KEYS_STRATEGY:
            return strategies[0]
    raise _SmpError(f"unexpected patch strategy: [{' '.join(strategies)}]")


def _extract_key(s: str, prefix: str) -> str:
    head, sep, tail = s.partition("/")
    if not sep or head != prefix:
        if prefix == DELETE_FROM_PRIMITIVE_LIST_PREFIX:
            raise _SmpError(ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST)
        raise _SmpError(ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST)
    return tail


def _apply_retain_keys_directive(original: dict[str, Any], patch: dict[str, Any]) -> None:
    if RETAIN_KEYS_DIRECTIVE not in patch:
        return
    retain = patch.pop(RETAIN_KEYS_DIRECTIVE)
    if not isinstance(retain, list):
        raise _SmpError(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS)
    for key, value in patch.items():
        if value is None or key.startswith(
            (DELETE_FROM_PRIMITIVE_LIST_PREFIX, SET_ELEMENT_ORDER_PREFIX)
        ):
            continue
        if not any(_go.eq(key, r) for r in retain):
            raise _SmpError(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS)
    for key in list(original):
        if not any(_go.eq(key, r) for r in retain):
            del original[key]


def _discard_null_values(value: Any) -> None:
    if isinstance(value, dict):
        for key in list(value):
            if value[key] is None:
                del value[key]
            else:
                _discard_null_values(value[key])
    elif isinstance(value, list):
        for item in value:
            _discard_null_values(item)


def _remove_directives(value: Any) -> tuple[Any, bool]:
    """Drop maps carrying ``$patch`` from a value that is taken whole (``removeDirectives``)."""
    if isinstance(value, dict):
        if DIRECTIVE_MARKER in value:
            return None, False
        for key in list(value):
            new, keep = _remove_directives(value[key])
            if keep:
                value[key] = new
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        kept = []
        for item in value:
            new, keep = _remove_directives(item)
            if keep:
                kept.append(new)
        return kept, True
    return value, True


# --- $setElementOrder -----------------------------------------------------------------------


def _merge_patch_into_original(
    original: dict[str, Any], patch: dict[str, Any], node: Schema | None
) -> None:
    for key in list(patch):
        if not key.startswith(SET_ELEMENT_ORDER_PREFIX):
            continue
        order = patch.pop(key)
        if not isinstance(order, list):
            raise _err_bad_arg_type(_SLICE_TYPE, order)
        original_key = _extract_key(key, SET_ELEMENT_ORDER_PREFIX)
        found_original = original_key in original
        found_patch = original_key in patch
        original_value: list[Any] = []
        patch_value: list[Any] = []
        if found_original:
            if not isinstance(original[original_key], list):
                raise _err_bad_arg_type(_SLICE_TYPE, original[original_key])
            original_value = original[original_key]
        if found_patch:
            if not isinstance(patch[original_key], list):
                raise _err_bad_arg_type(_SLICE_TYPE, patch[original_key])
            patch_value = patch[original_key]
        child = _schema.child_schema(node, original_key) if node is not None else None
        meta = _schema.patch_meta_of(child)
        strategy = _extract_retain_keys_patch_strategy(meta.strategies)
        merge_key = meta.merge_key or ""
        _validate_patch_with_set_order_list(patch_value, order, merge_key)
        if found_original and not found_patch:
            merged = original_value
        elif found_patch and not found_original:
            merged = _remove_directives(patch_value)[0]
        elif found_original and found_patch:
            item = _schema.item_schema(child) if child is not None else None
            merged = _merge_slice_handler(
                original_value, patch_value, item, strategy, merge_key, False
            )
        else:
            continue
        if not merge_key:
            patch_items, server_only = _partition_primitives(merged, order)
        else:
            patch_items, server_only = _partition_maps(merged, order, merge_key)
        element_kind = _slice_element_kind(original_value, patch_value)
        original[original_key] = _normalize_element_order(
            patch_items, server_only, order, original_value, merge_key, element_kind
        )
        patch.pop(original_key, None)


def _validate_patch_with_set_order_list(
    patch_list: list[Any], order: list[Any], merge_key: str
) -> None:
    if not order or not patch_list:
        return
    non_delete = _extract_to_delete_items(patch_list)[0] if merge_key else patch_list
    patch_index = order_index = 0
    while patch_index < len(non_delete) and order_index < len(order):
        item = non_delete[patch_index]
        if isinstance(item, dict) and DIRECTIVE_MARKER in item:
            patch_index += 1
            continue
        if _merge_key_value_equal(item, order[order_index], merge_key):
            patch_index += 1
        order_index += 1
    if patch_index < len(non_delete) and order_index >= len(order):
        raise _SmpError(
            f"the order in patch list:\n{_go.sprint(patch_list)}\n doesn't match "
            f"{SET_ELEMENT_ORDER_PREFIX} list:\n{_go.sprint(order)}"
        )


def _merge_key_value_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return _go.eq(left, right)
    if not isinstance(left, dict):
        raise _err_bad_arg_type(_MAP_TYPE, left)
    if not isinstance(right, dict):
        raise _err_bad_arg_type(_MAP_TYPE, right)
    if merge_key not in left:
        raise _err_no_merge_key(left, merge_key)
    if merge_key not in right:
        raise _err_no_merge_key(right, merge_key)
    return _go.eq(left[merge_key], right[merge_key])


def _partition_primitives(items: list[Any], by: list[Any]) -> tuple[list[Any], list[Any]]:
    present: list[Any] = []
    server_only: list[Any] = []
    for item in items:
        (present if any(_go.eq(item, b) for b in by) else server_only).append(item)
    return present, server_only


def _partition_maps(items: list[Any], by: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    present: list[Any] = []
    server_only: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise _err_bad_arg_type(_MAP_TYPE, item)
        if merge_key not in item:
            raise _err_no_merge_key(item, merge_key)
        found = _find_map_in_slice(by, merge_key, item[merge_key])[2]
        (present if found else server_only).append(item)
    return present, server_only


def _find_map_in_slice(
    items: list[Any], key: str, value: Any
) -> tuple[dict[str, Any] | None, int, bool]:
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _SmpError(f"value for key {i} is not a map.")
        if key in item and _go.eq(item[key], value):
            return item, i, True
    return None, 0, False


def _extract_to_delete_items(items: list[Any]) -> tuple[list[Any], list[Any]]:
    keep: list[Any] = []
    delete: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise _err_bad_arg_type(_MAP_TYPE, item)
        if DIRECTIVE_MARKER in item and _go.eq(item[DIRECTIVE_MARKER], _DELETE):
            delete.append(item)
        else:
            keep.append(item)
    return keep, delete


def _slice_element_kind(*slices: list[Any]) -> str:
    previous: str | None = None
    for items in slices:
        for item in items:
            current = _go.kind(item)
            if previous is None:
                previous = current
                if current == "slice":
                    raise _SmpError(ERR_NO_LIST_OF_LISTS)
            elif previous != current:
                rendered = "[" + " ".join(_go.sprint(s) for s in slices) + "]"
                raise _SmpError(f"list element types are not identical: {rendered}")
    if previous is None:
        raise _SmpError("no elements in any of the given slices")
    return previous


def _index(items: list[Any], value: Any, merge_key: str, kind: str) -> int:
    def key_of(item: Any) -> Any:
        if kind == "map":
            return item.get(merge_key) if isinstance(item, dict) else None
        return item

    wanted = key_of(value)
    for i, item in enumerate(items):
        if _go.eq(wanted, key_of(item)):
            return i
    return -1


def _normalize_slice_order(
    to_sort: list[Any], order: list[Any], merge_key: str, kind: str
) -> list[Any]:
    to_delete: list[Any] = []
    if kind == "map":
        for items in (to_sort, order):
            for item in items:
                if not isinstance(item, dict):
                    raise _err_bad_arg_type(_MAP_TYPE, item)
                if merge_key not in item:
                    raise _err_no_merge_key(item, merge_key)
        to_sort, to_delete = _extract_to_delete_items(to_sort)
    else:
        to_sort = list(to_sort)

    def less(a: Any, b: Any) -> bool:
        ia = _index(order, a, merge_key, kind)
        if ia >= 0:
            ib = _index(order, b, merge_key, kind)
            if ib >= 0:
                return ia < ib
        return True

    _go.stable_sort(to_sort, less)
    return to_sort + to_delete


def _merge_sorted_slice(
    left: list[Any], right: list[Any], server_order: list[Any], merge_key: str, kind: str
) -> list[Any]:
    out: list[Any] = []
    i = j = 0
    for _ in range(len(left) + len(right)):
        if i >= len(left) and j < len(right):
            out.append(right[j])
            j += 1
        elif j >= len(right) and i < len(left):
            out.append(left[i])
            i += 1
        else:
            li = _index(server_order, left[i], merge_key, kind)
            ri = _index(server_order, right[j], merge_key, kind)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _normalize_element_order(
    patch: list[Any],
    server_only: list[Any],
    patch_order: list[Any],
    server_order: list[Any],
    merge_key: str,
    kind: str,
) -> list[Any]:
    patch = _normalize_slice_order(patch, patch_order, merge_key, kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, kind)
    return _merge_sorted_slice(server_only, patch, server_order, merge_key, kind)


# --- lists ----------------------------------------------------------------------------------


def _merge_slice_handler(
    original: list[Any],
    patch: Any,
    item: Schema | None,
    strategy: str,
    merge_key: str,
    is_delete_list: bool,
) -> list[Any]:
    if not isinstance(patch, list):
        raise _err_bad_arg_type(_SLICE_TYPE, patch)
    if strategy == _MERGE:
        return _merge_slice(original, patch, item, merge_key, is_delete_list)
    return patch


def _merge_slice(
    original: list[Any],
    patch: list[Any],
    item: Schema | None,
    merge_key: str,
    is_delete_list: bool,
) -> list[Any]:
    if not original and not patch:
        return original
    kind = _slice_element_kind(original, patch)
    if kind != "map":
        if is_delete_list:
            return [v for v in original if not any(_go.eq(v, d) for d in patch)]
        merged = _deduplicate_scalars(original + patch)
    else:
        if not merge_key:
            element = (
                "struct" if item is not None and "properties" in _schema.resolve(item) else "map"
            )
            raise _SmpError(f"cannot merge lists without merge key for type {element}")
        original, patch = _merge_slice_with_special_elements(original, patch, merge_key)
        merged = _merge_slice_without_special_elements(original, patch, merge_key, item)
    if not merge_key:
        patch_items, server_only = _partition_primitives(merged, patch)
    else:
        patch_items, server_only = _partition_maps(merged, patch, merge_key)
    return _normalize_element_order(patch_items, server_only, patch, original, merge_key, kind)


def _deduplicate_scalars(s: list[Any]) -> list[Any]:
    """Go's in-place de-duplication, which moves the last element into each hole."""
    s = list(s)
    length = len(s) - 1
    i = 0
    while i < length:
        j = i + 1
        while j <= length:
            if _go.eq(s[i], s[j]):
                s[j] = s[length]
                s = s[:length]
                length -= 1
                j -= 1
            j += 1
        i += 1
    return s


def _merge_slice_with_special_elements(
    original: list[Any], patch: list[Any], merge_key: str
) -> tuple[list[Any], list[Any]]:
    without: list[Any] = []
    replace = False
    for v in patch:
        directive = v.get(DIRECTIVE_MARKER, _MISSING)
        if directive is _MISSING:
            without.append(v)
        elif _go.eq(directive, _DELETE):
            if merge_key not in v:
                raise _err_no_merge_key(v, merge_key)
            original = _delete_matching_entries(original, merge_key, v[merge_key])
        elif _go.eq(directive, _REPLACE):
            replace = True
        elif _go.eq(directive, _MERGE):
            raise _SmpError("merging lists cannot yet be specified in the patch")
        else:
            raise _err_bad_patch_type(directive, v)
    if replace:
        return without, []
    return original, without


_MISSING: Final = object()


def _delete_matching_entries(original: list[Any], merge_key: str, value: Any) -> list[Any]:
    while True:
        _, index, found = _find_map_in_slice(original, merge_key, value)
        if not found:
            return original
        original = original[:index] + original[index + 1 :]


def _merge_slice_without_special_elements(
    original: list[Any], patch: list[Any], merge_key: str, item: Schema | None
) -> list[Any]:
    original = list(original)
    for v in patch:
        if merge_key not in v:
            raise _err_no_merge_key(v, merge_key)
        current, index, found = _find_map_in_slice(original, merge_key, v[merge_key])
        if found and current is not None:
            original[index] = _merge_map(current, v, item)
        else:
            original.append(v)
    return original


# --- decoding into the Go type --------------------------------------------------------------


def _is_directive_key(key: str) -> bool:
    prefixes = (SET_ELEMENT_ORDER_PREFIX + "/", DELETE_FROM_PRIMITIVE_LIST_PREFIX + "/")
    return key in (DIRECTIVE_MARKER, RETAIN_KEYS_DIRECTIVE) or key.startswith(prefixes)


def _strip_directives(value: Any, node: Schema | None) -> None:
    """Drop directive keys left in struct-typed objects (FromUnstructured ignores them)."""
    if node is None:
        return
    if isinstance(value, dict):
        resolved = _schema.resolve(node)
        if "properties" in resolved:
            for key in [k for k in value if _is_directive_key(k)]:
                del value[key]
        for key, child in value.items():
            _strip_directives(child, _schema.child_schema(resolved, key))
    elif isinstance(value, list):
        item = _schema.item_schema(node)
        for child in value:
            _strip_directives(child, item)
