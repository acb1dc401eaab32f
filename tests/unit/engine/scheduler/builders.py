"""Builders for scheduler tests: ``make_node("a100-0").gpus(8).taint(...)``, ``make_pod(...)``."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["NodeBuilder", "PodBuilder", "make_node", "make_pod"]

GPU = "nvidia.com/gpu"


class NodeBuilder:
    def __init__(self, name: str) -> None:
        self._obj: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {},
            "status": {"allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"}},
        }

    def capacity(self, **resources: str) -> NodeBuilder:
        """Set allocatable resources; ``ephemeral_storage`` means ``ephemeral-storage``."""
        for name, value in resources.items():
            self._obj["status"]["allocatable"][name.replace("_", "-")] = value
        return self

    def resource(self, name: str, value: str) -> NodeBuilder:
        self._obj["status"]["allocatable"][name] = value
        return self

    def gpus(self, count: int) -> NodeBuilder:
        return self.resource(GPU, str(count))

    def label(self, key: str, value: str) -> NodeBuilder:
        self._obj["metadata"]["labels"][key] = value
        return self

    def zone(self, zone: str) -> NodeBuilder:
        return self.label("topology.kubernetes.io/zone", zone)

    def taint(self, key: str, value: str = "", effect: str = "NoSchedule") -> NodeBuilder:
        taint = {"key": key, "effect": effect}
        if value:
            taint["value"] = value
        self._obj["spec"].setdefault("taints", []).append(taint)
        return self

    def unschedulable(self) -> NodeBuilder:
        self._obj["spec"]["unschedulable"] = True
        return self

    def image(self, name: str, size: int) -> NodeBuilder:
        self._obj["status"].setdefault("images", []).append({"names": [name], "sizeBytes": size})
        return self

    def obj(self) -> dict[str, Any]:
        return copy.deepcopy(self._obj)


class PodBuilder:
    def __init__(self, name: str, namespace: str) -> None:
        self._obj: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "uid": f"uid-{namespace}-{name}"},
            "spec": {"containers": [{"name": "main", "image": "trainer:1"}]},
            "status": {"phase": "Pending"},
        }

    @property
    def _container(self) -> dict[str, Any]:
        container: dict[str, Any] = self._obj["spec"]["containers"][0]
        return container

    def req(self, **resources: str) -> PodBuilder:
        """Requests of the first container; ``ephemeral_storage`` means ``ephemeral-storage``."""
        requests = self._container.setdefault("resources", {}).setdefault("requests", {})
        for name, value in resources.items():
            requests[name.replace("_", "-")] = value
        return self

    def request(self, name: str, value: str) -> PodBuilder:
        self._container.setdefault("resources", {}).setdefault("requests", {})[name] = value
        return self

    def gpus(self, count: int) -> PodBuilder:
        resources = self._container.setdefault("resources", {})
        resources.setdefault("requests", {})[GPU] = str(count)
        resources.setdefault("limits", {})[GPU] = str(count)
        return self

    def container(self, name: str, image: str = "side:1", **requests: str) -> PodBuilder:
        c: dict[str, Any] = {"name": name, "image": image}
        if requests:
            c["resources"] = {"requests": {k.replace("_", "-"): v for k, v in requests.items()}}
        self._obj["spec"]["containers"].append(c)
        return self

    def init_container(self, name: str, **requests: str) -> PodBuilder:
        c: dict[str, Any] = {"name": name, "image": "init:1"}
        if requests:
            c["resources"] = {"requests": dict(requests)}
        self._obj["spec"].setdefault("initContainers", []).append(c)
        return self

    def overhead(self, **resources: str) -> PodBuilder:
        self._obj["spec"]["overhead"] = dict(resources)
        return self

    def pod_level(self, **requests: str) -> PodBuilder:
        self._obj["spec"]["resources"] = {"requests": dict(requests)}
        return self

    def label(self, key: str, value: str) -> PodBuilder:
        self._obj["metadata"].setdefault("labels", {})[key] = value
        return self

    def node(self, name: str) -> PodBuilder:
        self._obj["spec"]["nodeName"] = name
        self._obj["status"]["phase"] = "Running"
        return self

    def priority(self, value: int) -> PodBuilder:
        self._obj["spec"]["priority"] = value
        return self

    def never_preempt(self) -> PodBuilder:
        self._obj["spec"]["preemptionPolicy"] = "Never"
        return self

    def started(self, when: str) -> PodBuilder:
        self._obj["status"]["startTime"] = when
        return self

    def nominated(self, node: str) -> PodBuilder:
        self._obj["status"]["nominatedNodeName"] = node
        return self

    def toleration(
        self, key: str = "", value: str = "", effect: str = "", operator: str = ""
    ) -> PodBuilder:
        t = {
            k: v
            for k, v in (("key", key), ("value", value), ("effect", effect), ("operator", operator))
            if v
        }
        self._obj["spec"].setdefault("tolerations", []).append(t)
        return self

    def node_selector(self, **labels: str) -> PodBuilder:
        self._obj["spec"].setdefault("nodeSelector", {}).update(labels)
        return self

    def required_terms(self, *terms: dict[str, Any]) -> PodBuilder:
        affinity = self._obj["spec"].setdefault("affinity", {}).setdefault("nodeAffinity", {})
        affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": list(terms)
        }
        return self

    def preferred_term(self, weight: int, *expressions: dict[str, Any]) -> PodBuilder:
        affinity = self._obj["spec"].setdefault("affinity", {}).setdefault("nodeAffinity", {})
        affinity.setdefault("preferredDuringSchedulingIgnoredDuringExecution", []).append(
            {"weight": weight, "preference": {"matchExpressions": list(expressions)}}
        )
        return self

    def pod_affinity(self, kind: str, topology_key: str, **match_labels: str) -> PodBuilder:
        """``kind`` is ``podAffinity`` or ``podAntiAffinity`` (required terms)."""
        block = self._obj["spec"].setdefault("affinity", {}).setdefault(kind, {})
        block.setdefault("requiredDuringSchedulingIgnoredDuringExecution", []).append(
            {"labelSelector": {"matchLabels": match_labels}, "topologyKey": topology_key}
        )
        return self

    def preferred_pod_affinity(
        self, kind: str, weight: int, topology_key: str, **match_labels: str
    ) -> PodBuilder:
        block = self._obj["spec"].setdefault("affinity", {}).setdefault(kind, {})
        block.setdefault("preferredDuringSchedulingIgnoredDuringExecution", []).append(
            {
                "weight": weight,
                "podAffinityTerm": {
                    "labelSelector": {"matchLabels": match_labels},
                    "topologyKey": topology_key,
                },
            }
        )
        return self

    def spread(
        self, max_skew: int, topology_key: str, when: str = "DoNotSchedule", **match_labels: str
    ) -> PodBuilder:
        self._obj["spec"].setdefault("topologySpreadConstraints", []).append(
            {
                "maxSkew": max_skew,
                "topologyKey": topology_key,
                "whenUnsatisfiable": when,
                "labelSelector": {"matchLabels": match_labels},
            }
        )
        return self

    def host_port(self, port: int, protocol: str = "TCP", host_ip: str = "") -> PodBuilder:
        p: dict[str, Any] = {"containerPort": port, "hostPort": port, "protocol": protocol}
        if host_ip:
            p["hostIP"] = host_ip
        self._container.setdefault("ports", []).append(p)
        return self

    def claim(self, name: str) -> PodBuilder:
        self._obj["spec"].setdefault("volumes", []).append(
            {"name": name, "persistentVolumeClaim": {"claimName": name}}
        )
        return self

    def image(self, image: str) -> PodBuilder:
        self._container["image"] = image
        return self

    def obj(self) -> dict[str, Any]:
        return copy.deepcopy(self._obj)


def make_node(name: str) -> NodeBuilder:
    return NodeBuilder(name)


def make_pod(name: str = "train", namespace: str = "ml") -> PodBuilder:
    return PodBuilder(name, namespace)
