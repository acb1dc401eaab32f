"""The functional core: a platform spec rendered as built-in Kubernetes objects.

``render(spec)`` is pure and deterministic (golden-tested, exported for GitOps): per team a
Namespace, a ResourceQuota, a Container LimitRange and, for its members, a Role and RoleBinding;
per priority a PriorityClass; per dataset and team a PersistentVolume pre-bound (``claimRef``)
to the team's PersistentVolumeClaim (``volumeName``), so each team's claim binds to its own
view of the one shared volume; and the spec itself, re-serialised, in the ConfigMap
``kube-public/mlkube-platform`` (key ``platform.yaml``), from which workloads resolve their
profiles on any machine (:func:`mlkube.platform.workloads.read_platform`), with a Role and
RoleBinding of the same name letting every authenticated user read that one ConfigMap
(``kube-public`` is readable by convention only: kubeadm grants just ``cluster-info``). Every
object
carries ``app.kubernetes.io/managed-by: mlkube``
and ``mlkube.io/platform``. The objects follow ``k8s.io/api/core/v1/types.go``,
``scheduling/v1`` and ``rbac/v1``; the defaulting they rely on is upstream's
``SetDefaults_LimitRangeItem`` (``pkg/apis/core/v1/defaults.go``): a max without a default
becomes every container's default limit, so mlkube renders a ``0`` default for each extended
resource capped by max (no CPU-only pod is handed a GPU). Nodes are :mod:`mlkube.platform.nodes`.
"""

from __future__ import annotations

from typing import Any

import yaml

from mlkube.platform.names import (
    DATASET,
    MANAGED_BY,
    MANAGED_BY_VALUE,
    PLATFORM,
    PLATFORM_CONFIG,
    PLATFORM_CONFIG_KEY,
    PLATFORM_CONFIG_NAMESPACE,
    TEAM,
    TEAM_ROLE,
    claim_name,
    volume_name,
)
from mlkube.platform.profiles import is_gpu_resource
from mlkube.platform.spec import Dataset, Member, Platform, Priority, Team, to_builtins

__all__ = [
    "KIND_ORDER",
    "labels",
    "render",
    "sort_key",
    "stored_spec",
    "stored_spec_readers",
    "team_role_rules",
]

#: Apply order: what others live in or refer to comes first.
KIND_ORDER = (
    "Namespace",
    "PriorityClass",
    "Node",
    "PersistentVolume",
    "ResourceQuota",
    "LimitRange",
    "PersistentVolumeClaim",
    "Role",
    "RoleBinding",
    "ConfigMap",
)
_RBAC = "rbac.authorization.k8s.io"


def sort_key(obj: dict[str, Any]) -> tuple[int, str, str]:
    meta = obj.get("metadata") or {}
    kind = str(obj.get("kind", ""))
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return rank, str(meta.get("namespace") or ""), str(meta.get("name") or "")


def labels(spec: Platform, **extra: str) -> dict[str, str]:
    """The platform's own labels (``metadata.labels``), then mlkube's, then the object's."""
    return {**spec.metadata.labels, MANAGED_BY: MANAGED_BY_VALUE, PLATFORM: spec.name, **extra}


def _meta(spec: Platform, name: str, namespace: str | None = None, **extra: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = labels(spec, **extra)
    return meta


def _namespace(spec: Platform, team: Team) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": _meta(spec, team.namespace_name, **{TEAM: team.name}),
    }


def _quota(spec: Platform, team: Team) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": _meta(spec, team.name, team.namespace_name, **{TEAM: team.name}),
        "spec": {"hard": dict(sorted(team.quota.items()))},
    }


def _limit_range(spec: Platform, team: Team) -> dict[str, Any]:
    default = {**team.defaults, **team.default_limits}
    for name in team.max:
        if name not in default and is_gpu_resource(name):
            default[name] = "0"
    item: dict[str, Any] = {"type": "Container"}
    if default:
        item["default"] = dict(sorted(default.items()))
    if team.defaults:
        item["defaultRequest"] = dict(sorted(team.defaults.items()))
    if team.max:
        item["max"] = dict(sorted(team.max.items()))
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": _meta(spec, team.name, team.namespace_name, **{TEAM: team.name}),
        "spec": {"limits": [item]},
    }


def team_role_rules() -> list[dict[str, Any]]:
    """What a team member may do in the team namespace: run and inspect ML workloads, read
    (not change) the quota, limits and dataset claims the platform gives the team."""
    return [
        {
            "apiGroups": [""],
            "resources": ["pods", "services", "configmaps", "secrets"],
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
        },
        {"apiGroups": [""], "resources": ["pods/log", "events"], "verbs": ["get", "list", "watch"]},
        {
            "apiGroups": [""],
            "resources": ["persistentvolumeclaims", "resourcequotas", "limitranges"],
            "verbs": ["get", "list", "watch"],
        },
        {
            "apiGroups": ["batch"],
            "resources": ["jobs", "cronjobs"],
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
        },
        {
            "apiGroups": ["apps"],
            "resources": ["deployments", "statefulsets"],
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
        },
    ]


def _subject(member: Member, namespace: str) -> dict[str, Any]:
    if member.service_account is not None:
        return {"kind": "ServiceAccount", "name": member.service_account, "namespace": namespace}
    kind, name = ("Group", member.group) if member.group is not None else ("User", member.user)
    return {"apiGroup": _RBAC, "kind": kind, "name": name}


def _rbac(spec: Platform, team: Team) -> list[dict[str, Any]]:
    ns = team.namespace_name
    role = {
        "apiVersion": f"{_RBAC}/v1",
        "kind": "Role",
        "metadata": _meta(spec, TEAM_ROLE, ns, **{TEAM: team.name}),
        "rules": team_role_rules(),
    }
    binding = {
        "apiVersion": f"{_RBAC}/v1",
        "kind": "RoleBinding",
        "metadata": _meta(spec, TEAM_ROLE, ns, **{TEAM: team.name}),
        "roleRef": {"apiGroup": _RBAC, "kind": "Role", "name": TEAM_ROLE},
        "subjects": [_subject(m, ns) for m in team.members],
    }
    return [role, binding]


def _priority_class(spec: Platform, prio: Priority) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": _meta(spec, prio.name),
        "value": prio.value,
        "preemptionPolicy": "Never" if prio.preemptible else "PreemptLowerPriority",
    }
    if prio.default:
        obj["globalDefault"] = True
    if prio.description:
        obj["description"] = prio.description
    return obj


def _source(ds: Dataset) -> dict[str, Any]:
    read_only = ds.access == "ReadOnlyMany"
    if ds.nfs is not None:
        nfs: dict[str, Any] = {"server": ds.nfs.server, "path": ds.nfs.path}
        return {"nfs": nfs | ({"readOnly": True} if read_only else {})}
    if ds.csi is not None:
        csi: dict[str, Any] = {"driver": ds.csi.driver, "volumeHandle": ds.csi.volume_handle}
        return {"csi": csi | ({"readOnly": True} if read_only else {})}
    assert ds.local is not None
    return {"hostPath": {"path": ds.local.path, "type": "DirectoryOrCreate"}}


def _is_static(ds: Dataset) -> bool:
    return ds.nfs is not None or ds.csi is not None or ds.local is not None


def _dataset(spec: Platform, ds: Dataset, team: Team) -> list[dict[str, Any]]:
    ns, claim = team.namespace_name, claim_name(ds.name)
    extra = {DATASET: ds.name, TEAM: team.name}
    claim_spec: dict[str, Any] = {
        "accessModes": [ds.access],
        "resources": {"requests": {"storage": ds.size}},
        "storageClassName": ds.storage_class or "",
    }
    objects: list[dict[str, Any]] = []
    if _is_static(ds):
        pv_name = volume_name(ds.name, team.name)
        claim_spec["volumeName"] = pv_name
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": _meta(spec, pv_name, **extra),
                "spec": {
                    "capacity": {"storage": ds.size},
                    "accessModes": [ds.access],
                    "persistentVolumeReclaimPolicy": "Retain",
                    "storageClassName": ds.storage_class or "",
                    "claimRef": {"namespace": ns, "name": claim},
                    **_source(ds),
                },
            }
        )
    objects.append(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": _meta(spec, claim, ns, **extra),
            "spec": claim_spec,
        }
    )
    return objects


def stored_spec(spec: Platform) -> dict[str, Any]:
    """The ConfigMap that stores the spec on the cluster: keys sorted, and the named lists
    whose order means nothing (pools, teams, datasets, priorities) sorted by name, so the
    rendering stays independent of the spec's order and a diff shows only real changes."""
    data = to_builtins(spec)
    for key in ("pools", "teams", "datasets", "priorities"):
        if key in data:
            data[key] = sorted(data[key], key=lambda item: str(item["name"]))
    text = yaml.safe_dump(data, sort_keys=True)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(spec, PLATFORM_CONFIG, PLATFORM_CONFIG_NAMESPACE),
        "data": {PLATFORM_CONFIG_KEY: text},
    }


def stored_spec_readers(spec: Platform) -> list[dict[str, Any]]:
    """Who may read the stored spec: every authenticated user, that one ConfigMap only."""
    ns = PLATFORM_CONFIG_NAMESPACE
    role = {
        "apiVersion": f"{_RBAC}/v1",
        "kind": "Role",
        "metadata": _meta(spec, PLATFORM_CONFIG, ns),
        "rules": [
            {
                "apiGroups": [""],
                "resources": ["configmaps"],
                "resourceNames": [PLATFORM_CONFIG],
                "verbs": ["get"],
            }
        ],
    }
    binding = {
        "apiVersion": f"{_RBAC}/v1",
        "kind": "RoleBinding",
        "metadata": _meta(spec, PLATFORM_CONFIG, ns),
        "roleRef": {"apiGroup": _RBAC, "kind": "Role", "name": PLATFORM_CONFIG},
        "subjects": [{"apiGroup": _RBAC, "kind": "Group", "name": "system:authenticated"}],
    }
    return [role, binding]


def render(spec: Platform) -> list[dict[str, Any]]:
    """Every built-in object of the platform except nodes, in apply order (a valid spec)."""
    objects: list[dict[str, Any]] = []
    for team in spec.teams:
        objects.append(_namespace(spec, team))
        if team.quota:
            objects.append(_quota(spec, team))
        if team.defaults or team.default_limits or team.max:
            objects.append(_limit_range(spec, team))
        if team.members:
            objects.extend(_rbac(spec, team))
    objects.extend(_priority_class(spec, prio) for prio in spec.priorities)
    for ds in spec.datasets:
        for team_name in ds.teams:
            if (member := spec.team(team_name)) is not None:
                objects.extend(_dataset(spec, ds, member))
    objects.append(stored_spec(spec))
    objects.extend(stored_spec_readers(spec))
    return sorted(objects, key=sort_key)
