"""Builders for the kubelet, node lifecycle and taint eviction specifications: a cluster
with the simulated kubelets, and nodes and pods as a user writes them."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import MINIMAL_CONTROLLERS, Cluster, ControllerFactory
from mlkube.engine.controllers.nodelifecycle import node_lifecycle
from mlkube.engine.controllers.tainteviction import taint_eviction
from mlkube.engine.kubelet import (
    EXIT_CODE,
    RUN_FOR,
    RUNTIME_ANNOTATION,
    START_AFTER,
    STOP_AFTER,
    STOPPED_ANNOTATION,
    Kubelets,
    kubelets,
)

NS = "default"


lifecycle = node_lifecycle
eviction = taint_eviction
#: Ours: left out of the defaults (where the cluster wires them), added back as asked.
_OURS = (kubelets, node_lifecycle, taint_eviction)


def cluster(
    *extra: ControllerFactory, kubelet: bool = True, state_dir: Path | None = None
) -> Cluster:
    """An embedded cluster on a FakeClock with the simulated kubelets (and ``extra``)."""
    factories: list[ControllerFactory] = list(MINIMAL_CONTROLLERS)
    if kubelet:
        factories.append(lambda c: Kubelets(c.api, c.clock, state_dir=state_dir))
    factories.extend(extra)
    return Cluster(clock=FakeClock(), seed=0, controllers=factories)


def kubelet_of(c: Cluster) -> Kubelets:
    return next(k for k in c.controllers.controllers if isinstance(k, Kubelets))


class Node:
    def __init__(self, name: str) -> None:
        self.body: dict[str, Any] = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}

    def build(self) -> dict[str, Any]:
        return copy.deepcopy(self.body)

    def annotate(self, **annotations: str) -> Node:
        self.body["metadata"].setdefault("annotations", {}).update(annotations)
        return self

    def stopped(self) -> Node:
        return self.annotate(**{STOPPED_ANNOTATION: "true"})

    def process(self) -> Node:
        return self.annotate(**{RUNTIME_ANNOTATION: "process"})

    def label(self, **labels: str) -> Node:
        self.body["metadata"].setdefault("labels", {}).update(labels)
        return self

    def capacity(self, **resources: str) -> Node:
        self.body.setdefault("status", {})["capacity"] = dict(resources)
        return self

    def taint(self, key: str, effect: str = "NoExecute", value: str | None = None) -> Node:
        taint = {"key": key, "effect": effect, **({"value": value} if value else {})}
        self.body.setdefault("spec", {}).setdefault("taints", []).append(taint)
        return self

    def pod_cidr(self, cidr: str) -> Node:
        self.body.setdefault("spec", {})["podCIDR"] = cidr
        return self


def make_node(name: str = "n1") -> Node:
    return Node(name)


class Pod:
    def __init__(self, name: str, namespace: str) -> None:
        self.body: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}]},
        }

    def build(self) -> dict[str, Any]:
        return copy.deepcopy(self.body)

    def annotate(self, **annotations: str) -> Pod:
        self.body["metadata"].setdefault("annotations", {}).update(annotations)
        return self

    def on(self, node: str) -> Pod:
        self.body["spec"]["nodeName"] = node
        return self

    def runs_for(self, duration: str) -> Pod:
        return self.annotate(**{RUN_FOR: duration})

    def exits_with(self, code: int | str) -> Pod:
        return self.annotate(**{EXIT_CODE: str(code)})

    def starts_after(self, duration: str) -> Pod:
        return self.annotate(**{START_AFTER: duration})

    def stops_after(self, duration: str) -> Pod:
        return self.annotate(**{STOP_AFTER: duration})

    def restart(self, policy: str) -> Pod:
        self.body["spec"]["restartPolicy"] = policy
        return self

    def grace(self, seconds: int) -> Pod:
        self.body["spec"]["terminationGracePeriodSeconds"] = seconds
        return self

    def deadline(self, seconds: int) -> Pod:
        self.body["spec"]["activeDeadlineSeconds"] = seconds
        return self

    def owned_by_job(self, name: str = "train", uid: str = "0000-job") -> Pod:
        ref = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "name": name,
            "uid": uid,
            "controller": True,
        }
        self.body["metadata"].setdefault("ownerReferences", []).append(ref)
        return self

    def tolerates(
        self, key: str, seconds: int | None = None, effect: str = "NoExecute", op: str = "Exists"
    ) -> Pod:
        tol: dict[str, Any] = {"key": key, "operator": op, "effect": effect}
        if seconds is not None:
            tol["tolerationSeconds"] = seconds
        self.body["spec"].setdefault("tolerations", []).append(tol)
        return self

    def container(self, name: str = "main", **fields: Any) -> Pod:
        """Replace (or add) a container by name."""
        containers = [c for c in self.body["spec"]["containers"] if c["name"] != name]
        containers.append({"name": name, "image": "busybox:1.36", **fields})
        self.body["spec"]["containers"] = containers
        return self


def make_pod(name: str = "p", namespace: str = NS) -> Pod:
    return Pod(name, namespace)


def bind(c: Cluster, name: str, node: str = "n1", namespace: str = NS) -> dict[str, Any]:
    return c.api.bind(namespace, name, {"target": {"kind": "Node", "name": node}})


def condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return dict(cond)
    return None


def state(pod: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return dict(pod["status"]["containerStatuses"][index]["state"])


def taints(node: dict[str, Any]) -> list[tuple[str, str]]:
    return [(t["key"], t["effect"]) for t in (node.get("spec") or {}).get("taints") or []]


def events(c: Cluster, reason: str | None = None) -> list[tuple[str, str, str]]:
    """(type, reason, message) of every event, oldest first."""
    out = [(e["type"], e["reason"], e["message"]) for e in c.list("events", None)]
    return [e for e in out if reason is None or e[1] == reason]


def gone(get: Callable[[], Any]) -> bool:
    from mlkube.engine.errors import NotFound

    try:
        get()
    except NotFound:
        return True
    return False


def timeline(
    c: Cluster, probe: Callable[[], Any], seconds: float, step: float = 1.0
) -> list[tuple[float, Any]]:
    """``probe()`` at every ``step`` of virtual time, kept only when it changes."""
    c.run_until_idle()
    out: list[tuple[float, Any]] = [(c.clock.monotonic(), probe())]
    elapsed = 0.0
    while elapsed < seconds - 1e-9:
        c.advance(step)
        elapsed += step
        value = probe()
        if value != out[-1][1]:
            out.append((round(c.clock.monotonic(), 6), value))
    return out
