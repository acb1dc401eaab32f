"""The small field-error helpers every PodSpec validator shares.

They exist so that the volume, container, env, probe and PodSpec validators (split out of
one module) word their errors the same way. Follows the helpers at the top of
``pkg/apis/core/validation/validation.go`` (``ValidateDNS1123Label``,
``ValidateDNS1123Subdomain``, ``ValidateQualifiedName``) and ``ValidateNonnegativeField``
from ``k8s.io/apimachinery/pkg/api/validation/generic.go``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path

__all__ = [
    "MAX_INT32",
    "Errs",
    "Obj",
    "dns_label",
    "dns_subdomain",
    "invalid_each",
    "nonnegative",
    "qualified_name",
]

Obj = dict[str, Any]
Errs = list[FieldError]
MAX_INT32: Final = 2**31 - 1


def invalid_each(path: Path, value: Any, msgs: Sequence[str]) -> Errs:
    return [field.invalid(path, value, m) for m in msgs]


def dns_label(value: str, path: Path) -> Errs:
    return invalid_each(path, value, _v.is_dns1123_label(value))


def dns_subdomain(value: str, path: Path) -> Errs:
    return invalid_each(path, value, _v.is_dns1123_subdomain(value))


def qualified_name(value: str, path: Path) -> Errs:
    return invalid_each(path, value, _v.is_qualified_name(value))


def nonnegative(value: int, path: Path) -> Errs:
    return list(_v.validate_nonnegative_field(value, path))
