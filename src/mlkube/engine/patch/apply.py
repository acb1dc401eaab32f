"""Server-side apply (``application/apply-patch+yaml``): merge a manager's intent, own fields.

Written by hand (no Python library does server-side apply), after
``sigs.k8s.io/structured-merge-diff/v6/merge/update.go`` (``Updater.Apply``, ``prune``,
``addBackOwnedItems``, ``addBackDanglingItems``), and in
``k8s.io/apimachinery/pkg/util/managedfields/internal/``: ``structuredmerge.go`` (the
version and managedFields checks), ``conflict.go`` (the 409 and its causes),
``managedfieldsupdater.go`` (the time stamp) and ``stripmeta.go``; the default manager name
of non-apply writes is ``managerOrUserAgent`` in
``k8s.io/apiserver/pkg/endpoints/handlers/rest.go``.

:func:`apply` runs these steps:

1. Check the body: its apiVersion and kind must be the endpoint's (``versioncheck.go``),
   it must not carry managedFields, and it must fit the schema (a 500 ``failed to create
   typed patch object``, :mod:`~mlkube.engine.patch.validation`).
2. Merge the body into the live object (``rhs`` wins; list maps by key, sets by value).
3. The applier now owns exactly the fields of its body.
4. Prune: fields it applied last time and no longer applies, which nobody else owns, go.
5. Compare live and result: fields another manager owns that changed are conflicts (409),
   unless ``force`` moves them to the applier; removed fields leave every manager. The
   result becomes the Go object (:mod:`~mlkube.engine.patch.unstructured`; a 500 ``failed
   to convert new object`` when a value does not convert).
6. Stamp the applier's entry with ``now`` if the object changed; encode managedFields.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from mlkube.api import schema as _schema
from mlkube.api.field import go_quote
from mlkube.api.timestamps import format_time
from mlkube.engine.errors import ApiError, BadRequest, Conflict
from mlkube.engine.patch import _typed
from mlkube.engine.patch import fieldpath as fp
from mlkube.engine.patch._status import server_error
from mlkube.engine.patch.fieldpath import Path
from mlkube.engine.patch.managedfields import (
    FIELD_MANAGER_MAX_LENGTH,
    ManagedFields,
    VersionedSet,
    cap_update_managers,
    decode_managed_fields,
    default_manager,
    encode_managed_fields,
    manager_identifier,
    reset_fields,
    strip_identity_fields,
    update_managers,
)
from mlkube.engine.patch.scale import SCALE_API_VERSION, SCALE_KIND, SCALE_SCHEMA
from mlkube.engine.patch.unstructured import ConversionError, from_unstructured
from mlkube.engine.patch.validation import validate

__all__ = [
    "FIELD_MANAGER_CONFLICT",
    "FIELD_MANAGER_MAX_LENGTH",
    "MANAGED_FIELDS_MUST_BE_NIL",
    "apply",
    "conflict_error",
    "default_manager",
]

# k8s.io/apimachinery/pkg/apis/meta/v1/types.go CauseTypeFieldManagerConflict
FIELD_MANAGER_CONFLICT: Final = "FieldManagerConflict"
# structuredmerge.go
MANAGED_FIELDS_MUST_BE_NIL: Final = "metadata.managedFields must be nil"
# versioncheck.go (it runs first, so structuredmerge.go's "Incorrect version" never shows)
_INVALID_OBJECT_TYPE: Final = "invalid object type: {gvk}"
_TYPED_PATCH: Final = "failed to create typed patch object ({object}): {err}"
_CONVERT_NEW: Final = (
    "failed to convert new object ({object}) to proper version: "
    "unable to convert unstructured object to {gvk}: {err}"
)


def _gvk(api_version: Any, kind: Any) -> str:
    """``schema.GroupVersionKind.String()`` of an unstructured body's apiVersion and kind
    (``ParseGroupVersion``: a non-string is empty, more than one ``/`` empties all)."""
    version = api_version if isinstance(api_version, str) else ""
    kind_text = kind if isinstance(kind, str) else ""
    if version in ("", "/"):
        group, version = "", ""
    elif version.count("/") == 0:
        group = ""
    elif version.count("/") == 1:
        group, version = version.split("/")
    else:
        group, version, kind_text = "", "", ""
    return f"{group}/{version}, Kind={kind_text}"


def _object_gvknn(config: Mapping[str, Any]) -> str:
    """``objectGVKNN``: ``<namespace>/<name>; <gvk>`` of the body as sent."""
    meta = config.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    name, namespace = meta.get("name"), meta.get("namespace")
    return (
        f"{namespace if isinstance(namespace, str) else ''}/"
        f"{name if isinstance(name, str) else ''}; "
        f"{_gvk(config.get('apiVersion'), config.get('kind'))}"
    )


def _print_manager(identifier: str) -> str:
    """``printManager``: ``"m"``, ``"m" with subresource "status"``, ``... using apps/v1``."""
    entry = _identity(identifier)
    text = go_quote(entry.get("manager", ""))
    if entry.get("subresource"):
        text = f"{text} with subresource {go_quote(entry['subresource'])}"
    if entry.get("operation") == "Update":
        text = f"{text} using {entry.get('apiVersion', '')}"
    return text


def _identity(identifier: str) -> dict[str, str]:
    parsed: dict[str, str] = json.loads(identifier)
    return parsed


def _iterate(paths: set[Path]) -> list[Path]:
    """``Set.Iterate`` order: at each level its members, then its children, all sorted."""
    out: list[Path] = sorted((p for p in paths if len(p) == 1), key=lambda p: fp.sort_key(p[0]))
    for head in sorted({p[0] for p in paths if len(p) > 1}, key=fp.sort_key):
        below = {p[1:] for p in paths if len(p) > 1 and p[0] == head}
        out.extend((head, *rest) for rest in _iterate(below))
    return out


def conflict_error(conflicts: Mapping[str, VersionedSet]) -> Conflict:
    """The 409 of ``NewConflictError``: one cause per conflicting field."""
    items = [
        (identifier, path)
        for identifier in sorted(conflicts)
        for path in _iterate(conflicts[identifier].paths)
    ]
    causes = [
        {
            "reason": FIELD_MANAGER_CONFLICT,
            "message": f"conflict with {_print_manager(identifier)}",
            "field": fp.path_string(path),
        }
        for identifier, path in items
    ]
    if len(items) == 1:
        identifier, path = items[0]
        message = (
            f"Apply failed with 1 conflict: conflict with {_print_manager(identifier)}: "
            f"{fp.path_string(path)}"
        )
    else:
        lines: list[str] = []
        for identifier in sorted(conflicts):
            lines.append(f"conflicts with {_print_manager(identifier)}:")
            lines.extend(f"- {fp.path_string(p)}" for p in _iterate(conflicts[identifier].paths))
        message = f"Apply failed with {len(items)} conflicts: " + "\n".join(lines)
    err = Conflict.__new__(Conflict)
    ApiError.__init__(err, message, details={"causes": causes})
    return err


def _prune(
    merged: dict[str, Any],
    managed: ManagedFields,
    last: VersionedSet | None,
    root: _schema.Schema | None,
) -> dict[str, Any]:
    """``Updater.prune``: drop what the applier gave up, unless someone still owns it."""
    if last is None or not last.paths:
        return merged

    def ensure(paths: set[Path]) -> set[Path]:
        return _typed.ensure_named_fields_are_members(paths, root)

    def remove(paths: set[Path]) -> dict[str, Any]:
        result = _typed.remove_items(merged, paths, root)
        return result if isinstance(result, dict) else {}

    last_set = ensure(last.paths)
    pruned = remove(last_set)
    owned: set[Path] = set()
    for versioned in managed.fields.values():
        owned |= versioned.paths
    merged_set = ensure(_typed.to_field_set(merged, root))
    pruned_set = ensure(_typed.to_field_set(pruned, root))
    pruned = remove(merged_set - (pruned_set | ensure(owned)))
    pruned_set = ensure(_typed.to_field_set(pruned, root))
    return remove((merged_set - pruned_set) & last_set)


def apply(
    live: Mapping[str, Any] | None,
    config: Mapping[str, Any],
    *,
    manager: str,
    force: bool,
    api_version: str,
    kind: str,
    now: datetime,
    subresource: str = "",
) -> dict[str, Any]:
    """The object after ``manager`` applies ``config`` to ``live`` (``None``: create it).

    Returns the new object with its ``metadata.managedFields``; when nothing but ownership
    changed, it is ``live`` with the new managedFields and the applier's time unchanged.
    Raises BadRequest for a wrong apiVersion or kind or a body with managedFields, a 500
    for a body that does not fit the schema or a result that does not convert into the Go
    type, and :class:`~mlkube.engine.errors.Conflict` (409 with ``FieldManagerConflict``
    causes) when another manager owns a field the body changes and ``force`` is false.
    Inputs are not mutated.
    """
    live_metadata = live.get("metadata") if live is not None else None
    try:
        managed = decode_managed_fields(
            live_metadata.get("managedFields") if isinstance(live_metadata, Mapping) else None
        )
    except ValueError as err:
        raise server_error(f"failed to decode managed fields: {err}") from None
    # 1. Check the body: its group, version and kind, no managedFields, its schema.
    expected = _gvk(api_version, kind)
    got = _gvk(config.get("apiVersion"), config.get("kind"))
    if got != expected:
        raise BadRequest(_INVALID_OBJECT_TYPE.format(gvk=got))
    metadata = config.get("metadata")
    if isinstance(metadata, Mapping) and metadata.get("managedFields") is not None:
        raise BadRequest(MANAGED_FIELDS_MUST_BE_NIL)
    root = _schema.kind_schema(api_version, kind)
    if root is None and (api_version, kind) == (SCALE_API_VERSION, SCALE_KIND):
        root = SCALE_SCHEMA
    problem = validate(config, root)
    if problem is not None:
        raise server_error(_TYPED_PATCH.format(object=_object_gvknn(config), err=problem))
    identifier = manager_identifier(manager, "Apply", subresource=subresource)
    ignored = reset_fields(root, subresource) if root is not None else set()
    live_obj: dict[str, Any] = {}
    if live is not None:
        live_obj = _typed.drop_nulls(
            {
                **live,
                "metadata": {
                    k: v for k, v in (live_metadata or {}).items() if k != "managedFields"
                },
            }
        )
    config_obj = copy.deepcopy(dict(config))
    try:
        # 2. Merge.
        merged = _typed.drop_nulls(_typed.merge(live_obj, config_obj, root))
        # 3. The applier owns its body's fields.
        applied = _typed.recursive_difference(_typed.to_field_set(config_obj, root), ignored)
        last = managed.fields.get(identifier)
        managed.fields[identifier] = VersionedSet(applied, api_version, True)
        # 4. Prune what it gave up.
        merged = _typed.drop_nulls(_prune(merged, managed, last, root))
        # 5. Conflicts and handover.
        comparison = _typed.compare(live_obj, merged, root).filtered(ignored)
    except _typed.TypedError as err:
        raise server_error(_TYPED_PATCH.format(object=_object_gvknn(config), err=err)) from None
    conflicts = update_managers(managed, comparison, identifier, force=force)
    if conflicts and not force:
        raise conflict_error(conflicts)
    # The merged object becomes the Go object (FromUnstructured): integers narrow to their
    # fields' widths, and a value the schema let through may still not convert.
    try:
        merged = from_unstructured(api_version, kind, merged)
    except ConversionError as err:
        raise server_error(
            _CONVERT_NEW.format(object=_object_gvknn(config), gvk=expected, err=err)
        ) from None
    strip_identity_fields(managed, identifier)
    # 6. Time and encoding.
    changed = live is None or not _typed.json_equal(live_obj, merged)
    if changed and identifier in managed.fields:
        managed.times[identifier] = format_time(now)
    cap_update_managers(managed)
    result = merged if changed else copy.deepcopy(live_obj)
    entries = encode_managed_fields(managed)
    result_metadata = dict(result.get("metadata") or {})
    if entries:
        result_metadata["managedFields"] = entries
    else:
        result_metadata.pop("managedFields", None)
    result["metadata"] = result_metadata
    return result
