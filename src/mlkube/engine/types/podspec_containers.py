"""Validation of a PodSpec's containers, init containers (sidecars included) and
ephemeral containers, and of resource requirements.

It exists so that what a container is (name, image, ports, resources, resize policy,
security context) lives apart from the pod-level rules; env, mounts and probes are
delegated to their own modules. Follows ``pkg/apis/core/validation/validation.go``
(``validateContainers``, ``validateInitContainers``, ``validateEphemeralContainers``,
``validateContainerCommon``, ``validateContainerPorts``, ``AccumulateUniqueHostPorts``,
``validateResourceRequirements``, ``validateResizePolicy``, ``ValidateSecurityContext``).
Resource lists are visited in sorted key order (Go's map order is random).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import Path
from mlkube.engine.types import _resources as res
from mlkube.engine.types.podspec_env import validate_env, validate_env_from
from mlkube.engine.types.podspec_fields import MAX_INT32, Errs, Obj, dns_label, invalid_each
from mlkube.engine.types.podspec_probes import validate_lifecycle_and_probes
from mlkube.engine.types.podspec_volumes import validate_volume_mounts

__all__ = [
    "validate_container_common",
    "validate_containers",
    "validate_ephemeral_containers",
    "validate_init_containers",
    "validate_resource_list_keys",
]

_INIT_ONLY_ALWAYS: Final = "may not be set for init containers without restartPolicy=Always"
_PULL_POLICIES: Final = ("Always", "IfNotPresent", "Never")
_PROTOCOLS: Final = ("SCTP", "TCP", "UDP")
_TERMINATION_MESSAGE_POLICIES: Final = ("File", "FallbackToLogsOnError")
_QOS_COMPUTE: Final = frozenset({"cpu", "memory"})
_POD_LEVEL_RESOURCES: Final = ("cpu", "memory")


def _validate_ports(ports: Sequence[Obj] | None, path: Path) -> Errs:
    errs: Errs = []
    names: set[str] = set()
    for i, port in enumerate(ports or []):
        p = path.index(i)
        name = port.get("name") or ""
        if name:
            msgs = _v.is_valid_port_name(name)
            if msgs:
                errs.extend(invalid_each(p.child("name"), name, msgs))
            elif name in names:
                errs.append(field.duplicate(p.child("name"), name))
            else:
                names.add(name)
        container_port = port.get("containerPort") or 0
        if container_port == 0:
            errs.append(field.required(p.child("containerPort"), ""))
        else:
            errs.extend(
                invalid_each(
                    p.child("containerPort"), container_port, _v.is_valid_port_num(container_port)
                )
            )
        host_port = port.get("hostPort") or 0
        if host_port:
            errs.extend(
                invalid_each(p.child("hostPort"), host_port, _v.is_valid_port_num(host_port))
            )
        protocol = port.get("protocol") or ""
        if not protocol:
            errs.append(field.required(p.child("protocol"), ""))
        elif protocol not in _PROTOCOLS:
            errs.append(field.not_supported(p.child("protocol"), protocol, _PROTOCOLS))
    return errs


def validate_resource_list_keys(requirements: Obj, path: Path, *, pod_level: bool) -> Errs:
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


def _validate_container_security_context(sc: Obj | None, path: Path) -> Errs:
    if sc is None:
        return []
    errs: Errs = []
    for key in ("runAsUser", "runAsGroup"):
        value = sc.get(key)
        if value is not None and not 0 <= value <= MAX_INT32:
            errs.append(
                field.invalid(path.child(key), value, _v.inclusive_range_error(0, MAX_INT32))
            )
    if sc.get("allowPrivilegeEscalation") is False and sc.get("privileged") is True:
        errs.append(
            field.invalid(
                path, sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
            )
        )
    return errs


def validate_container_common(
    ctr: Obj, volumes: Mapping[str, Obj], path: Path, restart_policy: str
) -> Errs:
    """``validateContainerCommon``."""
    errs: Errs = []
    name = ctr.get("name") or ""
    if not name:
        errs.append(field.required(path.child("name"), ""))
    else:
        errs.extend(dns_label(name, path.child("name")))
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
    errs.extend(validate_env(ctr.get("env"), path.child("env")))
    errs.extend(validate_env_from(ctr.get("envFrom"), path.child("envFrom")))
    errs.extend(validate_volume_mounts(ctr, volumes, path.child("volumeMounts")))
    pull = ctr.get("imagePullPolicy") or ""
    if not pull:
        errs.append(field.required(path.child("imagePullPolicy"), ""))
    elif pull not in _PULL_POLICIES:
        errs.append(field.not_supported(path.child("imagePullPolicy"), pull, _PULL_POLICIES))
    errs.extend(
        validate_resource_list_keys(
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


def validate_containers(
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
        errs.extend(validate_container_common(ctr, volumes, p, restart_policy))
        name = ctr.get("name") or ""
        if name in names:
            errs.append(field.duplicate(p.child("name"), name))
        else:
            names.add(name)
        errs.extend(validate_lifecycle_and_probes(ctr, grace, p))
        if ctr.get("restartPolicy") is not None:
            errs.append(
                field.forbidden(p.child("restartPolicy"), "may not be set for non-init containers")
            )
    errs.extend(_host_port_conflicts(containers, path))
    return errs


def validate_init_containers(
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
        errs.extend(validate_container_common(ctr, volumes, p, restart_policy))
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
            errs.extend(validate_lifecycle_and_probes(ctr, grace, p))
        else:
            for key in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if ctr.get(key) is not None:
                    errs.append(field.forbidden(p.child(key), _INIT_ONLY_ALWAYS))
    return errs


def validate_ephemeral_containers(
    spec: Obj, volumes: Mapping[str, Obj], path: Path, restart_policy: str
) -> Errs:
    errs: Errs = []
    others = {
        c.get("name") or "" for key in ("containers", "initContainers") for c in spec.get(key) or []
    }
    names = set(others)
    for i, ctr in enumerate(spec.get("ephemeralContainers") or []):
        p = path.index(i)
        errs.extend(validate_container_common(ctr, volumes, p, restart_policy))
        name = ctr.get("name") or ""
        if name in names:
            errs.append(field.duplicate(p.child("name"), name))
        else:
            names.add(name)
        target = ctr.get("targetContainerName") or ""
        if target and target not in others:
            errs.append(field.not_found(p.child("targetContainerName"), target))
    return errs
