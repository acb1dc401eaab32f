"""Deleting a namespace: mark it Terminating, purge it once its finalizers are done.

``pkg/registry/core/namespace/storage/storage.go``: the first DELETE sets the
deletionTimestamp and phase Terminating (the namespace controller then empties it); a
DELETE while ``spec.finalizers`` is not empty is a Conflict; ``PUT .../finalize`` changes
only ``spec.finalizers`` (``namespaceFinalizeStrategy``), and a Terminating namespace with
no finalizers left is purged.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import ResourceType
from mlkube.api.timestamps import format_time
from mlkube.engine.errors import Conflict
from mlkube.engine.outcomes import DeleteOutcome, WriteResult, raise_invalid

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["delete_namespace", "finalize_namespace"]

_NAMESPACE_PURGE: Final = (
    "The system is ensuring all content is removed from this namespace.  Upon completion, "
    "this namespace will automatically be purged by the system."
)


def delete_namespace(
    server: APIServer, rt: ResourceType, ns: dict[str, Any], *, dry_run: bool
) -> DeleteOutcome:
    """``namespace/storage.go`` Delete: first mark Terminating; purge only once the
    namespace controller has emptied ``spec.finalizers``."""
    meta = ns["metadata"]
    if not meta.get("deletionTimestamp"):
        updated = copy.deepcopy(ns)
        updated["metadata"]["deletionTimestamp"] = format_time(server.clock.now())
        updated.setdefault("status", {})["phase"] = "Terminating"
        if dry_run:
            return DeleteOutcome(updated, False)
        return DeleteOutcome(server.store.update(rt, updated, force_system_fields=True), False)
    if (ns.get("spec") or {}).get("finalizers"):
        raise Conflict(rt, meta["name"], _NAMESPACE_PURGE)
    result = server.store.delete_result(rt, None, meta["name"], dry_run=dry_run)
    return DeleteOutcome(result.object, result.deleted)


def finalize_namespace(
    server: APIServer, rt: ResourceType, new: dict[str, Any], old: dict[str, Any], *, dry_run: bool
) -> WriteResult:
    """PUT namespaces/<name>/finalize: only ``spec.finalizers`` changes
    (``namespaceFinalizeStrategy``); once both finalizer lists are empty, a Terminating
    namespace is purged."""
    from mlkube.api.field import Path as FieldPath
    from mlkube.api.validation import validate_finalizers, validate_object_meta_update

    new["status"] = copy.deepcopy(old.get("status"))
    if new["status"] is None:
        new.pop("status")
    errors = validate_object_meta_update(new["metadata"], old["metadata"], FieldPath("metadata"))
    errors += validate_finalizers(
        (new.get("spec") or {}).get("finalizers"), FieldPath("spec", "finalizers")
    )
    raise_invalid(rt, new["metadata"].get("name", ""), errors)
    if not new["metadata"].get("resourceVersion"):
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
    return WriteResult(server.store.update(rt, new, dry_run=dry_run))
