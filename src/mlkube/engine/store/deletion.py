"""Deletion mechanics shared by delete and delete-collection.

Follows ``k8s.io/apiserver/pkg/registry/generic/registry/store.go``
(``deletionFinalizersForGarbageCollection``, ``shouldOrphanDependents``,
``shouldDeleteDependents``, ``markAsDeleting``) and
``k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go`` (``ValidateDeleteOptions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from mlkube.api.field import FieldError, invalid, not_supported
from mlkube.api.field import Path as FieldPath
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.errors import Invalid

__all__ = [
    "FINALIZER_DELETE_DEPENDENTS",
    "FINALIZER_ORPHAN_DEPENDENTS",
    "PROPAGATION_POLICIES",
    "gc_finalizers",
    "mark_as_deleting",
    "validate_delete_options",
]

#: ``metav1.FinalizerOrphanDependents`` / ``metav1.FinalizerDeleteDependents``.
FINALIZER_ORPHAN_DEPENDENTS: Final = "orphan"
FINALIZER_DELETE_DEPENDENTS: Final = "foregroundDeletion"
PROPAGATION_POLICIES: Final = ("Foreground", "Background", "Orphan")
_ORPHAN_AND_POLICY: Final = "orphanDependents and deletionPropagation cannot be both set"


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
