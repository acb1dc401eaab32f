"""The cluster-scoped core/v1 kinds: Namespace and Node.

It exists so that the two kinds without a namespace, and the rules only they have
(finalizer names, the namespace-name label, node taints and resources), live together.
Follows ``pkg/apis/core/v1/defaults.go`` (``SetDefaults_Namespace``,
``_NamespaceStatus``, ``_NodeStatus``), ``pkg/registry/core/namespace/strategy.go``
(``PrepareForCreate`` sets the ``kubernetes`` finalizer and phase ``Active``; updates keep
finalizers and status), ``pkg/registry/core/node/strategy.go`` and
``pkg/apis/core/validation/validation.go`` (``ValidateNamespace``, ``ValidateNode``,
``validateNodeTaints`` and their updates).

Not covered: the Windows GMSA and node config-source fields.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import Path
from mlkube.engine.types import _resources as res
from mlkube.engine.types.core._common import Errs, GoValue, Obj
from mlkube.engine.types.podspec_validation import validate_taint_effect
from mlkube.engine.types.strategy import BaseStrategy

__all__ = ["LABEL_METADATA_NAME", "NamespaceStrategy", "NodeStrategy", "validate_node_taints"]


LABEL_METADATA_NAME: Final = "kubernetes.io/metadata.name"
_STANDARD_FINALIZERS: Final = frozenset({"kubernetes", "orphan", "foregroundDeletion"})
_NOT_STANDARD_FINALIZER: Final = (
    "name is neither a standard finalizer name nor is it fully qualified"
)


class NamespaceStrategy(BaseStrategy):
    """``namespace.Strategy``: cluster-scoped, DNS-label names, the ``kubernetes`` finalizer."""

    kind: ClassVar[str] = "Namespace"
    namespaced: ClassVar[bool] = False
    has_status: ClassVar[bool] = True
    name_validator: ClassVar[str] = "dns-label"

    def default(self, obj: Obj) -> None:
        meta = obj.setdefault("metadata", {})
        if meta.get("name"):
            labels = meta.get("labels") or {}
            labels[LABEL_METADATA_NAME] = meta["name"]
            meta["labels"] = labels
        status = obj.setdefault("status", {})
        if not status.get("phase"):
            status["phase"] = "Active"

    def initial_status(self, obj: Obj) -> Obj:
        return {"phase": "Active"}

    def prepare_fields_for_create(self, obj: Obj) -> None:
        spec = obj.setdefault("spec", {})
        finalizers = list(spec.get("finalizers") or [])
        if "kubernetes" not in finalizers:
            finalizers.append("kubernetes")
        spec["finalizers"] = finalizers
        self.default(obj)

    def prepare_fields_for_update(self, new: Obj, old: Obj) -> None:
        new.pop("spec", None)
        if "spec" in old:
            new["spec"] = copy.deepcopy(old["spec"])
        self.default(new)

    def validate_fields(self, obj: Obj) -> Errs:
        # validateFinalizerName, at the un-indexed path ValidateNamespace passes.
        path = Path("spec", "finalizers")
        errs: Errs = []
        for name in (obj.get("spec") or {}).get("finalizers") or []:
            errs.extend(field.invalid(path, name, m) for m in _v.is_qualified_name(name))
            if "/" not in name and name not in _STANDARD_FINALIZERS:
                errs.append(field.invalid(path, name, _NOT_STANDARD_FINALIZER))
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        return []

    def validate_status_fields(self, new: Obj, old: Obj) -> Errs:
        phase = (new.get("status") or {}).get("phase") or ""
        path = Path("status", "Phase")
        if not (new.get("metadata") or {}).get("deletionTimestamp"):
            if phase != "Active":
                return [
                    field.invalid(
                        path, phase, "may only be 'Active' if `deletionTimestamp` is empty"
                    )
                ]
        elif phase != "Terminating":
            return [
                field.invalid(
                    path, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"
                )
            ]
        return []


def validate_node_taints(taints: Sequence[Obj] | None, path: Path) -> Errs:
    """``validateNodeTaints``: key, value, effect, unique by (key, effect)."""
    errs: Errs = []
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate(taints or []):
        p = path.index(i)
        key = taint.get("key") or ""
        value = taint.get("value") or ""
        effect = taint.get("effect") or ""
        errs.extend(_v.validate_label_name(key, p.child("key")))
        msgs = _v.is_valid_label_value(value)
        if msgs:
            errs.append(field.invalid(p.child("value"), value, ";".join(msgs)))
        errs.extend(validate_taint_effect(effect, p.child("effect"), allow_empty=False))
        if (key, effect) in seen:
            dup = field.duplicate(p, _go_taint(key, value, effect, taint.get("timeAdded")))
            errs.append(
                dataclasses.replace(dup, detail="taints must be unique by key and effect pair")
            )
            continue
        seen.add((key, effect))
    return errs


def _go_taint(key: str, value: str, effect: str, time_added: Any) -> GoValue:
    q = field.go_quote
    added = "null" if not time_added else q(str(time_added))
    return GoValue(
        f'{{"Key":{q(key)},"Value":{q(value)},"Effect":{q(effect)},"TimeAdded":{added}}}'
    )


def _validate_node_resources(node: Obj) -> Errs:
    errs: Errs = []
    status = node.get("status") or {}
    for section in ("capacity", "allocatable"):
        values: Mapping[str, Any] = status.get(section) or {}
        for name in sorted(values):
            errs.extend(
                res.validate_resource_quantity_value(
                    name, values[name], Path("status", section, name)
                )
            )
    return errs


class NodeStrategy(BaseStrategy):
    """``node.Strategy``: cluster-scoped; the kubelet's status is kept on create."""

    kind: ClassVar[str] = "Node"
    namespaced: ClassVar[bool] = False
    has_status: ClassVar[bool] = True

    def default(self, obj: Obj) -> None:
        status = obj.get("status")
        if status is None:
            return
        if status.get("capacity") is not None:
            for key in ("capacity", "allocatable"):
                if status.get(key):
                    for name, value in list(status[key].items()):
                        status[key][name] = res.canonical(value)
            if status.get("allocatable") is None:
                status["allocatable"] = copy.deepcopy(status["capacity"])

    def initial_status(self, obj: Obj) -> Obj | None:
        return None

    def validate_fields(self, obj: Obj) -> Errs:
        errs = validate_node_taints(
            (obj.get("spec") or {}).get("taints"), Path("metadata", "taints")
        )
        errs.extend(_validate_node_resources(obj))
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        errs = _validate_node_resources(new)
        new_spec: Obj = new.get("spec") or {}
        old_spec: Obj = old.get("spec") or {}
        addresses: list[Any] = []
        for i, address in enumerate((new.get("status") or {}).get("addresses") or []):
            if address in addresses:
                errs.append(field.duplicate(Path("status", "addresses").index(i), address))
            addresses.append(address)
        old_cidrs = old_spec.get("podCIDRs") or []
        if old_cidrs:
            new_cidrs = new_spec.get("podCIDRs") or []
            msg = 'node updates may not change podCIDR except from "" to valid'
            if len(old_cidrs) != len(new_cidrs):
                errs.append(field.forbidden(Path("spec", "podCIDRs"), msg))
            else:
                errs.extend(
                    field.forbidden(Path("spec", "podCIDRs"), msg)
                    for o, n in zip(old_cidrs, new_cidrs, strict=True)
                    if o != n
                )
        old_provider = old_spec.get("providerID") or ""
        if old_provider and old_provider != (new_spec.get("providerID") or ""):
            errs.append(
                field.forbidden(
                    Path("spec", "providerID"),
                    'node updates may not change providerID except from "" to valid',
                )
            )
        errs.extend(validate_node_taints(new_spec.get("taints"), Path("metadata", "taints")))
        if (new_spec.get("externalID") or "") != (old_spec.get("externalID") or ""):
            errs.append(field.forbidden(Path("spec", "externalID"), "may not be updated"))
        return errs

    def validate_status_fields(self, new: Obj, old: Obj) -> Errs:
        return self.validate_fields_update(new, old)
