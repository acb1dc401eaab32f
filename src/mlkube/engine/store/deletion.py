"""Deletion mechanics shared by delete, delete-collection and an update that finalizes.

The decisions of ``Store.delete_result``, as pure functions on an object's metadata (the
store does the lookups, the writes and the locking): the options' validation, the
preconditions, graceful deletion, the GC finalizers, and when an update deletes.

Follows ``k8s.io/apiserver/pkg/registry/generic/registry/store.go``
(``deletionFinalizersForGarbageCollection``, ``shouldOrphanDependents``,
``shouldDeleteDependents``, ``markAsDeleting``, ``ShouldDeleteDuringUpdate``),
``pkg/registry/rest/delete.go`` (``BeforeDelete``), ``pkg/storage`` (``Preconditions``),
the namespace registry (``ShouldDeleteNamespaceDuringUpdate``) and
``k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go`` (``ValidateDeleteOptions``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from mlkube.api.field import FieldError, invalid, not_supported
from mlkube.api.field import Path as FieldPath
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.errors import Conflict, InternalError, Invalid
from mlkube.engine.store.contract import ResourceTypeLike

__all__ = [
    "FINALIZER_DELETE_DEPENDENTS",
    "FINALIZER_ORPHAN_DEPENDENTS",
    "PROPAGATION_POLICIES",
    "apply_gc_finalizers",
    "before_delete",
    "check_preconditions",
    "gc_finalizers",
    "mark_as_deleting",
    "should_delete_during_update",
    "validate_delete_options",
]

#: ``metav1.FinalizerOrphanDependents`` / ``metav1.FinalizerDeleteDependents``.
FINALIZER_ORPHAN_DEPENDENTS: Final = "orphan"
FINALIZER_DELETE_DEPENDENTS: Final = "foregroundDeletion"
PROPAGATION_POLICIES: Final = ("Foreground", "Background", "Orphan")
_ORPHAN_AND_POLICY: Final = "orphanDependents and deletionPropagation cannot be both set"
_NIL_GRACE: Final = "options.GracePeriodSeconds should not be nil"


def validate_delete_options(policy: str | None, orphan_dependents: bool | None) -> None:
    """``ValidateDeleteOptions`` (``apis/meta/v1/validation``): 422 on
    ``DeleteOptions.meta.k8s.io``."""
    path = FieldPath("propagationPolicy")
    errs: list[FieldError] = []
    if policy is not None and orphan_dependents is not None:
        errs.append(invalid(path, policy, _ORPHAN_AND_POLICY))
    if policy is not None and policy not in PROPAGATION_POLICIES:
        errs.append(not_supported(path, policy, [*PROPAGATION_POLICIES, "nil"]))
    if errs:
        raise Invalid("DeleteOptions.meta.k8s.io", "", errs)


def gc_finalizers(
    finalizers: list[str],
    policy: str | None,
    orphan_dependents: bool | None,
    default_policy: str,
) -> tuple[bool, list[str]]:
    """``deletionFinalizersForGarbageCollection`` (store.go)."""
    if default_policy == "Unsupported":
        orphan = foreground = False
    else:
        orphan = _should_orphan(finalizers, policy, orphan_dependents, default_policy)
        foreground = _should_foreground(finalizers, policy, orphan_dependents)
    new = [
        f for f in finalizers if f not in (FINALIZER_ORPHAN_DEPENDENTS, FINALIZER_DELETE_DEPENDENTS)
    ]
    if orphan:
        new.append(FINALIZER_ORPHAN_DEPENDENTS)
    if foreground:
        new.append(FINALIZER_DELETE_DEPENDENTS)
    if set(new) == set(finalizers):
        return False, finalizers
    return True, new


def apply_gc_finalizers(
    meta: dict[str, Any], policy: str | None, orphan_dependents: bool | None, default_policy: str
) -> bool:
    """:func:`gc_finalizers` applied to ``meta`` (changed in place; an empty list is
    dropped): whether it had finalizers or they changed (the delete has finalizer work)."""
    finalizers = list(meta.get("finalizers") or [])
    changed, new = gc_finalizers(finalizers, policy, orphan_dependents, default_policy)
    if changed:
        if new:
            meta["finalizers"] = new
        else:
            meta.pop("finalizers", None)
    return bool(finalizers) or changed


def _should_orphan(
    finalizers: Iterable[str], policy: str | None, orphan: bool | None, default: str
) -> bool:
    if orphan is not None:
        return orphan
    if policy == "Orphan":
        return True
    if policy in ("Background", "Foreground"):
        return False
    for f in finalizers:
        if f == FINALIZER_ORPHAN_DEPENDENTS:
            return True
        if f == FINALIZER_DELETE_DEPENDENTS:
            return False
    return default == "Orphan"


def _should_foreground(finalizers: Iterable[str], policy: str | None, orphan: bool | None) -> bool:
    if orphan is not None:
        return False
    if policy == "Foreground":
        return True
    if policy in ("Background", "Orphan"):
        return False
    for f in finalizers:
        if f == FINALIZER_DELETE_DEPENDENTS:
            return True
        if f == FINALIZER_ORPHAN_DEPENDENTS:
            return False
    return False


def mark_as_deleting(meta: dict[str, Any], now: datetime) -> None:
    """``markAsDeleting``: deletionTimestamp now (unless earlier), grace 0."""
    existing = meta.get("deletionTimestamp")
    if not existing:
        generation = meta.get("generation")
        if isinstance(generation, int) and generation > 0:
            meta["generation"] = generation + 1
    if not existing or parse_time(existing) > now:
        meta["deletionTimestamp"] = format_time(now)
    meta["deletionGracePeriodSeconds"] = 0


def check_preconditions(
    rt: ResourceTypeLike,
    name: str,
    meta: Mapping[str, Any],
    rv: int,
    preconditions: Mapping[str, Any],
) -> None:
    """``storage.Preconditions.Check``: ``uid`` and ``resourceVersion`` must match the
    stored object's (``meta``, at ``rv``), else :class:`Conflict`."""
    uid = preconditions.get("uid")
    if uid is not None and uid != meta.get("uid"):
        raise Conflict.uid_precondition(rt, name, str(uid), str(meta.get("uid") or ""))
    want = preconditions.get("resourceVersion")
    if want is not None and want != str(rv):
        raise Conflict.resource_version_precondition(rt, name, str(want), str(rv))


def before_delete(
    meta: dict[str, Any], grace: int | None, graceful: bool, now: datetime
) -> bool | None:
    """``rest.BeforeDelete`` on the stored metadata (changed in place): is it graceful?

    ``grace`` is the resolved grace period (a negative one already made 1); ``graceful``
    says whether the type deletes gracefully. True: deletionTimestamp and
    deletionGracePeriodSeconds were set (``now + grace``), or shortened on an object
    already being deleted (never into the past: to ``now``, with a period of 1 unless it
    is 0). False: not graceful (delete now, or wait for finalizers).
    None: a graceful deletion is pending and this one, no shorter, changes nothing.
    """
    dgs = meta.get("deletionGracePeriodSeconds")
    if dgs is not None and dgs < 0:
        meta["deletionGracePeriodSeconds"] = dgs = 1
    if not graceful:
        return False
    if meta.get("deletionTimestamp"):
        if not dgs:
            return False
        if grace is None or grace >= dgs:
            return None
        shortened = parse_time(meta["deletionTimestamp"]) + timedelta(seconds=grace - dgs)
        if shortened < now:
            # Never into the past: a graceful delete whose whole period has passed keeps
            # the shortest graceful period, so the kubelet still makes the final delete.
            shortened = now
            if grace != 0:
                grace = 1
        meta["deletionTimestamp"] = format_time(shortened)
        meta["deletionGracePeriodSeconds"] = grace
        return True
    if grace is None:
        raise InternalError(_NIL_GRACE)
    meta["deletionTimestamp"] = format_time(now + timedelta(seconds=grace))
    meta["deletionGracePeriodSeconds"] = grace
    generation = meta.get("generation")
    if isinstance(generation, int) and generation > 0:
        meta["generation"] = generation + 1
    return True


def should_delete_during_update(
    rt: ResourceTypeLike, new: Mapping[str, Any], old_meta: Mapping[str, Any]
) -> bool:
    """``ShouldDeleteDuringUpdate``: an update that clears the last finalizer of an object
    being deleted, with no grace pending, deletes it (a namespace's spec.finalizers too)."""
    return (
        not new["metadata"].get("finalizers")
        and bool(old_meta.get("deletionTimestamp"))
        and not old_meta.get("deletionGracePeriodSeconds")
        and not _namespace_finalizers_pending(rt, new)
    )


def _namespace_finalizers_pending(rt: ResourceTypeLike, obj: Mapping[str, Any]) -> bool:
    """``ShouldDeleteNamespaceDuringUpdate``: a namespace also waits for ``spec.finalizers``."""
    if (rt.group, rt.plural) != ("", "namespaces"):
        return False
    return bool((obj.get("spec") or {}).get("finalizers"))
