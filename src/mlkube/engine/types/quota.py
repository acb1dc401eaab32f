"""ResourceQuota and LimitRange: defaults and validation, word for word as v1.37.

Follows ``pkg/apis/core/v1/defaults.go`` (``SetDefaults_LimitRangeItem``: for Container
items ``max`` fills ``default``, ``default`` fills ``defaultRequest``, ``min`` fills what
is still missing; ``SetDefaults_ResourceList``), ``pkg/registry/core/resourcequota/
strategy.go`` (status reset on create, kept on update) and ``pkg/apis/core/validation/
validation.go`` (``ValidateResourceQuota``, ``validateResourceQuotaScopes``,
``validateScopedResourceSelectorRequirement``, ``ValidateResourceQuotaUpdate``,
``ValidateLimitRange``) with the scope helpers of ``pkg/apis/core/helper/helpers.go``.

Go visits the resource names of a LimitRange item in random order; here they are sorted.
Upstream prints a ``resource.Quantity`` bad value with ``%#v``; here it prints as a quoted
string.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path
from mlkube.engine.types import _resources as res
from mlkube.engine.types.podspec_defaults import default_resource_list
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "QUOTA_SCOPES",
    "LimitRangeStrategy",
    "ResourceQuotaStrategy",
    "default_limit_range_item",
]

Obj = dict[str, Any]
Errs = list[FieldError]

QUOTA_SCOPES: Final = (
    "Terminating",
    "NotTerminating",
    "BestEffort",
    "NotBestEffort",
    "PriorityClass",
    "CrossNamespacePodAffinity",
    "VolumeAttributesClass",
)
_INVALID_QUOTA_RESOURCE: Final = "must be a standard resource for quota"
_POD_OBJECT_COUNT: Final = frozenset({"pods"})
_POD_COMPUTE: Final = frozenset(
    {"cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"}
)
_SCOPES_NEED_EXISTS: Final = (
    "BestEffort",
    "NotBestEffort",
    "Terminating",
    "NotTerminating",
    "CrossNamespacePodAffinity",
)
_CONFLICTING: Final = (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating"))
_LIMIT_TYPES: Final = frozenset({"Pod", "Container", "PersistentVolumeClaim"})


def _scope_valid_for(scope: str, resource: str) -> bool:
    """``IsResourceQuotaScopeValidForResource``."""
    if scope in ("Terminating", "NotTerminating", "NotBestEffort", "PriorityClass"):
        return resource in _POD_OBJECT_COUNT or resource in _POD_COMPUTE
    if scope == "BestEffort":
        return resource in _POD_OBJECT_COUNT
    return True


def _quota_resource_name(name: str, path: Path) -> Errs:
    """``ValidateResourceQuotaResourceName``."""
    errs = res.validate_resource_name(name, path)
    if "/" not in name and not res.is_standard_quota_resource_name(name):
        errs.append(field.invalid(path, name, _INVALID_QUOTA_RESOURCE))
    return errs


def _validate_resource_map(values: Mapping[str, Any] | None, path: Path) -> Errs:
    errs: Errs = []
    for name in sorted(values or {}):
        p = path.key(name)
        errs.extend(_quota_resource_name(name, p))
        errs.extend(res.validate_resource_quantity_value(name, (values or {})[name], p))
    return errs


def _validate_scopes(spec: Obj, path: Path) -> Errs:
    scopes: Sequence[str] = spec.get("scopes") or []
    if not scopes:
        return []
    hard = sorted(spec.get("hard") or {})
    errs: Errs = []
    scopes_path = path.child("scopes")
    for scope in scopes:
        if scope not in QUOTA_SCOPES:
            errs.append(field.invalid(scopes_path, list(scopes), "unsupported scope"))
        for name in hard:
            if res.is_standard_quota_resource_name(name) and not _scope_valid_for(scope, name):
                errs.append(
                    field.invalid(
                        scopes_path, list(scopes), "unsupported scope applied to resource"
                    )
                )
    for pair in _CONFLICTING:
        if all(s in scopes for s in pair):
            errs.append(field.invalid(scopes_path, list(scopes), "conflicting scopes"))
    return errs


def _validate_scope_selector(spec: Obj, path: Path) -> Errs:
    selector = spec.get("scopeSelector")
    if selector is None:
        return []
    hard = sorted(spec.get("hard") or {})
    errs: Errs = []
    exprs_path = path.child("scopeSelector", "matchExpressions")
    names: list[str] = []
    for req in selector.get("matchExpressions") or []:
        scope = req.get("scopeName") or ""
        operator = req.get("operator") or ""
        values: Sequence[str] = req.get("values") or []
        if scope not in QUOTA_SCOPES:
            errs.append(field.invalid(exprs_path.child("scopeName"), scope, "unsupported scope"))
        for name in hard:
            if res.is_standard_quota_resource_name(name) and not _scope_valid_for(scope, name):
                errs.append(
                    field.invalid(exprs_path, selector, "unsupported scope applied to resource")
                )
        if scope in _SCOPES_NEED_EXISTS and operator != "Exists":
            errs.append(
                field.invalid(
                    exprs_path.child("operator"),
                    operator,
                    "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, "
                    "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
                    "ResourceQuotaScopeNotBestEffort or "
                    "ResourceQuotaScopeCrossNamespacePodAffinity",
                )
            )
        if operator in ("In", "NotIn"):
            if not values:
                errs.append(
                    field.required(
                        exprs_path.child("values"),
                        "must be at least one value when `operator` is 'In' or 'NotIn' for "
                        "scope selector",
                    )
                )
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.append(
                    field.invalid(
                        exprs_path.child("values"),
                        list(values),
                        "must be no value when `operator` is 'Exist' or 'DoesNotExist' for "
                        "scope selector",
                    )
                )
        else:
            errs.append(
                field.invalid(
                    exprs_path.child("operator"), operator, "not a valid selector operator"
                )
            )
        names.append(scope)
    for pair in _CONFLICTING:
        if all(s in names for s in pair):
            errs.append(field.invalid(exprs_path, spec.get("scopes"), "conflicting scopes"))
    return errs


def _validate_quota_spec(spec: Obj, path: Path) -> Errs:
    errs = _validate_resource_map(spec.get("hard"), path.child("hard"))
    errs.extend(_validate_scopes(spec, path))
    errs.extend(_validate_scope_selector(spec, path))
    return errs


def _validate_quota_status(status: Obj, path: Path) -> Errs:
    errs = _validate_resource_map(status.get("hard"), path.child("hard"))
    errs.extend(_validate_resource_map(status.get("used"), path.child("used")))
    return errs


class ResourceQuotaStrategy(BaseStrategy):
    """``resourcequota.Strategy`` and its status strategy."""

    kind: ClassVar[str] = "ResourceQuota"
    has_status: ClassVar[bool] = True

    def default(self, obj: Obj) -> None:
        default_resource_list((obj.get("spec") or {}).get("hard"))
        status = obj.get("status") or {}
        default_resource_list(status.get("hard"))
        default_resource_list(status.get("used"))

    def validate_fields(self, obj: Obj) -> Errs:
        errs = _validate_quota_spec(obj.get("spec") or {}, Path("spec"))
        errs.extend(_validate_quota_status(obj.get("status") or {}, Path("status")))
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        new_spec: Obj = new.get("spec") or {}
        errs = _validate_quota_spec(new_spec, Path("spec"))
        new_scopes = set(new_spec.get("scopes") or [])
        old_scopes = set((old.get("spec") or {}).get("scopes") or [])
        if new_scopes != old_scopes:
            errs.append(
                field.invalid(
                    Path("spec", "scopes"), new_spec.get("scopes"), _v.FIELD_IMMUTABLE_ERROR_MSG
                )
            )
        return errs

    def validate_status_fields(self, new: Obj, old: Obj) -> Errs:
        return _validate_quota_status(new.get("status") or {}, Path("status"))


# --- LimitRange --------------------------------------------------------------------------


def default_limit_range_item(item: Obj) -> None:
    """``SetDefaults_LimitRangeItem`` (Container items only) and the resource lists."""
    for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
        default_resource_list(item.get(key))
    if item.get("type") != "Container":
        return
    defaults = item.setdefault("default", {})
    default_requests = item.setdefault("defaultRequest", {})
    for key, value in (item.get("max") or {}).items():
        defaults.setdefault(key, copy.deepcopy(value))
    for key, value in defaults.items():
        default_requests.setdefault(key, copy.deepcopy(value))
    for key, value in (item.get("min") or {}).items():
        default_requests.setdefault(key, copy.deepcopy(value))


def _limit_type_name(kind: str, path: Path) -> Errs:
    errs = [field.invalid(path, kind, m) for m in _v.is_qualified_name(kind)]
    if errs:
        return errs
    if "/" not in kind and kind not in _LIMIT_TYPES:
        return [field.invalid(path, kind, "must be a standard limit type or fully qualified")]
    return []


def _limit_resource_name(kind: str, name: str, path: Path) -> Errs:
    if kind in ("Pod", "Container"):
        return res.validate_container_resource_name(name, path)
    return res.validate_resource_name(name, path)


def _parse_all(values: Mapping[str, Any]) -> dict[str, res.Quantity]:
    out: dict[str, res.Quantity] = {}
    for name, value in values.items():
        try:
            out[name] = res.parse(value)
        except ValueError:
            continue
    return out


def _validate_limit_item(item: Obj, path: Path) -> Errs:
    errs: Errs = []
    kind = item.get("type") or ""
    sections: dict[str, Mapping[str, Any]] = {}
    for section in ("max", "min"):
        values: Mapping[str, Any] = item.get(section) or {}
        for name in sorted(values):
            errs.extend(_limit_resource_name(kind, name, path.child(section).key(name)))
        sections[section] = values
    if kind == "Pod":
        for section in ("default", "defaultRequest"):
            if item.get(section):
                errs.append(
                    field.forbidden(
                        path.child(section), "may not be specified when `type` is 'Pod'"
                    )
                )
        sections["default"] = sections["defaultRequest"] = {}
    else:
        for section in ("default", "defaultRequest"):
            values = item.get(section) or {}
            for name in sorted(values):
                errs.extend(_limit_resource_name(kind, name, path.child(section).key(name)))
            sections[section] = values
    if (
        kind == "PersistentVolumeClaim"
        and "storage" not in sections["min"]
        and "storage" not in sections["max"]
    ):
        errs.append(
            field.required(
                path.child("limits"),
                "either minimum or maximum storage value is required, but neither was provided",
            )
        )
    ratios: Mapping[str, Any] = item.get("maxLimitRequestRatio") or {}
    for name in sorted(ratios):
        errs.extend(_limit_resource_name(kind, name, path.child("maxLimitRequestRatio").key(name)))
    mins, maxs = _parse_all(sections["min"]), _parse_all(sections["max"])
    defaults, requests = _parse_all(sections["default"]), _parse_all(sections["defaultRequest"])
    ratio_qs = _parse_all(ratios)
    keys = sorted(set(mins) | set(maxs) | set(defaults) | set(requests) | set(ratio_qs))
    one = res.parse("1")
    for k in keys:
        lo, hi, dflt, req, ratio = (
            mins.get(k),
            maxs.get(k),
            defaults.get(k),
            requests.get(k),
            ratio_qs.get(k),
        )
        if lo is not None and hi is not None and lo > hi:
            errs.append(
                field.invalid(
                    path.child("min").key(k),
                    str(lo),
                    f"min value {lo} is greater than max value {hi}",
                )
            )
        if req is not None and lo is not None and lo > req:
            errs.append(
                field.invalid(
                    path.child("defaultRequest").key(k),
                    str(req),
                    f"min value {lo} is greater than default request value {req}",
                )
            )
        if req is not None and hi is not None and req > hi:
            errs.append(
                field.invalid(
                    path.child("defaultRequest").key(k),
                    str(req),
                    f"default request value {req} is greater than max value {hi}",
                )
            )
        if req is not None and dflt is not None and req > dflt:
            errs.append(
                field.invalid(
                    path.child("defaultRequest").key(k),
                    str(req),
                    f"default request value {req} is greater than default limit value {dflt}",
                )
            )
        if dflt is not None and lo is not None and lo > dflt:
            errs.append(
                field.invalid(
                    path.child("default").key(k),
                    str(lo),
                    f"min value {lo} is greater than default value {dflt}",
                )
            )
        if dflt is not None and hi is not None and dflt > hi:
            errs.append(
                field.invalid(
                    path.child("default").key(k),
                    str(hi),
                    f"default value {dflt} is greater than max value {hi}",
                )
            )
        if ratio is not None and ratio < one:
            errs.append(
                field.invalid(
                    path.child("maxLimitRequestRatio").key(k),
                    str(ratio),
                    f"ratio {ratio} is less than 1",
                )
            )
        if ratio is not None and lo is not None and hi is not None:
            errs.extend(
                _ratio_within_bounds(ratio, lo, hi, path.child("maxLimitRequestRatio").key(k))
            )
        if (
            not res.is_overcommit_allowed(k)
            and dflt is not None
            and req is not None
            and dflt != req
        ):
            errs.append(
                field.invalid(
                    path.child("defaultRequest").key(k),
                    str(req),
                    f"default value {dflt} must equal to defaultRequest value {req} in {k}",
                )
            )
    return errs


_MAX_MILLI_VALUE: Final = (2**63 - 1) // 1000


def _ratio_within_bounds(
    ratio: res.Quantity, lo: res.Quantity, hi: res.Quantity, path: Path
) -> Errs:
    ratio_value = float(ratio.value())
    lo_value, hi_value = lo.value(), hi.value()
    if (
        ratio.value() < _MAX_MILLI_VALUE
        and lo_value < _MAX_MILLI_VALUE
        and hi_value < _MAX_MILLI_VALUE
    ):
        ratio_value = ratio.milli_value() / 1000
        lo_value, hi_value = lo.milli_value(), hi.milli_value()
    limit = float(hi_value) / float(lo_value) if lo_value else float("inf")
    if ratio_value > limit:
        return [
            field.invalid(path, str(ratio), f"ratio {ratio} is greater than max/min = {limit:f}")
        ]
    return []


class LimitRangeStrategy(BaseStrategy):
    """``limitrange.Strategy``."""

    kind: ClassVar[str] = "LimitRange"

    def default(self, obj: Obj) -> None:
        for item in (obj.get("spec") or {}).get("limits") or []:
            default_limit_range_item(item)

    def validate_fields(self, obj: Obj) -> Errs:
        errs: Errs = []
        seen: set[str] = set()
        path = Path("spec", "limits")
        for i, item in enumerate((obj.get("spec") or {}).get("limits") or []):
            p = path.index(i)
            kind = item.get("type") or ""
            errs.extend(_limit_type_name(kind, p.child("type")))
            if kind in seen:
                errs.append(field.duplicate(p.child("type"), kind))
            seen.add(kind)
            errs.extend(_validate_limit_item(item, p))
        return errs


for _strategy in (ResourceQuotaStrategy(), LimitRangeStrategy()):
    register(_strategy)
