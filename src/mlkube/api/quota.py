"""ResourceQuota semantics: what an object costs, which quotas it falls under, and whether
it fits, with kube-apiserver's words.

Pure functions shared by ResourceQuota admission, the quota controller (``status.used``),
``mlkube quota`` and ``mlkube check``. Follows ``pkg/quota/v1/evaluator/core/pods.go``
(PodUsageFunc, QuotaV1Pod, Constraints, MatchingResources, scopes),
``pkg/quota/v1/evaluator/core/persistent_volume_claims.go``,
``pkg/quota/v1/evaluator/core/services.go``, ``apiserver/pkg/quota/v1/generic/evaluator.go``
(object counts) and ``apiserver/pkg/admission/plugin/resourcequota/controller.go``
(checkRequest: the "must specify", "status unknown" and "exceeded quota" refusals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mlkube.api.labels import selector_from_label_selector
from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.resources import is_extended_resource_name, pod_limits, pod_requests, qos_class
from mlkube.api.timestamps import parse_time

__all__ = [
    "ResourceList",
    "Verdict",
    "check",
    "matching_resources",
    "object_count_name",
    "pod_constraints",
    "pod_is_charged",
    "pod_usage",
    "pretty_print",
    "quota_matches",
    "usage",
]

ResourceList = dict[str, Quantity]

_ONE = Quantity.from_int(1)
_VALIDATION_SET = frozenset(
    {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
)
_POD_RESOURCES = frozenset(
    {
        "count/pods",
        "cpu",
        "memory",
        "ephemeral-storage",
        "pods",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
    }
)
_POD_RESOURCE_PREFIXES = ("hugepages-", "requests.hugepages-")
_PVC_RESOURCES = frozenset(
    {"persistentvolumeclaims", "count/persistentvolumeclaims", "requests.storage"}
)
_STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/"
#: Core resources whose legacy quota name is the bare plural ("services", "secrets", ...).
_LEGACY_COUNT_NAMES = frozenset(
    {
        "pods",
        "services",
        "replicationcontrollers",
        "resourcequotas",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
    }
)

MSG_MUST_SPECIFY = "must specify {details}"
MSG_FAILED_QUOTA = "failed quota: {name}: {why}"
MSG_STATUS_UNKNOWN = "status unknown for quota: {name}, resources: {resources}"
MSG_EXCEEDED = "exceeded quota: {name}, requested: {requested}, used: {used}, limited: {limited}"
MSG_NEGATIVE = "quota usage is negative for resource(s): {resources}"


def object_count_name(plural: str, group: str) -> str:
    """``count/pods``, ``count/jobs.batch``: the object-count quota resource of a type."""
    return f"count/{plural}.{group}" if group else f"count/{plural}"


def pod_is_charged(pod: Mapping[str, Any], now: datetime) -> bool:
    """``QuotaV1Pod``: terminal pods, and pods past their deletion grace, cost nothing."""
    meta = pod.get("metadata", {})
    deleted, grace = meta.get("deletionTimestamp"), meta.get("deletionGracePeriodSeconds")
    if deleted and grace is not None and now > parse_time(deleted) + timedelta(seconds=grace):
        return False
    return pod.get("status", {}).get("phase") not in ("Failed", "Succeeded")


def _compute_usage(
    requests: Mapping[str, Quantity], limits: Mapping[str, Quantity]
) -> ResourceList:
    """``podComputeUsageHelper``."""
    result: ResourceList = {"pods": _ONE}
    for name in ("cpu", "memory", "ephemeral-storage"):
        if name in requests:
            result[name] = requests[name]
            result[f"requests.{name}"] = requests[name]
        if name in limits:
            result[f"limits.{name}"] = limits[name]
    for name, request in requests.items():
        if name.startswith("hugepages-"):
            result[name] = request
            result[f"requests.{name}"] = request
        if is_extended_resource_name(name):
            result[f"requests.{name}"] = request
    return result


def pod_usage(pod: Mapping[str, Any], now: datetime) -> ResourceList:
    """``PodUsageFunc``: ``count/pods`` always; compute resources while the pod is charged."""
    result: ResourceList = {"count/pods": _ONE}
    if not pod_is_charged(pod, now):
        return result
    result.update(_compute_usage(pod_requests(pod), pod_limits(pod)))
    return result


def _pvc_usage(claim: Mapping[str, Any]) -> ResourceList:
    spec = claim.get("spec", {})
    result: ResourceList = {"persistentvolumeclaims": _ONE, "count/persistentvolumeclaims": _ONE}
    storage_class = spec.get("storageClassName")
    if storage_class:
        result[f"{storage_class}{_STORAGE_CLASS_SUFFIX}persistentvolumeclaims"] = _ONE
    requested = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    if requested is not None:
        # Resizing: charge the larger of the request and the recorded allocation.
        allocated = (claim.get("status") or {}).get("allocatedResources", {}).get("storage")
        quantity = parse_quantity(str(requested))
        if allocated is not None:
            quantity = max(quantity, parse_quantity(str(allocated)))
        result["requests.storage"] = quantity
        if storage_class:
            result[f"{storage_class}{_STORAGE_CLASS_SUFFIX}requests.storage"] = quantity
    return result


def _service_usage(service: Mapping[str, Any]) -> ResourceList:
    spec = service.get("spec", {})
    result: ResourceList = {"services": _ONE, "count/services": _ONE}
    kind = spec.get("type", "ClusterIP")
    ports = len(spec.get("ports") or [])
    if kind == "LoadBalancer":
        result["services.loadbalancers"] = _ONE
    if kind in ("NodePort", "LoadBalancer") and ports:
        node_ports = sum(
            1 for p in spec.get("ports") or [] if kind == "NodePort" or p.get("nodePort") != 0
        )
        result["services.nodeports"] = Quantity.from_int(node_ports)
    return result


def usage(plural: str, group: str, obj: Mapping[str, Any], now: datetime) -> ResourceList:
    """What one object costs under quota (every evaluator kube-apiserver registers)."""
    if (group, plural) == ("", "pods"):
        return pod_usage(obj, now)
    if (group, plural) == ("", "persistentvolumeclaims"):
        return _pvc_usage(obj)
    if (group, plural) == ("", "services"):
        return _service_usage(obj)
    result: ResourceList = {object_count_name(plural, group): _ONE}
    if not group and plural in _LEGACY_COUNT_NAMES:
        result[plural] = _ONE
    return result


def matching_resources(plural: str, group: str, names: Iterable[str]) -> list[str]:
    """``MatchingResources``: the quota resources among ``names`` this type's evaluator tracks."""
    result: list[str] = []
    for name in names:
        if (group, plural) == ("", "pods"):
            tracked = (
                name in _POD_RESOURCES
                or name.startswith(_POD_RESOURCE_PREFIXES)
                or (name.startswith("requests.") and is_extended_resource_name(name[9:]))
            )
        elif (group, plural) == ("", "persistentvolumeclaims"):
            tracked = name in _PVC_RESOURCES or (
                _STORAGE_CLASS_SUFFIX in name
                and name.endswith(("/requests.storage", "/persistentvolumeclaims"))
            )
        elif (group, plural) == ("", "services"):
            tracked = name in (
                "services",
                "count/services",
                "services.loadbalancers",
                "services.nodeports",
            )
        else:
            tracked = name == object_count_name(plural, group) or (
                not group and plural in _LEGACY_COUNT_NAMES and name == plural
            )
        if tracked and name not in result:
            result.append(name)
    return result


def pod_constraints(required: Iterable[str], pod: Mapping[str, Any]) -> str | None:
    """``Constraints``: when a quota limits cpu or memory, every container and init container
    must state them; returns ``must specify ...`` or None."""
    spec = pod.get("spec", {})
    if spec.get("resources"):  # pod-level resources satisfy the constraint
        return None
    required_set = set(required) & _VALIDATION_SET
    missing: dict[str, set[str]] = {}
    for container in [*spec.get("containers", []), *spec.get("initContainers", [])]:
        resources = container.get("resources") or {}
        requests = {k: parse_quantity(str(v)) for k, v in (resources.get("requests") or {}).items()}
        limits = {k: parse_quantity(str(v)) for k, v in (resources.get("limits") or {}).items()}
        have = set(_compute_usage(requests, limits))
        for name in required_set - have:
            missing.setdefault(name, set()).add(container.get("name", ""))
    if not missing:
        return None
    details = "; ".join(
        f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing)
    )
    return MSG_MUST_SPECIFY.format(details=details)


def _scope_matches(
    scope: str, operator: str, values: Sequence[str], pod: Mapping[str, Any]
) -> bool:
    spec = pod.get("spec", {})
    if scope in ("Terminating", "NotTerminating"):
        deadline = spec.get("activeDeadlineSeconds")
        terminating = deadline is not None and deadline >= 0
        return terminating if scope == "Terminating" else not terminating
    if scope in ("BestEffort", "NotBestEffort"):
        best_effort = qos_class(pod) == "BestEffort"
        return best_effort if scope == "BestEffort" else not best_effort
    if scope == "PriorityClass":
        name = spec.get("priorityClassName") or ""
        if operator == "Exists":
            return bool(name)
        expression = {"key": "PriorityClass", "operator": operator, "values": list(values)}
        selector = selector_from_label_selector({"matchExpressions": [expression]})
        return selector.matches({"PriorityClass": name})
    if scope == "CrossNamespacePodAffinity":
        return _uses_cross_namespace_affinity(spec)
    return False


def _uses_cross_namespace_affinity(spec: Mapping[str, Any]) -> bool:
    affinity = spec.get("affinity") or {}
    for kind in ("podAffinity", "podAntiAffinity"):
        section = affinity.get(kind) or {}
        terms = list(section.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
        terms += [
            t.get("podAffinityTerm", {})
            for t in section.get("preferredDuringSchedulingIgnoredDuringExecution") or []
        ]
        if any(t.get("namespaces") or t.get("namespaceSelector") is not None for t in terms):
            return True
    return False


def quota_matches(
    quota: Mapping[str, Any], plural: str, group: str, obj: Mapping[str, Any]
) -> bool:
    """Whether the quota's scopes select this object (only pods have scopes; a quota with
    scopes selects nothing else)."""
    spec = quota.get("spec", {})
    scopes: list[tuple[str, str, Sequence[str]]] = [
        (s, "Exists", ()) for s in spec.get("scopes") or []
    ]
    for expr in (spec.get("scopeSelector") or {}).get("matchExpressions") or []:
        scopes.append((expr["scopeName"], expr.get("operator", ""), expr.get("values") or ()))
    if not scopes:
        return True
    if (group, plural) != ("", "pods"):
        return False
    return all(_scope_matches(s, op, values, obj) for s, op, values in scopes)


def pretty_print(resources: Mapping[str, Quantity]) -> str:
    """``prettyPrint``: ``name=quantity`` sorted by name, joined by ``,``."""
    return ",".join(f"{name}={resources[name]}" for name in sorted(resources))


def _quantities(raw: Mapping[str, Any] | None) -> ResourceList:
    return {k: parse_quantity(str(v)) for k, v in (raw or {}).items()}


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check`: ``refusal`` is kube-apiserver's reason, or None; when
    admitted, ``new_used`` maps each affected quota's name to its new ``status.used``."""

    refusal: str | None
    new_used: dict[str, ResourceList]

    @property
    def admitted(self) -> bool:
        return self.refusal is None


def check(
    quotas: Sequence[Mapping[str, Any]],
    plural: str,
    group: str,
    obj: Mapping[str, Any],
    *,
    now: datetime,
    old: Mapping[str, Any] | None = None,
) -> Verdict:
    """``checkRequest``: does creating (or updating from ``old``) this object fit every
    matching quota? Quotas are evaluated in the order given (the lister's, by name)."""
    interesting: list[Mapping[str, Any]] = []
    for q in quotas:
        if not quota_matches(q, plural, group, obj):
            continue
        status = q.get("status") or {}
        hard_names = list((status.get("hard") or {}).keys())
        restricted = matching_resources(plural, group, hard_names)
        if not restricted:
            continue
        name = q["metadata"]["name"]
        if (group, plural) == ("", "pods"):
            why = pod_constraints(restricted, obj)
            if why is not None:
                return Verdict(MSG_FAILED_QUOTA.format(name=name, why=why), {})
        used_names = set((status.get("used") or {}).keys())
        if any(r not in used_names for r in restricted):
            missing = ",".join(sorted(restricted))
            return Verdict(MSG_STATUS_UNKNOWN.format(name=name, resources=missing), {})
        interesting.append(q)
    if not interesting:
        return Verdict(None, {})
    delta = usage(plural, group, obj, now)
    negative = sorted(k for k, v in delta.items() if v.sign() < 0)
    if negative:
        return Verdict(MSG_NEGATIVE.format(resources=",".join(negative)), {})
    if old is not None and old.get("metadata", {}).get("resourceVersion"):
        previous = usage(plural, group, old, now)
        delta = {
            k: max(v - previous[k], Quantity.from_int(0)) if k in previous else v
            for k, v in delta.items()
        }
    delta = {k: v for k, v in delta.items() if not v.is_zero()}
    if not delta:
        return Verdict(None, {})
    new_used: dict[str, ResourceList] = {}
    for q in interesting:
        status = q.get("status") or {}
        hard = _quantities(status.get("hard"))
        used = _quantities(status.get("used"))
        requested = {k: v for k, v in delta.items() if k in hard}
        total = dict(used)
        for k, v in requested.items():
            total[k] = total[k] + v if k in total else v
        exceeded = sorted(k for k in requested if total[k] > hard[k])
        if exceeded:
            message = MSG_EXCEEDED.format(
                name=q["metadata"]["name"],
                requested=pretty_print({k: requested[k] for k in exceeded}),
                used=pretty_print({k: used[k] for k in exceeded if k in used}),
                limited=pretty_print({k: hard[k] for k in exceeded}),
            )
            return Verdict(message, {})
        new_used[q["metadata"]["name"]] = total
    return Verdict(None, new_used)
