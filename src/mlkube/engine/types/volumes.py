"""PersistentVolumes and PersistentVolumeClaims: defaults, immutability, validation.

Follows ``pkg/apis/core/v1/defaults.go`` (``SetDefaults_PersistentVolume``: phase
``Pending``, reclaim policy ``Retain``, ``volumeMode: Filesystem``;
``SetDefaults_PersistentVolumeClaim`` and ``_PersistentVolumeClaimSpec``),
``pkg/registry/core/persistentvolume{,claim}/strategy.go`` (status reset on create, kept on
update) and ``pkg/apis/core/validation/validation.go`` (``ValidatePersistentVolumeSpec``,
``ValidatePersistentVolumeUpdate``, ``ValidatePersistentVolumeClaimSpec``,
``ValidatePersistentVolumeClaimUpdate`` with ``RecoverVolumeExpansionFailure`` on, as in
v1.37, and the status updates).

Differences: the immutability messages end, upstream, with a ``go-cmp`` diff; here the
tail lists changed fields as ``-<field>: <old JSON>`` / ``+<field>: <new JSON>`` lines.
``status.lastPhaseTransitionTime`` is left to the caller (it needs a clock). Only the
hostPath, local, NFS and CSI sources are validated in depth.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path
from mlkube.engine.types import _resources as res
from mlkube.engine.types.podspec_defaults import default_pvc_spec, default_resource_list
from mlkube.engine.types.podspec_validation import validate_node_selector
from mlkube.engine.types.podspec_volumes import validate_csi_driver_name, validate_nfs_source
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "PVC_SPEC_IMMUTABLE",
    "PV_SOURCES",
    "PersistentVolumeClaimStrategy",
    "PersistentVolumeStrategy",
    "validate_pvc_spec",
]

Obj = dict[str, Any]
Errs = list[FieldError]

SPEC: Final = Path("spec")
ACCESS_MODES: Final = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
_RECLAIM_POLICIES: Final = ("Delete", "Recycle", "Retain")
_VOLUME_MODES: Final = ("Block", "Filesystem")
PVC_SPEC_IMMUTABLE: Final = (
    "spec is immutable after creation except resources.requests and volumeAttributesClassName "
    "for bound claims"
)
PV_SOURCES: Final = (
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "glusterfs",
    "flocker",
    "nfs",
    "rbd",
    "quobyte",
    "cephfs",
    "iscsi",
    "cinder",
    "fc",
    "flexVolume",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "scaleIO",
    "local",
    "storageos",
    "csi",
)


def _semantic(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def _diff(old: Obj, new: Obj) -> str:
    lines: list[str] = []
    for key in sorted(set(old) | set(new)):
        o, n = _semantic(old.get(key)), _semantic(new.get(key))
        if o != n:
            lines.append(f"-{key}: {json.dumps(o, sort_keys=True)}")
            lines.append(f"+{key}: {json.dumps(n, sort_keys=True)}")
    return "\n".join(lines)


def _validate_access_modes(modes: Sequence[str], path: Path) -> Errs:
    errs: Errs = []
    rwop = other = False
    for mode in modes:
        if mode not in ACCESS_MODES:
            errs.append(field.not_supported(path, mode, ACCESS_MODES))
        if mode == "ReadWriteOncePod":
            rwop = True
        elif mode in ACCESS_MODES:
            other = True
    if rwop and other:
        errs.append(field.forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return errs


def _class_name(value: str, path: Path) -> Errs:
    return [field.invalid(path, value, m) for m in _v.name_is_dns_subdomain(value, False)]


# --- PersistentVolumeClaim ---------------------------------------------------------------


def validate_pvc_spec(spec: Obj, path: Path) -> Errs:
    """``ValidatePersistentVolumeClaimSpec`` (also for ephemeral volume templates)."""
    errs: Errs = []
    modes: Sequence[str] = spec.get("accessModes") or []
    if not modes:
        errs.append(field.required(path.child("accessModes"), "at least 1 access mode is required"))
    if spec.get("selector") is not None:
        errs.extend(_v.validate_label_selector(spec["selector"], path.child("selector")))
    errs.extend(_validate_access_modes(modes, path.child("accessModes")))
    requests: Mapping[str, Any] = (spec.get("resources") or {}).get("requests") or {}
    storage_path = path.child("resources").key("storage")
    if "storage" not in requests:
        errs.append(field.required(storage_path, ""))
    else:
        positive = res.validate_positive_quantity(requests["storage"], storage_path)
        if positive:
            errs.extend(positive)
        else:
            errs.extend(
                res.validate_resource_quantity_value("storage", requests["storage"], storage_path)
            )
    class_name = spec.get("storageClassName")
    if class_name:
        errs.extend(_class_name(class_name, path.child("storageClassName")))
    mode = spec.get("volumeMode")
    if mode is not None and mode not in _VOLUME_MODES:
        errs.append(field.not_supported(path.child("volumeMode"), mode, _VOLUME_MODES))
    for key in ("dataSource", "dataSourceRef"):
        ref = spec.get(key)
        if ref is None:
            continue
        rp = path.child(key)
        if not ref.get("name"):
            errs.append(field.required(rp.child("name"), ""))
        kind = ref.get("kind") or ""
        if not kind:
            errs.append(field.required(rp.child("kind"), ""))
        group = ref.get("apiGroup") or ""
        if not group and kind != "PersistentVolumeClaim":
            errs.append(
                field.invalid(
                    rp,
                    kind,
                    "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
                )
            )
        if group:
            errs.extend(
                field.invalid(rp.child("apiGroup"), group, m)
                for m in _v.is_dns1123_subdomain(group)
            )
    return errs


class PersistentVolumeClaimStrategy(BaseStrategy):
    """``persistentvolumeclaim.Strategy``."""

    kind: ClassVar[str] = "PersistentVolumeClaim"
    has_status: ClassVar[bool] = True

    def default(self, obj: Obj) -> None:
        default_pvc_spec(obj.setdefault("spec", {}))
        status = obj.setdefault("status", {})
        if not status.get("phase"):
            status["phase"] = "Pending"

    def initial_status(self, obj: Obj) -> Obj:
        return {"phase": "Pending"}

    def validate_fields(self, obj: Obj) -> Errs:
        return validate_pvc_spec(obj.get("spec") or {}, SPEC)

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        errs = self.validate_new_meta(new)
        errs.extend(self.validate_fields(new))
        new_spec: Obj = copy.deepcopy(new.get("spec") or {})
        old_spec: Obj = copy.deepcopy(old.get("spec") or {})
        if not old_spec.get("volumeName"):
            old_spec.pop("volumeName", None)
            if "volumeName" in new_spec:
                old_spec["volumeName"] = new_spec["volumeName"]
        if (
            old_spec.get("storageClassName") is None
            and new_spec.get("storageClassName") is not None
        ):
            old_annotations = (old.get("metadata") or {}).get("annotations") or {}
            beta = old_annotations.get("volume.beta.kubernetes.io/storage-class")
            if beta is None or beta == new_spec["storageClassName"]:
                old_spec["storageClassName"] = new_spec["storageClassName"]
        bound = ((new.get("status") or {}).get("phase") or "") == "Bound"
        new_requests = (new_spec.get("resources") or {}).get("requests")
        if bound and new_requests is not None:
            old_storage = ((old_spec.get("resources") or {}).get("requests") or {}).get("storage")
            if old_storage is None:
                new_requests.pop("storage", None)
            else:
                new_requests["storage"] = old_storage
        if bound and new_spec.get("volumeAttributesClassName") is not None:
            new_spec["volumeAttributesClassName"] = old_spec.get("volumeAttributesClassName")
        if _semantic(new_spec) != _semantic(old_spec):
            errs.append(field.forbidden(SPEC, f"{PVC_SPEC_IMMUTABLE}\n{_diff(old_spec, new_spec)}"))
        errs.extend(self._size_decrease(new, old))
        new_mode = (new.get("spec") or {}).get("volumeMode")
        old_mode = (old.get("spec") or {}).get("volumeMode")
        errs.extend(_v.validate_immutable_field(new_mode, old_mode, Path("volumeMode")))
        return errs

    @staticmethod
    def _size_decrease(new: Obj, old: Obj) -> Errs:
        def storage(obj: Obj, *keys: str) -> res.Quantity:
            node: Any = obj
            for key in keys:
                node = (node or {}).get(key)
            try:
                return res.parse(node if node is not None else "0")
            except ValueError:
                return res.parse("0")

        new_size = storage(new, "spec", "resources", "requests", "storage")
        old_size = storage(old, "spec", "resources", "requests", "storage")
        status_size = storage(old, "status", "capacity", "storage")
        if new_size < old_size and new_size <= status_size:
            return [
                field.forbidden(
                    Path("spec", "resources", "requests", "storage"),
                    "field can not be less than status.capacity",
                )
            ]
        return []

    def validate_status_fields(self, new: Obj, old: Obj) -> Errs:
        errs: Errs = []
        if not (new.get("spec") or {}).get("accessModes"):
            errs.append(field.required(Path("Spec", "accessModes"), ""))
        capacity: Mapping[str, Any] = (new.get("status") or {}).get("capacity") or {}
        for name in sorted(capacity):
            errs.extend(_basic_resource(capacity[name], Path("status", "capacity").key(name)))
        return errs


def _basic_resource(value: Any, path: Path) -> Errs:
    """``validateBasicResource``: ``Value() < 0`` is invalid (the bad value is the int)."""
    try:
        q = res.parse(value)
    except ValueError as err:
        return [field.invalid(path, value, str(err))]
    if q.value() < 0:
        return [field.invalid(path, q.value(), "must be a valid resource quantity")]
    return []


# --- PersistentVolume --------------------------------------------------------------------


def _validate_pv_source(spec: Obj, path: Path, node_affinity: bool) -> Errs:
    errs: Errs = []
    count = 0
    for src in PV_SOURCES:
        value = spec.get(src)
        if value is None:
            continue
        p = path.child(src)
        if count > 0 and src != "flexVolume":
            errs.append(field.forbidden(p, "may not specify more than 1 volume type"))
            continue
        count += 1
        if src in ("hostPath", "local"):
            target = value.get("path") or ""
            if not target:
                errs.append(field.required(p.child("path"), ""))
            elif ".." in target.split("/"):
                errs.append(field.invalid(p.child("path"), target, "must not contain '..'"))
            if src == "local" and not node_affinity:
                errs.append(
                    field.required(
                        path.child("nodeAffinity"), "Local volume requires node affinity"
                    )
                )
        elif src == "nfs":
            errs.extend(validate_nfs_source(value, p))
        elif src == "csi":
            errs.extend(validate_csi_driver_name(value, p))
            if not value.get("volumeHandle"):
                errs.append(field.required(p.child("volumeHandle"), ""))
    if count == 0:
        errs.append(field.required(path, "must specify a volume type"))
    return errs


def _validate_pv_spec(spec: Obj, path: Path) -> Errs:
    """``ValidatePersistentVolumeSpec`` for a PersistentVolume object (not inline)."""
    errs: Errs = []
    modes: Sequence[str] = spec.get("accessModes") or []
    if not modes:
        errs.append(field.required(path.child("accessModes"), ""))
    errs.extend(_validate_access_modes(modes, path.child("accessModes")))
    capacity: Mapping[str, Any] = spec.get("capacity") or {}
    if not capacity:
        errs.append(field.required(path.child("capacity"), ""))
    if "storage" not in capacity or len(capacity) > 1:
        errs.append(field.not_supported(path.child("capacity"), dict(capacity), ("storage",)))
    for name in sorted(capacity):
        cp = path.child("capacity").key(name)
        errs.extend(_basic_resource(capacity[name], cp))
        errs.extend(res.validate_positive_quantity(capacity[name], cp))
    policy = spec.get("persistentVolumeReclaimPolicy") or ""
    if policy and policy not in _RECLAIM_POLICIES:
        errs.append(
            field.not_supported(
                path.child("persistentVolumeReclaimPolicy"), policy, _RECLAIM_POLICIES
            )
        )
    affinity = spec.get("nodeAffinity")
    if affinity is not None:
        if affinity.get("required") is not None:
            errs.extend(
                validate_node_selector(affinity["required"], path.child("nodeAffinity", "required"))
            )
        else:
            errs.append(
                field.required(
                    path.child("nodeAffinity", "required"), "must specify required node constraints"
                )
            )
    errs.extend(_validate_pv_source(spec, path, affinity is not None))
    host_path = (spec.get("hostPath") or {}).get("path")
    if host_path is not None and _clean(host_path) == "/" and policy == "Recycle":
        errs.append(
            field.forbidden(
                path.child("persistentVolumeReclaimPolicy"),
                "may not be 'recycle' for a hostPath mount of '/'",
            )
        )
    class_name = spec.get("storageClassName") or ""
    if class_name:
        errs.extend(_class_name(class_name, path.child("storageClassName")))
    mode = spec.get("volumeMode")
    if mode is not None and mode not in _VOLUME_MODES:
        errs.append(field.not_supported(path.child("volumeMode"), mode, _VOLUME_MODES))
    return errs


def _clean(path: str) -> str:
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return "/" + "/".join(parts) if path.startswith("/") else "/".join(parts) or "."


class PersistentVolumeStrategy(BaseStrategy):
    """``persistentvolume.Strategy``: cluster-scoped; the source is immutable."""

    kind: ClassVar[str] = "PersistentVolume"
    namespaced: ClassVar[bool] = False
    has_status: ClassVar[bool] = True

    def default(self, obj: Obj) -> None:
        spec = obj.setdefault("spec", {})
        status = obj.setdefault("status", {})
        if not status.get("phase"):
            status["phase"] = "Pending"
        if not spec.get("persistentVolumeReclaimPolicy"):
            spec["persistentVolumeReclaimPolicy"] = "Retain"
        if spec.get("volumeMode") is None:
            spec["volumeMode"] = "Filesystem"
        default_resource_list(spec.get("capacity"))

    def initial_status(self, obj: Obj) -> Obj:
        return {"phase": "Pending"}

    def validate_fields(self, obj: Obj) -> Errs:
        return _validate_pv_spec(obj.get("spec") or {}, SPEC)

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        errs = self.validate_new_meta(new)
        errs.extend(self.validate_fields(new))
        new_spec: Obj = new.get("spec") or {}
        old_spec: Obj = old.get("spec") or {}
        new_src = {k: copy.deepcopy(new_spec[k]) for k in PV_SOURCES if new_spec.get(k) is not None}
        old_src = {k: old_spec[k] for k in PV_SOURCES if old_spec.get(k) is not None}
        old_csi, new_csi = old_src.get("csi"), new_src.get("csi")
        if (
            old_csi is not None
            and new_csi is not None
            and old_csi.get("controllerExpandSecretRef") is None
        ):
            new_csi.pop("controllerExpandSecretRef", None)
        if _semantic(new_src) != _semantic(old_src):
            errs.append(
                field.forbidden(
                    Path("spec", "persistentvolumesource"),
                    "spec.persistentvolumesource is immutable after creation\n"
                    + _diff(old_src, new_src),
                )
            )
        errs.extend(
            _v.validate_immutable_field(
                new_spec.get("volumeMode"), old_spec.get("volumeMode"), Path("volumeMode")
            )
        )
        if old_spec.get("nodeAffinity") is not None and _semantic(
            new_spec.get("nodeAffinity")
        ) != _semantic(old_spec.get("nodeAffinity")):
            errs.append(
                field.invalid(
                    Path("nodeAffinity"),
                    new_spec.get("nodeAffinity"),
                    "field is immutable, except for updating from beta label to GA",
                )
            )
        return errs


for _strategy in (PersistentVolumeClaimStrategy(), PersistentVolumeStrategy()):
    register(_strategy)
