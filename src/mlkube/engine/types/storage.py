"""storage.k8s.io/v1 StorageClass: defaults, validation and its immutable fields.

Follows ``pkg/apis/storage/v1/defaults.go`` (``reclaimPolicy: Delete``,
``volumeBindingMode: Immediate``), ``pkg/registry/storage/storageclass/strategy.go`` and
``pkg/apis/storage/validation/validation.go`` (``ValidateStorageClass``,
``ValidateStorageClassUpdate``, ``validateAllowedTopologies``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = ["StorageClassStrategy"]

Obj = dict[str, Any]
Errs = list[FieldError]

_MAX_PARAMETER_SIZE: Final = 256 * (1 << 10)
_MAX_PARAMETER_COUNT: Final = 512
_RECLAIM_POLICIES: Final = ("Delete", "Retain")
_BINDING_MODES: Final = ("Immediate", "WaitForFirstConsumer")


def _validate_allowed_topologies(terms: Sequence[Obj] | None, path: Path) -> Errs:
    errs: Errs = []
    seen: list[dict[str, frozenset[str]]] = []
    for i, term in enumerate(terms or []):
        p = path.index(i)
        expr_map: dict[str, frozenset[str]] = {}
        for j, req in enumerate(term.get("matchLabelExpressions") or []):
            rp = p.child("matchLabelExpressions").index(j)
            values: Sequence[str] = req.get("values") or []
            if not values:
                errs.append(field.required(rp.child("values"), ""))
            value_set: set[str] = set()
            for k, value in enumerate(values):
                if value in value_set:
                    errs.append(field.duplicate(rp.child("values").index(k), value))
                value_set.add(value)
            key = req.get("key") or ""
            errs.extend(_v.validate_label_name(key, rp.child("key")))
            if key in expr_map:
                errs.append(field.duplicate(rp.child("key"), key))
            expr_map[key] = frozenset(value_set)
        if expr_map in seen:
            errs.append(field.duplicate(p.child("matchLabelExpressions"), ""))
        seen.append(expr_map)
    return errs


class StorageClassStrategy(BaseStrategy):
    """``storageclass.Strategy``: cluster-scoped; provisioner, parameters, reclaim policy
    and binding mode are immutable."""

    kind: ClassVar[str] = "StorageClass"
    api_version: ClassVar[str] = "storage.k8s.io/v1"
    namespaced: ClassVar[bool] = False

    def default(self, obj: Obj) -> None:
        if not obj.get("reclaimPolicy"):
            obj["reclaimPolicy"] = "Delete"
        if not obj.get("volumeBindingMode"):
            obj["volumeBindingMode"] = "Immediate"

    def validate_fields(self, obj: Obj) -> Errs:
        errs: Errs = []
        provisioner = obj.get("provisioner") or ""
        if not provisioner:
            errs.append(field.required(Path("provisioner"), ""))
        else:
            errs.extend(
                field.invalid(Path("provisioner"), provisioner, m)
                for m in _v.is_qualified_name(provisioner.lower())
            )
        params: Mapping[str, str] = obj.get("parameters") or {}
        if len(params) > _MAX_PARAMETER_COUNT:
            errs.append(field.too_long(Path("parameters"), "", _MAX_PARAMETER_COUNT))
        else:
            total = 0
            for key in sorted(params):
                if not key:
                    errs.append(field.invalid(Path("parameters"), key, "field can not be empty."))
                total += len(key.encode()) + len(str(params[key]).encode())
            if total > _MAX_PARAMETER_SIZE:
                errs.append(field.too_long(Path("parameters"), "", _MAX_PARAMETER_SIZE))
        policy = obj.get("reclaimPolicy") or ""
        if policy and policy not in _RECLAIM_POLICIES:
            errs.append(field.not_supported(Path("reclaimPolicy"), policy, _RECLAIM_POLICIES))
        mode = obj.get("volumeBindingMode")
        if mode is None:
            errs.append(field.required(Path("volumeBindingMode"), ""))
        elif mode not in _BINDING_MODES:
            errs.append(field.not_supported(Path("volumeBindingMode"), mode, _BINDING_MODES))
        errs.extend(
            _validate_allowed_topologies(obj.get("allowedTopologies"), Path("allowedTopologies"))
        )
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        errs = self.validate_new_meta(new)
        errs.extend(self.validate_fields(new))
        if (new.get("parameters") or {}) != (old.get("parameters") or {}):
            errs.append(field.forbidden(Path("parameters"), "updates to parameters are forbidden."))
        if (new.get("provisioner") or "") != (old.get("provisioner") or ""):
            errs.append(
                field.forbidden(Path("provisioner"), "updates to provisioner are forbidden.")
            )
        if (new.get("reclaimPolicy") or "") != (old.get("reclaimPolicy") or ""):
            errs.append(
                field.forbidden(Path("reclaimPolicy"), "updates to reclaimPolicy are forbidden.")
            )
        errs.extend(
            _v.validate_immutable_field(
                new.get("volumeBindingMode"),
                old.get("volumeBindingMode"),
                Path("volumeBindingMode"),
            )
        )
        return errs


register(StorageClassStrategy())
