"""Builders for lint specifications: ``job("train").gpus(1).build()``, ``node("a100-0")...``.

A builder starts from an object no rule flags (a pinned image, cpu and memory requests equal
to limits, and for Jobs ``restartPolicy: Never``, a deadline, a TTL and a backoffLimit); each
method adds the one thing a test is about.
"""

from __future__ import annotations

import copy
from typing import Any

_POD_SPEC_PATH = {
    "Pod": ("spec",),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
}
_API_VERSION = {
    "Pod": "v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "ReplicaSet": "apps/v1",
}


def _dig(obj: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for key in path:
        obj = obj.setdefault(key, {})
    return obj


class Workload:
    def __init__(self, kind: str, name: str, namespace: str = "ml") -> None:
        self.kind = kind
        self._obj: dict[str, Any] = {
            "apiVersion": _API_VERSION[kind],
            "kind": kind,
            "metadata": {"name": name, "namespace": namespace},
        }
        spec = self.pod_spec
        spec["containers"] = [
            {
                "name": "trainer",
                "image": "pytorch/pytorch:2.4.0-cuda12.1",
                "resources": {
                    "requests": {"cpu": "4", "memory": "16Gi"},
                    "limits": {"cpu": "4", "memory": "16Gi"},
                },
            }
        ]
        if kind in ("Job", "CronJob"):
            spec["restartPolicy"] = "Never"
            self.job(activeDeadlineSeconds=86400, backoffLimit=1)
        if kind == "Job":
            self.job(ttlSecondsAfterFinished=3600)
        if kind == "CronJob":
            self._obj["spec"]["schedule"] = "0 * * * *"

    @property
    def pod_spec(self) -> dict[str, Any]:
        return _dig(self._obj, _POD_SPEC_PATH[self.kind])

    @property
    def container(self) -> dict[str, Any]:
        return self.pod_spec["containers"][0]  # type: ignore[no-any-return]

    def spec(self, **fields: Any) -> Workload:
        """Fields of the top-level spec (``replicas=3``)."""
        _dig(self._obj, ("spec",)).update(fields)
        return self

    def job(self, **fields: Any) -> Workload:
        """Fields of the Job spec (a CronJob's jobTemplate.spec); None removes one."""
        path = ("spec", "jobTemplate", "spec") if self.kind == "CronJob" else ("spec",)
        job = _dig(self._obj, path)
        for key, value in fields.items():
            if value is None:
                job.pop(key, None)
            else:
                job[key] = value
        return self

    def pod(self, **fields: Any) -> Workload:
        """Fields of the pod spec; None removes one."""
        for key, value in fields.items():
            if value is None:
                self.pod_spec.pop(key, None)
            else:
                self.pod_spec[key] = value
        return self

    def image(self, image: str) -> Workload:
        self.container["image"] = image
        return self

    def gpus(
        self,
        request: str | int | None,
        limit: str | int | None = "same",
        resource: str = "nvidia.com/gpu",
    ) -> Workload:
        """GPU request and limit (``limit="same"``: equal; None leaves one out)."""
        resources = self.container["resources"]
        if request is not None:
            resources["requests"][resource] = str(request)
        chosen = request if limit == "same" else limit
        if chosen is not None:
            resources["limits"][resource] = str(chosen)
        return self

    def resources(self, requests: dict[str, str] | None, limits: dict[str, str] | None) -> Workload:
        """Replace the first container's resources (None leaves that part out)."""
        resources: dict[str, Any] = {}
        if requests is not None:
            resources["requests"] = dict(requests)
        if limits is not None:
            resources["limits"] = dict(limits)
        self.container["resources"] = resources
        return self

    def init_container(self, name: str, **fields: Any) -> Workload:
        self.pod_spec.setdefault("initContainers", []).append(
            {"name": name, "image": "busybox:1.36", **fields}
        )
        return self

    def toleration(
        self,
        key: str = "nvidia.com/gpu",
        operator: str = "Exists",
        effect: str | None = "NoSchedule",
        value: str | None = None,
    ) -> Workload:
        toleration: dict[str, Any] = {"key": key, "operator": operator}
        if effect is not None:
            toleration["effect"] = effect
        if value is not None:
            toleration["value"] = value
        self.pod_spec.setdefault("tolerations", []).append(toleration)
        return self

    def node_selector(self, **labels: str) -> Workload:
        self.pod_spec.setdefault("nodeSelector", {}).update(labels)
        return self

    def required_affinity(self, key: str, operator: str, *values: str) -> Workload:
        expression: dict[str, Any] = {"key": key, "operator": operator}
        if values:
            expression["values"] = list(values)
        self.pod_spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [expression]}]
                }
            }
        }
        return self

    def claim(self, name: str) -> Workload:
        self.pod_spec.setdefault("volumes", []).append(
            {"name": name, "persistentVolumeClaim": {"claimName": name}}
        )
        return self

    def priority_class(self, name: str) -> Workload:
        self.pod_spec["priorityClassName"] = name
        return self

    def build(self) -> dict[str, Any]:
        return copy.deepcopy(self._obj)


def pod(name: str = "p", namespace: str = "ml") -> Workload:
    return Workload("Pod", name, namespace)


def job(name: str = "train", namespace: str = "ml") -> Workload:
    return Workload("Job", name, namespace)


def cronjob(name: str = "nightly", namespace: str = "ml") -> Workload:
    return Workload("CronJob", name, namespace)


def deployment(name: str = "serve", namespace: str = "ml") -> Workload:
    return Workload("Deployment", name, namespace)


def statefulset(name: str = "workers", namespace: str = "ml") -> Workload:
    return Workload("StatefulSet", name, namespace)


def replicaset(name: str = "rs", namespace: str = "ml") -> Workload:
    return Workload("ReplicaSet", name, namespace)


class NodeBuilder:
    def __init__(self, name: str) -> None:
        self._obj: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {},
            "status": {"allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"}},
        }

    def allocatable(self, **resources: str) -> NodeBuilder:
        self._obj["status"]["allocatable"].update(resources)
        return self

    def gpus(self, count: int, resource: str = "nvidia.com/gpu") -> NodeBuilder:
        self._obj["status"]["allocatable"][resource] = str(count)
        return self

    def taint(self, key: str, value: str | None, effect: str = "NoSchedule") -> NodeBuilder:
        taint = {"key": key, "effect": effect}
        if value is not None:
            taint["value"] = value
        self._obj["spec"].setdefault("taints", []).append(taint)
        return self

    def label(self, key: str, value: str) -> NodeBuilder:
        self._obj["metadata"]["labels"][key] = value
        return self

    def unschedulable(self) -> NodeBuilder:
        self._obj["spec"]["unschedulable"] = True
        return self

    def build(self) -> dict[str, Any]:
        return copy.deepcopy(self._obj)


def node(name: str) -> NodeBuilder:
    return NodeBuilder(name)


def gpu_node(name: str = "a100-0", gpus: int = 8) -> NodeBuilder:
    """A GPU pool node as GKE taints them."""
    return node(name).gpus(gpus).taint("nvidia.com/gpu", "present").label("mlkube.io/pool", "a100")


def quota(name: str = "compute", namespace: str = "ml", **hard: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"hard": dict(hard) or {"requests.cpu": "64", "requests.memory": "256Gi"}},
    }


def limitrange(namespace: str = "ml", **item: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "defaults", "namespace": namespace},
        "spec": {"limits": [{"type": "Container", **item}]},
    }


def claim(
    name: str, *modes: str, namespace: str = "ml", volume: str | None = None
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "accessModes": list(modes),
        "resources": {"requests": {"storage": "1Ti"}},
    }
    if volume is not None:
        spec["volumeName"] = volume
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def volume(name: str, *modes: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {"accessModes": list(modes), "capacity": {"storage": "1Ti"}},
    }


def priority_class(name: str, value: int = 1000, *, global_default: bool = False) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": name},
        "value": value,
    }
    if global_default:
        obj["globalDefault"] = True
    return obj
