"""ObjectMeta handling shared by every type: the name rules and the metadata validators.

Upstream each type passes a ``ValidateNameFunc`` to ``ValidateObjectMeta``
(``pkg/apis/core/validation/validation.go``: ``ValidatePodName = NameIsDNSSubdomain``,
``ValidateNamespaceName = NameIsDNSLabel``, ``ValidateServiceName = NameIsDNS1035Label``,
...). The core wrapper also checks that un-prefixed finalizer names are standard
(``validateKubeFinalizerName``). This module roots :mod:`mlkube.api.validation` at
``metadata`` and adds that check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path

__all__ = [
    "METADATA",
    "NameValidator",
    "name_is_dns1035_label",
    "name_is_dns_label",
    "name_is_dns_subdomain",
    "validate_kube_finalizer_names",
    "validate_meta",
    "validate_meta_update",
]

NameValidator = Callable[[str, bool], list[str]]
"""``ValidateNameFunc``: ``(name, prefix) -> messages``; ``prefix`` is true for
``generateName``, whose trailing dash is tolerated."""

METADATA: Final = Path("metadata")

name_is_dns_subdomain: Final[NameValidator] = _v.name_is_dns_subdomain
name_is_dns_label: Final[NameValidator] = _v.name_is_dns_label
name_is_dns1035_label: Final[NameValidator] = _v.name_is_dns1035_label

_STANDARD_FINALIZERS: Final = frozenset({"kubernetes", "orphan", "foregroundDeletion"})
_NOT_STANDARD_FINALIZER: Final = (
    "name is neither a standard finalizer name nor is it fully qualified"
)


def validate_kube_finalizer_names(finalizers: Sequence[str] | None, path: Path) -> list[FieldError]:
    """``validateKubeFinalizerName`` for each entry: ``path[i]``."""
    return [
        field.invalid(path.index(i), f, _NOT_STANDARD_FINALIZER)
        for i, f in enumerate(finalizers or [])
        if "/" not in f and f not in _STANDARD_FINALIZERS
    ]


def validate_meta(
    meta: dict[str, Any], *, namespaced: bool, name_fn: NameValidator
) -> list[FieldError]:
    """Core ``ValidateObjectMeta(&obj.ObjectMeta, namespaced, nameFn, "metadata")``."""
    errs = list(_v.validate_object_meta(meta, METADATA, namespaced=namespaced, name_fn=name_fn))
    errs.extend(validate_kube_finalizer_names(meta.get("finalizers"), METADATA.child("finalizers")))
    return errs


def validate_meta_update(new: dict[str, Any], old: dict[str, Any]) -> list[FieldError]:
    """Core ``ValidateObjectMetaUpdate(&new.ObjectMeta, &old.ObjectMeta, "metadata")``."""
    errs = list(_v.validate_object_meta_update(new, old, METADATA))
    errs.extend(validate_kube_finalizer_names(new.get("finalizers"), METADATA.child("finalizers")))
    return errs
