"""Validation of a PodSpec's volumes and of the mounts that refer to them.

It exists so that the rules of volume sources (exactly one source, paths, file modes)
live apart from the container rules. Follows ``pkg/apis/core/validation/validation.go``
(``ValidateVolumes``, ``validateVolumeSource``, ``validateKeyToPath``,
``validateLocalDescendingPath``, ``ValidateLocalNonReservedPath``, ``ValidateVolumeMounts``).
Not covered: the exotic volume plugins' own fields (iSCSI, RBD, Cinder, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import Path
from mlkube.engine.types import _resources as res
from mlkube.engine.types.podspec_defaults import VOLUME_SOURCES
from mlkube.engine.types.podspec_fields import Errs, Obj, dns_label, invalid_each

__all__ = [
    "validate_csi_driver_name",
    "validate_nfs_source",
    "validate_volume_mounts",
    "validate_volumes",
]

_FILE_MODE_ERROR: Final = "must be a number between 0 and 0777 (octal), both inclusive"
_HOST_PATH_TYPES: Final = (
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
)
_VOLUME_FIELD_PATHS: Final = (
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
)


def _key_to_paths(items: Sequence[Obj] | None, path: Path) -> Errs:
    errs: Errs = []
    for i, kp in enumerate(items or []):
        p = path.index(i)
        if not kp.get("key"):
            errs.append(field.required(p.child("key"), ""))
        target = kp.get("path") or ""
        if not target:
            errs.append(field.required(p.child("path"), ""))
        errs.extend(_local_non_reserved_path(target, p.child("path")))
        mode = kp.get("mode")
        if mode is not None and not 0 <= mode <= 0o777:
            errs.append(field.invalid(p.child("mode"), mode, _FILE_MODE_ERROR))
    return errs


def _no_backsteps(target: str, path: Path) -> Errs:
    if ".." in target.split("/"):
        return [field.invalid(path, target, "must not contain '..'")]
    return []


def _local_descending_path(target: str, path: Path) -> Errs:
    errs: Errs = []
    if target.startswith("/"):
        errs.append(field.invalid(path, target, "must be a relative path"))
    errs.extend(_no_backsteps(target, path))
    return errs


def _local_non_reserved_path(target: str, path: Path) -> Errs:
    errs = _local_descending_path(target, path)
    if target.startswith("..") and not target.startswith("../"):
        errs.append(field.invalid(path, target, "must not start with '..'"))
    return errs


def _default_mode(src: Obj, path: Path) -> Errs:
    mode = src.get("defaultMode")
    if mode is not None and not 0 <= mode <= 0o777:
        return [field.invalid(path.child("defaultMode"), mode, _FILE_MODE_ERROR)]
    return []


def _volume_source(vol: Obj, path: Path, pod_meta: Obj | None) -> Errs:
    """``validateVolumeSource``: exactly one source, and the rules of the common ones."""
    errs: Errs = []
    count = 0
    for src in VOLUME_SOURCES:
        value = vol.get(src)
        if value is None:
            continue
        if count > 0:
            errs.append(field.forbidden(path.child(src), "may not specify more than 1 volume type"))
            continue
        count += 1
        p = path.child(src)
        if src == "emptyDir":
            limit = value.get("sizeLimit")
            if limit is not None:
                try:
                    negative = res.parse(limit) < res.parse("0")
                except ValueError:
                    negative = True
                if negative:
                    errs.append(
                        field.forbidden(
                            p.child("sizeLimit"),
                            "SizeLimit field must be a valid resource quantity",
                        )
                    )
        elif src == "hostPath":
            if not value.get("path"):
                errs.append(field.required(p.child("path"), ""))
            else:
                errs.extend(_no_backsteps(value["path"], p.child("path")))
                kind = value.get("type")
                if kind is not None and kind not in _HOST_PATH_TYPES:
                    errs.append(field.not_supported(p.child("type"), kind, _HOST_PATH_TYPES))
        elif src == "secret":
            if not value.get("secretName"):
                errs.append(field.required(p.child("secretName"), ""))
            errs.extend(_default_mode(value, p))
            errs.extend(_key_to_paths(value.get("items"), p.child("items")))
        elif src == "configMap":
            if not value.get("name"):
                errs.append(field.required(p.child("name"), ""))
            errs.extend(_default_mode(value, p))
            errs.extend(_key_to_paths(value.get("items"), p.child("items")))
        elif src == "persistentVolumeClaim":
            if not value.get("claimName"):
                errs.append(field.required(p.child("claimName"), ""))
        elif src == "nfs":
            errs.extend(validate_nfs_source(value, p))
        elif src == "csi":
            errs.extend(validate_csi_driver_name(value, p))
        elif src == "ephemeral":
            if value.get("volumeClaimTemplate") is None:
                errs.append(field.required(p.child("volumeClaimTemplate"), ""))
            name = (pod_meta or {}).get("name") or ""
            if name and vol.get("name"):
                pvc_name = f"{name}-{vol['name']}"
                for msg in _v.is_dns1123_subdomain(pvc_name):
                    errs.append(
                        field.invalid(
                            path.child("name"),
                            vol["name"],
                            f"PVC name {field.go_quote(pvc_name)}: {msg}",
                        )
                    )
        elif src in ("projected", "downwardAPI"):
            errs.extend(_default_mode(value, p))
    if count == 0:
        errs.append(field.required(path, "must specify a volume type"))
    return errs


def validate_volumes(
    volumes: Sequence[Obj] | None, path: Path, pod_meta: Obj | None
) -> tuple[dict[str, Obj], Errs]:
    """``ValidateVolumes``: returns the valid volumes by name and the errors."""
    errs: Errs = []
    vols: dict[str, Obj] = {}
    for i, vol in enumerate(volumes or []):
        p = path.index(i)
        name = vol.get("name") or ""
        el = _volume_source(vol, p, pod_meta)
        if not name:
            el.append(field.required(p.child("name"), ""))
        else:
            el.extend(dns_label(name, p.child("name")))
        if name in vols:
            el.append(field.duplicate(p.child("name"), name))
        if not el:
            vols[name] = vol
        else:
            errs.extend(el)
    return vols, errs


def validate_volume_mounts(ctr: Obj, volumes: Mapping[str, Obj], path: Path) -> Errs:
    errs: Errs = []
    mountpoints: set[str] = set()
    devices = {d.get("name"): d.get("devicePath") for d in ctr.get("volumeDevices") or []}
    for i, mnt in enumerate(ctr.get("volumeMounts") or []):
        p = path.index(i)
        name = mnt.get("name") or ""
        mount_path = mnt.get("mountPath") or ""
        if not name:
            errs.append(field.required(p.child("name"), ""))
        if name not in volumes:
            errs.append(field.not_found(p.child("name"), name))
        if not mount_path:
            errs.append(field.required(p.child("mountPath"), ""))
        if mount_path in mountpoints:
            errs.append(field.invalid(p.child("mountPath"), mount_path, "must be unique"))
        mountpoints.add(mount_path)
        if name in devices:
            errs.append(
                field.invalid(p.child("name"), name, "must not already exist in volumeDevices")
            )
        if mount_path in devices.values():
            errs.append(
                field.invalid(
                    p.child("mountPath"),
                    mount_path,
                    "must not already exist as a path in volumeDevices",
                )
            )
        sub_path = mnt.get("subPath") or ""
        if sub_path:
            errs.extend(_local_descending_path(sub_path, path.child("subPath")))
        sub_path_expr = mnt.get("subPathExpr") or ""
        if sub_path_expr:
            if sub_path:
                errs.append(
                    field.invalid(
                        p.child("subPathExpr"),
                        sub_path_expr,
                        "subPathExpr and subPath are mutually exclusive",
                    )
                )
            errs.extend(_local_descending_path(sub_path_expr, path.child("subPathExpr")))
        propagation = mnt.get("mountPropagation")
        if propagation is not None:
            pp = path.child("mountPropagation")
            supported = ("Bidirectional", "HostToContainer", "None")
            if propagation not in supported:
                errs.append(field.not_supported(pp, propagation, supported))
            privileged = bool((ctr.get("securityContext") or {}).get("privileged"))
            if propagation == "Bidirectional" and not privileged:
                errs.append(
                    field.forbidden(
                        pp,
                        "Bidirectional mount propagation is available only to privileged "
                        "containers",
                    )
                )
    return errs


def validate_nfs_source(value: Obj, p: Path) -> Errs:
    """``validateNFSVolumeSource``: pods' and PersistentVolumes' nfs share it."""
    errs: Errs = []
    if not value.get("server"):
        errs.append(field.required(p.child("server"), ""))
    nfs_path = value.get("path") or ""
    if not nfs_path:
        errs.append(field.required(p.child("path"), ""))
    if not nfs_path.startswith("/"):
        errs.append(field.invalid(p.child("path"), nfs_path, "must be an absolute path"))
    return errs


def validate_csi_driver_name(value: Obj, p: Path) -> Errs:
    """``ValidateCSIDriverName`` on ``driver``: pods' and PersistentVolumes' csi share it."""
    errs: Errs = []
    driver = value.get("driver") or ""
    if not driver:
        errs.append(field.required(p.child("driver"), ""))
    if len(driver) > 63:
        errs.append(field.too_long(p.child("driver"), "", 63))
    errs.extend(invalid_each(p.child("driver"), driver, _v.is_dns1123_subdomain(driver.lower())))
    return errs
