"""Resource names and quantities as the core validators see them.

Follows ``pkg/apis/core/helper/helpers.go`` (standard, native, extended, integer and
overcommittable resource names, quota scopes) and the quantity checks of
``pkg/apis/core/validation/validation.go`` (``ValidateResourceQuantityValue``,
``ValidateNonnegativeQuantity``, ``ValidatePositiveQuantityValue``). Every quantity
operation the types need goes through this module, over :mod:`mlkube.api.quantity`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Final

from mlkube.api import field
from mlkube.api import quantity as _q
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path
from mlkube.api.resources import is_extended_resource_name, is_native_resource
from mlkube.api.resources import is_hugepage_resource_name as is_huge_page_resource_name

__all__ = [
    "IS_NEGATIVE_ERROR_MSG",
    "IS_NOT_INTEGER_ERROR_MSG",
    "IS_NOT_POSITIVE_ERROR_MSG",
    "Quantity",
    "canonical",
    "is_extended_resource_name",
    "is_huge_page_resource_name",
    "is_integer_resource_name",
    "is_native_resource",
    "is_overcommit_allowed",
    "is_standard_container_resource_name",
    "is_standard_quota_resource_name",
    "is_standard_resource_name",
    "parse",
    "validate_container_resource_name",
    "validate_nonnegative_quantity",
    "validate_positive_quantity",
    "validate_resource_name",
    "validate_resource_quantity_value",
]

Quantity = _q.Quantity

IS_NEGATIVE_ERROR_MSG: Final = "must be greater than or equal to 0"
IS_NOT_INTEGER_ERROR_MSG: Final = "must be an integer"
IS_NOT_POSITIVE_ERROR_MSG: Final = "must be greater than zero"

_HUGE_PAGES_PREFIX: Final = "hugepages-"
_REQUESTS_HUGE_PAGES_PREFIX: Final = "requests.hugepages-"
_DEFAULT_NAMESPACE_PREFIX: Final = "kubernetes.io/"
_REQUESTS_PREFIX: Final = "requests."

_STANDARD_CONTAINER_RESOURCES: Final = frozenset({"cpu", "memory", "ephemeral-storage"})
_OBJECT_COUNTS: Final = frozenset(
    {
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    }
)
_COMPUTE: Final = frozenset(
    {
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
    }
)
_STANDARD_QUOTA_RESOURCES: Final = _COMPUTE | _OBJECT_COUNTS | {"requests.storage"}
_STANDARD_RESOURCES: Final = _STANDARD_QUOTA_RESOURCES | {"storage"}


def parse(value: Any) -> Quantity:
    """``resource.ParseQuantity``; raises ``ValueError`` with upstream's message."""
    return _q.parse_quantity(value if isinstance(value, str) else str(value))


def canonical(value: Any) -> Any:
    """The wire form of a quantity after decoding: rounded up to milli, canonical.

    ``SetDefaults_ResourceList`` rounds up to milli scale and the serializer prints the
    canonical form (``"0.5"`` -> ``"500m"``). Unparsable values are returned unchanged
    (validation reports them).
    """
    try:
        q = parse(value)
    except ValueError:
        return value
    milli = q.as_fraction() * 1000
    if milli.denominator == 1:
        return str(q)
    sign = -1 if milli < 0 else 1
    rounded = Fraction(sign * math.ceil(abs(milli)), 1000)
    return Quantity.from_fraction(rounded, q.format).canonical()


def _is_quota_huge_page_resource_name(name: str) -> bool:
    return name.startswith((_HUGE_PAGES_PREFIX, _REQUESTS_HUGE_PAGES_PREFIX))


def is_overcommit_allowed(name: str) -> bool:
    """``IsOvercommitAllowed``: native and not hugepages."""
    return is_native_resource(name) and not is_huge_page_resource_name(name)


def is_standard_container_resource_name(name: str) -> bool:
    return name in _STANDARD_CONTAINER_RESOURCES or is_huge_page_resource_name(name)


def is_standard_quota_resource_name(name: str) -> bool:
    return name in _STANDARD_QUOTA_RESOURCES or _is_quota_huge_page_resource_name(name)


def is_standard_resource_name(name: str) -> bool:
    return name in _STANDARD_RESOURCES or _is_quota_huge_page_resource_name(name)


def is_integer_resource_name(name: str) -> bool:
    return name in _OBJECT_COUNTS or is_extended_resource_name(name)


def validate_resource_name(name: str, path: Path) -> list[FieldError]:
    """``validateResourceName``."""
    errs = [field.invalid(path, name, msg) for msg in _v.is_qualified_name(name)]
    if errs:
        return errs
    if "/" not in name and not is_standard_resource_name(name):
        return [field.invalid(path, name, "must be a standard resource type or fully qualified")]
    return []


def validate_container_resource_name(name: str, path: Path) -> list[FieldError]:
    """``validateContainerResourceName``."""
    errs = validate_resource_name(name, path)
    if "/" not in name:
        if not is_standard_container_resource_name(name):
            errs.append(field.invalid(path, name, "must be a standard resource for containers"))
    elif not is_native_resource(name) and not is_extended_resource_name(name):
        errs.append(field.invalid(path, name, "doesn't follow extended resource name standard"))
    return errs


def _bad_quantity(value: Any, path: Path, err: ValueError) -> list[FieldError]:
    return [field.invalid(path, value, str(err))]


def validate_nonnegative_quantity(q: Quantity, path: Path) -> list[FieldError]:
    """``ValidateNonnegativeQuantity``."""
    if q < parse("0"):
        return [field.invalid(path, str(q), IS_NEGATIVE_ERROR_MSG)]
    return []


def validate_positive_quantity(value: Any, path: Path) -> list[FieldError]:
    """``ValidatePositiveQuantityValue``."""
    try:
        q = parse(value)
    except ValueError as err:
        return _bad_quantity(value, path, err)
    if q <= parse("0"):
        return [field.invalid(path, str(q), IS_NOT_POSITIVE_ERROR_MSG)]
    return []


def validate_resource_quantity_value(name: str, value: Any, path: Path) -> list[FieldError]:
    """``ValidateResourceQuantityValue``: non-negative, and integral for integer resources.

    A value that does not parse is reported here as ``Invalid`` with the quantity
    parser's message (upstream rejects it earlier, while decoding).
    """
    try:
        q = parse(value)
    except ValueError as err:
        return _bad_quantity(value, path, err)
    errs = validate_nonnegative_quantity(q, path)
    if is_integer_resource_name(name) and q.milli_value() % 1000 != 0:
        errs.append(field.invalid(path, str(q), IS_NOT_INTEGER_ERROR_MSG))
    return errs
