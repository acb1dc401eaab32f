"""Builders for the controller specifications: objects as a user writes them, and the
kubelet's and scheduler's part (binding, Running/Ready) done by hand through the API."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from mlkube.api.timestamps import format_time
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import MINIMAL_CONTROLLERS, Cluster, ControllerFactory

NS = "default"


def cluster(*factories: ControllerFactory) -> Cluster:
    return Cluster(clock=FakeClock(), seed=0, controllers=[*MINIMAL_CONTROLLERS, *factories])


def template(labels: dict[str, str], image: str = "busybox:1.36") -> dict[str, Any]:
    return {
        "metadata": {"labels": dict(labels)},
        "spec": {"containers": [{"name": "main", "image": image}]},
    }


class Obj:
    """A wire-form object with fluent setters; ``.build()`` returns a copy."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def build(self) -> dict[str, Any]:
        return copy.deepcopy(self.body)

    def set(self, path: str, value: Any) -> Obj:
        node = self.body
        *parents, leaf = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
        return self

    def labels(self, **labels: str) -> Obj:
        self.body["metadata"].setdefault("labels", {}).update(labels)
        return self

    def owned_by(
        self, owner: dict[str, Any], *, block: bool | None = None, controller: bool | None = None
    ) -> Obj:
        ref: dict[str, Any] = {
            "apiVersion": owner["apiVersion"],
            "kind": owner["kind"],
            "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"],
        }
        if block is not None:
            ref["blockOwnerDeletion"] = block
        if controller is not None:
            ref["controller"] = controller
        self.body["metadata"].setdefault("ownerReferences", []).append(ref)
        return self

    def finalizers(self, *names: str) -> Obj:
        self.body["metadata"]["finalizers"] = list(names)
        return self


def make_configmap(name: str, namespace: str = NS) -> Obj:
    return Obj(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace},
        }
    )


def make_pod(name: str, namespace: str = NS, **labels: str) -> Obj:
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": template({})["spec"],
    }
    return Obj(body)


def make_replicaset(name: str, replicas: int, labels: dict[str, str], namespace: str = NS) -> Obj:
    return Obj(
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": dict(labels)},
                "template": template(labels),
            },
        }
    )


def make_deployment(name: str, replicas: int, labels: dict[str, str], namespace: str = NS) -> Obj:
    return Obj(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": dict(labels)},
                "template": template(labels),
            },
        }
    )


def make_node(name: str) -> Obj:
    """A node these tests play the kubelet of (the simulated kubelet leaves it alone)."""
    return Obj(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name, "annotations": {"sim.mlkube.io/kubelet": "external"}},
        }
    )


def bind(c: Cluster, pod: dict[str, Any], node: str = "n1") -> dict[str, Any]:
    meta = pod["metadata"]
    return c.api.bind(meta["namespace"], meta["name"], {"target": {"kind": "Node", "name": node}})


def run_ready(
    c: Cluster, pod: dict[str, Any], *, ip: str = "10.0.0.1", ready: bool = True, node: str = "n1"
) -> dict[str, Any]:
    """What a kubelet reports: Running, a pod IP, and the Ready condition."""
    meta = pod["metadata"]
    live = c.get("pods", meta["name"], meta["namespace"])
    if not live["spec"].get("nodeName"):
        bind(c, live, node)
        live = c.get("pods", meta["name"], meta["namespace"])
    now = format_time(c.clock.now())
    status = "True" if ready else "False"
    live["status"] = {
        **(live.get("status") or {}),
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "startTime": now,
        "conditions": [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
            {"type": "Initialized", "status": "True", "lastTransitionTime": now},
            {"type": "ContainersReady", "status": status, "lastTransitionTime": now},
            {"type": "Ready", "status": status, "lastTransitionTime": now},
        ],
    }
    return c.update_status(live)


def names(objs: Sequence[dict[str, Any]]) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objs)


def gone(get: Callable[[], Any]) -> bool:
    from mlkube.engine.errors import NotFound

    try:
        get()
    except NotFound:
        return True
    return False
