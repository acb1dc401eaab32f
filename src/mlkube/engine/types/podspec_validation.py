"""Validation of a PodSpec and a PodTemplateSpec, word for word as kube-apiserver.

Follows ``pkg/apis/core/validation/validation.go`` (``ValidatePodSpec``,
``validateContainers``, ``validateInitContainers``, ``validateContainerCommon``,
``ValidateVolumes``, ``validateResourceRequirements``, ``ValidatePodTemplateSpec``; the
scheduling constraints live in :mod:`~mlkube.engine.types.podspec_scheduling`)
with the v1.37 default options: relaxed env var names, zero-second sleep actions,
pod-level resources enabled. Go iterates maps in random order; here resource lists and
labels are visited in sorted key order.

Not covered (accepted as they are): the exotic volume plugins' own fields (iSCSI, RBD,
Cinder, ...), Windows and AppArmor/seccomp annotation consistency, sysctls, DRA resource
claims, ephemeral-container field allow-lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path
from mlkube.engine.types import _resources as res
from mlkube.engine.types.podspec_defaults import VOLUME_SOURCES
from mlkube.engine.types.podspec_scheduling import (
    validate_affinity,
    validate_node_selector,
    validate_taint_effect,
    validate_tolerations,
    validate_topology_spread,
)

__all__ = [
    "validate_node_selector",
    "validate_pod_spec",
    "validate_pod_template_spec",
    "validate_taint_effect",
    "validate_tolerations",
]

Obj = dict[str, Any]
Errs = list[FieldError]

_MAX_INT32: Final = 2**31 - 1
_FILE_MODE_ERROR: Final = "must be a number between 0 and 0777 (octal), both inclusive"
_INIT_ONLY_ALWAYS: Final = "may not be set for init containers without restartPolicy=Always"
_RESTART_POLICIES: Final = ("Always", "OnFailure", "Never")
_DNS_POLICIES: Final = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_PULL_POLICIES: Final = ("Always", "IfNotPresent", "Never")
_PROTOCOLS: Final = ("SCTP", "TCP", "UDP")
_TERMINATION_MESSAGE_POLICIES: Final = ("File", "FallbackToLogsOnError")
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
_ENV_FIELD_PATHS: Final = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
_VOLUME_FIELD_PATHS: Final = (
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
)
_RESOURCE_FIELD_PATHS: Final = (
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
)
_QOS_COMPUTE: Final = frozenset({"cpu", "memory"})
_POD_LEVEL_RESOURCES: Final = ("cpu", "memory")


def _invalid_each(path: Path, value: Any, msgs: Sequence[str]) -> Errs:
    return [field.invalid(path, value, m) for m in msgs]


def _dns_label(value: str, path: Path) -> Errs:
    return _invalid_each(path, value, _v.is_dns1123_label(value))


def _dns_subdomain(value: str, path: Path) -> Errs:
    return _invalid_each(path, value, _v.is_dns1123_subdomain(value))


def _qualified_name(value: str, path: Path) -> Errs:
    return _invalid_each(path, value, _v.is_qualified_name(value))


def _nonnegative(value: int, path: Path) -> Errs:
    return list(_v.validate_nonnegative_field(value, path))


# --- volumes -----------------------------------------------------------------------------


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
            if not value.get("server"):
                errs.append(field.required(p.child("server"), ""))
            nfs_path = value.get("path") or ""
            if not nfs_path:
                errs.append(field.required(p.child("path"), ""))
            if not nfs_path.startswith("/"):
                errs.append(field.invalid(p.child("path"), nfs_path, "must be an absolute path"))
        elif src == "csi":
            driver = value.get("driver") or ""
            if not driver:
                errs.append(field.required(p.child("driver"), ""))
            if len(driver) > 63:
                errs.append(field.too_long(p.child("driver"), "", 63))
            errs.extend(
                _invalid_each(p.child("driver"), driver, _v.is_dns1123_subdomain(driver.lower()))
            )
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


def _validate_volumes(
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
            el.extend(_dns_label(name, p.child("name")))
        if name in vols:
            el.append(field.duplicate(p.child("name"), name))
        if not el:
            vols[name] = vol
        else:
            errs.extend(el)
    return vols, errs


# --- containers ----------------------------------------------------------------------------


def _validate_ports(ports: Sequence[Obj] | None, path: Path) -> Errs:
    errs: Errs = []
    names: set[str] = set()
    for i, port in enumerate(ports or []):
        p = path.index(i)
        name = port.get("name") or ""
        if name:
            msgs = _v.is_valid_port_name(name)
            if msgs:
                errs.extend(_invalid_each(p.child("name"), name, msgs))
            elif name in names:
                errs.append(field.duplicate(p.child("name"), name))
            else:
                names.add(name)
        container_port = port.get("containerPort") or 0
        if container_port == 0:
            errs.append(field.required(p.child("containerPort"), ""))
        else:
            errs.extend(
                _invalid_each(
                    p.child("containerPort"), container_port, _v.is_valid_port_num(container_port)
                )
            )
        host_port = port.get("hostPort") or 0
        if host_port:
            errs.extend(
                _invalid_each(p.child("hostPort"), host_port, _v.is_valid_port_num(host_port))
            )
        protocol = port.get("protocol") or ""
        if not protocol:
            errs.append(field.required(p.child("protocol"), ""))
        elif protocol not in _PROTOCOLS:
            errs.append(field.not_supported(p.child("protocol"), protocol, _PROTOCOLS))
    return errs


def _validate_divisor(resource: str, divisor: Any, path: Path) -> Errs:
    try:
        q = res.parse(divisor if divisor is not None else "0")
    except ValueError:
        return []
    if q == res.parse("0"):
        return []
    text = str(q)
    if resource in ("limits.cpu", "requests.cpu"):
        if text not in ("1m", "1"):
            return [
                field.invalid(
                    path.child("divisor"),
                    resource,
                    "only divisor's values 1m and 1 are supported with the cpu resource",
                )
            ]
        return []
    memory_like = (
        "1",
        "1k",
        "1M",
        "1G",
        "1T",
        "1P",
        "1E",
        "1Ki",
        "1Mi",
        "1Gi",
        "1Ti",
        "1Pi",
        "1Ei",
    )
    kinds = {
        "limits.memory": "memory",
        "requests.memory": "memory",
        "limits.ephemeral-storage": "local ephemeral storage",
        "requests.ephemeral-storage": "local ephemeral storage",
    }
    kind = kinds.get(resource)
    if kind is None and resource.startswith(("requests.hugepages-", "limits.hugepages-")):
        kind = "hugepages"
    if kind is not None and text not in memory_like:
        return [
            field.invalid(
                path.child("divisor"),
                resource,
                "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei "
                f"are supported with the {kind} resource",
            )
        ]
    return []


def _validate_resource_field_ref(ref: Obj, path: Path, *, volume: bool) -> Errs:
    errs: Errs = []
    resource = ref.get("resource") or ""
    if volume and not ref.get("containerName"):
        errs.append(field.required(path.child("containerName"), ""))
    elif not resource:
        errs.append(field.required(path.child("resource"), ""))
    elif resource not in _RESOURCE_FIELD_PATHS and not resource.startswith(
        ("limits.hugepages-", "requests.hugepages-")
    ):
        errs.append(field.not_supported(path.child("resource"), resource, _RESOURCE_FIELD_PATHS))
    errs.extend(_validate_divisor(resource, ref.get("divisor"), path))
    return errs


def _validate_field_ref(ref: Obj, expressions: Sequence[str], path: Path) -> Errs:
    if not ref.get("apiVersion"):
        return [field.required(path.child("apiVersion"), "")]
    field_path = ref.get("fieldPath") or ""
    if not field_path:
        return [field.required(path.child("fieldPath"), "")]
    base, bracket, rest = field_path.partition("[")
    if bracket and rest.endswith("]"):
        subscript = rest[:-1].strip("'")
        if base == "metadata.annotations":
            return _qualified_name(subscript.lower(), path)
        if base == "metadata.labels":
            return _qualified_name(subscript, path)
        return [field.invalid(path, base, "does not support subscript")]
    if field_path not in expressions:
        return [field.not_supported(path.child("fieldPath"), field_path, expressions)]
    return []


def _validate_key_selector(sel: Obj, path: Path) -> Errs:
    errs = _invalid_each(
        path.child("name"),
        sel.get("name") or "",
        _v.name_is_dns_subdomain(sel.get("name") or "", False),
    )
    key = sel.get("key") or ""
    if not key:
        errs.append(field.required(path.child("key"), ""))
    else:
        errs.extend(_invalid_each(path.child("key"), key, _v.is_config_map_key(key)))
    return errs


def _validate_env(env: Sequence[Obj] | None, path: Path) -> Errs:
    """``ValidateEnv`` with relaxed names (GA in v1.34)."""
    errs: Errs = []
    for i, ev in enumerate(env or []):
        p = path.index(i)
        name = ev.get("name") or ""
        if not name:
            errs.append(field.required(p.child("name"), ""))
        else:
            errs.extend(_invalid_each(p.child("name"), name, _v.is_env_var_name(name)))
        value_from = ev.get("valueFrom")
        if value_from is None:
            continue
        vp = p.child("valueFrom")
        sources = 0
        if value_from.get("fieldRef") is not None:
            sources += 1
            errs.extend(
                _validate_field_ref(value_from["fieldRef"], _ENV_FIELD_PATHS, vp.child("fieldRef"))
            )
        if value_from.get("resourceFieldRef") is not None:
            sources += 1
            errs.extend(
                _validate_resource_field_ref(
                    value_from["resourceFieldRef"], vp.child("resourceFieldRef"), volume=False
                )
            )
        if value_from.get("configMapKeyRef") is not None:
            sources += 1
            errs.extend(
                _validate_key_selector(value_from["configMapKeyRef"], vp.child("configMapKeyRef"))
            )
        if value_from.get("secretKeyRef") is not None:
            sources += 1
            errs.extend(
                _validate_key_selector(value_from["secretKeyRef"], vp.child("secretKeyRef"))
            )
        if sources == 0:
            errs.append(
                field.invalid(
                    vp,
                    "",
                    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
                    "`secretKeyRef`",
                )
            )
        elif ev.get("value"):
            errs.append(field.invalid(vp, "", "may not be specified when `value` is not empty"))
        elif sources > 1:
            errs.append(
                field.invalid(vp, "", "may not have more than one field specified at a time")
            )
    return errs


def _validate_env_from(env_from: Sequence[Obj] | None, path: Path) -> Errs:
    errs: Errs = []
    for i, ev in enumerate(env_from or []):
        p = path.index(i)
        prefix = ev.get("prefix") or ""
        if prefix:
            errs.extend(_invalid_each(p.child("prefix"), prefix, _v.is_env_var_name(prefix)))
        sources = 0
        for key in ("configMapRef", "secretRef"):
            ref = ev.get(key)
            if ref is None:
                continue
            sources += 1
            name = ref.get("name") or ""
            if not name:
                errs.append(field.required(p.child(key, "name"), ""))
            else:
                errs.extend(
                    _invalid_each(p.child(key, "name"), name, _v.name_is_dns_subdomain(name, True))
                )
        if sources == 0:
            errs.append(
                field.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`")
            )
        elif sources > 1:
            errs.append(
                field.invalid(path, "", "may not have more than one field specified at a time")
            )
    return errs


def _validate_volume_mounts(ctr: Obj, volumes: Mapping[str, Obj], path: Path) -> Errs:
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


def _validate_resource_list_keys(requirements: Obj, path: Path, *, pod_level: bool) -> Errs:
    """``validateResourceRequirements`` (container or pod level)."""
    errs: Errs = []
    limits: Mapping[str, Any] = requirements.get("limits") or {}
    requests: Mapping[str, Any] = requirements.get("requests") or {}
    lim_path = path.child("limits")
    req_path = path.child("requests")
    lim_cpu_mem = req_cpu_mem = lim_huge = req_huge = False

    def name_errs(name: str, p: Path) -> Errs:
        if not pod_level:
            return res.validate_container_resource_name(name, p)
        e = res.validate_resource_name(name, p)
        if not e and name not in _POD_LEVEL_RESOURCES and not res.is_huge_page_resource_name(name):
            e.append(field.not_supported(p, name, ("cpu", "hugepages-", "memory")))
        return e

    for name in sorted(limits):
        p = lim_path.key(name)
        errs.extend(name_errs(name, p))
        errs.extend(res.validate_resource_quantity_value(name, limits[name], p))
        if res.is_huge_page_resource_name(name):
            lim_huge = True
        if name in _QOS_COMPUTE:
            lim_cpu_mem = True
    for name in sorted(requests):
        p = req_path.key(name)
        errs.extend(name_errs(name, p))
        value_errs = res.validate_resource_quantity_value(name, requests[name], p)
        errs.extend(value_errs)
        if name in limits:
            try:
                req_q, lim_q = res.parse(requests[name]), res.parse(limits[name])
            except ValueError:
                pass
            else:
                if req_q != lim_q and not res.is_overcommit_allowed(name):
                    errs.append(
                        field.invalid(
                            req_path, str(req_q), f"must be equal to {name} limit of {lim_q}"
                        )
                    )
                elif req_q > lim_q:
                    errs.append(
                        field.invalid(
                            req_path,
                            str(req_q),
                            f"must be less than or equal to {name} limit of {lim_q}",
                        )
                    )
        elif not res.is_overcommit_allowed(name):
            errs.append(
                field.required(lim_path, "Limit must be set for non overcommitable resources")
            )
        if res.is_huge_page_resource_name(name):
            req_huge = True
        if name in _QOS_COMPUTE:
            req_cpu_mem = True
    if not lim_cpu_mem and not req_cpu_mem and (req_huge or lim_huge):
        errs.append(field.forbidden(path, "HugePages require cpu or memory"))
    return errs


def _validate_handler(handler: Obj, grace: int | None, path: Path, *, lifecycle: bool) -> Errs:
    errs: Errs = []
    kinds = (
        ("exec", "httpGet", "tcpSocket", "sleep")
        if lifecycle
        else ("exec", "httpGet", "tcpSocket", "grpc")
    )
    count = 0
    for kind in kinds:
        action = handler.get(kind)
        if action is None:
            continue
        p = path.child(kind)
        if count > 0:
            errs.append(field.forbidden(p, "may not specify more than 1 handler type"))
            continue
        count += 1
        if kind == "exec" and not action.get("command"):
            errs.append(field.required(p.child("command"), ""))
        elif kind == "httpGet":
            if not action.get("path"):
                errs.append(field.required(p.child("path"), ""))
            errs.extend(_port_num_or_name(action.get("port"), p.child("port")))
            scheme = action.get("scheme") or ""
            if scheme not in ("HTTP", "HTTPS"):
                errs.append(field.not_supported(p.child("scheme"), scheme, ("HTTP", "HTTPS")))
        elif kind == "tcpSocket":
            errs.extend(_port_num_or_name(action.get("port"), p.child("port")))
        elif kind == "grpc":
            errs.extend(_port_num_or_name(action.get("port") or 0, p.child("port")))
        elif kind == "sleep":
            seconds = action.get("seconds") or 0
            if grace is not None and (seconds < 0 or seconds > grace):
                errs.append(
                    field.invalid(
                        p,
                        seconds,
                        "must be non-negative and less than terminationGracePeriodSeconds "
                        f"({grace})",
                    )
                )
    if count == 0:
        errs.append(field.required(path, "must specify a handler type"))
    return errs


def _port_num_or_name(port: Any, path: Path) -> Errs:
    if isinstance(port, int) and not isinstance(port, bool):
        return _invalid_each(path, port, _v.is_valid_port_num(port))
    if isinstance(port, str):
        return _invalid_each(path, port, _v.is_valid_port_name(port))
    return _invalid_each(path, 0, _v.is_valid_port_num(0))


def _validate_probe(probe: Obj | None, grace: int | None, path: Path, kind: str) -> Errs:
    if probe is None:
        return []
    errs = _validate_handler(probe, grace, path, lifecycle=False)
    for key in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        errs.extend(_nonnegative(probe.get(key) or 0, path.child(key)))
    probe_grace = probe.get("terminationGracePeriodSeconds")
    if probe_grace is not None and probe_grace <= 0:
        errs.append(
            field.invalid(
                path.child("terminationGracePeriodSeconds"), probe_grace, "must be greater than 0"
            )
        )
    if kind in ("liveness", "startup") and probe.get("successThreshold", 0) != 1:
        errs.append(
            field.invalid(
                path.child("successThreshold"), probe.get("successThreshold", 0), "must be 1"
            )
        )
    if kind == "readiness" and probe_grace is not None:
        errs.append(
            field.invalid(
                path.child("terminationGracePeriodSeconds"),
                probe_grace,
                "must not be set for readinessProbes",
            )
        )
    return errs


def _validate_lifecycle_and_probes(ctr: Obj, grace: int | None, path: Path) -> Errs:
    errs: Errs = []
    lifecycle = ctr.get("lifecycle")
    if lifecycle is not None:
        for hook in ("postStart", "preStop"):
            if lifecycle.get(hook) is not None:
                errs.extend(
                    _validate_handler(
                        lifecycle[hook], grace, path.child("lifecycle", hook), lifecycle=True
                    )
                )
    errs.extend(
        _validate_probe(ctr.get("livenessProbe"), grace, path.child("livenessProbe"), "liveness")
    )
    errs.extend(
        _validate_probe(ctr.get("readinessProbe"), grace, path.child("readinessProbe"), "readiness")
    )
    errs.extend(
        _validate_probe(ctr.get("startupProbe"), grace, path.child("startupProbe"), "startup")
    )
    return errs


def _validate_container_security_context(sc: Obj | None, path: Path) -> Errs:
    if sc is None:
        return []
    errs: Errs = []
    for key in ("runAsUser", "runAsGroup"):
        value = sc.get(key)
        if value is not None and not 0 <= value <= _MAX_INT32:
            errs.append(
                field.invalid(path.child(key), value, _v.inclusive_range_error(0, _MAX_INT32))
            )
    if sc.get("allowPrivilegeEscalation") is False and sc.get("privileged") is True:
        errs.append(
            field.invalid(
                path, sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
            )
        )
    return errs


def _validate_container_common(
    ctr: Obj, volumes: Mapping[str, Obj], path: Path, restart_policy: str
) -> Errs:
    """``validateContainerCommon``."""
    errs: Errs = []
    name = ctr.get("name") or ""
    if not name:
        errs.append(field.required(path.child("name"), ""))
    else:
        errs.extend(_dns_label(name, path.child("name")))
    if not ctr.get("image"):
        errs.append(field.required(path.child("image"), ""))
    policy = ctr.get("terminationMessagePolicy") or ""
    if not policy:
        errs.append(field.required(path.child("terminationMessagePolicy"), ""))
    elif policy not in _TERMINATION_MESSAGE_POLICIES:
        errs.append(
            field.not_supported(
                path.child("terminationMessagePolicy"), policy, _TERMINATION_MESSAGE_POLICIES
            )
        )
    errs.extend(_validate_ports(ctr.get("ports"), path.child("ports")))
    errs.extend(_validate_env(ctr.get("env"), path.child("env")))
    errs.extend(_validate_env_from(ctr.get("envFrom"), path.child("envFrom")))
    errs.extend(_validate_volume_mounts(ctr, volumes, path.child("volumeMounts")))
    pull = ctr.get("imagePullPolicy") or ""
    if not pull:
        errs.append(field.required(path.child("imagePullPolicy"), ""))
    elif pull not in _PULL_POLICIES:
        errs.append(field.not_supported(path.child("imagePullPolicy"), pull, _PULL_POLICIES))
    errs.extend(
        _validate_resource_list_keys(
            ctr.get("resources") or {}, path.child("resources"), pod_level=False
        )
    )
    errs.extend(
        _validate_resize_policy(ctr.get("resizePolicy"), path.child("resizePolicy"), restart_policy)
    )
    errs.extend(
        _validate_container_security_context(
            ctr.get("securityContext"), path.child("securityContext")
        )
    )
    return errs


def _validate_resize_policy(
    policies: Sequence[Obj] | None, path: Path, restart_policy: str
) -> Errs:
    errs: Errs = []
    seen: set[str] = set()
    for i, pol in enumerate(policies or []):
        name = pol.get("resourceName") or ""
        if name in seen:
            errs.append(field.duplicate(path.index(i), name))
        seen.add(name)
        if not name:
            errs.append(field.required(path, ""))
        elif name not in ("cpu", "memory"):
            errs.append(field.not_supported(path, name, ("cpu", "memory")))
        rp = pol.get("restartPolicy") or ""
        if not rp:
            errs.append(field.required(path, ""))
        elif rp not in ("NotRequired", "RestartContainer"):
            errs.append(field.not_supported(path, rp, ("NotRequired", "RestartContainer")))
        if restart_policy == "Never" and rp != "NotRequired":
            errs.append(
                field.invalid(path, rp, "must be 'NotRequired' when `restartPolicy` is 'Never'")
            )
    return errs


def _host_port_conflicts(
    containers: Sequence[Obj], path: Path, seen: set[str] | None = None
) -> Errs:
    """``AccumulateUniqueHostPorts``."""
    seen = set() if seen is None else seen
    errs: Errs = []
    for ci, ctr in enumerate(containers):
        for pi, port in enumerate(ctr.get("ports") or []):
            host_port = port.get("hostPort") or 0
            if not host_port:
                continue
            key = f"{port.get('protocol') or ''}/{port.get('hostIP') or ''}/{host_port}"
            if key in seen:
                errs.append(
                    field.duplicate(path.index(ci).child("ports").index(pi).child("hostPort"), key)
                )
            else:
                seen.add(key)
    return errs


def _validate_containers(
    containers: Sequence[Obj] | None,
    volumes: Mapping[str, Obj],
    grace: int | None,
    path: Path,
    restart_policy: str,
) -> Errs:
    """``validateContainers``."""
    if not containers:
        return [field.required(path, "")]
    errs: Errs = []
    names: set[str] = set()
    for i, ctr in enumerate(containers):
        p = path.index(i)
        errs.extend(_validate_container_common(ctr, volumes, p, restart_policy))
        name = ctr.get("name") or ""
        if name in names:
            errs.append(field.duplicate(p.child("name"), name))
        else:
            names.add(name)
        errs.extend(_validate_lifecycle_and_probes(ctr, grace, p))
        if ctr.get("restartPolicy") is not None:
            errs.append(
                field.forbidden(p.child("restartPolicy"), "may not be set for non-init containers")
            )
    errs.extend(_host_port_conflicts(containers, path))
    return errs


def _validate_init_containers(
    init: Sequence[Obj] | None,
    regular: Sequence[Obj] | None,
    volumes: Mapping[str, Obj],
    grace: int | None,
    path: Path,
    restart_policy: str,
) -> Errs:
    """``validateInitContainers``: sidecars are init containers with ``restartPolicy: Always``."""
    errs: Errs = []
    names = {c.get("name") or "" for c in regular or []}
    for i, ctr in enumerate(init or []):
        p = path.index(i)
        errs.extend(_validate_container_common(ctr, volumes, p, restart_policy))
        restart_always = False
        ctr_policy = ctr.get("restartPolicy")
        if ctr_policy is not None:
            if ctr_policy != "Always":
                errs.append(field.not_supported(p.child("restartPolicy"), ctr_policy, ("Always",)))
            restart_always = ctr_policy == "Always"
        name = ctr.get("name") or ""
        if name in names:
            errs.append(field.duplicate(p.child("name"), name))
        elif name:
            names.add(name)
        errs.extend(_host_port_conflicts([ctr], path))
        if restart_always:
            errs.extend(_validate_lifecycle_and_probes(ctr, grace, p))
        else:
            for key in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if ctr.get(key) is not None:
                    errs.append(field.forbidden(p.child(key), _INIT_ONLY_ALWAYS))
    return errs


# --- the PodSpec ---------------------------------------------------------------------------


def _validate_pod_security_context(spec: Obj, path: Path) -> Errs:
    sc = spec.get("securityContext")
    if sc is None:
        return []
    errs: Errs = []
    for key in ("fsGroup", "runAsUser", "runAsGroup"):
        value = sc.get(key)
        if value is not None and not 0 <= value <= _MAX_INT32:
            errs.append(
                field.invalid(path.child(key), value, _v.inclusive_range_error(0, _MAX_INT32))
            )
    for g, gid in enumerate(sc.get("supplementalGroups") or []):
        if not 0 <= gid <= _MAX_INT32:
            errs.append(
                field.invalid(
                    path.child("supplementalGroups").index(g),
                    gid,
                    _v.inclusive_range_error(0, _MAX_INT32),
                )
            )
    if sc.get("fsGroupChangePolicy") is not None and sc["fsGroupChangePolicy"] not in (
        "Always",
        "OnRootMismatch",
    ):
        errs.append(
            field.not_supported(
                path.child("fsGroupChangePolicy"),
                sc["fsGroupChangePolicy"],
                ("Always", "OnRootMismatch"),
            )
        )
    return errs


def _validate_dns_config(spec: Obj, path: Path) -> Errs:
    config = spec.get("dnsConfig")
    if spec.get("dnsPolicy") == "None":
        if config is None:
            return [field.required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not config.get("nameservers"):
            return [
                field.required(
                    path.child("nameservers"),
                    "must provide at least one DNS nameserver when `dnsPolicy` is None",
                )
            ]
    if config is None:
        return []
    errs: Errs = []
    nameservers = config.get("nameservers") or []
    if len(nameservers) > 3:
        errs.append(
            field.invalid(
                path.child("nameservers"), nameservers, "must not have more than 3 nameservers"
            )
        )
    searches = config.get("searches") or []
    if len(searches) > 32:
        errs.append(
            field.invalid(
                path.child("searches"), searches, "must not have more than 32 search paths"
            )
        )
    for i, option in enumerate(config.get("options") or []):
        if not option.get("name"):
            errs.append(field.required(path.child("options").index(i), "must not be empty"))
    return errs


def _validate_host_network_deps(spec: Obj, path: Path, *, template: bool) -> Errs:
    if not spec.get("hostNetwork"):
        return []
    errs: Errs = []
    for i, ctr in enumerate(spec.get("containers") or []):
        for j, port in enumerate(ctr.get("ports") or []):
            hp, cp = port.get("hostPort") or 0, port.get("containerPort") or 0
            if ((not template) or hp != 0) and hp != cp:
                errs.append(
                    field.invalid(
                        path.child("containers").index(i).child("ports").index(j).child("hostPort"),
                        hp,
                        "must match `containerPort` when `hostNetwork` is true",
                    )
                )
    return errs


def _validate_pod_resources(spec: Obj, path: Path) -> Errs:
    resources = spec.get("resources")
    if resources is None:
        return []
    errs: Errs = []
    if resources.get("claims") is not None:
        errs.append(
            field.forbidden(path.child("claims"), "claims cannot be set for Resources at pod-level")
        )
    errs.extend(_validate_resource_list_keys(resources, path, pod_level=True))
    return errs


def validate_pod_spec(
    spec: Obj, path: Path, *, template: bool = False, pod_meta: Obj | None = None
) -> Errs:
    """``ValidatePodSpec``; ``template=True`` for a PodSpec embedded in another object.

    ``pod_meta`` is the pod's metadata (for generic ephemeral volume names); leave it
    ``None`` for templates.
    """
    errs: Errs = []
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is None:
        errs.append(field.required(path.child("terminationGracePeriodSeconds"), ""))
    restart_policy = spec.get("restartPolicy") or ""
    vols, vol_errs = _validate_volumes(spec.get("volumes"), path.child("volumes"), pod_meta)
    errs.extend(vol_errs)
    errs.extend(
        _validate_containers(
            spec.get("containers"), vols, grace, path.child("containers"), restart_policy
        )
    )
    errs.extend(
        _validate_init_containers(
            spec.get("initContainers"),
            spec.get("containers"),
            vols,
            grace,
            path.child("initContainers"),
            restart_policy,
        )
    )
    errs.extend(
        _validate_ephemeral_containers(
            spec, vols, path.child("ephemeralContainers"), restart_policy
        )
    )
    errs.extend(_validate_pod_resources(spec, path.child("resources")))
    errs.extend(_validate_host_network_deps(spec, path, template=template))
    if not restart_policy:
        errs.append(field.required(path.child("restartPolicy"), ""))
    elif restart_policy not in _RESTART_POLICIES:
        errs.append(
            field.not_supported(path.child("restartPolicy"), restart_policy, _RESTART_POLICIES)
        )
    dns_policy = spec.get("dnsPolicy") or ""
    if not dns_policy:
        errs.append(field.required(path.child("dnsPolicy"), ""))
    elif dns_policy not in _DNS_POLICIES:
        errs.append(field.not_supported(path.child("dnsPolicy"), dns_policy, _DNS_POLICIES))
    errs.extend(_v.validate_labels(spec.get("nodeSelector"), path.child("nodeSelector")))
    errs.extend(_validate_pod_security_context(spec, path.child("securityContext")))
    for i, ref in enumerate(spec.get("imagePullSecrets") or []):
        if set(ref) - {"name"}:
            errs.append(
                field.invalid(path.child("imagePullSecrets").index(i), ref, "only name may be set")
            )
    errs.extend(validate_affinity(spec.get("affinity"), path.child("affinity")))
    errs.extend(_validate_dns_config(spec, path.child("dnsConfig")))
    for i, gate in enumerate(spec.get("readinessGates") or []):
        errs.extend(
            _qualified_name(
                gate.get("conditionType") or "",
                path.child("readinessGates").index(i).child("conditionType"),
            )
        )
    seen_gates: set[str] = set()
    for i, gate in enumerate(spec.get("schedulingGates") or []):
        name = gate.get("name") or ""
        errs.extend(_qualified_name(name, path.child("schedulingGates").index(i)))
        if name in seen_gates:
            errs.append(field.duplicate(path.child("schedulingGates").index(i), name))
        seen_gates.add(name)
    errs.extend(
        validate_topology_spread(
            spec.get("topologySpreadConstraints"), path.child("topologySpreadConstraints")
        )
    )
    sa = spec.get("serviceAccountName") or ""
    if sa:
        errs.extend(
            _invalid_each(path.child("serviceAccountName"), sa, _v.name_is_dns_subdomain(sa, False))
        )
    node_name = spec.get("nodeName") or ""
    if node_name:
        errs.extend(
            _invalid_each(
                path.child("nodeName"), node_name, _v.name_is_dns_subdomain(node_name, False)
            )
        )
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= _MAX_INT32:
        errs.append(
            field.invalid(
                path.child("activeDeadlineSeconds"),
                deadline,
                _v.inclusive_range_error(1, _MAX_INT32),
            )
        )
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs.extend(_dns_label(spec[key], path.child(key)))
    if spec.get("tolerations"):
        errs.extend(validate_tolerations(spec["tolerations"], path.child("tolerations")))
    for i, alias in enumerate(spec.get("hostAliases") or []):
        for j, hostname in enumerate(alias.get("hostnames") or []):
            errs.extend(
                _dns_subdomain(
                    hostname, path.child("hostAliases").index(i).child("hostnames").index(j)
                )
            )
    pcn = spec.get("priorityClassName") or ""
    if pcn:
        errs.extend(
            _invalid_each(
                path.child("priorityClassName"), pcn, _v.name_is_dns_subdomain(pcn, False)
            )
        )
    runtime_class = spec.get("runtimeClassName")
    if runtime_class is not None:
        errs.extend(
            _invalid_each(
                path.child("runtimeClassName"),
                runtime_class,
                _v.name_is_dns_subdomain(runtime_class, False),
            )
        )
    preemption = spec.get("preemptionPolicy")
    if preemption is not None:
        if not preemption:
            errs.append(field.required(path.child("preemptionPolicy"), ""))
        elif preemption not in ("PreemptLowerPriority", "Never"):
            errs.append(
                field.not_supported(
                    path.child("preemptionPolicy"), preemption, ("PreemptLowerPriority", "Never")
                )
            )
    overhead = spec.get("overhead")
    if overhead is not None:
        errs.extend(
            _validate_resource_list_keys(
                {"limits": overhead}, path.child("overhead"), pod_level=False
            )
        )
    os_spec = spec.get("os")
    if os_spec is not None:
        name = os_spec.get("name") or ""
        if not name:
            errs.append(field.required(path.child("os", "name"), "cannot be empty"))
        elif name not in ("linux", "windows"):
            errs.append(field.not_supported(path.child("os"), name, ("linux", "windows")))
    return errs


def _validate_ephemeral_containers(
    spec: Obj, volumes: Mapping[str, Obj], path: Path, restart_policy: str
) -> Errs:
    errs: Errs = []
    others = {
        c.get("name") or "" for key in ("containers", "initContainers") for c in spec.get(key) or []
    }
    names = set(others)
    for i, ctr in enumerate(spec.get("ephemeralContainers") or []):
        p = path.index(i)
        errs.extend(_validate_container_common(ctr, volumes, p, restart_policy))
        name = ctr.get("name") or ""
        if name in names:
            errs.append(field.duplicate(p.child("name"), name))
        else:
            names.add(name)
        target = ctr.get("targetContainerName") or ""
        if target and target not in others:
            errs.append(field.not_found(p.child("targetContainerName"), target))
    return errs


def validate_pod_template_spec(template: Obj, path: Path) -> Errs:
    """``ValidatePodTemplateSpec``: labels, annotations and the spec of a pod template."""
    meta = template.get("metadata") or {}
    errs = list(_v.validate_labels(meta.get("labels"), path.child("labels")))
    errs.extend(_v.validate_annotations(meta.get("annotations"), path.child("annotations")))
    spec = template.get("spec") or {}
    errs.extend(validate_pod_spec(spec, path.child("spec"), template=True))
    if spec.get("ephemeralContainers"):
        errs.append(
            field.forbidden(
                path.child("spec", "ephemeralContainers"),
                "ephemeral containers not allowed in pod template",
            )
        )
    return errs
