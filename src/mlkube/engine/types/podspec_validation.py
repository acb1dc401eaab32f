"""Validation of a PodSpec and a PodTemplateSpec, word for word as kube-apiserver.

Follows ``pkg/apis/core/validation/validation.go`` (``ValidatePodSpec``,
``ValidatePodTemplateSpec``) with the v1.37 default options: relaxed env var names,
zero-second sleep actions, pod-level resources enabled. Go iterates maps in random order;
here resource lists and labels are visited in sorted key order. This module keeps the
pod-level rules and runs the parts, which live in their own modules:
:mod:`~mlkube.engine.types.podspec_volumes`, :mod:`~mlkube.engine.types.podspec_containers`
(with :mod:`~mlkube.engine.types.podspec_env` and
:mod:`~mlkube.engine.types.podspec_probes`) and
:mod:`~mlkube.engine.types.podspec_scheduling` for the scheduling constraints.

Not covered (accepted as they are): the exotic volume plugins' own fields (iSCSI, RBD,
Cinder, ...), Windows and AppArmor/seccomp annotation consistency, sysctls, DRA resource
claims, ephemeral-container field allow-lists.
"""

from __future__ import annotations

from typing import Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import Path
from mlkube.engine.types.podspec_containers import (
    validate_containers,
    validate_ephemeral_containers,
    validate_init_containers,
    validate_resource_list_keys,
)
from mlkube.engine.types.podspec_fields import (
    MAX_INT32,
    Errs,
    Obj,
    dns_label,
    dns_subdomain,
    invalid_each,
    qualified_name,
)
from mlkube.engine.types.podspec_scheduling import (
    validate_affinity,
    validate_node_selector,
    validate_taint_effect,
    validate_tolerations,
    validate_topology_spread,
)
from mlkube.engine.types.podspec_volumes import validate_volumes

__all__ = [
    "validate_node_selector",
    "validate_pod_spec",
    "validate_pod_template_spec",
    "validate_taint_effect",
    "validate_tolerations",
]

_RESTART_POLICIES: Final = ("Always", "OnFailure", "Never")
_DNS_POLICIES: Final = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")


def _validate_pod_security_context(spec: Obj, path: Path) -> Errs:
    sc = spec.get("securityContext")
    if sc is None:
        return []
    errs: Errs = []
    for key in ("fsGroup", "runAsUser", "runAsGroup"):
        value = sc.get(key)
        if value is not None and not 0 <= value <= MAX_INT32:
            errs.append(
                field.invalid(path.child(key), value, _v.inclusive_range_error(0, MAX_INT32))
            )
    for g, gid in enumerate(sc.get("supplementalGroups") or []):
        if not 0 <= gid <= MAX_INT32:
            errs.append(
                field.invalid(
                    path.child("supplementalGroups").index(g),
                    gid,
                    _v.inclusive_range_error(0, MAX_INT32),
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
    errs.extend(validate_resource_list_keys(resources, path, pod_level=True))
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
    vols, vol_errs = validate_volumes(spec.get("volumes"), path.child("volumes"), pod_meta)
    errs.extend(vol_errs)
    errs.extend(
        validate_containers(
            spec.get("containers"), vols, grace, path.child("containers"), restart_policy
        )
    )
    errs.extend(
        validate_init_containers(
            spec.get("initContainers"),
            spec.get("containers"),
            vols,
            grace,
            path.child("initContainers"),
            restart_policy,
        )
    )
    errs.extend(
        validate_ephemeral_containers(spec, vols, path.child("ephemeralContainers"), restart_policy)
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
            qualified_name(
                gate.get("conditionType") or "",
                path.child("readinessGates").index(i).child("conditionType"),
            )
        )
    seen_gates: set[str] = set()
    for i, gate in enumerate(spec.get("schedulingGates") or []):
        name = gate.get("name") or ""
        errs.extend(qualified_name(name, path.child("schedulingGates").index(i)))
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
            invalid_each(path.child("serviceAccountName"), sa, _v.name_is_dns_subdomain(sa, False))
        )
    node_name = spec.get("nodeName") or ""
    if node_name:
        errs.extend(
            invalid_each(
                path.child("nodeName"), node_name, _v.name_is_dns_subdomain(node_name, False)
            )
        )
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= MAX_INT32:
        errs.append(
            field.invalid(
                path.child("activeDeadlineSeconds"),
                deadline,
                _v.inclusive_range_error(1, MAX_INT32),
            )
        )
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs.extend(dns_label(spec[key], path.child(key)))
    if spec.get("tolerations"):
        errs.extend(validate_tolerations(spec["tolerations"], path.child("tolerations")))
    for i, alias in enumerate(spec.get("hostAliases") or []):
        for j, hostname in enumerate(alias.get("hostnames") or []):
            errs.extend(
                dns_subdomain(
                    hostname, path.child("hostAliases").index(i).child("hostnames").index(j)
                )
            )
    pcn = spec.get("priorityClassName") or ""
    if pcn:
        errs.extend(
            invalid_each(path.child("priorityClassName"), pcn, _v.name_is_dns_subdomain(pcn, False))
        )
    runtime_class = spec.get("runtimeClassName")
    if runtime_class is not None:
        errs.extend(
            invalid_each(
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
            validate_resource_list_keys(
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
